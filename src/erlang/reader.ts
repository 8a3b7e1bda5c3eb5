// Reader for Erlang text terms: .app.src, ebin/*.app, rebar.config, rebar.lock, metadata.config and
// the official clients' hex.config. It follows erl_scan + erl_parse:parse_term (what file:consult
// accepts) and never evaluates anything: no variables, calls, operators or records.
// hex_core's own, stricter metadata.config reader is in metadata-config.ts.
import { HextsError } from "../errors.js";
import {
  BitWriter,
  applySegmentType,
  newSegmentSpec,
  writeSegment,
  type SegmentSpec,
  type SegmentValue,
} from "./bits.js";
import {
  Atom,
  Charlist,
  ErlMap,
  Float,
  RESERVED_WORDS,
  Tuple,
  codesToString,
  improper,
  int,
  type Term,
} from "./terms.js";

/**
 * Limits on what a term file may hold, so that a hostile one fails with a located TERM_SYNTAX error instead of
 * exhausting the stack, the memory or the CPU. Far above anything a real .app.src or rebar.config holds.
 */
export const TERM_LIMITS = {
  /** Tuples, lists, maps and binaries inside one another. */
  depth: 1000,
  /** Characters of one string (adjacent literals together). */
  stringLength: 1_000_000,
  /** Characters of an atom: Erlang's own limit. */
  atomLength: 255,
  /** Digits of one number literal, radix ones included. */
  numberDigits: 10_000,
} as const;

/** Parses every `.`-terminated term of an Erlang term file. Throws HextsError("TERM_SYNTAX"). */
export function parseTerms(text: string | Uint8Array, file?: string): Term[] {
  const source = typeof text === "string" ? text : decodeSource(text);
  return new Parser(new Lexer(source, file), file).forms();
}

/** UTF-8 unless a `coding:` comment in the first two lines says Latin-1; invalid UTF-8 falls back to Latin-1. */
export function decodeSource(bytes: Uint8Array): string {
  let body = bytes;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  const head = latin1(body.subarray(0, 400)).split("\n").slice(0, 2).join("\n");
  const coding = /%.*coding\s*[:=]\s*([-a-zA-Z0-9]+)/.exec(head)?.[1]?.toLowerCase();
  if (coding === "latin-1" || coding === "latin1" || coding === "iso-8859-1") return latin1(body);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return latin1(body);
  }
}

const latin1 = (bytes: Uint8Array): string => new TextDecoder("latin1").decode(bytes);

// ---------------------------------------------------------------- lexer

type TokKind = "atom" | "var" | "keyword" | "int" | "float" | "string" | "punct" | "dot" | "eof";
interface Tok {
  kind: TokKind;
  /** punctuation or keyword text, atom/variable name */
  text: string;
  int?: number | bigint;
  float?: number;
  codes?: number[];
  line: number;
  col: number;
}

// Longest first, so that the first match is the longest.
const PUNCT = [
  "...",
  "=:=",
  "=/=",
  "<<",
  ">>",
  "||",
  "::",
  ":=",
  "=>",
  "=<",
  ">=",
  "==",
  "/=",
  "->",
  "<-",
  "<=",
  "--",
  "++",
  "?=",
  "..",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  ",",
  ";",
  "|",
  ":",
  "#",
  "=",
  "<",
  ">",
  "-",
  "+",
  "*",
  "/",
  "!",
  "?",
  ".",
];

const PUNCT_CODES = PUNCT.map((p) => [p, Array.from(p, (ch) => ch.charCodeAt(0))] as const);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
const isUpper = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7);
const isNameChar = (c: number): boolean => isLower(c) || isUpper(c) || isDigit(c) || c === 95 || c === 64;
const isSpace = (c: number): boolean => c <= 32 || (c >= 0x80 && c <= 0xa0);

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

class Lexer {
  private readonly cs: number[];
  private i = 0;
  private line = 1;
  private col = 1;

  constructor(
    text: string,
    private readonly file: string | undefined,
  ) {
    this.cs = Array.from(text, (c) => c.codePointAt(0)!);
  }

  fail(line: number, col: number, message: string): never {
    throw syntaxError(this.file, line, col, message);
  }

  private peek(k = 0): number {
    return this.cs[this.i + k] ?? -1;
  }

  private take(): number {
    const c = this.cs[this.i++]!;
    if (c === 10) {
      this.line++;
      this.col = 1;
    } else this.col++;
    return c;
  }

  next(): Tok {
    for (;;) {
      const c = this.peek();
      if (c === -1) return { kind: "eof", text: "", line: this.line, col: this.col };
      if (isSpace(c)) this.take();
      else if (c === 37 /* % */) while (this.peek() !== -1 && this.peek() !== 10) this.take();
      else break;
    }
    const line = this.line;
    const col = this.col;
    const c = this.peek();
    if (isLower(c)) {
      const name = this.name(line, col);
      return { kind: RESERVED_WORDS.has(name) ? "keyword" : "atom", text: name, line, col };
    }
    if (isUpper(c) || c === 95) return { kind: "var", text: this.name(line, col), line, col };
    if (isDigit(c)) return this.number(line, col);
    if (c === 36 /* $ */) {
      this.take();
      if (this.peek() === -1) this.fail(line, col, "unterminated character literal");
      const code = this.peek() === 92 ? (this.take(), this.escape(line, col)) : this.take();
      return { kind: "int", text: "$", int: code, line, col };
    }
    if (c === 34 /* " */) return { kind: "string", text: '"', codes: this.quoted(34, line, col), line, col };
    if (c === 39 /* ' */) {
      const name = this.quoted(39, line, col);
      if (name.length > TERM_LIMITS.atomLength)
        this.fail(line, col, `atom too long (more than ${TERM_LIMITS.atomLength} characters)`);
      return { kind: "atom", text: codesToString(name), line, col };
    }
    if (c === 46 /* . */) {
      const after = this.peek(1);
      if (after === -1 || isSpace(after) || after === 37) {
        this.take();
        return { kind: "dot", text: ".", line, col };
      }
    }
    for (const [p, codes] of PUNCT_CODES) {
      if (codes.every((code, k) => this.peek(k) === code)) {
        for (let k = 0; k < codes.length; k++) this.take();
        return { kind: "punct", text: p, line, col };
      }
    }
    this.fail(line, col, `unexpected character ${describeChar(c)}`);
  }

  private name(line: number, col: number): string {
    const start = this.i;
    while (isNameChar(this.peek())) this.take();
    if (this.i - start > TERM_LIMITS.atomLength)
      this.fail(line, col, `name too long (more than ${TERM_LIMITS.atomLength} characters)`);
    return codesToString(this.cs.slice(start, this.i));
  }

  /** Digits of `base`, with `_` allowed between two digits; more than the limit is an error at (line, col). */
  private digits(base: number, line: number, col: number): string {
    let out = "";
    while (digitValue(this.peek()) < base || (this.peek() === 95 && out !== "" && digitValue(this.peek(1)) < base)) {
      const c = this.take();
      if (c !== 95) out += String.fromCodePoint(c);
      if (out.length > TERM_LIMITS.numberDigits)
        this.fail(line, col, `number too long (more than ${TERM_LIMITS.numberDigits} digits)`);
    }
    return out;
  }

  private number(line: number, col: number): Tok {
    const whole = this.digits(10, line, col);
    if (this.peek() === 35 /* # */ && digitValue(this.peek(1)) < 36) {
      const base = Number(whole);
      if (base < 2 || base > 36) this.fail(line, col, `invalid base ${whole} (bases are 2 to 36)`);
      this.take();
      const ds = this.digits(base, line, col);
      if (ds === "") this.fail(line, col, `missing digits after ${whole}#`);
      return { kind: "int", text: whole, int: int(radixValue(ds, base)), line, col };
    }
    if (this.peek() === 46 /* . */ && isDigit(this.peek(1))) {
      this.take();
      let text = `${whole}.${this.digits(10, line, col)}`;
      const e = this.peek();
      const sign = this.peek(1) === 43 || this.peek(1) === 45;
      if ((e === 101 || e === 69) && isDigit(this.peek(sign ? 2 : 1))) {
        this.take();
        if (sign) text += `e${String.fromCodePoint(this.take())}`;
        else text += "e";
        text += this.digits(10, line, col);
      }
      const value = Number(text);
      if (!Number.isFinite(value)) this.fail(line, col, `float out of range: ${text}`);
      return { kind: "float", text, float: value, line, col };
    }
    return { kind: "int", text: whole, int: int(BigInt(whole)), line, col };
  }

  private quoted(quote: number, line: number, col: number): number[] {
    this.take();
    const out: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1) this.fail(line, col, quote === 34 ? "unterminated string" : "unterminated quoted atom");
      this.take();
      if (c === quote) return out;
      out.push(c === 92 ? this.escape(line, col) : c);
      if (out.length > TERM_LIMITS.stringLength)
        this.fail(line, col, `string too long (more than ${TERM_LIMITS.stringLength} characters)`);
    }
  }

  /** After a backslash: Erlang's escape sequences. */
  private escape(line: number, col: number): number {
    const c = this.peek();
    if (c === -1) this.fail(line, col, "unterminated escape sequence");
    this.take();
    if (c >= 48 && c <= 55) {
      let v = c - 48;
      for (let k = 0; k < 2 && this.peek() >= 48 && this.peek() <= 55; k++) v = v * 8 + (this.take() - 48);
      return v;
    }
    if (c === 120 /* x */) {
      if (this.peek() === 123 /* { */) {
        this.take();
        const ds = this.digits(16, line, col);
        if (ds === "" || this.peek() !== 125) this.fail(this.line, this.col, "bad \\x{...} escape");
        this.take();
        const v = parseInt(ds, 16);
        if (v > 0x10ffff) this.fail(line, col, `\\x{${ds}} is not a Unicode code point`);
        return v;
      }
      if (digitValue(this.peek()) < 16 && digitValue(this.peek(1)) < 16) {
        return digitValue(this.take()) * 16 + digitValue(this.take());
      }
      this.fail(this.line, this.col, "bad \\x escape: two hex digits or \\x{...} expected");
    }
    if (c === 94 /* ^ */) {
      if (this.peek() === -1) this.fail(line, col, "unterminated escape sequence");
      return this.take() & 31;
    }
    return ERLANG_ESCAPES.get(c) ?? c;
  }
}

/**
 * The value of `ds` in `base`, without the quadratic digit-by-digit product: bases 2, 4, 8, 16 and 32 through
 * BigInt's hex parser, others in chunks of 8 digits (a linear number of bigint operations).
 */
function radixValue(ds: string, base: number): bigint {
  if (base === 16) return BigInt(`0x${ds}`);
  if (base === 2) return BigInt(`0b${ds}`);
  if (base === 8) return BigInt(`0o${ds}`);
  let value = 0n;
  for (let i = 0; i < ds.length; i += 8) {
    const chunk = ds.slice(i, i + 8);
    value = value * BigInt(base) ** BigInt(chunk.length) + BigInt(parseInt(chunk, base));
  }
  return value;
}

/** The one-character escapes of erl_scan (`\n` and the like): escaped code -> character code. */
export const ERLANG_ESCAPES: ReadonlyMap<number, number> = new Map<number, number>([
  [110, 10],
  [114, 13],
  [116, 9],
  [118, 11],
  [98, 8],
  [102, 12],
  [101, 27],
  [115, 32],
  [100, 127],
]);

function describeChar(c: number): string {
  return c > 32 && c < 127 ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}

function describe(t: Tok): string {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "dot":
      return "'.'";
    case "string":
      return "a string";
    case "int":
    case "float":
      return `number ${t.text === "$" ? "$..." : t.text}`;
    case "var":
      return `variable ${t.text}`;
    case "keyword":
      return `reserved word '${t.text}'`;
    case "atom":
      return `atom '${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

export function syntaxError(file: string | undefined, line: number, col: number, message: string): HextsError {
  const where = `${file ?? "<input>"}:${line}:${col}`;
  return new HextsError("TERM_SYNTAX", `${where}: ${message}`, {
    details: { file, line, column: col, reason: message },
  });
}

// ---------------------------------------------------------------- parser

class Parser {
  private tok: Tok;

  constructor(
    private readonly lexer: Lexer,
    private readonly file: string | undefined,
  ) {
    this.tok = lexer.next();
  }

  private fail(t: Tok, message: string): never {
    throw syntaxError(this.file, t.line, t.col, message);
  }

  private advance(): Tok {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private isPunct(text: string): boolean {
    return this.tok.kind === "punct" && this.tok.text === text;
  }

  forms(): Term[] {
    const out: Term[] = [];
    while (this.tok.kind !== "eof") {
      out.push(this.expr());
      const end: Tok = this.tok;
      if (end.kind === "dot") this.advance();
      else if (end.kind === "eof") this.fail(end, "expected '.' after the term");
      else this.afterTerm("'.'");
    }
    return out;
  }

  /** A token that cannot follow a complete term: explain what it would have been in Erlang. */
  private afterTerm(expected: string): never {
    const t = this.tok;
    if (t.kind === "punct" && t.text === "(") this.fail(t, "function calls are not allowed in a term file");
    if (t.kind === "punct" && t.text === ":") this.fail(t, "remote calls are not allowed in a term file");
    if (t.kind === "punct" && t.text === "#") this.fail(t, "map updates and records are not allowed in a term file");
    if (t.kind === "punct" && ["+", "-", "*", "/", "++", "--"].includes(t.text)) {
      this.fail(t, "expressions are not evaluated in a term file");
    }
    if (t.kind === "punct" && t.text === ".") this.fail(t, "expected whitespace after '.'");
    this.fail(t, `expected ${expected}, found ${describe(t)}`);
  }

  private expect(text: string, expected: string): void {
    if (this.isPunct(text)) this.advance();
    else this.afterTerm(expected);
  }

  private expr(): Term {
    const t = this.tok;
    switch (t.kind) {
      case "int":
        this.advance();
        return t.int!;
      case "float":
        this.advance();
        return new Float(t.float!);
      case "string":
        return new Charlist(this.strings());
      case "atom":
        this.advance();
        return new Atom(t.text);
      case "var":
        this.fail(t, `variables are not allowed in a term file (found ${t.text}); terms are read, never evaluated`);
      case "keyword":
        this.fail(t, `'${t.text}' is a reserved word; write it quoted ('${t.text}') to use it as an atom`);
      case "dot":
        this.fail(t, "expected a term before '.'");
      case "eof":
        this.fail(t, "unexpected end of input, expected a term");
      case "punct":
        break;
    }
    switch (t.text) {
      case "-":
      case "+":
        return this.signed();
      case "{":
        return this.nested(t, () => this.tuple());
      case "[":
        return this.nested(t, () => this.list());
      case "<<":
        return this.nested(t, () => this.binary());
      case "#":
        return this.nested(t, () => this.map());
      case "(":
        this.fail(t, "parenthesised expressions are not allowed in a term file");
      default:
        this.fail(t, `expected a term, found ${describe(t)}`);
    }
  }

  private signed(): Term {
    const sign = this.advance();
    const t = this.tok;
    if (t.kind === "int") {
      this.advance();
      return sign.text === "-" ? int(-BigInt(t.int!)) : t.int!;
    }
    if (t.kind === "float") {
      this.advance();
      return new Float(sign.text === "-" ? -t.float! : t.float!);
    }
    this.fail(sign, `'${sign.text}' may only prefix a number in a term file`);
  }

  /** Adjacent string literals are one string. */
  private strings(): number[] {
    const start = this.tok;
    const codes: number[] = [];
    while (this.tok.kind === "string") {
      for (const c of this.advance().codes!) codes.push(c);
      if (codes.length > TERM_LIMITS.stringLength)
        this.fail(start, `string too long (more than ${TERM_LIMITS.stringLength} characters)`);
    }
    return codes;
  }

  private depth = 0;

  /** Runs `fn` one nesting level deeper, refusing more than TERM_LIMITS.depth levels. */
  private nested<T>(open: Tok, fn: () => T): T {
    if (++this.depth > TERM_LIMITS.depth)
      this.fail(open, `terms nested too deeply (more than ${TERM_LIMITS.depth} levels)`);
    const out = fn();
    this.depth--;
    return out;
  }

  private tuple(): Term {
    this.advance();
    const items: Term[] = [];
    if (this.isPunct("}")) {
      this.advance();
      return new Tuple(items);
    }
    for (;;) {
      items.push(this.expr());
      if (this.isPunct(",")) this.advance();
      else if (this.isPunct("}")) {
        this.advance();
        return new Tuple(items);
      } else this.afterTerm("',' or '}'");
    }
  }

  private list(): Term {
    this.advance();
    const items: Term[] = [];
    if (this.isPunct("]")) {
      this.advance();
      return items;
    }
    for (;;) {
      items.push(this.expr());
      if (this.isPunct(",")) this.advance();
      else if (this.isPunct("]")) {
        this.advance();
        return items;
      } else if (this.isPunct("|")) {
        this.advance();
        const tail = this.expr();
        this.expect("]", "']' after the tail of the list");
        return improper(items, tail);
      } else this.afterTerm("',', '|' or ']'");
    }
  }

  private map(): Term {
    const hash = this.advance();
    if (!this.isPunct("{")) {
      if (this.tok.kind === "atom") this.fail(hash, "records are not allowed in a term file");
      this.fail(this.tok, `expected '{' after '#', found ${describe(this.tok)}`);
    }
    this.advance();
    const entries: [Term, Term][] = [];
    if (this.isPunct("}")) {
      this.advance();
      return new ErlMap(entries);
    }
    for (;;) {
      const key = this.expr();
      if (this.isPunct(":=")) this.fail(this.tok, "':=' updates an existing map; a map literal uses '=>'");
      this.expect("=>", "'=>'");
      entries.push([key, this.expr()]);
      if (this.isPunct(",")) this.advance();
      else if (this.isPunct("}")) {
        this.advance();
        return new ErlMap(entries);
      } else this.afterTerm("',' or '}'");
    }
  }

  private binary(): Term {
    const open = this.advance();
    const out = new BitWriter();
    if (this.isPunct(">>")) {
      this.advance();
      return out.bytes();
    }
    for (;;) {
      this.segment(out);
      if (this.isPunct(",")) this.advance();
      else if (this.isPunct(">>")) {
        this.advance();
        break;
      } else this.afterTerm("',' or '>>'");
    }
    if (out.bitLength % 8 !== 0)
      this.fail(open, "bitstrings (binaries that are not a whole number of bytes) are not supported");
    return out.bytes();
  }

  private segment(out: BitWriter): void {
    const start = this.tok;
    let value: SegmentValue;
    if (this.tok.kind === "string") value = { codes: this.strings() };
    else if (this.isPunct("<<")) value = { bytes: this.nested(this.tok, () => this.binary()) as Uint8Array };
    else if (this.tok.kind === "int" || this.tok.kind === "float" || this.isPunct("-") || this.isPunct("+")) {
      const n = this.isPunct("-") || this.isPunct("+") ? this.signed() : this.expr();
      value = n instanceof Float ? { float: n.value } : { int: BigInt(n as number | bigint) };
    } else this.fail(start, `a binary segment must be a number, a string or a binary, found ${describe(start)}`);

    let size: bigint | undefined;
    if (this.isPunct(":")) {
      this.advance();
      const t = this.advance();
      if (t.kind !== "int") this.fail(t, "a segment size must be an integer literal");
      size = BigInt(t.int!);
    }
    const spec = newSegmentSpec();
    if (this.isPunct("/")) {
      this.advance();
      for (;;) {
        const t = this.advance();
        if (t.kind !== "atom") this.fail(t, `expected a segment type, found ${describe(t)}`);
        this.typeSpecifier(t, spec);
        if (this.isPunct("-")) this.advance();
        else break;
      }
    }
    const problem = writeSegment(out, value, size, spec);
    if (problem) this.fail(start, problem);
  }

  private typeSpecifier(t: Tok, spec: SegmentSpec): void {
    if (t.text === "unit") {
      this.expect(":", "':' after unit");
      const n = this.advance();
      if (n.kind !== "int" || BigInt(n.int!) < 1n || BigInt(n.int!) > 256n)
        this.fail(n, "unit must be an integer from 1 to 256");
      spec.unit = Number(n.int);
      return;
    }
    const problem = applySegmentType(t.text, spec);
    if (problem) this.fail(t, problem);
  }
}

// ---------------------------------------------------------------- tokens for the config-script evaluator

/** A token of Erlang source, as the term reader's lexer makes it (its limits included). */
export type ErlangToken = Tok;

/** Every token of `text` up to and including the end-of-file token (project/erlang-script parses expressions). */
export function tokenizeErlang(text: string, file?: string): ErlangToken[] {
  const lexer = new Lexer(text, file);
  const out: Tok[] = [];
  for (let t = lexer.next(); ; t = lexer.next()) {
    out.push(t);
    if (t.kind === "eof") return out;
  }
}
