// JSON renderings of the API resources, field for field as hex.pm's API views.
import semver from "semver";
import { isoTime } from "./clock.js";
import type { Core, Credential } from "./context.js";
import { HEXPM, type Key, type Organization, type Package, type Release, type User } from "./state.js";

const enc = encodeURIComponent;

export function packageUrl(core: Core, pkg: { repository: string; name: string }): string {
  return pkg.repository === HEXPM
    ? `${core.apiUrl}/packages/${enc(pkg.name)}`
    : `${core.apiUrl}/repos/${enc(pkg.repository)}/packages/${enc(pkg.name)}`;
}

function packageHtmlUrl(core: Core, pkg: Package): string {
  return pkg.repository === HEXPM
    ? `${core.url}/packages/${enc(pkg.name)}`
    : `${core.url}/packages/${enc(pkg.repository)}/${enc(pkg.name)}`;
}

/** Inferred: hex.pm points at hexdocs.pm; this server has no docs site, so it names a local path of the same shape. */
function docsHtmlUrl(core: Core, pkg: Package, version: string | null): string {
  const base =
    pkg.repository === HEXPM
      ? `${core.url}/docs/${enc(pkg.name)}`
      : `${core.url}/docs/${enc(pkg.repository)}/${enc(pkg.name)}`;
  return version === null ? `${base}/` : `${base}/${version}/`;
}

export function docsTarballUrl(core: Core, pkg: Package, version: string): string {
  const prefix = pkg.repository === HEXPM ? core.repoUrl : `${core.repoUrl}/repos/${enc(pkg.repository)}`;
  return `${prefix}/docs/${enc(pkg.name)}-${enc(version)}.tar.gz`;
}

function userUrl(core: Core, user: User): string {
  return `${core.apiUrl}/users/${enc(user.username)}`;
}

/** UserView "minimal" */
export function minimalUser(core: Core, user: User): Record<string, unknown> {
  const out: Record<string, unknown> = { username: user.username, url: userUrl(core, user) };
  if (user.email !== null) out.email = user.email;
  return out;
}

/** UserView "show"; `packages` given when the owned packages are loaded (me, users/NAME). */
export function showUser(core: Core, user: User, packages?: Package[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    username: user.username,
    full_name: user.fullName,
    handles: {},
    url: userUrl(core, user),
    inserted_at: isoTime(user.insertedAt),
    updated_at: isoTime(user.updatedAt),
  };
  if (user.email !== null) out.email = user.email;
  if (packages) {
    const sorted = [...packages].sort(
      (a, b) => repoSort(a.repository).localeCompare(repoSort(b.repository)) || a.name.localeCompare(b.name),
    );
    out.owned_packages = Object.fromEntries(sorted.map((p) => [p.name, packageUrl(core, p)]));
    out.packages = sorted.map((p) => ({
      name: p.name,
      repository: p.repository,
      url: packageUrl(core, p),
      html_url: packageHtmlUrl(core, p),
    }));
  }
  return out;
}

const repoSort = (repository: string): string => (repository === HEXPM ? "" : repository);

export function showKey(
  core: Core,
  key: Key,
  authing: Credential | null,
  secret: string | null = null,
): Record<string, unknown> {
  return {
    name: key.name,
    authing_key: authing?.kind === "key" && authing.key.id === key.id,
    secret,
    permissions: key.permissions.map((p) => ({ domain: p.domain, resource: p.resource })),
    revoke_at: key.revokeAt === null ? null : isoTime(key.revokeAt),
    inserted_at: isoTime(key.insertedAt),
    updated_at: isoTime(key.updatedAt),
    url: `${core.apiUrl}/keys/${enc(key.name)}`,
    last_use: key.lastUse && {
      used_at: isoTime(key.lastUse.usedAt),
      ip: key.lastUse.ip,
      user_agent: key.lastUse.userAgent,
    },
  };
}

export function listOrganization(org: Organization): Record<string, unknown> {
  return {
    name: org.name,
    billing_active: org.billingActive,
    inserted_at: isoTime(org.insertedAt),
    updated_at: isoTime(org.updatedAt),
  };
}

export function showOrganization(org: Organization): Record<string, unknown> {
  return { ...listOrganization(org), seats: org.seats };
}

export function sortedReleases(pkg: Package): Release[] {
  return [...pkg.releases].sort((a, b) => semver.rcompare(a.version, b.version));
}

function latest(releases: Release[], stableOnly: boolean): Release | undefined {
  return releases.find((r) => !stableOnly || semver.prerelease(r.version) === null);
}

function configs(pkg: Package, release: Release | undefined): Record<string, string> | null {
  if (!release) return null;
  const v = semver.parse(release.version)!;
  const pre = v.prerelease.length ? `-${v.prerelease.join(".")}` : "";
  const mixVersion = v.prerelease.length
    ? `~> ${v.major}.${v.minor}.${v.patch}${pre}`
    : v.major === 0
      ? `~> 0.${v.minor}.${v.patch}`
      : `~> ${v.major}.${v.minor}`;
  const exact = `${v.major}.${v.minor}.${v.patch}${pre}`;
  const app = release.meta.app || pkg.name;
  const org = pkg.repository === HEXPM ? "" : `, organization: ${JSON.stringify(pkg.repository)}`;
  const mixApp = /^[a-z_][a-zA-Z0-9_]*$/.test(app) ? `:${app}` : `:${JSON.stringify(app)}`;
  const erlApp = /^[a-z][a-zA-Z0-9_@]*$/.test(app) ? app : `'${app}'`;
  return {
    "mix.exs":
      app === pkg.name
        ? `{:${pkg.name}, "${mixVersion}"${org}}`
        : `{${mixApp}, "${mixVersion}", hex: :${pkg.name}${org}}`,
    "rebar.config": app === pkg.name ? `{${pkg.name}, "${exact}"}` : `{${erlApp}, "${exact}", {pkg, ${pkg.name}}}`,
    "erlang.mk": `dep_${pkg.name} = hex ${exact}`,
  };
}

/** PackageView "show"; `owners` only on the single-package endpoint. */
export function showPackage(core: Core, pkg: Package, owners?: User[]): Record<string, unknown> {
  const releases = sortedReleases(pkg);
  const latestAny = latest(releases, false);
  const latestStable = latest(releases, true);
  const out: Record<string, unknown> = {
    repository: pkg.repository,
    name: pkg.name,
    inserted_at: isoTime(pkg.insertedAt),
    updated_at: isoTime(pkg.updatedAt),
    url: packageUrl(core, pkg),
    html_url: packageHtmlUrl(core, pkg),
    docs_html_url: releases.some((r) => r.hasDocs) ? docsHtmlUrl(core, pkg, null) : null,
    latest_version: latestAny?.version ?? null,
    latest_stable_version: latestStable?.version ?? null,
    configs: configs(pkg, latestStable ?? latestAny),
    meta: {
      description: pkg.meta.description,
      licenses: pkg.meta.licenses,
      links: pkg.meta.links,
      maintainers: pkg.meta.maintainers,
    },
    releases: releases.map((r) => ({
      version: r.version,
      url: releaseUrl(core, pkg, r.version),
      has_docs: r.hasDocs,
      inserted_at: isoTime(r.insertedAt),
    })),
    retirements: Object.fromEntries(
      releases
        .filter((r) => r.retirement)
        .map((r) => [r.version, { reason: r.retirement!.reason, message: r.retirement!.message }]),
    ),
    security_advisories: [],
    downloads: pkg.downloads,
  };
  if (owners) out.owners = owners.map((u) => minimalUser(core, u));
  return out;
}

function releaseUrl(core: Core, pkg: Package, version: string): string {
  return `${packageUrl(core, pkg)}/releases/${enc(version)}`;
}

/** ReleaseView "show" */
export function showRelease(core: Core, pkg: Package, release: Release): Record<string, unknown> {
  const publisher = core.state.userById(release.publisherId);
  const requirements = [...release.requirements].sort(
    (a, b) => a.repository.localeCompare(b.repository) || a.name.localeCompare(b.name),
  );
  return {
    version: release.version,
    checksum: release.outerChecksum,
    has_docs: release.hasDocs,
    inserted_at: isoTime(release.insertedAt),
    updated_at: isoTime(release.updatedAt),
    retirement: release.retirement && { message: release.retirement.message, reason: release.retirement.reason },
    package_url: packageUrl(core, pkg),
    url: releaseUrl(core, pkg, release.version),
    html_url: `${packageHtmlUrl(core, pkg)}/${enc(release.version)}`,
    docs_html_url: release.hasDocs ? docsHtmlUrl(core, pkg, release.version) : null,
    requirements: Object.fromEntries(
      requirements.map((r) => [r.name, { app: r.app, requirement: r.requirement, optional: r.optional }]),
    ),
    configs: configs(pkg, release),
    meta: { app: release.meta.app, build_tools: [...new Set(release.meta.buildTools)], elixir: release.meta.elixir },
    downloads: 0,
    publisher: publisher ? minimalUser(core, publisher) : null,
    security_advisories: [],
  };
}
