// Elixir's Path.wildcard/1 as mix runs it: Erlang's filelib:wildcard with Path.Wildcard, whose directory
// listing hides names starting with a dot. Semantics kept from filelib: leading literal segments are
// checked with lstat (so `.formatter.exs` or a dangling symlink is found), later segments are matched
// against listings; `*` and `?` match any character (dots included, except a leading dot that the listing
// hides), `**` as a whole segment matches zero or more directories, `[a-z]` sets, `{a,b}` alternatives
// (not nested), `\` escapes; listings follow symlinks; results sorted by code point.
import { lstatSync, readdirSync, realpathSync } from "node:fs";
import { join, posix } from "node:path";

export class GlobError extends Error {}

type Part =
  | { c: string } // one literal character
  | { q: true } // ?
  | { star: true } // * followed by more
  | { accept: true } // * at the end
  | { dstar: true } // ** at the end of a segment
  | { set: Set<string> }
  | { alt: Part[][] };

/** Expands `pattern` relative to `root`; returns matching relative paths (posix separators), sorted. */
export function wildcard(root: string, pattern: string): string[] {
  const normal = normalizePattern(pattern);
  const segments = normal.split("/").map(compileSegment);
  let prefix = "";
  let k = 0;
  while (k < segments.length && isLiteral(segments[k]!)) {
    prefix = prefix ? `${prefix}/${literalText(segments[k]!)}` : literalText(segments[k]!);
    k++;
  }
  let out: string[];
  if (k === segments.length) out = exists(join(root, prefix)) ? [prefix] : [];
  else {
    out = [];
    walk(root, prefix, segments.slice(k), out);
  }
  return out.sort(byCodePoint);
}

/** Sort order of Erlang strings (code point lists), which is also the order of their UTF-8 bytes. */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Path.join(cwd, pattern) then the lexical clean-up Path.expand does afterwards: leading and repeated
 * slashes and `.` segments go, `..` climbs. A pattern that climbs out of the root is refused.
 */
export function normalizePattern(pattern: string): string {
  const n = posix.normalize(pattern.replace(/^\/+/, "") || ".").replace(/\/+$/, "");
  if (n === ".") throw new GlobError(`pattern ${JSON.stringify(pattern)} selects the project directory itself`);
  if (n === ".." || n.startsWith("../")) throw new GlobError(`pattern ${JSON.stringify(pattern)} points outside the project`);
  return n;
}

function walk(root: string, base: string, segments: Part[][], out: string[]): void {
  const [seg, ...rest] = segments;
  if (!seg) {
    out.push(base);
    return;
  }
  if (seg.length === 1 && "dstar" in seg[0]!) {
    doubleStar(root, base, rest, out, new Set());
    return;
  }
  for (const name of listDir(join(root, base))) {
    if (matchPart(seg, [...name])) walk(root, base ? `${base}/${name}` : name, rest, out);
  }
}

/** `**`: every entry below `base` at any depth (not `base` itself), each tried against the next segment. */
function doubleStar(root: string, base: string, rest: Part[][], out: string[], seen: Set<string>): void {
  const dir = join(root, base);
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return;
  }
  if (seen.has(real)) return; // a symlink cycle; filelib would loop until the path is too long
  seen.add(real);
  for (const name of listDir(dir)) {
    const full = base ? `${base}/${name}` : name;
    doubleStar(root, full, rest, out, seen);
    if (rest.length === 0) out.push(full);
    else if (matchPart(rest[0]!, [...name])) walk(root, full, rest.slice(1), out);
  }
  seen.delete(real);
}

/** Path.Wildcard.list_dir/1: the directory's names without those starting with a dot; [] on error. */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isLiteral(parts: Part[]): boolean {
  return parts.every((p) => "c" in p);
}

function literalText(parts: Part[]): string {
  return parts.map((p) => (p as { c: string }).c).join("");
}

/** filelib:compile_part/1 for one path segment. */
export function compileSegment(seg: string): Part[] {
  const chars = [...seg];
  const [parts, rest] = compileParts(chars, 0, false);
  if (rest !== chars.length) throw new GlobError(`bad pattern segment ${JSON.stringify(seg)}`);
  return parts;
}

/** Compiles from `i`; with `upto` it stops at `,` or `}` (inside alternatives) and returns the index. */
function compileParts(chars: string[], i: number, upto: boolean): [Part[], number] {
  const out: Part[] = [];
  while (i < chars.length) {
    const c = chars[i]!;
    if (upto && (c === "," || c === "}")) return [out, i];
    if (c === "\\") {
      if (i + 1 < chars.length) out.push({ c: chars[i + 1]! });
      i += 2;
      continue;
    }
    if (c === "?") {
      out.push({ q: true });
      i++;
      continue;
    }
    if (c === "*") {
      if (!upto && chars[i + 1] === "*" && i + 2 === chars.length) {
        out.push({ dstar: true });
        i += 2;
      } else if (chars[i + 1] === "*") {
        out.push({ star: true });
        i += 2;
      } else if (!upto && i + 1 === chars.length) {
        out.push({ accept: true });
        i++;
      } else {
        out.push({ star: true });
        i++;
      }
      continue;
    }
    if (c === "[") {
      const set = compileSet(chars, i + 1);
      if (set) {
        out.push({ set: set[0] });
        i = set[1];
      } else {
        out.push({ c });
        i++;
      }
      continue;
    }
    if (c === "{") {
      if (upto) throw new GlobError("nested {...} alternatives are not supported (Erlang's filelib rejects them)");
      const alts: Part[][] = [];
      let j = i + 1;
      for (;;) {
        if (j >= chars.length) throw new GlobError("missing } in pattern");
        const [alt, end] = compileParts(chars, j, true);
        if (end >= chars.length) throw new GlobError("missing } in pattern");
        alts.push(alt);
        j = end + 1;
        if (chars[end] === "}") break;
      }
      const [tail] = compileParts(chars, j, false);
      out.push({ alt: alts.map((a) => [...a, ...tail]) });
      return [out, chars.length];
    }
    out.push({ c });
    i++;
  }
  return [out, i];
}

/** `[...]` after the `[`: a leading `]` is literal, `a-z` ranges, `\x` escapes; undefined if unclosed. */
function compileSet(chars: string[], i: number): [Set<string>, number] | undefined {
  const set = new Set<string>();
  if (chars[i] === "]") {
    set.add("]");
    i++;
  }
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "]") return [set, i + 1];
    if (c === "\\" && i + 1 < chars.length) {
      set.add(chars[i + 1]!);
      i += 2;
      continue;
    }
    const hi = chars[i + 2];
    if (chars[i + 1] === "-" && hi !== undefined && c.codePointAt(0)! <= hi.codePointAt(0)!) {
      for (let cp = c.codePointAt(0)!; cp <= hi.codePointAt(0)!; cp++) set.add(String.fromCodePoint(cp));
      i += 3;
      continue;
    }
    set.add(c);
    i++;
  }
  return undefined;
}

/** filelib:match_part/2 over the code points of one name. */
function matchPart(parts: Part[], name: string[], pi = 0, ni = 0): boolean {
  for (;;) {
    const p = parts[pi];
    if (p === undefined) return ni === name.length;
    if ("accept" in p || "dstar" in p) return true;
    if ("alt" in p) return p.alt.some((alt) => matchPart(alt, name, 0, ni));
    if ("star" in p) {
      for (let k = ni; k <= name.length; k++) if (matchPart(parts, name, pi + 1, k)) return true;
      return false;
    }
    if (ni >= name.length) return false;
    const ch = name[ni]!;
    if ("q" in p) {
      pi++;
      ni++;
      continue;
    }
    if ("set" in p ? !p.set.has(ch) : p.c !== ch) return false;
    pi++;
    ni++;
  }
}
