// Path rules for package entries: what is safe to write or unpack, and OTP's `filename` semantics that
// hex_core applies (erl_tar names PAX members with dirname/basename/join and normalises names on read).

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
  if (safePathProblem(target) === "absolute path" || /^[A-Za-z]:/.test(target) || target.includes("\0")) return true;
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
