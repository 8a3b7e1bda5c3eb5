// Erlang's filelib:wildcard/2 as rebar3_hex and erlang.mk use it: `?`, `*`, `**`, `[a-z]`, `{a,b}` and `\`
// escapes, matched one path component at a time. Unlike shell globs, `*` also matches names starting with a dot.
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** One compiled path component: literal code points or wildcard tokens. */
type Token =
  | { t: "char"; c: string }
  | { t: "question" }
  | { t: "star" }
  /** A `*` ending the component: matches the rest, whatever it is. */
  | { t: "accept" }
  | { t: "doubleStar" }
  | { t: "oneOf"; set: Set<number> }
  | { t: "alt"; alts: Token[][] };

type Part = { literal: string } | { tokens: Token[] } | { parent: true };

/** Splits a pattern into components, honouring `\` escapes. */
function splitPattern(pattern: string): { absolute: boolean; parts: (string | { escaped: string })[][] } {
  const absolute = pattern.startsWith("/");
  const parts: (string | { escaped: string })[][] = [];
  let current: (string | { escaped: string })[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "\\") {
      // A trailing backslash is dropped, and an escaped `/` still separates components, as in filelib.
      if (i + 1 < chars.length && chars[i + 1] !== "/") current.push({ escaped: chars[++i]! });
      continue;
    }
    if (ch === "/") {
      if (current.length > 0) parts.push(current);
      current = [];
      continue;
    }
    current.push(ch);
  }
  if (current.length > 0) parts.push(current);
  return { absolute, parts };
}

function compilePart(chars: (string | { escaped: string })[]): Token[] {
  return compileSeq(chars, 0, false).tokens;
}

/** Compiles until the end, or (inside `{...}`) until a `,` or `}` at this level. */
function compileSeq(
  chars: (string | { escaped: string })[],
  start: number,
  uptoSep: boolean,
): { tokens: Token[]; end: number; sep?: string } {
  const tokens: Token[] = [];
  let i = start;
  while (i < chars.length) {
    const ch = chars[i]!;
    if (typeof ch !== "string") {
      tokens.push({ t: "char", c: ch.escaped });
      i++;
      continue;
    }
    if (uptoSep && (ch === "," || ch === "}")) return { tokens, end: i + 1, sep: ch };
    if (ch === "?") {
      tokens.push({ t: "question" });
      i++;
    } else if (ch === "*") {
      const double = chars[i + 1] === "*";
      const afterStars = i + (double ? 2 : 1);
      if (afterStars === chars.length && !uptoSep) tokens.push(double ? { t: "doubleStar" } : { t: "accept" });
      else tokens.push({ t: "star" });
      i = afterStars;
    } else if (ch === "[") {
      const set = compileCharset(chars, i + 1);
      if (set) {
        tokens.push({ t: "oneOf", set: set.set });
        i = set.end;
      } else {
        tokens.push({ t: "char", c: "[" });
        i++;
      }
    } else if (ch === "{") {
      const alt = compileAlt(chars, i + 1);
      if (alt) {
        // The rest of the component is appended to every alternative.
        tokens.push({ t: "alt", alts: alt });
        return { tokens, end: chars.length };
      }
      tokens.push({ t: "char", c: "{" });
      i++;
    } else {
      tokens.push({ t: "char", c: ch });
      i++;
    }
  }
  if (uptoSep) throw new Error("missing delimiter");
  return { tokens, end: i };
}

function compileCharset(chars: (string | { escaped: string })[], start: number): { set: Set<number>; end: number } | undefined {
  const set = new Set<number>();
  let i = start;
  if (chars[i] === "]") {
    set.add(0x5d);
    i++;
  }
  const code = (x: string | { escaped: string }) => (typeof x === "string" ? x : x.escaped).codePointAt(0)!;
  while (i < chars.length) {
    const ch = chars[i]!;
    if (ch === "]") return { set, end: i + 1 };
    const next = chars[i + 1];
    const upper = chars[i + 2];
    if (next === "-" && upper !== undefined && code(ch) <= code(upper)) {
      for (let c = code(ch); c <= code(upper); c++) set.add(c);
      i += 3;
      continue;
    }
    set.add(code(ch));
    i++;
  }
  return undefined;
}

function compileAlt(chars: (string | { escaped: string })[], start: number): Token[][] | undefined {
  const alts: Token[][] = [];
  let i = start;
  for (;;) {
    let seq: ReturnType<typeof compileSeq>;
    try {
      seq = compileSeq(chars, i, true);
    } catch {
      return undefined;
    }
    alts.push(seq.tokens);
    i = seq.end;
    if (seq.sep === "}") break;
  }
  const rest = compileSeq(chars, i, false).tokens;
  return alts.map((alt) => [...alt, ...rest]);
}

function matchTokens(tokens: Token[], name: string[], ti = 0, ni = 0): boolean {
  while (ti < tokens.length) {
    const tok = tokens[ti]!;
    switch (tok.t) {
      case "accept":
      case "doubleStar":
        return true;
      case "question":
        if (ni >= name.length) return false;
        ti++;
        ni++;
        break;
      case "star":
        for (let k = ni; k <= name.length; k++) if (matchTokens(tokens, name, ti + 1, k)) return true;
        return false;
      case "oneOf":
        if (ni >= name.length || !tok.set.has(name[ni]!.codePointAt(0)!)) return false;
        ti++;
        ni++;
        break;
      case "alt":
        return tok.alts.some((alt) => matchTokens([...alt, ...tokens.slice(ti + 1)], name, 0, ni));
      case "char":
        if (name[ni] !== tok.c) return false;
        ti++;
        ni++;
        break;
    }
  }
  return ni === name.length;
}

/** True when `name` (one path component) matches the wildcard component `pattern`. */
export function matchComponent(pattern: string, name: string): boolean {
  const { parts } = splitPattern(pattern);
  if (parts.length !== 1) return false;
  return matchTokens(compilePart(parts[0]!), Array.from(name));
}

function compile(pattern: string): { absolute: boolean; parts: Part[] } {
  const { absolute, parts } = splitPattern(pattern);
  return {
    absolute,
    parts: parts.map((chars): Part => {
      const tokens = compilePart(chars);
      if (tokens.every((x) => x.t === "char")) {
        const literal = tokens.map((x) => (x as { c: string }).c).join("");
        return literal === ".." ? { parent: true } : { literal };
      }
      return { tokens };
    }),
  };
}

function listDir(dir: string): string[] | undefined {
  try {
    return readdirSync(dir).sort();
  } catch {
    return undefined;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
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

/**
 * filelib:wildcard(Pattern, Cwd): the paths matching `pattern`, relative to `cwd` when the pattern is relative
 * (absolute when it is absolute), sorted. A pattern without wildcards yields itself when it exists (even as a
 * dangling symlink). Directories are listed through symlinks, as Erlang's file:list_dir does.
 */
export function wildcard(pattern: string, cwd: string): string[] {
  const { absolute, parts } = compile(pattern);
  const base = absolute ? "/" : "";
  const onDisk = (rel: string) => (absolute ? rel : rel === "" ? cwd : join(cwd, rel));
  const joinRel = (a: string, b: string) => (a === "" ? b : a === "/" ? `/${b}` : `${a}/${b}`);
  const results: string[] = [];

  const walk = (current: string, index: number, seen: Set<string>): void => {
    if (index === parts.length) {
      if (current !== "" && exists(onDisk(current))) results.push(current);
      return;
    }
    const part = parts[index]!;
    if ("literal" in part) return walk(joinRel(current, part.literal), index + 1, seen);
    if ("parent" in part) {
      if (isDir(onDisk(current))) walk(joinRel(current, ".."), index + 1, seen);
      return;
    }
    const names = listDir(onDisk(current));
    if (!names) return;
    if (part.tokens.length === 1 && part.tokens[0]!.t === "doubleStar") {
      doubleStar(current, index + 1, seen);
      return;
    }
    for (const name of names) if (matchTokens(part.tokens, Array.from(name))) walk(joinRel(current, name), index + 1, seen);
  };

  // `**`: every entry below `dir` at any depth; the next component is matched against each entry's name.
  const doubleStar = (dir: string, next: number, seen: Set<string>): void => {
    const real = realKey(onDisk(dir));
    if (seen.has(real)) return; // a symlink cycle
    const inner = new Set(seen).add(real);
    for (const name of listDir(onDisk(dir)) ?? []) {
      const full = joinRel(dir, name);
      doubleStar(full, next, inner);
      if (next === parts.length) results.push(full);
      else {
        const part = parts[next]!;
        const matches =
          "literal" in part ? part.literal === name : "parent" in part ? name === ".." : matchTokens(part.tokens, Array.from(name));
        if (matches) walk(full, next + 1, inner);
      }
    }
  };

  if (parts.length === 0) return absolute && exists("/") ? ["/"] : [];
  walk(base, 0, new Set());
  return [...new Set(results)].sort();
}

function realKey(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return path;
  }
}

/** True when `pattern` has no wildcard characters (it names exactly one path). */
export function isLiteralPattern(pattern: string): boolean {
  const { parts } = compile(pattern);
  return parts.every((p) => !("tokens" in p));
}
