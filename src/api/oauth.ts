// OAuth 2.0 against the Hex API (HEX_PROTOCOL.md §3.3): device login, refresh, client credentials, revocation.
// These endpoints never receive an Authorization header (the transport enforces it).
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { HextsError, type ErrorKind } from "../errors.js";
import { ApiError, serverMessageOf, type ApiErrorFacts } from "./errors.js";
import { parseBody, type ApiResponse, type HexClient } from "./http.js";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export const DeviceAuthorizationSchema = z.looseObject({
  device_code: z.string(),
  /** 8 characters; shown as XXXX-XXXX. */
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string().nullish(),
  /** Seconds until the codes expire. */
  expires_in: z.number(),
  /** Seconds between polls (RFC 8628 default 5). */
  interval: z.number().nullish(),
});
export type DeviceAuthorization = z.output<typeof DeviceAuthorizationSchema>;

export const OAuthTokenSchema = z.looseObject({
  access_token: z.string(),
  /** Absent for client-credentials tokens. */
  refresh_token: z.string().nullish(),
  token_type: z.string(),
  /** Seconds. */
  expires_in: z.number(),
  /** Space-separated granted scopes. */
  scope: z.string().nullish(),
});
/** A token plus `expires_at` (unix seconds) computed when it arrived, the form mix stores. */
export type OAuthToken = z.output<typeof OAuthTokenSchema> & { expires_at: number };

/** An OAuth error answer (`{"error": "invalid_grant", "error_description": "..."}`). */
export class OAuthError extends ApiError {
  readonly oauthError: string;

  constructor(oauthError: string, message: string, facts: ApiErrorFacts, kind?: ErrorKind) {
    super("OAUTH_FAILED", message, facts, { kind });
    this.name = "OAuthError";
    this.oauthError = oauthError;
  }
}

export function isOAuthError(e: unknown, ...codes: string[]): e is OAuthError {
  return e instanceof OAuthError && (codes.length === 0 || codes.includes(e.oauthError));
}

const OAUTH_ERROR_STATUSES = [400, 401, 403];

function scopeString(scope: string | string[]): string {
  const s = (Array.isArray(scope) ? scope.join(" ") : scope).trim().replace(/\s+/g, " ");
  // The server has no default scope, and a device code requested without one can never be approved.
  if (!s) throw new HextsError("USAGE", "An OAuth scope is required (e.g. `api repositories`).");
  return s;
}

function oauthErrorCode(res: ApiResponse): string | undefined {
  const e = res.body && typeof res.body === "object" ? (res.body as Record<string, unknown>).error : undefined;
  return typeof e === "string" ? e : undefined;
}

/** `fix`: what to do, in words a library user can follow; `kind`: logging in again, which the CLI says how to do. */
function oauthFailure(res: ApiResponse, what: string, o: { fix?: string; kind?: ErrorKind } = {}): OAuthError {
  const code = oauthErrorCode(res) ?? `http_${res.status}`;
  const description = serverMessageOf(res.body);
  const said = description && description !== code ? `${code}: ${description}` : code;
  const facts = { method: "POST", url: res.url, status: res.status, serverMessage: description };
  return new OAuthError(code, `${what} (${said})${o.fix ? `; ${o.fix}` : ""}.`, facts, o.kind);
}

function withExpiry(t: z.output<typeof OAuthTokenSchema>, now: number): OAuthToken {
  return { ...t, expires_at: Math.floor(now / 1000) + t.expires_in };
}

async function tokenRequest(
  client: HexClient,
  params: Record<string, string>,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  return client.request({
    method: "POST",
    path: "oauth/token",
    json: params,
    okStatuses: OAUTH_ERROR_STATUSES,
    credential: null,
    signal,
  });
}

export interface DeviceAuthorizationRequest {
  clientId: string;
  /** e.g. `api repositories` (what mix asks for). */
  scope: string | string[];
  /** A label for the session on the user's dashboard (mix sends the hostname). */
  name?: string;
  signal?: AbortSignal;
}

/** Step 1 of the device login: get the code the user types at `verification_uri`. */
export async function startDeviceAuthorization(
  client: HexClient,
  r: DeviceAuthorizationRequest,
): Promise<DeviceAuthorization> {
  const json: Record<string, string> = { client_id: r.clientId, scope: scopeString(r.scope) };
  if (r.name) json.name = r.name;
  const res = await client.request({
    method: "POST",
    path: "oauth/device_authorization",
    json,
    okStatuses: OAUTH_ERROR_STATUSES,
    credential: null,
    signal: r.signal,
  });
  if (res.status !== 200) throw oauthFailure(res, "The server refused to start the login");
  return parseBody(DeviceAuthorizationSchema, res, "POST");
}

export type DevicePoll = { status: "token"; token: OAuthToken } | { status: "pending" } | { status: "slow_down" };

/** One poll of the token endpoint. Pending and slow_down are answers; denial, expiry and the rest throw OAuthError. */
export async function pollDeviceToken(
  client: HexClient,
  p: { clientId: string; deviceCode: string; signal?: AbortSignal; now?: () => number },
): Promise<DevicePoll> {
  const res = await tokenRequest(
    client,
    { grant_type: DEVICE_CODE_GRANT, device_code: p.deviceCode, client_id: p.clientId },
    p.signal,
  );
  if (res.status === 200)
    return { status: "token", token: withExpiry(parseBody(OAuthTokenSchema, res, "POST"), (p.now ?? Date.now)()) };
  const code = oauthErrorCode(res);
  if (code === "authorization_pending") return { status: "pending" };
  if (code === "slow_down") return { status: "slow_down" };
  if (code === "expired_token")
    throw oauthFailure(res, "The login code expired before it was approved", { kind: "device-login-failed" });
  if (code === "access_denied")
    throw oauthFailure(res, "The login was denied in the browser", { kind: "device-login-failed" });
  throw oauthFailure(res, "The login failed", { kind: "device-login-failed" });
}

export interface WaitForDeviceTokenOptions {
  clientId: string;
  device: DeviceAuthorization;
  /** Waits between polls; tests pass one that returns at once. Default: a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
  /** Called after each poll that is not final (for a spinner). */
  onPoll?: (p: { status: "pending" | "slow_down" | "retrying"; intervalMs: number }) => void;
}

/**
 * Transient failures tolerated in a row while polling: a lost answer is harmless (the next poll re-issues the token).
 */
const MAX_POLL_FAILURES = 3;
const TRANSIENT = new Set(["NETWORK", "TIMEOUT", "SERVER_ERROR", "RATE_LIMITED"]);

/** Polls every `interval` seconds (+5 s per slow_down) until the user approves, denies, or the code expires. */
export async function waitForDeviceToken(client: HexClient, o: WaitForDeviceTokenOptions): Promise<OAuthToken> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const deadline = now() + o.device.expires_in * 1000;
  let intervalMs = Math.max(0, o.device.interval ?? 5) * 1000;
  let failures = 0;
  for (;;) {
    try {
      await sleep(intervalMs, o.signal);
    } catch (e) {
      throw new HextsError("CANCELLED", "Cancelled.", { cause: e });
    }
    if (o.signal?.aborted) throw new HextsError("CANCELLED", "Cancelled.");
    if (now() >= deadline) {
      throw new OAuthError(
        "expired_token",
        "The login code expired before it was approved.",
        { method: "POST", url: `${client.apiUrl}/oauth/token` },
        "device-login-failed",
      );
    }
    let poll: DevicePoll;
    try {
      poll = await pollDeviceToken(client, {
        clientId: o.clientId,
        deviceCode: o.device.device_code,
        signal: o.signal,
        now,
      });
      failures = 0;
    } catch (e) {
      if (e instanceof ApiError && TRANSIENT.has(e.code) && ++failures < MAX_POLL_FAILURES) {
        o.onPoll?.({ status: "retrying", intervalMs });
        continue;
      }
      throw e;
    }
    if (poll.status === "token") return poll.token;
    if (poll.status === "slow_down") intervalMs += 5_000;
    o.onPoll?.({ status: poll.status, intervalMs });
  }
}

/**
 * Exchanges a refresh token for a new pair; the old pair is revoked, so store the new one atomically.
 * Never retried: a lost answer would leave the stored refresh token revoked.
 */
export async function refreshToken(
  client: HexClient,
  r: { clientId: string; refreshToken: string; signal?: AbortSignal; now?: () => number },
): Promise<OAuthToken> {
  const res = await tokenRequest(
    client,
    { grant_type: "refresh_token", refresh_token: r.refreshToken, client_id: r.clientId },
    r.signal,
  );
  if (res.status !== 200) throw oauthFailure(res, "Your login session could not be renewed", { kind: "login-again" });
  return withExpiry(parseBody(OAuthTokenSchema, res, "POST"), (r.now ?? Date.now)());
}

/**
 * Turns an API key into a 30-minute bearer token. Each call opens a server session (at most 5 per user),
 * so cache the result instead of exchanging per request.
 */
export async function exchangeApiKey(
  client: HexClient,
  r: {
    clientId: string;
    apiKey: string;
    scope: string | string[];
    name?: string;
    signal?: AbortSignal;
    now?: () => number;
  },
): Promise<OAuthToken> {
  const params: Record<string, string> = {
    grant_type: "client_credentials",
    client_id: r.clientId,
    client_secret: r.apiKey,
    scope: scopeString(r.scope),
  };
  if (r.name) params.name = r.name;
  const res = await tokenRequest(client, params, r.signal);
  if (res.status !== 200)
    throw oauthFailure(res, "The API key could not be exchanged for a token", {
      fix: "check the key and the scopes it grants",
    });
  return withExpiry(parseBody(OAuthTokenSchema, res, "POST"), (r.now ?? Date.now)());
}

/** Revokes an access or refresh token (the server always answers 200). */
export async function revokeToken(
  client: HexClient,
  r: { clientId: string; token: string; signal?: AbortSignal },
): Promise<void> {
  await client.request({
    method: "POST",
    path: "oauth/revoke",
    json: { token: r.token, client_id: r.clientId },
    credential: null,
    signal: r.signal,
  });
}

/** Revokes a whole session given the SHA-256 (hex) of its refresh token. */
export async function revokeTokenByHash(
  client: HexClient,
  r: { tokenHash: string; signal?: AbortSignal },
): Promise<void> {
  await client.request({
    method: "POST",
    path: "oauth/revoke_by_hash",
    json: { token_hash: r.tokenHash },
    credential: null,
    signal: r.signal,
  });
}
