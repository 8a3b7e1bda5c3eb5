// rebar3_hex 7.2.0's file selection (rebar3_hex_build:include_files/3 and rebar3_hex_file:expand_paths/2), and
// turning the selected paths into PackageFile entries with the path and symlink rules of HEX_PROTOCOL §5.6.
import { lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { isInside, symlinkEscapes, safePathProblem } from "../../package/paths.js";
import { GlobError, matchComponent, wildcard } from "../glob.js";
import { compilePcre, PcreError, type PcreRegex } from "../pcre.js";
import type { PackageFile, Problem } from "../types.js";

export const REBAR3_DEFAULT_FILES = [
  "src",
  "c_src",
  "include",
  "rebar.config.script",
  "priv",
  "rebar.config",
  "rebar.lock",
  "CHANGELOG*",
  "changelog*",
  "README*",
  "readme*",
  "LICENSE*",
  "license*",
  "NOTICE",
];

/** rebar3_hex's built-in excludes: emacs backups, C objects, NIF libraries, vim swap files. */
export const BUILTIN_EXCLUDE_PATTERNS = ["~$", "\\.o$", "\\.so$", "\\.swp$"];

/** A selected path: `rel` as written to the package (relative to the app directory), `abs` on disk. */
export interface PathEntry {
  rel: string;
  abs: string;
  /** Contents for an entry that does not come from disk (the regenerated .app.src, a `[].` lock). */
  memory?: Uint8Array;
  /** The lstat the directory walk took, reused when the entry is described (each path is stat'ed once). */
  stat?: Stats;
}

/** Erlang term order of two strings (lists of code points) = bytewise order of their UTF-8. */
export function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** filename:absname plus rebar3_hex's expand_dot: `.` dropped, `..` pops a component (never above `/`). */
export function expandPath(path: string): string {
  const out: string[] = [];
  for (const part of resolveAbs(path).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

const resolveAbs = (path: string) => (isAbsolute(path) ? path : join(process.cwd(), path));

/** rebar3_hex_file:relative_to: the path below `from`, `.` for `from` itself, else the absolute path. */
function relativeTo(path: string, from: string): string {
  if (path === from) return ".";
  const prefix = from === "/" ? "/" : `${from}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** rebar3_hex_file:dir_files: a directory (not followed through a symlink) and everything below it. */
function dirFiles(path: string, out: [string, Stats | undefined][], lstats: Map<string, Stats>, key: string): void {
  let st = lstats.get(key);
  if (st === undefined) {
    try {
      st = lstatSync(path);
    } catch {
      out.push([path, undefined]);
      return;
    }
    lstats.set(key, st);
  }
  out.push([path, st]);
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path)) dirFiles(`${path}/${name}`, out, lstats, `${key}/${name}`);
}

export interface ExpandOptions {
  /** Top-level files of the app directory that rebar3 would have written before packaging (`rebar.lock`). */
  virtualFiles?: ReadonlyMap<string, Uint8Array>;
  /** File named in problems about malformed patterns. */
  file?: string;
  /** lstats already taken under `dir`, by relative path; filled as paths are stat'ed (see wildcard's `lstats`). */
  lstats?: Map<string, Stats>;
}

/**
 * rebar3_hex_file:expand_paths/2: glob each pattern under `dir`, walk each match, dedupe; sorted by path. A pattern
 * that makes filelib:wildcard raise (rebar3_hex would crash) is left out with an error in `problems`.
 */
export function expandPaths(
  patterns: readonly string[],
  dir: string,
  problems: Problem[],
  opts: ExpandOptions = {},
): PathEntry[] {
  const absDir = expandPath(dir);
  const found = new Map<string, PathEntry>();
  // Each path's lstat, by the path as the wildcard returns it: patterns overlap (include_paths, a directory and a
  // file in it), and the wildcard's check that a literal path exists is the walk's stat of it.
  const lstats = opts.lstats ?? new Map<string, Stats>();
  for (const pattern of patterns) {
    let matches: string[];
    try {
      matches = wildcard(pattern, absDir, { lstats });
    } catch (e) {
      if (!(e instanceof GlobError)) throw e;
      problems.push({
        severity: "error",
        file: opts.file,
        message: `file pattern ${JSON.stringify(pattern)} cannot be used: ${e.message}`,
      });
      continue;
    }
    for (const match of matches) {
      const walked: [string, Stats | undefined][] = [];
      dirFiles(isAbsolute(match) ? match : `${absDir}/${match}`, walked, lstats, match);
      for (const [p, stat] of walked) {
        const abs = expandPath(p);
        found.set(abs, { rel: relativeTo(abs, absDir), abs, stat });
      }
    }
    for (const [name, contents] of opts.virtualFiles ?? []) {
      const abs = `${absDir}/${name}`;
      if (!found.has(abs) && virtualMatches(pattern, name)) found.set(abs, { rel: name, abs, memory: contents });
    }
  }
  return [...found.values()].sort((a, b) => compareStrings(a.abs, b.abs));
}

/** Whether a pattern would have matched a top-level file `name` had it existed (a glob, `.`, `**`). */
function virtualMatches(pattern: string, name: string): boolean {
  const parts = pattern.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0) return true;
  if (parts.length === 1) return parts[0] === "**" || matchComponent(parts[0]!, name);
  return parts.length === 2 && parts[0] === "**" && matchComponent(parts[1]!, name);
}

export interface Rebar3FileSpec {
  /** `files` from the .app.src (replaces the default list). */
  files?: readonly string[];
  includePaths: readonly string[];
  excludePaths: readonly string[];
  excludePatterns: readonly string[];
  /** `src/APP.app.src` as rebar3_hex re-prints it. */
  appSrc: { path: string; contents: Uint8Array };
  virtualFiles?: ReadonlyMap<string, Uint8Array>;
  /** File named in problems about exclude_patterns (the .app.src). */
  specFile?: string;
}

/** rebar3_hex_build:include_files/3: the package's paths in the order rebar3_hex writes them. */
export function selectRebar3Paths(appDir: string, spec: Rebar3FileSpec, problems: Problem[]): PathEntry[] {
  // One set of lstats for the three expansions below: each path is stat'ed once.
  const opts = { virtualFiles: spec.virtualFiles, file: spec.specFile, lstats: new Map<string, Stats>() };
  const all = expandPaths(spec.files ?? REBAR3_DEFAULT_FILES, appDir, problems, opts);
  const includes = expandPaths(spec.includePaths, appDir, problems, opts);
  const excluded = new Set(expandPaths(spec.excludePaths, appDir, problems, opts).map((e) => e.abs));
  const regexes: PcreRegex[] = [];
  for (const pattern of [...BUILTIN_EXCLUDE_PATTERNS, ...spec.excludePatterns]) {
    try {
      // re:run(Path, Pattern) with no options: Latin-1 bytes, matched against the absolute path.
      regexes.push(compilePcre(pattern));
    } catch (e) {
      if (!(e instanceof PcreError)) throw e;
      problems.push({
        severity: "error",
        file: spec.specFile,
        message: `exclude_patterns entry ${JSON.stringify(pattern)} cannot be used: ${e.message}`,
      });
    }
  }
  const kept = all.filter((e) => !excluded.has(e.abs) && !regexes.some((re) => re.test(e.abs)));
  const merged = mergeSorted(kept, includes);
  const appSrc: PathEntry = {
    rel: spec.appSrc.path,
    abs: join(expandPath(appDir), spec.appSrc.path),
    memory: spec.appSrc.contents,
  };
  const at = merged.findIndex((e) => e.rel === spec.appSrc.path);
  if (at >= 0) merged[at] = appSrc;
  else merged.push(appSrc);
  return merged;
}

/** lists:ukeymerge/3 on the absolute path: both sorted, the first list wins on equal keys. */
function mergeSorted(a: PathEntry[], b: PathEntry[]): PathEntry[] {
  const out: PathEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compareStrings(a[i]!.abs, b[j]!.abs);
    if (c <= 0) {
      out.push(a[i]!);
      if (c === 0) j++;
      i++;
    } else out.push(b[j++]!);
  }
  return [...out, ...a.slice(i), ...b.slice(j)];
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Turns selected paths into package entries. Refused (an error problem, and the entry left out): paths outside
 * the package, sources that resolve outside `projectRoot` through a symlink, symlinks whose target leaves the
 * package, and anything that is not a regular file, directory or symlink.
 */
export function toPackageFiles(entries: readonly PathEntry[], projectRoot: string, problems: Problem[]): PackageFile[] {
  const realRoot = realOrSelf(projectRoot);
  const files: PackageFile[] = [];
  for (const e of entries) {
    const unsafe = safePathProblem(e.rel);
    if (unsafe || e.rel === ".") {
      problems.push({
        severity: "error",
        file: e.rel,
        message:
          `${e.rel} is outside the package directory (${unsafe ?? "the directory itself"}); ` + "it cannot be packaged",
      });
      continue;
    }
    if (e.memory) {
      files.push({ path: e.rel, kind: "memory", contents: e.memory });
      continue;
    }
    let st: Stats;
    try {
      st = e.stat ?? lstatSync(e.abs);
    } catch (err) {
      problems.push({ severity: "error", file: e.rel, message: `${e.rel} cannot be read: ${(err as Error).message}` });
      continue;
    }
    if (st.isSymbolicLink()) {
      const target = readlinkSync(e.abs);
      if (symlinkEscapes(e.rel, target)) {
        problems.push({
          severity: "error",
          file: e.rel,
          message: `symlink ${e.rel} -> ${target} points outside the package; it cannot be packaged`,
        });
        continue;
      }
      files.push({ path: e.rel, kind: "symlink", diskPath: e.abs, mode: st.mode, target });
      continue;
    }
    if (!st.isFile() && !st.isDirectory()) {
      problems.push({
        severity: "error",
        file: e.rel,
        message: `${e.rel} is not a regular file, directory or symlink; it cannot be packaged`,
      });
      continue;
    }
    const real = realOrSelf(e.abs);
    if (!isInside(real, realRoot)) {
      problems.push({
        severity: "error",
        file: e.rel,
        message: `${e.rel} resolves to ${real}, outside the project, through a symlink; it cannot be packaged`,
      });
      continue;
    }
    if (st.isDirectory())
      files.push({ path: e.rel, kind: "dir", diskPath: e.abs, mode: st.mode, empty: readdirSync(e.abs).length === 0 });
    else files.push({ path: e.rel, kind: "file", diskPath: e.abs, mode: st.mode, size: st.size });
  }
  return files;
}
