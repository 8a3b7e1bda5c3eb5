// Erlang terms in TypeScript. Each Erlang type maps to one JS shape, so that nothing the
// Hex formats care about is lost:
//   atom -> Atom, integer -> number (safe integers) or bigint, float -> Float,
//   binary -> Uint8Array, proper list -> Term[] (or Charlist when written as "..."),
//   improper list -> ImproperList, tuple -> Tuple, map -> ErlMap.
// MetaValue (bottom of the file) is the JSON-like view used for package metadata.

export class Atom {
  constructor(readonly name: string) {}
}

/** An Erlang float. Kept apart from integers because 1.0 and 1 are different terms. */
export class Float {
  constructor(readonly value: number) {}
}

export class Tuple<T = Term> {
  readonly items: readonly T[];
  constructor(items: readonly T[]) {
    this.items = items;
  }
  get size(): number {
    return this.items.length;
  }
}

/** A list of code points that was written as "..." (semantically a list of integers). */
export class Charlist {
  readonly codes: readonly number[];
  constructor(codes: readonly number[]) {
    this.codes = codes;
  }
  static of(text: string): Charlist {
    return new Charlist(Array.from(text, (c) => c.codePointAt(0)!));
  }
  get text(): string {
    return codesToString(this.codes);
  }
}

/**
 * A bitstring whose length is not a whole number of bytes (`<<1:3>>`). Only the external term format
 * carries these; `bits` (1..8) is how many high bits of the last byte belong to it.
 */
export class Bitstring {
  constructor(
    readonly bytes: Uint8Array,
    readonly bits: number,
  ) {}
}

/** `[a, b | Tail]` where Tail is not a list. */
export class ImproperList<T = Term> {
  readonly items: readonly T[];
  readonly tail: T;
  constructor(items: readonly T[], tail: T) {
    this.items = items;
    this.tail = tail;
  }
}

/**
 * An Erlang map. Keys are unique (exact equality); entries are kept in map key order (term order,
 * except that every integer sorts before every float): the order the VM writes small maps in.
 */
export class ErlMap<T = Term> {
  readonly entries: readonly (readonly [T, T])[];
  constructor(entries: Iterable<readonly [T, T]>) {
    // A stable sort keeps duplicates in input order, so the last one wins (as maps:from_list).
    const sorted = [...entries].sort((a, b) => compareTerms(a[0] as MetaValue, b[0] as MetaValue, true));
    const kept: (readonly [T, T])[] = [];
    for (const entry of sorted) {
      const last = kept[kept.length - 1];
      if (last && compareTerms(last[0] as MetaValue, entry[0] as MetaValue, true) === 0) kept[kept.length - 1] = entry;
      else kept.push(entry);
    }
    this.entries = kept;
  }
  get size(): number {
    return this.entries.length;
  }
  get(key: T): T | undefined {
    return this.entries.find(([k]) => termEquals(k as MetaValue, key as MetaValue))?.[1];
  }
}

export type Term =
  | Atom
  | number
  | bigint
  | Float
  | Uint8Array
  | Bitstring
  | Charlist
  | Term[]
  | ImproperList<Term>
  | Tuple<Term>
  | ErlMap<Term>;

// ---------------------------------------------------------------- constructors

/** Erlang's reserved words (OTP 25, no experimental features): written bare they are not atoms. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    "after and andalso band begin bnot bor bsl bsr bxor case catch cond div end fun if let not of or orelse " +
    "receive rem try when xor"
  ).split(" "),
);

export const atom = (name: string): Atom => new Atom(name);
export const tuple = (...items: Term[]): Tuple => new Tuple(items);
export const float = (value: number): Float => new Float(value);
export const charlist = (text: string): Charlist => Charlist.of(text);
export const improper = (items: Term[], tail: Term): Term =>
  Array.isArray(tail)
    ? [...items, ...tail]
    : tail instanceof Charlist
      ? [...items, ...tail.codes]
      : new ImproperList(items, tail);
export const erlMap = (entries: Iterable<readonly [Term, Term]>): ErlMap => new ErlMap(entries);

/** An integer term: a number when it is a safe integer, a bigint otherwise. */
export function int(value: number | bigint): number | bigint {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return Number.isSafeInteger(value) ? value : BigInt(value);
  }
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const utf8Encoder = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A binary: a string is encoded as UTF-8. */
export function bin(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8Encoder.encode(value) : value;
}

/** The UTF-8 text of a binary, or undefined when it is not valid UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export function codesToString(codes: readonly number[]): string {
  let out = "";
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCodePoint(...codes.slice(i, i + 4096));
  return out;
}

// ---------------------------------------------------------------- guards

export const isAtom = (t: unknown, name?: string): t is Atom =>
  t instanceof Atom && (name === undefined || t.name === name);
export const isInteger = (t: unknown): t is number | bigint =>
  typeof t === "bigint" || (typeof t === "number" && Number.isInteger(t));
export const isFloat = (t: unknown): t is Float => t instanceof Float;
export const isBinary = (t: unknown): t is Uint8Array => t instanceof Uint8Array;
export const isCharlist = (t: unknown): t is Charlist => t instanceof Charlist;
export const isMap = (t: unknown): t is ErlMap => t instanceof ErlMap;
/** A proper list: an array or a charlist. */
export const isList = (t: unknown): t is Term[] | Charlist => Array.isArray(t) || t instanceof Charlist;
export const isTuple = (t: unknown, size?: number): t is Tuple =>
  t instanceof Tuple && (size === undefined || t.items.length === size);
/** `{tag, ...}` with the given atom as first element (and the given size, if any). */
export const isTagged = (t: unknown, tag: string, size?: number): t is Tuple =>
  isTuple(t, size) && t.items.length > 0 && isAtom(t.items[0], tag);

// ---------------------------------------------------------------- readers for project files

/** The elements of a proper list (a charlist gives its code points), or undefined for anything else. */
export function listItems(t: Term | undefined): Term[] | undefined {
  if (Array.isArray(t)) return t;
  if (t instanceof Charlist) return [...t.codes];
  return undefined;
}

export const atomName = (t: Term | undefined): string | undefined => (t instanceof Atom ? t.name : undefined);

/**
 * Text of a charlist, a list of code points, or a UTF-8 binary (what Erlang calls chardata,
 * without nesting). Undefined for anything else, including invalid UTF-8.
 */
export function textOf(t: Term | undefined): string | undefined {
  if (t instanceof Charlist) return t.text;
  if (t instanceof Uint8Array) return utf8Text(t);
  if (Array.isArray(t) && t.every(isCodePoint)) return codesToString(t as number[]);
  return undefined;
}

/** A Unicode scalar value: what Erlang accepts as a character of Unicode text (no surrogates). */
export const isCodePoint = (c: unknown): c is number =>
  typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= 0x10ffff && !(c >= 0xd800 && c <= 0xdfff);

/** true/false atoms as booleans, else undefined. */
export function boolOf(t: Term | undefined): boolean | undefined {
  return isAtom(t, "true") ? true : isAtom(t, "false") ? false : undefined;
}

const keyTerm = (key: string | Term): Term => (typeof key === "string" ? new Atom(key) : key);

/**
 * `proplists:get_value/2`: the first entry that is `Key` (gives `true`) or a tuple starting with
 * `Key` decides; a 2-tuple gives its value, a longer tuple gives undefined. A string key is an atom.
 */
export function proplistGet(list: Term | undefined, key: string | Term): Term | undefined {
  const items = listItems(list);
  if (!items) return undefined;
  const k = keyTerm(key);
  for (const p of items) {
    if (p instanceof Atom && termEquals(p, k)) return new Atom("true");
    if (p instanceof Tuple && p.items.length >= 1 && termEquals(p.items[0]!, k)) {
      return p.items.length === 2 ? p.items[1] : undefined;
    }
  }
  return undefined;
}

/** `lists:keystore(Key, 1, List, {Key, Value})`: replaces the first `{Key, ...}` tuple, or appends. */
export function proplistSet(list: Term, key: string | Term, value: Term): Term[] {
  const items = listItems(list);
  if (!items) throw new TypeError("proplistSet: not a proper list");
  const k = keyTerm(key);
  const entry = new Tuple([k, value]);
  const at = items.findIndex((p) => p instanceof Tuple && p.items.length >= 1 && termEquals(p.items[0]!, k));
  return at < 0 ? [...items, entry] : items.map((p, i) => (i === at ? entry : p));
}

/** Keys of a proplist's tuples and bare atoms, in order (duplicates kept). */
export function proplistKeys(list: Term | undefined): Term[] {
  const out: Term[] = [];
  for (const p of listItems(list) ?? []) {
    if (p instanceof Atom) out.push(p);
    else if (p instanceof Tuple && p.items.length >= 1) out.push(p.items[0]!);
  }
  return out;
}

// ---------------------------------------------------------------- equality and order

/** Erlang exact equality (`=:=`). A charlist equals the list of its code points. Accepts MetaValues. */
export function termEquals(a: MetaValue, b: MetaValue): boolean {
  return compareTerms(a, b) === 0 && typeClass(a) === typeClass(b);
}

// Erlang term order: number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring.
function typeClass(t: MetaValue): number {
  if (typeof t === "number" || typeof t === "bigint" || t instanceof Float) return 1;
  if (t instanceof Atom || typeof t === "boolean") return 2;
  if (t instanceof Tuple) return 7;
  if (t instanceof ErlMap || isPlainObject(t)) return 8;
  if (Array.isArray(t) || t instanceof Charlist || t instanceof ImproperList) return listLength(t) === 0 ? 9 : 10;
  if (t instanceof Uint8Array || typeof t === "string" || t instanceof Bitstring) return 11;
  throw new TypeError(`not an Erlang term: ${String(t)}`);
}

function listLength(t: MetaValue[] | Charlist | ImproperList<MetaValue>): number {
  return t instanceof Charlist ? t.codes.length : Array.isArray(t) ? t.length : t.items.length + 1;
}

/**
 * Erlang term order: -1, 0 or 1. Integers sort before equal floats. With `mapKeyOrder` (how maps
 * order their keys, at any depth) every integer sorts before every float, whatever their values.
 */
export function compareTerms(a: MetaValue, b: MetaValue, mapKeyOrder = false): number {
  const ca = typeClass(a);
  const cb = typeClass(b);
  if (ca !== cb) return ca < cb ? -1 : 1;
  switch (ca) {
    case 1:
      return compareNumbers(a as number | bigint | Float, b as number | bigint | Float, mapKeyOrder);
    case 2:
      return compareCodes(atomText(a as Atom | boolean), atomText(b as Atom | boolean));
    case 7: {
      const x = (a as Tuple<MetaValue>).items;
      const y = (b as Tuple<MetaValue>).items;
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      return compareSeq(x, y, mapKeyOrder);
    }
    case 8: {
      const x = mapEntries(a);
      const y = mapEntries(b);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      return (
        compareSeq(
          x.map((e) => e[0]),
          y.map((e) => e[0]),
          true,
        ) ||
        compareSeq(
          x.map((e) => e[1]),
          y.map((e) => e[1]),
          mapKeyOrder,
        )
      );
    }
    case 9:
      return 0;
    case 10:
      return compareLists(
        a as MetaValue[] | Charlist | ImproperList<MetaValue>,
        b as MetaValue[] | Charlist | ImproperList<MetaValue>,
        mapKeyOrder,
      );
    case 11:
      return compareBytes(bytesOf(a as Uint8Array | string | Bitstring), bytesOf(b as Uint8Array | string | Bitstring));
  }
  return 0;
}

const atomText = (a: Atom | boolean): string => (typeof a === "boolean" ? String(a) : a.name);
const bytesOf = (b: Uint8Array | string | Bitstring): Uint8Array =>
  typeof b === "string" ? utf8Encoder.encode(b) : b instanceof Bitstring ? b.bytes : b;

function mapEntries(m: MetaValue): (readonly [MetaValue, MetaValue])[] {
  if (m instanceof ErlMap) return [...(m as ErlMap<MetaValue>).entries];
  const entries = Object.entries(m as { [k: string]: MetaValue }).map(([k, v]) => [k, v] as const);
  return entries.sort((x, y) => compareBytes(bytesOf(x[0]), bytesOf(y[0])));
}

function compareNumbers(a: number | bigint | Float, b: number | bigint | Float, mapKeyOrder: boolean): number {
  const fa = a instanceof Float;
  const fb = b instanceof Float;
  if (mapKeyOrder && fa !== fb) return fa ? 1 : -1;
  let c: number;
  if (!fa && !fb) {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    c = x < y ? -1 : x > y ? 1 : 0;
  } else {
    const x = Number(a instanceof Float ? a.value : a);
    const y = Number(b instanceof Float ? b.value : b);
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  // Map keys: an integer sorts before the float of the same value.
  return c !== 0 || fa === fb ? c : fa ? 1 : -1;
}

function compareCodes(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** Bytewise order, as Erlang orders binaries (and hex_core orders metadata keys). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareSeq(x: readonly MetaValue[], y: readonly MetaValue[], mapKeyOrder: boolean): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareTerms(x[i]!, y[i]!, mapKeyOrder);
    if (c !== 0) return c;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

// Lists compare element by element; once one side runs out, the rests (tail or []) are compared.
function compareLists(
  a: MetaValue[] | Charlist | ImproperList<MetaValue>,
  b: MetaValue[] | Charlist | ImproperList<MetaValue>,
  mapKeyOrder: boolean,
): number {
  const [xs, xt] = splitList(a);
  const [ys, yt] = splitList(b);
  let i = 0;
  while (i < xs.length && i < ys.length) {
    const c = compareTerms(xs[i]!, ys[i]!, mapKeyOrder);
    if (c !== 0) return c;
    i++;
  }
  return compareTerms(restOf(xs, xt, i), restOf(ys, yt, i), mapKeyOrder);
}

function restOf(items: readonly MetaValue[], tail: MetaValue | undefined, i: number): MetaValue {
  if (i >= items.length) return tail ?? [];
  return tail === undefined ? items.slice(i) : new ImproperList(items.slice(i), tail);
}

function splitList(t: MetaValue[] | Charlist | ImproperList<MetaValue>): [readonly MetaValue[], MetaValue | undefined] {
  if (t instanceof Charlist) return [t.codes, undefined];
  if (t instanceof ImproperList) return [t.items, t.tail];
  return [t, undefined];
}

// ---------------------------------------------------------------- JSON-like view (package metadata)

/**
 * Plain JSON-like data that stands for an Erlang term, as build tools and the vectors write metadata:
 * string = UTF-8 binary, boolean = atom, plain object = map with binary keys, array = list,
 * non-integral number = float. Any Term may appear anywhere for what JSON cannot say
 * (atoms, tuples, floats, non-UTF-8 binaries, maps with other keys, bignums).
 */
export type MetaValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | Atom
  | Float
  | Bitstring
  | Charlist
  | MetaValue[]
  | ImproperList<MetaValue>
  | Tuple<MetaValue>
  | ErlMap<MetaValue>
  | MetaObject;
export interface MetaObject {
  [key: string]: MetaValue;
}

export function isPlainObject(v: unknown): v is MetaObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The Term a MetaValue stands for. */
export function toTerm(v: MetaValue): Term {
  if (typeof v === "string") return utf8Encoder.encode(v);
  if (typeof v === "boolean") return new Atom(String(v));
  if (typeof v === "number") return Number.isInteger(v) ? int(v) : new Float(v);
  if (typeof v === "bigint") return int(v);
  if (Array.isArray(v)) return v.map(toTerm);
  if (v instanceof Tuple) return new Tuple(v.items.map(toTerm));
  if (v instanceof ImproperList) return improper(v.items.map(toTerm), toTerm(v.tail));
  if (v instanceof ErlMap) return new ErlMap(v.entries.map(([k, x]) => [toTerm(k), toTerm(x)] as const));
  if (
    v instanceof Atom ||
    v instanceof Float ||
    v instanceof Uint8Array ||
    v instanceof Charlist ||
    v instanceof Bitstring
  )
    return v;
  if (isPlainObject(v))
    return new ErlMap(Object.entries(v).map(([k, x]) => [utf8Encoder.encode(k), toTerm(x)] as const));
  throw new TypeError(`not an Erlang term: ${String(v)}`);
}

/**
 * The JSON-like view of a Term: UTF-8 binaries become strings, true/false booleans, maps whose
 * keys are all UTF-8 binaries plain objects, charlists arrays of integers. The rest stays a Term.
 */
export function toMetaValue(t: Term): MetaValue {
  if (t instanceof Uint8Array) return utf8Text(t) ?? t;
  if (t instanceof Atom) return t.name === "true" ? true : t.name === "false" ? false : t;
  if (Array.isArray(t)) return t.map(toMetaValue);
  if (t instanceof Charlist) return [...t.codes];
  if (t instanceof Tuple) return new Tuple(t.items.map(toMetaValue));
  if (t instanceof ImproperList) return new ImproperList(t.items.map(toMetaValue), toMetaValue(t.tail));
  if (t instanceof ErlMap) {
    const keys = t.entries.map(([k]) => (k instanceof Uint8Array ? utf8Text(k) : undefined));
    if (keys.every((k) => k !== undefined)) {
      return Object.fromEntries(t.entries.map(([, v], i) => [keys[i]!, toMetaValue(v)]));
    }
    return new ErlMap(t.entries.map(([k, v]) => [toMetaValue(k), toMetaValue(v)] as const));
  }
  return t;
}
