// Releases: read one, publish a tarball, revert (HEX_PROTOCOL.md §4.4-4.6).
import { z } from "zod";
import { replyMap, replyText } from "./body.js";
import { ApiError } from "./errors.js";
import type { CallOptions, HexClient } from "./http.js";
import { clientRepositoryLabel } from "./packages.js";
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
    .looseObject({
      app: z.string().nullish(),
      build_tools: z.array(z.string()).nullish(),
      elixir: z.string().nullish(),
    })
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

function releasePath(client: HexClient, name: string, version: string): string {
  return `${repoPrefix(client.repo)}packages/${seg(name)}/releases/${seg(version)}`;
}

export function getRelease(client: HexClient, name: string, version: string, call: CallOptions = {}): Promise<Release> {
  return client.json(ReleaseSchema, {
    path: releasePath(client, name, version),
    notFound: `release ${name} ${version} does not exist in ${clientRepositoryLabel(client)}`,
    ...call,
  });
}

export interface PublishOptions {
  /** The package name from the tarball's metadata; omitted: POST /publish, where the server reads it. */
  name?: string;
  /** Overwrite an existing version (within the server's mutability window). Always sent. */
  replace: boolean;
  onProgress?: (sent: number, total: number) => void;
}

/** What a publish reply said, as far as it could be read. */
export interface PublishedRelease {
  version?: string;
  /** The outer checksum the server computed (hex.pm: 64 lowercase hex characters). */
  checksum?: string;
  /** The release's API URL (hex.pm), or whatever `url` a smaller server answers (MiniRepo: its own URL). */
  url?: string;
  html_url?: string;
}

export interface PublishResult {
  release: PublishedRelease;
  /** 201: a new release; false: an existing one was replaced (200), or a server that does not say (other 2xx). */
  created: boolean;
  /** False when the 2xx reply was not a map hexts could read (empty, text, broken): the release is published anyway. */
  replyReadable: boolean;
}

/**
 * Uploads a package tarball. A 2xx answer is a success whatever its body: only the fields a caller shows are
 * read, each on its own (hex.pm answers the release, MiniRepo only `{url}`). POSTs to `packages/NAME/releases`,
 * the path of mix's `Hex.API.Release.new/5` and of hex_core's `hex_api_release:publish/3` since 0.12.0, and when
 * that path is a 404, once more to `publish`: the path of hex_core up to 0.11 (`build_repository_path(Config,
 * ["publish"])`), the only one MiniRepo has; hex.pm routes both. Never re-sent otherwise: a broken connection
 * reports an unknown outcome.
 */
export async function publishRelease(
  client: HexClient,
  tarball: Uint8Array,
  o: PublishOptions,
  call: CallOptions = {},
): Promise<PublishResult> {
  const prefix = repoPrefix(client.repo);
  const send = (path: string) =>
    client.request({
      method: "POST",
      path,
      query: { replace: o.replace },
      body: tarball,
      contentType: "application/octet-stream",
      onProgress: o.onProgress,
      check: {
        look: "release",
        package: o.name ?? "",
        purpose: "to see whether the release is there before publishing again (add --replace if it is)",
      },
      ...call,
    });
  let res;
  if (o.name) {
    try {
      res = await send(`${prefix}packages/${seg(o.name)}/releases`);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      res = await send(`${prefix}publish`);
    }
  } else {
    res = await send(`${prefix}publish`);
  }
  const reply = replyMap(res.body);
  const release: PublishedRelease = {};
  for (const field of ["version", "checksum", "url", "html_url"] as const) {
    const value = replyText(reply, field);
    if (value !== undefined) release[field] = value;
  }
  return { release, created: res.status === 201, replyReadable: reply !== undefined };
}

/** Reverts (deletes) a release; reverting the last one deletes the package. */
export async function deleteRelease(
  client: HexClient,
  name: string,
  version: string,
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "DELETE",
    path: releasePath(client, name, version),
    notFound: `release ${name} ${version} does not exist in ${clientRepositoryLabel(client)}`,
    checkHint: `look up ${name} ${version} to see whether it is still there`,
    ...call,
  });
}
