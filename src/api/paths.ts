// API paths: URL joining, segment encoding and the two organization prefixes (HEX_PROTOCOL.md §2.5).
import { HextsError } from "../errors.js";
import { parseOrganization, type RepoRef } from "../repository.js";

/**
 * The organization of a repository name: `hexpm` or nothing -> undefined (the public repository),
 * `hexpm:acme` or `acme` -> `acme`.
 */
export function organizationOf(repository: string | undefined): string | undefined {
  if (repository === undefined || repository === "" || repository === "hexpm") return undefined;
  return parseOrganization(repository);
}

/** Prefix of package-level resources in an organization's repository: `repos/ORG/`, or "" for hexpm. */
export function repoPrefix(repo: RepoRef): string {
  return repo.organization ? `repos/${seg(repo.organization)}/` : "";
}

/** Prefix of organization administration (keys, members): `orgs/ORG/`, or "" for the caller's own. */
export function orgPrefix(repo: RepoRef): string {
  return repo.organization ? `orgs/${seg(repo.organization)}/` : "";
}

/** One path segment (package name, version, user or email, key name), percent-encoded. */
export function seg(value: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new HextsError("USAGE", `Invalid name in an API path: "${value}"`);
  }
  // `+` (build metadata, emails) becomes %2B: the server form-decodes segments, so a literal + would be a space.
  return encodeURIComponent(value);
}

/**
 * A segment the server decodes twice: the owner endpoints percent-decode the path (Phoenix) and then
 * form-decode the name again (hexpm's OwnerController), where `+` means space. Encoding twice makes
 * `ana+hex@x.io` arrive intact.
 */
export function formSeg(value: string): string {
  return encodeURIComponent(seg(value));
}

/** Joins the API base and a relative path (`packages/foo`), with one slash and no trailing slash on the base. */
export function joinUrl(
  apiUrl: string,
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): string {
  const base = apiUrl.replace(/\/+$/, "");
  const url = new URL(`${base}/${path.replace(/^\/+/, "")}`);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  return url.toString();
}

/** True for the OAuth endpoints, which must never receive an Authorization header. */
export function isOAuthPath(path: string): boolean {
  return /^\/*oauth(\/|$)/.test(path);
}
