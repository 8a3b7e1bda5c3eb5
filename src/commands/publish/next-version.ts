// The version `hexts cut` moves to: an increment (major, minor, patch), optionally a pre-release, or an exact one.
// Increments follow SemVer as npm's semver does: 1.2.3 patch -> 1.2.4; a pre-release is released by the increment
// it was heading for (1.3.0-rc.1 minor -> 1.3.0); `--pre rc` gives 1.3.0-rc.0 with minor, and on its own bumps the
// pre-release number (1.3.0-rc.0 -> 1.3.0-rc.1; 1.2.3 -> 1.2.4-rc.0).
import semver from "semver";
import { HextsError } from "../../errors.js";
import { versionProblem } from "../../package/checks-version.js";

export type Increment = "major" | "minor" | "patch";

const PRE_LABEL = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;

export interface NextVersionOptions {
  increment?: Increment;
  /** Pre-release label, e.g. `rc`. */
  pre?: string;
  /** An exact version (`--version X`). */
  set?: string;
}

/** Validates an exact version the user gave, by hex.pm's rules (SemVer 2.0 without +build metadata). */
export function assertVersion(text: string, what = "the version"): string {
  const problem = versionProblem(text);
  if (problem) throw new HextsError("USAGE", `${what} "${text}" ${problem}`);
  return text;
}

export function nextVersion(current: string, o: NextVersionOptions): string {
  if (o.set !== undefined) {
    if (o.increment !== undefined || o.pre !== undefined)
      throw new HextsError("USAGE", "--version cannot be combined with --increment or --pre");
    return assertVersion(o.set);
  }
  if (o.pre !== undefined && !PRE_LABEL.test(o.pre)) {
    throw new HextsError(
      "USAGE",
      `--pre "${o.pre}" is not a pre-release label: use letters, digits, - and dots (e.g. rc, beta)`,
    );
  }
  if (semver.valid(current) === null) {
    throw new HextsError(
      "USAGE",
      `the current version "${current}" is not a semantic version, so it cannot be incremented; ` +
        "give the new one with --version X",
    );
  }
  let next: string | null;
  if (o.increment !== undefined && o.pre !== undefined) next = semver.inc(current, `pre${o.increment}`, o.pre, "0");
  else if (o.increment !== undefined) next = semver.inc(current, o.increment);
  else if (o.pre !== undefined) next = semver.inc(current, "prerelease", o.pre, "0");
  else
    throw new HextsError(
      "INPUT_REQUIRED",
      "which increment? give --increment major|minor|patch, --pre LABEL or --version X",
    );
  if (next === null) throw new HextsError("USAGE", `cannot increment "${current}"`);
  return next;
}

/** The versions each increment gives, for the prompt. */
export function incrementChoices(current: string, pre?: string): { increment: Increment; version: string }[] {
  if (semver.valid(current) === null) return [];
  return (["patch", "minor", "major"] as const).map((increment) => ({
    increment,
    version: nextVersion(current, { increment, pre }),
  }));
}
