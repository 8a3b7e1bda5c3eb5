// /api/oauth/*: device authorization, token (device_code, refresh_token, client_credentials), revocation.
import type { Ctx } from "../context.js";
import { OAuthError, sendEmpty, sendBody } from "../http.js";
import {
  ACCESS_TOKEN_SECONDS,
  createSession,
  DEVICE_CODE_SECONDS,
  DEVICE_GRANT,
  expandApiScope,
  expandRepositories,
  generateDeviceCode,
  generateUserCode,
  issueToken,
  revokeSession,
  tokenResponse,
  validScope,
} from "../oauth.js";
import type { Router } from "../router.js";
import { isRevoked, sha256Hex, type Key, type Token } from "../state.js";

export function registerOAuth(r: Router): void {
  r.add("POST", "/api/oauth/device_authorization", deviceAuthorization);
  r.add("POST", "/api/oauth/token", token);
  r.add("POST", "/api/oauth/revoke", revoke);
  r.add("POST", "/api/oauth/revoke_by_hash", revokeByHash);
}

const str = (ctx: Ctx, name: string): string | undefined => {
  const value = ctx.params[name];
  return typeof value === "string" ? value : undefined;
};

function validateClient(ctx: Ctx): string {
  const clientId = str(ctx, "client_id");
  if (clientId === undefined || clientId === "") throw new OAuthError("invalid_client", "Missing client_id");
  if (!ctx.core.options.oauthClients.includes(clientId)) throw new OAuthError("invalid_client", "Invalid client");
  return clientId;
}

function deviceAuthorization(ctx: Ctx): void {
  const clientId = validateClient(ctx);
  const rawScope = ctx.params.scope;
  if (rawScope !== undefined && typeof rawScope !== "string") throw new OAuthError("invalid_scope", "Invalid scope");
  const scopes = expandApiScope((rawScope ?? "").split(" ").filter(Boolean));
  if (!scopes.every(validScope)) throw new OAuthError("invalid_scope", "Invalid scope");
  const now = ctx.core.clock.now();
  const device = {
    deviceCode: generateDeviceCode(),
    userCode: generateUserCode(),
    clientId,
    scopes,
    name: str(ctx, "name") ?? null,
    expiresAt: now + DEVICE_CODE_SECONDS * 1000,
    interval: ctx.core.options.deviceInterval,
    status: "pending" as const,
    slowDownPolls: 0,
  };
  ctx.core.state.deviceCodes.set(device.deviceCode, device);
  const verificationUri = `${ctx.core.url}/oauth/device`;
  sendBody(ctx.res, 200, {
    device_code: device.deviceCode,
    user_code: device.userCode,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${device.userCode}`,
    expires_in: DEVICE_CODE_SECONDS,
    interval: device.interval,
  });
}

function token(ctx: Ctx): void {
  const grantType = ctx.params.grant_type;
  switch (grantType) {
    case DEVICE_GRANT:
      return deviceCodeGrant(ctx);
    case "refresh_token":
      return refreshTokenGrant(ctx);
    case "client_credentials":
      return clientCredentialsGrant(ctx);
    case "authorization_code":
      // Browser clients only (PKCE); not served here.
      throw new OAuthError("invalid_grant", "Invalid authorization code");
    default:
      throw new OAuthError(
        "unsupported_grant_type",
        `Unsupported grant type: ${typeof grantType === "string" ? JSON.stringify(grantType) : "nil"}`,
      );
  }
}

function deviceCodeGrant(ctx: Ctx): void {
  const clientId = validateClient(ctx);
  const { state, clock } = ctx.core;
  const code = str(ctx, "device_code");
  const device = code ? state.deviceCodes.get(code) : undefined;
  if (!device) throw new OAuthError("invalid_grant", "Invalid device code");
  if (device.clientId !== clientId) throw new OAuthError("invalid_client", "Invalid client");
  const now = clock.now();
  if (device.expiresAt < now) throw new OAuthError("expired_token", "Device code has expired");
  // Inferred: hex.pm never sends slow_down; tests switch it on with `slowDownDevice`.
  if (device.slowDownPolls > 0) {
    device.slowDownPolls--;
    throw new OAuthError("slow_down", "Polling too frequently, slow down");
  }
  if (device.status === "denied") throw new OAuthError("access_denied", "Authorization denied by user");
  if (device.status === "pending") throw new OAuthError("authorization_pending", "Authorization pending");
  // Authorized: every poll rotates the token (same scopes, same expiry) and revokes the previous one.
  const live = [...state.tokens.values()].filter(
    (t) =>
      t.grantType === DEVICE_GRANT &&
      t.grantReference === device.deviceCode &&
      t.clientId === clientId &&
      t.revokedAt === null,
  );
  const old = live.sort((a, b) => b.id - a.id)[0];
  if (!old) throw new OAuthError("invalid_grant", "No token found for authorized device");
  const session = state.sessions.get(old.sessionId)!;
  session.lastUsedAt = now;
  for (const t of live) t.revokedAt = now;
  const next = issueToken(ctx.core, {
    session,
    user: state.userById(old.userId)!,
    clientId,
    grantedScopes: old.grantedScopes,
    scopes: old.scopes,
    grantType: DEVICE_GRANT,
    grantReference: device.deviceCode,
    expiresAt: old.expiresAt,
    refreshExpiresAt: old.refreshToken === null ? null : session.expiresAt,
  });
  sendBody(ctx.res, 200, tokenResponse(ctx.core, next));
}

function refreshTokenGrant(ctx: Ctx): void {
  const clientId = validateClient(ctx);
  const { state, clock } = ctx.core;
  const refresh = str(ctx, "refresh_token");
  if (refresh === undefined || refresh === "") throw new OAuthError("invalid_grant", "Missing refresh token");
  const old = state.findTokenByRefresh(refresh);
  if (!old || old.clientId !== clientId) throw new OAuthError("invalid_grant", "Invalid refresh token");
  if (old.revokedAt !== null) throw new OAuthError("invalid_grant", "Refresh token has been revoked");
  if (old.refreshExpiresAt !== null && old.refreshExpiresAt < clock.now())
    throw new OAuthError("invalid_grant", "Refresh token has expired");
  const session = state.sessions.get(old.sessionId)!;
  old.revokedAt = clock.now();
  session.lastUsedAt = clock.now();
  const user = state.userById(old.userId);
  const organization = old.organizationId === null ? undefined : state.organizations.get(old.organizationId);
  const subject = user ?? organization!;
  const next = issueToken(ctx.core, {
    session,
    ...(user ? { user } : { organization: organization! }),
    clientId,
    grantedScopes: old.grantedScopes,
    // Re-expanded from the granted scopes, so organization membership changes show up.
    scopes: expandRepositories(ctx.core, subject, old.grantedScopes),
    grantType: "refresh_token",
    grantReference: refresh,
    expiresAt: clock.now() + ACCESS_TOKEN_SECONDS * 1000,
    refreshExpiresAt: old.refreshExpiresAt,
  });
  sendBody(ctx.res, 200, tokenResponse(ctx.core, next));
}

const permissionScopes = (key: Key): (string | "*repositories")[] =>
  key.permissions.flatMap((p) => {
    if (p.domain === "api")
      return p.resource === null
        ? ["api", "api:read", "api:write"]
        : p.resource === "write"
          ? ["api:write", "api:read"]
          : ["api:read"];
    if (p.domain === "repository") return [`repository:${p.resource}`];
    if (p.domain === "repositories") return ["*repositories"];
    return [];
  });

function clientCredentialsGrant(ctx: Ctx): void {
  const clientId = validateClient(ctx);
  const { state, clock } = ctx.core;
  const secret = str(ctx, "client_secret");
  if (secret === undefined || secret === "")
    throw new OAuthError("invalid_request", "Missing or invalid client_secret");
  const key = state.findKeyBySecret(secret);
  const keyUser = state.userById(key?.userId ?? null);
  if (!key || isRevoked(key, clock.now()) || (keyUser && keyUser.organizationId !== null))
    throw new OAuthError("invalid_client", "Invalid API key");
  const organization = key.organizationId === null ? undefined : state.organizations.get(key.organizationId);
  const subject = keyUser ?? organization!;
  const rawScope = ctx.params.scope;
  if (rawScope !== undefined && typeof rawScope !== "string")
    throw new OAuthError("invalid_scope", "Invalid scope parameter");
  const requested = (rawScope ?? "").split(" ").filter(Boolean);
  const scopes = expandRepositories(ctx.core, subject, requested, key);
  const allowed = new Set(permissionScopes(key));
  const fits = scopes.every((s) => allowed.has(s) || (allowed.has("*repositories") && s.startsWith("repository:")));
  if (!fits) throw new OAuthError("invalid_scope", "Requested scopes exceed API key permissions");
  const expiresAt = clock.now() + ACCESS_TOKEN_SECONDS * 1000;
  const owner = keyUser ? { user: keyUser } : { organization: organization! };
  const session = createSession(ctx.core, owner, clientId, str(ctx, "name") ?? null, expiresAt);
  const issued = issueToken(ctx.core, {
    session,
    ...owner,
    clientId,
    grantedScopes: requested,
    scopes,
    grantType: "client_credentials",
    grantReference: null,
    expiresAt,
    refreshExpiresAt: null,
  });
  sendBody(ctx.res, 200, tokenResponse(ctx.core, issued));
}

function revoke(ctx: Ctx): void {
  const value = str(ctx, "token");
  const clientId = str(ctx, "client_id");
  if (value && clientId && ctx.core.options.oauthClients.includes(clientId)) {
    const { state } = ctx.core;
    const found: Token | undefined =
      [...state.tokens.values()].find((t) => t.accessToken === value && t.clientId === clientId) ??
      [...state.tokens.values()].find((t) => t.refreshToken === value && t.clientId === clientId);
    if (found && found.revokedAt === null) found.revokedAt = ctx.core.clock.now();
  }
  sendEmpty(ctx.res, 200);
}

function revokeByHash(ctx: Ctx): void {
  const hash = str(ctx, "token_hash");
  if (hash) {
    const { state } = ctx.core;
    const found = [...state.tokens.values()].find(
      (t) => t.refreshToken !== null && sha256Hex(t.refreshToken) === hash.toLowerCase(),
    );
    const session = found && state.sessions.get(found.sessionId);
    if (session) revokeSession(ctx.core, session);
  }
  sendEmpty(ctx.res, 200);
}
