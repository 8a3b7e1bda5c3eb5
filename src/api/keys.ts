// API keys of the user (`keys`) or, with a client for `hexpm:ORG`, of that organization (`orgs/ORG/keys`)
// (HEX_PROTOCOL.md §4.2).
import { z } from "zod";
import { HextsError } from "../errors.js";
import { replyMap, replyText } from "./body.js";
import { parseBody, type CallOptions, type HexClient } from "./http.js";
import type { WriteCheck } from "./errors.js";
import { orgPrefix, seg } from "./paths.js";
import { Timestamp } from "./schemas.js";

export const KeyPermissionSchema = z.looseObject({
  domain: z.string(),
  /** Absent or null for `api` (full access) and `repositories`. */
  resource: z.string().nullish(),
});
export type KeyPermission = z.output<typeof KeyPermissionSchema>;

export const KeySchema = z.looseObject({
  name: z.string(),
  /** True for the key that authenticated this request. */
  authing_key: z.boolean(),
  /** Only in the creation response (see CreatedKeySchema). */
  secret: z.string().nullish(),
  permissions: z.array(KeyPermissionSchema),
  /** Scheduled automatic revocation. */
  revoke_at: Timestamp.nullish(),
  inserted_at: Timestamp,
  updated_at: Timestamp,
  url: z.string(),
  last_use: z
    .looseObject({ used_at: Timestamp.nullish(), ip: z.string().nullish(), user_agent: z.string().nullish() })
    .nullish(),
});
export type Key = z.output<typeof KeySchema>;

/** A key just created: the only time the server shows its secret. */
export const CreatedKeySchema = KeySchema.extend({ secret: z.string().min(1) });
/** What a creation reply must give (the secret) and what is taken from it when readable, else from the request. */
export interface CreatedKey {
  name: string;
  secret: string;
  permissions: KeyPermission[];
  revoke_at?: string | null;
}

/** A key just revoked; `authing_key` is unknown when the server's reply could not be read. */
export interface RevokedKey {
  name: string;
  authing_key?: boolean;
}

export interface NewKey {
  name: string;
  /** Omitted: full API access (the server's default). */
  permissions?: { domain: string; resource?: string | null }[];
  /** ISO-8601 time in the future when the server revokes the key by itself. */
  revokeAt?: string;
}

/** The client's organization's keys (`orgs/ORG/keys`), else the caller's own (`keys`). */
function keysPath(client: HexClient): string {
  return `${orgPrefix(client.repo)}keys`;
}

/** After an interrupted key write: list the keys (the CLI names its command for it). */
function keysCheck(client: HexClient, purpose: string): WriteCheck {
  const org = client.repo.organization;
  return org ? { look: "keys", organization: org, purpose } : { look: "keys", purpose };
}

export function listKeys(client: HexClient, call: CallOptions = {}): Promise<Key[]> {
  return client.json(z.array(KeySchema), { path: keysPath(client), ...call });
}

export function getKey(client: HexClient, name: string, call: CallOptions = {}): Promise<Key> {
  return client.json(KeySchema, {
    path: `${keysPath(client)}/${seg(name)}`,
    notFound: `there is no key named "${name}"`,
    ...call,
  });
}

/**
 * Creates a key and returns it with its secret. Never repeated automatically; if the name is taken the server
 * stores NAME-2 (check the returned name). Basic auth is allowed here only: pass it as `call.credential`.
 */
export async function createKey(client: HexClient, k: NewKey, call: CallOptions = {}): Promise<CreatedKey> {
  const json: Record<string, unknown> = { name: k.name };
  if (k.permissions) json.permissions = k.permissions.map((p) => ({ domain: p.domain, resource: p.resource ?? null }));
  if (k.revokeAt) json.revoke_at = k.revokeAt;
  const res = await client.request({
    method: "POST",
    path: keysPath(client),
    json,
    check: keysCheck(client, `to see whether the key "${k.name}" was created`),
    ...call,
  });
  // A 2xx is a created key; only the secret is needed from the reply (and the name, which may be NAME-2).
  const reply = replyMap(res.body);
  const name = replyText(reply, "name") ?? k.name;
  const secret = replyText(reply, "secret");
  if (secret === undefined) {
    const org = client.repo.organization;
    throw new HextsError("PROTOCOL", `the key ${name} was created but its secret could not be read; revoke it`, {
      status: res.status,
      kind: "key-secret-unreadable",
      details: { key: name, ...(org ? { organization: org } : {}) },
    });
  }
  const permissions = z.array(KeyPermissionSchema).safeParse(reply?.permissions);
  const fallback = (k.permissions ?? [{ domain: "api" }]).map((p) => ({
    domain: p.domain,
    resource: p.resource ?? null,
  }));
  const revokeAt = replyText(reply, "revoke_at") ?? k.revokeAt ?? null;
  return {
    name,
    secret,
    permissions: permissions.success ? permissions.data : fallback,
    revoke_at: revokeAt,
  };
}

/** Revokes one key. A 2xx is done; the reply tells whether it was the key making the call, when it can be read. */
export async function deleteKey(client: HexClient, name: string, call: CallOptions = {}): Promise<RevokedKey> {
  const res = await client.request({
    method: "DELETE",
    path: `${keysPath(client)}/${seg(name)}`,
    notFound: `there is no key named "${name}"`,
    check: keysCheck(client, "to see whether it is still there"),
    ...call,
  });
  const reply = replyMap(res.body);
  return {
    name: replyText(reply, "name") ?? name,
    ...(typeof reply?.authing_key === "boolean" ? { authing_key: reply.authing_key } : {}),
  };
}

/**
 * Revokes every key (including the one making the call). The body is the authenticating key, except with an
 * OAuth token, where the server's answer is ill-defined (HEX_PROTOCOL.md §11.9): then it is undefined.
 */
export async function deleteAllKeys(client: HexClient, call: CallOptions = {}): Promise<Key | undefined> {
  const res = await client.request({
    method: "DELETE",
    path: keysPath(client),
    check: keysCheck(client, "to see which keys remain"),
    ...call,
  });
  const credential = call.credential === undefined ? client.credential : call.credential;
  if (credential?.type === "oauth") {
    const parsed = KeySchema.safeParse(res.body);
    return parsed.success ? parsed.data : undefined;
  }
  return parseBody(KeySchema, res, "DELETE");
}
