// Package search as hex.pm's Package.SearchQuery + Package.all/6 apply it (in memory, no Postgres).
import type { Package } from "./state.js";

interface Query {
  freeText: string | null;
  name: string | null;
  description: string | null;
  depends: string | null;
  buildTool: string | null;
  updatedAfter: string | null;
  extra: [string, string][];
}

/** SearchQuery.parse: words and `key:value` pairs (`key:"quoted value"`); null when it cannot be parsed. */
export function parseSearch(text: string): Query | null {
  const q: Query = {
    freeText: null,
    name: null,
    description: null,
    depends: null,
    buildTool: null,
    updatedAfter: null,
    extra: [],
  };
  const words: string[] = [];
  let rest = text.trim();
  while (rest !== "") {
    rest = rest.trimStart();
    const colon = rest.indexOf(":");
    const space = rest.search(/\s/);
    if (colon > 0 && (space < 0 || space > colon)) {
      const key = rest.slice(0, colon);
      let value: string;
      rest = rest.slice(colon + 1);
      if (rest.startsWith('"')) {
        const end = rest.indexOf('"', 1);
        value = end < 0 ? rest.slice(1) : rest.slice(1, end);
        rest = end < 0 ? "" : rest.slice(end + 1).trimStart();
      } else {
        const m = /^(\S*)\s*/.exec(rest)!;
        value = m[1]!;
        rest = rest.slice(m[0].length);
      }
      if (key === "name") q.name = value;
      else if (key === "description") q.description = value;
      else if (key === "depends") q.depends = value;
      else if (key === "build_tool") q.buildTool = value;
      else if (key === "updated_after") q.updatedAfter = value;
      else if (key === "extra") {
        const comma = value.indexOf(",");
        if (comma <= 0) return null;
        q.extra.push([value.slice(0, comma), value.slice(comma + 1)]);
      }
      // Unknown keys are kept by hex.pm but filter nothing.
    } else {
      const m = /^(\S+)\s*/.exec(rest)!;
      words.push(m[1]!);
      rest = rest.slice(m[0].length);
    }
  }
  q.freeText = words.length ? words.join(" ") : null;
  return q;
}

/** SQL LIKE as hex.pm builds it: `%`/`_`/`\` escaped, so only the added `%` wildcards match anything. */
function like(value: string, pattern: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === "%") re += ".*";
    else if (c === "_") re += ".";
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, "s").test(value);
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const escapeLike = (s: string): string => s.replace(/[%_\\]/g, (c) => `\\${c}`);

/** Free-text name part: `*text*` when 3+ characters, else an exact (lowercased) name. */
function nameTerm(search: string): string {
  const escaped = escapeLike(search);
  return ([...search].length >= 3 ? `%${escaped}%` : escaped).toLowerCase();
}

/** `name:` filter: `*` at either end is a wildcard. */
function filterTerm(search: string): string {
  return escapeLike(search)
    .replace(/^\*|\*$/g, "%")
    .toLowerCase();
}

/**
 * Inferred approximation of Postgres full text search (english): any query word matches a description
 * word equal to it after stripping a plural/-ing/-ed ending.
 */
function descriptionMatches(description: string | null, search: string): boolean {
  const words = search
    .replace(/\//g, " ")
    .replace(/[^\p{L}\p{N}_\s]/gu, "")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(stem);
  if (!description || words.length === 0) return false;
  const have = new Set(
    description
      .toLowerCase()
      .split(/[^\p{L}\p{N}_]+/u)
      .filter(Boolean)
      .map(stem),
  );
  return words.some((w) => have.has(w));
}

function stem(word: string): string {
  return word.toLowerCase().replace(/(?:ing|ed|es|s)$/, "");
}

function basicSearch(pkg: Package, search: string): boolean {
  const slash = search.indexOf("/");
  const nameOk =
    slash >= 0
      ? like(pkg.name, nameTerm(search.slice(slash + 1))) && like(pkg.repository, nameTerm(search.slice(0, slash)))
      : like(pkg.name, nameTerm(search));
  return nameOk || descriptionMatches(pkg.meta.description, search);
}

function contains(have: unknown, want: unknown): boolean {
  if (typeof want !== "object" || want === null) return have === want;
  if (Array.isArray(want)) return Array.isArray(have) && want.every((w) => have.some((h) => contains(h, w)));
  if (typeof have !== "object" || have === null || Array.isArray(have)) return false;
  return Object.entries(want).every(([k, v]) => contains((have as Record<string, unknown>)[k], v));
}

function extraValue(value: string): unknown {
  const toInt = (s: string): unknown => (/^[+-]?\d+$/.test(s) ? Number(s) : s);
  if (value.startsWith("[")) return value.slice(1).replace(/\]+$/, "").split(",").map(toInt);
  return toInt(value);
}

export type SortKey = "name" | "recent_downloads" | "total_downloads" | "inserted_at" | "updated_at" | null;

/** Filters and orders packages; returns null ordering info through `orderOverride` for `updated_after`. */
export function searchPackages(all: Package[], search: string | null, sort: SortKey): Package[] {
  let list = [...all];
  let ordered = false;
  if (search !== null) {
    const q = parseSearch(search);
    if (!q) {
      list = list.filter((p) => basicSearch(p, search));
    } else {
      if (q.freeText !== null) list = list.filter((p) => basicSearch(p, q.freeText!));
      if (q.name !== null) {
        const slash = q.name.indexOf("/");
        list =
          slash >= 0
            ? list.filter(
                (p) =>
                  like(p.name, filterTerm(q.name!.slice(slash + 1))) &&
                  like(p.repository, filterTerm(q.name!.slice(0, slash))),
              )
            : list.filter((p) => like(p.name, filterTerm(q.name!)));
      }
      if (q.description !== null) list = list.filter((p) => descriptionMatches(p.meta.description, q.description!));
      if (q.depends !== null) {
        const colon = q.depends.indexOf(":");
        const [repo, dep] = colon >= 0 ? [q.depends.slice(0, colon), q.depends.slice(colon + 1)] : [null, q.depends];
        list = list.filter((p) =>
          p.releases.some((r) =>
            r.requirements.some((req) => req.name === dep && (repo === null || req.repository === repo)),
          ),
        );
      }
      if (q.buildTool !== null)
        list = list.filter((p) => p.releases.some((r) => r.meta.buildTools.includes(q.buildTool!)));
      for (const [key, value] of q.extra) {
        const keys = [key, ...value.split(",")];
        const leaf = keys.pop()!;
        const want = keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), extraValue(leaf));
        list = list.filter((p) => contains(p.meta.extra, want));
      }
      if (
        q.updatedAfter !== null &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|\+00:00)$/.test(q.updatedAfter)
      ) {
        const after = Date.parse(q.updatedAfter);
        if (!Number.isNaN(after)) {
          list = list.filter((p) => p.updatedAt >= after).sort((a, b) => a.updatedAt - b.updatedAt);
          ordered = true;
        }
      }
    }
  }
  if (!ordered) sortPackages(list, sort);
  return list;
}

function sortPackages(list: Package[], sort: SortKey): void {
  const byName = (a: Package, b: Package) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.repository < b.repository ? -1 : 1;
  if (sort === "name") list.sort(byName);
  else if (sort === "inserted_at") list.sort((a, b) => b.insertedAt - a.insertedAt);
  else if (sort === "updated_at") list.sort((a, b) => b.updatedAt - a.updatedAt);
  else if (sort === "total_downloads") list.sort((a, b) => b.downloads.all - a.downloads.all || byName(a, b));
  else if (sort === "recent_downloads") list.sort((a, b) => b.downloads.recent - a.downloads.recent || byName(a, b));
}
