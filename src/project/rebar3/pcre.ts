// Erlang `re` (PCRE, no options, non-UTF mode) patterns translated to JavaScript RegExps that match the same
// strings. Differences handled: `$` also matches before a final newline, `.` excludes only \n, `\s` `\h` `\v` `\R`
// are ASCII/Latin-1 classes, `\A \z \Z`, `\Q…\E`, POSIX classes, `\x{…}`, octal escapes, `(?P<name>…)`, and the
// inline options i, m, s, x (scoped like PCRE; caseless matching is ASCII-only, as PCRE's default tables).
// What JavaScript cannot express (atomic groups, possessive quantifiers, recursion, conditionals, \K, \G, \p, verbs)
// is refused with a reason rather than approximated.

export type PcreTranslation = { ok: true; regex: RegExp; source: string } | { ok: false; reason: string };

interface Flags {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
}

class Refused extends Error {}

const WS = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20];
const HSPACE = [0x09, 0x20, 0xa0];
const VSPACE = [0x0a, 0x0b, 0x0c, 0x0d, 0x85];
const MAX_CHAR = 0xffff;

const POSIX: Record<string, [number, number][]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: WS.map((c) => [c, c] as [number, number]),
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** One code point as regex source: plain when it cannot be special, else a \x / \u escape. */
function hex(c: number): string {
  if (/[A-Za-z0-9_ ,:@#%~=!<>'"&;`/]/.test(String.fromCharCode(c))) return String.fromCharCode(c);
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
}

function complement(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CHAR) out.push([next, MAX_CHAR]);
  return out;
}

const singles = (cs: number[]) => cs.map((c) => [c, c] as [number, number]);

function rangesSource(ranges: [number, number][]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join("");
}

/** ASCII case counterparts of the letters in a range (PCRE's default tables fold ASCII only). */
function caseVariants(lo: number, hi: number): [number, number][] {
  const out: [number, number][] = [];
  const add = (a: number, b: number, delta: number) => {
    const s = Math.max(lo, a);
    const e = Math.min(hi, b);
    if (s <= e) out.push([s + delta, e + delta]);
  };
  add(0x41, 0x5a, 0x20);
  add(0x61, 0x7a, -0x20);
  return out;
}

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

class Translator {
  private i = 0;
  private out = "";
  private groupsSoFar = 0;
  private readonly totalGroups: number;
  private flags: Flags = { caseless: false, multiline: false, dotall: false, extended: false };
  private readonly stack: Flags[] = [];
  /** Whether the last emitted item can take a quantifier. */
  private quantifiable = false;

  constructor(private readonly src: string) {
    this.totalGroups = countGroups(src);
  }

  run(): string {
    if (this.src.startsWith("(*")) throw new Refused("leading (*VERB) options are not supported");
    while (this.i < this.src.length) this.step();
    if (this.stack.length > 0) throw new Refused("missing )");
    return this.out;
  }

  private peek(k = 0): string | undefined {
    return this.src[this.i + k];
  }

  private emitAtom(s: string): void {
    this.out += s;
    this.quantifiable = true;
  }

  private emitLiteral(c: number): void {
    if (this.flags.caseless && caseVariants(c, c).length > 0) {
      const [[v]] = caseVariants(c, c) as [[number, number]];
      this.emitAtom(`[${hex(c)}${hex(v)}]`);
    } else this.emitAtom(hex(c));
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
        if (this.stack.length === 0) throw new Refused("unmatched )");
        this.flags = this.stack.pop()!;
        this.i++;
        this.emitAtom(")");
        return;
      case "|":
        this.i++;
        this.out += "|";
        this.quantifiable = false;
        return;
      case ".":
        this.i++;
        return this.emitAtom(this.flags.dotall ? "[\\s\\S]" : "[^\\n]");
      case "^":
        this.i++;
        this.out += this.flags.multiline ? "(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))" : "(?<![\\s\\S])";
        this.quantifiable = false;
        return;
      case "$":
        this.i++;
        this.out += this.flags.multiline ? "(?=\\n|(?![\\s\\S]))" : "(?=\\n?(?![\\s\\S]))";
        this.quantifiable = false;
        return;
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
        return this.emitLiteral(0x7b);
      }
      default: {
        const cp = this.src.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        if (cp > 0xffff) throw new Refused("characters above U+FFFF are not supported");
        return this.emitLiteral(cp);
      }
    }
  }

  private quantifier(q: string): void {
    if (!this.quantifiable) throw new Refused(`quantifier ${q} follows nothing`);
    let text = q;
    if (this.peek() === "+") throw new Refused("possessive quantifiers (*+, ++, ?+) are not supported");
    if (this.peek() === "?") {
      text += "?";
      this.i++;
    }
    this.out += text;
    this.quantifiable = false;
  }

  private openGroup(): void {
    const rest = this.src.slice(this.i);
    if (rest.startsWith("(*")) throw new Refused("(*VERB) items are not supported");
    if (!rest.startsWith("(?")) {
      this.groupsSoFar++;
      return this.push("(", 1);
    }
    const comment = /^\(\?#[^)]*\)/.exec(rest);
    if (comment) {
      this.i += comment[0].length;
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
      if (this.flags.caseless) throw new Refused("caseless back references are not supported");
      this.i += backref[0].length;
      return this.emitAtom(`\\k<${backref[1]}>`);
    }
    const opts = /^\(\?([imsxJUX]*)(?:-([imsxJUX]*))?([:)])/.exec(rest);
    if (opts) {
      const next = { ...this.flags };
      const apply = (letters: string, on: boolean) => {
        for (const l of letters) {
          if (l === "i") next.caseless = on;
          else if (l === "m") next.multiline = on;
          else if (l === "s") next.dotall = on;
          else if (l === "x") next.extended = on;
          else throw new Refused(`option (?${l}) is not supported`);
        }
      };
      apply(opts[1] ?? "", true);
      apply(opts[2] ?? "", false);
      this.i += opts[0].length;
      if (opts[3] === ")") {
        this.flags = next; // lasts until the end of the enclosing group
        return;
      }
      this.stack.push(this.flags);
      this.flags = next;
      this.out += "(?:";
      this.quantifiable = false;
      return;
    }
    if (rest.startsWith("(?>")) throw new Refused("atomic groups (?>...) are not supported");
    if (rest.startsWith("(?|")) throw new Refused("branch reset groups (?|...) are not supported");
    if (rest.startsWith("(?(")) throw new Refused("conditional groups (?(...)...) are not supported");
    if (/^\(\?(R|[+-]?\d|&|P>)/.test(rest)) throw new Refused("recursion and subroutine calls are not supported");
    if (rest.startsWith("(?C")) throw new Refused("callouts (?C) are not supported");
    throw new Refused(`unknown group syntax ${rest.slice(0, 4)}`);
  }

  private push(text: string, len: number): void {
    this.stack.push(this.flags);
    this.flags = { ...this.flags };
    this.i += len;
    this.out += text;
    this.quantifiable = false;
  }

  /** Reads an escape that denotes one character (shared by classes and the top level), or undefined. */
  private charEscape(inClass: boolean): number | undefined {
    const c = this.src[this.i + 1];
    const simple: Record<string, number> = { a: 7, e: 0x1b, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 };
    if (c === undefined) throw new Refused("pattern ends with a backslash");
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
      if (x === undefined || x.charCodeAt(0) > 0x7f) throw new Refused("\\c must be followed by an ASCII character");
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
      if (!m) throw new Refused("malformed \\o{...}");
      this.i += m[0].length;
      return this.checkChar(parseInt(m[1]!, 8));
    }
    if (c === "0") {
      const m = /^\\0([0-7]{0,2})/.exec(this.src.slice(this.i))!;
      this.i += m[0].length;
      return parseInt(`0${m[1]}`, 8);
    }
    return undefined;
  }

  private checkChar(c: number): number {
    if (c > 0xff) throw new Refused("character values above \\xff are not allowed in non-UTF mode");
    return c;
  }

  private escape(): void {
    const c = this.src[this.i + 1];
    const single = this.charEscape(false);
    if (single !== undefined) return this.emitLiteral(single);
    const two = (s: string, quantifiable = true) => {
      this.i += 2;
      if (quantifiable) this.emitAtom(s);
      else {
        this.out += s;
        this.quantifiable = false;
      }
    };
    switch (c) {
      case "d":
      case "D":
      case "w":
      case "W":
        return two(`\\${c}`);
      case "b":
      case "B":
        return two(`\\${c}`, false);
      case "s":
        return two(`[${rangesSource(singles(WS))}]`);
      case "S":
        return two(`[^${rangesSource(singles(WS))}]`);
      case "h":
        return two(`[${rangesSource(singles(HSPACE))}]`);
      case "H":
        return two(`[^${rangesSource(singles(HSPACE))}]`);
      case "v":
        return two(`[${rangesSource(singles(VSPACE))}]`);
      case "V":
        return two(`[^${rangesSource(singles(VSPACE))}]`);
      case "R":
        return two(`(?:\\r\\n|[${rangesSource(singles(VSPACE))}])`);
      case "N":
        if (this.src[this.i + 2] === "{") throw new Refused("\\N{name} is not supported");
        return two("[^\\n]");
      case "A":
        return two("(?<![\\s\\S])", false);
      case "z":
        return two("(?![\\s\\S])", false);
      case "Z":
        return two("(?=\\n?(?![\\s\\S]))", false);
      case "E":
        this.i += 2;
        return;
      case "Q": {
        const end = this.src.indexOf("\\E", this.i + 2);
        const text = this.src.slice(this.i + 2, end < 0 ? undefined : end);
        this.i = end < 0 ? this.src.length : end + 2;
        for (const ch of text) this.emitLiteral(ch.codePointAt(0)!);
        return;
      }
      case "G":
      case "K":
      case "X":
      case "C":
      case "p":
      case "P":
      case "l":
      case "L":
      case "u":
      case "U":
        throw new Refused(`\\${c} is not supported`);
      case "g":
      case "k":
        return this.namedOrNumberedBackref();
    }
    if (c !== undefined && /[1-9]/.test(c)) return this.digitEscape();
    // Any other escaped character stands for itself (PCRE treats unknown letter escapes as literals).
    const cp = this.src.codePointAt(this.i + 1)!;
    this.i += cp > 0xffff ? 3 : 2;
    this.emitLiteral(cp);
  }

  private backref(n: number): void {
    if (n < 1 || n > this.totalGroups) throw new Refused(`reference to non-existent group ${n}`);
    if (this.flags.caseless) throw new Refused("caseless back references are not supported");
    // A group after the reference needs a non-capturing wrapper so digits that follow stay literal.
    this.emitAtom(`(?:\\${n})`);
  }

  private digitEscape(): void {
    const m = /^\\(\d+)/.exec(this.src.slice(this.i))!;
    const n = parseInt(m[1]!, 10);
    if (n < 10 || n <= this.groupsSoFar) {
      this.i += m[0].length;
      return this.backref(n);
    }
    const oct = /^\\([0-7]{1,3})/.exec(this.src.slice(this.i));
    if (!oct) throw new Refused(`\\${m[1]} is neither a back reference nor an octal escape`);
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
    if (name) {
      if (this.flags.caseless) throw new Refused("caseless back references are not supported");
      this.i += name[0].length;
      return this.emitAtom(`\\k<${name[1] ?? name[2] ?? name[3] ?? name[4]}>`);
    }
    throw new Refused(`unsupported escape ${rest.slice(0, 3)}`);
  }

  private charClass(): void {
    this.i++;
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.i++;
    }
    const ranges: [number, number][] = [];
    const classes: string[] = [];
    let first = true;
    let prev: number | undefined; // last single character, candidate start of a range
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new Refused("missing terminating ] for character class");
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
          if (!set) throw new Refused(`unknown POSIX class [:${posix[2]}:]`);
          ranges.push(...(posix[1] ? complement(set) : set));
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
          const cls: Record<string, [number, number][] | string> = {
            d: "\\d", D: "\\D", w: "\\w", W: "\\W",
            s: singles(WS), S: complement(singles(WS)),
            h: singles(HSPACE), H: complement(singles(HSPACE)),
            v: singles(VSPACE), V: complement(singles(VSPACE)),
          };
          if (c !== undefined && c in cls) {
            const v = cls[c]!;
            if (typeof v === "string") classes.push(v);
            else ranges.push(...v);
            this.i += 2;
            prev = undefined;
            continue;
          }
          if (c === "E") {
            this.i += 2;
            continue;
          }
          if (c === "Q") {
            const end = this.src.indexOf("\\E", this.i + 2);
            const text = this.src.slice(this.i + 2, end < 0 ? undefined : end);
            this.i = end < 0 ? this.src.length : end + 2;
            for (const t of text) ranges.push([t.codePointAt(0)!, t.codePointAt(0)!]);
            prev = undefined;
            continue;
          }
          if (c !== undefined && /[A-Za-z0-9]/.test(c)) throw new Refused(`\\${c} is not supported inside a character class`);
          single = this.src.codePointAt(this.i + 1)!;
          this.i += single > 0xffff ? 3 : 2;
        }
      } else {
        single = this.src.codePointAt(this.i)!;
        this.i += single > 0xffff ? 2 : 1;
      }
      if (single > 0xffff) throw new Refused("characters above U+FFFF are not supported");
      // `a-z`: a range when `-` is followed by something other than `]`.
      if (prev !== undefined && ranges.length > 0 && this.rangePending) {
        this.rangePending = false;
        const lo = prev;
        if (single < lo) throw new Refused("range out of order in character class");
        ranges[ranges.length - 1] = [lo, single];
        prev = undefined;
        continue;
      }
      ranges.push([single, single]);
      prev = single;
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        // Only a range if what follows is a character, not a class escape such as \d.
        const after = this.src.slice(this.i + 1);
        if (!/^\\[dDwWsShHvV]/.test(after) && !/^\[:\^?[a-z]+:\]/.test(after)) {
          this.i++;
          this.rangePending = true;
        }
      }
    }
    this.rangePending = false;
    const all = [...ranges];
    if (this.flags.caseless) for (const [lo, hi] of ranges) all.push(...caseVariants(lo, hi));
    const body = rangesSource(all) + classes.join("");
    if (body === "") this.emitAtom(negated ? "[\\s\\S]" : "[]");
    else this.emitAtom(`[${negated ? "^" : ""}${body}]`);
  }

  private rangePending = false;
}

/** Translates one Erlang `re` pattern (as rebar3_hex passes it to re:run/2, without options). */
export function translatePcre(source: string): PcreTranslation {
  let translated: string;
  try {
    translated = new Translator(source).run();
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    throw e;
  }
  try {
    return { ok: true, regex: new RegExp(translated), source: translated };
  } catch (e) {
    return { ok: false, reason: `not a valid pattern (${(e as Error).message})` };
  }
}
