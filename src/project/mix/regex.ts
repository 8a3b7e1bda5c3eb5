// Elixir regexes (PCRE) as JavaScript RegExps, for `exclude_patterns`. Without the `u` modifier PCRE
// matches bytes, so the path and the pattern are both turned into Latin-1 strings of their UTF-8 bytes;
// with `u` (UTF + UCP) the JS `u` flag is used with Unicode classes. Constructs whose meaning differs
// (`$`, `.`, `\s`, `\v`, `\A`, `\z`, POSIX classes, `\Q…\E`, `(?P<n>`) are rewritten; constructs JS lacks
// (possessive and atomic groups, recursion, conditionals, inline flags after the start, ungreedy) are
// refused with a RegexError naming them.

export class RegexError extends Error {}

export interface PathMatcher {
  /** `path =~ regex` for a relative path. */
  test(path: string): boolean;
  readonly source: string;
}

const utf8 = new TextEncoder();
const hex2 = (b: number) => "\\x" + b.toString(16).padStart(2, "0");

export function compileElixirRegex(source: string, mods: string): PathMatcher {
  const flags = new Set<string>();
  for (const m of mods) {
    if ("imsux".includes(m)) flags.add(m);
    else if (m === "f") throw new RegexError(`regex modifier "f" (firstline) is not supported`);
    else if (m === "U") throw new RegexError(`regex modifier "U" (ungreedy) is not supported`);
    else throw new RegexError(`unknown regex modifier ${JSON.stringify(m)}`);
  }
  let src = source;
  // Leading inline options apply to the whole pattern and become flags.
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) flags.add(f);
    src = src.slice(lead[0].length);
  }
  const unicode = flags.has("u");
  const body = new Translator(src, unicode, flags.has("m"), flags.has("s"), flags.has("x")).run();
  let re: RegExp;
  try {
    re = new RegExp(body, (flags.has("i") ? "i" : "") + (unicode ? "u" : ""));
  } catch (e) {
    throw new RegexError(`cannot translate regex ${JSON.stringify(source)}: ${(e as Error).message}`);
  }
  const subject = unicode ? (p: string) => p : (p: string) => Buffer.from(p, "utf8").toString("latin1");
  return { source, test: (p) => re.test(subject(p)) };
}

const posix: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "A-Za-z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: "\\t\\n\\x0b\\f\\r ",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  word: "A-Za-z0-9_",
  cntrl: "\\x00-\\x1f\\x7f",
  graph: "!-~",
  print: " -~",
  ascii: "\\x00-\\x7f",
};

class Translator {
  private i = 0;

  constructor(
    private readonly src: string,
    private readonly unicode: boolean,
    private readonly multiline: boolean,
    private readonly dotall: boolean,
    private readonly extended: boolean,
  ) {}

  private refuse(what: string): never {
    throw new RegexError(`regex ${JSON.stringify(this.src)} uses ${what}, which hexts cannot translate to JavaScript`);
  }

  /** A literal character, escaped for JS, as UTF-8 bytes when matching bytes. */
  private lit(c: string, inClass = false): string {
    const cp = c.codePointAt(0)!;
    if (cp < 0x80) {
      if (/[\\^$.*+?()[\]{}|/]/.test(c) || (inClass && c === "-")) return "\\" + c;
      if (cp < 0x20 || cp === 0x7f) return hex2(cp);
      return c;
    }
    if (this.unicode) return cp > 0xffff ? `\\u{${cp.toString(16)}}` : "\\u" + cp.toString(16).padStart(4, "0");
    return [...utf8.encode(c)].map(hex2).join("");
  }

  private code(cp: number, inClass: boolean): string {
    if (this.unicode) return this.lit(String.fromCodePoint(cp), inClass);
    if (cp > 0xff) this.refuse(`a character code above \\xff without the u modifier`);
    return hex2(cp);
  }

  private get classes() {
    const u = this.unicode;
    return {
      d: u ? "\\p{Nd}" : "0-9",
      w: u ? "\\p{L}\\p{N}_" : "A-Za-z0-9_",
      s: u ? "\\t\\n\\x0b\\f\\r \\x85\\p{Z}" : "\\t\\n\\x0b\\f\\r ",
      h: u ? "\\t \\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000" : "\\t \\xa0",
      v: u ? "\\n\\x0b\\f\\r\\x85\\u2028\\u2029" : "\\n\\x0b\\f\\r\\x85",
    };
  }

  run(): string {
    let out = "";
    while (this.i < this.src.length) out += this.atom();
    return out;
  }

  private atom(): string {
    const c = this.src[this.i]!;
    if (this.extended) {
      if (/[ \t\n\r\f\v]/.test(c)) {
        this.i++;
        return "";
      }
      if (c === "#") {
        while (this.i < this.src.length && this.src[this.i] !== "\n") this.i++;
        return "";
      }
    }
    switch (c) {
      case "\\":
        return this.escape(false);
      case "[":
        return this.charClass();
      case "(":
        return this.group();
      case ")":
        this.i++;
        return ")";
      case "|":
        this.i++;
        return "|";
      case ".":
        this.i++;
        return this.quant(this.dotall ? "[\\s\\S]" : "[^\\n]");
      case "^":
        this.i++;
        return this.multiline ? "(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))" : "(?<![\\s\\S])";
      case "$":
        this.i++;
        return this.multiline ? "(?=\\n|(?![\\s\\S]))" : "(?=\\n?(?![\\s\\S]))";
      case "*":
      case "+":
      case "?":
        this.refuse(`a quantifier with nothing to repeat at offset ${this.i}`);
        break;
      case "{": {
        if (/^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) this.refuse(`a quantifier with nothing to repeat at offset ${this.i}`);
        this.i++;
        return this.quant("\\{");
      }
    }
    const cp = this.src.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return this.quant(this.lit(ch));
  }

  /** Appends any quantifier that follows an atom. */
  private quant(atom: string): string {
    const rest = this.src.slice(this.i);
    const m = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(rest);
    if (!m) return atom;
    this.i += m[0].length;
    let q = m[0];
    const after = this.src[this.i];
    if (after === "+") this.refuse("a possessive quantifier");
    if (after === "?") {
      q += "?";
      this.i++;
    }
    // Without `u` PCRE repeats only the last byte of a multi-byte character, and so does this.
    return atom + q;
  }

  private group(): string {
    const rest = this.src.slice(this.i);
    let open: string;
    if (rest.startsWith("(?#")) {
      const end = rest.indexOf(")");
      if (end < 0) this.refuse("an unterminated comment");
      this.i += end + 1;
      return "";
    }
    const named = /^\(\?(?:P?<|')([A-Za-z_]\w*)[>']/.exec(rest);
    const backref = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest);
    if (backref) {
      this.i += backref[0].length;
      return this.quant(`\\k<${backref[1]}>`);
    }
    if (named) {
      open = `(?<${named[1]}>`;
      this.i += named[0].length;
    } else if (/^\(\?(?:<=|<!|[:=!])/.test(rest)) {
      open = /^\(\?(?:<=|<!|[:=!])/.exec(rest)![0];
      this.i += open.length;
    } else if (rest.startsWith("(?")) {
      const kind = rest.startsWith("(?>")
        ? "an atomic group (?>...)"
        : rest.startsWith("(?|")
          ? "a branch reset group (?|...)"
          : rest.startsWith("(?(")
            ? "a conditional group"
            : /^\(\?[-imsxJU]*[):]/.test(rest)
              ? "inline options after the start of the pattern"
              : "a recursion or subroutine call";
      this.refuse(kind);
    } else {
      open = "(";
      this.i++;
    }
    let inner = "";
    while (this.i < this.src.length && this.src[this.i] !== ")") inner += this.atom();
    if (this.src[this.i] !== ")") this.refuse("an unclosed group");
    this.i++;
    return this.quant(open + inner + ")");
  }

  private escape(inClass: boolean): string {
    const n = this.src[this.i + 1];
    if (n === undefined) this.refuse("a trailing backslash");
    this.i += 2;
    const cls = this.classes;
    const set = (body: string, negate: boolean) => (inClass ? (negate ? this.refuse("a negated class escape inside [...]") : body) : `[${negate ? "^" : ""}${body}]`);
    const wrap = (s: string) => (inClass ? s : this.quant(s));
    switch (n) {
      case "d":
      case "w":
      case "s":
      case "h":
      case "v":
        return wrap(set(cls[n], false));
      case "D":
      case "W":
      case "S":
      case "H":
      case "V":
        return wrap(set(cls[n.toLowerCase() as "d"], true));
      case "A":
        return inClass ? this.refuse("\\A inside [...]") : "(?<![\\s\\S])";
      case "z":
        return inClass ? this.refuse("\\z inside [...]") : "(?![\\s\\S])";
      case "Z":
        return inClass ? this.refuse("\\Z inside [...]") : "(?=\\n?(?![\\s\\S]))";
      case "b":
      case "B": {
        if (inClass) return n === "b" ? "\\x08" : this.refuse("\\B inside [...]");
        if (!this.unicode) return "\\" + n;
        const w = "[\\p{L}\\p{N}_]";
        const boundary = `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
        return n === "b" ? boundary : `(?!${boundary})`;
      }
      case "R":
        return inClass ? this.refuse("\\R inside [...]") : this.quant(`(?:\\r\\n|[${cls.v}])`);
      case "N":
        return inClass ? this.refuse("\\N inside [...]") : this.quant("[^\\n]");
      case "n":
        return wrap("\\n");
      case "r":
        return wrap("\\r");
      case "t":
        return wrap("\\t");
      case "f":
        return wrap("\\f");
      case "e":
        return wrap("\\x1b");
      case "a":
        return wrap("\\x07");
      case "c": {
        const x = this.src[this.i];
        if (!x || !/[A-Za-z@[\\\]^_?]/.test(x)) this.refuse("an invalid \\c escape");
        this.i++;
        return wrap(hex2(x.toUpperCase().charCodeAt(0) ^ 0x40));
      }
      case "x": {
        const braced = /^\{([0-9a-fA-F]+)\}/.exec(this.src.slice(this.i));
        if (braced) {
          this.i += braced[0].length;
          return wrap(this.code(parseInt(braced[1]!, 16), inClass));
        }
        const m = /^[0-9a-fA-F]{0,2}/.exec(this.src.slice(this.i))![0];
        this.i += m.length;
        return wrap(this.code(m ? parseInt(m, 16) : 0, inClass));
      }
      case "o": {
        const m = /^\{([0-7]+)\}/.exec(this.src.slice(this.i));
        if (!m) this.refuse("an invalid \\o escape");
        this.i += m[0].length;
        return wrap(this.code(parseInt(m[1]!, 8), inClass));
      }
      case "0": {
        const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i))![0];
        this.i += m.length;
        return wrap(this.code(parseInt("0" + m, 8), inClass));
      }
      case "Q": {
        const end = this.src.indexOf("\\E", this.i);
        const text = this.src.slice(this.i, end < 0 ? undefined : end);
        this.i = end < 0 ? this.src.length : end + 2;
        const chars = [...text].map((c) => this.lit(c, inClass));
        if (inClass || chars.length === 0) return chars.join("");
        // As in PCRE, a quantifier after \E applies to the last character only.
        return chars.slice(0, -1).join("") + this.quant(chars[chars.length - 1]!);
      }
      case "E":
        return "";
      case "p":
      case "P": {
        if (!this.unicode) this.refuse("\\p without the u modifier");
        const m = /^\{\^?([A-Za-z&]+)\}|^([A-Z])/.exec(this.src.slice(this.i));
        if (!m) this.refuse("an invalid \\p escape");
        const name = m[1] ?? m[2]!;
        if (!/^(?:[LMNPSZC][a-z]?|L&|Any)$/.test(name)) this.refuse(`the Unicode property \\p{${name}}`);
        this.i += m[0].length;
        const negate = (n === "P") !== m[0].startsWith("{^");
        const prop = name === "L&" ? "\\p{Lu}\\p{Ll}\\p{Lt}" : name === "Any" ? "\\s\\S" : `\\p{${name}}`;
        if (inClass) return negate ? this.refuse("a negated property inside [...]") : prop;
        return this.quant(name === "L&" || name === "Any" ? `[${negate ? "^" : ""}${prop}]` : `\\${negate ? "P" : "p"}{${name}}`);
      }
      case "k": {
        const m = /^(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')/.exec(this.src.slice(this.i));
        if (!m || inClass) this.refuse("an invalid \\k escape");
        this.i += m[0].length;
        return this.quant(`\\k<${m[1] ?? m[2] ?? m[3]}>`);
      }
      case "g":
      case "G":
      case "K":
      case "X":
      case "C":
        this.refuse(`\\${n}`);
    }
    if (/[1-9]/.test(n)) {
      if (inClass) return /[0-7]/.test(n) ? this.octal(n, true) : n;
      // \1-\9 are back references; longer numbers are octal escapes (patterns here have fewer than 10 groups)
      if (!/[0-9]/.test(this.src[this.i] ?? "")) return this.quant("\\" + n);
      if (!/[0-7]/.test(n)) this.refuse("a back reference above \\9");
      return this.quant(this.octal(n, false));
    }
    if (/[A-Za-z0-9]/.test(n)) this.refuse(`the unknown escape \\${n}`);
    const cp = this.src.codePointAt(this.i - 1)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length - 1;
    return wrap(this.lit(ch, inClass));
  }

  /** Up to three octal digits, the first already read. */
  private octal(first: string, inClass: boolean): string {
    const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i))![0];
    this.i += m.length;
    return this.code(parseInt(first + m, 8), inClass);
  }

  private charClass(): string {
    this.i++; // [
    let out = "[";
    if (this.src[this.i] === "^") {
      out += "^";
      this.i++;
    }
    let first = true;
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) this.refuse("an unterminated [...] class");
      if (c === "]" && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === "[") {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
        if (m) {
          if (m[1]) this.refuse("a negated POSIX class");
          const p = posix[m[2]!];
          if (!p) this.refuse(`the POSIX class [:${m[2]}:]`);
          if (this.unicode && m[2] !== "ascii" && m[2] !== "xdigit") this.refuse(`a POSIX class with the u modifier`);
          out += p;
          this.i += m[0].length;
          continue;
        }
      }
      if (c === "\\") {
        out += this.escape(true);
        continue;
      }
      const cp = this.src.codePointAt(this.i)!;
      const ch = String.fromCodePoint(cp);
      this.i += ch.length;
      if (!this.unicode && cp >= 0x80 && this.src[this.i] === "-" && this.src[this.i + 1] !== "]") this.refuse("a range of non-ASCII characters without the u modifier");
      out += ch === "-" ? "-" : this.lit(ch, true);
    }
    return this.quant(out + "]");
  }
}
