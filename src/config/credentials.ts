// The credential store: one credential per API URL, organization keys (`hexpm:ORG`), custom repositories,
// and the optional local password that seals every stored secret. Secrets are decrypted on demand, the
// password is asked at most once per run (HEX_LOCAL_PASSWORD first, then up to 3 tries on a TTY), and every
// secret loaded is registered for output redaction.
import { z } from "zod";
import type { LoginCredential } from "../credential.js";
import { HextsError } from "../errors.js";
import { isBuiltInRepoName, organizationRepo } from "../repository.js";
import type { ConfigContext } from "./context.js";
import { Keyring, SecretUnreadableError, type KdfParams } from "./secrets.js";
import type { ConfigFile, RepoEntry, StoredSecret } from "./schema.js";
import { SETTINGS, envSetting, userConfigStore } from "./settings.js";

/** The one credential type (src/credential.ts); the store keeps its LoginCredential part (a key or an OAuth login). */
export type { Credential, LoginCredential } from "../credential.js";

const nonEmpty = z.string().min(1);
const CredentialInputSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("key"),
    key: nonEmpty,
    username: nonEmpty.optional(),
    keyName: nonEmpty.optional(),
    generated: z.boolean().optional(),
  }),
  z.object({
    type: z.literal("oauth"),
    accessToken: nonEmpty,
    refreshToken: nonEmpty.optional(),
    expiresAt: z.number().finite(),
    username: nonEmpty.optional(),
  }),
]);

/** What `listCredentials` shows: no secret, only what is stored and whether it is sealed. */
export interface CredentialSummary {
  apiUrl: string;
  type: "key" | "oauth";
  username?: string;
  keyName?: string;
  /** A key hexts created (revoked by `user deauth`), as opposed to one the user gave it. */
  generated?: boolean;
  expiresAt?: number;
  encrypted: boolean;
}

export interface OrganizationEntry {
  /** `hexpm:acme` */
  name: string;
  /** `acme` */
  organization: string;
  hasKey: boolean;
}

export interface RepositoryInput {
  url: string;
  publicKey: string;
  authKey?: string;
  apiUrl?: string;
}

/** API URLs are keyed without trailing slashes (`https://hex.pm/api`). */
export function normalizeApiUrl(apiUrl: string): string {
  return apiUrl.trim().replace(/\/+$/, "");
}

/** Where hex.pm's API and repository live: what keys stored before origins were recorded are bound to. */
export const HEXPM_API_ORIGIN = "https://hex.pm";
export const HEXPM_REPO_ORIGIN = "https://repo.hex.pm";

/** `https://Hex.pm:443/api/` -> `https://hex.pm`: the part of a URL a stored key is bound to. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new HextsError("USAGE", `not a URL: ${JSON.stringify(url)}`);
  }
}

/** The origins a stored repository key may be sent to (undefined api: none, the entry has no API). */
export interface KeyBinding {
  api?: string;
  repository: string;
}

/** The API and repository URLs a repository key is stored for (`organization auth`, `repo add --auth-key`). */
export interface KeyDestination {
  apiUrl?: string;
  repoUrl: string;
}

function bindingOf(name: string, entry: RepoEntry): KeyBinding {
  const builtIn = isBuiltInRepoName(name);
  const api = entry.api_origin ?? (builtIn ? HEXPM_API_ORIGIN : entry.api_url && originOf(entry.api_url));
  const repository = entry.repo_origin ?? (builtIn || !entry.url ? HEXPM_REPO_ORIGIN : originOf(entry.url));
  return { api: api || undefined, repository };
}

/** `acme` or `hexpm:acme` -> `hexpm:acme` (the one organization-name rule: repository.ts). */
export function organizationRepoName(org: string): string {
  return organizationRepo(org).repository;
}

// ---- the local password, once per run ----

interface VaultState {
  /** The password that opened the check (or was given by the caller), kept for this run only. */
  password?: string;
  ring?: Keyring;
  pending?: Promise<Keyring>;
  /** Usable credentials resolved this run (repos.ts); cleared whenever the store changes. */
  usable: Map<string, Promise<unknown>>;
}

export function vaultState(ctx: Pick<ConfigContext, "memo">): VaultState {
  return ctx.memo("config/vault", (): VaultState => ({ usable: new Map() }));
}

/** Supplies the local password for this run (e.g. read from stdin), so it is checked instead of asked. */
export function provideLocalPassword(ctx: ConfigContext, password: string): void {
  ctx.out.secrets.add(password);
  const st = vaultState(ctx);
  st.password = password;
  st.ring = undefined;
}

const passwordEnv = () => SETTINGS.local_password.env[0] ?? "HEX_LOCAL_PASSWORD";

async function askPassword(
  ctx: ConfigContext,
  check: NonNullable<ConfigFile["local_password"]>["check"],
): Promise<Keyring> {
  const st = vaultState(ctx);
  if (st.password !== undefined) {
    const ring = await Keyring.unlock(st.password, check);
    if (ring) return ring;
    throw new HextsError("LOCAL_PASSWORD_INVALID", "wrong local password");
  }
  const fromEnv = envSetting(ctx.env, "local_password");
  if (fromEnv) {
    ctx.out.secrets.add(fromEnv.value);
    const ring = await Keyring.unlock(fromEnv.value, check);
    if (!ring) throw new HextsError("LOCAL_PASSWORD_INVALID", `wrong local password in ${fromEnv.name}`);
    st.password = fromEnv.value;
    return ring;
  }
  const tries = 3;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const message = attempt === 1 ? "Local password" : `Wrong local password, try again (${attempt} of ${tries})`;
    const password = await ctx.prompt.secret(message, { supply: passwordEnv() });
    ctx.out.secrets.add(password);
    const ring = await Keyring.unlock(password, check);
    if (ring) {
      st.password = password;
      return ring;
    }
  }
  throw new HextsError(
    "LOCAL_PASSWORD_INVALID",
    `wrong local password (${tries} tries); the stored credentials stay encrypted`,
  );
}

/**
 * The keyring that opens `config`'s secrets, asking for the password if this run has not yet;
 * undefined when none is set.
 */
export async function unlock(ctx: ConfigContext, config: ConfigFile): Promise<Keyring | undefined> {
  const check = config.local_password?.check;
  if (!check) return undefined;
  const st = vaultState(ctx);
  if (st.ring) {
    const ring = await st.ring.rebind(check);
    if (ring) return (st.ring = ring);
    st.ring = undefined;
  }
  st.pending ??= askPassword(ctx, check).finally(() => {
    st.pending = undefined;
  });
  return (st.ring = await st.pending);
}

/** Inside the lock: the keyring for the file as it is now, without asking (the caller unlocked beforehand). */
async function ringInLock(ctx: ConfigContext, config: ConfigFile): Promise<Keyring | undefined> {
  const check = config.local_password?.check;
  if (!check) return undefined;
  const st = vaultState(ctx);
  const ring =
    (await st.ring?.rebind(check)) ??
    (st.password !== undefined ? await Keyring.unlock(st.password, check) : undefined);
  if (!ring)
    throw new HextsError(
      "LOCAL_PASSWORD_INVALID",
      "the local password was changed by another hexts process meanwhile; run the command again",
    );
  return (st.ring = ring);
}

async function sealWith(ring: Keyring | undefined, plain: string, aad: readonly string[]): Promise<StoredSecret> {
  return ring ? ring.seal(plain, aad) : plain;
}

/** Opens one stored secret, asking for the local password if needed, and registers it for redaction. */
async function reveal(
  ctx: ConfigContext,
  config: ConfigFile,
  file: string,
  secret: StoredSecret,
  aad: readonly string[],
): Promise<string> {
  let plain: string;
  if (typeof secret === "string") {
    plain = secret;
  } else {
    if (!config.local_password) {
      throw new HextsError(
        "CONFIG_INVALID",
        `the config file ${file} holds an encrypted secret but no local password check; fix it or move it away`,
      );
    }
    const ring = (await unlock(ctx, config))!;
    try {
      plain = await ring.open(secret, aad);
    } catch (e) {
      if (!(e instanceof SecretUnreadableError)) throw e;
      throw new HextsError(
        "CONFIG_INVALID",
        `a stored secret in ${file} cannot be decrypted with the local password (was the file edited by hand?)`,
      );
    }
  }
  ctx.out.secrets.add(plain);
  return plain;
}

const credentialAad = (apiUrl: string, username: string | undefined, field: string) => [
  "credential",
  apiUrl,
  username ?? "",
  field,
];
const repoAad = (name: string) => ["repo", name, "auth_key"];

/** Every secret slot in the file, for re-encryption. */
function secretSlots(config: ConfigFile): { aad: string[]; value: StoredSecret; set(v: StoredSecret): void }[] {
  const slots: { aad: string[]; value: StoredSecret; set(v: StoredSecret): void }[] = [];
  for (const [apiUrl, cred] of Object.entries(config.credentials)) {
    if (cred.type === "key") {
      slots.push({ aad: credentialAad(apiUrl, cred.username, "key"), value: cred.key, set: (v) => (cred.key = v) });
    } else {
      slots.push({
        aad: credentialAad(apiUrl, cred.username, "access_token"),
        value: cred.access_token,
        set: (v) => (cred.access_token = v),
      });
      const refresh = cred.refresh_token;
      if (refresh !== undefined)
        slots.push({
          aad: credentialAad(apiUrl, cred.username, "refresh_token"),
          value: refresh,
          set: (v) => (cred.refresh_token = v),
        });
    }
  }
  for (const [name, repo] of Object.entries(config.repos)) {
    const key = repo.auth_key;
    if (key !== undefined) slots.push({ aad: repoAad(name), value: key, set: (v) => (repo.auth_key = v) });
  }
  return slots;
}

/** Reads the file and unlocks it (asking once) before a write, so the lock is never held across a prompt. */
async function prepareWrite(ctx: ConfigContext) {
  const store = userConfigStore(ctx);
  await unlock(ctx, await store.read());
  vaultState(ctx).usable.clear();
  return store;
}

// ---- the local password ----

export async function hasLocalPassword(ctx: ConfigContext): Promise<boolean> {
  return (await userConfigStore(ctx).read()).local_password !== undefined;
}

/**
 * Sets, changes (password) or removes (null) the local password, re-encrypting every stored secret.
 * Asks for the current password first when one is set. Backs `hexts user reset_password local`.
 */
export async function setLocalPassword(
  ctx: ConfigContext,
  password: string | null,
  opts: { kdf?: KdfParams } = {},
): Promise<{ secrets: number }> {
  const next = password === null ? undefined : Keyring.fresh(password, opts.kdf);
  if (password !== null) ctx.out.secrets.add(password);
  const store = await prepareWrite(ctx);
  const check = next && (await next.makeCheck());
  let count = 0;
  await store.update(async (config) => {
    const ring = await ringInLock(ctx, config);
    const slots = secretSlots(config);
    for (const slot of slots) {
      const plain =
        typeof slot.value === "string" ? slot.value : await openInLock(ring, slot.value, slot.aad, store.file);
      slot.set(await sealWith(next, plain, slot.aad));
    }
    count = slots.length;
    if (check) config.local_password = { check };
    else delete config.local_password;
  });
  const st = vaultState(ctx);
  st.password = password ?? undefined;
  st.ring = next;
  return { secrets: count };
}

async function openInLock(
  ring: Keyring | undefined,
  sealed: Exclude<StoredSecret, string>,
  aad: readonly string[],
  file: string,
): Promise<string> {
  if (!ring)
    throw new HextsError(
      "CONFIG_INVALID",
      `the config file ${file} holds an encrypted secret but no local password check; fix it or move it away`,
    );
  try {
    return await ring.open(sealed, aad);
  } catch (e) {
    if (!(e instanceof SecretUnreadableError)) throw e;
    throw new HextsError(
      "CONFIG_INVALID",
      `a stored secret in ${file} cannot be decrypted with the local password (was the file edited by hand?)`,
    );
  }
}

/**
 * Forgets every stored secret (credentials, organization and repository keys) and the local password,
 * without decrypting anything: the way out when the local password is forgotten. Returns how many were dropped.
 */
export async function forgetStoredSecrets(ctx: ConfigContext): Promise<{ secrets: number }> {
  const store = userConfigStore(ctx);
  vaultState(ctx).usable.clear();
  let count = 0;
  await store.update((config) => {
    count = secretSlots(config).length;
    config.credentials = {};
    for (const [name, repo] of Object.entries(config.repos)) {
      delete repo.auth_key;
      delete repo.api_origin;
      delete repo.repo_origin;
      if (name.startsWith("hexpm:") && Object.keys(repo).length === 0) delete config.repos[name];
    }
    delete config.local_password;
  });
  const st = vaultState(ctx);
  st.password = undefined;
  st.ring = undefined;
  return { secrets: count };
}

// ---- one credential per API ----

/** Stores (replacing) the credential for an API URL, sealed when a local password is set. */
export async function storeCredential(ctx: ConfigContext, apiUrl: string, credential: LoginCredential): Promise<void> {
  const parsed = CredentialInputSchema.safeParse(credential);
  if (!parsed.success)
    throw new HextsError("INTERNAL", `invalid credential to store: ${parsed.error.issues[0]?.path.join(".")}`);
  const url = normalizeApiUrl(apiUrl);
  const c = parsed.data;
  if (c.type === "key") ctx.out.secrets.add(c.key);
  else {
    ctx.out.secrets.add(c.accessToken);
    ctx.out.secrets.add(c.refreshToken);
  }
  const store = await prepareWrite(ctx);
  await store.update(async (config) => {
    const ring = await ringInLock(ctx, config);
    const aad = (field: string) => credentialAad(url, c.username, field);
    config.credentials[url] =
      c.type === "key"
        ? {
            type: "key",
            key: await sealWith(ring, c.key, aad("key")),
            username: c.username,
            key_name: c.keyName,
            ...(c.generated ? { generated: true } : {}),
          }
        : {
            type: "oauth",
            access_token: await sealWith(ring, c.accessToken, aad("access_token")),
            refresh_token:
              c.refreshToken === undefined ? undefined : await sealWith(ring, c.refreshToken, aad("refresh_token")),
            expires_at: c.expiresAt,
            username: c.username,
          };
  });
}

/** The stored credential for an API URL, decrypted (asking for the local password once per run if needed). */
export async function loadCredential(ctx: ConfigContext, apiUrl: string): Promise<LoginCredential | undefined> {
  const store = userConfigStore(ctx);
  const config = await store.read();
  const url = normalizeApiUrl(apiUrl);
  const stored = config.credentials[url];
  if (!stored) return undefined;
  if (stored.type === "key") {
    const key = await reveal(ctx, config, store.file, stored.key, credentialAad(url, stored.username, "key"));
    return {
      type: "key",
      key,
      username: stored.username,
      keyName: stored.key_name,
      ...(stored.generated ? { generated: true } : {}),
    };
  }
  const accessToken = await reveal(
    ctx,
    config,
    store.file,
    stored.access_token,
    credentialAad(url, stored.username, "access_token"),
  );
  const refreshToken =
    stored.refresh_token === undefined
      ? undefined
      : await reveal(
          ctx,
          config,
          store.file,
          stored.refresh_token,
          credentialAad(url, stored.username, "refresh_token"),
        );
  return { type: "oauth", accessToken, refreshToken, expiresAt: stored.expires_at, username: stored.username };
}

/** Forgets the credential for an API URL; false when there was none. Never asks for the local password. */
export async function deleteCredential(ctx: ConfigContext, apiUrl: string): Promise<boolean> {
  const url = normalizeApiUrl(apiUrl);
  vaultState(ctx).usable.clear();
  let found = false;
  await userConfigStore(ctx).update((config) => {
    found = Object.hasOwn(config.credentials, url);
    delete config.credentials[url];
  });
  return found;
}

/** What is stored, without secrets (never asks for the local password). */
export async function listCredentials(ctx: ConfigContext): Promise<CredentialSummary[]> {
  const config = await userConfigStore(ctx).read();
  return Object.entries(config.credentials).map(([apiUrl, c]) =>
    c.type === "key"
      ? {
          apiUrl,
          type: "key",
          username: c.username,
          keyName: c.key_name,
          ...(c.generated ? { generated: true } : {}),
          encrypted: typeof c.key !== "string",
        }
      : {
          apiUrl,
          type: "oauth",
          username: c.username,
          expiresAt: c.expires_at,
          encrypted: typeof c.access_token !== "string",
        },
  );
}

// ---- organizations (`hexpm:ORG` -> key) ----

/**
 * Stores the key for an organization's repository (`hexts organization auth ORG`), bound to the API and repository
 * it was made for (default hex.pm's): it is never sent to another origin.
 */
export async function storeOrganization(
  ctx: ConfigContext,
  org: string,
  key: string,
  destination: KeyDestination = { apiUrl: HEXPM_API_ORIGIN, repoUrl: HEXPM_REPO_ORIGIN },
): Promise<void> {
  const name = organizationRepoName(org);
  if (key === "") throw new HextsError("USAGE", "the organization key cannot be empty");
  ctx.out.secrets.add(key);
  const origins = destinationOrigins(destination);
  const store = await prepareWrite(ctx);
  await store.update(async (config) => {
    const ring = await ringInLock(ctx, config);
    config.repos[name] = { ...config.repos[name], auth_key: await sealWith(ring, key, repoAad(name)), ...origins };
  });
}

function destinationOrigins(d: KeyDestination): Pick<RepoEntry, "api_origin" | "repo_origin"> {
  return {
    ...(d.apiUrl === undefined ? {} : { api_origin: originOf(d.apiUrl) }),
    repo_origin: originOf(d.repoUrl),
  };
}

/** Removes an organization entry; false when there was none. */
export async function removeOrganization(ctx: ConfigContext, org: string): Promise<boolean> {
  const name = organizationRepoName(org);
  vaultState(ctx).usable.clear();
  let found = false;
  await userConfigStore(ctx).update((config) => {
    found = Object.hasOwn(config.repos, name);
    delete config.repos[name];
  });
  return found;
}

export async function listOrganizations(ctx: ConfigContext): Promise<OrganizationEntry[]> {
  const config = await userConfigStore(ctx).read();
  return Object.entries(config.repos)
    .filter(([name]) => name.startsWith("hexpm:"))
    .map(([name, repo]) => ({ name, organization: name.slice("hexpm:".length), hasKey: repo.auth_key !== undefined }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The stored key of a repository entry (`hexpm`, `hexpm:ORG` or a custom name), decrypted. */
export async function loadRepositoryKey(ctx: ConfigContext, name: string): Promise<string | undefined> {
  const store = userConfigStore(ctx);
  const config = await store.read();
  const key = config.repos[name]?.auth_key;
  return key === undefined ? undefined : reveal(ctx, config, store.file, key, repoAad(name));
}

/**
 * The stored key of a repository entry, only when `destination` (an API or repository download URL, as `use`
 * says) is on the origin the key was stored for; `refused` names that origin otherwise (nothing is decrypted).
 */
export async function loadRepositoryKeyFor(
  ctx: ConfigContext,
  name: string,
  use: "api" | "repository",
  destination: string | undefined,
): Promise<{ key: string } | { refused: string | undefined } | undefined> {
  const store = userConfigStore(ctx);
  const config = await store.read();
  const entry = config.repos[name];
  if (entry?.auth_key === undefined) return undefined;
  const bound = bindingOf(name, entry)[use];
  if (destination === undefined || bound === undefined || originOf(destination) !== bound) return { refused: bound };
  return { key: await reveal(ctx, config, store.file, entry.auth_key, repoAad(name)) };
}

export async function loadOrganizationKey(ctx: ConfigContext, org: string): Promise<string | undefined> {
  return loadRepositoryKey(ctx, organizationRepoName(org));
}

// ---- custom repositories ----

function customRepoName(name: string): string {
  if (name === "hexpm" || name.includes(":") || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new HextsError(
      "USAGE",
      `invalid repository name "${name}": use letters, digits, _ . - (hexpm and hexpm:ORG are built in)`,
    );
  }
  return name;
}

/** What storeRepository and updateRepository accept: http(s) URLs, a PEM public key. */
function checkRepositoryInput(repo: Partial<RepositoryInput>): void {
  for (const url of [repo.url, repo.apiUrl])
    if (url !== undefined && !/^https?:\/\//.test(url))
      throw new HextsError("USAGE", `repository URL must be http:// or https:// (got ${JSON.stringify(url)})`);
  if (repo.publicKey !== undefined && !repo.publicKey.includes("BEGIN PUBLIC KEY"))
    throw new HextsError("USAGE", "the repository public key must be a PEM public key");
}

/** Adds or replaces a custom repository (URL, PEM public key, optional auth key and API URL). */
export async function storeRepository(ctx: ConfigContext, name: string, repo: RepositoryInput): Promise<void> {
  const repoName = customRepoName(name);
  checkRepositoryInput(repo);
  ctx.out.secrets.add(repo.authKey);
  const store = await prepareWrite(ctx);
  await store.update(async (config) => {
    const ring = await ringInLock(ctx, config);
    const entry: RepoEntry = { url: normalizeApiUrl(repo.url), public_key: repo.publicKey };
    if (repo.apiUrl) entry.api_url = normalizeApiUrl(repo.apiUrl);
    if (repo.authKey) {
      entry.auth_key = await sealWith(ring, repo.authKey, repoAad(repoName));
      Object.assign(entry, destinationOrigins({ apiUrl: entry.api_url, repoUrl: entry.url! }));
    }
    config.repos[repoName] = entry;
  });
}

/** What `repo set` changes; what it leaves out stays as stored. */
export interface RepositoryChanges {
  url?: string;
  publicKey?: string;
  apiUrl?: string;
  authKey?: string;
}

/**
 * What became of the repository's stored auth key: none stored, or replaced by the new one (bound to the new
 * URLs), or kept: still bound to the origins it was stored for (`boundTo`), so not sent to the new URLs' origins
 * outside them (`notSentTo`). A key never follows a URL change by itself.
 */
export type RepositoryKeyOutcome =
  { authKey: "none" | "replaced" } | { authKey: "kept"; boundTo: string[]; notSentTo: string[] };

/** Changes some settings of a repository added with `repo add` (mix's `hex.repo set`). */
export async function updateRepository(
  ctx: ConfigContext,
  name: string,
  changes: RepositoryChanges,
): Promise<RepositoryKeyOutcome> {
  const repoName = customRepoName(name);
  checkRepositoryInput(changes);
  ctx.out.secrets.add(changes.authKey);
  // Unlocking (the local password) is needed only to seal a new key.
  const store = changes.authKey === undefined ? userConfigStore(ctx) : await prepareWrite(ctx);
  vaultState(ctx).usable.clear();
  let outcome: RepositoryKeyOutcome = { authKey: "none" };
  await store.update(async (config) => {
    const old = config.repos[repoName];
    if (old?.url === undefined)
      throw new HextsError("NOT_FOUND", `no repository named ${repoName} was added with \`hexts repo add\``);
    const entry: RepoEntry = { ...old };
    if (changes.url !== undefined) entry.url = normalizeApiUrl(changes.url);
    if (changes.apiUrl !== undefined) entry.api_url = normalizeApiUrl(changes.apiUrl);
    if (changes.publicKey !== undefined) entry.public_key = changes.publicKey;
    const now = destinationOrigins({ apiUrl: entry.api_url, repoUrl: entry.url! });
    if (changes.authKey !== undefined) {
      const ring = await ringInLock(ctx, config);
      entry.auth_key = await sealWith(ring, changes.authKey, repoAad(repoName));
      delete entry.api_origin;
      Object.assign(entry, now);
      outcome = { authKey: "replaced" };
    } else if (entry.auth_key !== undefined) {
      // Written out, the binding the key had (bindingOf falls back to the entry's URLs, which just changed); an
      // empty api_origin: sent to no API.
      const bound = bindingOf(repoName, old);
      entry.repo_origin = bound.repository;
      entry.api_origin = bound.api ?? "";
      const boundTo = [...new Set([bound.repository, bound.api].filter((o): o is string => !!o))];
      const notSentTo = [...new Set([now.repo_origin, now.api_origin])].filter(
        (o): o is string => o !== undefined && !boundTo.includes(o),
      );
      outcome = { authKey: "kept", boundTo, notSentTo };
    }
    config.repos[repoName] = entry;
  });
  return outcome;
}

export async function removeRepository(ctx: ConfigContext, name: string): Promise<boolean> {
  const repoName = customRepoName(name);
  vaultState(ctx).usable.clear();
  let found = false;
  await userConfigStore(ctx).update((config) => {
    found = Object.hasOwn(config.repos, repoName);
    delete config.repos[repoName];
  });
  return found;
}
