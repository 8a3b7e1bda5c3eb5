// Tokenizer for the Elixir subset found in mix.exs files. It follows elixir_tokenizer.erl and
// elixir_interpolation.erl (Elixir 1.14): strings keep their raw text (escapes are resolved later, because
// each sigil unescapes differently), heredocs have their indentation already removed.

export class ElixirSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
    this.name = "ElixirSyntaxError";
  }
}

/** A piece of a string-like token: raw source text, or the tokens of one `#{...}` interpolation. */
export type StrPart = { raw: string } | { tokens: Token[]; line: number; col: number };

export type TokenKind =
  | "int"
  | "float"
  | "str" // "..." and """..."""
  | "charlist" // '...' and '''...'''
  | "sigil"
  | "atom" // :foo, :+, true/false/nil
  | "qatom" // :"foo #{x}"
  | "kw" // foo:  (keyword key)
  | "qkw" // "foo bar":
  | "ident"
  | "alias"
  | "op"
  | "punct" // ( ) [ ] { } , ; << >> %
  | "block" // do end else after catch rescue fn
  | "eol"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Identifier / alias / operator / punctuation text, atom or keyword name. */
  text: string;
  line: number;
  col: number;
  /** Whitespace (or a comment / newline) directly before the token. */
  spaceBefore: boolean;
  int?: bigint;
  float?: number;
  parts?: StrPart[];
  sigil?: string;
  mods?: string;
  heredoc?: boolean;
}

const blockWords = new Set(["do", "end", "else", "after", "catch", "rescue", "fn"]);
const wordOps = new Set(["when", "and", "or", "not", "in"]);
// Longest first within each length; `<<`/`>>` are brackets, `%` a prefix.
const ops3 = ["===", "!==", "<<<", ">>>", "<<~", "~>>", "<~>", "|||", "&&&", "^^^", "+++", "---", "..."];
const ops2 = [
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "<>",
  "++",
  "--",
  "**",
  "..",
  "|>",
  "=~",
  "->",
  "<-",
  "=>",
  "::",
  "\\\\",
  "<~",
  "~>",
];
const ops1 = ["+", "-", "*", "/", "=", "<", ">", "|", ".", "!", "^", "&", "@"];
const sigilClose: Record<string, string> = {
  "(": ")",
  "[": "]",
  "{": "}",
  "<": ">",
  "/": "/",
  "|": "|",
  '"': '"',
  "'": "'",
};

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHSpace = (c: string | undefined) => c === " " || c === "\t";
const isIdentStart = (c: string | undefined) => c !== undefined && (c === "_" || /\p{Ll}|\p{Lo}|\p{Lm}/u.test(c));
const isAliasStart = (c: string | undefined) => c !== undefined && c >= "A" && c <= "Z";
const isIdentChar = (c: string | undefined) => c !== undefined && (c === "_" || /[\p{L}\p{N}\p{Mn}\p{Mc}]/u.test(c));

export function tokenize(source: string): Token[] {
  const t = new Tokenizer(source.replace(/^\uFEFF/, ""), 0, 1, 1);
  return t.run(false);
}

class Tokenizer {
  private tokens: Token[] = [];
  private space = true;
  private depth = 0;

  constructor(
    private readonly src: string,
    public pos: number,
    public line: number,
    public col: number,
  ) {}

  private peek(n = 0): string | undefined {
    return this.src[this.pos + n];
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  private advance(n = 1): string {
    let out = "";
    for (let i = 0; i < n; i++) {
      const c = this.src[this.pos++]!;
      out += c;
      if (c === "\n") {
        this.line++;
        this.col = 1;
      } else this.col++;
    }
    return out;
  }

  private fail(message: string, line = this.line, col = this.col): never {
    throw new ElixirSyntaxError(message, line, col);
  }

  private push(kind: TokenKind, text: string, line: number, col: number, extra: Partial<Token> = {}): Token {
    const tok: Token = { kind, text, line, col, spaceBefore: this.space, ...extra };
    this.tokens.push(tok);
    this.space = false;
    return tok;
  }

  /** Tokenizes to the end, or (inside `#{`) to the `}` that closes the interpolation. */
  run(untilBrace: boolean): Token[] {
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        if (untilBrace) this.fail('missing interpolation terminator: "}"');
        this.push("eof", "", this.line, this.col);
        return this.tokens;
      }
      if (isHSpace(c) || c === "\r" || c === "\f" || c === "\v") {
        this.advance();
        this.space = true;
        continue;
      }
      if (c === "\\" && (this.peek(1) === "\n" || (this.peek(1) === "\r" && this.peek(2) === "\n"))) {
        // a backslash at the end of a line joins it with the next one
        this.advance(this.peek(1) === "\n" ? 2 : 3);
        this.space = true;
        continue;
      }
      if (c === "\n") {
        const last = this.tokens[this.tokens.length - 1];
        if (last && last.kind !== "eol") this.push("eol", "\n", this.line, this.col);
        this.advance();
        this.space = true;
        continue;
      }
      if (c === "#") {
        while (this.peek() !== undefined && this.peek() !== "\n") this.advance();
        this.space = true;
        continue;
      }
      if (untilBrace && c === "}" && this.depth === 0) {
        this.advance();
        return this.tokens;
      }
      this.next();
    }
  }

  private next(): void {
    const line = this.line;
    const col = this.col;
    const c = this.peek()!;

    if (isDigit(c)) return this.number(line, col);

    // Sigils: ~s(...), ~w"""...""" and friends.
    if (c === "~" && /[A-Za-z]/.test(this.peek(1) ?? "")) return this.sigil(line, col);

    if (c === "?" && this.peek(1) !== undefined) return this.charLiteral(line, col);

    if (this.startsWith('"""') || this.startsWith("'''")) {
      const q = c;
      this.advance(3);
      const parts = this.heredoc(q, true, line, col);
      this.push(q === '"' ? "str" : "charlist", q, line, col, { parts, heredoc: true });
      return;
    }
    if (c === '"' || c === "'") {
      this.advance();
      const parts = this.extract(c, true, line, col);
      if (this.peek() === ":" && this.isSpaceOrEnd(this.peek(1))) {
        this.advance();
        this.push("qkw", "", line, col, { parts });
        return;
      }
      this.push(c === '"' ? "str" : "charlist", c, line, col, { parts });
      return;
    }

    if (c === ":" && this.peek(1) !== ":") {
      const n = this.peek(1);
      if (n === '"' || n === "'") {
        this.advance(2);
        const parts = this.extract(n, true, line, col);
        this.push("qatom", "", line, col, { parts });
        return;
      }
      if (n !== undefined && (isIdentStart(n) || isAliasStart(n))) {
        this.advance();
        const name = this.word();
        this.push("atom", name, line, col);
        return;
      }
      for (const op of [...ops3, ...ops2, ...ops1]) {
        if (this.src.startsWith(op, this.pos + 1) && op !== "..." && op !== "->" && op !== "=>" && op !== "::") {
          this.advance(1 + op.length);
          this.push("atom", op, line, col);
          return;
        }
      }
    }

    if (isIdentStart(c) || isAliasStart(c)) {
      const word = this.word();
      // `foo:` followed by whitespace is a keyword key (not `foo::`)
      if (this.peek() === ":" && this.peek(1) !== ":" && this.isSpaceOrEnd(this.peek(1))) {
        this.advance();
        this.push("kw", word, line, col);
        return;
      }
      if (isAliasStart(c)) return void this.push("alias", word, line, col);
      if (word === "true" || word === "false" || word === "nil") return void this.push("atom", word, line, col);
      if (blockWords.has(word)) return void this.push("block", word, line, col);
      if (wordOps.has(word)) return void this.push("op", word, line, col);
      this.push("ident", word, line, col);
      return;
    }

    if (this.startsWith("<<") && !this.startsWith("<<<") && !this.startsWith("<<~")) {
      this.advance(2);
      this.push("punct", "<<", line, col);
      return;
    }
    if (this.startsWith(">>") && !this.startsWith(">>>")) {
      this.advance(2);
      this.push("punct", ">>", line, col);
      return;
    }
    if ("()[]{},;%".includes(c)) {
      if (c === "{") this.depth++;
      if (c === "}") this.depth--;
      this.advance();
      this.push("punct", c, line, col);
      return;
    }
    for (const op of [...ops3, ...ops2, ...ops1]) {
      if (this.startsWith(op)) {
        this.advance(op.length);
        this.push("op", op, line, col);
        return;
      }
    }
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private isSpaceOrEnd(c: string | undefined): boolean {
    return c === undefined || c === " " || c === "\t" || c === "\n" || c === "\r";
  }

  private word(): string {
    let w = "";
    while (isIdentChar(this.peek())) w += this.advance();
    if (this.peek() === "?" || this.peek() === "!") {
      // `foo!=` is `foo != ...`, not `foo! = ...`
      if (this.peek(1) !== "=" || this.peek(2) === "=") w += this.advance();
    }
    return w;
  }

  private number(line: number, col: number): void {
    const radix = this.peek() === "0" ? { x: 16, o: 8, b: 2 }[this.peek(1) ?? ""] : undefined;
    if (radix) {
      this.advance(2);
      // Only the radix's own digits (Elixir's tokenizer): `0b0b` or `0o8` is a syntax error, never a crash.
      const digit = radix === 16 ? /[0-9a-fA-F]/ : radix === 8 ? /[0-7]/ : /[01]/;
      let digits = "";
      while (digit.test(this.peek() ?? "") || (this.peek() === "_" && digit.test(this.peek(1) ?? "")))
        digits += this.advance();
      const clean = digits.replace(/_/g, "");
      const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : "0b";
      if (!clean || /[0-9A-Za-z_]/.test(this.peek() ?? "")) this.fail("invalid number", line, col);
      this.push("int", prefix + digits, line, col, { int: BigInt(prefix + clean) });
      return;
    }
    let text = "";
    while (isDigit(this.peek()) || (this.peek() === "_" && isDigit(this.peek(1)))) text += this.advance();
    if (this.peek() === "." && isDigit(this.peek(1))) {
      text += this.advance();
      while (isDigit(this.peek()) || (this.peek() === "_" && isDigit(this.peek(1)))) text += this.advance();
      if (
        (this.peek() === "e" || this.peek() === "E") &&
        (isDigit(this.peek(1)) || (/[+-]/.test(this.peek(1) ?? "") && isDigit(this.peek(2))))
      ) {
        text += this.advance(2);
        while (isDigit(this.peek())) text += this.advance();
      }
      this.push("float", text, line, col, { float: Number(text.replace(/_/g, "")) });
      return;
    }
    this.push("int", text, line, col, { int: BigInt(text.replace(/_/g, "")) });
  }

  private charLiteral(line: number, col: number): void {
    this.advance(); // ?
    let code: number;
    if (this.peek() === "\\") {
      this.advance();
      const e = this.advance();
      const map: Record<string, number> = {
        "0": 0,
        a: 7,
        b: 8,
        d: 127,
        e: 27,
        f: 12,
        n: 10,
        r: 13,
        s: 32,
        t: 9,
        v: 11,
      };
      code = map[e] ?? e.codePointAt(0)!;
    } else {
      const cp = this.src.codePointAt(this.pos)!;
      this.advance(cp > 0xffff ? 2 : 1);
      code = cp;
    }
    this.push("int", `?${String.fromCodePoint(code)}`, line, col, { int: BigInt(code) });
  }

  private sigil(line: number, col: number): void {
    this.advance(); // ~
    const letter = this.advance();
    const interpol = letter >= "a" && letter <= "z";
    const d = this.peek();
    let parts: StrPart[];
    let heredoc = false;
    if ((d === '"' || d === "'") && this.peek(1) === d && this.peek(2) === d) {
      this.advance(3);
      parts = this.heredoc(d, interpol, line, col);
      heredoc = true;
    } else if (d !== undefined && sigilClose[d] !== undefined) {
      this.advance();
      parts = this.extract(sigilClose[d]!, interpol, line, col);
    } else {
      this.fail(`invalid sigil delimiter: ${JSON.stringify(d ?? "end of file")}`);
    }
    let mods = "";
    while (/[A-Za-z0-9]/.test(this.peek() ?? "")) mods += this.advance();
    this.push("sigil", `~${letter}`, line, col, { sigil: letter, parts, mods, heredoc });
  }

  /**
   * Reads up to `term` like elixir_interpolation:extract/6: `\` + terminator gives the terminator, other
   * escapes stay raw (two characters), `#{` starts an interpolation when `interpol` is set.
   */
  private extract(term: string, interpol: boolean, line: number, col: number, heredoc = false): StrPart[] {
    const parts: StrPart[] = [];
    let buf = "";
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail(`missing terminator: ${term} (for string starting at line ${line})`, line, col);
      if (!heredoc && this.startsWith(term)) {
        this.advance(term.length);
        break;
      }
      if (c === "\\") {
        if (this.src.startsWith(term, this.pos + 1)) {
          this.advance(1);
          buf += this.advance(term.length);
          continue;
        }
        if (interpol && this.peek(1) === "#" && this.peek(2) === "{") {
          buf += this.advance(3);
          continue;
        }
        buf += this.advance(1);
        if (this.peek() !== undefined) buf += this.advance(this.src.codePointAt(this.pos)! > 0xffff ? 2 : 1);
        if (heredoc && buf.endsWith("\n")) {
          if (this.closesHeredoc(term)) break;
        }
        continue;
      }
      if (interpol && c === "#" && this.peek(1) === "{") {
        if (buf) parts.push({ raw: buf });
        buf = "";
        const iLine = this.line;
        const iCol = this.col;
        this.advance(2);
        const inner = new Tokenizer(this.src, this.pos, this.line, this.col);
        const tokens = inner.run(true);
        this.pos = inner.pos;
        this.line = inner.line;
        this.col = inner.col;
        tokens.push({ kind: "eof", text: "", line: this.line, col: this.col, spaceBefore: false });
        parts.push({ tokens, line: iLine, col: iCol });
        continue;
      }
      buf += this.advance();
      if (heredoc && c === "\n" && this.closesHeredoc(term)) break;
    }
    if (buf || parts.length === 0) parts.push({ raw: buf });
    return parts;
  }

  /** After a newline inside a heredoc: consumes `<indent>"""` when it comes next, recording the indent. */
  private heredocIndent = 0;
  private closesHeredoc(term: string): boolean {
    let i = this.pos;
    while (isHSpace(this.src[i])) i++;
    if (!this.src.startsWith(term, i)) return false;
    this.heredocIndent = i - this.pos;
    this.advance(i - this.pos + term.length);
    return true;
  }

  private heredoc(q: string, interpol: boolean, line: number, col: number): StrPart[] {
    // Only horizontal whitespace may follow the opening quotes on their line.
    while (isHSpace(this.peek())) this.advance();
    if (this.startsWith("\r\n")) this.advance(2);
    else if (this.peek() === "\n") this.advance();
    else
      this.fail(
        `heredoc allows only zero or more whitespace characters followed by a new line after ${q.repeat(3)}`,
        line,
        col,
      );
    // Elixir prepends a newline so that the first line is handled like the others, then drops it.
    const term = q.repeat(3);
    this.heredocIndent = 0;
    let parts: StrPart[];
    if (this.closesHeredoc(term)) parts = [{ raw: "\n" }];
    else {
      parts = this.extract(term, interpol, line, col, true);
      parts[0] = "raw" in parts[0]! ? { raw: "\n" + parts[0].raw } : parts[0]!;
      if (!("raw" in parts[0]!)) parts.unshift({ raw: "\n" });
    }
    const indent = this.heredocIndent;
    const stripped = parts.map((p) => ("raw" in p ? { raw: stripIndent(p.raw, indent) } : p));
    const first = stripped[0] as { raw: string };
    stripped[0] = { raw: first.raw.slice(1) };
    // The newline before the closing quotes belongs to the body; extract() left it in the buffer.
    return stripped;
  }
}

/** After every newline, removes up to `indent` spaces/tabs (elixir_tokenizer:extract_heredoc_indent). */
function stripIndent(raw: string, indent: number): string {
  if (indent === 0) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    out += raw[i];
    if (raw[i] !== "\n") continue;
    let n = 0;
    while (n < indent && isHSpace(raw[i + 1])) {
      i++;
      n++;
    }
  }
  return out;
}
