// The three ways `hexts user auth` logs in: the OAuth device flow, an API key made on the server's dashboard,
// and (servers that still allow it) username and password, which creates keys as rebar3_hex does.
import type { Context } from "../context.js";
import { HextsError } from "../../errors.js";
import {
  createKey,
  deleteKey,
  getMe,
  isApiError,
  isOAuthError,
  startDeviceAuthorization,
  testAuth,
  waitForDeviceToken,
  type ApiError,
  type CreatedKey,
  type HexClient,
} from "../../api/index.js";
import type { KeyCredential, LoginCredential } from "../../credential.js";
import type { Session } from "../session.js";
import { browserOpener, openBrowser } from "./browser.js";
import { defaultKeyName, permissionLabel } from "./keys.js";
import { readStdinSecret } from "./stdin.js";
import { fromApi } from "../shared.js";

/** What mix asks for: the whole API plus every organization repository. */
export const OAUTH_SCOPE = "api repositories";

export interface CreatedKeyInfo {
  name: string;
  permissions: string[];
  /** Whether hexts keeps this key as the login. */
  stored: boolean;
}

export interface Login {
  method: "oauth" | "key" | "password";
  credential: LoginCredential;
  username: string | null;
  /** OAuth: the scopes the user granted. */
  scope?: string | null;
  /** Password login: the keys created on the server. */
  keysCreated?: CreatedKeyInfo[];
}

/** `ABCDEFGH` -> `ABCD-EFGH`, as mix shows it. */
export function formatUserCode(code: string): string {
  if (code.includes("-")) return code;
  const mid = Math.ceil(code.length / 2);
  return `${code.slice(0, mid)}-${code.slice(mid)}`;
}

// ---- OAuth device flow ----

export interface OAuthLoginOptions {
  /** `--no-browser` turns this off. */
  browser: boolean;
  /** Shown on the server's sessions page (mix sends the hostname). */
  label?: string;
}

function explainDeviceStart(e: unknown, apiUrl: string, clientId: string): unknown {
  if (isOAuthError(e, "invalid_client")) {
    return fromApi(
      e,
      "OAUTH_FAILED",
      `the server at ${apiUrl} does not accept the OAuth client id "${clientId}" ` +
        "(setting oauth_client_id, HEX_OAUTH_CLIENT_ID); " +
        "log in with an API key made on your account's dashboard instead: `hexts user auth --key`",
    );
  }
  if (isApiError(e, "NOT_FOUND")) {
    return fromApi(
      e,
      "OAUTH_FAILED",
      `the server at ${apiUrl} does not offer the OAuth device login; use an API key from its dashboard ` +
        "(`hexts user auth --key`), or `hexts user auth --password` if it still accepts passwords",
    );
  }
  return e;
}

/** Opens `page` in a browser when this run may (a terminal, not CI, not --no-browser); says so when it could not. */
async function offerPage(ctx: Context, session: Session, page: string, browser: boolean): Promise<void> {
  const mayOpen =
    browser &&
    ctx.out.stderr.isTTY === true &&
    !session.settings.values.ci &&
    browserOpener(page, ctx.env) !== undefined;
  if (mayOpen && !(await openBrowser(page, ctx.env)))
    ctx.out.writeErr("(could not open a browser; open the page yourself)\n");
}

/**
 * Where the server's users make API keys: hexpm-based servers (API at ORIGIN/api, hex.pm included) have
 * ORIGIN/dashboard/keys; for any other layout there is no page to name.
 */
export function dashboardKeysPage(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  return url.pathname.replace(/\/+$/, "") === "/api" ? `${url.origin}/dashboard/keys` : undefined;
}

/**
 * The device flow was refused because the server does not know the client id (hex.pm accepts only registered
 * OAuth clients): on a terminal, the login goes on with a key the user makes on the dashboard, read hidden.
 */
async function loginWithDashboardKey(ctx: Context, session: Session, o: OAuthLoginOptions): Promise<Login> {
  const apiUrl = (await session.anonymous()).apiUrl;
  ctx.out.writeErr(
    `The server at ${apiUrl} does not accept the OAuth client id "${session.settings.values.oauth_client_id}" ` +
      "(setting oauth_client_id, HEX_OAUTH_CLIENT_ID); log in with an API key instead.\n",
  );
  const page = dashboardKeysPage(apiUrl);
  if (page) {
    ctx.out.writeErr(`Generate a key with api permission at:\n\n  ${page}\n\nthen paste it below.\n`);
    await offerPage(ctx, session, page, o.browser);
  } else ctx.out.writeErr("Generate a key with api permission on the server's dashboard, then paste it below.\n");
  return loginWithKey(ctx, session, { key: true });
}

/**
 * Prints the URL and code, opens the browser when it may, waits for the approval, learns the username.
 * A server that refuses the client id (`invalid_client`) turns into the API-key login on a terminal.
 */
export async function loginWithOAuth(ctx: Context, session: Session, o: OAuthLoginOptions): Promise<Login> {
  const client = await session.anonymous();
  const clientId = session.settings.values.oauth_client_id;
  let device;
  try {
    device = await startDeviceAuthorization(client, {
      clientId,
      scope: OAUTH_SCOPE,
      name: o.label ?? defaultKeyName(),
      signal: ctx.signal,
    });
  } catch (e) {
    if (isOAuthError(e, "invalid_client") && ctx.prompt.interactive) return loginWithDashboardKey(ctx, session, o);
    throw explainDeviceStart(e, client.apiUrl, clientId);
  }
  const page = device.verification_uri_complete ?? device.verification_uri;
  const minutes = Math.max(1, Math.round(device.expires_in / 60));
  // Always on stderr, even with --json: the user has to act on it.
  ctx.out.writeErr(
    `To log in to ${client.apiUrl}, open this page in a browser:\n\n  ${page}\n\nand check that it shows this ` +
      `code:\n\n  ${formatUserCode(device.user_code)}\n\n`,
  );
  await offerPage(ctx, session, page, o.browser);
  ctx.out.writeErr(`Waiting for you to approve the login (the code expires in ${minutes} min; Ctrl-C cancels)...\n`);

  const token = await waitForDeviceToken(client, {
    clientId,
    device,
    signal: ctx.signal,
    onPoll: (p) => {
      if (p.status === "slow_down")
        ctx.out.debug(`the server asked to poll less often: every ${p.intervalMs / 1000} s now`);
      if (p.status === "retrying") ctx.out.debug("polling failed for a moment; trying again");
    },
  });
  ctx.out.secrets.add(token.access_token);
  ctx.out.secrets.add(token.refresh_token);

  const scopes = (token.scope ?? "").split(" ").filter(Boolean);
  if (token.scope && !scopes.some((s) => s === "api" || s === "api:write")) {
    ctx.out.warn(
      "this login grants no API write access (hex.pm grants it only to accounts with two-factor authentication): " +
        "publishing and key changes will fail; enable two-factor authentication and log in again, " +
        "or use an API key (`hexts user auth --key`)",
    );
  }
  const username = await usernameOf(
    client.with({ credential: { type: "oauth", accessToken: token.access_token } }),
    ctx.signal,
  );
  return {
    method: "oauth",
    credential: {
      type: "oauth",
      accessToken: token.access_token,
      refreshToken: token.refresh_token ?? undefined,
      expiresAt: token.expires_at,
      username: username ?? undefined,
    },
    username,
    scope: token.scope ?? null,
  };
}

/** The account behind a credential, or null when it cannot read the API (read-less scopes, unconfirmed email). */
async function usernameOf(client: HexClient, signal: AbortSignal): Promise<string | null> {
  try {
    return (await getMe(client, { signal })).username;
  } catch (e) {
    if (isApiError(e, "FORBIDDEN", "NOT_FOUND")) return null;
    throw e;
  }
}

// ---- an API key from the dashboard ----

export interface KeyLoginOptions {
  /** `--key KEY`, `--key -` (stdin) or `--key` alone (true: prompt on a TTY, else stdin). */
  key: string | true;
}

export async function readKeyOption(ctx: Context, key: string | true): Promise<string> {
  if (typeof key === "string" && key !== "-") {
    const trimmed = key.trim();
    if (trimmed === "") throw new HextsError("USAGE", "--key was given an empty key");
    ctx.out.secrets.add(trimmed);
    ctx.out.warn(
      "a key given on the command line is visible to other users of this machine (process list) " +
        "and stays in your shell history; " +
        "give --key alone to paste it at a hidden prompt, or pipe it on stdin with --key -",
    );
    return trimmed;
  }
  if (key === "-" || !ctx.stdin.isTTY) return readStdinSecret(ctx, { what: "API key", flag: "--key", trim: true });
  const typed = (
    await ctx.prompt.secret("API key (from your account's dashboard):", {
      supply: "--key KEY, or pipe the key on stdin",
    })
  ).trim();
  if (typed === "")
    throw new HextsError("INPUT_REQUIRED", "an API key is required: paste it at the prompt, or give --key KEY");
  ctx.out.secrets.add(typed);
  return typed;
}

/** Checks the key against the server (`/auth?domain=api`) before anything is stored. */
export async function loginWithKey(ctx: Context, session: Session, o: KeyLoginOptions): Promise<Login> {
  const key = await readKeyOption(ctx, o.key);
  const client = (await session.anonymous()).with({ credential: { type: "key", key } });
  let check;
  try {
    check = await testAuth(client, { domain: "api" }, { signal: ctx.signal });
  } catch (e) {
    if (isApiError(e, "NOT_AUTHENTICATED")) {
      throw fromApi(
        e,
        "NOT_AUTHENTICATED",
        `the server rejected this API key${e.serverMessage ? ` (${e.serverMessage})` : ""}: ` +
          "check that you copied the whole key from your dashboard",
      );
    }
    if (isApiError(e, "FORBIDDEN") && e.status === 401) {
      throw fromApi(
        e,
        "FORBIDDEN",
        "this key has no API permission (a repository key? give those to `hexts organization auth ORG --key KEY`); " +
          "make a key with api or api:write permission",
      );
    }
    throw e;
  }
  if (check.kind === "key" && check.owner.type === "organization") {
    throw new HextsError(
      "USAGE",
      `this key belongs to the organization ${check.owner.name}, not to a user: ` +
        `store it with \`hexts organization auth ${check.owner.name} --key KEY\``,
    );
  }
  const username = check.kind === "key" ? check.owner.name : await usernameOf(client, ctx.signal);
  const keyName = check.kind === "key" ? check.name : undefined;
  return { method: "key", credential: { type: "key", key, username: username ?? undefined, keyName }, username };
}

// ---- username and password (legacy) ----

export interface PasswordLoginOptions {
  username?: string;
  passwordStdin: boolean;
  keyName?: string;
}

function explainPasswordFailure(e: unknown, apiUrl: string): unknown {
  if (isApiError(e, "BASIC_AUTH_DISABLED")) {
    return fromApi(
      e,
      "BASIC_AUTH_DISABLED",
      `the server at ${apiUrl} no longer accepts a username and password (hex.pm stopped on 2026-11-01); ` +
        "log in with the OAuth device flow, `hexts user auth`, or with an API key made on your dashboard, " +
        "`hexts user auth --key`",
    );
  }
  return e;
}

/**
 * The legacy login: a full-API key made with Basic authentication (name HOST = --key-name or the hostname), kept as
 * the login and marked as made by hexts, so `user deauth` revokes it. rebar3_hex also makes an `api:read` and a
 * `repositories` key and stores all three; hexts opens its one stored key when it needs it and fetches no
 * dependencies, so it makes only the key it keeps: no key is left live and unused. Never repeated automatically.
 */
export async function loginWithPassword(ctx: Context, session: Session, o: PasswordLoginOptions): Promise<Login> {
  const login =
    o.username?.trim() || (await ctx.prompt.input("Username or email:", { supply: "--username NAME" })).trim();
  if (login === "") throw new HextsError("INPUT_REQUIRED", "a username or email is required (--username NAME)");
  const password = o.passwordStdin
    ? await readStdinSecret(ctx, { what: "account password", flag: "--password-stdin" })
    : await ctx.prompt.secret("Account password:", { supply: "--password-stdin" });
  if (password === "") throw new HextsError("INPUT_REQUIRED", "the account password is required (--password-stdin)");
  ctx.out.secrets.add(password);
  ctx.out.secrets.addBasic(login, password);

  const base = await session.anonymous();
  const name = o.keyName ?? defaultKeyName();
  const basic = { type: "basic" as const, username: login, password };
  const main = await createKey(
    base,
    { name, permissions: [{ domain: "api" }] },
    { credential: basic, signal: ctx.signal },
  ).catch((e: unknown) => {
    throw explainPasswordFailure(e, base.apiUrl);
  });
  ctx.out.secrets.add(main.secret);
  const withKey = base.with({ credential: { type: "key", key: main.secret } });
  const created: CreatedKeyInfo[] = [
    { name: main.name, permissions: main.permissions.map(permissionLabel), stored: true },
  ];
  const credential: KeyCredential = { type: "key", key: main.secret, keyName: main.name, generated: true };
  let username: string | null;
  try {
    username = (await usernameOf(withKey, ctx.signal)) ?? (login.includes("@") ? null : login.toLowerCase());
  } catch (e) {
    await revokeCreatedKey(ctx, session, credential);
    throw e;
  }
  return {
    method: "password",
    credential: { ...credential, username: username ?? undefined },
    username,
    keysCreated: created,
  };
}

/**
 * Revokes a key hexts created that will not be kept (the login failed or was cancelled after it was made, or a new
 * login replaces it). Bounded to 10 s; a failure (or a run already cancelled with Ctrl-C) is a warning naming the key.
 */
export async function revokeCreatedKey(ctx: Context, session: Session, c: KeyCredential): Promise<boolean> {
  const signal = AbortSignal.timeout(10_000);
  try {
    const client = (await session.anonymous()).with({ credential: { type: "key", key: c.key } });
    let name = c.keyName;
    if (!name) {
      const check = await testAuth(client, { domain: "api" }, { signal });
      if (check.kind !== "key") return false;
      name = check.name;
    }
    await deleteKey(client, name, { signal });
    return true;
  } catch (e) {
    ctx.out.warn(
      `the key ${c.keyName ?? ""} hexts created could not be revoked ` +
        `(${e instanceof Error ? e.message : String(e)}); revoke it on your dashboard or with ` +
        `\`hexts user key revoke ${c.keyName ?? "NAME"}\``,
    );
    return false;
  }
}
