// `hexts user`: register, log in (OAuth device flow, a dashboard API key, or username and password), whoami,
// log out, manage your API keys, and reset the account or local password (mix hex.user, rebar3 hex user).
import { z } from "zod";
import { createUser, deleteKey, getMe, isApiError, revokeToken, testAuth } from "../api/index.js";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import {
  deleteCredential,
  hasLocalPassword,
  listCredentials,
  loadCredential,
  normalizeApiUrl,
  setLocalPassword,
  storeCredential,
  userConfigStore,
} from "../config/index.js";
import type { LoginCredential, OAuthCredential } from "../credential.js";
import type { Output } from "../ui/output.js";
import { openSession, type Session } from "./session.js";
import { KeyInput, keyAction, renderKey } from "./auth/key-actions.js";
import { askNewPassword, openVault, prepareVault } from "./auth/local-password.js";
import {
  loginWithKey,
  loginWithOAuth,
  loginWithPassword,
  revokeCreatedKey,
  type CreatedKeyInfo,
  type Login,
} from "./auth/login.js";
import { claimStdin, readStdinSecret } from "./auth/stdin.js";

export const TERMS_URL = "https://hex.pm/policies/termsofservice";

const Name = z.string().trim().min(1);

// ---- register ----

export const RegisterInput = z.object({
  username: Name.optional(),
  email: Name.optional(),
  fullName: Name.optional(),
  passwordStdin: z.boolean().optional(),
});

export interface RegisterResult {
  username: string;
  email: string;
  apiUrl: string;
  termsOfService: string;
}

export async function register(ctx: Context, input: z.output<typeof RegisterInput>): Promise<RegisterResult> {
  const session = await openSession(ctx);
  // Shown before anything is asked or sent, in every mode: registering means accepting these terms.
  ctx.out.writeErr(`By registering an account you accept the Hex policies and terms of service: ${TERMS_URL}\n`);
  const username = input.username ?? (await ctx.prompt.input("Username:", { supply: "--username NAME" })).trim();
  const email = input.email ?? (await ctx.prompt.input("Email:", { supply: "--email EMAIL" })).trim();
  if (username === "") throw new HextsError("INPUT_REQUIRED", "a username is required (--username NAME)");
  if (email === "") throw new HextsError("INPUT_REQUIRED", "an email address is required (--email EMAIL)");
  const password = input.passwordStdin
    ? await readStdinSecret(ctx, { what: "account password", flag: "--password-stdin" })
    : await askNewPassword(
        ctx,
        { first: "Account password:", confirm: "Account password (confirm):", supply: "--password-stdin" },
        false,
      );
  const client = await session.anonymous();
  ctx.out.info("Registering...");
  const user = await createUser(
    client,
    { username, email, password, fullName: input.fullName },
    { signal: ctx.signal },
  );
  return { username: user.username, email, apiUrl: client.apiUrl, termsOfService: TERMS_URL };
}

function renderRegister(r: RegisterResult, out: Output): void {
  out.result(`Registered ${r.username}.`);
  out.info(`Confirm your email address with the link sent to ${r.email}, then log in with \`hexts user auth\`.`);
}

// ---- whoami ----

export const WhoamiInput = z.object({});

export interface WhoamiResult {
  username: string;
  fullName: string | null;
  email: string | null;
  organizations: { name: string; role: string }[];
  apiUrl: string;
  /** Where the credential came from (no secret): `HEX_API_KEY`, `stored login for ...`. */
  credential: { kind: "key" | "oauth"; source: string } | null;
}

export async function whoami(ctx: Context): Promise<WhoamiResult> {
  const session = await openSession(ctx);
  const client = await session.authed();
  const info = await session.credentialInfo();
  let me;
  try {
    me = await getMe(client, { signal: ctx.signal });
  } catch (e) {
    if (isApiError(e, "NOT_FOUND")) {
      throw new HextsError(
        "FORBIDDEN",
        `the credential in use (${info?.source ?? "unknown"}) belongs to an organization, not to a user`,
        { status: e.status, cause: e },
      );
    }
    throw e;
  }
  return {
    username: me.username,
    fullName: me.full_name ?? null,
    email: me.email ?? null,
    organizations: (me.organizations ?? []).map((o) => ({ name: o.name, role: o.role })),
    apiUrl: client.apiUrl,
    credential: info ? { kind: info.kind, source: info.source } : null,
  };
}

function renderWhoami(r: WhoamiResult, out: Output): void {
  out.result(r.username);
  if (r.organizations.length)
    out.result(`organizations: ${r.organizations.map((o) => `${o.name} (${o.role})`).join(", ")}`);
  if (r.credential)
    out.debug(
      `authenticated with ${r.credential.kind === "oauth" ? "an OAuth token" : "an API key"} ` +
        `from ${r.credential.source}`,
    );
}

// ---- auth ----

export const AuthInput = z.object({
  oauth: z.boolean().optional(),
  key: z.union([z.string(), z.literal(true)]).optional(),
  password: z.boolean().optional(),
  username: Name.optional(),
  passwordStdin: z.boolean().optional(),
  keyName: Name.optional(),
  browser: z.boolean().default(true),
  localPasswordStdin: z.boolean().optional(),
  localPassword: z.boolean().default(true),
});
export type AuthInput = z.output<typeof AuthInput>;

export interface AuthResult {
  method: Login["method"];
  apiUrl: string;
  username: string | null;
  /** Name of the stored key (key and password logins). */
  keyName: string | null;
  /** OAuth: the granted scopes, and when the access token expires (unix seconds; renewed automatically). */
  scope?: string | null;
  expiresAt?: number;
  /** Password login: every key created on the server. */
  keysCreated?: CreatedKeyInfo[];
  /** Stored sealed with the local password. */
  encrypted: boolean;
  configFile: string;
}

function checkAuthFlags(input: AuthInput): "oauth" | "key" | "password" | undefined {
  const chosen = (["oauth", "key", "password"] as const).filter((m) => input[m] !== undefined && input[m] !== false);
  if (chosen.length > 1)
    throw new HextsError("USAGE", `choose one way to log in: ${chosen.map((m) => `--${m}`).join(" or ")}`);
  const method = chosen[0];
  if (method !== "password" && (input.username !== undefined || input.passwordStdin)) {
    throw new HextsError(
      "USAGE",
      `${input.username !== undefined ? "--username" : "--password-stdin"} goes with --password ` +
        "(username and password login)",
    );
  }
  if (method === "key" && input.keyName !== undefined)
    throw new HextsError("USAGE", "--key-name names keys hexts creates; a key given with --key keeps its own name");
  const keyFromStdin = method === "key" && (input.key === "-" || input.key === true);
  claimStdin([
    ["--key", keyFromStdin && input.localPasswordStdin === true],
    ["--password-stdin", input.passwordStdin === true],
    ["--local-password-stdin", input.localPasswordStdin === true],
  ]);
  if (input.localPasswordStdin && !input.localPassword)
    throw new HextsError("USAGE", "--local-password-stdin and --no-local-password contradict each other");
  return method;
}

export async function auth(ctx: Context, input: AuthInput): Promise<AuthResult> {
  let method = checkAuthFlags(input);
  const session = await openSession(ctx);
  const apiUrl = normalizeApiUrl(session.repository.apiUrl!);
  if (method === undefined) {
    // The device login waits for someone at a browser: a run that cannot prompt never starts it unasked.
    if (!ctx.prompt.interactive) {
      const why = session.settings.values.ci ? "in CI" : "this run cannot prompt (no terminal, --json or --yes)";
      throw new HextsError(
        "INPUT_REQUIRED",
        `${why}, log in with an API key: \`hexts user auth --key -\` with the key on stdin (or set HEX_API_KEY and ` +
          "skip logging in); pass --oauth to run the browser login anyway",
      );
    }
    method = "oauth";
  }
  if (session.settings.values.api_key !== undefined) {
    ctx.out.warn(
      `${session.settings.sources.api_key.kind === "env" ? "HEX_API_KEY is set: it" : "an api_key setting"} ` +
        "takes precedence over the login stored now",
    );
  }
  // A local password already in place is opened now, not after the user has approved a login in the browser.
  const sealed = await openVault(ctx);
  const previous = await loadCredential(ctx, apiUrl);

  const login =
    method === "oauth"
      ? await loginWithOAuth(ctx, session, { browser: input.browser, label: input.keyName })
      : method === "key"
        ? await loginWithKey(ctx, session, { key: input.key as string | true })
        : await loginWithPassword(ctx, session, {
            username: input.username,
            passwordStdin: input.passwordStdin === true,
            keyName: input.keyName,
          });

  let vault: { encrypted: boolean; file: string };
  try {
    vault = sealed
      ? { encrypted: true, file: userConfigStore(ctx).file }
      : await prepareVault(ctx, { skip: !input.localPassword, fromStdin: input.localPasswordStdin === true });
    await storeCredential(ctx, apiUrl, login.credential);
  } catch (e) {
    // A key made for this login and not stored would stay live and unused: revoke it.
    if (login.credential.type === "key" && login.credential.generated)
      await revokeCreatedKey(ctx, session, login.credential);
    throw e;
  }
  if (
    previous?.type === "oauth" &&
    previous.accessToken !== (login.credential.type === "oauth" ? login.credential.accessToken : undefined)
  ) {
    await revokeQuietly(ctx, session, previous);
  }
  if (
    previous?.type === "key" &&
    previous.generated &&
    previous.key !== (login.credential.type === "key" ? login.credential.key : undefined)
  ) {
    // The key hexts made for the previous login is replaced: nothing uses it any more.
    if (await revokeCreatedKey(ctx, session, previous))
      ctx.out.info(`Revoked ${previous.keyName ?? "the key"} hexts had created for the previous login.`);
  }
  const c = login.credential;
  return {
    method: login.method,
    apiUrl,
    username: login.username,
    keyName: c.type === "key" ? (c.keyName ?? null) : null,
    ...(c.type === "oauth" ? { scope: login.scope ?? null, expiresAt: c.expiresAt } : {}),
    ...(login.keysCreated ? { keysCreated: login.keysCreated } : {}),
    encrypted: vault.encrypted,
    configFile: vault.file,
  };
}

/** The previous OAuth session is replaced by the new login: revoke it, quietly (mix does the same). */
async function revokeQuietly(ctx: Context, session: Session, c: OAuthCredential): Promise<void> {
  try {
    await revokeToken(await session.anonymous(), {
      clientId: session.settings.values.oauth_client_id,
      token: c.accessToken,
      signal: ctx.signal,
    });
  } catch (e) {
    ctx.out.debug(`could not revoke the previous OAuth login: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function renderAuth(r: AuthResult, out: Output): void {
  const who = r.username ? ` as ${r.username}` : "";
  const how =
    r.method === "oauth"
      ? "OAuth login, renewed automatically"
      : r.method === "key"
        ? `API key ${r.keyName ?? ""}`.trim()
        : `new API key ${r.keyName ?? ""}`.trim();
  out.result(`Logged in${who} on ${r.apiUrl} (${how}).`);
  out.info(
    r.encrypted ? `Stored encrypted with your local password in ${r.configFile}.` : `Stored in ${r.configFile}.`,
  );
}

// ---- deauth ----

export const DeauthInput = z.object({});

export interface DeauthResult {
  apiUrl: string;
  username: string | null;
  /** A credential was stored and is now forgotten. */
  forgotten: boolean;
  /** What was revoked on the server: the OAuth session, the key hexts had created, or nothing. */
  revoked: "oauth" | "key" | null;
  /** A key the user gave hexts (`user auth --key`): forgotten here, left valid on the server (its name, or null). */
  keptOnServer?: string | null;
  /** Why revoking failed (the local forget still happened). */
  revokeError?: string;
  /** An API key from the environment or settings that keeps being used. */
  stillUsing?: string;
}

async function revokeStored(ctx: Context, session: Session, c: LoginCredential): Promise<"oauth" | "key"> {
  const anonymous = await session.anonymous();
  if (c.type === "oauth") {
    await revokeToken(anonymous, {
      clientId: session.settings.values.oauth_client_id,
      token: c.accessToken,
      signal: ctx.signal,
    });
    return "oauth";
  }
  const withKey = anonymous.with({ credential: { type: "key", key: c.key } });
  let name = c.keyName;
  if (!name) {
    const check = await testAuth(withKey, { domain: "api" }, { signal: ctx.signal });
    if (check.kind !== "key") throw new HextsError("PROTOCOL", "the server did not say which key this is");
    name = check.name;
  }
  await deleteKey(withKey, name, { signal: ctx.signal });
  return "key";
}

export async function deauth(ctx: Context): Promise<DeauthResult> {
  const session = await openSession(ctx);
  const apiUrl = normalizeApiUrl(session.repository.apiUrl!);
  const stored = (await listCredentials(ctx)).find((c) => c.apiUrl === apiUrl);
  const apiKey = session.settings.values.api_key;
  const stillUsing =
    apiKey === undefined
      ? undefined
      : session.settings.sources.api_key.kind === "env"
        ? (session.settings.sources.api_key as { name: string }).name
        : "the api_key setting";
  const result: DeauthResult = {
    apiUrl,
    username: stored?.username ?? null,
    forgotten: false,
    revoked: null,
    ...(stillUsing ? { stillUsing } : {}),
  };
  if (!stored) return result;
  if (stored.type === "key" && !stored.generated) {
    // hexts did not make this key, so it may be in use elsewhere (CI, another machine): only forget it here.
    result.keptOnServer = stored.keyName ?? null;
    result.forgotten = await deleteCredential(ctx, apiUrl);
    return result;
  }
  try {
    const c = await loadCredential(ctx, apiUrl);
    if (c) result.revoked = await revokeStored(ctx, session, c);
  } catch (e) {
    if (e instanceof HextsError && e.code === "CANCELLED") throw e;
    result.revokeError = e instanceof Error ? e.message : String(e);
    ctx.out.warn(
      `could not revoke the login on the server (${result.revokeError}); forgetting it on this machine anyway`,
    );
  }
  result.forgotten = await deleteCredential(ctx, apiUrl);
  return result;
}

function renderDeauth(r: DeauthResult, out: Output): void {
  if (!r.forgotten) out.result(`Not logged in on ${r.apiUrl}; nothing to forget.`);
  else {
    const what =
      r.revoked === "oauth"
        ? "revoked the OAuth session and "
        : r.revoked === "key"
          ? "revoked the stored API key and "
          : "";
    out.result(
      `Logged out${r.username ? ` ${r.username}` : ""} from ${r.apiUrl}: ${what}removed the stored credentials.`,
    );
  }
  if (r.keptOnServer !== undefined) {
    const key = r.keptOnServer === null ? "The API key" : `The API key ${r.keptOnServer}`;
    out.info(
      `${key} was given to hexts, not made by it, so it stays valid on the server; if nothing else uses it, ` +
        `revoke it on your dashboard or with \`hexts user key revoke ${r.keptOnServer ?? "NAME"}\`.`,
    );
  }
  if (r.stillUsing) out.warn(`${r.stillUsing} is still set, so hexts keeps authenticating with that key`);
}

// ---- reset_password account | local ----

export const ResetInput = z.object({
  which: z.enum(["account", "local"], { error: "expected account or local" }),
  username: Name.optional(),
  localPasswordStdin: z.boolean().optional(),
});

export type ResetResult =
  | { which: "account"; username: string; sent: true }
  | { which: "local"; encrypted: boolean; secrets: number; configFile: string };

/** Where a user resets the account password in a browser (hex.pm: https://hex.pm/password/new). */
export function passwordPage(apiUrl: string): string {
  return `${new URL(apiUrl).origin}/password/new`;
}

async function resetAccount(ctx: Context, input: z.output<typeof ResetInput>): Promise<ResetResult> {
  const session = await openSession(ctx);
  const apiUrl = normalizeApiUrl(session.repository.apiUrl!);
  const stored = (await listCredentials(ctx)).find((c) => c.apiUrl === apiUrl)?.username;
  const name =
    input.username ?? stored ?? (await ctx.prompt.input("Username or email:", { supply: "--username NAME" })).trim();
  if (name === "") throw new HextsError("INPUT_REQUIRED", "a username or email is required (--username NAME)");
  const client = await session.anonymous();
  try {
    await client.request({
      method: "POST",
      path: `users/${encodeURIComponent(name)}/reset`,
      credential: null,
      signal: ctx.signal,
      checkHint: "check your mailbox for the reset email before asking again",
    });
  } catch (e) {
    if (isApiError(e, "NOT_FOUND")) {
      throw new HextsError(
        "NOT_FOUND",
        `the server no longer resets passwords through its API; reset yours in a browser at ${passwordPage(apiUrl)}`,
        { status: 404, cause: e },
      );
    }
    throw e;
  }
  return { which: "account", username: name, sent: true };
}

async function resetLocal(ctx: Context, input: z.output<typeof ResetInput>): Promise<ResetResult> {
  if (input.username !== undefined) throw new HextsError("USAGE", "--username goes with `reset_password account`");
  const file = userConfigStore(ctx).file;
  const had = await hasLocalPassword(ctx);
  // The current password first (asked once, or HEX_LOCAL_PASSWORD), so a wrong one fails before a new one is typed.
  if (had) await openVault(ctx);
  const password = input.localPasswordStdin
    ? await readStdinSecret(ctx, { what: "new local password", flag: "--local-password-stdin" })
    : await askNewPassword(
        ctx,
        {
          first: had
            ? "New local password (empty: remove it and store credentials unencrypted):"
            : "New local password:",
          confirm: "New local password (confirm):",
          supply: "--local-password-stdin",
        },
        had,
      );
  const { secrets } = await setLocalPassword(ctx, password === "" ? null : password);
  return { which: "local", encrypted: password !== "", secrets, configFile: file };
}

export async function resetPassword(ctx: Context, input: z.output<typeof ResetInput>): Promise<ResetResult> {
  if (input.which === "account" && input.localPasswordStdin)
    throw new HextsError("USAGE", "--local-password-stdin goes with `reset_password local`");
  return input.which === "account" ? resetAccount(ctx, input) : resetLocal(ctx, input);
}

function renderReset(r: ResetResult, out: Output): void {
  if (r.which === "account") {
    out.result(
      `A password reset email was sent for ${r.username}; its link works for 24 hours ` +
        "(check your spam folder if it does not arrive).",
    );
    return;
  }
  const n = `${r.secrets} stored secret${r.secrets === 1 ? "" : "s"}`;
  if (r.encrypted) out.result(`Local password set; ${n} encrypted with it.`);
  else {
    out.result(`Local password removed; ${n} now stored unencrypted.`);
    out.warn(`credentials are stored unencrypted in ${r.configFile} (readable only by you)`);
  }
}

export const subcommands = {
  register: defineSubcommand({ input: RegisterInput, run: register, render: renderRegister }),
  whoami: defineSubcommand({ input: WhoamiInput, run: whoami, render: renderWhoami }),
  auth: defineSubcommand({ input: AuthInput, run: auth, render: renderAuth }),
  deauth: defineSubcommand({ input: DeauthInput, run: deauth, render: renderDeauth }),
  key: defineSubcommand({
    input: KeyInput,
    run: (ctx, input) => keyAction(ctx, input, {}),
    render: renderKey,
    revealsSecret: true,
  }),
  reset_password: defineSubcommand({ input: ResetInput, run: resetPassword, render: renderReset }),
} satisfies Subcommands;
