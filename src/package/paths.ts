// Path rules, in one place: what is safe as a package entry or symlink target (building, checking, unpacking),
// whether a file-system path lies inside a root (globbing, project files, docs, --unpack), and OTP's `filename`
// semantics that hex_core applies (erl_tar names PAX members with dirname/basename/join and normalises on read).
import { sep } from "node:path";

/** True when the file-system path `path` is `root` or lies below it (both absolute, normalised, same spelling). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** True when an entry path or link target is rooted: `/` or `\` first, or a drive letter (`C:`). */
export function isRootedEntryPath(path: string): boolean {
  return /^[/\\]/.test(path) || /^[A-Za-z]:/.test(path);
}

// erl_tar builds the PAX member's name with OTP's filename:dirname/basename/join; these follow those rules
// for relative Unix paths (trailing-slash, `//` and `/./` handling included).
export function erlBasename(path: string): string {
  let tail = path;
  for (let i = 0; i < path.length; i++) {
    if (path[i] !== "/") continue;
    tail = i === path.length - 1 ? tail.slice(0, -1) : path.slice(i + 1);
  }
  return tail;
}

export function erlDirname(path: string): string {
  const last = path.lastIndexOf("/");
  const dir = last < 0 ? "" : path.slice(0, last).replace(/\/+$/, "");
  if (dir !== "") return dir;
  return path.startsWith("/") ? "/" : ".";
}

export function erlJoin(...parts: string[]): string {
  let out = "";
  const append = (s: string) => {
    for (const c of s) {
      if (c === "/" && out.endsWith("/.")) out = out.slice(0, -1);
      else if (c === "/" && out.endsWith("/")) continue;
      else out += c;
    }
  };
  append(parts[0]!);
  for (const part of parts.slice(1)) {
    if (part === "") continue;
    if (out.endsWith("/.")) out = out.slice(0, -1);
    else if (!out.endsWith("/")) out += "/";
    append(part);
  }
  return out.length > 1 && out.endsWith("/") ? out.slice(0, -1) : out;
}

/** hex_core's reader normalises every name with `filename:join/1`: `a//b` → `a/b`, `a/./b` → `a/b`. */
export function normalizeTarPath(path: string): string {
  return erlJoin(path);
}

const segments = (path: string) => path.split(/[/\\]/);

/**
 * Why `path` is unsafe as a package entry, or undefined when it is fine. Both `/` and `\\` count as
 * separators (the archive may be extracted on Windows): absolute paths, drive letters and `..` climbing
 * above the root are refused (`a/../b` stays inside and is allowed, as hex_core allows it).
 */
export function safePathProblem(path: string): string | undefined {
  if (path === "") return "empty path";
  if (path.includes("\0")) return "NUL character";
  if (/^[/\\]/.test(path)) return "absolute path";
  if (/^[A-Za-z]:/.test(path)) return "drive letter";
  let depth = 0;
  for (const part of segments(path)) {
    if (part === "" || part === ".") continue;
    depth += part === ".." ? -1 : 1;
    if (depth < 0) return "climbs above the package root";
  }
  return undefined;
}

/** True when symlink `path` -> `target`, resolved from the link's directory, leaves the package root. */
export function symlinkEscapes(path: string, target: string): boolean {
  if (isRootedEntryPath(target) || target.includes("\0")) return true;
  const dir = segments(path).filter((p) => p !== "" && p !== ".");
  dir.pop();
  let depth = 0;
  for (const part of dir) depth += part === ".." ? -1 : 1;
  for (const part of segments(target)) {
    if (part === "" || part === ".") continue;
    depth += part === ".." ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

/** A package entry as an extractor sees it, in archive order. */
export interface TreeEntry {
  path: string;
  type: "file" | "dir" | "symlink";
  linkTarget?: string;
}

/** Why an entry cannot be written safely; `reason` is stable (it becomes `details.reason` upstream). */
export interface TreeProblem {
  reason: "unsafe_path" | "unsafe_symlink" | "duplicate_entry";
  /** The entry's path as given. */
  path: string;
  message: string;
}

interface TreeNode {
  /** "implicit": a directory that only exists because something lies below it. */
  type: TreeEntry["type"] | "implicit";
  target?: string;
  children: Map<string, TreeNode>;
}

/** Symlinks followed while resolving one path before it counts as a loop (Linux's ELOOP limit). */
const MAX_LINK_HOPS = 40;

const newNode = (type: TreeNode["type"], target?: string): TreeNode => ({ type, target, children: new Map() });

/**
 * The tree an extractor builds from a package's entries, written in order, with symlinks followed as the file
 * system would follow them. `add` refuses an entry that would be written outside the root through earlier
 * symlinks (`d/up -> ..`, `esc -> d/up/..`, then `esc/pwned`), below a regular file, over an earlier entry
 * (two names for one path, `a//b` and `a/b`, `l/x` and `d/x` when `l -> d`), or a symlink that leads outside
 * from where it stands. `finish` checks every symlink again against the whole tree, since a later link can
 * change where an earlier one leads. Both `/` and `\` separate (the archive may be unpacked on Windows) and
 * names compare in Unicode NFC (macOS normalises names).
 */
export class EntryTree {
  readonly #root = newNode("dir");
  readonly #links: { path: string; parent: string[]; target: string }[] = [];

  /** Resolves `parts` from the directory `from`: the physical path (names from the root), or a problem. */
  #resolve(from: string[], parts: string[], followLast: boolean): string[] | "outside" | "loop" | "below_file" {
    const names = [...from];
    const nodes: (TreeNode | undefined)[] = [this.#root];
    for (const name of names) nodes.push(nodes[nodes.length - 1]?.children.get(name));
    let queue = parts.filter((p) => p !== "" && p !== ".");
    let hops = 0;
    for (let i = 0; i < queue.length; i++) {
      const part = queue[i]!;
      const parent = nodes[nodes.length - 1];
      if (parent?.type === "file") return "below_file";
      if (part === "..") {
        if (names.length === 0) return "outside";
        names.pop();
        nodes.pop();
        continue;
      }
      if (part === "." || part === "") continue;
      const node = parent?.children.get(part);
      const last = i === queue.length - 1;
      if (node?.type === "symlink" && (!last || followLast)) {
        if (++hops > MAX_LINK_HOPS) return "loop";
        const target = node.target!;
        if (isRootedEntryPath(target)) return "outside";
        queue = [...segments(target).filter((p) => p !== "" && p !== "."), ...queue.slice(i + 1)];
        i = -1;
        continue;
      }
      names.push(part);
      nodes.push(node);
    }
    return names;
  }

  /** Records the next entry; returns why it is unsafe, or undefined. */
  add(entry: TreeEntry): TreeProblem | undefined {
    const parts = segments(entry.path).map((p) => p.normalize("NFC"));
    const where = this.#resolve([], parts, false);
    const shown = JSON.stringify(entry.path);
    const unsafe = (message: string): TreeProblem => ({ reason: "unsafe_path", path: entry.path, message });
    if (where === "outside") return unsafe(`${shown} is written outside the package through a symlink`);
    if (where === "loop") return unsafe(`${shown} goes through a symlink loop`);
    if (where === "below_file") return unsafe(`${shown} lies below a regular file`);
    if (where.length === 0) return unsafe(`${shown} names the package root itself`);
    let node = this.#root;
    for (const name of where.slice(0, -1)) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = newNode("implicit")));
      node = child;
    }
    const name = where[where.length - 1]!;
    const existing = node.children.get(name);
    if (existing && !(existing.type === "implicit" && entry.type === "dir")) {
      return {
        reason: "duplicate_entry",
        path: entry.path,
        message: `${shown} names a path already in the package (${where.join("/")})`,
      };
    }
    if (existing) existing.type = "dir";
    else node.children.set(name, newNode(entry.type, entry.linkTarget));
    if (entry.type === "symlink") {
      const link = { path: entry.path, parent: where.slice(0, -1), target: entry.linkTarget ?? "" };
      this.#links.push(link);
      return this.#checkLink(link);
    }
    return undefined;
  }

  #checkLink(link: { path: string; parent: string[]; target: string }): TreeProblem | undefined {
    const shown = `Symlink ${JSON.stringify(link.path)} -> ${JSON.stringify(link.target)}`;
    const unsafe = (why: string): TreeProblem => ({
      reason: "unsafe_symlink",
      path: link.path,
      message: `${shown} ${why}`,
    });
    if (link.target === "" || link.target.includes("\0")) return unsafe("has no valid target");
    if (isRootedEntryPath(link.target)) return unsafe("points outside the package");
    const to = this.#resolve(
      link.parent,
      segments(link.target).map((p) => p.normalize("NFC")),
      true,
    );
    if (to === "outside") return unsafe("points outside the package");
    if (to === "loop") return unsafe("is part of a symlink loop");
    return undefined; // "below_file" only dangles
  }

  /** Checks every symlink against the finished tree; returns the first problem, or undefined. */
  finish(): TreeProblem | undefined {
    for (const link of this.#links) {
      const problem = this.#checkLink(link);
      if (problem) return problem;
    }
    return undefined;
  }
}

/** The first problem of `entries` as an extractor writes them in order, or undefined (see EntryTree). */
export function entryTreeProblem(entries: Iterable<TreeEntry>): TreeProblem | undefined {
  const tree = new EntryTree();
  for (const e of entries) {
    const problem = tree.add(e);
    if (problem) return problem;
  }
  return tree.finish();
}
