// The one credential shape: what the config store keeps, what the API client sends in `authorization`, and what
// the login flows pass around. `type` says how it is sent: a key as it is, an OAuth access token as `Bearer`,
// a username and password (legacy, only to create a key) as `Basic`.
import { HextsError } from "./errors.js";

/**
 * An API key. `generated`: hexts created it (password login), so `user deauth` revokes it;
 * a pasted key is only forgotten.
 */
export interface KeyCredential {
  type: "key";
  key: string;
  username?: string;
  keyName?: string;
  generated?: boolean;
}

/** An OAuth access token, stored with its refresh token and expiry (unix seconds; required to store it). */
export interface OAuthCredential {
  type: "oauth";
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number;
  username?: string;
}

/** Username and password for Basic authentication: only to create a key on servers that allow it; never stored. */
export interface PasswordCredential {
  type: "basic";
  username: string;
  password: string;
}

export type Credential = KeyCredential | OAuthCredential | PasswordCredential;
/** What the store keeps per API URL: a key or an OAuth login. */
export type LoginCredential = KeyCredential | OAuthCredential;
export type CredentialType = Credential["type"];

/** The `authorization` header value for a credential (HEX_PROTOCOL §3.1): the one place it is built. */
export function authorizationHeader(c: Credential): string {
  const value =
    c.type === "key"
      ? c.key
      : c.type === "oauth"
        ? `Bearer ${c.accessToken}`
        : `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
  // A line break would split the header; say so without echoing the secret.
  if (/[\r\n\0]/.test(value))
    throw new HextsError(
      "USAGE",
      "The credential contains a line break or NUL character; check the API key or password.",
    );
  return value;
}
