// Package owners (HEX_PROTOCOL.md §4.9).
import { z } from "zod";
import type { CallOptions, HexClient } from "./http.js";
import { repositoryLabel, type RepositoryScope } from "./packages.js";
import { formSeg, repoPrefix, seg } from "./paths.js";
import { Timestamp } from "./schemas.js";

export type OwnerLevel = "full" | "maintainer";

export const OwnerSchema = z.looseObject({
  username: z.string(),
  full_name: z.string().nullish(),
  email: z.string().nullish(),
  handles: z.record(z.string(), z.string()).nullish(),
  url: z.string().nullish(),
  inserted_at: Timestamp.nullish(),
  updated_at: Timestamp.nullish(),
  /** `full` or `maintainer`. */
  level: z.string(),
});
export type Owner = z.output<typeof OwnerSchema>;

function ownersPath(pkg: string, scope: RepositoryScope): string {
  return `${repoPrefix(scope.repository)}packages/${seg(pkg)}/owners`;
}

export function listOwners(
  client: HexClient,
  pkg: string,
  scope: RepositoryScope = {},
  call: CallOptions = {},
): Promise<Owner[]> {
  return client.json(z.array(OwnerSchema), {
    path: ownersPath(pkg, scope),
    notFound: `package "${pkg}" does not exist in ${repositoryLabel(scope.repository, client.apiUrl)}`,
    ...call,
  });
}

export function getOwner(
  client: HexClient,
  pkg: string,
  user: string,
  scope: RepositoryScope = {},
  call: CallOptions = {},
): Promise<Owner> {
  return client.json(OwnerSchema, {
    path: `${ownersPath(pkg, scope)}/${formSeg(user)}`,
    notFound: `"${user}" is not an owner of ${pkg}`,
    ...call,
  });
}

export interface AddOwnerOptions extends RepositoryScope {
  /** Default `full`. */
  level?: OwnerLevel;
  /** Make USER the only owner (the only way to give a package to an organization). */
  transfer?: boolean;
}

/** Adds (or re-levels) an owner. Repeating it gives the same state, so it is retried like a read. */
export async function addOwner(
  client: HexClient,
  pkg: string,
  user: string,
  o: AddOwnerOptions = {},
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "PUT",
    path: `${ownersPath(pkg, o)}/${formSeg(user)}`,
    json: { level: o.level ?? "full", transfer: o.transfer === true },
    idempotent: true,
    notFound: `package "${pkg}" or user "${user}" does not exist`,
    ...call,
  });
}

export async function removeOwner(
  client: HexClient,
  pkg: string,
  user: string,
  scope: RepositoryScope = {},
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "DELETE",
    path: `${ownersPath(pkg, scope)}/${formSeg(user)}`,
    notFound: `package "${pkg}" or user "${user}" does not exist`,
    checkHint: `run \`hexts owner list ${pkg}\` to see whether "${user}" is still an owner`,
    ...call,
  });
}
