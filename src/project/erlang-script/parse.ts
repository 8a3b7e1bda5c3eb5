// A parser for the Erlang that rebar.config.script and .app.src.script files are written in: a sequence of
// expressions (`,` or `.` between them), as file:script/2 reads them. It covers the expression grammar of
// erl_parse (operators with their precedence, case/if/begin/try/catch, funs, list comprehensions, maps,
// binaries); forms (-module, function definitions), records and receive are not expressions and are refused.
// Tokens come from the term reader's lexer, so its limits (atom, string and number sizes) apply here too.
import { TERM_LIMITS, tokenizeErlang, type ErlangToken } from "../../erlang/reader.js";
import { Atom, Charlist, Float, type Term } from "../../erlang/terms.js";
import { HextsError } from "../../errors.js";

export interface Pos {
  line: number;
  col: number;
}

export interface Clause extends Pos {
  pats: Node[];
  /** Guard sequences: `;` between alternatives, `,` between the tests of one alternative. */
  guards: Node[][];
  body: Node[];
}

export interface BinSegment {
  value: Node;
  size?: Node;
  types: string[];
}

export type Qualifier = ({ k: "gen"; pat: Node; expr: Node } | { k: "filter"; expr: Node }) & Pos;

export type Node = Pos &
  (
    | { k: "lit"; v: Term }
    | { k: "var"; name: string }
    | { k: "tuple"; items: Node[] }
    | { k: "list"; items: Node[]; tail?: Node }
    | { k: "lc"; expr: Node; quals: Qualifier[] }
    | { k: "map"; base?: Node; entries: { key: Node; value: Node; exact: boolean }[] }
    | { k: "bin"; segs: BinSegment[] }
    | { k: "op"; op: string; left: Node; right: Node }
    | { k: "unop"; op: string; arg: Node }
    | { k: "match"; left: Node; right: Node }
    | { k: "call"; mod?: Node; fn: Node; args: Node[] }
    | { k: "case"; expr: Node; clauses: Clause[] }
    | { k: "if"; clauses: Clause[] }
    | { k: "block"; body: Node[] }
    | { k: "fun"; clauses: Clause[]; name?: string }
    | { k: "funref"; mod?: Node; name: Node; arity: Node }
    | { k: "try"; body: Node[]; of: Clause[]; catches: Clause[]; after: Node[] }
    | { k: "catch"; expr: Node }
  );

export class ScriptSyntaxError extends HextsError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    what: string,
  ) {
    super("PROJECT_INVALID", `${file}:${line}:${col}: ${what}`, { details: { file, line, column: col } });
  }
}

/**
 * How deeply expressions may nest in a script: far beyond real scripts, and low enough that parsing and then
 * evaluating them stays well inside V8's stack (each level costs several frames in both). As mix.exs's parser.
 */
const MAX_NESTING = 300;

// Binary operators by precedence (erl_parse): higher binds tighter.
const BINARY: Record<string, { prec: number; right: boolean }> = {
  "=": { prec: 1, right: true },
  "!": { prec: 1, right: true },
  orelse: { prec: 2, right: true },
  andalso: { prec: 3, right: true },
  "==": { prec: 4, right: false },
  "/=": { prec: 4, right: false },
  "=<": { prec: 4, right: false },
  "<": { prec: 4, right: false },
  ">=": { prec: 4, right: false },
  ">": { prec: 4, right: false },
  "=:=": { prec: 4, right: false },
  "=/=": { prec: 4, right: false },
  "++": { prec: 5, right: true },
  "--": { prec: 5, right: true },
  "+": { prec: 6, right: false },
  "-": { prec: 6, right: false },
  bor: { prec: 6, right: false },
  bxor: { prec: 6, right: false },
  bsl: { prec: 6, right: false },
  bsr: { prec: 6, right: false },
  or: { prec: 6, right: false },
  xor: { prec: 6, right: false },
  "*": { prec: 7, right: false },
  "/": { prec: 7, right: false },
  div: { prec: 7, right: false },
  rem: { prec: 7, right: false },
  band: { prec: 7, right: false },
  and: { prec: 7, right: false },
};

class Parser {
  private i = 0;
  constructor(
    private readonly toks: ErlangToken[],
    private readonly file: string,
  ) {}

  private peek(k = 0): ErlangToken {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): ErlangToken {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    return t;
  }
  private is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === "punct" || t.kind === "keyword" || t.kind === "dot") && t.text === text;
  }
  private fail(t: ErlangToken, what: string): never {
    throw new ScriptSyntaxError(this.file, t.line, t.col, what);
  }
  private expect(text: string): ErlangToken {
    const t = this.next();
    if ((t.kind === "punct" || t.kind === "keyword" || t.kind === "dot") && t.text === text) return t;
    this.fail(t, `syntax error before ${describe(t)}: expected ${text}`);
  }

  /** The whole script: expressions separated by `,` or `.`; the value is the last one's. */
  script(): Node[] {
    const out: Node[] = [];
    while (this.peek().kind !== "eof") {
      if (
        this.peek().kind === "punct" &&
        this.peek().text === "-" &&
        this.peek(1).kind === "atom" &&
        this.peek(2).kind === "punct" &&
        this.peek(2).text === "("
      ) {
        this.fail(
          this.peek(),
          "attributes such as -module(...) are not allowed in a script: it is a sequence of expressions",
        );
      }
      out.push(this.expr());
      const t = this.next();
      if (t.kind === "dot" || (t.kind === "punct" && t.text === ",")) continue;
      if (t.kind === "eof") break;
      this.fail(t, `syntax error before ${describe(t)}`);
    }
    return out;
  }

  private exprs(): Node[] {
    const out = [this.expr()];
    while (this.is(",")) {
      this.next();
      out.push(this.expr());
    }
    return out;
  }

  /** Expressions inside one another, up to MAX_NESTING levels (then a located error, not a stack overflow). */
  private depth = 0;

  private enter(): void {
    if (++this.depth > MAX_NESTING)
      this.fail(this.peek(), `expressions nested too deeply (more than ${MAX_NESTING} levels)`);
  }

  expr(minPrec = 0): Node {
    this.enter();
    try {
      return this.exprAt(minPrec);
    } finally {
      this.depth--;
    }
  }

  private exprAt(minPrec: number): Node {
    if (this.is("catch")) {
      const t = this.next();
      return { k: "catch", expr: this.expr(), line: t.line, col: t.col };
    }
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "punct" && t.kind !== "keyword") break;
      const op = BINARY[t.text];
      if (!op || op.prec < minPrec) break;
      this.next();
      const right = this.expr(op.right ? op.prec : op.prec + 1);
      if (t.text === "=") left = { k: "match", left, right, line: t.line, col: t.col };
      else if (t.text === "!") this.fail(t, "sending messages (!) is not allowed in a configuration script");
      else left = { k: "op", op: t.text, left, right, line: t.line, col: t.col };
      if (op.prec === 4 && !op.right) {
        const n = this.peek();
        if ((n.kind === "punct" || n.kind === "keyword") && BINARY[n.text]?.prec === 4)
          this.fail(n, `syntax error before ${describe(n)}`);
      }
    }
    return left;
  }

  private unary(): Node {
    return this.prefixed(
      () => {
        this.enter();
        try {
          return this.unary();
        } finally {
          this.depth--;
        }
      },
      () => this.postfix(this.primary()),
    );
  }

  /**
   * A prefix operator (- + not bnot) applied to what `operand` reads (a negated number literal folds into the
   * literal), or `plain` when there is no prefix operator.
   */
  private prefixed(operand: () => Node, plain: () => Node): Node {
    const t = this.peek();
    if (
      !(t.kind === "punct" && (t.text === "-" || t.text === "+")) &&
      !(t.kind === "keyword" && (t.text === "not" || t.text === "bnot"))
    )
      return plain();
    this.next();
    const arg = operand();
    if (t.text === "-" && arg.k === "lit" && (typeof arg.v === "number" || typeof arg.v === "bigint"))
      return { k: "lit", v: typeof arg.v === "number" ? -arg.v : -arg.v, line: t.line, col: t.col };
    return { k: "unop", op: t.text, arg, line: t.line, col: t.col };
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.is(":")) {
        this.next();
        const fn = this.primary();
        if (!this.is("("))
          this.fail(
            this.peek(),
            `syntax error before ${describe(this.peek())}: expected ( after a remote function name`,
          );
        node = { k: "call", mod: node, fn, args: this.args(), line: node.line, col: node.col };
      } else if (this.is("(")) {
        node = { k: "call", fn: node, args: this.args(), line: node.line, col: node.col };
      } else if (this.is("#") && this.is("{", 1)) {
        const t = this.next();
        node = { k: "map", base: node, entries: this.mapEntries(), line: t.line, col: t.col };
      } else if (this.is("#")) {
        this.fail(this.peek(), "records are not supported in a configuration script");
      } else return node;
    }
  }

  private args(): Node[] {
    this.expect("(");
    if (this.is(")")) {
      this.next();
      return [];
    }
    const out = this.exprs();
    this.expect(")");
    return out;
  }

  private mapEntries(): { key: Node; value: Node; exact: boolean }[] {
    this.expect("{");
    const out: { key: Node; value: Node; exact: boolean }[] = [];
    if (this.is("}")) {
      this.next();
      return out;
    }
    for (;;) {
      const key = this.expr(2);
      const t = this.next();
      if (!(t.kind === "punct" && (t.text === "=>" || t.text === ":=")))
        this.fail(t, `syntax error before ${describe(t)}: expected => or :=`);
      out.push({ key, value: this.expr(), exact: t.text === ":=" });
      if (this.is(",")) {
        this.next();
        continue;
      }
      this.expect("}");
      return out;
    }
  }

  private primary(): Node {
    const t = this.next();
    const at = { line: t.line, col: t.col };
    switch (t.kind) {
      case "int":
        return { k: "lit", v: t.int!, ...at };
      case "float":
        return { k: "lit", v: new Float(t.float!), ...at };
      case "atom":
        return { k: "lit", v: new Atom(t.text), ...at };
      case "var":
        return { k: "var", name: t.text, ...at };
      case "string": {
        // Adjacent string literals are one string, as long as the term reader allows one.
        const codes = [...t.codes!];
        while (this.peek().kind === "string") {
          const next = this.next();
          for (const c of next.codes!) codes.push(c);
          if (codes.length > TERM_LIMITS.stringLength)
            this.fail(next, `string too long (more than ${TERM_LIMITS.stringLength} characters)`);
        }
        return { k: "lit", v: new Charlist(codes), ...at };
      }
      case "eof":
        return this.fail(t, "unexpected end of file");
      case "dot":
        return this.fail(t, "syntax error before '.'");
    }
    switch (t.text) {
      case "(": {
        const e = this.expr();
        this.expect(")");
        return e;
      }
      case "{": {
        const items = this.is("}") ? [] : this.exprs();
        this.expect("}");
        return { k: "tuple", items, ...at };
      }
      case "[":
        return this.list(at);
      case "#":
        return { k: "map", entries: this.mapEntries(), ...at };
      case "<<":
        return this.binary(at);
      case "begin": {
        const body = this.exprs();
        this.expect("end");
        return { k: "block", body, ...at };
      }
      case "case": {
        const expr = this.expr();
        this.expect("of");
        const clauses = this.clauses(true);
        this.expect("end");
        return { k: "case", expr, clauses, ...at };
      }
      case "if": {
        const clauses: Clause[] = [];
        for (;;) {
          const c = this.peek();
          const guards = this.guardSeq();
          this.expect("->");
          clauses.push({ pats: [], guards, body: this.exprs(), line: c.line, col: c.col });
          if (!this.is(";")) break;
          this.next();
        }
        this.expect("end");
        return { k: "if", clauses, ...at };
      }
      case "fun":
        return this.fun(at);
      case "try":
        return this.try(at);
      case "receive":
        return this.fail(t, "receive is not allowed in a configuration script");
    }
    return this.fail(t, `syntax error before ${describe(t)}`);
  }

  private list(at: Pos): Node {
    if (this.is("]")) {
      this.next();
      return { k: "list", items: [], ...at };
    }
    const first = this.expr();
    if (this.is("||")) {
      this.next();
      const quals: Qualifier[] = [];
      for (;;) {
        const q = this.peek();
        const e = this.expr();
        if (this.is("<-")) {
          this.next();
          quals.push({ k: "gen", pat: e, expr: this.expr(), line: q.line, col: q.col });
        } else if (this.is("<=")) this.fail(this.peek(), "binary generators (<=) are not supported");
        else quals.push({ k: "filter", expr: e, line: q.line, col: q.col });
        if (!this.is(",")) break;
        this.next();
      }
      this.expect("]");
      return { k: "lc", expr: first, quals, ...at };
    }
    const items = [first];
    while (this.is(",")) {
      this.next();
      items.push(this.expr());
    }
    let tail: Node | undefined;
    if (this.is("|")) {
      this.next();
      tail = this.expr();
    }
    this.expect("]");
    return { k: "list", items, ...(tail ? { tail } : {}), ...at };
  }

  private binary(at: Pos): Node {
    const segs: BinSegment[] = [];
    if (this.is(">>")) {
      this.next();
      return { k: "bin", segs, ...at };
    }
    for (;;) {
      // A segment value is a primary expression (or a parenthesised one), with an optional prefix operator, as
      // erl_parse's bit_expr: `<<X:8>>` is X of 8 bits, not a call, and `<<f(X)>>` needs parentheses.
      const value = this.segmentValue();
      let size: Node | undefined;
      const types: string[] = [];
      if (this.is(":")) {
        this.next();
        size = this.primary();
      }
      if (this.is("/")) {
        this.next();
        for (;;) {
          const ty = this.next();
          if (ty.kind !== "atom") this.fail(ty, `syntax error before ${describe(ty)}: a binary segment type expected`);
          let name = ty.text;
          if (this.is(":")) {
            this.next();
            name += `:${String(this.next().int)}`;
          }
          types.push(name);
          if (!this.is("-")) break;
          this.next();
        }
      }
      segs.push({ value, ...(size ? { size } : {}), types });
      if (this.is(",")) {
        this.next();
        continue;
      }
      this.expect(">>");
      return { k: "bin", segs, ...at };
    }
  }

  private segmentValue(): Node {
    return this.prefixed(
      () => this.primary(),
      () => this.primary(),
    );
  }

  private guardSeq(): Node[][] {
    const seq: Node[][] = [];
    for (;;) {
      seq.push(this.exprs());
      if (!this.is(";")) return seq;
      // `;` ends the guard only before `->` of the next clause; inside a guard it separates alternatives.
      this.next();
    }
  }

  /** `Pattern [when Guards] -> Body; ...` (case/try). */
  private clauses(single: boolean): Clause[] {
    const out: Clause[] = [];
    for (;;) {
      const c = this.peek();
      const pats = single ? [this.expr()] : this.patternArgs();
      let guards: Node[][] = [];
      if (this.is("when")) {
        this.next();
        guards = this.guardClauseSeq();
      }
      this.expect("->");
      out.push({ pats, guards, body: this.exprs(), line: c.line, col: c.col });
      if (!this.is(";")) return out;
      this.next();
    }
  }

  /** Guards up to the `->` of their clause: `;` here separates alternatives. */
  private guardClauseSeq(): Node[][] {
    const seq: Node[][] = [this.exprs()];
    while (this.is(";")) {
      this.next();
      seq.push(this.exprs());
    }
    return seq;
  }

  private patternArgs(): Node[] {
    return this.args();
  }

  private fun(at: Pos): Node {
    // fun M:F/A, fun F/A, or fun (Args) -> ... end
    if (this.peek().kind === "atom" || this.peek().kind === "var") {
      if (this.is(":", 1) || (this.peek().kind === "atom" && this.is("/", 1))) {
        let mod: Node | undefined;
        let name = this.primary();
        if (this.is(":")) {
          this.next();
          mod = name;
          name = this.primary();
        }
        this.expect("/");
        const arity = this.primary();
        return { k: "funref", ...(mod ? { mod } : {}), name, arity, ...at };
      }
    }
    let name: string | undefined;
    if (this.peek().kind === "var" && this.is("(", 1)) name = this.next().text;
    const clauses: Clause[] = [];
    for (;;) {
      const c = this.peek();
      if (name !== undefined && clauses.length > 0 && this.peek().kind === "var") this.next();
      const pats = this.patternArgs();
      let guards: Node[][] = [];
      if (this.is("when")) {
        this.next();
        guards = this.guardClauseSeq();
      }
      this.expect("->");
      clauses.push({ pats, guards, body: this.exprs(), line: c.line, col: c.col });
      if (!this.is(";")) break;
      this.next();
    }
    this.expect("end");
    return { k: "fun", clauses, ...(name ? { name } : {}), ...at };
  }

  private try(at: Pos): Node {
    const body = this.exprs();
    let of: Clause[] = [];
    let catches: Clause[] = [];
    let after: Node[] = [];
    if (this.is("of")) {
      this.next();
      of = this.clauses(true);
    }
    if (this.is("catch")) {
      this.next();
      // Class:Reason[:Stack] patterns: parsed as expressions, with `:` read below.
      for (;;) {
        const c = this.peek();
        // Class:Reason[:Stack]: primaries, so that `error:R` is not read as a remote call.
        let pat = this.primary();
        let cls: Node = { k: "lit", v: new Atom("throw"), line: c.line, col: c.col };
        if (this.is(":")) {
          this.next();
          cls = pat;
          pat = this.primary();
          if (this.is(":")) {
            this.next();
            this.primary();
          }
        }
        let guards: Node[][] = [];
        if (this.is("when")) {
          this.next();
          guards = this.guardClauseSeq();
        }
        this.expect("->");
        catches.push({ pats: [cls, pat], guards, body: this.exprs(), line: c.line, col: c.col });
        if (!this.is(";")) break;
        this.next();
      }
    }
    if (this.is("after")) {
      this.next();
      after = this.exprs();
    }
    this.expect("end");
    return { k: "try", body, of, catches, after, ...at };
  }
}

function describe(t: ErlangToken): string {
  switch (t.kind) {
    case "eof":
      return "end of file";
    case "dot":
      return "'.'";
    case "string":
      return "a string";
    case "int":
    case "float":
      return t.text === "$" ? "a character" : t.text;
    default:
      return `'${t.text}'`;
  }
}

/** Parses a whole script file into its expressions. Throws ScriptSyntaxError or the lexer's TERM_SYNTAX error. */
export function parseScript(text: string, file: string): Node[] {
  return new Parser(tokenizeErlang(text, file), file).script();
}
