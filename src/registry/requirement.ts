// Version ordering and requirement matching as Elixir's Version does it (what Hex resolves with):
// `~> 1.2` = `>= 1.2.0 and < 2.0.0-0`, `~> 1.2.3` = `>= 1.2.3 and < 1.3.0-0`, `and` binds tighter than `or`.
import { parseVersion, type ParsedVersion } from "../package/checks-version.js";

/** SemVer precedence (build metadata ignored); undefined when either is not a version. */
export function compareVersions(a: string, b: string): number | undefined {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x && y ? compareParsed(x, y) : undefined;
}

export const isPrerelease = (v: string): boolean => (parseVersion(v)?.pre.length ?? 0) > 0;

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  const core = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch ?? 0n, b.patch ?? 0n);
  if (core !== 0) return core;
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const p = a.pre[i]!;
    const q = b.pre[i]!;
    if (p === q) continue;
    if (typeof p === "bigint" && typeof q === "bigint") return cmp(p, q);
    if (typeof p === "bigint") return -1;
    if (typeof q === "bigint") return 1;
    return p < q ? -1 : 1;
  }
  return a.pre.length - b.pre.length;
}

type Clause = { op: string; version: ParsedVersion; approximate: boolean };

/** Parses `~> 1.0 or >= 2.0.0 and < 3.0.0` into alternatives of conjunctions; undefined when invalid. */
export function parseMatcher(requirement: string): Clause[][] | undefined {
  const alternatives = requirement.trim().split(/\s+or\s+/);
  const out: Clause[][] = [];
  for (const alt of alternatives) {
    const clauses: Clause[] = [];
    for (const part of alt.split(/\s+and\s+/)) {
      const m = /^(==|!=|>=|<=|~>|>|<|!)?\s*(\S+)$/.exec(part.trim());
      if (!m) return undefined;
      const op = m[1] === "!" ? "!=" : (m[1] ?? "==");
      const version = parseVersion(m[2]!, op === "~>");
      if (!version) return undefined;
      clauses.push({ op, version, approximate: version.patch === undefined });
    }
    out.push(clauses);
  }
  return out;
}

function satisfies(v: ParsedVersion, c: Clause): boolean {
  const d = compareParsed(v, c.version);
  switch (c.op) {
    case "==":
      return d === 0;
    case "!=":
      return d !== 0;
    case ">":
      return d > 0;
    case ">=":
      return d >= 0;
    case "<":
      return d < 0;
    case "<=":
      return d <= 0;
    default: {
      // ~>: at least the version, below the next minor (x.y.z) or next major (x.y)
      if (d < 0) return false;
      const upper: ParsedVersion = c.approximate
        ? { major: c.version.major + 1n, minor: 0n, patch: 0n, pre: [0n], build: [] }
        : { major: c.version.major, minor: c.version.minor + 1n, patch: 0n, pre: [0n], build: [] };
      return compareParsed(v, upper) < 0;
    }
  }
}

/** Whether `version` meets `requirement` (an unparsable requirement or version matches nothing). */
export function matchesRequirement(version: string, requirement: string): boolean {
  const v = parseVersion(version);
  const alternatives = parseMatcher(requirement);
  if (!v || !alternatives) return false;
  return alternatives.some((clauses) => clauses.every((c) => satisfies(v, c)));
}

/** Highest of `versions` (optionally only those meeting every requirement), skipping pre-releases unless `pre`. */
export function highestVersion(
  versions: readonly string[],
  opts: { pre?: boolean; requirements?: readonly string[] } = {},
): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    const parsed = parseVersion(v);
    if (!parsed || (!opts.pre && parsed.pre.length > 0)) continue;
    if (opts.requirements && !opts.requirements.every((r) => matchesRequirement(v, r))) continue;
    if (best === undefined || compareParsed(parsed, parseVersion(best)!) > 0) best = v;
  }
  return best;
}
