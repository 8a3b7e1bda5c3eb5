// Organizations, their members and the repositories list (HEX_PROTOCOL.md §4.3).
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

/** `orgs/ORG/` for a required organization (`acme` or `hexpm:acme`). */
function org(name: string): string {
  const prefix = orgPrefix(name);
  if (!prefix) throw new HextsError("USAGE", "An organization name is required here (e.g. acme or hexpm:acme).");
  return prefix;
}

/** The organizations the caller belongs to. */
export function listOrganizations(client: HexClient, call: CallOptions = {}): Promise<Organization[]> {
  return client.json(z.array(OrganizationSchema), { path: "orgs", ...call });
}

export function getOrganization(client: HexClient, name: string, call: CallOptions = {}): Promise<Organization> {
  return client.json(OrganizationSchema, {
    path: org(name).slice(0, -1),
    notFound: `organization "${name}" does not exist or you are not a member`,
    ...call,
  });
}

/** Changes the number of seats (422 below the member count). */
export function updateOrganization(
  client: HexClient,
  name: string,
  update: { seats: number },
  call: CallOptions = {},
): Promise<Organization> {
  return client.json(OrganizationSchema, {
    method: "POST",
    path: org(name).slice(0, -1),
    json: { seats: update.seats },
    ...call,
  });
}

export function listMembers(client: HexClient, organization: string, call: CallOptions = {}): Promise<Member[]> {
  return client.json(z.array(MemberSchema), { path: `${org(organization)}members`, ...call });
}

export function getMember(
  client: HexClient,
  organization: string,
  username: string,
  call: CallOptions = {},
): Promise<Member> {
  return client.json(MemberSchema, {
    path: `${org(organization)}members/${seg(username)}`,
    notFound: `"${username}" is not a member of ${organization}`,
    ...call,
  });
}

/** Adds a user (name or email) to the organization with a role. */
export function addMember(
  client: HexClient,
  organization: string,
  m: { name: string; role: MemberRole },
  call: CallOptions = {},
): Promise<Member> {
  return client.json(MemberSchema, {
    method: "POST",
    path: `${org(organization)}members`,
    json: { name: m.name, role: m.role },
    checkHint: `list the members of ${organization} to see whether "${m.name}" was added`,
    ...call,
  });
}

export function updateMember(
  client: HexClient,
  organization: string,
  username: string,
  u: { role: MemberRole },
  call: CallOptions = {},
): Promise<Member> {
  return client.json(MemberSchema, {
    method: "POST",
    path: `${org(organization)}members/${seg(username)}`,
    json: { role: u.role },
    checkHint: `list the members of ${organization} to see the current role of "${username}"`,
    ...call,
  });
}

export async function removeMember(
  client: HexClient,
  organization: string,
  username: string,
  call: CallOptions = {},
): Promise<void> {
  await client.request({
    method: "DELETE",
    path: `${org(organization)}members/${seg(username)}`,
    notFound: `"${username}" is not a member of ${organization}`,
    checkHint: `list the members of ${organization} to see whether "${username}" is still there`,
    ...call,
  });
}

export function listOrganizationAuditLogs(
  client: HexClient,
  organization: string,
  opts: { page?: number } = {},
  call: CallOptions = {},
): Promise<AuditLog[]> {
  return client.json(z.array(AuditLogSchema), {
    path: `${org(organization)}audit-logs`,
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
