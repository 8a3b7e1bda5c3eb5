// Every failure of an API call becomes an ApiError (a HextsError) here, in one place.
import { HextsError, type ErrorCode, type ErrorKind } from "../errors.js";
import { header, parseWwwAuthenticate, serverWaitMs, stripControl, type HeaderMap } from "./headers.js";
import { transportCode, transportKind } from "../http/faults.js";
import type { CredentialType } from "../credential.js";

// Transport facts live with the transport (http/faults.ts); re-exported here for the API layer's users.
export { redactUrl, transportCode, transportKind, type TransportKind } from "../http/faults.js";

/** Which kind of credential a request carried (Credential["type"]). */
export type CredentialKind = CredentialType;

export interface ApiErrorFacts {
  method: string;
  /** Already redacted (no userinfo). */
  url: string;
  status?: number;
  /** The server's own `message` (or OAuth `error_description`). */
  serverMessage?: string;
  /** The 422 `errors` value as sent (map or string). */
  errors?: unknown;
  /** After a write whose outcome is unknown: what to look at to find out. */
  check?: WriteCheck;
}

export class ApiError extends HextsError {
  readonly method: string;
  readonly url: string;
  readonly serverMessage?: string;
  readonly errors?: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    facts: ApiErrorFacts,
    options: { lines?: string[]; cause?: unknown; kind?: ErrorKind } = {},
  ) {
    super(code, message, {
      kind: options.kind,
      status: facts.status,
      lines: options.lines,
      cause: options.cause,
      details: compact({
        method: facts.method,
        url: facts.url,
        serverMessage: facts.serverMessage,
        errors: facts.errors,
        check: facts.check,
      }),
    });
    this.name = "ApiError";
    this.method = facts.method;
    this.url = facts.url;
    this.serverMessage = facts.serverMessage;
    this.errors = facts.errors;
  }
}

export function isApiError(e: unknown, ...codes: ErrorCode[]): e is ApiError {
  return e instanceof ApiError && (codes.length === 0 || codes.includes(e.code));
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Flattens a 422 `errors` value into readable lines:
 * `{"requirements": {"plug": "package does not exist"}}` -> `requirements.plug: package does not exist`.
 */
export function flattenFieldErrors(errors: unknown, prefix = ""): string[] {
  const at = (text: string) => stripControl(prefix ? `${prefix}: ${text}` : text);
  if (errors === null || errors === undefined) return [];
  if (typeof errors === "string") return [at(errors)];
  if (typeof errors === "number" || typeof errors === "boolean") return [at(String(errors))];
  if (Array.isArray(errors)) return errors.flatMap((e) => flattenFieldErrors(e, prefix));
  if (typeof errors === "object") {
    return Object.entries(errors as Record<string, unknown>).flatMap(([k, v]) =>
      flattenFieldErrors(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [];
}

/** The server's human message from a JSON error body (`message`, or OAuth's `error_description`/`error`). */
export function serverMessageOf(body: unknown): string | undefined {
  if (typeof body === "string") {
    const text = stripControl(body).trim();
    return text ? text.slice(0, 300) : undefined;
  }
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    for (const k of ["message", "error_description", "error"]) {
      if (typeof b[k] === "string" && b[k]) return stripControl(b[k] as string).trim();
    }
  }
  return undefined;
}

export interface ResponseFacts {
  method: string;
  /** Redacted URL. */
  url: string;
  status: number;
  headers: HeaderMap;
  body: unknown;
  /** Which credential the request carried, if any. */
  credential?: CredentialKind;
  now?: number;
  /** What a 404 means for this call, e.g. `package foo does not exist in hexpm`. */
  notFound?: string;
}

/** Maps a non-2xx response to the error the user sees. Pure: the table the unit tests drive. */
export function errorFromResponse(r: ResponseFacts): ApiError {
  const serverMessage = serverMessageOf(r.body);
  const errors = r.body && typeof r.body === "object" ? (r.body as Record<string, unknown>).errors : undefined;
  const facts: ApiErrorFacts = { method: r.method, url: r.url, status: r.status, serverMessage, errors };
  const where = `${r.method} ${r.url}`;
  const said = serverMessage ? `: ${serverMessage}` : "";
  const make = (code: ErrorCode, message: string, lines?: string[], kind?: ErrorKind) =>
    new ApiError(code, message, facts, { lines, kind });
  // Facts only: what to do about them (log in, pass a code) is the CLI's advice for the reason (cli/advice.ts).
  const refused = (code: ErrorCode, message: string, kind: ErrorKind) => make(code, message, undefined, kind);
  const msg = (serverMessage ?? "").toLowerCase();

  switch (r.status) {
    case 401: {
      const challenge = parseWwwAuthenticate(header(r.headers, "www-authenticate"));
      const error = challenge?.params.error;
      if (error === "totp_required") {
        return refused("OTP_REQUIRED", "This action needs a two-factor authentication code.", "otp-required");
      }
      if (error === "invalid_totp") {
        return refused("OTP_INVALID", "The two-factor authentication code was not accepted.", "otp-invalid");
      }
      if (
        r.credential === "basic" &&
        ((challenge?.scheme === "bearer" && !error) || msg.includes("basic authentication is disabled"))
      ) {
        return refused(
          "BASIC_AUTH_DISABLED",
          `This server no longer accepts a username and password${said}.`,
          "password-login-disabled",
        );
      }
      if (msg.includes("not authorized for this action")) {
        return refused(
          "FORBIDDEN",
          `Your key or login lacks the permission for ${where}${said}.`,
          "permission-missing",
        );
      }
      if (!r.credential) {
        return refused("NOT_AUTHENTICATED", `You need to be logged in for ${where}.`, "login-required");
      }
      if (r.credential === "basic") {
        return refused(
          "NOT_AUTHENTICATED",
          `The server rejected the username and password${said}.`,
          "password-rejected",
        );
      }
      if (r.credential === "oauth") {
        return refused("NOT_AUTHENTICATED", `Your login has expired or was revoked${said}.`, "login-expired");
      }
      return refused("NOT_AUTHENTICATED", `The server rejected your API key${said}.`, "key-rejected");
    }
    case 403: {
      if (msg.includes("two-factor authentication must be enabled")) {
        return make(
          "TWO_FACTOR_DISABLED",
          `${serverMessage}. Enable two-factor authentication in your account's security settings on the Hex ` +
            "website, or use an API key (HEX_API_KEY) instead of an OAuth login.",
        );
      }
      if (msg.includes("email not verified")) {
        return make(
          "FORBIDDEN",
          "Your email address is not verified yet: confirm it with the link the server emailed you, then try again.",
        );
      }
      if (msg.includes("not authorized for this action")) {
        return refused("FORBIDDEN", `Not allowed: ${where}${said}.`, "account-not-authorized");
      }
      return make("FORBIDDEN", `Not allowed: ${where}${said}.`);
    }
    case 404:
      return make("NOT_FOUND", r.notFound ? `${capitalize(r.notFound)} (${where}).` : `Not found: ${where}${said}.`);
    case 409:
      return make("CONFLICT", `Conflict: ${where}${said}.`);
    case 422: {
      const lines = flattenFieldErrors(errors);
      return make("VALIDATION_FAILED", `The server rejected ${where}${said || ": validation failed"}.`, lines);
    }
    case 429: {
      const wait = serverWaitMs(r.headers, r.now ?? Date.now());
      const when = wait === undefined ? "later" : `in ${Math.max(1, Math.ceil(wait / 1000))} s`;
      return make(
        "RATE_LIMITED",
        `The Hex API refused ${where} because of too many requests${said}. Try again ${when}.`,
      );
    }
  }
  if (r.status >= 500) {
    return make(
      "SERVER_ERROR",
      `The Hex server failed on ${where} (HTTP ${r.status}${said ? ` ${serverMessage}` : ""}). Try again later.`,
    );
  }
  if (r.status === 413) {
    return make("SERVER_REFUSED", `The server refused ${where}: the request body is too large${said}.`);
  }
  if (r.status >= 400) {
    return make("SERVER_REFUSED", `The server refused ${where} (HTTP ${r.status}${said ? ` ${serverMessage}` : ""}).`);
  }
  return make("PROTOCOL", `Unexpected HTTP ${r.status} answer to ${where}${said}.`);
}

/**
 * What to look at to find out whether an interrupted write happened, and why (`to see whether the key "ci" was
 * created`). The message says it in words (writeCheckLead); the CLI names the hexts command for it (cli/advice.ts).
 */
export type WriteCheck = { purpose: string } & (
  | { look: "keys"; organization?: string }
  | { look: "owners"; package: string }
  | { look: "account"; username: string }
  | { look: "release"; package: string }
);

/** The words a write check starts with in the library's message (the CLI puts its command in their place). */
export function writeCheckLead(c: WriteCheck): string {
  switch (c.look) {
    case "keys":
      return c.organization ? `list the keys of ${c.organization}` : "list your keys";
    case "owners":
      return `list the owners of ${c.package}`;
    case "account":
      return `look up the user "${c.username}"`;
    case "release":
      return "look at the package page";
  }
}

export interface TransportFacts {
  method: string;
  url: string;
  cause: unknown;
  /** True when the request may have changed something on the server (not idempotent). */
  write: boolean;
  /** How the user can find out whether a write went through (or `check`, which the CLI can turn into a command). */
  checkHint?: string;
  check?: WriteCheck;
  timeoutMs?: number;
}

/** Maps a connection-level failure (no HTTP answer) to NETWORK, TIMEOUT or TLS. */
export function errorFromTransport(t: TransportFacts): ApiError {
  const code = transportCode(t.cause);
  const kind = transportKind(code);
  const where = `${t.method} ${t.url}`;
  const facts: ApiErrorFacts = { method: t.method, url: t.url };
  const detail = code ? ` (${code})` : "";
  const hint = t.checkHint ?? (t.check ? `${writeCheckLead(t.check)} ${t.check.purpose}` : undefined);
  const unknown = t.write
    ? ` The server may or may not have carried it out; ${hint ?? "check its current state before trying again"}.`
    : "";
  // Where the outcome is unknown, the check travels with the error as a fact the CLI can name a command for.
  const unknownFacts: ApiErrorFacts = t.write && t.check ? { ...facts, check: t.check } : facts;
  const unknownKind = t.write && t.check ? ("write-outcome-unknown" as const) : undefined;
  if (kind === "tls") {
    return new ApiError(
      "TLS",
      `Secure connection failed for ${where}${detail}. If you are behind a proxy that re-signs HTTPS, ` +
        "point HEX_CACERTS_PATH at its CA bundle (HEX_UNSAFE_HTTPS=1 skips verification, insecurely).",
      facts,
      { cause: t.cause },
    );
  }
  if (kind === "timeout") {
    const secs = t.timeoutMs === undefined ? "" : ` after ${Math.round(t.timeoutMs / 1000)} s`;
    const fix = code === "UND_ERR_CONNECT_TIMEOUT" ? "" : " Raise HEX_HTTP_TIMEOUT (seconds) if the server is slow.";
    const what =
      code === "UND_ERR_CONNECT_TIMEOUT" ? "Timed out connecting to the server" : "Timed out waiting for the server";
    const connect = code === "UND_ERR_CONNECT_TIMEOUT";
    return new ApiError(
      "TIMEOUT",
      `${what}${secs} for ${where}${detail}.${connect ? " Nothing was sent." : unknown}${fix}`,
      connect ? facts : unknownFacts,
      { cause: t.cause, kind: connect ? undefined : unknownKind },
    );
  }
  if (kind === "not-sent") {
    return new ApiError(
      "NETWORK",
      `Could not connect to the server for ${where}${detail}; nothing was sent. Check the API URL (HEX_API_URL), ` +
        "your network and proxy settings.",
      facts,
      {
        cause: t.cause,
      },
    );
  }
  return new ApiError("NETWORK", `The connection failed during ${where}${detail}.${unknown}`, unknownFacts, {
    cause: t.cause,
    kind: unknownKind,
  });
}
