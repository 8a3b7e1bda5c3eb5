// Release documentation: upload, remove, locate (HEX_PROTOCOL.md §4.7).
import type { CallOptions, HexClient } from "./http.js";
import { header } from "./headers.js";
import { clientRepositoryLabel } from "./packages.js";
import { repoPrefix, seg } from "./paths.js";

function docsPath(client: HexClient, pkg: string, version: string): string {
  return `${repoPrefix(client.repo)}packages/${seg(pkg)}/releases/${seg(version)}/docs`;
}

export interface PublishDocsOptions {
  onProgress?: (sent: number, total: number) => void;
}

/** Uploads a docs tarball for an existing release; returns where the repository serves it (`location`). */
export async function publishDocs(
  client: HexClient,
  pkg: string,
  version: string,
  tarball: Uint8Array,
  o: PublishDocsOptions = {},
  call: CallOptions = {},
): Promise<{ location?: string }> {
  const res = await client.request({
    method: "POST",
    path: docsPath(client, pkg, version),
    body: tarball,
    contentType: "application/octet-stream",
    onProgress: o.onProgress,
    notFound:
      `release ${pkg} ${version} does not exist in ${clientRepositoryLabel(client)} ` +
      "(publish the package before its docs)",
    checkHint:
      `look at the docs of ${pkg} ${version} to see whether they were published ` +
      "(uploading them again is harmless)",
    ...call,
  });
  return { location: header(res.headers, "location") };
}

export async function deleteDocs(
  client: HexClient,
  pkg: string,
  version: string,
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "DELETE",
    path: docsPath(client, pkg, version),
    idempotent: true,
    notFound: `release ${pkg} ${version} does not exist in ${clientRepositoryLabel(client)}`,
    ...call,
  });
}

/** The URL of the release's docs tarball on the repository, or undefined on a 404 (no docs, or no such release). */
export async function docsTarballUrl(
  client: HexClient,
  pkg: string,
  version: string,
  call: CallOptions = {},
): Promise<string | undefined> {
  const res = await client.request({
    path: docsPath(client, pkg, version),
    followRedirects: false,
    okStatuses: [301, 302, 303, 307, 308, 404],
    ...call,
  });
  return res.status === 404 ? undefined : header(res.headers, "location");
}
