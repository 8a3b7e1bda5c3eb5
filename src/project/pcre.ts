// PCRE patterns (Erlang `re`, which Elixir's Regex also runs) as JavaScript RegExps that match the same strings.
// rebar3_hex calls re:run(Path, Pattern) with no options; mix compiles `~r//mods`. Without UTF mode PCRE matches
// bytes: Erlang charlists are Latin-1 bytes (code points above 255 are rejected), Elixir strings are UTF-8 bytes;
// pattern and subject are both turned into those bytes. With `unicode` (Elixir's `u`: UTF + UCP) the JS `u` flag is
// used with Unicode classes. Rewritten because JS differs: `$` (also before a final newline), `.` (excludes only \n),
// `\s \h \v \R`, `\A \z \Z`, `\Q…\E`, POSIX classes, `\x{…}`, octal escapes, `(?P<n>…)`, and the inline options
// i m s x, scoped as in PCRE (caseless without UTF folds ASCII only, as PCRE's default tables do). What JS cannot
// express (atomic groups, possessive quantifiers, recursion, conditionals, \K, \G, verbs, ungreedy) and escapes
// that PCRE versions disagree on (unknown letters: literal in PCRE1, errors in PCRE2) are refused with a reason.
//
// Patterns come from project files, so they run on re2js (a port of RE2: matching in linear time, where
// `(x+x+)+y` backtracks for minutes in JS). RE2 has no lookahead and no back references: back references are
// refused, and the anchors PCRE defines by what follows (`$` also before a final newline, multiline `^` not
// at the very end, `(?=...)`) are run on the reversed subject with the reversed pattern, where they become
// lookbehinds, which re2js evaluates in linear time too. A pattern that needs both directions is refused.
import { RE2JS } from "re2js";

export class PcreError extends Error {}

export interface PcreOptions {
  /** PCRE's UTF + UCP options (Elixir's `u` modifier): code points and Unicode classes instead of bytes. */
  unicode?: boolean;
  /** Without `unicode`, how text becomes the bytes PCRE sees: Latin-1 (Erlang charlists, the default) or UTF-8. */
  bytes?: "latin1" | "utf8";
  caseless?: boolean;
  multiline?: boolean;
  dotall?: boolean;
  extended?: boolean;
}

export interface PcreRegex {
  /** The pattern as written. */
  readonly source: string;
  /** `re:run(Subject, Pattern) =/= nomatch`. */
  test(subject: string): boolean;
}

/** Compiles a PCRE pattern; throws PcreError naming what cannot be translated. */
export function compilePcre(pattern: string, opts: PcreOptions = {}): PcreRegex {
  const unicode = opts.unicode === true;
  const toBytes = opts.bytes === "utf8" ? (s: string) => Buffer.from(s, "utf8").toString("latin1") : (s: string) => s;
  if (!unicode && opts.bytes !== "utf8") {
    const wide = [...pattern].find((c) => c.codePointAt(0)! > 0xff);
    if (wide)
      throw new PcreError(
        `${JSON.stringify(wide)} is not a Latin-1 character, which Erlang's re requires without the unicode option`,
      );
  }
  const t = new Translator(unicode ? pattern : toBytes(pattern), opts);
  const { source, reversed } = t.run();
  let re: RE2JS;
  try {
    re = RE2JS.compile((t.caselessAll ? "(?i)" : "") + source, RE2JS.LOOKBEHINDS);
  } catch (e) {
    throw new PcreError(`not a valid pattern (${(e as Error).message})`);
  }
  const subject = unicode ? (s: string) => s : toBytes;
  // Reversed by code points, so that a surrogate pair stays one character.
  const prepare = reversed ? (s: string) => Array.from(subject(s)).reverse().join("") : subject;
  return { source: pattern, test: (s) => re.test(prepare(s)) };
}

/** Elixir `~r` modifiers as PCRE options (Regex.compile/2). */
export function elixirRegexOptions(mods: string): PcreOptions {
  const opts: PcreOptions = { bytes: "utf8" };
  for (const m of mods) {
    if (m === "i") opts.caseless = true;
    else if (m === "m") opts.multiline = true;
    else if (m === "s") opts.dotall = true;
    else if (m === "x") opts.extended = true;
    else if (m === "u") opts.unicode = true;
    else if (m === "f") throw new PcreError(`regex modifier "f" (firstline) is not supported`);
    else if (m === "U") throw new PcreError(`regex modifier "U" (ungreedy) is not supported`);
    else throw new PcreError(`unknown regex modifier ${JSON.stringify(m)}`);
  }
  return opts;
}

interface Flags {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
}

type Range = [number, number];

const WS = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20];
const HSPACE = [0x09, 0x20, 0xa0];
const VSPACE = [0x0a, 0x0b, 0x0c, 0x0d, 0x85];
const singles = (cs: number[]) => cs.map((c): Range => [c, c]);

/** `\s \h \v` without UTF (ASCII/Latin-1) as ranges; `\d \w` are JS's own (ASCII without the u and i flags). */
const BYTE_SETS: Record<string, Range[]> = { s: singles(WS), h: singles(HSPACE), v: singles(VSPACE) };

/** Class bodies with UCP. */
const UCP_SETS: Record<string, string> = {
  d: "\\p{Nd}",
  w: "\\p{L}\\p{N}_",
  s: "\\t\\n\\x0b\\f\\r \\x85\\p{Z}",
  h: "\\t \\xa0\\x{1680}\\x{180e}\\x{2000}-\\x{200a}\\x{202f}\\x{205f}\\x{3000}",
  v: "\\n\\x0b\\f\\r\\x85\\x{2028}\\x{2029}",
};

const POSIX: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: singles(WS),
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/**
 * Zero-width assertions by what they look at. "start", "end": the subject's ends (`\\A`, `\\z`);
 * "endOrFinalNewline": `$` and `\\Z`; "lineStart": multiline `^` (not after a final newline);
 * "lineEnd": multiline `$`; "wordBoundary"/"notWordBoundary": ASCII `\\b`, `\\B`.
 */
type Anchor = "start" | "end" | "endOrFinalNewline" | "lineStart" | "lineEnd" | "wordBoundary" | "notWordBoundary";

/** RE2 text of an anchor, matching forwards or on the reversed subject; undefined when it needs a lookahead. */
const ANCHORS: Record<Anchor, { forward?: string; reversed: string }> = {
  start: { forward: "\\A", reversed: "\\z" },
  end: { forward: "\\z", reversed: "\\A" },
  endOrFinalNewline: { reversed: "(?:\\A|(?<=\\A\\n))" },
  lineStart: { reversed: "(?:\\z|(?<=[\\s\\S])(?m:$))" },
  lineEnd: { forward: "(?m:$)", reversed: "(?m:^)" },
  wordBoundary: { forward: "\\b", reversed: "\\b" },
  notWordBoundary: { forward: "\\B", reversed: "\\B" },
};

/** The translated pattern: a tree built from the pieces the translator emits, written forwards or reversed. */
type Item =
  | { k: "atom"; text: string; reversed?: string; quant: string }
  | { k: "anchor"; anchor: Anchor; quant: string }
  | { k: "group"; open: string; alts: Item[][]; quant: string };

function write(items: readonly Item[], reversed: boolean): string {
  const order = reversed ? [...items].reverse() : items;
  let out = "";
  for (const item of order) {
    if (item.k === "atom") out += (reversed && item.reversed !== undefined ? item.reversed : item.text) + item.quant;
    else if (item.k === "anchor")
      out += (reversed ? ANCHORS[item.anchor].reversed : ANCHORS[item.anchor].forward!) + item.quant;
    else {
      // Lookaheads become lookbehinds on the reversed subject (and the other way round).
      const open = !reversed
        ? item.open
        : (({ "(?=": "(?<=", "(?!": "(?<!", "(?<=": "(?=", "(?<!": "(?!" } as Record<string, string>)[item.open] ??
          item.open);
      out += `${open}${item.alts.map((alt) => write(alt, reversed)).join("|")})${item.quant}`;
    }
  }
  return out;
}

/** Whether the items need a lookahead forwards ("ahead") or a lookbehind reversed ("behind"). */
function directions(
  items: readonly Item[],
  found = { ahead: false, behind: false },
): { ahead: boolean; behind: boolean } {
  for (const item of items) {
    if (item.k === "anchor" && ANCHORS[item.anchor].forward === undefined) found.ahead = true;
    if (item.k !== "group") continue;
    if (item.open === "(?=" || item.open === "(?!") found.ahead = true;
    if (item.open === "(?<=" || item.open === "(?<!") found.behind = true;
    for (const alt of item.alts) directions(alt, found);
  }
  return found;
}

/** One code point as RE2 source: plain when it cannot be special, else an escape. */
function hex(c: number): string {
  if (c < 0x80 && /[A-Za-z0-9_ ,:@#%~=!<>'"&;`/]/.test(String.fromCharCode(c))) return String.fromCharCode(c);
  if (c <= 0xff) return `\\x${c.toString(16).padStart(2, "0")}`;
  return `\\x{${c.toString(16)}}`;
}

function complement(ranges: Range[], max: number): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= max) out.push([next, max]);
  return out;
}

const rangesSource = (ranges: Range[]) =>
  ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join("");

/** ASCII case counterparts of the letters in a range (PCRE's default tables fold ASCII only). */
function caseVariants(lo: number, hi: number): Range[] {
  const out: Range[] = [];
  const add = (a: number, b: number, delta: number) => {
    const s = Math.max(lo, a);
    const e = Math.min(hi, b);
    if (s <= e) out.push([s + delta, e + delta]);
  };
  add(0x41, 0x5a, 0x20);
  add(0x61, 0x7a, -0x20);
  return out;
}

/** Capturing groups in the whole pattern (back references may point forward). */
function countGroups(src: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "\\") {
      if (src[i + 1] === "Q") {
        const end = src.indexOf("\\E", i + 2);
        i = end < 0 ? src.length : end + 1;
      } else i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      if (src[i + 1] === "^") i++;
      if (src[i + 1] === "]") i++;
      continue;
    }
    if (ch !== "(") continue;
    if (src[i + 1] !== "?" && src[i + 1] !== "*") n++;
    else if (/^\(\?(P?<[A-Za-z_]|')/.test(src.slice(i))) n++;
  }
  return n;
}

const BACKREFERENCES = "back references are not supported (patterns are matched in linear time, which they rule out)";

class Translator {
  private i = 0;
  /** The open groups' alternatives, innermost last; the first is the whole pattern. */
  private readonly levels: { group?: Item & { k: "group" }; alts: Item[][] }[] = [{ alts: [[]] }];
  private groupsSoFar = 0;
  private readonly totalGroups: number;
  private readonly unicode: boolean;
  private readonly maxChar: number;
  private flags: Flags;
  private readonly stack: Flags[] = [];
  /** Whether the last emitted item can take a quantifier. */
  private quantifiable = false;
  private rangePending = false;
  /** With `unicode`, caseless matching is RE2's own (Unicode folding), set for the whole pattern. */
  caselessAll: boolean;

  constructor(
    private readonly src: string,
    opts: PcreOptions,
  ) {
    this.totalGroups = countGroups(src);
    this.unicode = opts.unicode === true;
    this.maxChar = this.unicode ? 0x10ffff : 0xffff;
    this.flags = {
      caseless: !!opts.caseless,
      multiline: !!opts.multiline,
      dotall: !!opts.dotall,
      extended: !!opts.extended,
    };
    this.caselessAll = this.unicode && this.flags.caseless;
  }

  run(): { source: string; reversed: boolean } {
    if (this.src.startsWith("(*")) this.refuse("leading (*VERB) options are not supported");
    while (this.i < this.src.length) this.step();
    if (this.stack.length > 0) this.refuse("missing )");
    const top = this.levels[0]!.alts;
    const needs = { ahead: false, behind: false };
    for (const alt of top) directions(alt, needs);
    if (needs.ahead && needs.behind) {
      this.refuse(
        "lookbehind together with lookahead, $ or multiline ^ is not supported (matching runs in linear time)",
      );
    }
    return { source: top.map((alt) => write(alt, needs.ahead)).join("|"), reversed: needs.ahead };
  }

  private get items(): Item[] {
    const alts = this.levels[this.levels.length - 1]!.alts;
    return alts[alts.length - 1]!;
  }

  private refuse(reason: string): never {
    throw new PcreError(reason);
  }

  private peek(k = 0): string | undefined {
    return this.src[this.i + k];
  }

  /** An item that matches text; `reversed` when its text differs on the reversed subject. */
  private emitAtom(text: string, reversed?: string): void {
    this.items.push({ k: "atom", text, reversed, quant: "" });
    this.quantifiable = true;
  }

  private emitAnchor(anchor: Anchor): void {
    this.items.push({ k: "anchor", anchor, quant: "" });
    this.quantifiable = false;
  }

  private openLevel(open: string): void {
    const group: Item & { k: "group" } = { k: "group", open, alts: [[]], quant: "" };
    this.items.push(group);
    this.levels.push({ group, alts: group.alts });
    this.quantifiable = false;
  }

  private get manualCaseless(): boolean {
    return this.flags.caseless && !this.unicode;
  }

  private emitLiteral(c: number): void {
    const variants = this.manualCaseless ? caseVariants(c, c) : [];
    this.emitAtom(variants.length > 0 ? `[${hex(c)}${hex(variants[0]![0])}]` : hex(c));
  }

  /** Reads one code point at `i` (a surrogate pair counts once). */
  private codePoint(at: number): number {
    return this.src.codePointAt(at)!;
  }

  private step(): void {
    const ch = this.src[this.i]!;
    if (this.flags.extended) {
      if (WS.includes(ch.charCodeAt(0))) {
        this.i++;
        return;
      }
      if (ch === "#") {
        const nl = this.src.indexOf("\n", this.i);
        this.i = nl < 0 ? this.src.length : nl + 1;
        return;
      }
    }
    switch (ch) {
      case "\\":
        return this.escape();
      case "[":
        return this.charClass();
      case "(":
        return this.openGroup();
      case ")":
        if (this.stack.length === 0) this.refuse("unmatched )");
        this.flags = this.stack.pop()!;
        this.i++;
        this.levels.pop();
        this.quantifiable = true;
        return;
      case "|":
        this.i++;
        this.levels[this.levels.length - 1]!.alts.push([]);
        this.quantifiable = false;
        return;
      case ".":
        this.i++;
        return this.emitAtom(this.flags.dotall ? "[\\s\\S]" : "[^\\n]");
      case "^":
        this.i++;
        return this.emitAnchor(this.flags.multiline ? "lineStart" : "start");
      case "$":
        this.i++;
        return this.emitAnchor(this.flags.multiline ? "lineEnd" : "endOrFinalNewline");
      case "*":
      case "+":
      case "?":
        this.i++;
        return this.quantifier(ch);
      case "{": {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (m) {
          this.i += m[0].length;
          return this.quantifier(m[0]);
        }
        this.i++;
        return this.emitLiteral(0x7b); // `{,2}` and the like are literal text in PCRE
      }
      default: {
        const cp = this.codePoint(this.i);
        this.i += cp > 0xffff ? 2 : 1;
        return this.emitLiteral(cp);
      }
    }
  }

  private quantifier(q: string): void {
    if (!this.quantifiable) this.refuse(`quantifier ${q} has nothing to repeat`);
    if (this.peek() === "+") this.refuse("possessive quantifiers (*+, ++, ?+) are not supported");
    let text = q;
    if (this.peek() === "?") {
      text += "?";
      this.i++;
    }
    const m = /^\{(\d+)(?:,(\d*))?\}/.exec(q);
    if (m && (Number(m[1]) > 1000 || (m[2] !== undefined && m[2] !== "" && Number(m[2]) > 1000)))
      this.refuse("repeat counts above 1000 are not supported");
    const last = this.items[this.items.length - 1]!;
    // A quantified quantifier (`a**` is an error in PCRE; `(?:a*)*` is written with a group) never reaches here.
    last.quant += text;
    this.quantifiable = false;
  }

  private openGroup(): void {
    const rest = this.src.slice(this.i);
    if (rest.startsWith("(*")) this.refuse("(*VERB) items are not supported");
    if (!rest.startsWith("(?")) {
      this.groupsSoFar++;
      return this.push("(", 1);
    }
    if (rest.startsWith("(?#")) {
      const end = rest.indexOf(")");
      if (end < 0) this.refuse("missing ) after a (?# comment");
      this.i += end + 1;
      return;
    }
    for (const simple of ["(?:", "(?=", "(?!", "(?<=", "(?<!"]) {
      if (rest.startsWith(simple)) return this.push(simple, simple.length);
    }
    const named = /^\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest);
    if (named) {
      this.groupsSoFar++;
      return this.push(`(?<${named[1] ?? named[2]}>`, named[0].length);
    }
    const backref = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest);
    if (backref) {
      this.i += backref[0].length;
      return this.namedBackref(backref[1]!);
    }
    const opts = /^\(\?([imsxJUX]*)(?:-([imsxJUX]*))?([:)])/.exec(rest);
    if (opts) return this.options(opts[1] ?? "", opts[2] ?? "", opts[3] === ")", opts[0].length);
    if (rest.startsWith("(?>")) this.refuse("atomic groups (?>...) are not supported");
    if (rest.startsWith("(?|")) this.refuse("branch reset groups (?|...) are not supported");
    if (rest.startsWith("(?(")) this.refuse("conditional groups (?(...)...) are not supported");
    if (/^\(\?(R|[+-]?\d|&|P>)/.test(rest)) this.refuse("recursion and subroutine calls are not supported");
    if (rest.startsWith("(?C")) this.refuse("callouts (?C) are not supported");
    this.refuse(`unknown group syntax ${rest.slice(0, 4)}`);
  }

  /** `(?i-s)` (to the end of the enclosing group) or `(?i-s:...)`. */
  private options(on: string, off: string, bare: boolean, len: number): void {
    const next = { ...this.flags };
    const apply = (letters: string, value: boolean) => {
      for (const l of letters) {
        if (l === "i") next.caseless = value;
        else if (l === "m") next.multiline = value;
        else if (l === "s") next.dotall = value;
        else if (l === "x") next.extended = value;
        else this.refuse(`option (?${l}) is not supported`);
      }
    };
    apply(on, true);
    apply(off, false);
    if (this.unicode && next.caseless !== this.flags.caseless) {
      const atStart = bare && this.levels.length === 1 && this.levels[0]!.alts.length === 1 && this.items.length === 0;
      if (!atStart) this.refuse("with the u modifier, (?i) is only supported at the start of the pattern");
      this.caselessAll = next.caseless;
    }
    this.i += len;
    if (bare) {
      this.flags = next;
      return;
    }
    this.stack.push(this.flags);
    this.flags = next;
    this.openLevel("(?:");
  }

  private push(text: string, len: number): void {
    this.stack.push(this.flags);
    this.flags = { ...this.flags };
    this.i += len;
    // Captures are never read (there are no back references), so every group is a plain one.
    this.openLevel(
      text === "(" || (text.startsWith("(?<") && !text.startsWith("(?<=") && !text.startsWith("(?<!")) ? "(?:" : text,
    );
  }

  /** An escape that denotes one character (in a class and outside), or undefined. */
  private charEscape(inClass: boolean): number | undefined {
    const c = this.src[this.i + 1];
    const simple: Record<string, number> = { a: 7, e: 0x1b, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 };
    if (c === undefined) this.refuse("pattern ends with a backslash");
    if (c in simple) {
      this.i += 2;
      return simple[c]!;
    }
    if (inClass && c === "b") {
      this.i += 2;
      return 0x08;
    }
    if (c === "c") {
      const x = this.src[this.i + 2];
      // PCRE1 takes any ASCII character here, PCRE2 only printable ones
      if (x === undefined || x < " " || x > "~") this.refuse("\\c must be followed by a printable ASCII character");
      this.i += 3;
      return x.toUpperCase().charCodeAt(0) ^ 0x40;
    }
    if (c === "x") {
      const braced = /^\\x\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.i));
      if (braced) {
        this.i += braced[0].length;
        return this.checkChar(parseInt(braced[1]!, 16));
      }
      const m = /^\\x([0-9A-Fa-f]{0,2})/.exec(this.src.slice(this.i))!;
      this.i += m[0].length;
      return m[1] ? parseInt(m[1], 16) : 0;
    }
    if (c === "o") {
      const m = /^\\o\{([0-7]+)\}/.exec(this.src.slice(this.i));
      if (!m) this.refuse("malformed \\o{...}");
      this.i += m[0].length;
      return this.checkChar(parseInt(m[1]!, 8));
    }
    if (c === "0" || (inClass && /[1-7]/.test(c))) {
      const m = /^\\([0-7]{1,3})/.exec(this.src.slice(this.i))!;
      this.i += m[0].length;
      return this.checkChar(parseInt(m[1]!, 8));
    }
    if (inClass && (c === "8" || c === "9")) {
      this.i += 2;
      return c.charCodeAt(0);
    }
    return undefined;
  }

  private checkChar(c: number): number {
    if (!this.unicode && c > 0xff)
      this.refuse("character values above \\xff are not allowed without the u modifier (non-UTF mode)");
    if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
      this.refuse(`\\x{${c.toString(16)}} is not a valid Unicode code point`);
    return c;
  }

  /** `\d \s \w \h \v` and their negations as a class body, or undefined for other letters. */
  private classSet(letter: string, inClass: boolean): { text?: string; ranges?: Range[] } | undefined {
    const lower = letter.toLowerCase();
    if (!"dswhv".includes(lower) || letter.length !== 1) return undefined;
    const negated = letter !== lower;
    if (this.unicode) {
      if (negated && inClass) this.refuse(`\\${letter} inside [...] is not supported with the u modifier`);
      return { text: UCP_SETS[lower] };
    }
    if (lower === "d" || lower === "w") return { text: `\\${letter}` };
    const set = BYTE_SETS[lower]!;
    return { ranges: negated ? complement(set, this.maxChar) : set };
  }

  private escape(): void {
    const c = this.src[this.i + 1];
    const single = this.charEscape(false);
    if (single !== undefined) return this.emitLiteral(single);
    const two = (s: string) => {
      this.i += 2;
      this.emitAtom(s);
    };
    const anchor = (a: Anchor) => {
      this.i += 2;
      this.emitAnchor(a);
    };
    const set = this.classSet(c!, false);
    if (set) {
      const negated = c !== c!.toLowerCase();
      if (set.text !== undefined) return two(this.unicode ? `[${negated ? "^" : ""}${set.text}]` : set.text);
      return two(`[${rangesSource(set.ranges!)}]`);
    }
    switch (c) {
      case "b":
      case "B": {
        if (this.unicode)
          this.refuse(`\\${c} with the u modifier is not supported (Unicode word boundaries need a lookahead)`);
        return anchor(c === "b" ? "wordBoundary" : "notWordBoundary");
      }
      case "R": {
        const set = `[${this.unicode ? UCP_SETS.v : rangesSource(BYTE_SETS.v!)}]`;
        this.i += 2;
        return this.emitAtom(`(?:\\r\\n|${set})`, `(?:\\n\\r|${set})`);
      }
      case "N":
        if (this.src[this.i + 2] === "{") this.refuse("\\N{name} is not supported");
        return two("[^\\n]");
      case "A":
        return anchor("start");
      case "z":
        return anchor("end");
      case "Z":
        return anchor("endOrFinalNewline");
      case "E":
        this.i += 2;
        return;
      case "Q": {
        const end = this.src.indexOf("\\E", this.i + 2);
        const text = this.src.slice(this.i + 2, end < 0 ? undefined : end);
        this.i = end < 0 ? this.src.length : end + 2;
        // Each character is its own atom, so a quantifier after \E repeats the last one only, as in PCRE.
        for (const ch of text) this.emitLiteral(ch.codePointAt(0)!);
        return;
      }
      case "p":
      case "P":
        return this.emitAtom(this.property(false));
      case "g":
      case "k":
        return this.namedOrNumberedBackref();
      case "G":
      case "K":
      case "X":
      case "C":
        this.refuse(`\\${c} is not supported`);
    }
    if (/[1-9]/.test(c!)) return this.digitEscape();
    if (/[A-Za-z0-9]/.test(c!)) this.refuse(`unknown escape \\${c} (a literal in PCRE1, an error in PCRE2)`);
    // Any other escaped character stands for itself.
    const cp = this.codePoint(this.i + 1);
    this.i += cp > 0xffff ? 3 : 2;
    this.emitLiteral(cp);
  }

  /** `\p{..}` / `\P{..}` (only with UCP): a class item, or a whole atom outside classes. */
  private property(inClass: boolean): string {
    const negatedLetter = this.src[this.i + 1] === "P";
    if (!this.unicode) this.refuse("\\p is only supported with the u modifier");
    const m = /^\{(\^?)([A-Za-z&]+)\}|^([A-Z])/.exec(this.src.slice(this.i + 2));
    if (!m) this.refuse("malformed \\p escape");
    const name = m[2] ?? m[3]!;
    if (!/^(?:[LMNPSZC][a-z]?|L&|Any)$/.test(name)) this.refuse(`the Unicode property \\p{${name}} is not supported`);
    // PCRE1 ignores caseless matching for these, PCRE2 and JS do not.
    if (this.flags.caseless && /^L[ult&]$/.test(name))
      this.refuse(`\\p{${name}} under caseless matching is not supported`);
    this.i += 2 + m[0].length;
    const negate = negatedLetter !== (m[1] === "^");
    const body = name === "L&" ? "\\p{Lu}\\p{Ll}\\p{Lt}" : name === "Any" ? "\\s\\S" : `\\p{${name}}`;
    if (inClass) return negate ? this.refuse("a negated \\p inside [...] is not supported") : body;
    return name === "L&" || name === "Any" ? `[${negate ? "^" : ""}${body}]` : `\\${negate ? "P" : "p"}{${name}}`;
  }

  private backref(n: number): void {
    if (n < 1 || n > this.totalGroups) this.refuse(`reference to non-existent group ${n}`);
    this.refuse(BACKREFERENCES);
  }

  private namedBackref(_name: string): void {
    this.refuse(BACKREFERENCES);
  }

  /** `\N` outside classes: a back reference when below 10 or not above the groups opened so far, else octal. */
  private digitEscape(): void {
    const m = /^\\(\d+)/.exec(this.src.slice(this.i))!;
    const n = parseInt(m[1]!, 10);
    if (n < 10 || n <= this.groupsSoFar) {
      this.i += m[0].length;
      return this.backref(n);
    }
    const oct = /^\\([0-7]{1,3})/.exec(this.src.slice(this.i));
    if (!oct) this.refuse(`\\${m[1]} is neither a back reference nor an octal escape`);
    this.i += oct[0].length;
    this.emitLiteral(this.checkChar(parseInt(oct[1]!, 8)));
  }

  private namedOrNumberedBackref(): void {
    const rest = this.src.slice(this.i);
    const num = /^\\g(?:\{(-?\d+)\}|(-?\d+))/.exec(rest);
    if (num) {
      this.i += num[0].length;
      const v = parseInt(num[1] ?? num[2]!, 10);
      return this.backref(v < 0 ? this.groupsSoFar + v + 1 : v);
    }
    const name = /^\\(?:g\{([A-Za-z_]\w*)\}|k<([A-Za-z_]\w*)>|k'([A-Za-z_]\w*)'|k\{([A-Za-z_]\w*)\})/.exec(rest);
    if (!name) this.refuse(`unsupported escape ${rest.slice(0, 3)}`);
    this.i += name[0].length;
    this.namedBackref(name[1] ?? name[2] ?? name[3] ?? name[4]!);
  }

  private charClass(): void {
    this.i++;
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.i++;
    }
    const ranges: Range[] = [];
    const texts: string[] = [];
    let first = true;
    let prev: number | undefined; // last single character, candidate start of a range
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.refuse("missing terminating ] for character class");
      if (ch === "]" && !first) {
        this.i++;
        break;
      }
      first = false;
      let single: number | undefined;
      if (ch === "[") {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
        if (posix) {
          const set = POSIX[posix[2]!];
          if (!set) this.refuse(`unknown POSIX class [:${posix[2]}:]`);
          // With UCP most POSIX classes become Unicode properties; only these two stay ASCII.
          if (this.unicode && posix[2] !== "ascii" && posix[2] !== "xdigit")
            this.refuse(`POSIX class [:${posix[2]}:] with the u modifier is not supported`);
          ranges.push(...(posix[1] ? complement(set, this.maxChar) : set));
          this.i += posix[0].length;
          prev = undefined;
          continue;
        }
        single = 0x5b;
        this.i++;
      } else if (ch === "\\") {
        const c = this.peek(1);
        const esc = this.charEscape(true);
        if (esc !== undefined) single = esc;
        else {
          const set = this.classSet(c!, true);
          if (set) {
            if (set.text !== undefined) texts.push(set.text);
            else ranges.push(...set.ranges!);
            this.i += 2;
            prev = undefined;
            continue;
          }
          if (c === "p" || c === "P") {
            texts.push(this.property(true));
            prev = undefined;
            continue;
          }
          if (c === "E") {
            this.i += 2;
            continue;
          }
          if (c === "Q") {
            if (this.rangePending) this.refuse("a range ending in \\Q...\\E is not supported");
            const end = this.src.indexOf("\\E", this.i + 2);
            const text = this.src.slice(this.i + 2, end < 0 ? undefined : end);
            this.i = end < 0 ? this.src.length : end + 2;
            for (const t of text) ranges.push([t.codePointAt(0)!, t.codePointAt(0)!]);
            prev = undefined;
            continue;
          }
          if (/[A-Za-z0-9]/.test(c!)) this.refuse(`\\${c} is not supported inside a character class`);
          single = this.codePoint(this.i + 1);
          this.i += single > 0xffff ? 3 : 2;
        }
      } else {
        single = this.codePoint(this.i);
        this.i += single > 0xffff ? 2 : 1;
      }
      // `a-z`: a range when `-` is followed by something other than `]`.
      if (prev !== undefined && this.rangePending) {
        this.rangePending = false;
        if (single < prev) this.refuse("range out of order in character class");
        ranges[ranges.length - 1] = [prev, single];
        prev = undefined;
        continue;
      }
      ranges.push([single, single]);
      prev = single;
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        // Only a range if what follows is a character, not a class escape such as \d.
        const after = this.src.slice(this.i + 1);
        if (!/^\\[dDwWsShHvVpP]/.test(after) && !/^\[:\^?[a-z]+:\]/.test(after)) {
          this.i++;
          this.rangePending = true;
        }
      }
    }
    this.rangePending = false;
    const all = [...ranges];
    if (this.manualCaseless) for (const [lo, hi] of ranges) all.push(...caseVariants(lo, hi));
    const body = rangesSource(all) + texts.join("");
    if (body === "") this.emitAtom(negated ? "[\\s\\S]" : "[^\\x00-\\x{10ffff}]");
    else this.emitAtom(`[${negated ? "^" : ""}${body}]`);
  }
}
