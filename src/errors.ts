// Typed errors shared by every layer. Created where the fact is known, rendered once in cli/exit.ts.

/** Exit codes: a public contract, documented in README.md. */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  AUTH: 3,
  NETWORK: 4,
  /** The package was published but its docs were not. */
  DOCS_FAILED: 5,
  INTERNAL: 70,
  CANCELLED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable, public error codes (they appear in `--json` output). */
const codeToExit = {
  // 1: the operation failed or was rejected
  FAILED: ExitCode.FAILED,
  NOT_IMPLEMENTED: ExitCode.FAILED,
  VALIDATION_FAILED: ExitCode.FAILED,
  NOT_FOUND: ExitCode.FAILED,
  CONFLICT: ExitCode.FAILED,
  PACKAGE_INVALID: ExitCode.FAILED,
  PROJECT_INVALID: ExitCode.FAILED,
  TERM_SYNTAX: ExitCode.FAILED,
  TARBALL_INVALID: ExitCode.FAILED,
  /** A registry resource that is damaged, unsigned, mis-signed or for another repository (a security finding). */
  REGISTRY_INVALID: ExitCode.FAILED,
  CONFIG_INVALID: ExitCode.FAILED,
  CONFIG_LOCKED: ExitCode.FAILED,
  IO: ExitCode.FAILED,
  GIT: ExitCode.FAILED,
  SERVER_REFUSED: ExitCode.FAILED,
  // 2: bad invocation
  USAGE: ExitCode.USAGE,
  INPUT_REQUIRED: ExitCode.USAGE,
  // 3: authentication or 2FA needed or refused
  NOT_AUTHENTICATED: ExitCode.AUTH,
  FORBIDDEN: ExitCode.AUTH,
  OTP_REQUIRED: ExitCode.AUTH,
  OTP_INVALID: ExitCode.AUTH,
  TWO_FACTOR_DISABLED: ExitCode.AUTH,
  BASIC_AUTH_DISABLED: ExitCode.AUTH,
  LOCAL_PASSWORD_INVALID: ExitCode.AUTH,
  OAUTH_FAILED: ExitCode.AUTH,
  // 4: could not talk to the server
  NETWORK: ExitCode.NETWORK,
  TIMEOUT: ExitCode.NETWORK,
  TLS: ExitCode.NETWORK,
  RATE_LIMITED: ExitCode.NETWORK,
  PROTOCOL: ExitCode.NETWORK,
  SERVER_ERROR: ExitCode.NETWORK,
  // 5: package published, docs not
  DOCS_FAILED: ExitCode.DOCS_FAILED,
  // 70: a bug in hexts
  INTERNAL: ExitCode.INTERNAL,
  // 130: cancelled by the user
  CANCELLED: ExitCode.CANCELLED,
} as const satisfies Record<string, ExitCodeValue>;

export type ErrorCode = keyof typeof codeToExit;

export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  return codeToExit[code];
}

/**
 * Why an operation failed, as a value rather than words: the library's message states the fact, and the CLI maps the
 * kind to advice naming hexts commands (cli/advice.ts), as npm's CLI does for npm-registry-fetch's errors.
 */
export type ErrorKind =
  /** No credential was sent and the server needs one. */
  | "login-required"
  /** The OAuth access token was refused (expired or revoked). */
  | "login-expired"
  /** The API key was refused. */
  | "key-rejected"
  /** The username and password were refused. */
  | "password-rejected"
  /** The credential is valid but lacks the permission for this call. */
  | "permission-missing"
  /** The account may not do this (hex.pm's 403 "not authorized for this action"): not an owner, not a member. */
  | "account-not-authorized"
  /** The server turned password (Basic) authentication off. */
  | "password-login-disabled"
  /** The write needs a two-factor code, or the code sent was refused. */
  | "otp-required"
  | "otp-invalid"
  /** The OAuth device login failed (expired, denied, refused); `oauthError` on the error says which. */
  | "device-login-failed"
  /** The stored OAuth login could not be renewed. */
  | "login-again"
  /** A key was created but the reply had no readable secret; `details.key` (and `organization`) name it. */
  | "key-secret-unreadable"
  /** A write failed mid-request, so whether it happened is unknown; `details.check` says what to look at. */
  | "write-outcome-unknown"
  /** A repository refused to serve an organization's resource to this run's credentials. */
  | "repository-login-required"
  /** `hexts config KEY VALUE` for a setting the config file does not hold; `details.key` names it. */
  | "setting-not-stored"
  /** The docs to package were not found (no docs directory, or one without index.html). */
  | "docs-missing"
  /** A registry payload names another repository than the one asked for; `details.found` is its name. */
  | "registry-other-repository";

/** What a library warning is about (the second argument of `out.warn`), so the CLI can add its advice. */
export type WarningKind =
  /** Keys of a repository declared in the project's rebar.config, ignored because project settings are not trusted. */
  "project-repository-keys-ignored";

export interface HextsErrorOptions {
  /** The typed cause the CLI turns into advice. */
  kind?: ErrorKind;
  details?: unknown;
  cause?: unknown;
  /** HTTP status, when the error came from a server. */
  status?: number;
  /** Extra lines shown after the one-line message (e.g. field errors), never secrets. */
  lines?: string[];
}

export class HextsError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  readonly kind?: ErrorKind;
  readonly details?: unknown;
  readonly status?: number;
  readonly lines: string[];

  constructor(code: ErrorCode, message: string, options: HextsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HextsError";
    this.code = code;
    this.exitCode = exitCodeFor(code);
    this.kind = options.kind;
    this.details = options.details;
    this.status = options.status;
    this.lines = options.lines ?? [];
  }
}

export function isHextsError(e: unknown): e is HextsError {
  return e instanceof HextsError;
}

export const usageError = (message: string, details?: unknown) => new HextsError("USAGE", message, { details });

export const notImplemented = (what: string) => new HextsError("NOT_IMPLEMENTED", `${what} is not implemented yet`);
