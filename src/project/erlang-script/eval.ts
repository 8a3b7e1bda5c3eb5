// A pure, read-only evaluator for rebar.config.script and .app.src.script, as file:script/2 runs them with
// CONFIG and SCRIPT bound. It knows the expressions such scripts use (matches and guards, case/if/begin/try,
// funs, list comprehensions, maps, binaries) and the library calls they make (lists, proplists, maps, string,
// filename, filelib and file reads inside the project, os:getenv, io_lib:format, erlang BIFs). It never writes,
// never runs a command and never leaves the project. Every evaluation is bounded: a step budget (each
// expression evaluated is a step) and a memory budget (each list cell, tuple element and binary byte built
// counts), so a recursive or doubling script ends with a typed error instead of hanging or exhausting V8.
// A call it does not know throws ScriptUnsupported with its position; the caller then falls back to real
// Erlang when installed, or reports that position with the --metadata hint.
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { TERM_LIMITS, parseTerms } from "../../erlang/reader.js";
import {
  Atom,
  Charlist,
  ErlMap,
  Float,
  ImproperList,
  Tuple,
  compareTerms,
  int,
  isCodePoint,
  isInteger,
  listItems,
  termEquals,
  textOf,
  type MetaValue,
  type Term,
} from "../../erlang/terms.js";
import { HextsError } from "../../errors.js";
import { GlobError, wildcard } from "../glob.js";
import { isInside } from "../../package/paths.js";
import { flatText, formatErlang } from "./format.js";
import type { Clause, Node, Pos } from "./parse.js";

/** A function value: a fun written in the script, or a reference to a known library function. */
export class Fun {
  constructor(
    readonly arity: number,
    readonly call: (args: V[], at: Pos) => V,
    readonly name: string,
  ) {}
}

export type V = Term | Fun;

export interface ScriptHost {
  /** The project root: file reads and wildcards must stay inside it (symlinks resolved). */
  root: string;
  /** Where relative paths resolve (rebar3 runs scripts from the project root). */
  cwd: string;
  /** os:getenv/1,2 reads these (the caller leaves credentials out). */
  env: Readonly<Record<string, string | undefined>>;
  /** erlang:system_info(otp_release). */
  otpRelease: string;
  /** Told each time the script asks for a value that depends on the machine (otp_release), so callers can fork. */
  onMachineValue?: (what: string, at: Pos) => void;
}

export interface ScriptLimits {
  steps: number;
  /** List cells, tuple elements, map entries and binary bytes built, in total. */
  cells: number;
  /** Function calls inside one another (a fun calling itself). */
  depth: number;
}

/** Integers a script may build: far beyond any configuration, small enough that arithmetic on them stays fast. */
const MAX_INTEGER_BITS = 65_536;
/** Decimal digits of the largest integer within MAX_INTEGER_BITS. */
const MAX_INTEGER_DIGITS = Math.ceil(MAX_INTEGER_BITS * Math.log10(2));

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { steps: 2_000_000, cells: 8_000_000, depth: 400 };

/** The script calls something the built-in evaluator does not implement. */
export class ScriptUnsupported extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(what);
  }
}

/** The script went over its step or memory budget. */
export class ScriptLimitError extends HextsError {
  constructor(file: string, at: Pos, what: string) {
    super("PROJECT_INVALID", `${file}:${at.line}:${at.col}: ${what}`, {
      details: { file, line: at.line, column: at.col, reason: "script_limit" },
    });
  }
}

/** An Erlang exception raised inside the script (error, throw, exit). */
export class ErlangException extends Error {
  constructor(
    readonly cls: "error" | "throw" | "exit",
    readonly reason: Term,
    readonly at: Pos,
  ) {
    // A reason built by doubling ([R, R] in a loop) is small in memory but huge written out: name its size instead.
    const big = writtenSize(reason, 10_000) > 10_000;
    super(`${cls}:${big ? "a term of more than 10000 elements" : formatErlang(reason, "~p")}`);
  }
}

const A = (name: string) => new Atom(name);
const TRUE = A("true");
const FALSE = A("false");
const UNDEFINED = A("undefined");
const bool = (b: boolean) => (b ? TRUE : FALSE);
const tuple = (...items: V[]) => new Tuple(items as Term[]);
const isTrue = (v: V) => v instanceof Atom && v.name === "true";
const isFalse = (v: V) => v instanceof Atom && v.name === "false";

type Env = Map<string, V>;

export class ScriptEvaluator {
  private steps = 0;
  private cells = 0;
  private depth = 0;

  constructor(
    private readonly file: string,
    private readonly host: ScriptHost,
    private readonly limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS,
  ) {}

  /** The expression being evaluated (where a stack overflow is reported). */
  private at: Pos = { line: 1, col: 1 };

  /** Runs the script's expressions in order with `bindings`; the value of the last one. */
  run(nodes: Node[], bindings: Env): V {
    let last: V = [];
    const outer = meter;
    meter = { left: () => this.limits.steps - this.steps, work: (n) => this.work(n, this.at) };
    try {
      for (const n of nodes) last = this.eval(n, bindings);
      // Whatever reads the result walks it written out (as a value shared by [A, A] doubling may be).
      chargeWalk(last);
    } catch (e) {
      // Values nested deeply by a loop (lists:foldl(fun(_, A) -> {A} end, ...)) or calls nested inside deeply
      // nested expressions can still outrun V8's stack: the budget's own error, at the expression it reached.
      if (e instanceof RangeError && /call stack/i.test(e.message))
        throw new ScriptLimitError(
          this.file,
          this.at,
          "the script nests values or calls too deeply; hexts stops it there",
        );
      throw e;
    } finally {
      meter = outer;
    }
    const depth = nestingOver(last, TERM_LIMITS.depth);
    if (depth)
      throw new ScriptLimitError(
        this.file,
        nodes.at(-1) ?? this.at,
        `the script returns a value nested more than ${TERM_LIMITS.depth} levels deep ` +
          "(more than a rebar.config may hold)",
      );
    return last;
  }

  // ---- budgets and errors

  private step(at: Pos): void {
    this.at = at;
    if (++this.steps > this.limits.steps)
      throw new ScriptLimitError(
        this.file,
        at,
        `the script takes more than ${this.limits.steps} evaluation steps; hexts stops it there`,
      );
  }

  /** An integer over MAX_INTEGER_BITS: refused before it is computed. */
  integerTooBig(at: Pos): never {
    throw new ScriptLimitError(
      this.file,
      at,
      `the script builds more than ${MAX_INTEGER_BITS} bits in one integer; hexts stops it there`,
    );
  }

  /** Counts `n` steps of work a library call or a comparison does in one go. */
  work(n: number, at: Pos): void {
    this.steps += Math.max(0, n - 1);
    this.step(at);
  }

  /** Counts `n` cells of memory about to be built. */
  alloc(n: number, at: Pos): void {
    this.cells += Math.max(0, n); // a negative count must not give memory back
    if (this.cells > this.limits.cells)
      throw new ScriptLimitError(
        this.file,
        at,
        `the script builds more than ${this.limits.cells} list cells, tuple elements or bytes; hexts stops it there`,
      );
  }

  private error(reason: Term, at: Pos): never {
    throw new ErlangException("error", reason, at);
  }

  private badarg(at: Pos): never {
    this.error(A("badarg"), at);
  }

  unsupported(what: string, at: Pos): never {
    throw new ScriptUnsupported(what, at.line, at.col);
  }

  // ---- expressions

  eval(n: Node, env: Env): V {
    this.step(n);
    switch (n.k) {
      case "lit":
        return n.v;
      case "var": {
        const v = env.get(n.name);
        if (v === undefined) this.unsupportedVar(n);
        return v;
      }
      case "tuple": {
        this.alloc(n.items.length, n);
        return new Tuple(n.items.map((i) => this.eval(i, env)) as Term[]);
      }
      case "list": {
        this.alloc(n.items.length, n);
        const items = n.items.map((i) => this.eval(i, env));
        if (!n.tail) return items as Term[];
        const tail = this.eval(n.tail, env);
        const rest = listItems(tail as Term);
        if (rest) {
          this.alloc(rest.length, n);
          return [...(items as Term[]), ...rest];
        }
        return new ImproperList(items as Term[], tail as Term);
      }
      case "lc":
        return this.comprehension(n, env);
      case "map": {
        const entries = n.entries.map((e) => [this.eval(e.key, env), this.eval(e.value, env), e.exact] as const);
        this.alloc(entries.length, n);
        if (!n.base) return erlMap(entries.map(([k, v]) => [k as Term, v as Term] as const));
        const base = this.eval(n.base, env);
        if (!(base instanceof ErlMap)) this.error(tuple(A("badmap"), base), n);
        for (const [k, , exact] of entries)
          if (exact && mapGet(base, k as Term) === undefined) this.error(tuple(A("badkey"), k), n);
        return erlMap([...base.entries, ...entries.map(([k, v]) => [k as Term, v as Term] as const)]);
      }
      case "bin":
        return this.binary(n, env);
      case "match": {
        const v = this.eval(n.right, env);
        if (!this.match(n.left, v, env)) this.error(tuple(A("badmatch"), v), n);
        return v;
      }
      case "op":
        return this.operator(n, env);
      case "unop":
        return this.unaryOp(n, env);
      case "call":
        return this.call(n, env);
      case "case": {
        const v = this.eval(n.expr, env);
        const r = this.clauses(n.clauses, [v], env);
        if (r === undefined) this.error(tuple(A("case_clause"), v), n);
        return r;
      }
      case "if": {
        for (const c of n.clauses) {
          if (this.guards(c.guards, env)) return this.body(c.body, env);
        }
        return this.error(A("if_clause"), n);
      }
      case "block":
        return this.body(n.body, env);
      case "fun":
        return this.makeFun(n, env);
      case "funref":
        return this.funRef(n, env);
      case "try":
        return this.tryExpr(n, env);
      case "catch":
        try {
          return this.eval(n.expr, env);
        } catch (e) {
          if (!(e instanceof ErlangException)) throw e;
          if (e.cls === "throw") return e.reason;
          if (e.cls === "exit") return tuple(A("EXIT"), e.reason);
          return tuple(A("EXIT"), tuple(e.reason, []));
        }
    }
  }

  private unsupportedVar(n: Node & { k: "var" }): never {
    if (n.name === "_") return this.unsupported("_ used as a value", n);
    return this.error(tuple(A("unbound"), A(n.name)), n);
  }

  private body(body: Node[], env: Env): V {
    let last: V = [];
    for (const e of body) last = this.eval(e, env);
    return last;
  }

  /** The first clause whose patterns match and whose guard holds, evaluated; undefined when none does. */
  private clauses(clauses: Clause[], args: V[], env: Env): V | undefined {
    for (const c of clauses) {
      const scope = new Map(env);
      if (c.pats.length !== args.length) continue;
      if (!c.pats.every((p, i) => this.match(p, args[i]!, scope))) continue;
      if (!this.guards(c.guards, scope)) continue;
      const r = this.body(c.body, scope);
      for (const [k, v] of scope) if (!env.has(k)) env.set(k, v); // variables bound in a clause stay bound (exported)
      return r;
    }
    return undefined;
  }

  private guards(seq: Node[][], env: Env): boolean {
    if (seq.length === 0) return true;
    for (const alt of seq) {
      let ok = true;
      for (const g of alt) {
        let v: V;
        try {
          v = this.eval(g, env);
        } catch (e) {
          if (e instanceof ErlangException) {
            ok = false; // an exception in a guard makes it fail
            break;
          }
          throw e;
        }
        if (!isTrue(v)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  }

  // ---- patterns

  match(p: Node, v: V, env: Env): boolean {
    this.step(p);
    switch (p.k) {
      case "var": {
        if (p.name === "_") return true;
        const bound = env.get(p.name);
        if (bound !== undefined) return equals(bound, v);
        env.set(p.name, v);
        return true;
      }
      case "lit":
        return equals(p.v, v);
      case "tuple":
        return (
          v instanceof Tuple &&
          v.items.length === p.items.length &&
          p.items.every((x, i) => this.match(x, v.items[i]!, env))
        );
      case "list": {
        let items: readonly Term[] | undefined = listItems(v as Term);
        let tailValue: Term | undefined;
        if (!items && v instanceof ImproperList) {
          items = v.items;
          tailValue = v.tail;
        }
        if (!items) return false;
        if (!p.tail)
          return (
            tailValue === undefined &&
            items.length === p.items.length &&
            p.items.every((x, i) => this.match(x, items![i]!, env))
          );
        if (items.length < p.items.length) return false;
        if (!p.items.every((x, i) => this.match(x, items![i]!, env))) return false;
        const rest = items.slice(p.items.length);
        return this.match(
          p.tail,
          tailValue === undefined ? rest : rest.length === 0 ? tailValue : new ImproperList(rest, tailValue),
          env,
        );
      }
      case "match":
        return this.match(p.left, v, env) && this.match(p.right, v, env);
      case "map": {
        if (!(v instanceof ErlMap)) return false;
        for (const e of p.entries) {
          const key = this.eval(e.key, env);
          const found = mapGet(v, key as Term);
          if (found === undefined || !this.match(e.value, found, env)) return false;
        }
        return true;
      }
      case "op": {
        // "prefix" ++ Rest
        if (p.op === "++" && p.left.k === "lit") {
          const prefix = listItems(p.left.v);
          const items = listItems(v as Term);
          if (!prefix || !items || items.length < prefix.length) return false;
          if (!prefix.every((c, i) => equals(c, items[i]!))) return false;
          return this.match(p.right, items.slice(prefix.length), env);
        }
        // arithmetic on literals is a constant pattern
        return equals(this.eval(p, new Map()), v);
      }
      case "unop":
        return equals(this.eval(p, new Map()), v);
      case "bin":
        if (p.segs.every((s) => s.value.k === "lit" && s.size === undefined)) return equals(this.eval(p, env), v);
        return this.unsupported("binary patterns", p);
      default:
        return this.unsupported("this kind of pattern", p);
    }
  }

  // ---- operators

  private operator(n: Node & { k: "op" }, env: Env): V {
    const { op } = n;
    if (op === "andalso" || op === "orelse") {
      const l = this.eval(n.left, env);
      if (!isTrue(l) && !isFalse(l)) this.error(tuple(A("badarg"), l), n);
      if (op === "andalso" ? isFalse(l) : isTrue(l)) return l;
      return this.eval(n.right, env);
    }
    const l = this.eval(n.left, env);
    const r = this.eval(n.right, env);
    switch (op) {
      case "==":
        return bool(compare(l, r) === 0);
      case "/=":
        return bool(compare(l, r) !== 0);
      case "=:=":
        return bool(equals(l, r));
      case "=/=":
        return bool(!equals(l, r));
      case "<":
        return bool(compare(l, r) < 0);
      case "=<":
        return bool(compare(l, r) <= 0);
      case ">":
        return bool(compare(l, r) > 0);
      case ">=":
        return bool(compare(l, r) >= 0);
      case "++": {
        const a = listItems(l as Term);
        if (!a) this.error(A("badarg"), n);
        this.alloc(a.length, n);
        const b = listItems(r as Term);
        if (b) {
          this.alloc(b.length, n);
          if (l instanceof Charlist && r instanceof Charlist) return new Charlist([...l.codes, ...r.codes]);
          return [...a, ...b];
        }
        return a.length === 0 ? r : new ImproperList(a, r as Term);
      }
      case "--": {
        const a = listItems(l as Term);
        const b = listItems(r as Term);
        if (!a || !b) this.error(A("badarg"), n);
        this.alloc(a.length, n);
        this.step(n);
        if (a.length * b.length > this.limits.steps)
          throw new ScriptLimitError(this.file, n, "-- on lists this long takes too many steps");
        const out = [...a];
        for (const x of b) {
          const i = out.findIndex((y) => equals(y, x));
          if (i >= 0) out.splice(i, 1);
        }
        return out;
      }
      case "and":
      case "or":
      case "xor": {
        if (!(isTrue(l) || isFalse(l)) || !(isTrue(r) || isFalse(r))) this.error(tuple(A("badarg"), l), n);
        const a = isTrue(l);
        const b = isTrue(r);
        return bool(op === "and" ? a && b : op === "or" ? a || b : a !== b);
      }
    }
    return this.arith(op, l, r, n);
  }

  private arith(op: string, l: V, r: V, at: Pos): V {
    const isNum = (x: V) => isInteger(x) || x instanceof Float;
    if (!isNum(l) || !isNum(r)) this.error(tuple(A("badarith")), at);
    const intOp = isInteger(l) && isInteger(r);
    if (op === "/" || !intOp) {
      if (["div", "rem", "band", "bor", "bxor", "bsl", "bsr"].includes(op)) this.error(A("badarith"), at);
      const a = Number(l instanceof Float ? l.value : l);
      const b = Number(r instanceof Float ? r.value : r);
      if (op === "/" && b === 0) this.error(A("badarith"), at);
      const v = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
      if (!Number.isFinite(v)) this.error(A("badarith"), at);
      return new Float(v);
    }
    const a = BigInt(l as number | bigint);
    const b = BigInt(r as number | bigint);
    const bitsOf = (x: bigint) => (x < 0n ? -x : x).toString(16).length * 4;
    const tooBig = () => this.integerTooBig(at);
    // Checked before computing: squaring a number a few thousand times would otherwise run for hours.
    if (op === "*" && bitsOf(a) + bitsOf(b) > MAX_INTEGER_BITS + 8) tooBig();
    const big = (x: bigint) => {
      // A number's size is memory too: about one cell per 64 bits.
      const bits = bitsOf(x);
      if (bits > MAX_INTEGER_BITS + 4) tooBig();
      this.alloc(Math.ceil(bits / 64), at);
      return int(x);
    };
    switch (op) {
      case "+":
        return big(a + b);
      case "-":
        return big(a - b);
      case "*":
        return big(a * b);
      case "div":
        if (b === 0n) this.error(A("badarith"), at);
        return int(a / b);
      case "rem":
        if (b === 0n) this.error(A("badarith"), at);
        return int(a % b);
      case "band":
        return int(a & b);
      case "bor":
        return int(a | b);
      case "bxor":
        return int(a ^ b);
      case "bsl":
      case "bsr": {
        const shift = op === "bsl" ? b : -b;
        if (shift > 1_000_000n) throw new ScriptLimitError(this.file, at, "bsl by more than 1000000 bits");
        if (shift > 0n && BigInt(bitsOf(a)) + shift > BigInt(MAX_INTEGER_BITS + 8)) tooBig();
        return big(shift >= 0n ? a << shift : a >> -shift);
      }
    }
    return this.unsupported(`operator ${op}`, at);
  }

  private unaryOp(n: Node & { k: "unop" }, env: Env): V {
    const v = this.eval(n.arg, env);
    switch (n.op) {
      case "not":
        if (!isTrue(v) && !isFalse(v)) this.error(A("badarg"), n);
        return bool(isFalse(v));
      case "-":
        if (isInteger(v)) return int(-BigInt(v));
        if (v instanceof Float) return new Float(-v.value);
        return this.error(A("badarith"), n);
      case "+":
        if (isInteger(v) || v instanceof Float) return v;
        return this.error(A("badarith"), n);
      case "bnot":
        if (isInteger(v)) return int(~BigInt(v));
        return this.error(A("badarith"), n);
    }
    return this.unsupported(`operator ${n.op}`, n);
  }

  // ---- comprehensions, binaries, funs, try

  private comprehension(n: Node & { k: "lc" }, env: Env): V {
    const out: Term[] = [];
    const go = (i: number, scope: Env): void => {
      if (i === n.quals.length) {
        this.alloc(1, n);
        out.push(this.eval(n.expr, new Map(scope)) as Term);
        return;
      }
      const q = n.quals[i]!;
      if (q.k === "filter") {
        const v = this.eval(q.expr, scope);
        if (isTrue(v)) go(i + 1, scope);
        else if (!isFalse(v)) this.error(tuple(A("bad_filter"), v), q);
        return;
      }
      const list = this.eval(q.expr, scope);
      const items = listItems(list as Term);
      if (!items) this.error(tuple(A("bad_generator"), list), q);
      for (const item of items) {
        const inner = new Map(scope);
        if (this.match(q.pat, item, inner)) go(i + 1, inner);
      }
    };
    go(0, env);
    return out;
  }

  private binary(n: Node & { k: "bin" }, env: Env): V {
    const bytes: number[] = [];
    for (const s of n.segs) {
      const v = this.eval(s.value, env);
      const types = s.types;
      const size = s.size ? this.eval(s.size, env) : undefined;
      if (types.includes("binary") || types.includes("bytes") || v instanceof Uint8Array) {
        if (!(v instanceof Uint8Array)) this.error(A("badarg"), n);
        this.alloc(v.length, n);
        for (const b of v) bytes.push(b); // not push(...v): a long binary would overflow the call stack
        continue;
      }
      const codes: readonly (number | bigint)[] | undefined =
        v instanceof Charlist ? v.codes : isInteger(v) ? [v] : undefined;
      if (!codes) return this.unsupported("this binary segment", s.value);
      for (const c of codes) {
        if (types.includes("utf8")) {
          if (!isCodePoint(c)) this.badarg(s.value);
          bytes.push(...new TextEncoder().encode(String.fromCodePoint(c)));
        } else {
          const bits = size === undefined ? 8 : Number(size);
          if (bits < 0) this.badarg(s.value);
          if (bits % 8 !== 0 || bits > 64) return this.unsupported("binary segments that are not whole bytes", s.value);
          // the low `bits` bits of the integer, most significant byte first (a bigint keeps them all)
          for (let k = bits / 8 - 1; k >= 0; k--) bytes.push(Number((BigInt(c) >> BigInt(8 * k)) & 255n));
        }
      }
      this.alloc(codes.length, n);
    }
    return Uint8Array.from(bytes);
  }

  private makeFun(n: Node & { k: "fun" }, env: Env): Fun {
    const arity = n.clauses[0]!.pats.length;
    const captured = new Map(env);
    const fun: Fun = new Fun(
      arity,
      (args, at) => {
        const scope = new Map(captured);
        if (n.name) scope.set(n.name, fun);
        const r = this.clauses(n.clauses, args, scope);
        if (r === undefined) this.error(A("function_clause"), at);
        return r;
      },
      "fun",
    );
    return fun;
  }

  private funRef(n: Node & { k: "funref" }, env: Env): Fun {
    const mod = n.mod ? this.eval(n.mod, env) : A("erlang");
    const name = this.eval(n.name, env);
    const arity = this.eval(n.arity, env);
    if (!(mod instanceof Atom) || !(name instanceof Atom) || !isInteger(arity)) this.error(A("badarg"), n);
    if (!n.mod) return this.unsupported(`fun ${name.name}/${arity}: a script defines no named functions`, n);
    return new Fun(
      Number(arity),
      (args, at) => this.callRemote(mod.name, name.name, args, at),
      `${mod.name}:${name.name}/${arity}`,
    );
  }

  private tryExpr(n: Node & { k: "try" }, env: Env): V {
    try {
      let v: V;
      try {
        v = this.body(n.body, env);
      } catch (e) {
        if (!(e instanceof ErlangException) || n.catches.length === 0) throw e;
        for (const c of n.catches) {
          const scope = new Map(env);
          if (
            this.match(c.pats[0]!, A(e.cls), scope) &&
            this.match(c.pats[1]!, e.reason, scope) &&
            this.guards(c.guards, scope)
          )
            return this.body(c.body, scope);
        }
        throw e;
      }
      if (n.of.length === 0) return v;
      const r = this.clauses(n.of, [v], env);
      if (r === undefined) this.error(tuple(A("try_clause"), v), n);
      return r;
    } finally {
      if (n.after.length > 0) this.body(n.after, env);
    }
  }

  // ---- calls

  private call(n: Node & { k: "call" }, env: Env): V {
    if (n.mod) {
      const mod = this.eval(n.mod, env);
      const fn = this.eval(n.fn, env);
      if (!(mod instanceof Atom) || !(fn instanceof Atom)) this.error(tuple(A("badfun"), fn), n);
      const args = n.args.map((a) => this.eval(a, env));
      return this.callRemote(mod.name, fn.name, args, n);
    }
    if (n.fn.k === "lit" && n.fn.v instanceof Atom) {
      const args = n.args.map((a) => this.eval(a, env));
      return this.callRemote("erlang", n.fn.v.name, args, n, true);
    }
    const f = this.eval(n.fn, env);
    const args = n.args.map((a) => this.eval(a, env));
    return this.apply(f, args, n);
  }

  apply(f: V, args: V[], at: Pos): V {
    if (!(f instanceof Fun)) this.error(tuple(A("badfun"), f as Term), at);
    if (f.arity !== args.length) this.error(tuple(A("badarity"), tuple(A(f.name), args as Term[])), at);
    this.step(at);
    if (++this.depth > this.limits.depth)
      throw new ScriptLimitError(
        this.file,
        at,
        `the script nests more than ${this.limits.depth} function calls; hexts stops it there`,
      );
    try {
      return f.call(args, at);
    } finally {
      this.depth--;
    }
  }

  callRemote(mod: string, name: string, args: V[], at: Pos, local = false): V {
    const impl = LIBRARY.get(`${mod}:${name}/${args.length}`);
    if (!impl) {
      if (local)
        return this.unsupported(
          `${name}/${args.length} (a script defines no functions, and it is not an Erlang built-in hexts knows)`,
          at,
        );
      return this.unsupported(`${mod}:${name}/${args.length}`, at);
    }
    return impl(this, args, at);
  }

  // ---- host access (read-only, inside the project)

  get hostInfo(): ScriptHost {
    return this.host;
  }

  /** The absolute path of `p` (relative to the cwd), or an error when it leaves the project. */
  projectPath(p: V, at: Pos, what: string): string {
    const text = textOf(p as Term);
    if (text === undefined) this.badarg(at);
    const abs = resolve(this.host.cwd, text);
    // Lexically inside, and inside once symlinks are resolved on both sides (the project itself may be reached
    // through one). A path that does not exist cannot be read: reading it gives enoent.
    if (!isInside(abs, this.host.root)) this.outside(text, at, what);
    const real = realOrUndefined(abs);
    if (real !== undefined && !isInside(real, realOrUndefined(this.host.root) ?? this.host.root))
      this.outside(text, at, what);
    return abs;
  }

  /** The error for a path (or pattern) `text` that leads outside the project. */
  outside(text: string, at: Pos, what: string): never {
    throw new HextsError(
      "PROJECT_INVALID",
      `${this.file}:${at.line}:${at.col}: ${what} ${JSON.stringify(text)} is outside the project; ` +
        "hexts reads only files inside it",
      {
        details: { file: this.file, line: at.line, column: at.col, reason: "outside_project" },
      },
    );
  }

  relativeToCwd(abs: string): string {
    return relative(this.host.cwd, abs) || ".";
  }
}

// ---------------------------------------------------------------- term helpers

/** Whether `v` nests lists, tuples and maps more than `limit` levels deep (walked without recursion). */
function nestingOver(v: V, limit: number): boolean {
  const todo: [V, number][] = [[v, 0]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [x, depth] = next;
    const children = childrenOf(x);
    if (!children || children.length === 0) continue;
    if (depth + 1 > limit) return true;
    for (const c of children) todo.push([c, depth + 1]);
  }
  return false;
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function childrenOf(v: V): readonly V[] | undefined {
  if (v instanceof Tuple) return v.items;
  if (v instanceof ImproperList) return [...v.items, v.tail];
  if (v instanceof ErlMap) return v.entries.flat();
  return Array.isArray(v) ? v : undefined;
}

/**
 * How many cells `v` has written out (what comparing, formatting or converting it walks; a value shared by [A, A]
 * doubling counts once per place), counted up to `cap` only: the walk costs no more than the work it is charged.
 */
function writtenSize(v: V, cap: number): number {
  let size = 0;
  const todo: V[] = [v];
  for (let x = todo.pop(); x !== undefined; x = todo.pop()) {
    size += x instanceof Uint8Array ? 1 + (x.length >> 6) : x instanceof Charlist ? 1 + x.codes.length : 1;
    if (size > cap) return size;
    const children = childrenOf(x);
    if (children) for (const c of children) todo.push(c);
  }
  return size;
}

/** The running evaluator's budget (evaluation is synchronous; run() sets and restores it). */
let meter: { left(): number; work(n: number): void } | undefined;

/** Charges the running evaluator for walking `v` written out. */
function chargeWalk(v: V): void {
  if (meter) meter.work(writtenSize(v, meter.left()));
}

/**
 * A comparison walks at most the smaller term: one step for two atoms, the whole list for two equal lists. Both
 * are measured under a doubling cap until one fits, so measuring costs about what is charged (a huge term
 * against an atom is a few cells of walking, not a walk of the huge term).
 */
function chargeComparison(a: V, b: V): void {
  if (!meter) return;
  const left = meter.left();
  for (let cap = 64; ; cap *= 2) {
    const sa = writtenSize(a, cap);
    const sb = writtenSize(b, cap);
    if (sa <= cap || sb <= cap || cap > left) return meter.work(Math.min(sa, sb));
  }
}

/** A map from entries; building one sorts its keys, so the comparisons are charged as work. */
function erlMap(entries: Iterable<readonly [Term, Term]>): ErlMap {
  const list = [...entries];
  if (meter) {
    const rounds = Math.ceil(Math.log2(list.length + 1));
    for (const [k] of list) meter.work(rounds * writtenSize(k, meter.left()));
  }
  return new ErlMap(list);
}

/** A map lookup compares the key with each key of the map: charged as those comparisons. */
function mapGet(m: ErlMap, k: Term): Term | undefined {
  if (meter) {
    const size = writtenSize(k, meter.left());
    let total = size; // the key's own walk, then its comparison with each key
    for (const [key] of m.entries) if ((total += writtenSize(key, size)) > meter.left()) break;
    meter.work(total);
  }
  return m.get(k);
}

function equals(a: V, b: V): boolean {
  chargeComparison(a, b);
  if (a instanceof Fun || b instanceof Fun) return a === b;
  return termEquals(a as MetaValue, b as MetaValue);
}

function compare(a: V, b: V): number {
  chargeComparison(a, b);
  if (a instanceof Fun || b instanceof Fun) return a === b ? 0 : 1;
  const num = (x: V) => (isInteger(x) ? Number(x) : x instanceof Float ? x.value : undefined);
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined && (a instanceof Float || b instanceof Float))
    return x < y ? -1 : x > y ? 1 : 0;
  return compareTerms(a as MetaValue, b as MetaValue);
}

const str = (s: string): Charlist => Charlist.of(s);
const binOf = (s: string): Uint8Array => new TextEncoder().encode(s);

type Impl = (ev: ScriptEvaluator, args: V[], at: Pos) => V;
const LIBRARY = new Map<string, Impl>();

function def(names: string, impl: Impl): void {
  for (const n of names.split(" ")) LIBRARY.set(n, impl);
}

/** The script's own `error:badarg` (or another reason) at `at`. */
function bad(at: Pos, reason = "badarg"): never {
  throw new ErlangException("error", A(reason), at);
}
function need<T>(v: T | undefined, at: Pos): T {
  return v === undefined ? bad(at) : v;
}
const listArg = (v: V, at: Pos): Term[] => need(listItems(v as Term), at);
const textArg = (v: V, at: Pos): string => need(flatText(v), at);
const intArg = (v: V, at: Pos): number => (isInteger(v) ? Number(v) : bad(at));
/** A count (lists:duplicate/2, string:copies/2): a negative one matches no clause, as in OTP. */
const countArg = (v: V, at: Pos): number =>
  isInteger(v) && v >= 0 ? Number(v) : isInteger(v) ? bad(at, "function_clause") : bad(at);
const funArg = (v: V, arity: number, at: Pos): Fun => (v instanceof Fun && v.arity === arity ? v : bad(at));
/** A string result in the type of the input: binary in, binary out. */
const sameKind = (input: V, s: string): Term => (input instanceof Uint8Array ? binOf(s) : str(s));

// ---- erlang (auto-imported BIFs and erlang:*)
def(`erlang:length/1`, (ev, [l], at) => listArg(l!, at).length);
def(`erlang:hd/1`, (ev, [l], at) => need(listArg(l!, at)[0], at));
def(`erlang:tl/1`, (ev, [l], at) => {
  const items = listArg(l!, at);
  if (items.length === 0) bad(at);
  return items.slice(1);
});
def(`erlang:element/2`, (ev, [i, t], at) => {
  if (!(t instanceof Tuple)) bad(at);
  return need(t.items[intArg(i!, at) - 1], at);
});
def(`erlang:setelement/3`, (ev, [i, t, v], at) => {
  if (!(t instanceof Tuple)) bad(at);
  const k = intArg(i!, at);
  if (k < 1 || k > t.items.length) bad(at);
  ev.alloc(t.items.length, at);
  return new Tuple(t.items.map((x, j) => (j === k - 1 ? (v as Term) : x)));
});
def(`erlang:tuple_size/1 erlang:size/1`, (ev, [t], at) =>
  t instanceof Tuple ? t.items.length : t instanceof Uint8Array ? t.length : bad(at),
);
def(`erlang:byte_size/1`, (ev, [t], at) => (t instanceof Uint8Array ? t.length : bad(at)));
def(`erlang:map_size/1`, (ev, [m], at) => (m instanceof ErlMap ? m.size : bad(at)));
def(`erlang:tuple_to_list/1`, (ev, [t], at) => (t instanceof Tuple ? [...t.items] : bad(at)));
def(`erlang:list_to_tuple/1`, (ev, [l], at) => new Tuple(listArg(l!, at)));
def(`erlang:atom_to_list/1`, (ev, [a], at) => (a instanceof Atom ? str(a.name) : bad(at)));
def(`erlang:atom_to_binary/1 erlang:atom_to_binary/2`, (ev, [a], at) => (a instanceof Atom ? binOf(a.name) : bad(at)));
def(`erlang:list_to_atom/1 erlang:list_to_existing_atom/1`, (ev, [l], at) => A(textArg(l!, at)));
def(`erlang:binary_to_atom/1 erlang:binary_to_atom/2 erlang:binary_to_existing_atom/2`, (ev, [b], at) =>
  A(textArg(b!, at)),
);
def(`erlang:list_to_binary/1 erlang:iolist_to_binary/1`, (ev, [l], at) => {
  const bytes = iolistBytes(ev, l!, at);
  ev.alloc(bytes.length, at);
  return bytes;
});
def(`erlang:binary_to_list/1`, (ev, [b], at) => {
  if (!(b instanceof Uint8Array)) bad(at);
  ev.alloc(b.length, at);
  return [...b];
});
def(`erlang:integer_to_list/1`, (ev, [i], at) => (isInteger(i) ? str(String(i)) : bad(at)));
def(`erlang:integer_to_binary/1`, (ev, [i], at) => (isInteger(i) ? binOf(String(i)) : bad(at)));
def(`erlang:list_to_integer/1 erlang:binary_to_integer/1`, (ev, [l], at) => {
  const t = textArg(l!, at);
  if (!/^[+-]?\d+$/.test(t)) bad(at);
  // Parsing decimal digits is quadratic: a 5 MB string of digits took 20 s. No integer over the bit limit anyway.
  if (t.replace(/^[+-]?0*/, "").length > MAX_INTEGER_DIGITS) ev.integerTooBig(at);
  return int(BigInt(t));
});
def(`erlang:float_to_list/1`, (ev, [f], at) => (f instanceof Float ? str(formatErlang(f, "~p")) : bad(at)));
def(`erlang:abs/1`, (ev, [x], at) =>
  isInteger(x)
    ? int(BigInt(x) < 0n ? -BigInt(x) : BigInt(x))
    : x instanceof Float
      ? new Float(Math.abs(x.value))
      : bad(at),
);
def(`erlang:max/2`, (ev, [a, b]) => (compare(a!, b!) >= 0 ? a! : b!));
def(`erlang:min/2`, (ev, [a, b]) => (compare(a!, b!) <= 0 ? a! : b!));
for (const [name, test] of [
  ["is_atom", (v: V) => v instanceof Atom],
  ["is_list", (v: V) => listItems(v as Term) !== undefined || v instanceof ImproperList],
  ["is_binary", (v: V) => v instanceof Uint8Array],
  ["is_bitstring", (v: V) => v instanceof Uint8Array],
  ["is_integer", (v: V) => isInteger(v)],
  ["is_float", (v: V) => v instanceof Float],
  ["is_number", (v: V) => isInteger(v) || v instanceof Float],
  ["is_tuple", (v: V) => v instanceof Tuple],
  ["is_map", (v: V) => v instanceof ErlMap],
  ["is_function", (v: V) => v instanceof Fun],
  ["is_boolean", (v: V) => isTrue(v) || isFalse(v)],
] as const) {
  def(`erlang:${name}/1`, (_ev, [v]) => bool(test(v!)));
}
def(`erlang:is_function/2`, (_ev, [f, n]) => bool(f instanceof Fun && isInteger(n) && f.arity === Number(n)));
def(`erlang:error/1 erlang:error/2`, (_ev, [r], at) => {
  throw new ErlangException("error", r as Term, at);
});
def(`erlang:throw/1`, (_ev, [r], at) => {
  throw new ErlangException("throw", r as Term, at);
});
def(`erlang:exit/1`, (_ev, [r], at) => {
  throw new ErlangException("exit", r as Term, at);
});
def(`erlang:apply/2`, (ev, [f, a], at) => ev.apply(f!, listArg(a!, at), at));
def(`erlang:apply/3`, (ev, [m, f, a], at) => {
  if (!(m instanceof Atom) || !(f instanceof Atom)) bad(at);
  return ev.callRemote(m.name, f.name, listArg(a!, at), at);
});
def(`erlang:system_info/1`, (ev, [what], at) => {
  if (what instanceof Atom && what.name === "otp_release") {
    ev.hostInfo.onMachineValue?.("erlang:system_info(otp_release)", at);
    return str(ev.hostInfo.otpRelease);
  }
  return ev.unsupported(`erlang:system_info(${formatErlang(what as Term, "~p")})`, at);
});
def(`erlang:function_exported/3`, (ev, [m], at) => {
  ev.hostInfo.onMachineValue?.(`erlang:function_exported(${formatErlang(m as Term, "~p")}, ...)`, at);
  return FALSE;
});

function iolistBytes(ev: ScriptEvaluator, v: V, at: Pos): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const out: number[] = [];
  const walk = (x: V) => {
    if (x instanceof Uint8Array) for (const b of x) out.push(b);
    else if (isInteger(x) && Number(x) >= 0 && Number(x) <= 255) out.push(Number(x));
    else {
      const items = listItems(x as Term);
      if (!items) bad(at);
      items.forEach(walk);
    }
  };
  walk(v);
  return Uint8Array.from(out);
}

// ---- os
def("os:getenv/1", (ev, [name], at) => {
  const v = ev.hostInfo.env[textArg(name!, at)];
  return v === undefined ? FALSE : str(v);
});
def("os:getenv/2", (ev, [name, dflt], at) => {
  const v = ev.hostInfo.env[textArg(name!, at)];
  return v === undefined ? dflt! : str(v);
});
def("os:type/0", () =>
  tuple(
    A("unix"),
    A(process.platform === "darwin" ? "darwin" : process.platform === "win32" ? "nt" : process.platform),
  ),
);

// ---- lists
const L = (names: string, impl: Impl) =>
  def(
    names
      .split(" ")
      .map((n) => `lists:${n}`)
      .join(" "),
    impl,
  );
L("reverse/1", (ev, [l], at) => [...listArg(l!, at)].reverse());
L("reverse/2", (ev, [l, t], at) => [...listArg(l!, at)].reverse().concat(listArg(t!, at)));
L("append/2", (ev, [a, b], at) => {
  const x = listArg(a!, at);
  const y = listArg(b!, at);
  ev.alloc(x.length + y.length, at);
  return [...x, ...y];
});
L("append/1", (ev, [ls], at) => {
  const out: Term[] = [];
  for (const l of listArg(ls!, at)) {
    const items = listArg(l, at);
    ev.alloc(items.length, at);
    for (const x of items) out.push(x);
  }
  return out;
});
L("concat/1", (ev, [ls], at) =>
  str(
    listArg(ls!, at)
      .map((x) =>
        x instanceof Atom
          ? x.name
          : isInteger(x)
            ? String(x)
            : x instanceof Float
              ? formatErlang(x, "~p")
              : textArg(x, at),
      )
      .join(""),
  ),
);
L("flatten/1", (ev, [l], at) => {
  const out: Term[] = [];
  const walk = (x: Term) => {
    for (const i of listArg(x, at)) {
      if (listItems(i) !== undefined) walk(i);
      else {
        ev.alloc(1, at);
        out.push(i);
      }
    }
  };
  walk(l as Term);
  return out;
});
L("member/2", (ev, [x, l], at) => bool(listArg(l!, at).some((y) => equals(x!, y))));
L("nth/2", (ev, [n, l], at) => need(listArg(l!, at)[intArg(n!, at) - 1], at));
L("nthtail/2", (ev, [n, l], at) => listArg(l!, at).slice(intArg(n!, at)));
L("last/1", (ev, [l], at) => need(listArg(l!, at).at(-1), at));
L("sublist/2", (ev, [l, n], at) => listArg(l!, at).slice(0, intArg(n!, at)));
L("sublist/3", (ev, [l, s, n], at) => listArg(l!, at).slice(intArg(s!, at) - 1, intArg(s!, at) - 1 + intArg(n!, at)));
// lists:seq in integers of any size, on OTP's conditions: From-Incr =< To for a positive Incr, >= for a negative
// one, From =:= To for 0. What fails them is a function_clause error from seq/2, badarg from seq/3 (OTP 25).
L("seq/2 seq/3", (ev, [a, b, s], at) => {
  const fail = (): never => bad(at, s === undefined ? "function_clause" : "badarg");
  const big = (v: V) => (isInteger(v) ? BigInt(v) : fail());
  const from = big(a!);
  const to = big(b!);
  const step = s === undefined ? 1n : big(s);
  const fits = step > 0n ? from - step <= to : step < 0n ? from - step >= to : from === to;
  if (!fits) fail();
  // The clause holds, so To is at most one step short of From: a difference against the step's sign gives [].
  const diff = to - from;
  const count = diff === 0n ? 1n : diff > 0n === step > 0n ? diff / step + 1n : 0n;
  ev.alloc(Number(count), at);
  const n = Number(count);
  // Plain numbers when every element is a safe integer (the usual case, and the fast one); bigints otherwise.
  const safe = (x: bigint) => x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER);
  if (safe(from) && safe(from + (count - 1n) * step)) {
    const [f, d] = [Number(from), Number(step)];
    return Array.from({ length: n }, (_, i) => f + i * d);
  }
  return Array.from({ length: n }, (_, i) => int(from + BigInt(i) * step));
});
L("duplicate/2", (ev, [n, x], at) => {
  const k = countArg(n!, at);
  ev.alloc(k, at);
  return Array.from({ length: k }, () => x as Term);
});
L("map/2", (ev, [f, l], at) => listArg(l!, at).map((x) => ev.apply(funArg(f!, 1, at), [x], at) as Term));
L("flatmap/2", (ev, [f, l], at) => listArg(l!, at).flatMap((x) => listArg(ev.apply(funArg(f!, 1, at), [x], at), at)));
L("filter/2", (ev, [f, l], at) => listArg(l!, at).filter((x) => isTrue(ev.apply(funArg(f!, 1, at), [x], at))));
L("filtermap/2", (ev, [f, l], at) =>
  listArg(l!, at).flatMap((x) => {
    const r = ev.apply(funArg(f!, 1, at), [x], at);
    if (isTrue(r)) return [x];
    if (r instanceof Tuple && r.items.length === 2 && isTrue(r.items[0]!)) return [r.items[1]!];
    return [];
  }),
);
L("foreach/2", (ev, [f, l], at) => {
  for (const x of listArg(l!, at)) ev.apply(funArg(f!, 1, at), [x], at);
  return A("ok");
});
L("foldl/3", (ev, [f, acc, l], at) =>
  listArg(l!, at).reduce<V>((a, x) => ev.apply(funArg(f!, 2, at), [x, a], at), acc!),
);
L("foldr/3", (ev, [f, acc, l], at) =>
  [...listArg(l!, at)].reverse().reduce<V>((a, x) => ev.apply(funArg(f!, 2, at), [x, a], at), acc!),
);
L("any/2", (ev, [f, l], at) => bool(listArg(l!, at).some((x) => isTrue(ev.apply(funArg(f!, 1, at), [x], at)))));
L("all/2", (ev, [f, l], at) => bool(listArg(l!, at).every((x) => isTrue(ev.apply(funArg(f!, 1, at), [x], at)))));
L("partition/2", (ev, [f, l], at) => {
  const yes: Term[] = [];
  const no: Term[] = [];
  for (const x of listArg(l!, at)) (isTrue(ev.apply(funArg(f!, 1, at), [x], at)) ? yes : no).push(x);
  return tuple(yes, no);
});
L("takewhile/2", (ev, [f, l], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((x) => !isTrue(ev.apply(funArg(f!, 1, at), [x], at)));
  return i < 0 ? items : items.slice(0, i);
});
L("dropwhile/2", (ev, [f, l], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((x) => !isTrue(ev.apply(funArg(f!, 1, at), [x], at)));
  return i < 0 ? [] : items.slice(i);
});
L("splitwith/2", (ev, [f, l], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((x) => !isTrue(ev.apply(funArg(f!, 1, at), [x], at)));
  return i < 0 ? tuple(items, []) : tuple(items.slice(0, i), items.slice(i));
});
L("split/2", (ev, [n, l], at) => {
  const k = intArg(n!, at);
  const items = listArg(l!, at);
  if (k > items.length) bad(at);
  return tuple(items.slice(0, k), items.slice(k));
});
L("delete/2", (ev, [x, l], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((y) => equals(x!, y));
  return i < 0 ? items : [...items.slice(0, i), ...items.slice(i + 1)];
});
L("subtract/2", (ev, [a, b], at) => ev.callRemote("lists", "_subtract", [a!, b!], at));
L("_subtract/2", (ev, [a, b], at) => {
  const out = [...listArg(a!, at)];
  for (const x of listArg(b!, at)) {
    const i = out.findIndex((y) => equals(y, x));
    if (i >= 0) out.splice(i, 1);
  }
  return out;
});
L("prefix/2", (ev, [a, b], at) => {
  const x = listArg(a!, at);
  const y = listArg(b!, at);
  return bool(x.length <= y.length && x.every((v, i) => equals(v, y[i]!)));
});
L("suffix/2", (ev, [a, b], at) => {
  const x = listArg(a!, at);
  const y = listArg(b!, at);
  return bool(x.length <= y.length && x.every((v, i) => equals(v, y[y.length - x.length + i]!)));
});
L("sort/1", (ev, [l], at) => [...listArg(l!, at)].sort((a, b) => compare(a, b)));
/** A comparator from an ordering fun (true when A goes before or with B): equal when it holds both ways. */
const byFun =
  (ev: ScriptEvaluator, f: V, at: Pos) =>
  (a: Term, b: Term): number => {
    const fun = funArg(f, 2, at);
    if (!isTrue(ev.apply(fun, [a, b], at))) return 1;
    return isTrue(ev.apply(fun, [b, a], at)) ? 0 : -1;
  };
// Array.prototype.sort is stable, as lists:sort/2 and usort/2 are for elements the fun calls equal.
L("sort/2", (ev, [f, l], at) => [...listArg(l!, at)].sort(byFun(ev, f!, at)));
L("usort/2", (ev, [f, l], at) => {
  const order = byFun(ev, f!, at);
  const sorted = [...listArg(l!, at)].sort(order);
  return sorted.filter((x, i) => i === 0 || order(sorted[i - 1]!, x) !== 0);
});
L("usort/1", (ev, [l], at) => {
  const sorted = [...listArg(l!, at)].sort((a, b) => compare(a, b));
  return sorted.filter((x, i) => i === 0 || compare(sorted[i - 1]!, x) !== 0);
});
/** lists:merge/2 and umerge/2: one pass over both lists as given; on a tie List1's element goes first (umerge:
 * and List2's is dropped). */
function merge(x: Term[], y: Term[], unique: boolean): Term[] {
  const out: Term[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const c = compare(x[i]!, y[j]!);
    if (c <= 0) {
      out.push(x[i++]!);
      if (unique && c === 0) j++;
    } else out.push(y[j++]!);
  }
  return out.concat(x.slice(i), y.slice(j));
}
L("merge/2", (ev, [a, b], at) => merge(listArg(a!, at), listArg(b!, at), false));
L("umerge/2", (ev, [a, b], at) => merge(listArg(a!, at), listArg(b!, at), true));
L("zip/2", (ev, [a, b], at) => {
  const x = listArg(a!, at);
  const y = listArg(b!, at);
  if (x.length !== y.length) throw new ErlangException("error", A("function_clause"), at);
  return x.map((v, i) => tuple(v, y[i]!));
});
L("unzip/1", (ev, [l], at) => {
  const items = listArg(l!, at);
  return tuple(
    items.map((t) => (t as Tuple).items[0]!),
    items.map((t) => (t as Tuple).items[1]!),
  );
});
L("sum/1", (ev, [l], at) => listArg(l!, at).reduce<V>((a, x) => ev.callRemote("erlang", "+", [a, x], at), 0));
LIBRARY.set("erlang:+/2", (ev, [a, b], at) => {
  if (isInteger(a) && isInteger(b)) return int(BigInt(a) + BigInt(b));
  throw new ErlangException("error", A("badarith"), at);
});
L("max/1", (ev, [l], at) =>
  need(
    listArg(l!, at).reduce<Term | undefined>((a, x) => (a === undefined || compare(x, a) > 0 ? x : a), undefined),
    at,
  ),
);
L("min/1", (ev, [l], at) =>
  need(
    listArg(l!, at).reduce<Term | undefined>((a, x) => (a === undefined || compare(x, a) < 0 ? x : a), undefined),
    at,
  ),
);
L("join/2", (ev, [sep, l], at) => listArg(l!, at).flatMap((x, i) => (i === 0 ? [x] : [sep as Term, x])));
L("uniq/1", (ev, [l], at) => {
  const out: Term[] = [];
  for (const x of listArg(l!, at)) if (!out.some((y) => equals(x, y))) out.push(x);
  return out;
});
const keyAt = (t: Term, n: number): Term | undefined => (t instanceof Tuple ? t.items[n - 1] : undefined);
L(
  "keyfind/3",
  (ev, [k, n, l], at) =>
    listArg(l!, at).find((t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!)) ??
    FALSE,
);
L("keymember/3", (ev, [k, n, l], at) =>
  bool(listArg(l!, at).some((t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!))),
);
L("keysearch/3", (ev, [k, n, l], at) => {
  const found = listArg(l!, at).find(
    (t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!),
  );
  return found === undefined ? FALSE : tuple(A("value"), found);
});
L("keydelete/3", (ev, [k, n, l], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!));
  return i < 0 ? items : [...items.slice(0, i), ...items.slice(i + 1)];
});
L("keyreplace/4", (ev, [k, n, l, v], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!));
  return i < 0 ? items : items.map((x, j) => (j === i ? (v as Term) : x));
});
L("keystore/4", (ev, [k, n, l, v], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!));
  ev.alloc(items.length + 1, at);
  return i < 0 ? [...items, v as Term] : items.map((x, j) => (j === i ? (v as Term) : x));
});
L("keytake/3", (ev, [k, n, l], at) => {
  const items = listArg(l!, at);
  const i = items.findIndex((t) => keyAt(t, intArg(n!, at)) !== undefined && equals(keyAt(t, intArg(n!, at))!, k!));
  return i < 0 ? FALSE : tuple(A("value"), items[i]!, [...items.slice(0, i), ...items.slice(i + 1)]);
});
L("keysort/2", (ev, [n, l], at) =>
  [...listArg(l!, at)].sort((a, b) => compare(keyAt(a, intArg(n!, at)) ?? [], keyAt(b, intArg(n!, at)) ?? [])),
);
L("ukeysort/2", (ev, [n, l], at) => {
  const k = intArg(n!, at);
  const sorted = [...listArg(l!, at)].sort((a, b) => compare(keyAt(a, k) ?? [], keyAt(b, k) ?? []));
  return sorted.filter((x, i) => i === 0 || compare(keyAt(sorted[i - 1]!, k) ?? [], keyAt(x, k) ?? []) !== 0);
});
L("keymerge/3", (ev, [n, a, b], at) =>
  [...listArg(a!, at), ...listArg(b!, at)].sort((x, y) =>
    compare(keyAt(x, intArg(n!, at)) ?? [], keyAt(y, intArg(n!, at)) ?? []),
  ),
);

// ---- proplists
const P = (names: string, impl: Impl) =>
  def(
    names
      .split(" ")
      .map((n) => `proplists:${n}`)
      .join(" "),
    impl,
  );
function propLookup(list: Term[], key: V): Term | undefined {
  for (const p of list) {
    if (p instanceof Atom && equals(p, key)) return tuple(p, TRUE);
    if (p instanceof Tuple && p.items.length >= 1 && equals(p.items[0]!, key)) return p;
  }
  return undefined;
}
P("get_value/2 get_value/3", (ev, [k, l, d], at) => {
  const found = propLookup(listArg(l!, at), k!);
  if (found === undefined) return d ?? UNDEFINED;
  return (found as Tuple).items.length === 2 ? (found as Tuple).items[1]! : (d ?? UNDEFINED);
});
P("get_bool/2", (ev, [k, l], at) => {
  const found = propLookup(listArg(l!, at), k!);
  return bool(found !== undefined && (found as Tuple).items.length === 2 && isTrue((found as Tuple).items[1]!));
});
P("lookup/2", (ev, [k, l], at) => propLookup(listArg(l!, at), k!) ?? A("none"));
P("is_defined/2", (ev, [k, l], at) => bool(propLookup(listArg(l!, at), k!) !== undefined));
P("delete/2", (ev, [k, l], at) =>
  listArg(l!, at).filter(
    (p) =>
      !((p instanceof Atom && equals(p, k!)) || (p instanceof Tuple && p.items.length >= 1 && equals(p.items[0]!, k!))),
  ),
);
P("get_all_values/2", (ev, [k, l], at) =>
  listArg(l!, at).flatMap((p) =>
    p instanceof Tuple && p.items.length === 2 && equals(p.items[0]!, k!)
      ? [p.items[1]!]
      : p instanceof Atom && equals(p, k!)
        ? [TRUE]
        : [],
  ),
);
P("append_values/2", (ev, [k, l], at) =>
  listArg(l!, at).flatMap((p) =>
    p instanceof Tuple && p.items.length === 2 && equals(p.items[0]!, k!)
      ? (listItems(p.items[1]!) ?? [p.items[1]!])
      : [],
  ),
);
P("get_keys/1", (ev, [l], at) => {
  const out: Term[] = [];
  for (const p of listArg(l!, at)) {
    const key = p instanceof Atom ? p : p instanceof Tuple && p.items.length >= 1 ? p.items[0]! : undefined;
    if (key !== undefined && !out.some((x) => equals(x, key))) out.push(key);
  }
  return out.sort((a, b) => compare(a, b));
});
P("unfold/1", (ev, [l], at) => listArg(l!, at).map((p) => (p instanceof Atom ? tuple(p, TRUE) : p)));
P("compact/1", (ev, [l], at) =>
  listArg(l!, at).map((p) =>
    p instanceof Tuple && p.items.length === 2 && isTrue(p.items[1]!) && p.items[0] instanceof Atom ? p.items[0] : p,
  ),
);

// ---- maps
const M = (names: string, impl: Impl) =>
  def(
    names
      .split(" ")
      .map((n) => `maps:${n}`)
      .join(" "),
    impl,
  );
const mapArg = (v: V, at: Pos): ErlMap => {
  if (!(v instanceof ErlMap)) throw new ErlangException("error", tuple(A("badmap"), v as Term), at);
  return v;
};
M("get/2", (ev, [k, m], at) => {
  const v = mapGet(mapArg(m!, at), k as Term);
  if (v === undefined) throw new ErlangException("error", tuple(A("badkey"), k as Term), at);
  return v;
});
M("get/3", (_ev, [k, m, d], at) => mapGet(mapArg(m!, at), k as Term) ?? d!);
M("find/2", (_ev, [k, m], at) => {
  const v = mapGet(mapArg(m!, at), k as Term);
  return v === undefined ? A("error") : tuple(A("ok"), v);
});
M("is_key/2", (_ev, [k, m], at) => bool(mapGet(mapArg(m!, at), k as Term) !== undefined));
M("put/3", (ev, [k, v, m], at) => {
  ev.alloc(mapArg(m!, at).size + 1, at);
  return erlMap([...mapArg(m!, at).entries, [k as Term, v as Term]]);
});
M("update/3", (ev, [k, v, m], at) => {
  if (mapGet(mapArg(m!, at), k as Term) === undefined)
    throw new ErlangException("error", tuple(A("badkey"), k as Term), at);
  return erlMap([...mapArg(m!, at).entries, [k as Term, v as Term]]);
});
M("remove/2", (_ev, [k, m], at) => erlMap(mapArg(m!, at).entries.filter(([x]) => !equals(x, k!))));
M("merge/2", (ev, [a, b], at) => {
  ev.alloc(mapArg(a!, at).size + mapArg(b!, at).size, at);
  return erlMap([...mapArg(a!, at).entries, ...mapArg(b!, at).entries]);
});
M("from_list/1", (ev, [l], at) => {
  const items = listArg(l!, at);
  ev.alloc(items.length, at);
  return erlMap(
    items.map((t) => (t instanceof Tuple && t.items.length === 2 ? ([t.items[0]!, t.items[1]!] as const) : bad(at))),
  );
});
M("to_list/1", (_ev, [m], at) => mapArg(m!, at).entries.map(([k, v]) => tuple(k, v)));
M("keys/1", (_ev, [m], at) => mapArg(m!, at).entries.map(([k]) => k));
M("values/1", (_ev, [m], at) => mapArg(m!, at).entries.map(([, v]) => v));
M("size/1", (_ev, [m], at) => mapArg(m!, at).size);
M("new/0", () => erlMap([]));
M("fold/3", (ev, [f, acc, m], at) =>
  mapArg(m!, at).entries.reduce<V>((a, [k, v]) => ev.apply(funArg(f!, 3, at), [k, v, a], at), acc!),
);
M("map/2", (ev, [f, m], at) =>
  erlMap(mapArg(m!, at).entries.map(([k, v]) => [k, ev.apply(funArg(f!, 2, at), [k, v], at) as Term] as const)),
);
M("filter/2", (ev, [f, m], at) =>
  erlMap(mapArg(m!, at).entries.filter(([k, v]) => isTrue(ev.apply(funArg(f!, 2, at), [k, v], at)))),
);
M("with/2", (ev, [ks, m], at) =>
  erlMap(mapArg(m!, at).entries.filter(([k]) => listArg(ks!, at).some((x) => equals(x, k)))),
);
M("without/2", (ev, [ks, m], at) =>
  erlMap(mapArg(m!, at).entries.filter(([k]) => !listArg(ks!, at).some((x) => equals(x, k)))),
);

// ---- string (the list-based and the Unicode API; results keep the input's kind)
const S = (names: string, impl: Impl) =>
  def(
    names
      .split(" ")
      .map((n) => `string:${n}`)
      .join(" "),
    impl,
  );
const WS = /^[\s]+|[\s]+$/g;
S("trim/1 strip/1", (ev, [s], at) => sameKind(s!, textArg(s!, at).replace(WS, "")));
S("trim/2", (ev, [s, dir], at) => {
  const t = textArg(s!, at);
  const d = dir instanceof Atom ? dir.name : "both";
  return sameKind(
    s!,
    d === "leading" ? t.replace(/^\s+/, "") : d === "trailing" ? t.replace(/\s+$/, "") : t.replace(WS, ""),
  );
});
S("strip/2", (ev, [s, dir], at) => {
  const t = textArg(s!, at);
  const d = dir instanceof Atom ? dir.name : "both";
  return sameKind(
    s!,
    d === "left" ? t.replace(/^ +/, "") : d === "right" ? t.replace(/ +$/, "") : t.replace(/^ +| +$/g, ""),
  );
});
S("to_lower/1 lowercase/1", (ev, [s], at) => sameKind(s!, textArg(s!, at).toLowerCase()));
S("to_upper/1 uppercase/1", (ev, [s], at) => sameKind(s!, textArg(s!, at).toUpperCase()));
S("length/1 len/1", (ev, [s], at) => [...textArg(s!, at)].length);
S("is_empty/1", (ev, [s], at) => bool(textArg(s!, at) === ""));
S("equal/2", (ev, [a, b], at) => bool(textArg(a!, at) === textArg(b!, at)));
S("concat/2", (ev, [a, b], at) => str(textArg(a!, at) + textArg(b!, at)));
S("str/2 rstr/2", (ev, [a, b], at) => textArg(a!, at).indexOf(textArg(b!, at)) + 1);
S("find/2", (ev, [a, b], at) => {
  const t = textArg(a!, at);
  const i = t.indexOf(textArg(b!, at));
  return i < 0 ? A("nomatch") : sameKind(a!, t.slice(i));
});
S("prefix/2", (ev, [a, b], at) => {
  const t = textArg(a!, at);
  const p = textArg(b!, at);
  return t.startsWith(p) ? sameKind(a!, t.slice(p.length)) : A("nomatch");
});
S("split/2 split/3", (ev, [s, sep, where], at) => {
  const t = textArg(s!, at);
  const p = textArg(sep!, at);
  const all = where instanceof Atom && where.name === "all";
  const trailing = where instanceof Atom && where.name === "trailing";
  if (p === "") return [s as Term];
  if (all) return t.split(p).map((x) => sameKind(s!, x));
  const i = trailing ? t.lastIndexOf(p) : t.indexOf(p);
  return i < 0 ? [sameKind(s!, t)] : [sameKind(s!, t.slice(0, i)), sameKind(s!, t.slice(i + p.length))];
});
S("tokens/2 lexemes/2", (ev, [s, seps], at) => {
  const t = textArg(s!, at);
  const set = new Set([...textArg(seps!, at)]);
  const out: string[] = [];
  let cur = "";
  for (const c of t) {
    if (set.has(c)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out.map((x) => sameKind(s!, x));
});
S("join/2", (ev, [l, sep], at) =>
  str(
    listArg(l!, at)
      .map((x) => textArg(x, at))
      .join(textArg(sep!, at)),
  ),
);
S("replace/3 replace/4", (ev, [s, a, b, where], at) => {
  const t = textArg(s!, at);
  const from = textArg(a!, at);
  const to = textArg(b!, at);
  if (from === "") return s!;
  return sameKind(s!, where instanceof Atom && where.name === "all" ? t.split(from).join(to) : t.replace(from, to));
});
S("slice/2 slice/3 substr/2 substr/3", (ev, [s, start, len], at) => {
  const cs = [...textArg(s!, at)];
  // slice is 0-based, substr 1-based: tell them apart by the name is not possible here, so both accept what
  // real scripts pass: string:substr(S, 1, N) and string:slice(S, 0, N) take the first N characters.
  const from = intArg(start!, at);
  return sameKind(s!, cs.slice(from, len === undefined ? undefined : from + intArg(len, at)).join(""));
});
LIBRARY.set("string:substr/2", (ev, [s, start], at) =>
  sameKind(s!, [...textArg(s!, at)].slice(intArg(start!, at) - 1).join("")),
);
LIBRARY.set("string:substr/3", (ev, [s, start, len], at) => {
  const from = intArg(start!, at) - 1;
  return sameKind(s!, [...textArg(s!, at)].slice(from, from + intArg(len!, at)).join(""));
});
S("chr/2", (ev, [s, c], at) => {
  const chars = [...textArg(s!, at)];
  return isCodePoint(c) ? chars.indexOf(String.fromCodePoint(c)) + 1 : isInteger(c) ? 0 : bad(at);
});
S("to_integer/1", (ev, [s], at) => {
  const t = textArg(s!, at);
  const m = /^[+-]?\d+/.exec(t);
  return m ? tuple(int(BigInt(m[0])), sameKind(s!, t.slice(m[0].length))) : tuple(A("error"), A("no_integer"));
});
S("copies/2", (ev, [s, n], at) => {
  const k = countArg(n!, at);
  const t = textArg(s!, at);
  ev.alloc(k * t.length, at);
  return str(t.repeat(k));
});

// ---- filename (paths as strings; results are charlists, or binaries for binary input)
const F = (names: string, impl: Impl) =>
  def(
    names
      .split(" ")
      .map((n) => `filename:${n}`)
      .join(" "),
    impl,
  );
const posixJoin = (parts: string[]) => {
  let out = "";
  for (const p of parts) {
    if (p.startsWith("/")) out = p;
    else out = out === "" ? p : out.endsWith("/") ? out + p : `${out}/${p}`;
  }
  return (
    out
      .replace(/\/+/g, "/")
      .replace(/(.)\/$/, "$1")
      .replace(/\/\.(?=\/|$)/g, "") || "/"
  );
};
F("join/2", (ev, [a, b], at) => sameKind(a!, posixJoin([textArg(a!, at), textArg(b!, at)])));
F("join/1", (ev, [l], at) => {
  const parts = listArg(l!, at);
  return sameKind(parts[0] ?? [], posixJoin(parts.map((p) => textArg(p, at))));
});
const baseName = (p: string) => {
  const t = p.replace(/\/+$/, "");
  return t.slice(t.lastIndexOf("/") + 1);
};
F("basename/1", (ev, [p], at) => sameKind(p!, baseName(textArg(p!, at))));
F("basename/2", (ev, [p, ext], at) => {
  const b = baseName(textArg(p!, at));
  const e = textArg(ext!, at);
  return sameKind(p!, b.endsWith(e) ? b.slice(0, b.length - e.length) : b);
});
F("dirname/1", (ev, [p], at) => {
  const t = textArg(p!, at);
  const i = t.replace(/\/+$/, "").lastIndexOf("/");
  return sameKind(p!, i < 0 ? "." : i === 0 ? "/" : t.slice(0, i));
});
F("extension/1", (ev, [p], at) => {
  const b = baseName(textArg(p!, at));
  const i = b.lastIndexOf(".");
  return sameKind(p!, i <= 0 ? "" : b.slice(i));
});
F("rootname/1", (ev, [p], at) => {
  const t = textArg(p!, at);
  const b = baseName(t);
  const i = b.lastIndexOf(".");
  return sameKind(p!, i <= 0 ? t : t.slice(0, t.length - (b.length - i)));
});
F("rootname/2", (ev, [p, ext], at) => {
  const t = textArg(p!, at);
  const e = textArg(ext!, at);
  return sameKind(p!, t.endsWith(e) ? t.slice(0, t.length - e.length) : t);
});
F("split/1", (ev, [p], at) => {
  const t = textArg(p!, at);
  const parts = t.split("/").filter((x) => x !== "");
  return (t.startsWith("/") ? ["/", ...parts] : parts).map((x) => sameKind(p!, x));
});
F("absname/1", (ev, [p], at) => sameKind(p!, resolve(ev.hostInfo.cwd, textArg(p!, at))));
F("absname/2", (ev, [p, dir], at) => sameKind(p!, resolve(ev.hostInfo.cwd, textArg(dir!, at), textArg(p!, at))));
F("pathtype/1", (ev, [p], at) => A(isAbsolute(textArg(p!, at)) ? "absolute" : "relative"));

// ---- filelib and file (read-only, inside the project)
def("filelib:is_file/1", (ev, [p], at) => bool(existsSync(ev.projectPath(p!, at, "filelib:is_file/1 of"))));
def("filelib:is_dir/1", (ev, [p], at) => {
  const abs = ev.projectPath(p!, at, "filelib:is_dir/1 of");
  return bool(existsSync(abs) && statSync(abs).isDirectory());
});
def("filelib:is_regular/1", (ev, [p], at) => {
  const abs = ev.projectPath(p!, at, "filelib:is_regular/1 of");
  return bool(existsSync(abs) && statSync(abs).isFile());
});
def("filelib:wildcard/1 filelib:wildcard/2", (ev, [pattern, cwd], at) => {
  const dir = cwd === undefined ? ev.hostInfo.cwd : ev.projectPath(cwd, at, "filelib:wildcard/2 in");
  const pat = textArg(pattern!, at);
  if (isAbsolute(pat) || pat.split("/").includes(".."))
    ev.projectPath(str(pat.split(/[*?[{]/)[0]!.replace(/[^/]*$/, "") || "."), at, "filelib:wildcard/1 of");
  let matches: string[];
  try {
    matches = wildcard(pat, dir);
  } catch (e) {
    if (!(e instanceof GlobError)) throw e;
    // through a symlink out of the project: refused as any path outside it; a malformed pattern: badpattern
    if (e.outside) ev.outside(pat, at, "filelib:wildcard/1 of");
    throw new ErlangException("error", tuple(A("badpattern"), str(e.message)), at);
  }
  ev.alloc(matches.length, at);
  return matches.map((m) => sameKind(pattern!, m));
});
def("file:read_file/1", (ev, [p], at) => {
  const abs = ev.projectPath(p!, at, "file:read_file/1 of");
  if (!existsSync(abs) || !lstatSync(abs).isFile()) return tuple(A("error"), A("enoent"));
  const bytes = readFileSync(abs);
  ev.alloc(bytes.length, at);
  return tuple(A("ok"), new Uint8Array(bytes));
});
def("file:consult/1", (ev, [p], at) => {
  const abs = ev.projectPath(p!, at, "file:consult/1 of");
  if (!existsSync(abs) || !lstatSync(abs).isFile()) return tuple(A("error"), A("enoent"));
  const bytes = readFileSync(abs);
  ev.alloc(bytes.length, at);
  try {
    return tuple(A("ok"), parseTerms(bytes, ev.relativeToCwd(abs)));
  } catch (e) {
    if (!(e instanceof HextsError)) throw e;
    return tuple(A("error"), tuple(A("syntax"), str(e.message)));
  }
});
def("file:get_cwd/0", (ev) => tuple(A("ok"), str(ev.hostInfo.cwd)));

// ---- io_lib
def("io_lib:format/2", (ev, [f, args], at) => {
  chargeWalk(args!);
  const text = need(formatErlang.withArgs(textArg(f!, at), listArg(args!, at)), at);
  ev.alloc(text.length, at);
  return str(text);
});
def("lists:flatten/2", (ev, [l, tail], at) => [
  ...(ev.callRemote("lists", "flatten", [l!], at) as Term[]),
  ...listArg(tail!, at),
]);
