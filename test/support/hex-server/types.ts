// The contract of the local Hex server used by every test (implementation: ./server.ts, entry ./index.ts).
// It binds 127.0.0.1 on a random port, keeps state in memory, and behaves as hex.pm does
// (../shared/HEX_PROTOCOL.md). Tests seed it, drive hexts against it, then inspect `requests` and `state`.

export interface HexServerOptions {
  /** Accept `Authorization: Basic` (legacy password auth). hex.pm switched it off on 2026-11-01. Default false. */
  basicAuth?: boolean;
  /** OAuth client ids the server accepts. Default: ["hexts"]. */
  oauthClients?: string[];
  /**
   * Device-flow polling interval in seconds returned by /oauth/device_authorization. Default 0 (tests are fast);
   * hex.pm says 5.
   */
  deviceInterval?: number;
  /** Seed the demo user/key/organization (`npm run hex-server` does). Default false. */
  seed?: boolean;
  /** Max package tarball size in bytes (default 16 MiB) and uncompressed contents (default 128 MiB). */
  tarballMaxSize?: number;
  tarballMaxUncompressed?: number;
  /** Whether to enforce rate limiting (100/min anonymous, 500/min authenticated). Default false. */
  rateLimit?: boolean;
  /** Port to bind on 127.0.0.1. Default 0 (a random free port); `npm run hex-server -- --port N` sets it. */
  port?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. "/api/packages/foo/releases". */
  path: string;
  query: Record<string, string>;
  /** Lowercased header names. */
  headers: Record<string, string | string[] | undefined>;
  bodySize: number;
  status: number;
  at: number;
}

export type FaultKind =
  | { kind: "reset" } // destroy the socket before answering
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "rate-limit"; resetInSeconds?: number } // 429 with x-ratelimit-* headers
  | { kind: "slow"; delayMs: number } // delay before answering (for timeouts)
  | { kind: "reset-mid-body" }; // read part of an upload, then destroy the socket

export interface Fault {
  method?: string;
  /** Matches the request path (without query): exact string or RegExp. */
  path?: string | RegExp;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  fault: FaultKind;
}

export interface SeededUser {
  username: string;
  email: string;
  password: string;
  /** A full-API user key (`api` permission). */
  apiKey: string;
  /** TOTP secret when 2FA is enabled; `server.totp(username)` gives the current code. */
  totpSecret?: string;
}

export interface HexServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** API base: `${url}/api` */
  readonly apiUrl: string;
  /** Repository base (registry, tarballs, docs): `${url}/repo` */
  readonly repoUrl: string;
  readonly requests: RecordedRequest[];

  /** Creates a user (email verified). `twoFactor` enables TOTP. Returns its password and a full-API key. */
  addUser(u: {
    username: string;
    email?: string;
    password?: string;
    twoFactor?: boolean;
    fullName?: string;
  }): SeededUser;
  /** Creates an organization with `admin` as admin and optional members (role write/read). */
  addOrganization(o: {
    name: string;
    admin: string;
    members?: { username: string; role: "admin" | "write" | "read" }[];
    billingActive?: boolean;
    seats?: number;
  }): void;
  /** Creates a key for a user or organization with the given permissions (default full api). Returns the secret. */
  addKey(k: {
    owner: { user: string } | { organization: string };
    name: string;
    permissions?: { domain: string; resource?: string | null }[];
    revokeAt?: string;
  }): string;
  /** Publishes a release directly from a tarball (bypasses auth), as `owner`. */
  addRelease(r: { repository?: string; owner: string; tarball: Uint8Array; insertedAt?: Date }): void;

  /** Simulates the user approving a device code in the browser with the given scopes (default: all requested). */
  approveDevice(userCode: string, username: string, scopes?: string[]): void;
  denyDevice(userCode: string): void;
  /** Makes the next `polls` token polls for this device code answer 400 `slow_down` (hex.pm never sends it). */
  slowDownDevice?(userCode: string, polls?: number): void;
  /** Confirms the email of a user registered through `POST /users` (those start unverified, as on hex.pm). */
  verifyEmail?(username: string): void;
  /** With `seed: true`: the demo user (with password and full-API key) and its organization. */
  seeded?: { user: SeededUser; organization: string };
  /** Current valid TOTP code for a 2FA user. */
  totp(username: string): string;

  /**
   * PEM (SubjectPublicKeyInfo) of the key that signs this server's registry resources (also at
   * `${repoUrl}/public_key`).
   */
  registryPublicKey?(): string;

  /** Moves the server's clock forward (replace windows, key/token expiry, device-code expiry). */
  advanceClock(ms: number): void;
  /** Injects a fault for the next matching request(s). */
  fault(f: Fault): void;
  /** Read-only view of the in-memory state for assertions (shape is the implementation's). */
  readonly state: unknown;

  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
