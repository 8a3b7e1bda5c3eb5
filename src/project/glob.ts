// Erlang's filelib:wildcard/2, used by rebar3_hex, erlang.mk and (through Elixir's Path.wildcard) mix: `?`, `*`,
// `**`, `[a-z]`, `{a,b}` and `\` escapes, matched one path component at a time. Leading literal components are
// joined and only the whole path is checked (lstat, so a dangling symlink is found); from the first wildcard on,
// every component is matched against directory listings, which follow symlinks. `*` matches names starting with a
// dot unless `matchDot` is false: Path.wildcard/2's default, whose listing hides them. Results are sorted by code
// point (lists:sort of Erlang strings). Malformed patterns, which make filelib raise, throw GlobError.
// Project files are untrusted: a component is matched by a small NFA (time linear in name × pattern, where
// filelib backtracks exponentially on `*a*a*a…b`), and `wildcard` stays inside its directory (see there).
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { isInside } from "../package/paths.js";

/** A pattern that cannot be expanded: malformed, or (`outside`) leading out of the directory it is expanded in. */
export class GlobError extends Error {
  constructor(
    message: string,
    readonly outside = false,
  ) {
    super(message);
  }
}

export interface WildcardOptions {
  /** Whether listings include names starting with a dot: true for filelib (the default), false for Path.wildcard. */
  matchDot?: boolean;
  /**
   * lstats the caller already took, by path as returned here; a path the pattern names literally is looked up in
   * it before it is stat'ed, and its lstat is added, so the caller that walks it next does not stat it again.
   */
  lstats?: Map<string, Stats>;
}

/** A pattern character; escaped ones are never special. */
type Char = string | { escaped: string };

type Token =
  | { t: "char"; c: string }
  | { t: "question" }
  | { t: "star" }
  /** A `*` ending the component: matches the rest, whatever it is. */
  | { t: "accept" }
  | { t: "doubleStar" }
  | { t: "oneOf"; set: Set<number> }
  /** `{...}`: always the last token; one of `alts`, then `rest` (the remainder of the component). */
  | { t: "alt"; alts: Token[][]; rest: Token[] };

/** Erlang strings (code point lists) compare like their UTF-8 bytes. */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** filename:split after filelib's escape protection: a trailing `\` is dropped and `\/` still separates. */
function splitPattern(pattern: string): { absolute: boolean; parts: Char[][] } {
  const parts: Char[][] = [];
  let current: Char[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "\\") {
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
  return { absolute: pattern.startsWith("/"), parts };
}

/** filelib:compile_part/2; with `upto` (inside `{...}`) it stops after a `,` or `}` at this level. */
function compilePart(chars: Char[], start: number, upto: boolean): { tokens: Token[]; end: number; sep?: string } {
  const tokens: Token[] = [];
  let i = start;
  while (i < chars.length) {
    const ch = chars[i]!;
    if (typeof ch !== "string") {
      tokens.push({ t: "char", c: ch.escaped });
      i++;
    } else if (upto && (ch === "," || ch === "}")) {
      return { tokens, end: i + 1, sep: ch };
    } else if (ch === "?") {
      tokens.push({ t: "question" });
      i++;
    } else if (ch === "*") {
      const double = chars[i + 1] === "*";
      i += double ? 2 : 1;
      if (i === chars.length && upto) break; // filelib: missing delimiter
      tokens.push(i < chars.length ? { t: "star" } : double ? { t: "doubleStar" } : { t: "accept" });
    } else if (ch === "[") {
      const set = compileCharset(chars, i + 1);
      tokens.push(set ? { t: "oneOf", set: set.set } : { t: "char", c: "[" });
      i = set ? set.end : i + 1;
    } else if (ch === "{") {
      // filelib crashes on a `{` inside alternatives, whether or not it closes.
      if (upto) throw new GlobError("nested {...} alternatives are not supported (Erlang's filelib rejects them)");
      tokens.push({ t: "alt", ...compileAlt(chars, i + 1) });
      return { tokens, end: chars.length };
    } else {
      tokens.push({ t: "char", c: ch });
      i++;
    }
  }
  if (upto) throw new GlobError("missing } in pattern");
  return { tokens, end: i };
}

function compileAlt(chars: Char[], start: number): { alts: Token[][]; rest: Token[] } {
  const alts: Token[][] = [];
  let i = start;
  for (;;) {
    const seq = compilePart(chars, i, true);
    alts.push(seq.tokens);
    i = seq.end;
    if (seq.sep === "}") break;
  }
  return { alts, rest: compilePart(chars, i, false).tokens };
}

/** filelib:compile_charset/2 after the `[`: a leading `]` is literal, `a-z` ranges; undefined when unclosed. */
function compileCharset(chars: Char[], start: number): { set: Set<number>; end: number } | undefined {
  const set = new Set<number>();
  let i = start;
  if (chars[i] === "]") {
    set.add(0x5d);
    i++;
  }
  const code = (x: Char) => (typeof x === "string" ? x : x.escaped).codePointAt(0)!;
  while (i < chars.length) {
    const ch = chars[i]!;
    if (ch === "]") return { set, end: i + 1 };
    const upper = chars[i + 2];
    // Erlang compares the raw items: an escaped lower end (a tuple) is never below a character, and a range
    // ending in an escaped character makes filelib crash.
    const sameKind = (typeof ch === "string") === (typeof upper === "string");
    if (chars[i + 1] === "-" && upper !== undefined && sameKind && code(ch) <= code(upper)) {
      if (typeof upper !== "string") throw new GlobError("a [...] range cannot end with an escaped character");
      for (let c = code(ch); c <= code(upper); c++) set.add(c);
      i += 3;
      continue;
    }
    if (chars[i + 1] === "-" && upper !== undefined && typeof ch === "string" && typeof upper !== "string") {
      throw new GlobError("a [...] range cannot end with an escaped character");
    }
    set.add(code(ch));
    i++;
  }
  return undefined;
}

/** One NFA instruction: consume one character, fork, jump, or finish. */
type Op =
  | { op: "char"; c: string }
  | { op: "any" }
  | { op: "set"; set: Set<number> }
  /** `*` inside a component: consume any character and stay, or move on without consuming. */
  | { op: "star" }
  /** The rest of the name matches whatever it is. */
  | { op: "acceptRest" }
  | { op: "fork"; to: number[] }
  | { op: "jump"; to: number }
  | { op: "end" };

/** Compiles a component's tokens to NFA instructions; `{a,b}` forks to each alternative, which jump to the rest. */
function compileOps(tokens: Token[], ops: Op[] = [], terminal = true): Op[] {
  for (const tok of tokens) {
    switch (tok.t) {
      case "char":
        ops.push({ op: "char", c: tok.c });
        break;
      case "question":
        ops.push({ op: "any" });
        break;
      case "oneOf":
        ops.push({ op: "set", set: tok.set });
        break;
      case "star":
        ops.push({ op: "star" });
        break;
      case "accept":
      case "doubleStar":
        ops.push({ op: "acceptRest" });
        return ops;
      case "alt": {
        const fork: Op & { op: "fork" } = { op: "fork", to: [] };
        ops.push(fork);
        const jumps: (Op & { op: "jump" })[] = [];
        for (const alt of tok.alts) {
          fork.to.push(ops.length);
          compileOps(alt, ops, false);
          const jump: Op & { op: "jump" } = { op: "jump", to: -1 };
          jumps.push(jump);
          ops.push(jump);
        }
        for (const jump of jumps) jump.to = ops.length;
        return compileOps(tok.rest, ops);
      }
    }
  }
  if (terminal) ops.push({ op: "end" });
  return ops;
}

/** Simulates the NFA over `name` with a set of states: O(name × pattern), never exponential. */
function matchOps(ops: Op[], name: string[]): boolean {
  let current = new Set<number>();
  let accepted = false;
  const add = (states: Set<number>, pc: number): void => {
    if (states.has(pc)) return;
    states.add(pc);
    const op = ops[pc]!;
    if (op.op === "fork") for (const to of op.to) add(states, to);
    else if (op.op === "jump") add(states, op.to);
    else if (op.op === "star") add(states, pc + 1);
    else if (op.op === "acceptRest") accepted = true;
  };
  add(current, 0);
  for (const ch of name) {
    if (accepted) return true;
    const next = new Set<number>();
    for (const pc of current) {
      const op = ops[pc]!;
      if (op.op === "star") add(next, pc);
      else if (
        op.op === "any" ||
        (op.op === "char" && op.c === ch) ||
        (op.op === "set" && op.set.has(ch.codePointAt(0)!))
      )
        add(next, pc + 1);
    }
    if (next.size === 0) return false;
    current = next;
  }
  return accepted || [...current].some((pc) => ops[pc]!.op === "end");
}

const compiled = new WeakMap<Token[], Op[]>();

function matchTokens(tokens: Token[], name: string[]): boolean {
  let ops = compiled.get(tokens);
  if (!ops) compiled.set(tokens, (ops = compileOps(tokens)));
  return matchOps(ops, name);
}

const compileComponent = (chars: Char[]) => compilePart(chars, 0, false).tokens;
const literalOf = (tokens: Token[]) =>
  tokens.every((x) => x.t === "char") ? tokens.map((x) => (x as { c: string }).c).join("") : undefined;

/** True when `name` (one path component) matches the wildcard component `pattern`. */
export function matchComponent(pattern: string, name: string): boolean {
  const { parts } = splitPattern(pattern);
  return parts.length === 1 && matchTokens(compileComponent(parts[0]!), Array.from(name));
}

/** True when `pattern` has no wildcard characters (it names exactly one path). */
export function isLiteralPattern(pattern: string): boolean {
  return splitPattern(pattern).parts.every((p) => literalOf(compileComponent(p)) !== undefined);
}

function listDir(dir: string, matchDot: boolean): string[] {
  try {
    const names = readdirSync(dir);
    return matchDot ? names : names.filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** A directory's identity through symlinks, to stop `**` going round a symlink cycle. */
function realKey(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return path;
  }
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * filelib:wildcard(Pattern, Cwd): the paths matching `pattern`, relative to `cwd` when the pattern is relative
 * (absolute when it is absolute), sorted by code point.
 *
 * Confined to `cwd`, unlike filelib: a pattern whose fixed part lies outside it (`/**`, `../x`, an absolute path
 * elsewhere) or that climbs out with `..` throws GlobError before anything is read, and no directory whose real
 * path is outside `cwd` (reached through a symlink) is listed. A symlink found inside is still returned.
 */
export function wildcard(pattern: string, cwd: string, opts: WildcardOptions = {}): string[] {
  const matchDot = opts.matchDot ?? true;
  const { absolute, parts } = splitPattern(pattern);
  const comps = parts.map(compileComponent);
  const onDisk = (p: string) => (absolute ? p : p === "" ? cwd : cwd.endsWith("/") ? cwd + p : `${cwd}/${p}`);
  const joinRel = (a: string, b: string) => (a === "" ? b : a.endsWith("/") ? a + b : `${a}/${b}`);

  let prefix = absolute ? "/" : "";
  let k = 0;
  for (; k < comps.length; k++) {
    const lit = literalOf(comps[k]!);
    if (lit === undefined) break;
    prefix = joinRel(prefix, lit);
  }
  const root = resolve(cwd);
  const outside = () => new GlobError(`the pattern reaches outside ${root}`, true);
  // Lexically first (a `..` after a wildcard counts against the depth reached), then through symlinks.
  const fixed = resolve(root, prefix === "" ? "." : prefix);
  if (!isInside(fixed, root)) throw outside();
  let depth = fixed
    .slice(root.length)
    .split(sep)
    .filter((p) => p !== "").length;
  for (const comp of comps.slice(k)) {
    const lit = literalOf(comp);
    depth += lit === ".." ? -1 : lit === "." ? 0 : 1;
    if (depth < 0) throw outside();
  }
  const realRoot = realOrResolved(root);
  const listable = (dir: string) => isInside(realOrResolved(onDisk(dir)), realRoot);
  if (k === comps.length) {
    const st = prefix === "" ? undefined : (opts.lstats?.get(prefix) ?? lstatOrUndefined(onDisk(prefix)));
    if (st === undefined) return [];
    // The path itself may be a symlink to anything (the caller judges it); the directory holding it may not.
    if (!isInside(realOrResolved(dirname(onDisk(prefix))), realRoot)) throw outside();
    opts.lstats?.set(prefix, st);
    return [prefix];
  }

  const results = new Set<string>();
  // `strict`: the pattern's fixed part names this directory (`link/*`), so a listing outside is an error; one
  // reached through a wildcard is passed over (the link itself may still match; the package checks refuse it).
  const walk = (base: string, index: number, seen: ReadonlySet<string>, strict: boolean): void => {
    if (index === comps.length) {
      results.add(base);
      return;
    }
    const tokens = comps[index]!;
    if (tokens.length === 1 && tokens[0]!.t === "doubleStar") return doubleStar(base, index + 1, seen, strict);
    if (literalOf(tokens) === "..") {
      if (isDir(onDisk(base))) walk(joinRel(base, ".."), index + 1, seen, strict);
      return;
    }
    if (!listable(base)) {
      if (strict && isDir(onDisk(base)))
        throw new GlobError(`the pattern reaches outside ${root} through the symlink ${base}`, true);
      return;
    }
    for (const name of listDir(onDisk(base), matchDot)) {
      if (matchTokens(tokens, Array.from(name))) walk(joinRel(base, name), index + 1, seen, false);
    }
  };

  // `**`: every entry below `dir` at any depth (not `dir` itself); the next component is matched against each name.
  const doubleStar = (dir: string, next: number, seen: ReadonlySet<string>, strict: boolean): void => {
    const real = realKey(onDisk(dir));
    if (seen.has(real)) return; // filelib would go round until the path is too long
    if (!listable(dir)) {
      if (strict && isDir(onDisk(dir)))
        throw new GlobError(`the pattern reaches outside ${root} through the symlink ${dir}`, true);
      return;
    }
    const inner = new Set(seen).add(real);
    for (const name of listDir(onDisk(dir), matchDot)) {
      const full = joinRel(dir, name);
      doubleStar(full, next, inner, false);
      if (next === comps.length) results.add(full);
      else if (matchTokens(comps[next]!, Array.from(name))) walk(full, next + 1, inner, false);
    }
  };

  walk(prefix, k, new Set(), true);
  return [...results].sort(byCodePoint);
}
