// OAuth state transitions shared by the endpoints and the test hooks: sessions, tokens, device codes.
import { createHmac, randomBytes } from "node:crypto";
import type { Core } from "./context.js";
import { HEXPM, type DeviceCode, type Key, type Organization, type Session, type Token, type User } from "./state.js";

export const ACCESS_TOKEN_SECONDS = 30 * 60;
export const SESSION_SECONDS = 30 * 24 * 60 * 60;
export const DEVICE_CODE_SECONDS = 10 * 60;
export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const USER_CODE_CHARSET = "23456789BCDFGHJKLMNPQRSTVWXYZ";
const MAX_SESSIONS = 5;
const jwtSecret = randomBytes(32);

const b64url = (data: Buffer | string): string => Buffer.from(data).toString("base64url");

/**
 * A JWT-shaped access token (HS256 over a per-server secret); the server looks tokens up, it never trusts the
 * claims.
 */
function signJwt(subject: string, scopes: string[], expiresAt: number, now: number): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      sub: subject,
      scope: scopes.join(" "),
      iat: Math.floor(now / 1000),
      exp: Math.floor(expiresAt / 1000),
      jti: randomBytes(12).toString("hex"),
    }),
  );
  const signature = createHmac("sha256", jwtSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

export function generateDeviceCode(): string {
  return randomBytes(32).toString("base64url").slice(0, 32);
}

export function generateUserCode(): string {
  let code = "";
  for (const byte of randomBytes(8)) code += USER_CODE_CHARSET[byte % USER_CODE_CHARSET.length];
  return code;
}

/** Permissions.valid_scope? */
export function validScope(scope: string): boolean {
  const colon = scope.indexOf(":");
  if (colon < 0) return ["api", "api:read", "api:write", "repositories"].includes(scope);
  const base = scope.slice(0, colon);
  if (["package", "repository", "docs"].includes(base)) return true;
  return base === "api" && ["read", "write"].includes(scope.slice(colon + 1));
}

/** `api` means `api:read api:write` for interactive grants. */
export function expandApiScope(scopes: string[]): string[] {
  return [...new Set(scopes.flatMap((s) => (s === "api" ? ["api:read", "api:write"] : [s])))];
}

/** `repositories` becomes one `repository:ORG` per organization (hexpm included), limited by a key's permissions. */
export function expandRepositories(core: Core, subject: User | Organization, scopes: string[], key?: Key): string[] {
  if (!scopes.includes("repositories")) return scopes;
  const allowed = key ? allowedRepositories(key) : null;
  const names =
    "members" in subject
      ? [subject.name]
      : core.state.allOrganizations(subject).map((o) => (o.name === HEXPM ? HEXPM : o.name));
  const repos = names
    .filter((n) => allowed === null || allowed.all || allowed.names.has(n))
    .map((n) => `repository:${n}`);
  return [...scopes.filter((s) => s !== "repositories"), ...repos];
}

function allowedRepositories(key: Key): { all: boolean; names: Set<string> } {
  const names = new Set<string>();
  let all = false;
  for (const p of key.permissions) {
    if (p.domain === "repositories") all = true;
    if (p.domain === "repository" && p.resource !== null) names.add(p.resource);
  }
  return { all, names };
}

export function createSession(
  core: Core,
  owner: { user?: User; organization?: Organization },
  clientId: string,
  name: string | null,
  expiresAt: number,
): Session {
  const { state, clock } = core;
  const session: Session = {
    id: state.id(),
    userId: owner.user?.id ?? null,
    organizationId: owner.organization?.id ?? null,
    clientId,
    name,
    expiresAt,
    lastUsedAt: clock.now(),
    revoked: false,
  };
  state.sessions.set(session.id, session);
  // At most 5 live sessions per user (max(5, seats) for an organization): the least recently used one goes.
  const live = [...state.sessions.values()].filter(
    (s) =>
      !s.revoked &&
      s.expiresAt > clock.now() &&
      s.userId === session.userId &&
      s.organizationId === session.organizationId,
  );
  const limit = owner.organization ? Math.max(MAX_SESSIONS, owner.organization.seats) : MAX_SESSIONS;
  while (live.length > limit) {
    live.sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.id - b.id);
    revokeSession(core, live.shift()!);
  }
  return session;
}

export function revokeSession(core: Core, session: Session): void {
  session.revoked = true;
  for (const token of core.state.tokens.values()) {
    if (token.sessionId === session.id && token.revokedAt === null) token.revokedAt = core.clock.now();
  }
}

export interface IssueOptions {
  session: Session;
  user?: User;
  organization?: Organization;
  clientId: string;
  grantedScopes: string[];
  scopes: string[];
  grantType: string;
  grantReference: string | null;
  expiresAt: number;
  refreshExpiresAt: number | null;
}

export function issueToken(core: Core, o: IssueOptions): Token {
  const now = core.clock.now();
  const subject = o.user ? `user:${o.user.username}` : `org:${o.organization!.name}`;
  const token: Token = {
    id: core.state.id(),
    accessToken: signJwt(subject, o.scopes, o.expiresAt, now),
    refreshToken: o.refreshExpiresAt === null ? null : randomBytes(32).toString("base64url"),
    sessionId: o.session.id,
    userId: o.user?.id ?? null,
    organizationId: o.organization?.id ?? null,
    clientId: o.clientId,
    scopes: o.scopes,
    grantedScopes: o.grantedScopes,
    grantType: o.grantType,
    grantReference: o.grantReference,
    expiresAt: o.expiresAt,
    refreshExpiresAt: o.refreshExpiresAt,
    revokedAt: null,
  };
  core.state.tokens.set(token.id, token);
  return token;
}

export function tokenResponse(core: Core, token: Token): Record<string, unknown> {
  const body: Record<string, unknown> = {
    access_token: token.accessToken,
    token_type: "bearer",
    expires_in: Math.max(Math.round((token.expiresAt - core.clock.now()) / 1000), 0),
    scope: token.scopes.join(" "),
  };
  if (token.refreshToken !== null) body.refresh_token = token.refreshToken;
  return body;
}

/** The browser step of the device flow: the user approves some of the requested scopes. */
export function approveDeviceCode(core: Core, device: DeviceCode, user: User, selected: string[]): void {
  const now = core.clock.now();
  if (device.expiresAt < now) throw new Error("device code has expired");
  if (device.status !== "pending") throw new Error("device code is not pending authorization");
  if (selected.length === 0) throw new Error("at least one permission must be selected");
  if (selected.some((s) => !device.scopes.includes(s))) throw new Error("selected scopes not in original request");
  if (!user.tfaSecret && selected.some((s) => s === "api" || s === "api:write")) {
    throw new Error("hex.pm does not let an account without two-factor authentication grant api or api:write");
  }
  const session = createSession(core, { user }, device.clientId, device.name, now + SESSION_SECONDS * 1000);
  issueToken(core, {
    session,
    user,
    clientId: device.clientId,
    grantedScopes: selected,
    scopes: expandRepositories(core, user, selected),
    grantType: DEVICE_GRANT,
    grantReference: device.deviceCode,
    expiresAt: now + ACCESS_TOKEN_SECONDS * 1000,
    refreshExpiresAt: session.expiresAt,
  });
  device.status = "authorized";
}
