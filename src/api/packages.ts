// Packages: search/list, one package, audit log (HEX_PROTOCOL.md §4.4).
import { z } from "zod";
import type { CallOptions, HexClient } from "./http.js";
import { isHexpmApi, type RepoRef } from "../repository.js";
import { repoPrefix, seg } from "./paths.js";
import { AuditLogSchema, RetirementSchema, Timestamp, UserRefSchema, type AuditLog } from "./schemas.js";

export const PackageReleaseRefSchema = z.looseObject({
  version: z.string(),
  url: z.string().nullish(),
  has_docs: z.boolean().nullish(),
  inserted_at: Timestamp.nullish(),
});

export const PackageMetaSchema = z.looseObject({
  description: z.string().nullish(),
  licenses: z.array(z.string()).nullish(),
  links: z.record(z.string(), z.string()).nullish(),
  maintainers: z.array(z.string()).nullish(),
});

export const PackageSchema = z.looseObject({
  name: z.string(),
  repository: z.string(),
  url: z.string(),
  html_url: z.string().nullish(),
  /** Null when no release has docs. */
  docs_html_url: z.string().nullish(),
  latest_version: z.string().nullish(),
  latest_stable_version: z.string().nullish(),
  meta: PackageMetaSchema,
  downloads: z.record(z.string(), z.number()).nullish(),
  releases: z.array(PackageReleaseRefSchema).nullish(),
  /** Version -> retirement. */
  retirements: z.record(z.string(), RetirementSchema).nullish(),
  /** Not in list responses. */
  owners: z.array(UserRefSchema).nullish(),
  configs: z.record(z.string(), z.string()).nullish(),
  inserted_at: Timestamp,
  updated_at: Timestamp,
});
export type Package = z.output<typeof PackageSchema>;

export type PackageSort = "name" | "recent_downloads" | "total_downloads" | "downloads" | "inserted_at" | "updated_at";

export interface PackageQuery {
  /** Free text and filters (`name:foo*`, `depends:plug`, ...). */
  search?: string;
  sort?: PackageSort;
  /** 1-based. */
  page?: number;
  /** At most 100. */
  perPage?: number;
}

/**
 * How messages name where a package lives: `hexpm` or `hexpm:ORG` on hex.pm's API, else the server itself
 * (`the server at URL`): a self-hosted server is not hexpm, whatever repository name it uses inside.
 */
export function repositoryLabel(repo: RepoRef, apiUrl?: string): string {
  const org = repo.organization;
  if (apiUrl !== undefined && !isHexpmApi(apiUrl))
    return org ? `repository ${org} of the server at ${apiUrl}` : `the server at ${apiUrl}`;
  return org ? `hexpm:${org}` : "hexpm";
}

/** Where the client's calls go, for messages (repositoryLabel of its repository and API). */
export function clientRepositoryLabel(client: HexClient): string {
  return repositoryLabel(client.repo, client.apiUrl);
}

/** One page of packages of the client's repository; a page shorter than the page size is the last. */
export function searchPackages(client: HexClient, q: PackageQuery = {}, call: CallOptions = {}): Promise<Package[]> {
  return client.json(z.array(PackageSchema), {
    path: `${repoPrefix(client.repo)}packages`,
    query: { search: q.search, sort: q.sort, page: q.page, per_page: q.perPage },
    ...call,
  });
}

export function getPackage(client: HexClient, name: string, call: CallOptions = {}): Promise<Package> {
  return client.json(PackageSchema, {
    path: `${repoPrefix(client.repo)}packages/${seg(name)}`,
    notFound: `package "${name}" does not exist in ${clientRepositoryLabel(client)} (or is not visible to you)`,
    ...call,
  });
}

export function listPackageAuditLogs(
  client: HexClient,
  name: string,
  opts: { page?: number } = {},
  call: CallOptions = {},
): Promise<AuditLog[]> {
  return client.json(z.array(AuditLogSchema), {
    path: `${repoPrefix(client.repo)}packages/${seg(name)}/audit-logs`,
    query: { page: opts.page },
    ...call,
  });
}
