// metadata.config, byte for byte as hex_core 0.19 writes it (hex_tarball:create) and reads it
// (hex_tarball:unpack: the safe_erl_term lexer, erl_parse:parse_term, then normalisation).
// The reader reproduces hex_core's verdicts, quirks included; see vectors/README.md §2 and §7.
import { HextsError } from "../errors.js";
import { prettyTerm } from "./pretty.js";
import { ERLANG_ESCAPES, TERM_LIMITS } from "./reader.js";
import { BitWriter, applySegmentType, newSegmentSpec, writeSegment, type SegmentValue } from "./bits.js";
import {
  Atom,
  Charlist,
  ErlMap,
  Float,
  Tuple,
  bin,
  codesToString,
  compareBytes,
  int,
  isList,
  listItems,
  toMetaValue,
  toTerm,
  type MetaObject,
  type MetaValue,
  type Term,
} from "./terms.js";

// ---------------------------------------------------------------- writer

/**
 * Encodes a metadata map exactly as hex_core's `hex_tarball:create` does: one
 * `io_lib_pretty:print({Key, Value}).\n` per key, keys in Erlang term order (bytewise for
 * strings), nested maps turned into proplists in the same order, atoms other than
 * true/false/undefined written as binaries. Throws PACKAGE_INVALID where hex_core crashes
 * (tuples that are not pairs, improper lists).
 * Known difference: hex_core writes maps of more than 32 keys in its internal hash order; they
 * are written sorted here.
 */
export function encodeMetadataConfig(metadata: MetaObject | ErlMap<MetaValue>): Uint8Array {
  const top = toTerm(metadata);
  if (!(top instanceof ErlMap)) throw new HextsError("PACKAGE_INVALID", "metadata must be a map");
  let text = "";
  for (const [key, value] of top.entries) text += `${prettyTerm(binarify(new Tuple([key, value])))}.\n`;
  return bin(text);
}

// hex_tarball's binarify/1: what it accepts, and how it rewrites it before printing.
function binarify(t: Term): Term {
  if (t instanceof Uint8Array || typeof t === "number" || typeof t === "bigint" || t instanceof Float) return t;
  if (t instanceof Atom) return ["true", "false", "undefined"].includes(t.name) ? t : bin(t.name);
  if (Array.isArray(t)) return t.map(binarify);
  if (t instanceof Charlist) return [...t.codes];
  if (t instanceof Tuple) {
    if (t.items.length !== 2) throw unwritable(`a ${t.items.length}-tuple (only {Key, Value} pairs can be written)`);
    return new Tuple(t.items.map(binarify));
  }
  if (t instanceof ErlMap) return t.entries.map(([k, v]) => new Tuple([binarify(k), binarify(v)]));
  throw unwritable("an improper list");
}

const unwritable = (what: string) =>
  new HextsError("PACKAGE_INVALID", `metadata contains ${what}, which hex_core cannot write to metadata.config`);

// ---------------------------------------------------------------- reader

export interface DecodeMetadataOptions {
  /** hex_core's `metadata_fields` config: decode only these top-level keys. */
  fields?: readonly string[];
  /**
   * Atoms the reading VM already knows: hex_core's lexer rejects any other atom ("illegal atom").
   * The real set is whatever a running Erlang VM has loaded; the default is a small set that
   * certainly exists (booleans, undefined, nil, ok, error, binary segment types and a few more).
   */
  knownAtoms?: ReadonlySet<string>;
}

export type MetadataErrorReason = "invalid_terms" | "not_key_value" | "user" | "illegal" | "crash";

/** A metadata.config that hex_core refuses. `erlang` is hex_core's reason term, e.g. `{metadata,invalid_terms}`. */
export class MetadataConfigError extends HextsError {
  constructor(
    readonly reason: MetadataErrorReason,
    readonly erlang: string,
    message: string,
  ) {
    super("TARBALL_INVALID", `error reading package metadata: ${message}`, {
      details: { reason: `metadata.${reason}`, erlang },
    });
    this.name = "MetadataConfigError";
  }
  /** The vectors' `reason_tag`, e.g. `metadata.invalid_terms`. */
  get reasonTag(): string {
    return `metadata.${this.reason}`;
  }
}

const invalidTerms = () => new MetadataConfigError("invalid_terms", "{metadata,invalid_terms}", "invalid terms");
const notKeyValue = () =>
  new MetadataConfigError("not_key_value", "{metadata,not_key_value}", "not in key-value format");
const crash = (what: string) =>
  new MetadataConfigError("crash", `{metadata,crash}`, `${what} (hex_core itself crashes on this metadata)`);

export const DEFAULT_KNOWN_ATOMS: ReadonlySet<string> = new Set([
  "true",
  "false",
  "undefined",
  "nil",
  "ok",
  "error",
  "name",
  "value",
  "infinity",
  "none",
  "all",
  "integer",
  "float",
  "binary",
  "bytes",
  "bitstring",
  "bits",
  "utf8",
  "utf16",
  "utf32",
  "signed",
  "unsigned",
  "big",
  "little",
  "native",
  "unit",
]);

/**
 * Reads metadata.config as `hex_tarball:unpack` does, normalisation included (requirements,
 * links and extra become maps, build_tools is guessed from top-level files when missing).
 * The result is JSON-like (see MetaValue): a plain object when every key is a UTF-8 binary.
 * Throws MetadataConfigError with hex_core's verdict.
 */
export function decodeMetadataConfig(
  bytes: Uint8Array,
  options: DecodeMetadataOptions = {},
): MetaObject | ErlMap<MetaValue> {
  const known = options.knownAtoms ?? DEFAULT_KNOWN_ATOMS;
  const read = (source: Source) =>
    options.fields ? readFields(new MetaLexer(source, known), options.fields) : readAll(new MetaLexer(source, known));
  let map: ErlMap;
  try {
    map = read(utf8Source(bytes));
  } catch (e) {
    if (e !== LATIN1_FALLBACK) throw e;
    map = read({ chars: Array.from(bytes), limit: Infinity });
  }
  return toMetaValue(normalize(map)) as MetaObject | ErlMap<MetaValue>;
}

// The text as hex_core sees it. hex_core decodes UTF-8 in 4096-byte chunks while lexing; at the
// first chunk that is not valid UTF-8 (or an incomplete sequence at the end) it starts over
// reading the whole file as Latin-1. So the fallback happens only if lexing gets that far:
// reading index `limit` or beyond throws LATIN1_FALLBACK.
interface Source {
  chars: number[];
  limit: number;
}
const LATIN1_FALLBACK = Symbol("latin1 fallback");
const CHUNK = 4096;

function utf8Source(bytes: Uint8Array): Source {
  const chars: number[] = [];
  let pending: number[] = [];
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const data = [...pending, ...bytes.subarray(start, start + CHUNK)];
    const decoded = decodeUtf8Chunk(data);
    if (!decoded) return { chars, limit: chars.length };
    chars.push(...decoded.chars);
    pending = decoded.incomplete;
  }
  return { chars, limit: pending.length > 0 ? chars.length : Infinity };
}

/** Code points of a chunk plus an incomplete trailing sequence, or undefined if any sequence is invalid. */
function decodeUtf8Chunk(data: number[]): { chars: number[]; incomplete: number[] } | undefined {
  const chars: number[] = [];
  let i = 0;
  while (i < data.length) {
    const x = data[i]!;
    if (x < 0x80) {
      chars.push(x);
      i++;
      continue;
    }
    const size = x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0;
    if (size === 0) return undefined;
    let code = x & (0xff >> (size + 1));
    const end = Math.min(i + size, data.length);
    for (let k = i + 1; k < end; k++) {
      const y = data[k]!;
      const lo = k === i + 1 ? (x === 0xe0 ? 0xa0 : x === 0xf0 ? 0x90 : 0x80) : 0x80;
      const hi = k === i + 1 ? (x === 0xed ? 0x9f : x === 0xf4 ? 0x8f : 0xbf) : 0xbf;
      if (y < lo || y > hi) return undefined;
      code = (code << 6) | (y & 0x3f);
    }
    if (i + size > data.length) return { chars, incomplete: data.slice(i) };
    chars.push(code);
    i += size;
  }
  return { chars, incomplete: [] };
}

// ---------------------------------------------------------------- safe_erl_term lexer

type MetaTok =
  | { t: "atom"; atom: Atom }
  | { t: "string"; codes: number[] }
  | { t: "int"; value: bigint }
  | { t: "punct"; s: string }
  | { t: "dot" };

type Scan =
  | { kind: "token"; tok: MetaTok; end: number }
  | { kind: "skip"; end: number }
  | { kind: "error"; reason: MetadataConfigError; end: number }
  | { kind: "eof" };

const EOF = -1;
const isLowerAscii = (c: number): boolean => c >= 97 && c <= 122;
const isAtomChar = (c: number): boolean =>
  isLowerAscii(c) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 64;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const SINGLE = new Set(["#", "[", "]", "}", "{", ",", "+", "-", "/"]);
const DOUBLE: Record<string, string> = { "<": "<<", ">": ">>", "=": "=>" };

/**
 * One leex rule match at a time, longest match first, reading exactly the characters leex's DFA
 * reads (that matters for the Latin-1 restart and for the end of input, see `sawEnd`).
 */
class MetaLexer {
  /** Set once a scan has had to look at the end of input: hex_core is then in its final flush. */
  sawEnd = false;

  constructor(
    private readonly src: Source,
    private readonly known: ReadonlySet<string>,
  ) {}

  at(i: number): number {
    if (i >= this.src.limit) throw LATIN1_FALLBACK;
    if (i >= this.src.chars.length) {
      this.sawEnd = true;
      return EOF;
    }
    return this.src.chars[i]!;
  }

  scan(p: number): Scan {
    const c = this.at(p);
    if (c === EOF) return { kind: "eof" };
    if (c <= 32) {
      let q = p + 1;
      for (let x = this.at(q); x !== EOF && x <= 32; x = this.at(q)) q++;
      return { kind: "skip", end: q };
    }
    if (isLowerAscii(c)) {
      let q = p + 1;
      while (isAtomChar(this.at(q))) q++;
      return this.atom(this.src.chars.slice(p, q), q);
    }
    if (c === 34 || c === 39) {
      const end = this.quoted(p, c);
      if (end < 0) return { kind: "error", reason: illegal(this.src.chars.slice(p)), end: this.src.chars.length };
      const codes = unescape(this.src.chars.slice(p + 1, end - 1));
      return c === 34 ? { kind: "token", tok: { t: "string", codes }, end } : this.atom(codes, end);
    }
    if (isDigit(c)) {
      let q = p + 1;
      while (isDigit(this.at(q))) q++;
      if (q - p > MAX_NUMBER_DIGITS) throw tooBig(`a number longer than ${MAX_NUMBER_DIGITS} digits`);
      return { kind: "token", tok: { t: "int", value: BigInt(codesToString(this.src.chars.slice(p, q))) }, end: q };
    }
    const ch = String.fromCodePoint(c);
    if (c === 46) return { kind: "token", tok: { t: "dot" }, end: p + 1 };
    if (SINGLE.has(ch)) return { kind: "token", tok: { t: "punct", s: ch }, end: p + 1 };
    const pair = DOUBLE[ch];
    if (pair) {
      const next = this.at(p + 1);
      if (next === pair.charCodeAt(1)) return { kind: "token", tok: { t: "punct", s: pair }, end: p + 2 };
      const end = next === EOF ? p + 1 : p + 2;
      return { kind: "error", reason: illegal(this.src.chars.slice(p, end)), end };
    }
    return { kind: "error", reason: illegal([c]), end: p + 1 };
  }

  private atom(codes: number[], end: number): Scan {
    // Erlang atoms hold at most 255 characters; a longer one is never a known atom (and is only shown cut).
    const name = codesToString(codes.length > 255 ? codes.slice(0, 255) : codes) + (codes.length > 255 ? "..." : "");
    if (this.known.has(name)) return { kind: "token", tok: { t: "atom", atom: new Atom(name) }, end };
    const reason = new MetadataConfigError(
      "user",
      `{metadata,{user,${erlString(`illegal atom ${name}`)}}}`,
      `illegal atom ${name}`,
    );
    return { kind: "error", reason, end };
  }

  // `"(\\\^.|\\.|[^"])*"` (and the same with '), longest match: an NFA over three states.
  // IN = inside, ready for an item; BS = after a backslash that starts a pair; CTL = after `\^`.
  // `.` does not match a newline. Returns the end index (after the quote) or -1.
  private quoted(p: number, quote: number): number {
    const IN = 1;
    const BS = 2;
    const CTL = 4;
    let states = IN;
    let accept = -1;
    for (let i = p + 1; states !== 0; i++) {
      const c = this.at(i);
      if (c === EOF) break;
      let next = 0;
      if (states & IN) {
        if (c === quote) accept = i + 1;
        else next |= c === 92 ? IN | BS : IN;
      }
      if (states & BS && c !== 10) next |= c === 94 ? IN | CTL : IN;
      if (states & CTL && c !== 10) next |= IN;
      states = next;
    }
    return accept;
  }
}

// safe_erl_term's escape/1, which differs from Erlang's: \x is not hex, a backslash before a
// control character or space drops both.
function unescape(cs: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  const octal = (c: number | undefined) => c !== undefined && c >= 48 && c <= 55;
  while (i < cs.length) {
    const c = cs[i]!;
    if (c !== 92) {
      out.push(c);
      i++;
      continue;
    }
    const [a, b, d] = [cs[i + 1], cs[i + 2], cs[i + 3]];
    if (octal(a) && octal(b) && octal(d)) {
      out.push((a! - 48) * 64 + (b! - 48) * 8 + (d! - 48));
      i += 4;
    } else if (a === 94 && b !== undefined) {
      out.push(b & 31);
      i += 3;
    } else if (a !== undefined && a <= 32) {
      i += 2;
    } else if (a !== undefined) {
      out.push(ERLANG_ESCAPES.get(a) ?? a);
      i += 2;
    } else {
      // A lone trailing backslash: hex_core's escape has no clause for it and crashes.
      throw crash("a string ends in a lone backslash");
    }
  }
  return out;
}

function illegal(chars: number[]): MetadataConfigError {
  const text = codesToString(chars.length > 200 ? chars.slice(0, 200) : chars) + (chars.length > 200 ? "..." : "");
  return new MetadataConfigError(
    "illegal",
    `{metadata,{illegal,${erlString(text)}}}`,
    `illegal characters ${JSON.stringify(text)}`,
  );
}

// The term reader's limits keep a hostile metadata.config from exhausting the stack or the CPU (hex_core has none).
const { depth: MAX_TERM_DEPTH, numberDigits: MAX_NUMBER_DIGITS } = TERM_LIMITS;
const tooBig = (what: string) =>
  new HextsError("TERM_SYNTAX", `metadata.config holds ${what}, over hexts' limit`, {
    details: { file: "metadata.config", reason: "limit" },
  });

const erlString = (s: string): string => `"${s.replace(/[\\"]/g, (m) => `\\${m}`)}"`;

// ---------------------------------------------------------------- the two reading loops

// hex_tarball's decode_metadata_chunked: forms one at a time; the first error wins.
function readAll(lexer: MetaLexer): ErlMap {
  const forms: Term[] = [];
  let pending: MetaTok[] = [];
  let p = 0;
  for (;;) {
    const s = lexer.scan(p);
    if (s.kind === "eof") {
      if (pending.length > 0) throw invalidTerms();
      return finalize(forms);
    }
    if (s.kind === "error") {
      skipToDot(lexer, s.end);
      throw s.reason;
    }
    p = s.end;
    if (s.kind === "skip") continue;
    pending.push(s.tok);
    if (s.tok.t !== "dot") continue;
    // Once the lexer has looked at the end of input, hex_core is in its final flush, which
    // treats any tokens it gets back as a truncated form (this is the trailing-backslash quirk).
    if (lexer.sawEnd) throw invalidTerms();
    forms.push(parseForm(pending));
    pending = [];
  }
}

// leex skips the rest of a form after an error; reading on can still trigger the Latin-1 restart.
function skipToDot(lexer: MetaLexer, from: number): void {
  for (let p = from; ;) {
    const s = lexer.scan(p);
    if (s.kind === "eof" || (s.kind === "token" && s.tok.t === "dot")) return;
    p = s.end;
  }
}

function finalize(forms: Term[]): ErlMap {
  if (forms.length === 0) throw invalidTerms();
  if (!forms.every((f) => f instanceof Tuple && f.items.length === 2)) throw notKeyValue();
  return new ErlMap(forms.map((f) => [(f as Tuple).items[0]!, (f as Tuple).items[1]!] as const));
}

// hex_tarball's decode_metadata_streaming (config `metadata_fields`): a token-level state machine
// that only accepts forms shaped `{<<"key">>, ...}.` and parses those whose key is wanted.
function readFields(lexer: MetaLexer, fields: readonly string[]): ErlMap {
  const wanted = fields.map((f) => bin(f));
  type State =
    | { s: "start" | "between" }
    | { s: "open" | "lbin"; prefix: MetaTok[] }
    | { s: "key" | "rbin"; key: number[]; prefix: MetaTok[] }
    | { s: "take"; prefix: MetaTok[]; depth: number }
    | { s: "skip"; depth: number };
  let state: State = { s: "start" };
  const forms: Term[] = [];
  const advance = (tok: MetaTok): void => {
    const punct = tok.t === "punct" ? tok.s : undefined;
    const opens = punct === "{" || punct === "[";
    const closes = punct === "}" || punct === "]";
    switch (state.s) {
      case "start":
      case "between":
        if (punct !== "{") throw notKeyValue();
        state = { s: "open", prefix: [tok] };
        return;
      case "open":
        if (punct !== "<<") throw notKeyValue();
        state.prefix.push(tok);
        state = { s: "lbin", prefix: state.prefix };
        return;
      case "lbin":
        if (tok.t !== "string") throw notKeyValue();
        state.prefix.push(tok);
        state = { s: "key", key: tok.codes, prefix: state.prefix };
        return;
      case "key":
        if (punct !== ">>") throw notKeyValue();
        state.prefix.push(tok);
        state = { s: "rbin", key: state.key, prefix: state.prefix };
        return;
      case "rbin": {
        if (punct !== ",") throw notKeyValue();
        if (state.key.some((c) => c > 255)) throw notKeyValue();
        const key = Uint8Array.from(state.key);
        const take = wanted.some((w) => compareBytes(w, key) === 0);
        state.prefix.push(tok);
        state = take ? { s: "take", prefix: state.prefix, depth: 1 } : { s: "skip", depth: 1 };
        return;
      }
      case "take":
        if (tok.t === "dot") {
          if (state.depth !== 0) throw invalidTerms();
          state.prefix.push(tok);
          forms.push(parseForm(state.prefix));
          state = { s: "between" };
        } else {
          state.prefix.push(tok);
          state.depth += opens ? 1 : closes ? -1 : 0;
        }
        return;
      case "skip":
        if (tok.t === "dot") {
          if (state.depth !== 0) throw invalidTerms();
          state = { s: "between" };
        } else state = { s: "skip", depth: state.depth + (opens ? 1 : closes ? -1 : 0) };
        return;
    }
  };
  const finish = (): ErlMap => {
    if (state.s === "start") return finalize(forms);
    if (state.s === "between") return forms.length === 0 ? new ErlMap([]) : finalize(forms);
    throw invalidTerms();
  };
  for (let p = 0; ;) {
    const s = lexer.scan(p);
    if (s.kind === "eof") return finish();
    if (s.kind === "error") throw s.reason;
    p = s.end;
    if (s.kind === "skip") continue;
    advance(s.tok);
    // At the end of input hex_core takes this last token and stops, ignoring what follows it.
    if (lexer.sawEnd) return finish();
  }
}

// ---------------------------------------------------------------- erl_parse:parse_term subset

class BadTerm extends Error {}

/** Parses one form (tokens ending with a dot) as erl_parse:parse_term + normalise would. */
function parseForm(tokens: MetaTok[]): Term {
  let p = 0;
  const peek = (): MetaTok | undefined => tokens[p];
  const isPunct = (s: string): boolean => {
    const t = peek();
    return t?.t === "punct" && t.s === s;
  };
  const take = (s: string): void => {
    if (!isPunct(s)) throw new BadTerm();
    p++;
  };
  const strings = (): number[] => {
    const codes: number[] = [];
    for (let t = peek(); t?.t === "string"; t = peek()) {
      for (const c of t.codes) codes.push(c);
      p++;
    }
    return codes;
  };
  const signedInt = (): bigint => {
    const sign = tokens[p++] as { s: string };
    const t = tokens[p++];
    if (t?.t !== "int") throw new BadTerm();
    return sign.s === "-" ? -t.value : t.value;
  };
  // `Open elem {, elem} Close`, or `Open Close`.
  const sequence = <T>(close: string, elem: () => T): T[] => {
    const out: T[] = [];
    if (isPunct(close)) {
      p++;
      return out;
    }
    for (;;) {
      out.push(elem());
      if (isPunct(",")) p++;
      else {
        take(close);
        return out;
      }
    }
  };
  let depth = 0;
  const nested = <T>(fn: () => T): T => {
    if (++depth > MAX_TERM_DEPTH) throw tooBig(`terms nested more than ${MAX_TERM_DEPTH} deep`);
    const out = fn();
    depth--;
    return out;
  };
  const expr = (): Term => {
    const t = tokens[p++];
    if (!t) throw new BadTerm();
    switch (t.t) {
      case "atom":
        return t.atom;
      case "int":
        return int(t.value);
      case "string":
        p--;
        return new Charlist(strings());
      case "dot":
        throw new BadTerm();
    }
    switch (t.s) {
      case "-":
      case "+":
        p--;
        return int(signedInt());
      case "{":
        return nested(() => new Tuple(sequence("}", expr)));
      case "[":
        return nested(() => sequence("]", expr));
      case "#":
        take("{");
        return nested(
          () =>
            new ErlMap(
              sequence("}", () => {
                const k = expr();
                take("=>");
                return [k, expr()] as const;
              }),
            ),
        );
      case "<<": {
        const out = new BitWriter();
        nested(() => sequence(">>", () => segment(out)));
        if (out.bitLength % 8 !== 0) throw new BadTerm();
        return out.bytes();
      }
      default:
        throw new BadTerm();
    }
  };
  const segment = (out: BitWriter): void => {
    const t = peek();
    let value: SegmentValue;
    if (t?.t === "string") value = { codes: strings() };
    else if (t?.t === "int") {
      p++;
      value = { int: t.value };
    } else if (t?.t === "punct" && (t.s === "-" || t.s === "+")) value = { int: signedInt() };
    else if (t?.t === "punct" && t.s === "<<") {
      const inner = expr();
      value = { bytes: inner as Uint8Array };
    } else throw new BadTerm();
    const spec = newSegmentSpec();
    if (isPunct("/")) {
      p++;
      for (;;) {
        const a = tokens[p++];
        if (a?.t !== "atom") throw new BadTerm();
        if (a.atom.name === "unit" || applySegmentType(a.atom.name, spec)) throw new BadTerm();
        if (isPunct("-")) p++;
        else break;
      }
    }
    if (writeSegment(out, value, undefined, spec)) throw new BadTerm();
  };
  try {
    const term = expr();
    if (p !== tokens.length - 1 || tokens[p]?.t !== "dot") throw new BadTerm();
    return term;
  } catch (e) {
    if (e instanceof BadTerm) throw invalidTerms();
    throw e;
  }
}

// ---------------------------------------------------------------- hex_core's normalize_metadata

const key = (name: string): Uint8Array => bin(name);

function normalize(map: ErlMap): ErlMap {
  const entries = new Map<string, Term>();
  const update = (name: string, fn: (v: Term) => Term) => {
    const v = map.get(key(name));
    if (v !== undefined) entries.set(name, fn(v));
  };
  update("requirements", normalizeRequirements);
  update("links", (v) => tryIntoMap(v));
  update("extra", tryIntoNestedMap);
  let out = withEntries(map, entries);
  const tools = guessBuildTools(out);
  if (tools) out = withEntries(out, new Map([["build_tools", tools]]));
  return out;
}

function withEntries(map: ErlMap, changes: Map<string, Term>): ErlMap {
  if (changes.size === 0) return map;
  return new ErlMap([...map.entries, ...[...changes].map(([k, v]) => [key(k), v] as const)]);
}

// A list whose elements are all 2-tuples (the empty list included).
function hasMapShape(t: Term): t is Term[] | Charlist {
  const items = listItems(t);
  return items !== undefined && items.every((e) => e instanceof Tuple && e.items.length === 2);
}

function tryIntoMap(
  t: Term,
  fn: (pair: Tuple) => readonly [Term, Term] = (pair) => [pair.items[0]!, pair.items[1]!],
): Term {
  if (!hasMapShape(t)) return t;
  return new ErlMap((listItems(t) as Tuple[]).map(fn));
}

function tryIntoNestedMap(t: Term): Term {
  return tryIntoMap(t, (pair) => [pair.items[0]!, tryIntoNestedMap(pair.items[1]!)]);
}

function normalizeRequirements(reqs: Term): Term {
  const items = listItems(reqs);
  if (items && items.length > 0 && isList(items[0])) {
    // Legacy: a list of proplists, each with a <<"name">> entry.
    return new ErlMap(
      items.map((req) => {
        const fields = fromList(req, "a legacy requirement is not a list of pairs");
        const name = fields.get(key("name"));
        if (name === undefined) throw crash("a legacy requirement has no name");
        return [
          name,
          new ErlMap(fields.entries.filter(([k]) => !(k instanceof Uint8Array && compareBytes(k, key("name")) === 0))),
        ] as const;
      }),
    );
  }
  return tryIntoMap(reqs, (pair) => [pair.items[0]!, tryIntoMap(pair.items[1]!)]);
}

// maps:from_list/1, which crashes (badarg) on anything but a list of pairs.
function fromList(t: Term, problem: string): ErlMap {
  if (!hasMapShape(t)) throw crash(problem);
  return new ErlMap((listItems(t) as Tuple[]).map((pair) => [pair.items[0]!, pair.items[1]!] as const));
}

const BUILD_TOOL_FILES: [string, string][] = [
  ["mix.exs", "mix"],
  ["rebar.config", "rebar3"],
  ["rebar", "rebar3"],
  ["Makefile", "make"],
  ["Makefile.win", "make"],
];

// Only when build_tools is missing or not a list, and files is present: from top-level files.
function guessBuildTools(map: ErlMap): Term | undefined {
  if (isList(map.get(key("build_tools")))) return undefined;
  const files = map.get(key("files"));
  if (files === undefined) return undefined;
  const names = listItems(files);
  if (!names) throw crash("files is not a list");
  if (!names.every((f) => f instanceof Uint8Array)) throw crash("files contains something other than strings");
  const present = (name: string) => (names as Uint8Array[]).some((f) => compareBytes(f, key(name)) === 0);
  const tools = [...new Set(BUILD_TOOL_FILES.filter(([file]) => present(file)).map(([, tool]) => tool))].sort();
  return tools.map((t) => key(t));
}
