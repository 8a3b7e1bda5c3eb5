// Authentication and authorization as hex.pm does them (HexpmWeb.AuthHelpers, Hexpm.Permissions).
import type { AuthInfo, Core, Credential, Ctx } from "./context.js";
import { forbidden, HttpError, notFound, unauthorized } from "./http.js";
import {
  HEXPM,
  HEXPM_ORG_ID,
  isRevoked,
  levelOrHigher,
  levelToRole,
  roleOrHigher,
  sha256Hex,
  type Organization,
  type OwnerLevel,
  type Package,
  type Permission,
  type Role,
  type User,
} from "./state.js";
import { verifyTotp } from "./totp.js";

export const BASIC_AUTH_DISABLED_MESSAGE =
  "Basic authentication is disabled. Update your client to use OAuth or an API key.";

export const anonymous: AuthInfo = { credential: null, user: null, organization: null };

/** The `authenticate` plug: runs on every /api route; a bad credential is a 401 even on public GETs. */
export function authenticate(
  core: Core,
  header: string | undefined,
  usage: { ip: string; userAgent: string },
): AuthInfo {
  if (header === undefined) return anonymous;
  if (header.startsWith("Basic ")) {
    if (!core.options.basicAuth) {
      throw new HttpError(401, BASIC_AUTH_DISABLED_MESSAGE, undefined, { "www-authenticate": 'Bearer realm="hex"' });
    }
    return basicAuth(core, header.slice(6));
  }
  if (header.startsWith("Bearer ")) return tokenAuth(core, header.slice(7));
  return keyAuth(core, header, usage);
}

function basicAuth(core: Core, encoded: string): AuthInfo {
  // Base.decode64 is strict: only the standard alphabet with correct padding.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) {
    throw unauthorized("invalid authentication information");
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw unauthorized("invalid authentication information");
  const user = core.state.findUser(decoded.slice(0, colon));
  const password = decoded.slice(colon + 1);
  if (
    !user ||
    user.organizationId !== null ||
    user.passwordHash === null ||
    user.passwordHash !== sha256Hex(password)
  ) {
    throw unauthorized("invalid username and password combination");
  }
  return { credential: null, user, organization: null };
}

function tokenAuth(core: Core, accessToken: string): AuthInfo {
  const { state, clock } = core;
  const token = state.findTokenByAccess(accessToken);
  const session = token && state.sessions.get(token.sessionId);
  if (!token || !session || token.revokedAt !== null || session.revoked || token.expiresAt <= clock.now()) {
    throw unauthorized("invalid API key");
  }
  session.lastUsedAt = clock.now();
  const credential: Credential = { kind: "token", token };
  if (token.organizationId !== null) {
    const organization = state.organizations.get(token.organizationId);
    if (!organization) throw unauthorized("invalid API key");
    return { credential, user: null, organization };
  }
  const user = state.userById(token.userId);
  if (!user || user.organizationId !== null) throw unauthorized("invalid API key");
  return { credential, user, organization: null };
}

function keyAuth(core: Core, secret: string, usage: { ip: string; userAgent: string }): AuthInfo {
  const { state, clock } = core;
  const key = state.findKeyBySecret(secret);
  const user = state.userById(key?.userId ?? null);
  if (!key || (user && user.organizationId !== null)) throw unauthorized("invalid API key");
  if (isRevoked(key, clock.now())) throw unauthorized("API key revoked");
  key.lastUse = { usedAt: clock.now(), ip: usage.ip, userAgent: usage.userAgent };
  const organization = key.organizationId === null ? null : (state.organizations.get(key.organizationId) ?? null);
  return { credential: { kind: "key", key }, user: user ?? null, organization };
}

// ---- permissions (Hexpm.Permissions) ----

interface NormalizedPermission {
  domain: string;
  resource: string | null;
  scope: string;
  oauth: boolean;
}

function normalize(credential: Credential): NormalizedPermission[] {
  if (credential.kind === "key") {
    return credential.key.permissions.map((p) => ({ ...p, scope: permissionToScope(p), oauth: false }));
  }
  return credential.token.scopes.map((scope) => {
    const colon = scope.indexOf(":");
    const domain = colon < 0 ? scope : scope.slice(0, colon);
    const resource = colon < 0 ? null : scope.slice(colon + 1);
    return { domain, resource, scope, oauth: true };
  });
}

function permissionToScope(p: Permission): string {
  if (p.domain === "api") return p.resource === null ? "api" : `api:${p.resource}`;
  if (p.resource === null) return p.domain;
  return p.domain === "package" || p.domain === "repository" ? `${p.domain}:${p.resource}` : p.domain;
}

/** What `resource` means for a check: a string, or a package (for the `package` domain), or nothing. */
export type AccessResource = string | Package | null;

export function verifyAccess(credential: Credential, domain: string, resource: AccessResource): boolean {
  const perms = normalize(credential);
  const res = typeof resource === "string" || resource === null ? resource : null;
  switch (domain) {
    case "api":
      return perms.some(
        (p) =>
          (p.oauth && p.scope === "api") ||
          (p.oauth && p.scope === "api:read" && (res === null || res === "read")) ||
          (p.oauth && p.scope === "api:write" && (res === null || res === "read" || res === "write")) ||
          (!p.oauth && p.domain === "api" && p.resource === null) ||
          (!p.oauth && p.domain === "api" && p.resource === "read" && (res === null || res === "read")) ||
          (!p.oauth &&
            p.domain === "api" &&
            p.resource === "write" &&
            (res === null || res === "read" || res === "write")) ||
          // A package permission implies API read, for keys (and for a bare `package` OAuth scope only).
          (!p.oauth && p.domain === "package" && (res === null || res === "read")) ||
          (p.oauth && p.scope === "package" && (res === null || res === "read")),
      );
    case "package": {
      const pkg = typeof resource === "object" ? resource : null;
      return perms.some((p) => {
        if (p.oauth && (p.scope === "api" || p.scope === "api:write")) return true;
        if (p.domain !== "package") return false;
        if (p.resource === null) return !p.oauth;
        return pkg !== null && p.resource === `${pkg.repository}/${pkg.name}`;
      });
    }
    case "repositories":
      return res === null && perms.some((p) => p.domain === "repositories");
    case "repository":
      return (
        res !== null &&
        perms.some((p) => p.domain === "repositories" || (p.domain === "repository" && p.resource === res))
      );
    case "docs":
      return res !== null && perms.some((p) => p.domain === "docs" && p.resource === res);
    default:
      return false;
  }
}

export type UserAccess = { ok: true; organization: Organization | null } | { ok: false };

/** Permissions.verify_user_access: does the owner of the credential have the resource itself? */
export function verifyUserAccess(
  core: Core,
  subject: User | Organization,
  domain: string,
  resource: string | null,
): UserAccess {
  const { state } = core;
  if (isOrganization(subject)) {
    if (domain === "api") return { ok: true, organization: null };
    if (domain === "package" && resource !== null) {
      const [repo, name] = splitOnce(resource, "/");
      return repo === subject.name && name !== undefined && state.findPackage(repo, name)
        ? { ok: true, organization: null }
        : { ok: false };
    }
    if ((domain === "repository" || domain === "docs") && resource === subject.name)
      return { ok: true, organization: subject };
    return { ok: false };
  }
  if (domain === "api") return { ok: true, organization: null };
  if (domain === "repositories" && resource === null) return { ok: true, organization: null };
  if (domain === "package" && resource !== null) {
    const [repo, name] = splitOnce(resource, "/");
    const pkg = name === undefined ? undefined : state.findPackage(repo, name);
    return pkg && ownerWithAccess(core, pkg, subject, "maintainer") ? { ok: true, organization: null } : { ok: false };
  }
  if ((domain === "repository" || domain === "docs") && resource !== null) {
    const org = state.findOrganization(resource);
    return org && org.id !== HEXPM_ORG_ID && hasRole(org, subject, "read")
      ? { ok: true, organization: org }
      : { ok: false };
  }
  return { ok: false };
}

export function isOrganization(subject: User | Organization): subject is Organization {
  return "members" in subject;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

export function hasRole(org: Organization, user: User, role: Role): boolean {
  const actual = org.members.get(user.id);
  return actual !== undefined && roleOrHigher[role].includes(actual);
}

/** Organizations.access?: a member with the role (or the organization itself). */
export function organizationAccess(org: Organization, subject: User | Organization | null, role: Role): boolean {
  if (!subject) return false;
  if (isOrganization(subject)) return subject.id === org.id;
  return hasRole(org, subject, role);
}

/**
 * Packages.owner_with_access?: direct owner, owner through an owning organization, or a private repository's
 * member.
 */
export function ownerWithAccess(core: Core, pkg: Package, user: User, level: OwnerLevel): boolean {
  const { state } = core;
  const levels = levelOrHigher[level];
  const repoOrg = state.repositoryOrganization(pkg.repository);
  const direct = pkg.owners.get(user.id);
  if (direct && levels.includes(direct) && (pkg.repository === HEXPM || (repoOrg?.members.has(user.id) ?? false)))
    return true;
  const role = levelToRole[level];
  for (const [ownerId, ownerLevel] of pkg.owners) {
    if (!levels.includes(ownerLevel)) continue;
    const owner = state.users.get(ownerId);
    const owningOrg = owner?.organizationId == null ? undefined : state.organizations.get(owner.organizationId);
    if (owningOrg && hasRole(owningOrg, user, role)) return true;
  }
  return pkg.repository !== HEXPM && repoOrg !== undefined && hasRole(repoOrg, user, role);
}

// ---- authorize (the `authorize` plug) ----

export type AuthFailure = "missing" | "auth" | "not_found" | { auth: string };
export type AuthCheck = (ctx: Ctx, subject: User | Organization | null) => AuthFailure | null;

export interface AuthorizeOptions {
  domains?: (string | [string, string])[];
  checks?: AuthCheck[];
  required?: boolean;
  allowUnconfirmed?: boolean;
}

export function failure(kind: AuthFailure): HttpError {
  if (kind === "missing") return unauthorized("missing authentication information");
  if (kind === "auth") return forbidden("account not authorized for this action");
  if (kind === "not_found") return notFound();
  return forbidden(kind.auth);
}

export function authorize(ctx: Ctx, opts: AuthorizeOptions): void {
  const subject = ctx.auth.user ?? ctx.auth.organization;
  if (!subject && opts.required) throw failure("missing");
  const domains = opts.domains ?? [];
  const credential = ctx.auth.credential;
  if (ctx.auth.user && !opts.allowUnconfirmed && !ctx.auth.user.emailVerified) throw forbidden("email not verified");
  if (subject && credential && domains.length > 0) {
    const allowed = domains.some((d) =>
      typeof d === "string"
        ? verifyAccess(credential, d, d === "package" ? ctx.package : null)
        : verifyAccess(credential, d[0], d[1]),
    );
    if (!allowed) throw unauthorized("key not authorized for this action");
  }
  if (
    ctx.auth.user &&
    credential?.kind === "token" &&
    domains.some((d) => Array.isArray(d) && d[0] === "api" && d[1] === "write")
  ) {
    checkTotp(ctx, ctx.auth.user);
  }
  for (const check of opts.checks ?? []) {
    const result = check(ctx, subject);
    if (result) throw failure(result);
  }
}

/** §3.5: OAuth writes need 2FA and a valid x-hex-otp code; only failed codes count towards the 429. */
function checkTotp(ctx: Ctx, user: User): void {
  if (!user.tfaSecret) throw forbidden("Two-factor authentication must be enabled for API write access");
  const header = ctx.req.headers["x-hex-otp"];
  const code = Array.isArray(header) ? header[0] : header;
  if (code === undefined) {
    throw new HttpError(
      401,
      "Two-factor authentication required. Include X-Hex-OTP header with your TOTP code.",
      undefined,
      {
        "www-authenticate": 'Bearer realm="hex", error="totp_required"',
      },
    );
  }
  const { state, clock } = ctx.core;
  if (verifyTotp(user.tfaSecret, code.trim(), clock.now())) return;
  const ipBlocked = countFailure(state.totpFailures.byIp, ctx.ip, clock.now(), 15 * 60_000) > 20;
  const userBlocked = countFailure(state.totpFailures.byUser, user.id, clock.now(), 10 * 60_000) > 5;
  if (ipBlocked || userBlocked) {
    throw new HttpError(429, "Too many failed two-factor authentication attempts. Please try again later.");
  }
  throw new HttpError(401, "Invalid two-factor authentication code", undefined, {
    "www-authenticate": 'Bearer realm="hex", error="invalid_totp"',
  });
}

/** PlugAttack's fixed windows: count this failure in the current period, return the count. */
function countFailure<K>(map: Map<K, number[]>, key: K, now: number, period: number): number {
  const window = Math.floor(now / period);
  const list = (map.get(key) ?? []).filter((w) => w === window);
  list.push(window);
  map.set(key, list);
  return list.length;
}

// ---- authorization funs ----

/** AuthHelpers.package_owner */
export function packageOwner(level: OwnerLevel = "maintainer"): AuthCheck {
  return (ctx, subject) => {
    const { state } = ctx.core;
    const repository = ctx.repository;
    if (repository === null || !state.repositoryExists(repository)) return "not_found";
    const pkg = ctx.package;
    const isHexpm = repository === HEXPM;
    const repoOrg = state.repositoryOrganization(repository)!;
    if (pkg) {
      if (subject && isOrganization(subject)) {
        const orgUser = state.userById(subject.userId);
        if (repoOrg.id === subject.id || (orgUser && ownerWithAccess(ctx.core, pkg, orgUser, level))) return null;
        return isHexpm ? "auth" : "not_found";
      }
      if (subject && ownerWithAccess(ctx.core, pkg, subject, level)) return null;
      return isHexpm ? "auth" : "not_found";
    }
    if (subject && isOrganization(subject)) return isHexpm || repoOrg.id === subject.id ? null : "not_found";
    if (subject) {
      if (isHexpm) return null;
      const actual = repoOrg.members.get(subject.id);
      if (actual && roleOrHigher[levelToRole[level]].includes(actual)) return null;
      return actual ? "auth" : "not_found";
    }
    return isHexpm ? null : "not_found";
  };
}

/** AuthHelpers.organization_access: hexpm is readable by anyone; private ones need membership (404 otherwise). */
export function organizationAccessCheck(role: Role = "read"): AuthCheck {
  return (ctx, subject) => {
    const org = ctx.organization;
    if (!org) return null;
    if (org.id === HEXPM_ORG_ID) return role === "read" ? null : "auth";
    return organizationAccess(org, subject, role) ? null : "not_found";
  };
}

/** AuthHelpers.organization_billing_active */
export const billingActive: AuthCheck = (ctx) => {
  const org = ctx.organization;
  if (!org || org.id === HEXPM_ORG_ID || org.billingActive) return null;
  return { auth: "organization has no active billing subscription" };
};
