// Retiring and unretiring releases (HEX_PROTOCOL.md §4.8).
import type { CallOptions, HexClient } from "./http.js";
import { clientRepositoryLabel } from "./packages.js";
import { repoPrefix, seg } from "./paths.js";

export const RETIRE_REASONS = ["other", "invalid", "security", "deprecated", "renamed"] as const;
export type RetireReason = (typeof RETIRE_REASONS)[number];

export interface Retire {
  reason: RetireReason;
  /** 3-140 characters when given. */
  message?: string;
}

function retirePath(client: HexClient, pkg: string, version: string): string {
  return `${repoPrefix(client.repo)}packages/${seg(pkg)}/releases/${seg(version)}/retire`;
}

/**
 * The retirement as a map. Sent in Erlang's term format: MiniRepo reads retire bodies only in that format
 * (a JSON body reaches it empty), hex.pm reads both, and the official clients send it so.
 */
function retireBody(r: Retire): Record<string, string | boolean> {
  return r.message === undefined ? { reason: r.reason } : { reason: r.reason, message: r.message };
}

/** Marks a release retired (or changes its retirement). */
export async function retireRelease(
  client: HexClient,
  pkg: string,
  version: string,
  r: Retire,
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "POST",
    path: retirePath(client, pkg, version),
    erlang: retireBody(r),
    notFound: `release ${pkg} ${version} does not exist in ${clientRepositoryLabel(client)}`,
    checkHint: `look up ${pkg} ${version} to see whether it is retired`,
    ...call,
  });
}

export async function unretireRelease(
  client: HexClient,
  pkg: string,
  version: string,
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "DELETE",
    path: retirePath(client, pkg, version),
    notFound: `release ${pkg} ${version} does not exist in ${clientRepositoryLabel(client)}`,
    checkHint: `look up ${pkg} ${version} to see whether it is still retired`,
    ...call,
  });
}

/** Retires every release not yet retired (all of them with `replace`). */
export async function retireAllReleases(
  client: HexClient,
  pkg: string,
  r: Retire & { replace?: boolean },
  call: CallOptions = {},
): Promise<void> {
  const json = retireBody(r);
  if (r.replace !== undefined) json.replace = r.replace;
  await client.request({
    method: "POST",
    path: `${repoPrefix(client.repo)}packages/${seg(pkg)}/retire`,
    erlang: json,
    notFound: `package "${pkg}" does not exist in ${clientRepositoryLabel(client)}`,
    checkHint: `look up ${pkg} to see which releases are retired`,
    ...call,
  });
}
