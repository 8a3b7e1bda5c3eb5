// Parser for the Elixir subset used by mix.exs: operators with Elixir's precedence, calls with and
// without parentheses, do-blocks (attached to the outermost call without parentheses, as Elixir does),
// keyword lists, maps, tuples, module attributes, `fn` and `->` clauses (parsed, never evaluated).
import { ElixirSyntaxError, tokenize, type StrPart, type Token } from "./tokenizer.js";

export interface Pos {
  line: number;
  col: number;
}

/** A string piece: raw source text (escapes not yet resolved) or an interpolated expression. */
export type Part = { raw: string } | ({ expr: Node } & Pos);

export type Node = Pos &
  (
    | { k: "int"; v: bigint }
    | { k: "float"; v: number }
    | { k: "atom"; v: string }
    | { k: "qatom"; parts: Part[] }
    | { k: "str"; parts: Part[]; charlist: boolean }
    | { k: "sigil"; letter: string; parts: Part[]; mods: string }
    | { k: "list"; items: Node[]; tail?: Node }
    | { k: "tuple"; items: Node[] }
    | { k: "map"; entries: Array<[Node, Node]>; base?: Node; struct?: Node }
    | { k: "bits"; items: Node[] }
    | { k: "var"; name: string }
    | { k: "alias"; name: string }
    | { k: "attr"; name: string }
    | { k: "attrSet"; name: string; value: Node }
    | { k: "call"; name: string; args: Node[]; parens: boolean }
    | { k: "remote"; target: Node; name: string; args: Node[]; parens: boolean }
    | { k: "anonCall"; fn: Node; args: Node[] }
    | { k: "access"; target: Node; key: Node }
    | { k: "op"; op: string; left: Node; right: Node }
    | { k: "unary"; op: string; arg: Node }
    | { k: "block"; exprs: Node[] }
    | { k: "stabs"; clauses: Array<{ head: Node[]; body: Node } & Pos> }
    | { k: "fn"; body: Node }
  );

type Assoc = "left" | "right";
const infix: Record<string, [number, Assoc]> = {
  "<-": [10, "left"],
  "\\\\": [10, "left"],
  when: [20, "right"],
  "::": [30, "right"],
  "|": [40, "right"],
  "=>": [50, "right"],
  "=": [70, "right"],
  "||": [80, "left"],
  "|||": [80, "left"],
  or: [80, "left"],
  "&&": [90, "left"],
  "&&&": [90, "left"],
  and: [90, "left"],
  "==": [100, "left"],
  "!=": [100, "left"],
  "=~": [100, "left"],
  "===": [100, "left"],
  "!==": [100, "left"],
  "<": [110, "left"],
  ">": [110, "left"],
  "<=": [110, "left"],
  ">=": [110, "left"],
  "|>": [120, "left"],
  "<<<": [120, "left"],
  ">>>": [120, "left"],
  "<<~": [120, "left"],
  "~>>": [120, "left"],
  "<~": [120, "left"],
  "~>": [120, "left"],
  "<~>": [120, "left"],
  in: [130, "left"],
  "not in": [130, "left"],
  "++": [140, "right"],
  "--": [140, "right"],
  "+++": [140, "right"],
  "---": [140, "right"],
  "..": [140, "right"],
  "<>": [140, "right"],
  "+": [150, "left"],
  "-": [150, "left"],
  "*": [160, "left"],
  "/": [160, "left"],
  "**": [170, "left"],
};
const unaryBp = 180;
const captureBp = 60;
const unaryOps = new Set(["-", "+", "!", "^", "not", "&", "~~~"]);
const blockEnds = new Set(["end", "else", "after", "catch", "rescue"]);
const closers = new Set([")", "]", "}", ">>"]);

export function parseElixir(source: string): Node {
  return new Parser(tokenize(source)).file();
}

/** Parses the interpolations of a string-like token. */
function parts(raw: StrPart[]): Part[] {
  return raw.map((p) => ("raw" in p ? p : { expr: new Parser(p.tokens).interpolation(p), line: p.line, col: p.col }));
}

/** Nesting deeper than this is refused as a syntax error (a hostile mix.exs would otherwise overflow the stack). */
const MAX_NESTING = 300;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  private get tok(): Token {
    return this.toks[this.i]!;
  }
  private peekAt(n: number): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }
  private is(kind: Token["kind"], text?: string, t: Token = this.tok): boolean {
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private take(): Token {
    const t = this.tok;
    if (t.kind !== "eof") this.i++;
    return t;
  }
  private expect(kind: Token["kind"], text: string): Token {
    if (!this.is(kind, text)) this.fail(`expected ${JSON.stringify(text)}`);
    return this.take();
  }
  private fail(message: string, t: Token = this.tok): never {
    const found =
      t.kind === "eof" ? "end of file" : t.kind === "eol" ? "end of line" : JSON.stringify(t.text || t.kind);
    throw new ElixirSyntaxError(`${message}, found ${found}`, t.line, t.col);
  }
  private skipEol(): void {
    while (this.is("eol") || this.is("punct", ";")) this.take();
  }
  private pos(t: Token): Pos {
    return { line: t.line, col: t.col };
  }

  file(): Node {
    const body = this.body(new Set());
    if (!this.is("eof")) this.fail("unexpected token");
    return body;
  }

  interpolation(at: Pos): Node {
    this.skipEol();
    if (this.is("eof")) return { k: "atom", v: "nil", ...at };
    const body = this.body(new Set());
    if (!this.is("eof")) this.fail("unexpected token in interpolation");
    return body;
  }

  /** A sequence of expressions (or `->` clauses) up to one of `ends` (block words) or a closing bracket. */
  private body(ends: Set<string>): Node {
    const exprs: Node[] = [];
    const clauses: Array<{ head: Node[]; body: Node[] } & Pos> = [];
    const start = this.tok;
    for (;;) {
      this.skipEol();
      const t = this.tok;
      if (t.kind === "eof" || (t.kind === "block" && ends.has(t.text)) || (t.kind === "punct" && closers.has(t.text)))
        break;
      if (this.is("op", "->")) {
        this.take();
        clauses.push({ head: [], body: [], ...this.pos(t) });
        continue;
      }
      const head = [this.expr(0, false)];
      while (this.is("punct", ",")) {
        this.take();
        this.skipEol();
        head.push(this.expr(0, false));
      }
      if (this.is("op", "->")) {
        this.take();
        clauses.push({ head, body: [], ...this.pos(t) });
        continue;
      }
      if (head.length > 1) this.fail("unexpected comma");
      if (clauses.length > 0) clauses[clauses.length - 1]!.body.push(head[0]!);
      else exprs.push(head[0]!);
      if (
        !this.is("eol") &&
        !this.is("punct", ";") &&
        !this.is("eof") &&
        !(this.tok.kind === "block" && ends.has(this.tok.text)) &&
        !this.is("punct", ")") &&
        !this.is("punct", "}")
      )
        this.fail("unexpected token after expression");
    }
    if (clauses.length > 0) {
      if (exprs.length > 0) this.fail("unexpected expression before ->", start);
      return {
        k: "stabs",
        clauses: clauses.map((c) => ({ head: c.head, body: blockOf(c.body, c), line: c.line, col: c.col })),
        ...this.pos(start),
      };
    }
    return blockOf(exprs, this.pos(start));
  }

  // ---- expressions ----

  private expr(minBp: number, noDo: boolean): Node {
    if (this.depth >= MAX_NESTING) this.fail(`expressions nested more than ${MAX_NESTING} levels deep`);
    this.depth++;
    try {
      return this.exprAt(minBp, noDo);
    } finally {
      this.depth--;
    }
  }

  private exprAt(minBp: number, noDo: boolean): Node {
    let left = this.prefix(noDo);
    for (;;) {
      let t = this.tok;
      if (t.kind === "eol") {
        // A binary operator at the start of the next line continues the expression (`|>` pipelines).
        let j = this.i;
        while (this.toks[j]!.kind === "eol") j++;
        const n = this.toks[j]!;
        const after = this.toks[j + 1]!;
        const binary =
          n.kind === "op" && infix[n.text] && !(n.text === "-" || n.text === "+")
            ? true
            : n.kind === "op" && (n.text === "-" || n.text === "+") && after.spaceBefore;
        if (!binary || n.text === "|" || n.text === "=>" || n.text === "when" || minBp > infix[n.text]![0]) break;
        this.i = j;
        t = n;
      }
      if (t.kind !== "op") break;
      let op = t.text;
      if (op === "not" && this.is("op", "in", this.peekAt(1))) op = "not in";
      if (op === ".") {
        left = this.dot(left, noDo);
        continue;
      }
      const info = infix[op];
      if (!info) break;
      const [bp, assoc] = info;
      if (bp < minBp) break;
      this.take();
      if (op === "not in") this.take();
      this.skipEol();
      const right = this.expr(assoc === "left" ? bp + 1 : bp, noDo);
      left = { k: "op", op, left, right, ...this.pos(t) };
    }
    return left;
  }

  private prefix(noDo: boolean): Node {
    const t = this.tok;
    const at = this.pos(t);
    switch (t.kind) {
      case "int":
        this.take();
        return this.postfix({ k: "int", v: t.int!, ...at }, noDo);
      case "float":
        this.take();
        return this.postfix({ k: "float", v: t.float!, ...at }, noDo);
      case "atom":
        this.take();
        return this.postfix({ k: "atom", v: t.text, ...at }, noDo);
      case "qatom":
        this.take();
        return this.postfix({ k: "qatom", parts: parts(t.parts!), ...at }, noDo);
      case "str":
      case "charlist":
        this.take();
        return this.postfix({ k: "str", parts: parts(t.parts!), charlist: t.kind === "charlist", ...at }, noDo);
      case "sigil":
        this.take();
        return this.postfix({ k: "sigil", letter: t.sigil!, parts: parts(t.parts!), mods: t.mods ?? "", ...at }, noDo);
      case "ident":
        return this.identifier(noDo);
      case "alias":
        this.take();
        return this.postfix({ k: "alias", name: t.text, ...at }, noDo);
      case "kw":
      case "qkw":
        this.fail("unexpected keyword list");
        break;
      case "block":
        if (t.text === "fn") {
          this.take();
          const body = this.body(new Set(["end"]));
          this.expect("block", "end");
          return this.postfix({ k: "fn", body, ...at }, noDo);
        }
        this.fail("unexpected keyword");
        break;
      case "punct":
        return this.postfix(this.container(), noDo);
      case "op":
        if (t.text === "@") return this.attribute(noDo);
        if (unaryOps.has(t.text)) {
          this.take();
          const arg = this.expr(t.text === "&" ? captureBp : unaryBp, noDo);
          return { k: "unary", op: t.text, arg, ...at };
        }
        if (t.text === "...") {
          this.take();
          return { k: "var", name: "...", ...at };
        }
        this.fail("unexpected operator");
        break;
    }
    this.fail("unexpected token");
  }

  private container(): Node {
    const t = this.take();
    const at = this.pos(t);
    switch (t.text) {
      case "(": {
        const body = this.body(new Set());
        this.skipEol();
        this.expect("punct", ")");
        return body.k === "block" && body.exprs.length === 0 ? { k: "atom", v: "nil", ...at } : body;
      }
      case "[": {
        const items = this.items("]");
        const last = items[items.length - 1];
        if (last && last.k === "op" && last.op === "|") {
          items[items.length - 1] = last.left;
          return { k: "list", items, tail: last.right, ...at };
        }
        return { k: "list", items, ...at };
      }
      case "{":
        return { k: "tuple", items: this.items("}", true), ...at };
      case "<<":
        return { k: "bits", items: this.items(">>"), ...at };
      case "%": {
        let struct: Node | undefined;
        if (!this.is("punct", "{")) struct = this.prefixNoPostfix();
        this.expect("punct", "{");
        const map = this.mapBody(at);
        return struct ? { ...map, struct } : map;
      }
    }
    this.fail("unexpected token", t);
  }

  /** `%Name{` : the struct name (an alias, possibly dotted, or `__MODULE__`). */
  private prefixNoPostfix(): Node {
    const t = this.take();
    if (t.kind === "alias") {
      let name = t.text;
      while (this.is("op", ".") && this.peekAt(1).kind === "alias") {
        this.take();
        name += "." + this.take().text;
      }
      return { k: "alias", name, ...this.pos(t) };
    }
    if (t.kind === "ident") return { k: "var", name: t.text, ...this.pos(t) };
    this.fail("invalid struct name", t);
  }

  private mapBody(at: Pos): Node & { k: "map" } {
    const entries: Array<[Node, Node]> = [];
    let base: Node | undefined;
    this.skipEol();
    for (;;) {
      this.skipEol();
      if (this.is("punct", "}")) break;
      if (this.is("kw") || this.is("qkw")) {
        for (const pair of this.keywords())
          entries.push([(pair as Node & { k: "tuple" }).items[0]!, (pair as Node & { k: "tuple" }).items[1]!]);
        this.skipEol();
        break;
      }
      const key = this.expr(infix["=>"]![0] + 1, false);
      this.skipEol();
      if (this.is("op", "|") && entries.length === 0 && base === undefined) {
        this.take();
        base = key;
        continue;
      }
      this.expect("op", "=>");
      this.skipEol();
      entries.push([key, this.expr(infix["=>"]![0], false)]);
      this.skipEol();
      if (!this.is("punct", ",")) break;
      this.take();
    }
    this.skipEol();
    this.expect("punct", "}");
    return { k: "map", entries, ...(base ? { base } : {}), ...at };
  }

  /** Comma-separated items up to `close`; trailing `key: value` pairs become one keyword list item. */
  private items(close: string, kwAsList = false): Node[] {
    const items: Node[] = [];
    for (;;) {
      this.skipEol();
      if (this.is("punct", close)) break;
      if (this.is("kw") || this.is("qkw")) {
        const kws = this.keywords();
        if (kwAsList) items.push({ k: "list", items: kws, line: kws[0]!.line, col: kws[0]!.col });
        else items.push(...kws);
        this.skipEol();
        break;
      }
      items.push(this.expr(0, false));
      this.skipEol();
      if (!this.is("punct", ",")) break;
      this.take();
    }
    this.skipEol();
    this.expect("punct", close);
    return items;
  }

  /** `a: 1, "b c": 2` as `{:a, 1}` tuples; stops before a token that is not a keyword after a comma. */
  private keywords(noDo = false): Node[] {
    const pairs: Node[] = [];
    for (;;) {
      const t = this.take();
      const key: Node =
        t.kind === "kw"
          ? { k: "atom", v: t.text, ...this.pos(t) }
          : { k: "qatom", parts: parts(t.parts!), ...this.pos(t) };
      this.skipEol();
      const value = this.expr(0, noDo);
      pairs.push({ k: "tuple", items: [key, value], ...this.pos(t) });
      if (!this.is("punct", ",")) break;
      let j = this.i + 1;
      while (this.toks[j]!.kind === "eol") j++;
      const n = this.toks[j]!;
      if (n.kind === "punct" && closers.has(n.text)) {
        this.i = j; // trailing comma
        break;
      }
      if (n.kind !== "kw" && n.kind !== "qkw") break;
      this.i = j;
    }
    return pairs;
  }

  // ---- identifiers, calls, do-blocks ----

  private identifier(noDo: boolean): Node {
    const t = this.take();
    const at = this.pos(t);
    const n = this.tok;
    if (this.is("punct", "(") && !n.spaceBefore) {
      this.take();
      const args = this.items(")", true);
      const call = { k: "call", name: t.text, args, parens: true, ...at } as const;
      return this.postfix(this.withDo(call, noDo), noDo);
    }
    if (this.startsArg(t)) {
      const args = this.noParenArgs();
      return this.postfix(this.withDo({ k: "call", name: t.text, args, parens: false, ...at }, noDo), noDo);
    }
    if (!noDo && this.is("block", "do"))
      return this.withDo({ k: "call", name: t.text, args: [], parens: false, ...at }, noDo);
    return this.postfix({ k: "var", name: t.text, ...at }, noDo);
  }

  /** Whether the current token begins the first argument of a call without parentheses after `callee`. */
  private startsArg(callee: Token): boolean {
    const t = this.tok;
    if (!t.spaceBefore || t.line !== callee.line) return false;
    switch (t.kind) {
      case "int":
      case "float":
      case "atom":
      case "qatom":
      case "str":
      case "charlist":
      case "sigil":
      case "ident":
      case "alias":
      case "kw":
      case "qkw":
        return true;
      case "block":
        return t.text === "fn";
      case "punct":
        return t.text === "[" || t.text === "{" || t.text === "%" || t.text === "<<" || t.text === "(";
      case "op": {
        const next = this.peekAt(1);
        if (t.text === "@" || t.text === "!" || t.text === "^" || t.text === "not" || t.text === "&") return true;
        return (t.text === "-" || t.text === "+") && !next.spaceBefore;
      }
      default:
        return false;
    }
  }

  private noParenArgs(): Node[] {
    const args: Node[] = [];
    for (;;) {
      if (this.is("kw") || this.is("qkw")) {
        const kws = this.keywords(true);
        args.push({ k: "list", items: kws, line: kws[0]!.line, col: kws[0]!.col });
        break;
      }
      args.push(this.expr(0, true));
      if (!this.is("punct", ",")) break;
      this.take();
      this.skipEol();
    }
    return args;
  }

  /** Attaches `do ... end` to a call as a trailing `[do: ..., else: ...]` keyword argument. */
  private withDo(call: Node & { k: "call" | "remote" }, noDo: boolean): Node {
    if (noDo || !this.is("block", "do")) return call;
    const doTok = this.take();
    const pairs: Node[] = [];
    let word = "do";
    let wordTok = doTok;
    for (;;) {
      const body = this.body(blockEnds);
      pairs.push({ k: "tuple", items: [{ k: "atom", v: word, ...this.pos(wordTok) }, body], ...this.pos(wordTok) });
      if (this.is("block", "end")) {
        this.take();
        break;
      }
      if (this.tok.kind === "block" && blockEnds.has(this.tok.text)) {
        wordTok = this.take();
        word = wordTok.text;
        continue;
      }
      this.fail('expected "end" to close the "do" block started at line ' + doTok.line);
    }
    const doList: Node = { k: "list", items: pairs, ...this.pos(doTok) };
    const args = [...call.args];
    const last = args[args.length - 1];
    if (last && last.k === "list" && isKeywordList(last) && !call.parens)
      args[args.length - 1] = { ...last, items: [...last.items, ...pairs] };
    else args.push(doList);
    return { ...call, args };
  }

  private attribute(noDo: boolean): Node {
    const atTok = this.take();
    const at = this.pos(atTok);
    const name = this.tok;
    if (name.kind !== "ident" || name.spaceBefore) this.fail("expected an attribute name after @");
    this.take();
    if (this.startsArg(name)) {
      const args = this.noParenArgs();
      const value = args.length === 1 ? args[0]! : ({ k: "list", items: args, ...at } as Node);
      return { k: "attrSet", name: name.text, value, ...at };
    }
    if (this.is("punct", "(") && !this.tok.spaceBefore) {
      this.take();
      const args = this.items(")", true);
      return { k: "attrSet", name: name.text, value: args[0] ?? { k: "atom", v: "nil", ...at }, ...at };
    }
    return this.postfix({ k: "attr", name: name.text, ...at }, noDo);
  }

  private postfix(node: Node, noDo: boolean): Node {
    for (;;) {
      const t = this.tok;
      if (this.is("punct", "[") && !t.spaceBefore) {
        this.take();
        this.skipEol();
        const key = this.expr(0, false);
        this.skipEol();
        this.expect("punct", "]");
        node = { k: "access", target: node, key, ...this.pos(t) };
        continue;
      }
      if (this.is("op", ".")) {
        node = this.dot(node, noDo);
        continue;
      }
      return node;
    }
  }

  /** `.name`, `.name(args)`, `.Alias` and `.(args)` after an expression. */
  private dot(target: Node, noDo: boolean): Node {
    const dotTok = this.take();
    this.skipEol();
    const t = this.tok;
    if (this.is("punct", "(")) {
      this.take();
      return this.postfix({ k: "anonCall", fn: target, args: this.items(")", true), ...this.pos(dotTok) }, noDo);
    }
    if (t.kind === "alias" && target.k === "alias") {
      this.take();
      return this.postfix({ ...target, name: `${target.name}.${t.text}` }, noDo);
    }
    let name: string;
    if (
      t.kind === "ident" ||
      t.kind === "alias" ||
      t.kind === "block" ||
      (t.kind === "atom" && /^(true|false|nil)$/.test(t.text))
    )
      name = t.text;
    else if (t.kind === "str" && t.parts!.length === 1 && "raw" in t.parts![0]!) name = t.parts![0].raw;
    else this.fail("expected a name after .");
    this.take();
    const at = this.pos(t);
    if (this.is("punct", "(") && !this.tok.spaceBefore) {
      this.take();
      const call = { k: "remote", target, name, args: this.items(")", true), parens: true, ...at } as const;
      return this.postfix(this.withDo(call, noDo), noDo);
    }
    if (this.startsArg(t)) {
      const call = { k: "remote", target, name, args: this.noParenArgs(), parens: false, ...at } as const;
      return this.postfix(this.withDo(call, noDo), noDo);
    }
    return this.withDo({ k: "remote", target, name, args: [], parens: false, ...at }, noDo);
  }
}

function blockOf(exprs: Node[], at: Pos): Node {
  if (exprs.length === 1) return exprs[0]!;
  if (exprs.length === 0) return { k: "atom", v: "nil", line: at.line, col: at.col };
  return { k: "block", exprs, line: at.line, col: at.col };
}

function isKeywordList(n: Node & { k: "list" }): boolean {
  return (
    n.items.length > 0 &&
    n.items.every(
      (i) => i.k === "tuple" && i.items.length === 2 && (i.items[0]!.k === "atom" || i.items[0]!.k === "qatom"),
    )
  );
}
