// Elixir's Version rules as hex.pm applies them: SemVer 2.0 versions and `~> 1.0 and < 2.0.0`-style requirements.
import semver from "semver";

const MAX_NUMERIC = 99_999_999_999_999;

/** Version.parse (strict SemVer 2.0, no leading zeros); build metadata allowed here, refused by `validateVersion`. */
export function parseVersion(text: string): semver.SemVer | null {
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.test(text))
    return null;
  return semver.parse(text);
}

/** Hexpm.Version.validate: the release version's extra rules, as the message hex.pm gives. */
export function validateVersion(version: semver.SemVer, text: string): string | null {
  if (text.includes("+")) return "build number not allowed";
  const numeric = [
    version.major,
    version.minor,
    version.patch,
    ...version.prerelease.filter((p): p is number => typeof p === "number"),
  ];
  if (numeric.some((n) => n > MAX_NUMERIC)) return `numeric components must be at most ${MAX_NUMERIC}`;
  if (version.prerelease.join(".").length > 64) return "prerelease must be at most 64 characters";
  return null;
}

const PARTIAL = /^\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Version.parse_requirement: clauses `[op] version` joined by `and` / `or`; only `~>` takes MAJOR.MINOR. */
export function validRequirement(text: string): boolean {
  const tokens = text
    .trim()
    .split(/\s+|(?<=^|\s)(~>|==|!=|>=|<=|>|<)(?=\d)/)
    .filter((t) => t !== undefined && t !== "");
  if (tokens.length === 0) return false;
  let expectClause = true;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (expectClause) {
      const op = ["~>", "==", "!=", ">=", "<=", ">", "<"].includes(token) ? token : null;
      const version = op ? tokens[++i] : token;
      if (version === undefined) return false;
      if (op === "~>" ? !PARTIAL.test(version) : parseVersion(version) === null) return false;
      expectClause = false;
    } else {
      if (token !== "and" && token !== "or") return false;
      expectClause = true;
    }
  }
  return !expectClause;
}
