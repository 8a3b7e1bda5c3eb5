// Elixir's Version rules, as hex.pm applies them to a release: `Version.parse/1` for the package version,
// `Version.parse_requirement/1` for dependency and `elixir` requirements (the lexer and grammar of
// Elixir's Version.Parser), and Hexpm.Version.validate's extra limits.

export interface ParsedVersion {
  major: bigint;
  minor: bigint;
  /** Undefined only in an approximate (`~> 1.2`) requirement. */
  patch: bigint | undefined;
  pre: (string | bigint)[];
  build: string[];
}

const IDENTIFIER = /^[0-9A-Za-z-]+$/;

/** Digits only, no leading zero (Elixir's require_digits). */
function digits(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  if (text.length > 1 && text.startsWith("0")) return undefined;
  return BigInt(text);
}

function dotSeparated(text: string | undefined): string[] | undefined {
  if (text === undefined) return [];
  const parts = text.split(".");
  return parts.every((p) => p !== "" && IDENTIFIER.test(p)) ? parts : undefined;
}

/** Splits at the first `sep` only, like `String.split(s, sep, parts: 2)`. */
function splitOnce(text: string, sep: string): [string, string | undefined] {
  const at = text.indexOf(sep);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Elixir's Version.Parser.parse_version/2; `approximate` lets the patch part be missing (`~> 1.2`). */
export function parseVersion(text: string, approximate = false): ParsedVersion | undefined {
  const [withPre, buildText] = splitOnce(text, "+");
  const [core, preText] = splitOnce(withPre, "-");
  const [majorText, minorText, patchText, extra] = core.split(".");
  if (extra !== undefined) return undefined;
  const major = digits(majorText);
  const minor = digits(minorText);
  if (major === undefined || minor === undefined) return undefined;
  let patch: bigint | undefined;
  if (patchText === undefined && approximate) patch = undefined;
  else if ((patch = digits(patchText)) === undefined) return undefined;
  const preParts = dotSeparated(preText);
  const build = dotSeparated(buildText);
  if (!preParts || !build) return undefined;
  const pre: (string | bigint)[] = [];
  for (const part of preParts) {
    if (/^\d+$/.test(part)) {
      if (part.length > 1 && part.startsWith("0")) return undefined;
      pre.push(BigInt(part));
    } else pre.push(part);
  }
  return { major, minor, patch, pre, build };
}

/**
 * True when `text` is a SemVer 2.0.0 version as Elixir's `Version.parse/1` reads it (no `v` prefix, no missing
 * parts, no leading zeros; `+build` allowed): the one version rule (hex.pm's extra limits: versionProblem).
 */
export const isVersion = (text: string): boolean => parseVersion(text) !== undefined;

export const MAX_NUMERIC_COMPONENT = 99_999_999_999_999n;
export const MAX_PRERELEASE_LENGTH = 64;

/**
 * Why hex.pm refuses `text` as a release version, or undefined when it accepts it: SemVer as Elixir parses
 * it, no `+build` part, numeric parts ≤ 99,999,999,999,999, pre-release ≤ 64 characters.
 */
export function versionProblem(text: string): string | undefined {
  const v = parseVersion(text);
  if (!v) return "is not a valid semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0 or 1.0.0-rc.1)";
  if (v.build.length > 0) return "has +build metadata, which hex.pm does not allow in a release version";
  const numeric = [v.major, v.minor, v.patch!, ...v.pre.filter((p): p is bigint => typeof p === "bigint")];
  if (numeric.some((n) => n > MAX_NUMERIC_COMPONENT))
    return `has a numeric part above ${MAX_NUMERIC_COMPONENT} (hex.pm's limit)`;
  const preLength = Buffer.byteLength(v.pre.map(String).join("."));
  if (preLength > MAX_PRERELEASE_LENGTH)
    return `has a pre-release part longer than ${MAX_PRERELEASE_LENGTH} characters (hex.pm's limit)`;
  return undefined;
}

// ---- requirements ----

type Op = "==" | "!=" | ">" | ">=" | "<" | "<=" | "~>" | "or" | "and";
type Lexeme = { op: Op } | string;

/** Longest first where prefixes overlap, as in Elixir's lexer; `!` alone means `!=`, `or`/`and` need spaces. */
const OPERATORS: [string, Op][] = [
  [">=", ">="],
  ["<=", "<="],
  ["~>", "~>"],
  [">", ">"],
  ["<", "<"],
  ["==", "=="],
  ["!=", "!="],
  ["!", "!="],
  [" or ", "or"],
  [" and ", "and"],
];

function lex(source: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  outer: while (i < source.length) {
    for (const [text, op] of OPERATORS) {
      if (source.startsWith(text, i)) {
        out.push({ op });
        i += text.length;
        continue outer;
      }
    }
    if (source[i] === " ") {
      i++;
      continue;
    }
    const ch = String.fromCodePoint(source.codePointAt(i)!);
    i += ch.length;
    const head = out[out.length - 1];
    if (head === undefined) out.push({ op: "==" }, ch);
    else if (typeof head === "string") out[out.length - 1] = head + ch;
    else if (head.op === "or" || head.op === "and") out.push({ op: "==" }, ch);
    else out.push(ch);
  }
  return out;
}

const isConj = (l: Lexeme | undefined) => typeof l === "object" && (l.op === "or" || l.op === "and");

/** One `[op] version` clause of a requirement. */
export interface RequirementClause {
  op: Exclude<Op, "or" | "and">;
  version: ParsedVersion;
}

/**
 * Elixir's `Version.parse_requirement/1`: clauses `[op] version` joined by ` and ` / ` or `; only `~>`
 * accepts MAJOR.MINOR. Returns the clauses, or undefined when Elixir would answer :error.
 */
export function parseRequirement(source: string): RequirementClause[] | undefined {
  const lexed = lex(source);
  // The shape Elixir's valid_requirement?/1 and to_condition/2 accept: op version (conj op version)*.
  const clauses: RequirementClause[] = [];
  let i = 0;
  while (i < lexed.length) {
    if (i > 0) {
      if (!isConj(lexed[i])) return undefined;
      i++;
    }
    const op = lexed[i];
    const text = lexed[i + 1];
    if (typeof op !== "object" || isConj(op) || typeof text !== "string") return undefined;
    const version = parseVersion(text, op.op === "~>");
    if (!version) return undefined;
    clauses.push({ op: op.op as RequirementClause["op"], version });
    i += 2;
  }
  return clauses.length > 0 ? clauses : undefined;
}

/** hex.pm's validate_requirement: why it refuses a requirement string, or undefined when it accepts it. */
export function requirementProblem(requirement: string): string | undefined {
  if (!parseRequirement(requirement))
    return `invalid requirement ${JSON.stringify(requirement)} (use e.g. "~> 1.2", ">= 1.0.0 and < 2.0.0")`;
  if (requirement.includes("!="))
    return `invalid requirement ${JSON.stringify(requirement)}: != is not allowed in requirements`;
  return undefined;
}

/** True when a requirement names a pre-release version (rebar3_hex warns about such dependencies). */
export function requirementIsPrerelease(requirement: string): boolean {
  return parseRequirement(requirement)?.some((c) => c.version.pre.length > 0) ?? false;
}
