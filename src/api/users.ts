// Users: register, whoami, look up, audit log (HEX_PROTOCOL.md §4.1).
import { z } from "zod";
import type { CallOptions, HexClient } from "./http.js";
import { seg } from "./paths.js";
import { AuditLogSchema, Timestamp, type AuditLog } from "./schemas.js";

export const UserPackageSchema = z.looseObject({
  name: z.string(),
  repository: z.string(),
  url: z.string().nullish(),
  html_url: z.string().nullish(),
});
export type UserPackage = z.output<typeof UserPackageSchema>;

export const UserOrganizationSchema = z.looseObject({ name: z.string(), role: z.string() });

export const UserSchema = z.looseObject({
  username: z.string(),
  full_name: z.string().nullish(),
  /** Only when the user made it public. */
  email: z.string().nullish(),
  handles: z.record(z.string(), z.string()).nullish(),
  url: z.string(),
  inserted_at: Timestamp,
  updated_at: Timestamp,
  packages: z.array(UserPackageSchema).optional(),
  /** Deprecated map form of `packages`. */
  owned_packages: z.record(z.string(), z.string()).optional(),
  /** Only on /users/me. */
  organizations: z.array(UserOrganizationSchema).optional(),
});
export type User = z.output<typeof UserSchema>;

export interface NewUser {
  username: string;
  email: string;
  password: string;
  fullName?: string;
}

/** Registers an account (anonymous; the server emails a confirmation link). */
export function createUser(client: HexClient, u: NewUser, call: CallOptions = {}): Promise<User> {
  const json: Record<string, string> = { username: u.username, email: u.email, password: u.password };
  if (u.fullName) json.full_name = u.fullName;
  return client.json(UserSchema, {
    method: "POST",
    path: "users",
    json,
    credential: null,
    check: { look: "account", username: u.username, purpose: "to see whether the account exists" },
    ...call,
  });
}

/** The user the credential belongs to, with their organizations (`whoami`). */
export function getMe(client: HexClient, call: CallOptions = {}): Promise<User> {
  return client.json(UserSchema, { path: "users/me", ...call });
}

export function getUser(client: HexClient, nameOrEmail: string, call: CallOptions = {}): Promise<User> {
  return client.json(UserSchema, {
    path: `users/${seg(nameOrEmail)}`,
    notFound: `user "${nameOrEmail}" does not exist`,
    ...call,
  });
}

export function listMyAuditLogs(
  client: HexClient,
  opts: { page?: number } = {},
  call: CallOptions = {},
): Promise<AuditLog[]> {
  return client.json(z.array(AuditLogSchema), { path: "users/me/audit-logs", query: { page: opts.page }, ...call });
}
