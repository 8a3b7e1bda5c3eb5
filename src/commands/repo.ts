// `hexts repo add|set|list|show|remove` (mix hex.repo): the repositories other than hex.pm this machine knows, kept in
// the user config. `-r NAME` then selects one for every task (config/repos.ts). rebar3 users declare them in
// rebar.config or rebar3's global config instead; `repo list` shows those too, with where they come from.
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { transportOptions } from "./shared.js";
import { HextsError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { ORGANIZATION_NAME, isBuiltInRepoName } from "../repository.js";
import { HEXPM_REPO_URL } from "../config/repos.js";
import { normalizeApiUrl } from "../config/credentials.js";
import type { RepoEntry } from "../config/schema.js";

/** A PEM public key file is well under this; anything larger is not one. */
const PUBLIC_KEY_FILE_MAX_BYTES = 64 * 1024;

/** Where a repository's definition comes from. */
export type RepoSource = "hexts" | "rebar3-global" | "project";

export interface RepoView {
  name: string;
  url: string;
  /** null: no API configured (tasks that need one refuse `-r NAME`). */
  apiUrl: string | null;
  publicKeyFingerprint: string | null;
  /** Whether an auth key is stored (never the key). */
  authKey: boolean;
  source: RepoSource;
  /** The file that defines it. */
  file: string;
}

/** The rule for names given to `repo add` (mix's names are free text; `hexpm` and `hexpm:ORG` are built in). */
export function checkRepoName(name: string): string {
  if (name === "hexpm")
    throw new HextsError(
      "USAGE",
      "hexpm is the built-in repository (hex.pm); to fetch it through a mirror set `hexts config mirror_url URL`",
    );
  if (name.startsWith("hexpm:")) {
    const org = name.slice("hexpm:".length);
    throw new HextsError(
      "USAGE",
      `${name} is an organization on hex.pm, not a repository to add: ` +
        (ORGANIZATION_NAME.test(org)
          ? `authorize it with \`hexts organization auth ${org}\``
          : "use `hexts organization auth ORG`"),
    );
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.length > 64)
    throw new HextsError(
      "USAGE",
      `invalid repository name "${name}": use letters, digits, _ . - (at most 64, not starting with . or -)`,
    );
  return name;
}

function checkUrl(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HextsError("USAGE", `${flag} must be an http:// or https:// URL (got ${JSON.stringify(raw)})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new HextsError("USAGE", `${flag} must be an http:// or https:// URL (got ${JSON.stringify(raw)})`);
  if (url.username || url.password)
    throw new HextsError("USAGE", `${flag} must not carry a user name or password; give the key with --auth-key`);
  return normalizeApiUrl(raw);
}

async function fingerprintOf(pem: string): Promise<string> {
  const { publicKeyFingerprint } = await import("../registry/index.js");
  return publicKeyFingerprint(pem);
}

/**
 * Reads --public-key FILE: bounded, and it must parse as a PEM RSA public key (what Hex registries are signed with).
 */
async function readPublicKeyFile(ctx: Context, path: string): Promise<string> {
  const file = resolve(ctx.cwd, path);
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new HextsError("USAGE", `--public-key ${path}: not a file`);
    if (st.size > PUBLIC_KEY_FILE_MAX_BYTES)
      throw new HextsError("USAGE", `--public-key ${path}: too large to be a PEM public key`);
    text = await readFile(file, "utf8");
  } catch (e) {
    if (e instanceof HextsError) throw e;
    throw new HextsError("USAGE", `--public-key ${path}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  return pemPublicKey(text, `--public-key ${path}`);
}

/** The key as PEM (SubjectPublicKeyInfo), or USAGE naming `what` when it is not an RSA public key. */
async function pemPublicKey(text: string, what: string): Promise<string> {
  const { createPublicKey } = await import("node:crypto");
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
    await fingerprintOf(text);
    // `BEGIN RSA PUBLIC KEY` (PKCS#1) is stored in the `BEGIN PUBLIC KEY` form every client reads.
    return text.includes("-----BEGIN PUBLIC KEY-----") ? text : String(key.export({ type: "spki", format: "pem" }));
  } catch {
    throw new HextsError(
      "USAGE",
      `${what} is not a PEM RSA public key (a Hex repository's public_key file, "-----BEGIN PUBLIC KEY-----")`,
    );
  }
}

/** `--auth-key KEY` (warned: visible in the process list) or `--auth-key -` (read from stdin). */
async function readAuthKey(ctx: Context, raw: string): Promise<string> {
  if (raw === "-") {
    const { readStdinSecret } = await import("./auth/stdin.js");
    return readStdinSecret(ctx, { what: "repository auth key", flag: "--auth-key -", trim: true });
  }
  const key = raw.trim();
  if (key === "") throw new HextsError("USAGE", "--auth-key was given an empty key");
  ctx.out.secrets.add(key);
  ctx.out.warn(
    "a key given on the command line is visible to other users of this machine (process list) and stays in your " +
      "shell history; pipe it on stdin with --auth-key - instead",
  );
  return key;
}

/** GETs URL/public_key as mix's --fetch-public-key does; without a fingerprint, the user accepts what it shows. */
async function downloadPublicKey(
  ctx: Context,
  url: string,
  fingerprint: string | undefined,
  authKey: string | undefined,
  outcome: "added" | "changed" = "added",
): Promise<string> {
  const { defaultTransport, hextsUserAgent } = await import("../api/index.js");
  const { fetchRepositoryPublicKey } = await import("../registry/index.js");
  const v = ctx.settings.values;
  if (v.offline)
    throw new HextsError("USAGE", "offline (HEX_OFFLINE): give the repository's key with --public-key FILE");
  const transport = defaultTransport(transportOptions(v));
  ctx.defer(() => transport.close());
  const pem = await fetchRepositoryPublicKey(url, fingerprint, {
    transport,
    userAgent: hextsUserAgent({ ci: v.ci }),
    timeoutMs: v.http_timeout * 1000,
    signal: ctx.signal,
    authorization: authKey,
  });
  if (fingerprint !== undefined) return pem;
  const actual = await fingerprintOf(pem);
  ctx.out.info(`The repository's public key (${url}/public_key) has fingerprint ${actual}`);
  const ok = await ctx.prompt.confirm("Trust this key for verifying the repository's registry?", {
    default: false,
    supply: "--fetch-public-key FINGERPRINT (checked), --public-key FILE, or --yes to accept the downloaded key",
  });
  if (!ok) throw new HextsError("CANCELLED", `cancelled: the repository was not ${outcome}`);
  return pem;
}

/** A configured key's fingerprint as shown; a key that does not parse is shown as such. */
async function shownFingerprint(pem: string | undefined): Promise<string | null> {
  if (pem === undefined) return null;
  try {
    return await fingerprintOf(pem);
  } catch {
    return "(not a valid RSA public key)";
  }
}

/** The view of an entry `repo add` stored (in `file`). */
async function storedRepoView(name: string, entry: RepoEntry & { url: string }, file: string): Promise<RepoView> {
  return {
    name,
    url: entry.url,
    apiUrl: entry.api_url ?? null,
    publicKeyFingerprint: await shownFingerprint(entry.public_key),
    authKey: entry.auth_key !== undefined,
    source: "hexts",
    file,
  };
}

/** `repo set` or `remove` of a name hexts did not add: where it is declared, or that it is unknown. */
async function notAddedByHexts(ctx: Context, name: string): Promise<HextsError> {
  const other = (await allRepos(ctx)).find((r) => r.name === name);
  if (other)
    return new HextsError("USAGE", `repository ${name} is declared in ${other.file}, not by hexts: edit that file`);
  return notConfigured(name);
}

// ---- add ----

export const AddInput = z.object({
  name: z.string().min(1),
  url: z.string().min(1),
  publicKey: z.string().min(1).optional(),
  fetchPublicKey: z.string().trim().min(1).optional(),
  apiUrl: z.string().min(1).optional(),
  authKey: z.string().optional(),
});

export interface RepoAddResult {
  action: "add";
  repository: RepoView;
  /** True when an entry of that name was replaced. */
  replaced: boolean;
  /** How the public key was obtained. */
  publicKeyFrom: "file" | "download-checked" | "download";
}

/** --public-key and --fetch-public-key: one or the other, and a fingerprint in the form repositories publish. */
function checkKeyFlags(input: { publicKey?: string; fetchPublicKey?: string }): void {
  if (input.publicKey !== undefined && input.fetchPublicKey !== undefined)
    throw new HextsError("USAGE", "give --public-key FILE or --fetch-public-key FINGERPRINT, not both");
  if (input.fetchPublicKey !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(input.fetchPublicKey))
    throw new HextsError(
      "USAGE",
      "--fetch-public-key takes the key's fingerprint as the repository publishes it (SHA256:...)",
    );
}

export async function add(ctx: Context, input: z.output<typeof AddInput>): Promise<RepoAddResult> {
  const name = checkRepoName(input.name.trim());
  const url = checkUrl(input.url.trim(), "URL");
  const apiUrl = input.apiUrl === undefined ? undefined : checkUrl(input.apiUrl.trim(), "--api-url");
  checkKeyFlags(input);
  const authKey = input.authKey === undefined ? undefined : await readAuthKey(ctx, input.authKey);
  const publicKey =
    input.publicKey !== undefined
      ? await readPublicKeyFile(ctx, input.publicKey)
      : await downloadPublicKey(ctx, url, input.fetchPublicKey, authKey);
  const { storeRepository, userConfigStore } = await import("../config/index.js");
  const store = userConfigStore(ctx);
  const replaced = Object.hasOwn((await store.read()).repos, name);
  await storeRepository(ctx, name, { url, publicKey, authKey, apiUrl });
  const entry = (await store.read()).repos[name] as RepoEntry & { url: string };
  return {
    action: "add",
    replaced,
    publicKeyFrom:
      input.publicKey !== undefined ? "file" : input.fetchPublicKey !== undefined ? "download-checked" : "download",
    repository: await storedRepoView(name, entry, store.file),
  };
}

// ---- set ----

/** add's input, with the URL optional too. */
export const SetInput = AddInput.partial({ url: true });

export interface RepoSetResult {
  action: "set";
  repository: RepoView;
  /** The settings changed, by flag name without dashes (url, publicKey, apiUrl, authKey). */
  changed: string[];
  /** A stored auth key kept through a URL change: where it is still sent, and the new origins it is not sent to. */
  authKeyKept?: { boundTo: string[]; notSentTo: string[] };
}

/**
 * `hexts repo set NAME --url URL | --public-key FILE | --fetch-public-key FP | --api-url URL | --auth-key KEY`
 * (mix hex.repo set): changes what is given, keeps the rest. A stored auth key does not follow a new URL: it stays
 * bound to the origins it was stored for until it is given again.
 */
export async function set(ctx: Context, input: z.output<typeof SetInput>): Promise<RepoSetResult> {
  const name = input.name.trim();
  if (isBuiltInRepoName(name)) checkRepoName(name);
  const url = input.url === undefined ? undefined : checkUrl(input.url.trim(), "--url");
  const apiUrl = input.apiUrl === undefined ? undefined : checkUrl(input.apiUrl.trim(), "--api-url");
  checkKeyFlags(input);
  const given = (["url", "publicKey", "fetchPublicKey", "apiUrl", "authKey"] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (given.length === 0)
    throw new HextsError(
      "USAGE",
      "give what to change: --url URL, --public-key FILE, --fetch-public-key FINGERPRINT, --api-url URL " +
        "or --auth-key KEY",
    );
  const { updateRepository, userConfigStore } = await import("../config/index.js");
  const store = userConfigStore(ctx);
  const current = (await store.read()).repos[name];
  if (current?.url === undefined) throw await notAddedByHexts(ctx, name);
  const authKey = input.authKey === undefined ? undefined : await readAuthKey(ctx, input.authKey);
  // A key to download comes from the repository's URL as it will be (the new one when --url is given).
  const publicKey =
    input.publicKey !== undefined
      ? await readPublicKeyFile(ctx, input.publicKey)
      : input.fetchPublicKey !== undefined
        ? await downloadPublicKey(ctx, url ?? current.url, input.fetchPublicKey, authKey, "changed")
        : undefined;
  const outcome = await updateRepository(ctx, name, { url, apiUrl, publicKey, authKey });
  const entry = (await store.read()).repos[name]!;
  return {
    action: "set",
    changed: given.map((k) => (k === "fetchPublicKey" ? "publicKey" : k)),
    repository: await storedRepoView(name, entry as RepoEntry & { url: string }, store.file),
    ...(outcome.authKey === "kept" && outcome.notSentTo.length > 0
      ? { authKeyKept: { boundTo: outcome.boundTo, notSentTo: outcome.notSentTo } }
      : {}),
  };
}

// ---- list / show ----

/** Every repository this run can select with `-r`: hexts's own, then rebar3's global config, then the project's. */
async function allRepos(ctx: Context): Promise<RepoView[]> {
  const { userConfigStore } = await import("../config/index.js");
  const { globalRebar3Repos, rebar3Repos } = await import("../config/rebar3-repos.js");
  const { projectHexConfig } = await import("./project-settings.js");
  const store = userConfigStore(ctx);
  const config = await store.read();
  const views: RepoView[] = [];
  for (const [name, entry] of Object.entries(config.repos)) {
    if (isBuiltInRepoName(name) || entry.url === undefined) continue;
    views.push(await storedRepoView(name, { ...entry, url: entry.url }, store.file));
  }
  const declared = [
    ...(await globalRebar3Repos(ctx)).map((r) => ({ r, source: "rebar3-global" as const })),
    ...rebar3Repos(await projectHexConfig(ctx), "rebar.config").map((r) => ({ r, source: "project" as const })),
  ];
  for (const { r, source } of declared) {
    if (isBuiltInRepoName(r.name) || views.some((v) => v.name === r.name)) continue;
    views.push({
      name: r.name,
      url: normalizeApiUrl(r.repoUrl ?? HEXPM_REPO_URL),
      apiUrl: r.apiUrl === undefined ? null : normalizeApiUrl(r.apiUrl),
      publicKeyFingerprint: await shownFingerprint(r.publicKey),
      authKey: r.repoKey !== undefined || r.apiKey !== undefined,
      source,
      file: source === "project" ? resolve(ctx.cwd, r.file) : r.file,
    });
  }
  return views;
}

export const ListInput = z.object({});

export interface RepoListResult {
  action: "list";
  repositories: RepoView[];
}

export async function list(ctx: Context): Promise<RepoListResult> {
  return { action: "list", repositories: await allRepos(ctx) };
}

export const ShowInput = z.object({ name: z.string().min(1) });

export interface RepoShowResult {
  action: "show";
  repository: RepoView;
}

export async function show(ctx: Context, input: z.output<typeof ShowInput>): Promise<RepoShowResult> {
  const name = input.name.trim();
  const found = (await allRepos(ctx)).find((r) => r.name === name);
  if (!found) throw notConfigured(name);
  return { action: "show", repository: found };
}

function notConfigured(name: string): HextsError {
  if (isBuiltInRepoName(name))
    return new HextsError(
      "USAGE",
      `${name} is built in, not a configured repository (see \`hexts info\` and \`hexts organization list\`)`,
    );
  return new HextsError("NOT_FOUND", `no repository named ${name} is configured (see \`hexts repo list\`)`);
}

// ---- remove ----

export const RemoveInput = z.object({ name: z.string().min(1) });

export interface RepoRemoveResult {
  action: "remove";
  name: string;
  file: string;
}

export async function remove(ctx: Context, input: z.output<typeof RemoveInput>): Promise<RepoRemoveResult> {
  const name = input.name.trim();
  if (isBuiltInRepoName(name)) throw notConfigured(name);
  const { removeRepository, userConfigStore } = await import("../config/index.js");
  const store = userConfigStore(ctx);
  if (!Object.hasOwn((await store.read()).repos, name)) throw await notAddedByHexts(ctx, name);
  await removeRepository(ctx, name);
  return { action: "remove", name, file: store.file };
}

// ---- rendering ----

const SOURCE_LABEL: Record<RepoSource, string> = {
  hexts: "hexts",
  "rebar3-global": "rebar3 global config",
  project: "rebar.config",
};

type RepoResult = RepoAddResult | RepoSetResult | RepoListResult | RepoShowResult | RepoRemoveResult;

export function render(result: RepoResult, out: Output): void {
  switch (result.action) {
    case "set": {
      const r = result.repository;
      out.result(`Updated repository ${r.name}: ${result.changed.join(", ")}`);
      if (result.changed.includes("publicKey")) out.info(`Public key: ${r.publicKeyFingerprint}`);
      if (result.authKeyKept) {
        const { boundTo, notSentTo } = result.authKeyKept;
        out.warn(
          `the stored auth key of ${r.name} is not sent to ${notSentTo.join(" or ")}: it stays bound to ` +
            `${boundTo.join(" and ") || "no server"}, where it was stored for; to use it with the new URL, ` +
            `give it again: hexts repo set ${r.name} --auth-key -`,
        );
      }
      break;
    }
    case "add": {
      const r = result.repository;
      out.result(`${result.replaced ? "Replaced" : "Added"} repository ${r.name} (${r.url})`);
      out.info(`Public key: ${r.publicKeyFingerprint}${result.publicKeyFrom === "download" ? " (downloaded)" : ""}`);
      if (r.apiUrl === null)
        out.info(`No API URL: tasks that talk to an API (publish, retire, owner...) need --api-url for -r ${r.name}`);
      break;
    }
    case "list":
      if (result.repositories.length === 0) {
        out.info("No repositories configured besides hexpm (add one with `hexts repo add NAME URL`)");
        return;
      }
      out.table(
        ["Name", "URL", "API URL", "Public key", "Auth key", "Source"],
        result.repositories.map((r) => [
          r.name,
          r.url,
          r.apiUrl ?? "-",
          r.publicKeyFingerprint ?? "-",
          r.authKey ? "set" : "-",
          SOURCE_LABEL[r.source],
        ]),
      );
      break;
    case "show": {
      const r = result.repository;
      out.result(`Name:        ${r.name}`);
      out.result(`URL:         ${r.url}`);
      out.result(`API URL:     ${r.apiUrl ?? "(none)"}`);
      out.result(`Public key:  ${r.publicKeyFingerprint ?? "(none: rebar3's default, hex.pm's key)"}`);
      out.result(`Auth key:    ${r.authKey ? "set" : "not set"}`);
      out.result(`Defined in:  ${r.file}`);
      break;
    }
    case "remove":
      out.result(`Removed repository ${result.name}`);
      break;
  }
}

export const subcommands = {
  add: defineSubcommand({ input: AddInput, run: add, render }),
  set: defineSubcommand({ input: SetInput, run: set, render }),
  list: defineSubcommand({ input: ListInput, run: list, render }),
  show: defineSubcommand({ input: ShowInput, run: show, render }),
  remove: defineSubcommand({ input: RemoveInput, run: remove, render }),
} satisfies Subcommands;
