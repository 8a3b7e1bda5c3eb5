// `key generate | list | revoke | fetch`, shared by `hexts user key` (the user's own keys) and
// `hexts organization key ORG` (keys owned by the organization, `orgs/ORG/keys`).
import { z } from "zod";
import { createKey, deleteAllKeys, deleteKey, getKey, isApiError, listKeys, type HexClient } from "../../api/index.js";
import type { Context } from "../context.js";
import { HextsError } from "../../errors.js";
import { HEXPM, organizationRepo } from "../../repository.js";
import { deleteCredential } from "../../config/index.js";
import type { Output } from "../../ui/output.js";
import { openSession, type Session } from "../session.js";
import {
  defaultKeyName,
  keyView,
  parseExpires,
  parsePermission,
  permissionLabel,
  renderKeyDetails,
  renderKeyTable,
  type KeyView,
} from "./keys.js";

const Name = z.string().trim().min(1);

export const KeyInput = z.object({
  action: z.enum(["generate", "list", "revoke", "fetch"], { error: "expected generate, list, revoke or fetch" }),
  name: Name.optional(),
  keyName: Name.optional(),
  permission: z.array(z.string()).optional(),
  expires: z.string().optional(),
  all: z.boolean().optional(),
});
export type KeyInput = z.output<typeof KeyInput>;

export type KeyResult =
  | {
      action: "generate";
      name: string;
      permissions: string[];
      revokeAt: string | null;
      secret: string;
      organization?: string;
    }
  | { action: "list"; keys: KeyView[]; organization?: string }
  | { action: "revoke"; revoked: string[]; all: boolean; organization?: string; loggedOut: boolean }
  | { action: "fetch"; key: KeyView; organization?: string };

export interface KeyScope {
  /** Set for organization keys (`orgs/ORG/keys`). */
  organization?: string;
}

function unexpected(action: string, flags: [string, unknown][]): void {
  const given = flags.filter(([, v]) => v !== undefined && v !== false).map(([f]) => f);
  if (given.length)
    throw new HextsError(
      "USAGE",
      `${given.join(", ")} ${given.length > 1 ? "do" : "does"} not apply to \`key ${action}\``,
    );
}

/**
 * Under `orgs/ORG/` a 404 also means the organization does not exist or the account lacks the role for it
 * (hex.pm hides private organizations); say so instead of a bare "not found".
 */
export function organizationNotFound(e: unknown, org: string, keyName?: string): unknown {
  if (!isApiError(e, "NOT_FOUND")) return e;
  const what = keyName ? `there is no key named "${keyName}" in the organization ${org}, or ` : "";
  return new HextsError(
    "NOT_FOUND",
    `${what}the organization ${org} does not exist or your account lacks the role for this ` +
      "(read to list keys, write to change them)",
    {
      status: e.status,
      cause: e,
    },
  );
}

/** The client for the keys: the user's login, at `orgs/ORG/keys` for an organization (hex_core's api_organization). */
function keysClient(client: HexClient, org: string | undefined): HexClient {
  return org ? client.with({ repo: organizationRepo(org) }) : client;
}

/** The key actions shared by `user key` and `organization key ORG`. */
export async function keyAction(ctx: Context, input: KeyInput, scope: KeyScope): Promise<KeyResult> {
  if (!scope.organization) return runKeyAction(ctx, input, scope);
  try {
    return await runKeyAction(ctx, input, scope);
  } catch (e) {
    throw organizationNotFound(
      e,
      scope.organization,
      input.action === "fetch" || (input.action === "revoke" && !input.all) ? (input.name ?? input.keyName) : undefined,
    );
  }
}

async function runKeyAction(ctx: Context, input: KeyInput, scope: KeyScope): Promise<KeyResult> {
  // An organization's keys are managed with the user's login, never with a key stored for that organization.
  const session = await openSession(ctx, scope.organization ? { repo: HEXPM } : {});
  const org = scope.organization;
  const tag = org ? { organization: org } : {};
  switch (input.action) {
    case "generate": {
      unexpected("generate", [
        ["--all", input.all],
        ["NAME (use --key-name)", input.name],
      ]);
      const permissions = input.permission?.length
        ? input.permission.map((p) => parsePermission(p, { organization: org }))
        : [org ? { domain: "repository", resource: org } : { domain: "api", resource: null }];
      const revokeAt = input.expires === undefined ? undefined : parseExpires(input.expires);
      const name = input.keyName ?? defaultKeyName();
      ctx.out.info(`Generating key ${name}...`);
      // One POST, never repeated: the client does not retry it, and an OTP prompt re-sends only a refused request.
      const key = await session.write((client) =>
        createKey(keysClient(client, org), { name, permissions, revokeAt }, { signal: ctx.signal }),
      );
      ctx.out.secrets.add(key.secret);
      return {
        action: "generate",
        name: key.name,
        permissions: key.permissions.map(permissionLabel),
        revokeAt: key.revoke_at ?? null,
        secret: key.secret,
        ...tag,
      };
    }
    case "list": {
      unexpected("list", [
        ["NAME", input.name],
        ["--key-name", input.keyName],
        ["--permission", input.permission?.length ? true : undefined],
        ["--expires", input.expires],
        ["--all", input.all],
      ]);
      const keys = await listKeys(keysClient(await session.authed(), org), { signal: ctx.signal });
      return { action: "list", keys: keys.map(keyView), ...tag };
    }
    case "fetch": {
      unexpected("fetch", [
        ["--permission", input.permission?.length ? true : undefined],
        ["--expires", input.expires],
        ["--all", input.all],
      ]);
      const name = input.name ?? input.keyName;
      if (!name) throw new HextsError("USAGE", "give the key's NAME: `key fetch NAME`");
      const key = await getKey(keysClient(await session.authed(), org), name, { signal: ctx.signal });
      return { action: "fetch", key: keyView(key), ...tag };
    }
    case "revoke": {
      unexpected("revoke", [
        ["--permission", input.permission?.length ? true : undefined],
        ["--expires", input.expires],
      ]);
      const name = input.name ?? input.keyName;
      if (input.all && name) throw new HextsError("USAGE", "give either a key NAME or --all, not both");
      if (!input.all && !name) throw new HextsError("USAGE", "give the key's NAME, or --all to revoke every key");
      return input.all ? revokeAll(ctx, session, org) : revokeOne(ctx, session, name!, org);
    }
  }
}

/** When the revoked key is the stored login itself, the login is gone: forget it here too (as mix does). */
async function forgetIfStoredLogin(ctx: Context, session: Session, revokedAuthingKey: boolean): Promise<boolean> {
  if (!revokedAuthingKey) return false;
  const info = await session.credentialInfo();
  if (info?.kind !== "key") return false;
  if (!info.source.startsWith("stored login")) {
    ctx.out.warn(`the key in ${info.source} is revoked now; replace it`);
    return false;
  }
  return deleteCredential(ctx, session.repository.apiUrl!);
}

async function revokeOne(ctx: Context, session: Session, name: string, org: string | undefined): Promise<KeyResult> {
  ctx.out.info(`Revoking key ${name}...`);
  const key = await session.write((client) => deleteKey(keysClient(client, org), name, { signal: ctx.signal }));
  const loggedOut = org ? false : await forgetIfStoredLogin(ctx, session, key.authing_key === true);
  return {
    action: "revoke",
    revoked: [key.name],
    all: false,
    loggedOut,
    ...(org ? { organization: org } : {}),
  };
}

async function revokeAll(ctx: Context, session: Session, org: string | undefined): Promise<KeyResult> {
  const keys = await listKeys(keysClient(await session.authed(), org), { signal: ctx.signal });
  const owner = org ? `the organization ${org}` : "your account";
  if (keys.length === 0)
    return { action: "revoke", revoked: [], all: true, loggedOut: false, ...(org ? { organization: org } : {}) };
  const usesOne = keys.some((k) => k.authing_key);
  const ok = await ctx.prompt.confirm(
    `Revoke ${allKeys(keys.length)} of ${owner} (${keys.map((k) => k.name).join(", ")})` +
      `${usesOne ? ", including the one this machine uses" : ""}?`,
    { default: false },
  );
  if (!ok) throw new HextsError("CANCELLED", "cancelled: no key was revoked");
  ctx.out.info("Revoking all keys...");
  await session.write((client) => deleteAllKeys(keysClient(client, org), { signal: ctx.signal }));
  const loggedOut = org ? false : await forgetIfStoredLogin(ctx, session, usesOne);
  return {
    action: "revoke",
    revoked: keys.map((k) => k.name),
    all: true,
    loggedOut,
    ...(org ? { organization: org } : {}),
  };
}

/** "all 3 keys", or "the only key". */
const allKeys = (n: number) => (n === 1 ? "the only key" : `all ${n} keys`);

export function renderKey(r: KeyResult, out: Output): void {
  const owner = r.organization ? `the organization ${r.organization}` : "your account";
  switch (r.action) {
    case "generate":
      out.info(
        `Key ${r.name} (${r.permissions.join(", ")}${r.revokeAt ? `, revoked automatically at ${r.revokeAt}` : ""}) ` +
          "created. Copy it now: it is not shown again.",
      );
      out.revealSecretOnce(r.secret);
      break;
    case "list":
      renderKeyTable(out, r.keys, owner);
      break;
    case "fetch":
      renderKeyDetails(out, r.key);
      break;
    case "revoke":
      if (r.revoked.length === 0) out.result(`${owner} has no keys; nothing revoked.`);
      else out.result(r.all ? `Revoked ${allKeys(r.revoked.length)} of ${owner}.` : `Revoked key ${r.revoked[0]}.`);
      if (r.loggedOut)
        out.info(
          "It was this machine's login, so the stored credentials were removed too; " +
            "run `hexts user auth` to log in again.",
        );
      break;
  }
}
