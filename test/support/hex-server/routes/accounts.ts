// Users, keys, organizations and members, the key test (`/auth`) and the API index.
import { param, type Ctx } from "../context.js";
import { authorize, failure, organizationAccessCheck, verifyAccess, verifyUserAccess } from "../auth.js";
import { badRequest, cacheHeaders, notFound, sendEmpty, sendBody, unauthorized, validationFailed } from "../http.js";
import type { Router } from "../router.js";
import {
  HEXPM_ORG_ID,
  randomHex,
  sha256Hex,
  type Key,
  type Organization,
  type Permission,
  type Role,
  type User,
} from "../state.js";
import { listOrganization, minimalUser, showKey, showOrganization, showUser } from "../views.js";

const USERNAME_RE = /^[a-z0-9_\-.]+$/;
const RESERVED_USERNAMES = ["me", "hex", "hexpm", "elixir", "erlang", "otp"];
const EMAIL_RE = /^.+@.+\..+$/;
const ROLES: Role[] = ["admin", "write", "read"];

export function registerAccounts(r: Router): void {
  r.add("GET", "/api", index);
  r.add("POST", "/api/users", createUser);
  r.add("GET", "/api/users/me", me);
  r.add("GET", "/api/users/:name", showUserRoute);
  r.add("GET", "/api/users/:name/test", showUserRoute);

  r.add("GET", "/api/orgs", listOrganizations);
  r.add("GET", "/api/orgs/:organization", showOrganizationRoute);
  r.add("POST", "/api/orgs/:organization", updateOrganization);
  r.add("GET", "/api/orgs/:organization/members", listMembers);
  r.add("POST", "/api/orgs/:organization/members", addMember);
  r.add("GET", "/api/orgs/:organization/members/:name", showMember);
  r.add("POST", "/api/orgs/:organization/members/:name", updateMember);
  r.add("DELETE", "/api/orgs/:organization/members/:name", removeMember);

  for (const prefix of ["/api", "/api/orgs/:organization"]) {
    r.add("GET", `${prefix}/keys`, listKeys);
    r.add("GET", `${prefix}/keys/:name`, showKeyRoute);
    r.add("POST", `${prefix}/keys`, createKey);
    r.add("DELETE", `${prefix}/keys`, deleteAllKeys);
    r.add("DELETE", `${prefix}/keys/:name`, deleteKey);
  }

  r.add("GET", "/api/auth", authTest);
  r.add("POST", "/api/short_url", shortUrl);
}

function index(ctx: Ctx): void {
  const api = ctx.core.apiUrl;
  sendBody(ctx.res, 200, {
    packages_url: `${api}/packages`,
    package_url: `${api}/packages/{name}`,
    package_retirement_url: `${api}/packages/{name}/retire`,
    package_release_url: `${api}/packages/{name}/releases/{version}`,
    package_owners_url: `${api}/packages/{name}/owners`,
    keys_url: `${api}/keys`,
    key_url: `${api}/keys/{name}`,
    documentation_url: "http://docs.hexpm.apiary.io",
  });
}

// ---- users ----

function createUser(ctx: Ctx): void {
  const { state, clock } = ctx.core;
  const errors: Record<string, unknown> = {};
  const rawName = ctx.params.username;
  const username = typeof rawName === "string" ? rawName.toLowerCase() : "";
  if (username.trim() === "") errors.username = "can't be blank";
  else if (username.length < 3) errors.username = "should be at least 3 character(s)";
  else if (!USERNAME_RE.test(username)) errors.username = "has invalid format";
  else if (RESERVED_USERNAMES.includes(username)) errors.username = "is reserved";
  const rawEmail = ctx.params.email;
  const email = typeof rawEmail === "string" ? rawEmail.trim().toLowerCase() : "";
  if (email === "") errors.emails = "can't be blank";
  else if (!EMAIL_RE.test(email)) errors.emails = { email: "has invalid format" };
  else if ([...state.users.values()].some((u) => u.email === email && u.emailVerified))
    errors.emails = { email: "already in use" };
  const password = ctx.params.password;
  if (password !== undefined && password !== null && (typeof password !== "string" || [...password].length < 8)) {
    errors.password = "should be at least 8 character(s)";
  }
  if (Object.keys(errors).length === 0 && state.findUser(username)?.username === username) {
    errors.username = "has already been taken";
  }
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  const now = clock.now();
  const fullName = ctx.params.full_name;
  const user: User = {
    id: state.id(),
    username,
    fullName: typeof fullName === "string" ? fullName : null,
    email,
    // hex.pm confirms addresses by email; accounts made here start unverified (`verifyEmail` confirms).
    emailVerified: false,
    passwordHash: typeof password === "string" ? sha256Hex(password) : null,
    tfaSecret: null,
    organizationId: null,
    insertedAt: now,
    updatedAt: now,
  };
  state.users.set(user.id, user);
  sendBody(ctx.res, 201, showUser(ctx.core, user), {
    location: `/api/users/${encodeURIComponent(username)}`,
    ...cacheHeaders("private"),
  });
}

function ownedPackages(ctx: Ctx, user: User) {
  return [...ctx.core.state.packages.values()].filter((p) => p.owners.has(user.id));
}

function me(ctx: Ctx): void {
  authorize(ctx, { required: true, domains: [["api", "read"]] });
  const user = ctx.auth.user;
  if (!user) throw notFound();
  const body = showUser(ctx.core, user, ownedPackages(ctx, user));
  body.organizations = ctx.core.state
    .organizationsOf(user)
    .map((o) => ({ name: o.name, role: o.members.get(user.id) }));
  sendBody(ctx.res, 200, body, cacheHeaders("private"));
}

function showUserRoute(ctx: Ctx): void {
  const { state } = ctx.core;
  const user = state.findUser(param(ctx, "name") ?? "");
  if (!user) throw notFound();
  const visible = new Set(state.allOrganizations(ctx.auth.user).map((o) => (o.id === HEXPM_ORG_ID ? "hexpm" : o.name)));
  const packages = ownedPackages(ctx, user).filter((p) => visible.has(p.repository));
  sendBody(ctx.res, 200, showUser(ctx.core, user, packages), cacheHeaders("private"));
}

// ---- organizations ----

function fetchOrganization(ctx: Ctx): void {
  const name = param(ctx, "organization");
  if (name === undefined) return;
  const org = ctx.core.state.findOrganization(name);
  if (!org) throw notFound();
  ctx.organization = org;
}

function listOrganizations(ctx: Ctx): void {
  authorize(ctx, { domains: [["api", "read"]] });
  const { state } = ctx.core;
  const orgs = [
    ...(ctx.auth.user ? state.organizationsOf(ctx.auth.user) : []),
    ...(ctx.auth.organization ? [ctx.auth.organization] : []),
  ];
  orgs.sort((a, b) => a.name.localeCompare(b.name));
  sendBody(ctx.res, 200, orgs.map(listOrganization), cacheHeaders("private"));
}

function showOrganizationRoute(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  sendBody(ctx.res, 200, showOrganization(ctx.organization!), cacheHeaders("private"));
}

const NOT_ENOUGH_SEATS = "number of seats cannot be less than number of members";

function updateOrganization(ctx: Ctx): void {
  fetchOrganization(ctx);
  // hex.pm passes `organization_level: "write"`, an option its check ignores, so any member may do this.
  authorize(ctx, { domains: [["api", "write"]], checks: [organizationAccessCheck()] });
  const org = ctx.organization!;
  const raw = ctx.params.seats;
  const seats =
    typeof raw === "number" && Number.isInteger(raw)
      ? raw
      : typeof raw === "string" && /^-?\d+$/.test(raw)
        ? Number(raw)
        : null;
  if (seats === null || seats < org.members.size) throw validationFailed(NOT_ENOUGH_SEATS);
  org.seats = seats;
  org.updatedAt = ctx.core.clock.now();
  sendBody(ctx.res, 200, showOrganization(org), cacheHeaders("private"));
}

function memberView(ctx: Ctx, user: User, role: Role, full: boolean): Record<string, unknown> {
  return { ...(full ? showUser(ctx.core, user) : minimalUser(ctx.core, user)), role };
}

function listMembers(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  const { state } = ctx.core;
  const members = [...ctx.organization!.members]
    .map(([id, role]) => [state.users.get(id)!, role] as const)
    .sort((a, b) => a[0].username.localeCompare(b[0].username));
  sendBody(
    ctx.res,
    200,
    members.map(([user, role]) => memberView(ctx, user, role, false)),
    cacheHeaders("private"),
  );
}

function showMember(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  const user = ctx.core.state.findUser(param(ctx, "name") ?? "");
  const role = user && ctx.organization!.members.get(user.id);
  if (!user || !role) throw notFound();
  sendBody(ctx.res, 200, memberView(ctx, user, role, true), cacheHeaders("private"));
}

function roleErrors(role: unknown): Record<string, string> | null {
  if (role === undefined || role === null || role === "") return { role: "can't be blank" };
  if (typeof role !== "string" || !ROLES.includes(role as Role)) return { role: "is invalid" };
  return null;
}

function addMember(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { domains: [["api", "write"]], checks: [organizationAccessCheck("admin")] });
  const org = ctx.organization!;
  const name = param(ctx, "name");
  const user = name === undefined ? undefined : ctx.core.state.findUser(name);
  if (!user) throw validationFailed({ name: "unknown user" });
  if (user.organizationId !== null) throw validationFailed("cannot add an organization as member to an organization");
  if (org.members.size >= org.seats) throw validationFailed("not enough seats to add member");
  const errors = roleErrors(ctx.params.role);
  if (errors) throw validationFailed(errors);
  if (org.members.has(user.id)) throw validationFailed({ user_id: "is already member" });
  org.members.set(user.id, ctx.params.role as Role);
  sendBody(ctx.res, 200, memberView(ctx, user, org.members.get(user.id)!, true), {
    location: `/api/orgs/${encodeURIComponent(org.name)}/members/${encodeURIComponent(user.username)}`,
    ...cacheHeaders("private"),
  });
}

function updateMember(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { domains: [["api", "write"]], checks: [organizationAccessCheck("admin")] });
  const org = ctx.organization!;
  const user = ctx.core.state.findUser(param(ctx, "name") ?? "");
  if (!user) throw notFound();
  const current = org.members.get(user.id);
  // hex.pm hands its internal `:unknown_user` reason to the error view, which renders it as a string.
  if (!current) throw validationFailed("unknown_user");
  const admins = [...org.members.values()].filter((r) => r === "admin").length;
  if (current === "admin" && admins === 1) throw validationFailed("cannot demote last admin member");
  const errors = roleErrors(ctx.params.role);
  if (errors) throw validationFailed(errors);
  org.members.set(user.id, ctx.params.role as Role);
  sendBody(ctx.res, 200, memberView(ctx, user, ctx.params.role as Role, true), cacheHeaders("private"));
}

function removeMember(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { domains: [["api", "write"]], checks: [organizationAccessCheck("admin")] });
  const org = ctx.organization!;
  const { state } = ctx.core;
  const user = state.findUser(param(ctx, "name") ?? "");
  if (user) {
    if (org.members.size === 1) throw validationFailed("cannot remove last member");
    if (org.members.delete(user.id)) {
      for (const pkg of state.packagesIn([org.name])) pkg.owners.delete(user.id);
    }
  }
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

// ---- keys ----

function keyOwner(ctx: Ctx): { userId?: number; organizationId?: number } {
  if (ctx.organization) return { organizationId: ctx.organization.id };
  return { userId: ctx.auth.user!.id };
}

/** `require_organization_path`: an organization's credential must use /orgs/ORG/keys. */
function requireOrganizationPath(ctx: Ctx): void {
  if (ctx.auth.organization && !ctx.organization) throw notFound();
}

function listKeys(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { required: true, domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  requireOrganizationPath(ctx);
  const keys = ctx.core.state.liveKeys(keyOwner(ctx));
  sendBody(
    ctx.res,
    200,
    keys.map((k) => showKey(ctx.core, k, ctx.auth.credential)),
    cacheHeaders("private"),
  );
}

function showKeyRoute(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { required: true, domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  requireOrganizationPath(ctx);
  const key = ctx.core.state.liveKeys(keyOwner(ctx)).find((k) => k.name === param(ctx, "name"));
  if (!key) throw notFound();
  sendBody(ctx.res, 200, showKey(ctx.core, key, ctx.auth.credential), cacheHeaders("private"));
}

function createKey(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, {
    required: true,
    allowUnconfirmed: true,
    domains: [["api", "write"]],
    checks: [organizationAccessCheck("write")],
  });
  requireOrganizationPath(ctx);
  const { state, clock } = ctx.core;
  const owner = keyOwner(ctx);
  const subject: User | Organization = ctx.organization ?? ctx.auth.user!;
  const errors: Record<string, unknown> = {};

  const name = ctx.params.name;
  if (typeof name !== "string" || name.trim() === "")
    errors.name = name === undefined || name === null || name === "" ? "can't be blank" : "is invalid";

  let revokeAt: number | null = null;
  const rawRevokeAt = ctx.params.revoke_at;
  if (rawRevokeAt !== undefined && rawRevokeAt !== null && rawRevokeAt !== "") {
    const parsed = typeof rawRevokeAt === "string" ? Date.parse(rawRevokeAt) : NaN;
    if (Number.isNaN(parsed)) errors.revoke_at = "is invalid";
    else if (parsed <= clock.now()) errors.revoke_at = "must be in the future";
    else revokeAt = parsed;
  }

  let permissions: Permission[] = [{ domain: "api", resource: null }];
  const rawPermissions = ctx.params.permissions;
  if (rawPermissions !== undefined && rawPermissions !== null) {
    const result = parsePermissions(ctx, subject, rawPermissions);
    if ("error" in result) errors.permissions = result.error;
    else permissions = result.permissions;
  }
  if (Object.keys(errors).length > 0) throw validationFailed(errors);

  const now = clock.now();
  const secret = randomHex(16);
  const key: Key = {
    id: state.id(),
    name: uniqueKeyName(state.liveKeys(owner), name as string),
    secretHash: sha256Hex(secret),
    userId: owner.userId ?? null,
    organizationId: owner.organizationId ?? null,
    permissions,
    revokeAt,
    insertedAt: now,
    updatedAt: now,
    lastUse: null,
  };
  state.keys.set(key.id, key);
  sendBody(ctx.res, 201, showKey(ctx.core, key, ctx.auth.credential, secret), {
    location: `/api/keys/${encodeURIComponent(key.name)}`,
    ...cacheHeaders("private"),
  });
}

const DOMAINS = ["api", "package", "repository", "repositories", "docs"];

/** KeyPermission.changeset for each entry; errors of all entries are merged into one map, as hex.pm reports them. */
function parsePermissions(
  ctx: Ctx,
  subject: User | Organization,
  raw: unknown,
): { permissions: Permission[] } | { error: unknown } {
  if (!Array.isArray(raw)) return { error: "is invalid" };
  const permissions: Permission[] = [];
  const errors: Record<string, string> = {};
  for (const entry of raw) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      errors.domain ??= "is invalid";
      continue;
    }
    const domain = (entry as Record<string, unknown>).domain;
    const rawResource = (entry as Record<string, unknown>).resource ?? null;
    if (typeof domain !== "string" || !DOMAINS.includes(domain)) {
      errors.domain = "is invalid";
      continue;
    }
    if (rawResource !== null && typeof rawResource !== "string") {
      errors.resource = "is invalid";
      continue;
    }
    let resource: string | null = rawResource;
    if (domain === "package" && typeof resource === "string" && !resource.includes("/")) resource = `hexpm/${resource}`;
    if (resource !== null) {
      const fits =
        (domain === "api" && ["read", "write"].includes(resource)) ||
        ["repository", "package", "docs"].includes(domain);
      if (!fits) {
        errors.resource = "invalid resource for given domain";
        continue;
      }
      if (!verifyUserAccess(ctx.core, subject, domain, resource).ok) {
        errors.resource =
          domain === "package" ? "you do not have access to this package" : "you do not have access to this repository";
        continue;
      }
    }
    permissions.push({ domain, resource });
  }
  return Object.keys(errors).length > 0 ? { error: errors } : { permissions };
}

/** A live key already has the name: store NAME-2, NAME-3, ... (one more than the highest suffix). */
function uniqueKeyName(live: Key[], name: string): string {
  const names = live.map((k) => k.name).filter((n) => n === name || n.startsWith(`${name}-`));
  if (!names.includes(name)) return name;
  let max = 1;
  for (const n of names) {
    const suffix = n.slice(name.length + 1);
    if (/^[+-]?\d+$/.test(suffix)) max = Math.max(max, Number(suffix));
  }
  return `${name}-${max + 1}`;
}

function deleteKey(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { required: true, domains: [["api", "write"]], checks: [organizationAccessCheck("write")] });
  requireOrganizationPath(ctx);
  const { state, clock } = ctx.core;
  const key = state.liveKeys(keyOwner(ctx)).find((k) => k.name === param(ctx, "name"));
  if (!key) throw notFound();
  key.revokeAt = clock.now() - 1000;
  key.updatedAt = clock.now();
  sendBody(ctx.res, 200, showKey(ctx.core, key, ctx.auth.credential), cacheHeaders("private"));
}

function deleteAllKeys(ctx: Ctx): void {
  fetchOrganization(ctx);
  authorize(ctx, { required: true, domains: [["api", "write"]], checks: [organizationAccessCheck("write")] });
  requireOrganizationPath(ctx);
  const { state, clock } = ctx.core;
  for (const key of state.liveKeys(keyOwner(ctx))) {
    key.revokeAt = clock.now() - 1000;
    key.updatedAt = clock.now();
  }
  // hex.pm renders the key that authenticated the call; with a token or a password there is none (body `null`).
  const credential = ctx.auth.credential;
  const body = credential?.kind === "key" ? showKey(ctx.core, credential.key, credential) : null;
  sendBody(ctx.res, 200, body);
}

// ---- /auth ----

function authTest(ctx: Ctx): void {
  const domain = ctx.params.domain;
  if (domain === undefined) throw badRequest('missing required parameters: "domain"');
  authorize(ctx, { required: true });
  const subject = ctx.auth.user ?? ctx.auth.organization!;
  const credential = ctx.auth.credential;
  const resource = typeof ctx.params.resource === "string" ? ctx.params.resource : null;
  if (typeof domain !== "string" || !credential) throw unauthorized("key not authorized for this action");
  // As on hex.pm, a `package` check gets the resource as text here, so only whole-API grants pass it.
  if (!verifyAccess(credential, domain, resource)) throw unauthorized("key not authorized for this action");
  const access = verifyUserAccess(ctx.core, subject, domain, resource);
  if (!access.ok) throw failure("auth");
  if (access.organization && access.organization.id !== HEXPM_ORG_ID && !access.organization.billingActive) {
    throw failure({ auth: "organization has no active billing subscription" });
  }
  if (credential.kind === "token") {
    sendEmpty(ctx.res, 204);
    return;
  }
  const key = credential.key;
  const owner =
    key.organizationId !== null
      ? { type: "organization", name: ctx.core.state.organizations.get(key.organizationId)!.name }
      : { type: "user", name: ctx.core.state.userById(key.userId)!.username };
  sendBody(ctx.res, 200, { key: { name: key.name, owner } });
}

// ---- /short_url (optional in hex.pm's API; kept minimal) ----

function shortUrl(ctx: Ctx): void {
  const url = ctx.params.url;
  if (typeof url !== "string" || url === "") throw validationFailed({ url: "can't be blank" });
  const code = randomHex(3);
  ctx.core.state.shortUrls.set(code, url);
  sendBody(ctx.res, 201, { url: `${ctx.core.url}/l/${code}` });
}
