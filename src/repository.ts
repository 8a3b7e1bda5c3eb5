// The repository identity, parsed once at the edge: `hexpm`, `hexpm:ORG` (an organization's private repository
// on hex.pm) or the name of a repository configured with `hexts repo add`. Every layer takes this type; the
// organization-name rule lives here only. config/repos.ts adds the URLs, signing key and credentials.
import { HextsError } from "./errors.js";

/** hex.pm's organization names (Hexpm.Accounts.Organization). */
export const ORGANIZATION_NAME = /^[a-z0-9_]+$/;

export interface RepoRef {
  /** `hexpm`, `hexpm:acme`, or a configured repository's name. */
  readonly repository: string;
  /** The organization of `hexpm:ORG`: API paths take the `repos/ORG/` prefix. */
  readonly organization?: string;
}

export const HEXPM: RepoRef = Object.freeze({ repository: "hexpm" });

/** `acme` or `hexpm:acme` -> `acme`; anything else is a usage error. */
export function parseOrganization(raw: string): string {
  const bare = raw.startsWith("hexpm:") ? raw.slice("hexpm:".length) : raw;
  if (!ORGANIZATION_NAME.test(bare)) {
    throw new HextsError(
      "USAGE",
      `invalid organization name "${raw}": use lowercase letters, digits and _ (e.g. acme or hexpm:acme)`,
    );
  }
  return bare;
}

/** `hexpm` or `hexpm:ORG`: a name hex.pm defines, as opposed to one a user gave a configured repository. */
export function isBuiltInRepoName(name: string): boolean {
  return name === "hexpm" || name.startsWith("hexpm:");
}

/** The repository of an organization. */
export function organizationRepo(org: string): RepoRef {
  const organization = parseOrganization(org);
  return Object.freeze({ repository: `hexpm:${organization}`, organization });
}

/** `--repo` as written: nothing or `hexpm` -> hexpm, `hexpm:ORG` -> the organization's, else a configured name. */
export function parseRepo(raw: string | undefined): RepoRef {
  if (raw === undefined || raw === "" || raw === "hexpm") return HEXPM;
  if (raw.startsWith("hexpm:")) return organizationRepo(raw);
  return Object.freeze({ repository: raw });
}

/**
 * The repository of a command from `--repo` and `--organization` (rebar3/mix spelling): `--organization acme`
 * is `hexpm:acme`; a different `--repo` alongside it is a usage error.
 */
export function targetRepo(o: { repo?: RepoRef | string; organization?: string }): RepoRef {
  const repo =
    typeof o.repo === "string" || o.repo === undefined
      ? o.repo === undefined || o.repo === ""
        ? undefined
        : parseRepo(o.repo)
      : o.repo;
  if (o.organization === undefined) return repo ?? HEXPM;
  const target = organizationRepo(o.organization);
  if (repo !== undefined && repo.repository !== "hexpm" && repo.repository !== target.repository) {
    throw new HextsError(
      "USAGE",
      `--organization ${o.organization} and --repo ${repo.repository} name different repositories; give one`,
    );
  }
  return target;
}

/** hex.pm's own API (as opposed to a self-hosted server, or HEX_API_URL pointing elsewhere). */
export function isHexpmApi(apiUrl: string): boolean {
  return /^https:\/\/hex\.pm\/api\/?$/.test(apiUrl);
}

/** hex.pm itself or one of its organizations (as opposed to a self-hosted repository). */
export function isHexpmFamily(r: RepoRef): boolean {
  return r.repository === "hexpm" || r.organization !== undefined;
}

/** How mix prints a package in messages: `acme/foo` in an organization's repository, else `foo`. */
export function packageLabel(r: Pick<RepoRef, "organization">, pkg: string): string {
  return r.organization ? `${r.organization}/${pkg}` : pkg;
}
