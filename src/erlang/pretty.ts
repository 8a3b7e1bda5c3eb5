// Erlang's pretty printer (io_lib_pretty, as used by `~tp` and hex_core's metadata writer) for
// OTP 25 with the default latin1 printable range, 80 columns, no depth or character limit.
// Ported from the algorithm in vectors/README.md ("Layout") and OTP's io_lib_pretty (read, not copied),
// with the same names: the term is first measured (each node knows its one-line length), then laid out.
import { Atom, Charlist, ErlMap, Float, ImproperList, RESERVED_WORDS, Tuple, type Term } from "./terms.js";

export interface PrettyOptions {
  /** Column the term starts at (io_lib_pretty's `column`), 1 by default. */
  column?: number;
  /** Line length, 80 by default. */
  lineLength?: number;
}

/** `io_lib_pretty:print(Term, [{encoding, unicode}])`: what `~tp` prints. */
export function prettyTerm(term: Term, options: PrettyOptions = {}): string {
  const col = Math.max(1, options.column ?? 1);
  const ll = options.lineLength ?? 80;
  const node = measure(term);
  if (node.k === "atomic" || node.len < ll - col) return write(node);
  const m = node.len;
  const tind = chooseTagIndent(node, col, ll, m);
  return pp(node, col, ll, m, tind, " ".repeat(col - 1), 0, 0);
}

/** The term on one line, as `~tp` writes it when it fits. */
export function writeTerm(term: Term): string {
  return write(measure(term));
}

/** `io_lib:format("~tp.~n", [Term])`: how rebar3_hex re-prints `src/APP.app.src` into the package. */
export function formatAppSrc(term: Term): string {
  return `${prettyTerm(term)}.\n`;
}

// ---------------------------------------------------------------- atomic renderings

const isLowerStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
const isNameChar = (c: number): boolean =>
  isLowerStart(c) ||
  (c >= 65 && c <= 90) ||
  (c >= 0xc0 && c <= 0xde && c !== 0xd7) ||
  (c >= 48 && c <= 57) ||
  c === 95 ||
  c === 64;

/** An atom as Erlang writes it: bare when it can be, else in single quotes. */
export function writeAtom(name: string): string {
  const codes = Array.from(name, (c) => c.codePointAt(0)!);
  const bare = codes.length > 0 && isLowerStart(codes[0]!) && codes.every(isNameChar) && !RESERVED_WORDS.has(name);
  return bare ? name : writeString(codes, 39);
}

const ESCAPES = new Map<number, string>([
  [10, "\\n"],
  [13, "\\r"],
  [9, "\\t"],
  [11, "\\v"],
  [8, "\\b"],
  [12, "\\f"],
  [27, "\\e"],
  [127, "\\d"],
]);

/** io_lib:write_string with unicode output: quotes and backslashes escaped, controls as escapes. */
function writeString(codes: readonly number[], quote: number): string {
  let out = String.fromCodePoint(quote);
  for (const c of codes) {
    if (c === quote || c === 92) out += `\\${String.fromCodePoint(c)}`;
    else if ((c >= 32 && c <= 126) || c >= 160) out += String.fromCodePoint(c);
    else out += ESCAPES.get(c) ?? `\\${((c >> 6) & 7).toString()}${((c >> 3) & 7).toString()}${(c & 7).toString()}`;
  }
  return out + String.fromCodePoint(quote);
}

/** The latin1 printable range: what `~p` prints as text under OTP's default `+pc latin1`. */
export function isPrintable(c: number): boolean {
  return (c >= 32 && c <= 126) || (c >= 0xa0 && c <= 0xff) || (c >= 8 && c <= 13) || c === 27;
}

/** Erlang's shortest round-trip float text (io_lib_format:fwrite_g): 1.5, 0.1, 1.0e10, 100.0. */
export function formatFloat(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`Erlang has no float ${x}`);
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const place = Number(expText) - (digits.length - 1);
  return (x < 0 ? "-" : "") + insertDecimal(place, digits, Math.abs(x));
}

// value = digits * 10^place; picks plain or scientific notation as OTP does.
function insertDecimal(place: number, s: string, abs: number): string {
  const l = s.length;
  const exp = place + l - 1;
  const expText = String(exp);
  const expCost = expText.length + 2;
  if (place < 0) {
    if (exp >= 0) return `${s.slice(0, l + place)}.${s.slice(l + place)}`;
    if (2 - place - l <= expCost) return `0.${"0".repeat(-place - l)}${s}`;
    return withExponent(expText, s);
  }
  const dot = l === 1 ? 1 : 0;
  if (expCost + dot >= place + 2 && abs < 2 ** 53) return `${s}${"0".repeat(place)}.0`;
  return withExponent(expText, s);
}

const withExponent = (expText: string, s: string): string =>
  s.length === 1 ? `${s}.0e${expText}` : `${s[0]}.${s.slice(1)}e${expText}`;

// ---------------------------------------------------------------- measuring

type Node = Atomic | Bin | List | TupleNode | MapNode;
interface Atomic {
  k: "atomic";
  s: string;
  len: number;
}
/** A binary written as a byte list: not atomic, it can wrap. */
interface Bin {
  k: "bin";
  parts: string[];
  len: number;
}
interface List {
  k: "list";
  items: Node[];
  tail: Node | undefined;
  len: number;
}
interface TupleNode {
  k: "tuple";
  tagged: boolean;
  items: Node[];
  len: number;
}
interface MapNode {
  k: "map";
  pairs: Pair[];
  len: number;
}
interface Pair {
  key: Node;
  value: Node;
  len: number;
}

const chars = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
const atomic = (s: string): Atomic => ({ k: "atomic", s, len: chars(s) });
const seqLength = (nodes: readonly { len: number }[], extra: number): number =>
  nodes.reduce((sum, n) => sum + n.len, extra) + Math.max(0, nodes.length - 1);

function measure(t: Term): Node {
  if (t instanceof Atom) return atomic(writeAtom(t.name));
  if (typeof t === "number" || typeof t === "bigint") return atomic(t.toString());
  if (t instanceof Float) return atomic(formatFloat(t.value));
  if (t instanceof Uint8Array) return measureBinary(t);
  if (t instanceof Charlist) return measureList(t.codes, undefined);
  if (Array.isArray(t)) return measureList(t, undefined);
  if (t instanceof ImproperList) return measureList(t.items, t.tail);
  if (t instanceof Tuple) {
    if (t.items.length === 0) return atomic("{}");
    const items = t.items.map(measure);
    return { k: "tuple", tagged: t.items[0] instanceof Atom && t.items.length > 1, items, len: seqLength(items, 2) };
  }
  if (t instanceof ErlMap) {
    if (t.entries.length === 0) return atomic("#{}");
    const pairs = t.entries.map(([key, value]) => {
      const k = measure(key);
      const v = measure(value);
      return { key: k, value: v, len: k.len + 4 + v.len };
    });
    return { k: "map", pairs, len: seqLength(pairs, 3) };
  }
  throw new TypeError(`not an Erlang term: ${String(t)}`);
}

function measureList(items: readonly Term[], tail: Term | undefined): Node {
  if (items.length === 0 && tail === undefined) return atomic("[]");
  if (tail === undefined && items.every((c) => typeof c === "number" && isPrintable(c))) {
    return atomic(writeString(items as number[], 34));
  }
  const nodes = items.map(measure);
  const tailNode = tail === undefined ? undefined : measure(tail);
  return { k: "list", items: nodes, tail: tailNode, len: seqLength(tailNode ? [...nodes, tailNode] : nodes, 2) };
}

function measureBinary(b: Uint8Array): Node {
  if (b.length === 0) return atomic("<<>>");
  const text = printableText(b);
  if (text === "utf8") return atomic(`<<${writeString(decodeUtf8(b), 34)}/utf8>>`);
  if (text === "plain") return atomic(`<<${writeString(asciiOrLatin1(b), 34)}>>`);
  const parts = Array.from(b, String);
  return { k: "bin", parts, len: parts.join(",").length + 4 };
}

/**
 * How io_lib_pretty writes a binary under unicode encoding and the latin1 printable range:
 * "plain" `<<"...">>` (ASCII, or not UTF-8 but every byte printable), "utf8" `<<"..."/utf8>>`,
 * or "bytes" for a byte list. The first event decides: a non-printable character ends the UTF-8
 * scan with "bytes"; an invalid sequence restarts it byte by byte.
 */
function printableText(b: Uint8Array): "plain" | "utf8" | "bytes" {
  let i = 0;
  let ascii = true;
  while (i < b.length) {
    const d = utf8At(b, i);
    if (!d) return Array.prototype.every.call(b, (x: number) => isPrintable(x)) ? "plain" : "bytes";
    if (!isPrintable(d.code)) return "bytes";
    if (d.code > 127) ascii = false;
    i += d.size;
  }
  return ascii ? "plain" : "utf8";
}

/** One strictly valid UTF-8 sequence at i (no overlongs or surrogates), or undefined. */
function utf8At(b: Uint8Array, i: number): { code: number; size: number } | undefined {
  const x = b[i]!;
  if (x < 0x80) return { code: x, size: 1 };
  const size = x >= 0xc2 && x <= 0xdf ? 2 : x >= 0xe0 && x <= 0xef ? 3 : x >= 0xf0 && x <= 0xf4 ? 4 : 0;
  if (size === 0 || i + size > b.length) return undefined;
  let code = x & (0xff >> (size + 1));
  for (let k = 1; k < size; k++) {
    const y = b[i + k]!;
    if ((y & 0xc0) !== 0x80) return undefined;
    code = (code << 6) | (y & 0x3f);
  }
  const min = size === 2 ? 0x80 : size === 3 ? 0x800 : 0x10000;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return { code, size };
}

function decodeUtf8(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length;) {
    const d = utf8At(b, i)!;
    out.push(d.code);
    i += d.size;
  }
  return out;
}

// ASCII bytes, or (for invalid UTF-8) each byte as one Latin-1 character.
const asciiOrLatin1 = (b: Uint8Array): number[] => Array.from(b);

// ---------------------------------------------------------------- writing on one line

function write(n: Node): string {
  switch (n.k) {
    case "atomic":
      return n.s;
    case "bin":
      return `<<${n.parts.join(",")}>>`;
    case "tuple":
      return `{${n.items.map(write).join(",")}}`;
    case "list":
      return `[${n.items.map(write).join(",")}${n.tail ? `|${write(n.tail)}` : ""}]`;
    case "map":
      return `#{${n.pairs.map(writePair).join(",")}}`;
  }
}

const writePair = (p: Pair): string => `${write(p.key)} => ${write(p.value)}`;
const isAtomic = (n: Node): boolean => n.k === "atomic";
const isAtomicPair = (p: Pair): boolean => isAtomic(p.key) && isAtomic(p.value);

// ---------------------------------------------------------------- layout
// Names follow io_lib_pretty: col = current column, ll = line length, m = the whole term's
// one-line length, tind = indentation for tagged tuples, ind = indentation string,
// ld = "last depth" (closing brackets that will follow), w = width used on the current line.

/** A list's remaining elements: items from `at`, then the improper tail if any. */
interface Rest {
  items: readonly Node[];
  at: number;
  tail: Node | undefined;
}
const restOf = (items: readonly Node[], tail?: Node): Rest => ({ items, at: 0, tail });
const lastDepth = (r: Rest, ld: number): number => (r.at < r.items.length ? 0 : ld + 1);
const fits = (n: { len: number }, col: number, ll: number, m: number, ld: number, w: number): boolean =>
  n.len < ll - col - ld && n.len + w + ld <= m;
// Whether element e (length len) can stay on the current line after a comma.
const fitsInTail = (len: number, col: number, ll: number, m: number, ld1: number, w: number): boolean => {
  const el = 1 + len;
  return ld1 === 0 ? el + 1 < ll - col && w + el + 1 <= m : el < ll - col - ld1 && w + el + ld1 <= m;
};

function pp(n: Node, col: number, ll: number, m: number, tind: number, ind: string, ld: number, w: number): string {
  if (fits(n, col, ll, m, ld, w)) return write(n);
  switch (n.k) {
    case "list":
      return `[${ppList(restOf(n.items, n.tail), col + 1, ll, m, tind, ` ${ind}`, ld, "|", w + 1)}]`;
    case "tuple":
      if (n.tagged) return `{${ppTagTuple(n.items, col, ll, m, tind, ind, ld, w + 1)}}`;
      return `{${ppList(restOf(n.items), col + 1, ll, m, tind, ` ${ind}`, ld, ",", w + 1)}}`;
    case "map":
      return `#{${ppMap(n.pairs, col + 2, ll, m, tind, `  ${ind}`, ld, w + 1)}}`;
    case "bin":
      return ppBinary(n.parts, col + 2, ll, m, `  ${ind}`, ld, w);
    case "atomic":
      return n.s;
  }
}

// A tuple starting with an atom: the other elements are indented after the tag.
function ppTagTuple(
  items: readonly Node[],
  col: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  w: number,
): string {
  const tag = items[0]!;
  const tagInd = tag.len + 2;
  const tcol = col + tagInd;
  const rest: Rest = { items, at: 1, tail: undefined };
  if (tind > 0 && tagInd > tind) {
    return write(tag) + ppTail(rest, col + tind, tcol, ll, m, tind, " ".repeat(tind) + ind, ld, ",", w + tag.len);
  }
  return `${write(tag)},${ppList(rest, tcol, ll, m, tind, " ".repeat(tagInd) + ind, ld, ",", w + tag.len + 1)}`;
}

function ppList(
  r: Rest,
  col0: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  sep: string,
  w: number,
): string {
  const e = r.items[r.at]!;
  const next = { ...r, at: r.at + 1 };
  const [s, we] = ppElement(e, col0, ll, m, tind, ind, lastDepth(next, ld), w);
  return s + ppTail(next, col0, col0 + we, ll, m, tind, ind, ld, sep, w + we);
}

// Loops rather than recursing per element, so that long lists (thousands of files) are fine.
function ppTail(
  r: Rest,
  col0: number,
  col: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  sep: string,
  w: number,
): string {
  let out = "";
  for (let at = r.at; at < r.items.length; at++) {
    const e = r.items[at]!;
    const ld1 = at + 1 < r.items.length ? 0 : ld + 1;
    if (isAtomic(e) && fitsInTail(e.len, col, ll, m, ld1, w)) {
      out += `,${write(e)}`;
      col += 1 + e.len;
      w += 1 + e.len;
    } else {
      const [s, we] = ppElement(e, col0, ll, m, tind, ind, ld1, 0);
      out += `,\n${ind}${s}`;
      col = col0 + we;
      w = we;
    }
  }
  const tail = r.tail;
  if (!tail) return out;
  if (isAtomic(tail) && tail.len + 1 < ll - col - (ld + 1) && tail.len + 1 + w + (ld + 1) <= m)
    return out + sep + write(tail);
  return `${out}${sep}\n${ind}${pp(tail, col0, ll, m, tind, ind, ld + 1, 0)}`;
}

/** [text, width]; a width of ll forces the next element onto a new line. */
function ppElement(
  e: Node,
  col: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  w: number,
): [string, number] {
  if (isAtomic(e) && fits(e, col, ll, m, ld, w)) return [write(e), e.len];
  return [pp(e, col, ll, m, tind, ind, ld, w), ll];
}

function ppMap(
  pairs: readonly Pair[],
  col: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  w: number,
): string {
  const ld0 = pairs.length > 1 ? 0 : ld + 1;
  const [s, pw] = ppPair(pairs[0]!, col, ll, m, tind, ind, ld0, w);
  return s + ppPairsTail(pairs, 1, col, col + pw, ll, m, tind, ind, ld, pw);
}

function ppPairsTail(
  pairs: readonly Pair[],
  from: number,
  col0: number,
  col: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  w: number,
): string {
  let out = "";
  for (let at = from; at < pairs.length; at++) {
    const p = pairs[at]!;
    const ld1 = at + 1 < pairs.length ? 0 : ld + 1;
    if (isAtomicPair(p) && fitsInTail(p.len, col, ll, m, ld1, w)) {
      out += `,${writePair(p)}`;
      col += 1 + p.len;
      w += 1 + p.len;
    } else {
      const [s, pw] = ppPair(p, col0, ll, m, tind, ind, ld1, 0);
      out += `,\n${ind}${s}`;
      col = col0 + pw;
      w = pw;
    }
  }
  return out;
}

const mapValueIndent = (tind: number): number => (tind > 0 ? tind : 4);

function ppPair(
  p: Pair,
  col: number,
  ll: number,
  m: number,
  tind: number,
  ind: string,
  ld: number,
  w: number,
): [string, number] {
  if (fits(p, col, ll, m, ld, w)) return [writePair(p), isAtomicPair(p) ? p.len : ll];
  const i = mapValueIndent(tind);
  const valueInd = " ".repeat(i) + ind;
  return [
    `${pp(p.key, col, ll, m, tind, ind, ld, w)} =>\n${valueInd}${pp(p.value, col + i, ll, m, tind, valueInd, ld, 0)}`,
    ll,
  ];
}

// A byte-list binary: as many numbers per line as fit, continuation lines indented.
function ppBinary(
  parts: readonly string[],
  col: number,
  ll: number,
  m: number,
  ind: string,
  ld: number,
  w: number,
): string {
  const n0 = Math.max(8, Math.min(ll - col, m - 4 - w) - ld);
  let n = n0;
  let out = "<<";
  for (let k = 0; k < parts.length - 1; k++) {
    const len = parts[k]!.length + 1;
    if (n - len < 0) {
      out += `\n${ind}${parts[k]},`;
      n = n0 - len;
    } else {
      out += `${parts[k]},`;
      n -= len;
    }
  }
  const last = parts[parts.length - 1]!;
  return `${out}${last.length > n ? `\n${ind}` : ""}${last}>>`;
}

// ---------------------------------------------------------------- tagged-tuple indentation
// OTP first tries to indent tagged tuples right after the tag (-1); if that would push some
// tag past the middle of the line, it tries a fixed indentation of 4, and falls back to 1.

class NoGood extends Error {}

function chooseTagIndent(node: Node, col: number, ll: number, m: number): number {
  for (const ind of [-1, 4]) {
    try {
      cind(node, col, ll, m, ind, 0, 0);
      return ind;
    } catch (e) {
      if (!(e instanceof NoGood)) throw e;
    }
  }
  return 1;
}

function cind(n: Node, col: number, ll: number, m: number, ind: number, ld: number, w: number): void {
  if (fits(n, col, ll, m, ld, w)) return;
  switch (n.k) {
    case "list":
      return cindList(restOf(n.items, n.tail), col + 1, ll, m, ind, ld, w + 1);
    case "tuple":
      if (n.tagged) return cindTagTuple(n.items, col, ll, m, ind, ld, w + 1);
      return cindList(restOf(n.items), col + 1, ll, m, ind, ld, w + 1);
    case "map":
      return cindMap(n.pairs, col + 2, ll, m, ind, ld, w + 2);
    default:
      return;
  }
}

function cindTagTuple(
  items: readonly Node[],
  col: number,
  ll: number,
  m: number,
  ind: number,
  ld: number,
  w: number,
): void {
  const tag = items[0]!;
  const tagInd = tag.len + 2;
  const tcol = col + tagInd;
  const rest: Rest = { items, at: 1, tail: undefined };
  if (ind > 0 && tagInd > ind) {
    const col1 = col + ind;
    if (!(m + col1 <= ll || col1 <= Math.floor(ll / 2))) throw new NoGood();
    return cindTail(rest, col1, tcol, ll, m, ind, ld, w + tag.len);
  }
  if (!(m + tcol < ll || tcol < Math.floor(ll / 2))) throw new NoGood();
  return cindList(rest, tcol, ll, m, ind, ld, w + tag.len + 1);
}

function cindList(r: Rest, col0: number, ll: number, m: number, ind: number, ld: number, w: number): void {
  const e = r.items[r.at]!;
  const next = { ...r, at: r.at + 1 };
  const we = cindElement(e, col0, ll, m, ind, lastDepth(next, ld), w);
  cindTail(next, col0, col0 + we, ll, m, ind, ld, w + we);
}

function cindTail(r: Rest, col0: number, col: number, ll: number, m: number, ind: number, ld: number, w: number): void {
  for (let at = r.at; at < r.items.length; at++) {
    const e = r.items[at]!;
    const ld1 = at + 1 < r.items.length ? 0 : ld + 1;
    if (isAtomic(e) && fitsInTail(e.len, col, ll, m, ld1, w)) {
      col += 1 + e.len;
      w += 1 + e.len;
    } else {
      const we = cindElement(e, col0, ll, m, ind, ld1, 0);
      col = col0 + we;
      w = we;
    }
  }
  const tail = r.tail;
  if (!tail) return;
  if (isAtomic(tail) && tail.len + 1 < ll - col - (ld + 1) && tail.len + 1 + w + (ld + 1) <= m) return;
  cind(tail, col, ll, m, ind, ld + 1, 0);
}

function cindElement(e: Node, col: number, ll: number, m: number, ind: number, ld: number, w: number): number {
  if (isAtomic(e) && fits(e, col, ll, m, ld, w)) return e.len;
  cind(e, col, ll, m, ind, ld, w);
  return ll;
}

function cindMap(pairs: readonly Pair[], col: number, ll: number, m: number, ind: number, ld: number, w: number): void {
  const pw = cindPair(pairs[0]!, col, ll, m, ind, pairs.length > 1 ? 0 : ld + 1, w);
  cindPairsTail(pairs, 1, col, col + pw, ll, m, ind, ld, w + pw);
}

function cindPairsTail(
  pairs: readonly Pair[],
  from: number,
  col0: number,
  col: number,
  ll: number,
  m: number,
  ind: number,
  ld: number,
  w: number,
): void {
  for (let at = from; at < pairs.length; at++) {
    const p = pairs[at]!;
    const ld1 = at + 1 < pairs.length ? 0 : ld + 1;
    if (isAtomicPair(p) && fitsInTail(p.len, col, ll, m, ld1, w)) {
      col += 1 + p.len;
      w += 1 + p.len;
    } else {
      const pw = cindPair(p, col0, ll, m, ind, ld1, 0);
      col = col0 + pw;
      w = pw;
    }
  }
}

function cindPair(p: Pair, col: number, ll: number, m: number, ind: number, ld: number, w: number): number {
  if (fits(p, col, ll, m, ld, w)) return isAtomicPair(p) ? p.len : ll;
  cind(p.key, col, ll, m, ind, ld, w);
  cind(p.value, col + mapValueIndent(ind), ll, m, ind, ld, 0);
  return ll;
}
