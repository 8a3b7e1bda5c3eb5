// File selection of `mix hex.build` (Hex 2.5.1): each `files` pattern is expanded with Path.wildcard in
// order (filelib:wildcard sorts its matches), each match walked (a directory first, then its children), duplicates
// dropped, then entries whose
// basename is `.DS_Store` or whose relative path matches an `exclude_patterns` entry are dropped (a
// dropped directory keeps its children). The checks of hex_tarball:create follow: paths and symlink
// targets must stay inside the project, only regular files, directories and symlinks.
import { lstatSync, opendirSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { isAbsolute, join, posix } from "node:path";
import { symlinkEscapes } from "../../package/paths.js";
import { byCodePoint, GlobError, wildcard } from "../glob.js";
import type { PackageFile, Problem } from "../types.js";

/** Hex.Package.default_files/0 of Hex 2.5.1. */
export const defaultFiles = [
  "lib",
  "priv",
  ".formatter.exs",
  "mix.exs",
  "README*",
  "readme*",
  "LICENSE*",
  "license*",
  "CHANGELOG*",
  "changelog*",
  "src",
  "c_src",
  "Makefile*",
];

/**
 * How directories are walked. mix lists a directory with File.ls!/1 (the raw readdir order of the file system),
 * so its tarball's bytes depend on the machine: on a file system that lists names sorted (tmpfs, most test
 * vectors) it equals "sorted". "sorted" (byte order) is the default because it is reproducible everywhere;
 * "filesystem" walks in readdir order, as mix does, to reproduce `mix hex.build` on the same machine.
 */
export type FileOrder = "sorted" | "filesystem";

export interface PathFilter {
  test(path: string): boolean;
}

export interface FileSelection {
  /** Every entry (directories too), in package order: the metadata `files` list. */
  paths: string[];
  files: PackageFile[];
  problems: Problem[];
}

/**
 * Selects the package files of the project in `dir`. `configured` is `package[:files]` (undefined for the
 * default list); `exclude` holds the compiled `exclude_patterns`; `file` names mix.exs in problems.
 */
export function selectFiles(
  dir: string,
  configured: string[] | undefined,
  exclude: PathFilter[],
  file: string,
  order: FileOrder = "sorted",
): FileSelection {
  const problems: Problem[] = [];
  const error = (message: string) => problems.push({ severity: "error", message, file });
  const walked: string[] = [];
  const seen = new Map<string, Stats>(); // each path's lstat, taken once by the walk and reused to describe it
  const missing: string[] = [];
  for (const pattern of configured ?? defaultFiles) {
    let matches: string[];
    try {
      // Path.wildcard without match_dot: listings hide names starting with a dot.
      matches = wildcard(normalizePattern(pattern), dir, { matchDot: false, lstats: seen });
    } catch (e) {
      if (!(e instanceof GlobError)) throw e;
      error(`files: ${e.message}`);
      continue;
    }
    if (matches.length === 0 && configured) missing.push(pattern);
    // mix refuses hex_metadata.config only when a `files` pattern itself yields it
    if (configured && matches.includes("hex_metadata.config")) error("Do not include this file: hex_metadata.config");
    for (const m of matches) walk(dir, m, walked, seen, error, order);
  }
  if (missing.length > 0) error(`Missing files: ${missing.join(", ")}`);

  const paths = [...new Set(walked)].filter(
    (p) => posix.basename(p) !== ".DS_Store" && !exclude.some((f) => f.test(p)),
  );
  if (paths.length === 0) error("Creating tarball failed: File list was empty.");

  const files: PackageFile[] = [];
  for (const path of paths) {
    const entry = describe(dir, path, seen.get(path), error);
    if (entry) files.push(entry);
  }
  return { paths, files, problems };
}

/**
 * Path.join(cwd, pattern) then the lexical clean-up Path.expand does afterwards: leading and repeated
 * slashes and `.` segments go, `..` climbs. A pattern that climbs out of the root is refused.
 */
export function normalizePattern(pattern: string): string {
  const n = posix.normalize(pattern.replace(/^\/+/, "") || ".").replace(/\/+$/, "");
  if (n === ".") throw new GlobError(`pattern ${JSON.stringify(pattern)} selects the project directory itself`);
  if (n === ".." || n.startsWith("../"))
    throw new GlobError(`pattern ${JSON.stringify(pattern)} points outside the project`);
  return n;
}

/** mix's dir_files/1: the path, then (for a real directory, not a symlink) its children recursively. */
function walk(
  dir: string,
  rel: string,
  out: string[],
  seen: Map<string, Stats>,
  error: (m: string) => void,
  order: FileOrder,
): void {
  out.push(rel);
  let st = seen.get(rel);
  if (!st) {
    try {
      st = lstatSync(join(dir, rel));
    } catch {
      return;
    }
    seen.set(rel, st);
  }
  if (!st.isDirectory()) return;
  let names: string[];
  try {
    // fs.readdir sorts (libuv's scandir); fs.opendir reads entries in the file system's own order.
    names = order === "sorted" ? readdirSync(join(dir, rel)).sort(byCodePoint) : readdirRaw(join(dir, rel));
  } catch (e) {
    error(`cannot list directory ${rel}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return;
  }
  for (const name of names) walk(dir, `${rel}/${name}`, out, seen, error, order);
}

/** Directory entries in readdir(3) order, as Erlang's file:list_dir/1 returns them. */
function readdirRaw(path: string): string[] {
  const d = opendirSync(path);
  const names: string[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
  } finally {
    d.closeSync();
  }
  return names;
}

function describe(
  dir: string,
  path: string,
  walked: Stats | undefined,
  error: (m: string) => void,
): PackageFile | undefined {
  const diskPath = join(dir, path);
  let st: Stats;
  try {
    st = walked ?? lstatSync(diskPath);
  } catch (e) {
    error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return undefined;
  }
  // hex_tarball checks a symlink's own target first, then the path through any linked directories.
  let target: string | undefined;
  if (st.isSymbolicLink()) {
    target = readlinkSync(diskPath);
    if (symlinkEscapes(path, target)) {
      error(`unsafe symlink in tarball: ${path} -> ${target}`);
      return undefined;
    }
  }
  if (safeRelativePath(dir, path) === undefined) {
    error(`unsafe path in tarball: ${path} (it resolves outside the project through a symlink)`);
    return undefined;
  }
  if (target !== undefined) return { path, kind: "symlink", diskPath, mode: st.mode, target };
  if (st.isDirectory()) {
    let empty: boolean;
    try {
      empty = readdirSync(diskPath).length === 0;
    } catch (e) {
      error(`cannot list directory ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return undefined;
    }
    return { path, kind: "dir", diskPath, mode: st.mode, empty };
  }
  if (st.isFile()) return { path, kind: "file", diskPath, mode: st.mode, size: st.size };
  error(`unsupported file type in tarball: ${path}`);
  return undefined;
}

/** `.` dropped, `..` climbing; undefined when the path climbs out of its root (filelib:safe_relative_path/1). */
function lexicallySafe(path: string): string | undefined {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join("/");
}

/**
 * filelib:safe_relative_path/2 as hex_tarball uses it: walks the path segment by segment, following each
 * symlink; undefined when a link is absolute, loops, or leads outside `root`.
 */
function safeRelativePath(root: string, path: string, acc = "", prev: string[] = []): string | undefined {
  let links = prev;
  for (const seg of path.split("/")) {
    const next = lexicallySafe(acc ? `${acc}/${seg}` : seg);
    if (next === undefined) return undefined;
    if (next === "") {
      acc = next;
      continue;
    }
    let link: string | undefined;
    try {
      link = readlinkSync(join(root, next));
    } catch {
      link = undefined;
    }
    if (link === undefined) {
      acc = next;
      continue;
    }
    if (links.includes(link) || isAbsolute(link)) return undefined;
    const resolved = safeRelativePath(root, link, acc, [link, ...links]);
    if (resolved === undefined) return undefined;
    acc = resolved;
    links = [];
  }
  return acc;
}
