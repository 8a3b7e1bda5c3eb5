// Erlang's external term format (ETF): what `term_to_binary/1` writes and `binary_to_term/1` reads.
// Hex servers answer `application/vnd.hex+erlang` in it (hex.pm when asked; MiniRepo always), and the
// official clients send request bodies in it. Facts and golden bytes: vectors/etf (made by OTP 25).
//
// Decoding is strict and bounded: every declared length is checked against the bytes left before
// anything is allocated, compressed terms inflate to at most `maxInflatedSize`, nesting is capped,
// trailing bytes are refused, and pids, ports, references and funs (which no Hex reply carries) are
// refused with a typed error. Encoding writes what OTP 25's `term_to_binary/1` writes, byte for byte,
// except that maps of more than 32 keys come out in key order (the VM uses its hash order there).
import { inflateSync } from "node:zlib";
import { HextsError } from "../errors.js";
import {
  Atom,
  Bitstring,
  Charlist,
  ErlMap,
  Float,
  ImproperList,
  Tuple,
  int,
  isPlainObject,
  toTerm,
  utf8Text,
  type MetaValue,
  type Term,
} from "./terms.js";

const VERSION = 131;

const TAG = {
  NEW_FLOAT: 70,
  BIT_BINARY: 77,
  COMPRESSED: 80,
  SMALL_INTEGER: 97,
  INTEGER: 98,
  FLOAT: 99,
  ATOM: 100,
  SMALL_TUPLE: 104,
  LARGE_TUPLE: 105,
  NIL: 106,
  STRING: 107,
  LIST: 108,
  BINARY: 109,
  SMALL_BIG: 110,
  LARGE_BIG: 111,
  SMALL_ATOM: 115,
  MAP: 116,
  ATOM_UTF8: 118,
  SMALL_ATOM_UTF8: 119,
} as const;

/** Tags Erlang knows that a Hex client never needs: refused by name. */
const REFUSED_TAGS: Record<number, string> = {
  68: "a distribution header",
  82: "an atom cache reference",
  88: "a pid",
  89: "a port",
  90: "a reference",
  101: "a reference",
  102: "a port",
  103: "a pid",
  112: "a fun",
  113: "an external fun",
  114: "a reference",
  117: "a fun",
  120: "a port",
  121: "a LOCAL_EXT term",
};

export type ExternalTermErrorReason = "truncated" | "unsupported" | "invalid" | "trailing" | "limit";

/** Bytes that are not a term hexts accepts. `reason` says which rule they broke. */
export class ExternalTermError extends HextsError {
  constructor(
    readonly reason: ExternalTermErrorReason,
    message: string,
    readonly offset?: number,
  ) {
    super(
      "TERM_SYNTAX",
      `not a valid Erlang external term: ${message}${offset === undefined ? "" : ` (at byte ${offset})`}`,
      {
        details: { reason, offset },
      },
    );
    this.name = "ExternalTermError";
  }
}

export interface DecodeExternalTermOptions {
  /** Largest size a compressed term (tag 80) may declare and inflate to. Default 16 MiB. */
  maxInflatedSize?: number;
  /** Deepest nesting of lists, tuples and maps. Default 1000. */
  maxDepth?: number;
}

export const ETF_MAX_INFLATED_SIZE = 16 * 1024 * 1024;
export const ETF_MAX_DEPTH = 1000;

const latin1 = new TextDecoder("latin1");
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes `term_to_binary` output. Throws ExternalTermError on anything it refuses. */
export function decodeExternalTerm(bytes: Uint8Array, options: DecodeExternalTermOptions = {}): Term {
  const maxDepth = options.maxDepth ?? ETF_MAX_DEPTH;
  if (bytes.length === 0) throw new ExternalTermError("truncated", "no bytes");
  if (bytes[0] !== VERSION) throw new ExternalTermError("invalid", `version byte is ${bytes[0]}, not 131`, 0);
  if (bytes[1] === TAG.COMPRESSED) {
    const inner = inflateTerm(bytes, options.maxInflatedSize ?? ETF_MAX_INFLATED_SIZE);
    return new Decoder(inner, 0, maxDepth, 2).whole();
  }
  return new Decoder(bytes, 1, maxDepth, 0).whole();
}

function inflateTerm(bytes: Uint8Array, maxSize: number): Uint8Array {
  if (bytes.length < 6) throw new ExternalTermError("truncated", "compressed term without its size", 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(2);
  if (size > maxSize) {
    throw new ExternalTermError("limit", `compressed term declares ${size} bytes, more than the ${maxSize} allowed`, 2);
  }
  let inner: Buffer;
  try {
    // One byte more than declared, so that a stream inflating to more than it said is noticed.
    inner = inflateSync(bytes.subarray(6), { maxOutputLength: size + 1 });
  } catch (e) {
    const tooLong = (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    throw new ExternalTermError(
      "invalid",
      tooLong
        ? `compressed term inflates to more than its declared ${size} bytes`
        : "compressed term is not valid zlib data",
      6,
    );
  }
  if (inner.length !== size) {
    throw new ExternalTermError(
      "invalid",
      `compressed term inflates to ${inner.length} bytes, not the declared ${size}`,
      6,
    );
  }
  return new Uint8Array(inner.buffer, inner.byteOffset, inner.length);
}

class Decoder {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly maxDepth: number,
    /** Added to offsets in messages: where `bytes` sits in what the caller passed (0 when not inflated). */
    private readonly base: number,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  whole(): Term {
    const term = this.term(0);
    if (this.pos !== this.bytes.length) {
      throw new ExternalTermError(
        "trailing",
        `${this.bytes.length - this.pos} bytes after the term`,
        this.base + this.pos,
      );
    }
    return term;
  }

  private fail(reason: ExternalTermErrorReason, message: string, at = this.pos): never {
    throw new ExternalTermError(reason, message, this.base + at);
  }

  private left(): number {
    return this.bytes.length - this.pos;
  }

  /** Checks that `n` more bytes exist (before anything of that size is allocated). */
  private need(n: number, what: string): void {
    if (n > this.left()) this.fail("truncated", `${what} needs ${n} bytes, ${this.left()} left`);
  }

  private u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }
  private u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  private u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  private take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A count of elements, each at least `minBytes` long, must fit in what is left. */
  private count(n: number, minBytes: number, what: string): number {
    if (n * minBytes > this.left())
      this.fail("truncated", `${what} claims ${n} elements, only ${this.left()} bytes left`);
    return n;
  }

  private term(depth: number): Term {
    const at = this.pos;
    const tag = this.u8("a term");
    switch (tag) {
      case TAG.SMALL_INTEGER:
        return this.u8("an integer");
      case TAG.INTEGER: {
        this.need(4, "an integer");
        const v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      }
      case TAG.SMALL_BIG:
        return this.big(this.u8("a big integer's length"));
      case TAG.LARGE_BIG:
        return this.big(this.u32("a big integer's length"));
      case TAG.NEW_FLOAT: {
        this.need(8, "a float");
        const v = this.view.getFloat64(this.pos);
        if (!Number.isFinite(v)) this.fail("invalid", "a float that is NaN or infinite", at);
        this.pos += 8;
        return new Float(v);
      }
      case TAG.FLOAT:
        return this.oldFloat(at);
      case TAG.ATOM:
        return this.atom(this.take(this.u16("an atom's length"), "an atom"), false, at);
      case TAG.SMALL_ATOM:
        return this.atom(this.take(this.u8("an atom's length"), "an atom"), false, at);
      case TAG.ATOM_UTF8:
        return this.atom(this.take(this.u16("an atom's length"), "an atom"), true, at);
      case TAG.SMALL_ATOM_UTF8:
        return this.atom(this.take(this.u8("an atom's length"), "an atom"), true, at);
      case TAG.BINARY:
        return this.take(this.u32("a binary's length"), "a binary");
      case TAG.BIT_BINARY: {
        const length = this.u32("a bitstring's length");
        const bits = this.u8("a bitstring's last-byte bits");
        if (length === 0 ? bits !== 0 : bits < 1 || bits > 8)
          this.fail("invalid", `a bitstring with ${bits} bits in its last byte`, at);
        const data = this.take(length, "a bitstring");
        return bits === 8 || length === 0 ? data : new Bitstring(data, bits);
      }
      case TAG.NIL:
        return [];
      case TAG.STRING:
        return new Charlist([...this.take(this.u16("a string's length"), "a string")]);
      case TAG.LIST: {
        const n = this.count(this.u32("a list's length"), 1, "a list");
        const inner = this.deeper(depth, at);
        const items: Term[] = new Array(n);
        for (let i = 0; i < n; i++) items[i] = this.term(inner);
        const tail = this.term(inner);
        if (Array.isArray(tail)) return tail.length === 0 ? items : [...items, ...tail];
        if (tail instanceof Charlist) return [...items, ...tail.codes];
        return new ImproperList(items, tail);
      }
      case TAG.SMALL_TUPLE:
      case TAG.LARGE_TUPLE: {
        const arity = tag === TAG.SMALL_TUPLE ? this.u8("a tuple's arity") : this.u32("a tuple's arity");
        const n = this.count(arity, 1, "a tuple");
        const inner = this.deeper(depth, at);
        const items: Term[] = new Array(n);
        for (let i = 0; i < n; i++) items[i] = this.term(inner);
        return new Tuple(items);
      }
      case TAG.MAP: {
        const n = this.count(this.u32("a map's size"), 2, "a map");
        const inner = this.deeper(depth, at);
        const entries: [Term, Term][] = new Array(n);
        for (let i = 0; i < n; i++) {
          const key = this.term(inner);
          entries[i] = [key, this.term(inner)];
        }
        const map = new ErlMap(entries);
        if (map.size !== n) this.fail("invalid", "a map with a duplicate key", at);
        return map;
      }
      case TAG.COMPRESSED:
        return this.fail("invalid", "a compressed term inside a term", at);
    }
    const known = REFUSED_TAGS[tag];
    return this.fail("unsupported", known ? `${known} (no Hex reply carries one)` : `unknown tag ${tag}`, at);
  }

  private deeper(depth: number, at: number): number {
    if (depth + 1 > this.maxDepth) this.fail("limit", `nested more than ${this.maxDepth} levels deep`, at);
    return depth + 1;
  }

  private big(n: number): number | bigint {
    const sign = this.u8("a big integer's sign");
    if (sign > 1) this.fail("invalid", `a big integer with sign byte ${sign}`, this.pos - 1);
    const digits = this.take(n, "a big integer");
    let hex = "";
    for (let i = digits.length - 1; i >= 0; i--) hex += digits[i]!.toString(16).padStart(2, "0");
    const magnitude = hex === "" ? 0n : BigInt(`0x${hex}`);
    return int(sign === 1 ? -magnitude : magnitude);
  }

  private oldFloat(at: number): Float {
    const text = latin1.decode(this.take(31, "a float")).replace(/\0+$/, "");
    // The C library's "%.20e" text; nothing else is a float.
    if (!/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) this.fail("invalid", "a text float that is not a number", at);
    const v = Number(text);
    if (!Number.isFinite(v)) this.fail("invalid", "a text float that is not finite", at);
    return new Float(v);
  }

  private atom(raw: Uint8Array, utf8: boolean, at: number): Atom {
    let name: string;
    if (utf8) {
      try {
        name = utf8Strict.decode(raw);
      } catch {
        this.fail("invalid", "an atom that is not valid UTF-8", at);
      }
    } else name = latin1.decode(raw);
    // Erlang's limit: 255 characters.
    if ([...name].length > 255) this.fail("invalid", "an atom longer than 255 characters", at);
    return new Atom(name);
  }
}

// ---------------------------------------------------------------- encoding

/**
 * What `encodeExternalTerm` takes: a Term, or the JSON-like view of one (string = UTF-8 binary,
 * boolean = atom, null = `nil`, plain object = map with binary keys, non-integral number = float).
 */
export type EncodableTerm = Term | MetaValue | null | EncodableTerm[] | { [key: string]: EncodableTerm };

/** `term_to_binary(T)` of OTP 25 (minor version 1), byte for byte for maps of up to 32 keys. */
export function encodeExternalTerm(value: EncodableTerm): Uint8Array {
  const out = new ByteWriter();
  out.u8(VERSION);
  encodeTerm(out, toEncodable(value));
  return out.bytes();
}

function toEncodable(v: EncodableTerm): Term {
  if (v === null) return new Atom("nil");
  if (Array.isArray(v)) return v.map(toEncodable);
  if (isPlainObject(v)) {
    const utf8 = new TextEncoder();
    return new ErlMap(Object.entries(v).map(([k, x]) => [utf8.encode(k), toEncodable(x as EncodableTerm)] as const));
  }
  if (v instanceof ErlMap)
    return new ErlMap(
      (v.entries as [EncodableTerm, EncodableTerm][]).map(([k, x]) => [toEncodable(k), toEncodable(x)] as const),
    );
  if (v instanceof Tuple) return new Tuple((v.items as EncodableTerm[]).map(toEncodable));
  if (v instanceof ImproperList)
    return new ImproperList((v.items as EncodableTerm[]).map(toEncodable), toEncodable(v.tail as EncodableTerm));
  return toTerm(v as MetaValue);
}

class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
  }
  u32(v: number): void {
    this.room(4);
    new DataView(this.buf.buffer).setUint32(this.len, v);
    this.len += 4;
  }
  i32(v: number): void {
    this.room(4);
    new DataView(this.buf.buffer).setInt32(this.len, v);
    this.len += 4;
  }
  f64(v: number): void {
    this.room(8);
    new DataView(this.buf.buffer).setFloat64(this.len, v);
    this.len += 8;
  }
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const MAX_U32 = 0xffffffff;
const utf8Encoder = new TextEncoder();

function encodeTerm(out: ByteWriter, t: Term): void {
  if (typeof t === "number") {
    if (!Number.isInteger(t)) throw new TypeError(`encodeExternalTerm: ${t} is not an integer (use Float for floats)`);
    if (!Number.isSafeInteger(t)) return encodeInteger(out, BigInt(t));
    return encodeInteger(out, t);
  }
  if (typeof t === "bigint") return encodeInteger(out, t);
  if (t instanceof Float) {
    if (!Number.isFinite(t.value)) throw new TypeError(`encodeExternalTerm: ${t.value} is not a finite float`);
    out.u8(TAG.NEW_FLOAT);
    out.f64(t.value);
    return;
  }
  if (t instanceof Atom) return encodeAtom(out, t.name);
  if (t instanceof Uint8Array) {
    out.u8(TAG.BINARY);
    out.u32(checkLength(t.length, "binary"));
    out.raw(t);
    return;
  }
  if (t instanceof Bitstring) {
    if (t.bits < 1 || t.bits > 8 || t.bytes.length === 0) throw new TypeError("encodeExternalTerm: invalid bitstring");
    out.u8(TAG.BIT_BINARY);
    out.u32(checkLength(t.bytes.length, "bitstring"));
    out.u8(t.bits);
    out.raw(t.bytes);
    return;
  }
  if (t instanceof Charlist) return encodeList(out, t.codes, []);
  if (Array.isArray(t)) return encodeList(out, t, []);
  if (t instanceof ImproperList) return encodeList(out, t.items, t.tail);
  if (t instanceof Tuple) {
    if (t.items.length < 256) {
      out.u8(TAG.SMALL_TUPLE);
      out.u8(t.items.length);
    } else {
      out.u8(TAG.LARGE_TUPLE);
      out.u32(checkLength(t.items.length, "tuple"));
    }
    for (const item of t.items) encodeTerm(out, item);
    return;
  }
  if (t instanceof ErlMap) {
    // ErlMap keeps its entries in Erlang term order: the order the VM writes maps of up to 32 keys in.
    out.u8(TAG.MAP);
    out.u32(checkLength(t.entries.length, "map"));
    for (const [k, v] of t.entries) {
      encodeTerm(out, k);
      encodeTerm(out, v);
    }
    return;
  }
  throw new TypeError(`encodeExternalTerm: not an Erlang term: ${String(t)}`);
}

function checkLength(n: number, what: string): number {
  if (n > MAX_U32) throw new RangeError(`encodeExternalTerm: ${what} too long for the external term format`);
  return n;
}

function encodeInteger(out: ByteWriter, v: number | bigint): void {
  if (v >= 0 && v <= 255) {
    out.u8(TAG.SMALL_INTEGER);
    out.u8(Number(v));
    return;
  }
  if (v >= -2147483648 && v <= 2147483647) {
    out.u8(TAG.INTEGER);
    out.i32(Number(v));
    return;
  }
  let magnitude = BigInt(v);
  const negative = magnitude < 0n;
  if (negative) magnitude = -magnitude;
  const digits: number[] = [];
  while (magnitude > 0n) {
    digits.push(Number(magnitude & 0xffn));
    magnitude >>= 8n;
  }
  if (digits.length < 256) {
    out.u8(TAG.SMALL_BIG);
    out.u8(digits.length);
  } else {
    out.u8(TAG.LARGE_BIG);
    out.u32(checkLength(digits.length, "integer"));
  }
  out.u8(negative ? 1 : 0);
  out.raw(Uint8Array.from(digits));
}

function encodeAtom(out: ByteWriter, name: string): void {
  const chars = [...name];
  if (chars.length > 255) throw new RangeError(`encodeExternalTerm: atom longer than 255 characters`);
  if (chars.every((c) => c.codePointAt(0)! < 256)) {
    // What OTP 25 writes by default for an atom Latin-1 can hold.
    out.u8(TAG.ATOM);
    out.u16(chars.length);
    out.raw(Uint8Array.from(chars, (c) => c.codePointAt(0)!));
    return;
  }
  const bytes = utf8Encoder.encode(name);
  if (bytes.length < 256) {
    out.u8(TAG.SMALL_ATOM_UTF8);
    out.u8(bytes.length);
  } else {
    out.u8(TAG.ATOM_UTF8);
    out.u16(bytes.length);
  }
  out.raw(bytes);
}

function encodeList(out: ByteWriter, items: readonly Term[], tail: Term): void {
  const properEmpty =
    (Array.isArray(tail) && tail.length === 0) || (tail instanceof Charlist && tail.codes.length === 0);
  if (items.length === 0 && properEmpty) {
    out.u8(TAG.NIL);
    return;
  }
  if (
    properEmpty &&
    items.length < 65536 &&
    items.every((i) => typeof i === "number" && Number.isInteger(i) && i >= 0 && i <= 255)
  ) {
    out.u8(TAG.STRING);
    out.u16(items.length);
    out.raw(Uint8Array.from(items as number[]));
    return;
  }
  out.u8(TAG.LIST);
  out.u32(checkLength(items.length, "list"));
  for (const item of items) encodeTerm(out, item);
  encodeTerm(out, tail);
}

// ---------------------------------------------------------------- the JSON view

/** A JSON value, as the API layer and zod see a decoded reply. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The JSON view of a decoded term, as a client sees a Hex reply (vectors/etf's `json` notation):
 * map -> object (binary or atom keys as strings), UTF-8 binary -> string, other binary ->
 * `{"$binary": base64}`, list -> array, `true`/`false` -> booleans, `nil` -> null, other atom ->
 * `{"$atom": name}`, tuple -> `{"$tuple": [...]}`, integer beyond 2^53 -> `{"$integer": "digits"}`,
 * float -> number, bitstring -> `{"$bitstring": true}`, improper list -> `{"$improper_list", "tail"}`.
 * A map whose keys are not all text (or whose texts collide) -> `{"$map": [[key, value], ...]}`.
 */
export function externalTermToJson(t: Term): JsonValue {
  if (typeof t === "number") return t;
  if (typeof t === "bigint") return { $integer: t.toString() };
  if (t instanceof Float) return t.value;
  if (t instanceof Uint8Array) return utf8Text(t) ?? { $binary: Buffer.from(t).toString("base64") };
  if (t instanceof Bitstring) return { $bitstring: true };
  if (t instanceof Atom) {
    if (t.name === "true") return true;
    if (t.name === "false") return false;
    if (t.name === "nil") return null;
    return { $atom: t.name };
  }
  if (t instanceof Charlist) return [...t.codes];
  if (Array.isArray(t)) return t.map(externalTermToJson);
  if (t instanceof ImproperList)
    return { $improper_list: t.items.map(externalTermToJson), tail: externalTermToJson(t.tail) };
  if (t instanceof Tuple) return { $tuple: t.items.map(externalTermToJson) };
  if (t instanceof ErlMap) {
    const keys = t.entries.map(([k]) =>
      k instanceof Atom ? k.name : k instanceof Uint8Array ? utf8Text(k) : undefined,
    );
    if (keys.every((k) => k !== undefined) && new Set(keys).size === keys.length) {
      // Object.fromEntries defines own properties, so a "__proto__" key stays data.
      return Object.fromEntries(t.entries.map(([, v], i) => [keys[i]!, externalTermToJson(v)]));
    }
    return { $map: t.entries.map(([k, v]) => [externalTermToJson(k), externalTermToJson(v)]) };
  }
  throw new TypeError(`not an Erlang term: ${String(t)}`);
}
