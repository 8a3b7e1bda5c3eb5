// Organizations, their members and the repositories list (HEX_PROTOCOL.md §4.3). One organization's
// resources are those of the client's repository (`hexpm:ORG`, as hex_core's `api_organization`).
import { z } from "zod";
import { HextsError } from "../errors.js";
import type { CallOptions, HexClient } from "./http.js";
import { orgPrefix, organizationOf, seg } from "./paths.js";
import { AuditLogSchema, Timestamp, type AuditLog } from "./schemas.js";

export const OrganizationSchema = z.looseObject({
  name: z.string(),
  billing_active: z.boolean(),
  inserted_at: Timestamp,
  updated_at: Timestamp,
  /** Only from GET /orgs/ORG. */
  seats: z.number().nullish(),
});
export type Organization = z.output<typeof OrganizationSchema>;

export type MemberRole = "admin" | "write" | "read";

export const MemberSchema = z.looseObject({
  username: z.string(),
  email: z.string().nullish(),
  url: z.string().nullish(),
  role: z.string(),
});
export type Member = z.output<typeof MemberSchema>;

export const RepositorySchema = z.looseObject({
  name: z.string(),
  inserted_at: Timestamp,
  updated_at: Timestamp,
});
export type Repository = z.output<typeof RepositorySchema>;

/** The client's organization and its `orgs/ORG/` prefix; a client for a repository without one is a usage error. */
function org(client: HexClient): { name: string; prefix: string } {
  const name = client.repo.organization;
  if (!name)
    throw new HextsError(
      "USAGE",
      `This needs a client for an organization's repository (e.g. repo hexpm:acme), not ${client.repo.repository}.`,
    );
  return { name, prefix: orgPrefix(client.repo) };
}

/** The organizations the caller belongs to. */
export function listOrganizations(client: HexClient, call: CallOptions = {}): Promise<Organization[]> {
  return client.json(z.array(OrganizationSchema), { path: "orgs", ...call });
}

/** The client's organization. */
export async function getOrganization(client: HexClient, call: CallOptions = {}): Promise<Organization> {
  const { name, prefix } = org(client);
  return client.json(OrganizationSchema, {
    path: prefix.slice(0, -1),
    notFound: `organization "${name}" does not exist or you are not a member`,
    ...call,
  });
}

/** Changes the number of seats (422 below the member count). */
export async function updateOrganization(
  client: HexClient,
  update: { seats: number },
  call: CallOptions = {},
): Promise<Organization> {
  return client.json(OrganizationSchema, {
    method: "POST",
    path: org(client).prefix.slice(0, -1),
    json: { seats: update.seats },
    ...call,
  });
}

export async function listMembers(client: HexClient, call: CallOptions = {}): Promise<Member[]> {
  return client.json(z.array(MemberSchema), { path: `${org(client).prefix}members`, ...call });
}

export async function getMember(client: HexClient, username: string, call: CallOptions = {}): Promise<Member> {
  const { name, prefix } = org(client);
  return client.json(MemberSchema, {
    path: `${prefix}members/${seg(username)}`,
    notFound: `"${username}" is not a member of ${name}`,
    ...call,
  });
}

/** Adds a user (name or email) to the organization with a role. */
export async function addMember(
  client: HexClient,
  m: { name: string; role: MemberRole },
  call: CallOptions = {},
): Promise<Member> {
  const { name, prefix } = org(client);
  return client.json(MemberSchema, {
    method: "POST",
    path: `${prefix}members`,
    json: { name: m.name, role: m.role },
    checkHint: `list the members of ${name} to see whether "${m.name}" was added`,
    ...call,
  });
}

export async function updateMember(
  client: HexClient,
  username: string,
  u: { role: MemberRole },
  call: CallOptions = {},
): Promise<Member> {
  const { name, prefix } = org(client);
  return client.json(MemberSchema, {
    method: "POST",
    path: `${prefix}members/${seg(username)}`,
    json: { role: u.role },
    checkHint: `list the members of ${name} to see the current role of "${username}"`,
    ...call,
  });
}

export async function removeMember(client: HexClient, username: string, call: CallOptions = {}): Promise<void> {
  const { name, prefix } = org(client);
  await client.request({
    method: "DELETE",
    path: `${prefix}members/${seg(username)}`,
    notFound: `"${username}" is not a member of ${name}`,
    checkHint: `list the members of ${name} to see whether "${username}" is still there`,
    ...call,
  });
}

export async function listOrganizationAuditLogs(
  client: HexClient,
  opts: { page?: number } = {},
  call: CallOptions = {},
): Promise<AuditLog[]> {
  return client.json(z.array(AuditLogSchema), {
    path: `${org(client).prefix}audit-logs`,
    query: { page: opts.page },
    ...call,
  });
}

/** The public repository plus the caller's organization repositories. */
export function listRepositories(client: HexClient, call: CallOptions = {}): Promise<Repository[]> {
  return client.json(z.array(RepositorySchema), { path: "repos", ...call });
}

export function getRepository(client: HexClient, name: string, call: CallOptions = {}): Promise<Repository> {
  const repo = organizationOf(name) ?? "hexpm";
  return client.json(RepositorySchema, {
    path: `repos/${seg(repo)}`,
    notFound: `repository "${name}" does not exist or is not visible to you`,
    ...call,
  });
}
