// Package owners (HEX_PROTOCOL.md §4.9).
import { z } from "zod";
import type { CallOptions, HexClient } from "./http.js";
import { clientRepositoryLabel } from "./packages.js";
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

function ownersPath(client: HexClient, pkg: string): string {
  return `${repoPrefix(client.repo)}packages/${seg(pkg)}/owners`;
}

export function listOwners(client: HexClient, pkg: string, call: CallOptions = {}): Promise<Owner[]> {
  return client.json(z.array(OwnerSchema), {
    path: ownersPath(client, pkg),
    notFound: `package "${pkg}" does not exist in ${clientRepositoryLabel(client)}`,
    ...call,
  });
}

export function getOwner(client: HexClient, pkg: string, user: string, call: CallOptions = {}): Promise<Owner> {
  return client.json(OwnerSchema, {
    path: `${ownersPath(client, pkg)}/${formSeg(user)}`,
    notFound: `"${user}" is not an owner of ${pkg}`,
    ...call,
  });
}

export interface AddOwnerOptions {
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
    path: `${ownersPath(client, pkg)}/${formSeg(user)}`,
    json: { level: o.level ?? "full", transfer: o.transfer === true },
    idempotent: true,
    notFound: `package "${pkg}" or user "${user}" does not exist`,
    ...call,
  });
}

export async function removeOwner(client: HexClient, pkg: string, user: string, call: CallOptions = {}): Promise<void> {
  await client.request({
    method: "DELETE",
    path: `${ownersPath(client, pkg)}/${formSeg(user)}`,
    notFound: `package "${pkg}" or user "${user}" does not exist`,
    check: { look: "owners", package: pkg, purpose: `to see whether "${user}" is still an owner` },
    ...call,
  });
}
