// Elixir terms as the static evaluator sees them. `unknown` stands for whatever cannot be computed
// without running Elixir; it carries the reason and where it came from, so callers can report it.

export type Value =
  | { t: "bin"; v: string }
  | { t: "atom"; v: string }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "list"; v: Value[] }
  | { t: "tuple"; v: Value[] }
  | { t: "map"; v: Array<[Value, Value]> }
  | { t: "regex"; source: string; mods: string }
  | Unknown;

export interface Unknown {
  t: "unknown";
  why: string;
  line: number;
  col: number;
}

export const nil: Value = { t: "atom", v: "nil" };
export const bin = (v: string): Value => ({ t: "bin", v });
export const atom = (v: string): Value => ({ t: "atom", v });
export const list = (v: Value[]): Value => ({ t: "list", v });
export const unknown = (why: string, at: { line: number; col: number }): Unknown => ({
  t: "unknown",
  why,
  line: at.line,
  col: at.col,
});

export function isNil(v: Value): boolean {
  return v.t === "atom" && v.v === "nil";
}

/** Elixir truthiness: everything but `nil` and `false`; undefined when the value is unknown. */
export function truthy(v: Value): boolean | undefined {
  if (v.t === "unknown") return undefined;
  return !(v.t === "atom" && (v.v === "nil" || v.v === "false"));
}

/** The first unknown inside a value (depth-first), if any. */
export function findUnknown(v: Value): Unknown | undefined {
  switch (v.t) {
    case "unknown":
      return v;
    case "list":
    case "tuple":
      for (const x of v.v) {
        const u = findUnknown(x);
        if (u) return u;
      }
      return undefined;
    case "map":
      for (const [k, x] of v.v) {
        const u = findUnknown(k) ?? findUnknown(x);
        if (u) return u;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Structural equality (`==`: 1 == 1.0); undefined when an unknown is involved. */
export function equal(a: Value, b: Value, strict = false): boolean | undefined {
  if (a.t === "unknown" || b.t === "unknown") return undefined;
  if (!strict && (a.t === "int" || a.t === "float") && (b.t === "int" || b.t === "float"))
    return Number(a.v) === Number(b.v);
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "bin":
    case "atom":
    case "int":
    case "float":
      return a.v === (b as typeof a).v;
    case "regex":
      return a.source === (b as typeof a).source && a.mods === (b as typeof a).mods;
    case "list":
    case "tuple": {
      const bv = (b as typeof a).v;
      if (a.v.length !== bv.length) return false;
      let sure = true;
      for (let i = 0; i < a.v.length; i++) {
        const e = equal(a.v[i]!, bv[i]!, strict);
        if (e === false) return false;
        if (e === undefined) sure = false;
      }
      return sure ? true : undefined;
    }
    case "map": {
      const bv = (b as typeof a).v;
      if (a.v.length !== bv.length) return false;
      for (const [k, x] of a.v) {
        const other = bv.find(([k2]) => equal(k, k2, true) === true);
        if (!other) return findUnknown(b) ? undefined : false;
        const e = equal(x, other[1], strict);
        if (e !== true) return e;
      }
      return true;
    }
  }
}

/** Keyword/Access lookup of an atom key (`opts[:key]`: first occurrence); undefined when absent. */
export function kwGet(kw: Value, key: string): Value | undefined {
  if (kw.t === "list") {
    for (const item of kw.v)
      if (item.t === "tuple" && item.v.length === 2 && item.v[0]!.t === "atom" && item.v[0]!.v === key)
        return item.v[1];
    return undefined;
  }
  if (kw.t === "map") {
    for (const [k, v] of kw.v) if (k.t === "atom" && k.v === key) return v;
  }
  return undefined;
}

/** Whether a list holds only `{atom, value}` pairs (a keyword list). */
export function isKeyword(v: Value): boolean {
  return v.t === "list" && v.v.every((i) => i.t === "tuple" && i.v.length === 2 && i.v[0]!.t === "atom");
}

/** `Map.new(keyword)`: pairs of a keyword list or map, later keys replacing earlier ones. */
export function toPairs(v: Value): Array<[string, Value]> | undefined {
  const out = new Map<string, Value>();
  if (v.t === "map") {
    for (const [k, x] of v.v) if (k.t === "atom") out.set(k.v, x);
    return [...out];
  }
  if (!isKeyword(v)) return undefined;
  for (const item of (v as { v: Value[] }).v) {
    const [k, x] = (item as { v: Value[] }).v as [Value & { t: "atom" }, Value];
    out.set(k.v, x);
  }
  return [...out];
}

/** A short Elixir-like rendering for messages (`:dev`, `"x"`, `[:a, :b]`). */
export function inspect(v: Value): string {
  switch (v.t) {
    case "bin":
      return JSON.stringify(v.v);
    case "atom":
      return /^(nil|true|false)$/.test(v.v)
        ? v.v
        : /^[A-Za-z_][\w]*[?!]?$/.test(v.v)
          ? `:${v.v}`
          : `:${JSON.stringify(v.v)}`;
    case "int":
      return v.v.toString();
    case "float":
      return String(v.v);
    case "list":
      return `[${v.v.map(inspect).join(", ")}]`;
    case "tuple":
      return `{${v.v.map(inspect).join(", ")}}`;
    case "map":
      return `%{${v.v.map(([k, x]) => `${inspect(k)} => ${inspect(x)}`).join(", ")}}`;
    case "regex":
      return `~r/${v.source}/${v.mods}`;
    case "unknown":
      return "(unknown)";
  }
}

/** `to_string/1` (String.Chars) for the types mix files interpolate; undefined when not convertible. */
export function toText(v: Value): string | undefined {
  switch (v.t) {
    case "bin":
      return v.v;
    case "atom":
      return v.v === "nil" ? "" : v.v;
    case "int":
      return v.v.toString();
    case "list": {
      let out = "";
      for (const x of v.v) {
        if (x.t === "int" && x.v >= 0n && x.v <= 0x10ffffn) out += String.fromCodePoint(Number(x.v));
        else if (x.t === "bin" || x.t === "list") {
          const s = toText(x);
          if (s === undefined) return undefined;
          out += s;
        } else return undefined;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Elixir's whitespace for String.trim/1: the Unicode White_Space property. */
const whiteSpace =
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" +
  "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
const nonBreaking = "\u00a0\u2007\u202f";

export function elixirTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && whiteSpace.includes(s[a]!)) a++;
  while (b > a && whiteSpace.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** String.split/1: splits on whitespace other than the non-breaking kinds, dropping empty parts. */
export function elixirSplitWords(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const c of s) {
    if (whiteSpace.includes(c) && !nonBreaking.includes(c)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}
