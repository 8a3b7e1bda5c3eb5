// Shared by `hexts user key` and `hexts organization key`: permission and expiry parsing, the key view
// shown to users (never a secret, except the one just generated), and the table and detail renderers.
import { hostname } from "node:os";
import { HextsError } from "../../errors.js";
import type { Key, KeyPermission } from "../../api/index.js";
import type { Output } from "../../ui/output.js";

export interface Permission {
  domain: string;
  resource: string | null;
}

/** A key as hexts shows it: permissions written the way `--permission` takes them. */
export interface KeyView {
  name: string;
  permissions: string[];
  /** True for the key that authenticated this very request. */
  authingKey: boolean;
  insertedAt: string;
  updatedAt: string;
  revokeAt: string | null;
  lastUse: { usedAt: string | null; ip: string | null; userAgent: string | null } | null;
}

/** The default name of a new key: this machine's hostname (mix and rebar3_hex do the same). */
export function defaultKeyName(): string {
  return hostname() || "hexts";
}

const FORMS = "api, api:read, api:write, repositories, repository:ORG, package:NAME, docs:ORG";

/**
 * `--permission TEXT` -> {domain, resource}: split at the first colon, lowercased (as mix does).
 * For an organization's key a bare `repository` means that organization's repository.
 */
export function parsePermission(text: string, opts: { organization?: string } = {}): Permission {
  const raw = text.trim().toLowerCase();
  const at = raw.indexOf(":");
  const domain = at < 0 ? raw : raw.slice(0, at);
  const resource = at < 0 ? null : raw.slice(at + 1);
  const bad = (why: string) => new HextsError("USAGE", `--permission ${JSON.stringify(text)}: ${why} (use ${FORMS})`);
  if (resource === "") throw bad("nothing after the colon");
  switch (domain) {
    case "api":
      if (resource !== null && resource !== "read" && resource !== "write") throw bad("api takes read or write");
      return { domain, resource };
    case "repositories":
      if (resource !== null) throw bad("repositories takes no resource");
      return { domain, resource };
    case "repository":
    case "docs":
      if (resource === null) {
        if (opts.organization) return { domain, resource: opts.organization };
        throw bad(`${domain} needs an organization, e.g. ${domain}:acme`);
      }
      return { domain, resource: resource.startsWith("hexpm:") ? resource.slice("hexpm:".length) : resource };
    case "package":
      if (resource === null) throw bad("package needs a package name, e.g. package:mypkg");
      return { domain, resource };
    default:
      throw bad(`unknown permission domain "${domain}"`);
  }
}

/** `api`, `api:read`, `repository:acme`: the `--permission` spelling of a key permission. */
export function permissionLabel(p: KeyPermission | Permission): string {
  return p.resource ? `${p.domain}:${p.resource}` : p.domain;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--expires 30d` (m, h, d, w) or an ISO date/time -> the ISO time the server revokes the key at. */
export function parseExpires(text: string, now = Date.now()): string {
  const trimmed = text.trim();
  const rel = /^(\d+)\s*([mhdw])$/i.exec(trimmed);
  let at: number;
  if (rel) {
    at = now + Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!;
  } else if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    at = Date.parse(trimmed);
  } else {
    at = Number.NaN;
  }
  if (!Number.isFinite(at)) {
    throw new HextsError(
      "USAGE",
      `--expires ${JSON.stringify(text)}: give a duration such as 30m, 12h, 30d or 8w, ` +
        "or an ISO date such as 2027-01-31",
    );
  }
  if (at <= now) throw new HextsError("USAGE", `--expires ${JSON.stringify(text)} is not in the future`);
  return new Date(at).toISOString();
}

export function keyView(k: Key): KeyView {
  return {
    name: k.name,
    permissions: k.permissions.map(permissionLabel),
    authingKey: k.authing_key,
    insertedAt: k.inserted_at,
    updatedAt: k.updated_at,
    revokeAt: k.revoke_at ?? null,
    lastUse: k.last_use
      ? { usedAt: k.last_use.used_at ?? null, ip: k.last_use.ip ?? null, userAgent: k.last_use.user_agent ?? null }
      : null,
  };
}

/** `2026-11-23T14:20:19.123Z` -> `2026-11-23 14:20 UTC`. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function lastUseText(k: KeyView): string {
  if (!k.lastUse?.usedAt) return "never";
  return k.lastUse.ip ? `${shortTime(k.lastUse.usedAt)} from ${k.lastUse.ip}` : shortTime(k.lastUse.usedAt);
}

/** The `key list` table: name, permissions, last use, scheduled revocation. */
export function renderKeyTable(out: Output, keys: KeyView[], owner: string): void {
  if (keys.length === 0) {
    out.info(`${owner} has no keys`);
    return;
  }
  out.table(
    ["Name", "Permissions", "Last use", "Revoke at"],
    keys.map((k) => [
      k.authingKey ? `${k.name} *` : k.name,
      k.permissions.join(", "),
      lastUseText(k),
      shortTime(k.revokeAt),
    ]),
  );
  if (keys.some((k) => k.authingKey)) out.info(out.style("dim", "* the key this command authenticated with", "stderr"));
}

/** `key fetch`: every detail the server keeps about one key. */
export function renderKeyDetails(out: Output, k: KeyView): void {
  const rows: [string, string][] = [
    ["Name", k.name],
    ["Permissions", k.permissions.join(", ")],
    ["Created", shortTime(k.insertedAt)],
    ["Updated", shortTime(k.updatedAt)],
    ["Last use", lastUseText(k)],
  ];
  if (k.lastUse?.userAgent) rows.push(["Last user agent", k.lastUse.userAgent]);
  if (k.revokeAt) rows.push(["Revoke at", shortTime(k.revokeAt)]);
  if (k.authingKey) rows.push(["In use", "this command authenticated with it"]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out.result(`${`${label}:`.padEnd(width + 1)} ${value}`);
  out.info(
    out.style(
      "dim",
      "The secret of a key is shown only once, when it is created; the server cannot show it again.",
      "stderr",
    ),
  );
}
