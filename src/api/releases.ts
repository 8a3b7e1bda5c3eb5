// Releases: read one, publish a tarball, revert (HEX_PROTOCOL.md §4.4-4.6).
import { z } from "zod";
import { parseBody, type CallOptions, type HexClient } from "./http.js";
import { repositoryLabel, type RepositoryScope } from "./packages.js";
import { repoPrefix, seg } from "./paths.js";
import { RetirementSchema, Timestamp, UserRefSchema } from "./schemas.js";

export const RequirementSchema = z.looseObject({
  app: z.string().nullish(),
  requirement: z.string(),
  optional: z.boolean(),
});

export const ReleaseSchema = z.looseObject({
  version: z.string(),
  /** Outer checksum, 64 lowercase hex characters. */
  checksum: z.string(),
  has_docs: z.boolean(),
  url: z.string(),
  package_url: z.string().nullish(),
  html_url: z.string().nullish(),
  docs_html_url: z.string().nullish(),
  meta: z
    .looseObject({ app: z.string().nullish(), build_tools: z.array(z.string()).nullish(), elixir: z.string().nullish() })
    .nullish(),
  /** Dependency name -> requirement. */
  requirements: z.record(z.string(), RequirementSchema).nullish(),
  retirement: RetirementSchema.nullish(),
  publisher: UserRefSchema.nullish(),
  /** A total, or [day, count] pairs. */
  downloads: z.union([z.number(), z.array(z.tuple([z.string(), z.number()]))]).nullish(),
  configs: z.record(z.string(), z.string()).nullish(),
  inserted_at: Timestamp,
  updated_at: Timestamp,
});
export type Release = z.output<typeof ReleaseSchema>;

function releasePath(name: string, version: string, scope: RepositoryScope): string {
  return `${repoPrefix(scope.repository)}packages/${seg(name)}/releases/${seg(version)}`;
}

export function getRelease(client: HexClient, name: string, version: string, scope: RepositoryScope = {}, call: CallOptions = {}): Promise<Release> {
  return client.json(ReleaseSchema, {
    path: releasePath(name, version, scope),
    notFound: `release ${name} ${version} does not exist in ${repositoryLabel(scope.repository)}`,
    ...call,
  });
}

export interface PublishOptions extends RepositoryScope {
  /** The package name from the tarball's metadata; omitted: POST /publish, where the server reads it. */
  name?: string;
  /** Overwrite an existing version (within the server's mutability window). Always sent. */
  replace: boolean;
  onProgress?: (sent: number, total: number) => void;
}

export interface PublishResult {
  release: Release;
  /** 201: a new release; false: an existing one was replaced (200). */
  created: boolean;
}

/** Uploads a package tarball. Never re-sent automatically: a broken connection reports an unknown outcome. */
export async function publishRelease(client: HexClient, tarball: Uint8Array, o: PublishOptions, call: CallOptions = {}): Promise<PublishResult> {
  const prefix = repoPrefix(o.repository);
  const path = o.name ? `${prefix}packages/${seg(o.name)}/releases` : `${prefix}publish`;
  const res = await client.request({
    method: "POST",
    path,
    query: { replace: o.replace },
    body: tarball,
    contentType: "application/octet-stream",
    onProgress: o.onProgress,
    checkHint: o.name
      ? `look at the package page or run \`hexts search ${o.name}\` to see whether the release is there before publishing again (add --replace if it is)`
      : "look at the package page to see whether the release is there before publishing again (add --replace if it is)",
    ...call,
  });
  return { release: parseBody(ReleaseSchema, res, "POST"), created: res.status === 201 };
}

/** Reverts (deletes) a release; reverting the last one deletes the package. */
export async function deleteRelease(client: HexClient, name: string, version: string, scope: RepositoryScope = {}, call: CallOptions = {}): Promise<void> {
  await client.request({
    method: "DELETE",
    path: releasePath(name, version, scope),
    notFound: `release ${name} ${version} does not exist in ${repositoryLabel(scope.repository)}`,
    checkHint: `look up ${name} ${version} to see whether it is still there`,
    ...call,
  });
}
