// Packages, releases, publish, revert, docs, retirement and owners, bare and under /repos/ORG.
import { gunzipSync } from "node:zlib";
import { authorize, billingActive, organizationAccess, organizationAccessCheck, packageOwner } from "../auth.js";
import { param, type Ctx } from "../context.js";
import { badRequest, cacheHeaders, HttpError, notFound, sendEmpty, sendBody, validationFailed } from "../http.js";
import { publishRelease, revertRelease } from "../publish.js";
import type { Router } from "../router.js";
import { searchPackages, type SortKey } from "../search.js";
import { HEXPM, type OwnerLevel, type User } from "../state.js";
import { unpackRelease } from "../tarball.js";
import { parseVersion } from "../version.js";
import { docsTarballUrl, showPackage, showRelease, showUser } from "../views.js";

export function registerPackages(r: Router): void {
  r.addRepo("POST", "/publish", publish, { upload: true });
  r.addRepo("POST", "/packages/:name/releases", createRelease, { upload: true });
  r.addRepo("POST", "/packages/:name/releases/:version/docs", uploadDocs, { upload: true });

  r.addRepo("GET", "/packages", listPackages);
  r.addRepo("GET", "/packages/:name", showPackageRoute);
  r.addRepo("GET", "/packages/:name/releases/:version", showReleaseRoute);
  r.addRepo("DELETE", "/packages/:name/releases/:version", revert);
  r.addRepo("POST", "/packages/:name/retire", retireAll);
  r.addRepo("POST", "/packages/:name/releases/:version/retire", retire);
  r.addRepo("DELETE", "/packages/:name/releases/:version/retire", unretire);
  r.addRepo("GET", "/packages/:name/releases/:version/docs", showDocs);
  r.addRepo("DELETE", "/packages/:name/releases/:version/docs", deleteDocs);
  r.addRepo("GET", "/packages/:name/owners", listOwners);
  r.addRepo("GET", "/packages/:name/owners/:username", showOwner);
  r.addRepo("PUT", "/packages/:name/owners/:username", addOwner);
  r.addRepo("DELETE", "/packages/:name/owners/:username", removeOwner);

  r.add("GET", "/api/repos", listRepositories);
  r.add("GET", "/api/repos/:repository", showRepository);
}

// ---- fetch plugs ----

/** fetch_repository: 404 for an unknown repository. */
function fetchRepository(ctx: Ctx): void {
  const name = param(ctx, "repository");
  if (name === undefined) return;
  const org = ctx.core.state.repositoryOrganization(name);
  if (!ctx.core.state.repositoryExists(name) || !org) throw notFound();
  ctx.repository = name;
  ctx.organization = org;
}

/** maybe_fetch_package: repository and package when they exist, no 404 here. */
function maybeFetchPackage(ctx: Ctx): void {
  const { state } = ctx.core;
  const name = param(ctx, "repository") ?? HEXPM;
  if (!state.repositoryExists(name)) return;
  ctx.repository = name;
  ctx.organization = state.repositoryOrganization(name) ?? null;
  const pkgName = param(ctx, "name");
  ctx.package = (pkgName !== undefined && state.findPackage(name, pkgName)) || null;
}

/** maybe_fetch_release / fetch_release: 400 for an unparsable version; fetch_release 404s a missing release. */
function fetchRelease(ctx: Ctx, required: boolean): void {
  const version = param(ctx, "version") ?? "";
  const parsed = parseVersion(version);
  if (!parsed) throw badRequest(`invalid version: ${version}`);
  maybeFetchPackage(ctx);
  ctx.release = ctx.package?.releases.find((r) => r.version === parsed.version) ?? null;
  if (required && !ctx.release) throw notFound();
}

const writeDomains: (string | [string, string])[] = [["api", "write"], "package"];

// ---- repositories ----

function listRepositories(ctx: Ctx): void {
  authorize(ctx, { domains: [["api", "read"]] });
  const { state } = ctx.core;
  const orgs = [
    ...(ctx.auth.user ? state.organizationsOf(ctx.auth.user) : []),
    ...(ctx.auth.organization ? [ctx.auth.organization] : []),
  ];
  const hexpm = state.hexpmOrganization();
  const body = [
    { name: HEXPM, inserted_at: isoOf(hexpm.insertedAt), updated_at: isoOf(hexpm.updatedAt) },
    ...orgs
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((o) => ({ name: o.name, inserted_at: isoOf(o.insertedAt), updated_at: isoOf(o.updatedAt) })),
  ];
  sendBody(ctx.res, 200, body, cacheHeaders(ctx.auth.user ? "private" : "public"));
}

function showRepository(ctx: Ctx): void {
  fetchRepository(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  const org = ctx.organization!;
  sendBody(
    ctx.res,
    200,
    { name: ctx.repository, inserted_at: isoOf(org.insertedAt), updated_at: isoOf(org.updatedAt) },
    cacheHeaders(ctx.repository === HEXPM ? "public" : "private"),
  );
}

const isoOf = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

// ---- reading packages ----

const SORTS = ["name", "recent_downloads", "total_downloads", "inserted_at", "updated_at"];

function safeInt(value: unknown): number | null {
  return typeof value === "string" && /^[+-]?\d+$/.test(value) ? Number(value) : null;
}

function listPackages(ctx: Ctx): void {
  fetchRepository(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  const { state } = ctx.core;
  const repositories = ctx.repository
    ? [ctx.repository]
    : ctx.auth.user
      ? state.allOrganizations(ctx.auth.user).map((o) => o.name)
      : ctx.auth.organization
        ? [HEXPM, ctx.auth.organization.name]
        : [HEXPM];
  const rawSort = ctx.params.sort;
  const sortParam = rawSort === undefined ? "name" : rawSort === "downloads" ? "total_downloads" : rawSort;
  const sort = (typeof sortParam === "string" && SORTS.includes(sortParam) ? sortParam : null) as SortKey;
  const search =
    typeof ctx.params.search === "string" && ctx.params.search.trim() !== "" ? ctx.params.search.trim() : null;
  const page = Math.max(safeInt(ctx.params.page) ?? 1, 1);
  // Inferred: hex.pm caps per_page at 100; a value below 1 would be a database error there, here it means 1.
  const perPage = Math.max(Math.min(safeInt(ctx.params.per_page) ?? 100, 100), 1);
  const found = searchPackages(state.packagesIn(repositories), search, sort);
  const pageItems = found.slice((page - 1) * perPage, page * perPage);
  sendBody(
    ctx.res,
    200,
    pageItems.map((p) => showPackage(ctx.core, p)),
    cacheHeaders("public"),
  );
}

function ownersOf(ctx: Ctx, pkg: NonNullable<Ctx["package"]>): [User, OwnerLevel][] {
  return [...pkg.owners]
    .map(([id, level]) => [ctx.core.state.users.get(id)!, level] as [User, OwnerLevel])
    .filter(([user]) => user !== undefined)
    .sort((a, b) => a[0].username.localeCompare(b[0].username));
}

function showPackageRoute(ctx: Ctx): void {
  maybeFetchPackage(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  const pkg = ctx.package;
  if (!pkg) throw notFound();
  const owners = ownersOf(ctx, pkg).map(([user]) => user);
  sendBody(ctx.res, 200, showPackage(ctx.core, pkg, owners), cacheHeaders("public"));
}

function showReleaseRoute(ctx: Ctx): void {
  fetchRelease(ctx, false);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  if (!ctx.release || !ctx.package) throw notFound();
  sendBody(ctx.res, 200, showRelease(ctx.core, ctx.package, ctx.release), cacheHeaders("public"));
}

// ---- publishing ----

const releaseAuth = { required: true, domains: writeDomains, checks: [packageOwner(), billingActive] };

async function createRelease(ctx: Ctx): Promise<void> {
  maybeFetchPackage(ctx);
  authorize(ctx, releaseAuth);
  const tarball = await ctx.readUpload();
  finishPublish(ctx, tarball, param(ctx, "name"));
}

async function publish(ctx: Ctx): Promise<void> {
  const tarball = await ctx.readUpload();
  // parse_tarball: the name comes from the metadata (contents are checked when publishing).
  const parsed = unpackRelease(tarball, ctx.core.options, { contents: false });
  if ("error" in parsed) throw validationFailed({ tar: parsed.error });
  if (typeof parsed.metadata.name === "string") ctx.params.name = parsed.metadata.name;
  maybeFetchPackage(ctx);
  authorize(ctx, releaseAuth);
  finishPublish(ctx, tarball, undefined);
}

function finishPublish(ctx: Ctx, tarball: Buffer, urlName: string | undefined): void {
  const publisher = ctx.auth.user ?? ctx.core.state.userById(ctx.auth.organization?.userId ?? null);
  if (!publisher) throw new HttpError(500);
  const result = publishRelease(ctx.core, {
    repository: ctx.repository!,
    publisher,
    tarball,
    replace: ctx.params.replace,
    urlName,
  });
  const body = showRelease(ctx.core, result.pkg, result.release);
  if (result.action === "insert") {
    const location =
      `/api/packages/${encodeURIComponent(result.pkg.name)}` +
      `/releases/${encodeURIComponent(result.release.version)}`;
    sendBody(ctx.res, 201, body, { location, ...cacheHeaders("public") });
  } else {
    sendBody(ctx.res, 200, body, cacheHeaders("public"));
  }
}

function revert(ctx: Ctx): void {
  fetchRelease(ctx, true);
  authorize(ctx, releaseAuth);
  revertRelease(ctx.core, ctx.package!, ctx.release!);
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

// ---- docs ----

async function uploadDocs(ctx: Ctx): Promise<void> {
  fetchRelease(ctx, true);
  authorize(ctx, { domains: writeDomains, checks: [packageOwner(), billingActive] });
  const body = await ctx.readUpload();
  const { tarballMaxSize, tarballMaxUncompressed } = ctx.core.options;
  if (body.length > tarballMaxSize) throw validationFailed({ tar: "too big" });
  try {
    gunzipSync(body, { maxOutputLength: tarballMaxUncompressed });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw validationFailed({ tar: "too big (uncompressed)" });
    // hex.pm's inflate raises on data that is not gzip: an internal server error there too.
    throw new HttpError(500);
  }
  const release = ctx.release!;
  release.docs = body;
  release.hasDocs = true;
  sendEmpty(ctx.res, 201, {
    location: docsTarballUrl(ctx.core, ctx.package!, release.version),
    ...cacheHeaders("public"),
  });
}

function deleteDocs(ctx: Ctx): void {
  fetchRelease(ctx, true);
  authorize(ctx, { domains: writeDomains, checks: [packageOwner(), billingActive] });
  ctx.release!.docs = null;
  ctx.release!.hasDocs = false;
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

function showDocs(ctx: Ctx): void {
  fetchRelease(ctx, true);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck(), billingActive] });
  if (!ctx.release!.hasDocs) throw notFound();
  sendEmpty(ctx.res, 302, { location: docsTarballUrl(ctx.core, ctx.package!, ctx.release!.version) });
}

// ---- retirement ----

const REASONS = ["other", "invalid", "security", "deprecated", "renamed"];

function retirementOf(ctx: Ctx): { reason: string; message: string | null } {
  const { reason, message } = ctx.params;
  const errors: Record<string, string> = {};
  if (reason === undefined || reason === null || reason === "") errors.reason = "can't be blank";
  else if (typeof reason !== "string" || !REASONS.includes(reason)) errors.reason = "is invalid";
  if (message !== undefined && message !== null && message !== "") {
    if (typeof message !== "string") errors.message = "is invalid";
    else if ([...message].length < 3) errors.message = "should be at least 3 character(s)";
    else if ([...message].length > 140) errors.message = "should be at most 140 character(s)";
  }
  if (Object.keys(errors).length > 0) throw validationFailed({ retirement: errors });
  return { reason: reason as string, message: typeof message === "string" && message !== "" ? message : null };
}

function touch(ctx: Ctx): void {
  ctx.package!.updatedAt = ctx.core.clock.now();
}

function retire(ctx: Ctx): void {
  fetchRelease(ctx, false);
  authorize(ctx, { domains: writeDomains, checks: [packageOwner()] });
  if (!ctx.release) throw notFound();
  ctx.release.retirement = retirementOf(ctx);
  touch(ctx);
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

function unretire(ctx: Ctx): void {
  fetchRelease(ctx, false);
  authorize(ctx, { domains: writeDomains, checks: [packageOwner()] });
  if (!ctx.release) throw notFound();
  ctx.release.retirement = null;
  touch(ctx);
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

function retireAll(ctx: Ctx): void {
  maybeFetchPackage(ctx);
  authorize(ctx, { domains: writeDomains, checks: [packageOwner()] });
  const pkg = ctx.package;
  if (!pkg) throw notFound();
  const replace = ctx.params.replace === true || ctx.params.replace === "true";
  const retirement = retirementOf(ctx);
  for (const release of pkg.releases) if (replace || !release.retirement) release.retirement = { ...retirement };
  touch(ctx);
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

// ---- owners ----

/**
 * The owner segment is form-decoded once more after the router's percent-decoding (URI.decode_www_form in
 * hex.pm's OwnerController), so a literal `+` becomes a space and `%2B` too; only `%252B` gives a `+`.
 * Inferred: that Phoenix percent-decodes path parameters before the controller sees them.
 */
function ownerName(ctx: Ctx): string {
  const raw = param(ctx, "username") ?? "";
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw.replace(/\+/g, " ");
  }
}

function listOwners(ctx: Ctx): void {
  maybeFetchPackage(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  if (!ctx.package) throw notFound();
  const body = ownersOf(ctx, ctx.package).map(([user, level]) => ({ ...showUser(ctx.core, user), level }));
  sendBody(ctx.res, 200, body, cacheHeaders("private"));
}

function showOwner(ctx: Ctx): void {
  maybeFetchPackage(ctx);
  authorize(ctx, { domains: [["api", "read"]], checks: [organizationAccessCheck()] });
  const user = ctx.core.state.findUser(ownerName(ctx));
  const level = user && ctx.package?.owners.get(user.id);
  if (!user || !level) throw notFound();
  sendBody(ctx.res, 200, { ...showUser(ctx.core, user), level }, cacheHeaders("private"));
}

const ownerAuth = { domains: writeDomains, checks: [packageOwner("full"), billingActive] };

function addOwner(ctx: Ctx): void {
  maybeFetchPackage(ctx);
  authorize(ctx, ownerAuth);
  const pkg = ctx.package;
  if (!pkg) throw notFound();
  const { state } = ctx.core;
  const user = state.findUser(ownerName(ctx));
  if (!user) throw notFound();
  const isOrgUser = user.organizationId !== null;
  const repoOrg = state.repositoryOrganization(pkg.repository)!;
  const transfer = ctx.params.transfer === true;
  const level = ctx.params.level === undefined ? "full" : ctx.params.level;
  if (pkg.repository !== HEXPM && !organizationAccess(repoOrg, user, "read")) {
    throw validationFailed({
      username: "cannot add owner to private package when the user is not a member of the organization",
    });
  }
  if (isOrgUser && !transfer) {
    throw validationFailed({
      username: "organization ownership can only be transferred, removing all existing owners",
    });
  }
  if (isOrgUser && level !== "full") {
    throw validationFailed({ level: 'ownership level is required to be "full" for organization ownership' });
  }
  if (!isOrgUser && state.findOrganization(user.username) && user.username !== HEXPM) {
    throw validationFailed({
      username:
        "cannot add organization as owner until user account and organization is merged, " +
        "please contact support@hex.pm to manually merge accounts",
    });
  }
  const current = pkg.owners.get(user.id);
  const fullOwners = [...pkg.owners.values()].filter((l) => l === "full").length;
  if (current === "full" && level !== "full" && fullOwners === 1) {
    throw validationFailed({ username: "cannot demote the last full owner of a package" });
  }
  if (level === null || level === "") throw validationFailed({ level: "can't be blank" });
  if (level !== "full" && level !== "maintainer") throw validationFailed({ level: "is invalid" });
  if (transfer) pkg.owners.clear();
  pkg.owners.set(user.id, level);
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}

function removeOwner(ctx: Ctx): void {
  maybeFetchPackage(ctx);
  authorize(ctx, ownerAuth);
  const pkg = ctx.package;
  if (!pkg) throw notFound();
  const user = ctx.core.state.findUser(ownerName(ctx));
  if (!user) throw notFound();
  const level = pkg.owners.get(user.id);
  const fullOwners = [...pkg.owners.values()].filter((l) => l === "full").length;
  // The last-owner rules hold on hexpm only; an organization package may be left without owners.
  if (!level) throw validationFailed({ username: "user is not an owner of package" });
  if (pkg.owners.size === 1 && pkg.repository === HEXPM)
    throw validationFailed({ username: "cannot remove last owner of package" });
  if (level === "full" && fullOwners === 1 && pkg.repository === HEXPM) {
    throw validationFailed({ username: "cannot remove the last full owner of package" });
  }
  pkg.owners.delete(user.id);
  sendEmpty(ctx.res, 204, cacheHeaders("private"));
}
