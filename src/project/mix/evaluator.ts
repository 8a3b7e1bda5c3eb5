// A small, safe evaluator for mix.exs: module attributes, literals, interpolation, sigils, `++`/`<>`,
// comparisons, `if`/`unless`, and calls to the module's own functions. Anything else (other modules,
// Mix.env(), System.get_env, File.read!, case/cond/fn...) becomes an `unknown` value that carries the
// reason and position; nothing is guessed and nothing is executed.
import type { Node, Part, Pos } from "./parser.js";
import { EscapeError, unescape } from "./unescape.js";
import { atom, bin, elixirSplitWords, equal, findUnknown, isNil, kwGet, list, nil, toText, truthy, unknown, type Unknown, type Value } from "./values.js";

interface Clause {
  params: Node[];
  guard?: Node;
  body: Node;
  attrs: Map<string, Value>;
  /** Defined inside a module-level `if` whose condition is unknown. */
  blocked?: Unknown;
}

interface Env {
  vars: Map<string, Value>;
  attrs: Map<string, Value>;
  depth: number;
  /** Evaluating a module attribute: the module's own functions do not exist yet. */
  inModuleBody?: boolean;
}

const maxDepth = 64;
const notEvaluated = new Set(["case", "cond", "with", "for", "try", "receive", "quote", "unquote", "raise", "throw", "fn", "send", "spawn", "apply"]);

export class MixModule {
  private readonly functions = new Map<string, Clause[]>();
  /** Attributes as they stand at the end of the module body. */
  readonly attrs = new Map<string, Value>();

  private constructor(
    readonly name: string,
    readonly dir: string,
  ) {}

  /** Finds the module that does `use Mix.Project` and records its attributes and functions. */
  static find(ast: Node, dir: string): MixModule | undefined {
    for (const mod of modules(ast)) {
      const body = doBody(mod.node);
      const exprs = body ? (body.k === "block" ? body.exprs : [body]) : [];
      const usesMix = exprs.some((e) => e.k === "call" && e.name === "use" && e.args[0]?.k === "alias" && e.args[0].name === "Mix.Project");
      if (!usesMix) continue;
      const m = new MixModule(mod.name, dir);
      for (const e of exprs) m.define(e);
      return m;
    }
    return undefined;
  }

  has(name: string, arity: number): boolean {
    return this.functions.has(`${name}/${arity}`);
  }

  /** Calls a function of the module (e.g. `project/0`). */
  call(name: string, args: Value[], at: Pos): Value {
    return this.callLocal(name, args, at, 0);
  }

  private define(e: Node, blocked?: Unknown): void {
    if (e.k === "block") {
      for (const x of e.exprs) this.define(x, blocked);
      return;
    }
    if (e.k === "call" && (e.name === "if" || e.name === "unless") && e.args.length === 2 && e.args[1]!.k === "list") {
      // Functions defined conditionally at module level (`if System.get_env(...) do defp ... end`).
      const opts = e.args[1] as Node & { k: "list" };
      const cond = this.eval(e.args[0]!, { vars: new Map(), attrs: this.attrs, depth: 0, inModuleBody: true });
      const t = truthy(cond);
      if (t === undefined || blocked) {
        const u = blocked ?? findUnknown(cond)!;
        const why = blocked ?? unknown(`it is defined inside an ${e.name} whose condition cannot be evaluated: ${u.why}`, u);
        for (const branch of ["do", "else"]) {
          const body = kwNode(opts, branch);
          if (body) this.define(body, why);
        }
        return;
      }
      const body = kwNode(opts, t === (e.name === "if") ? "do" : "else");
      if (body) this.define(body);
      return;
    }
    if (e.k === "attrSet") {
      if (blocked) {
        this.attrs.set(e.name, blocked);
        return;
      }
      this.attrs.set(e.name, this.eval(e.value, { vars: new Map(), attrs: this.attrs, depth: 0, inModuleBody: true }));
      return;
    }
    if (e.k !== "call" || (e.name !== "def" && e.name !== "defp") || e.args.length < 1) return;
    let head = e.args[0]!;
    let guard: Node | undefined;
    if (head.k === "op" && head.op === "when") {
      guard = head.right;
      head = head.left;
    }
    const opts = e.args[1];
    const body = opts && opts.k === "list" ? kwNode(opts, "do") : undefined;
    if (!body) return;
    let name: string;
    let params: Node[];
    if (head.k === "var") [name, params] = [head.name, []];
    else if (head.k === "call") [name, params] = [head.name, head.args];
    else return;
    const key = `${name}/${params.length}`;
    const clauses = this.functions.get(key) ?? [];
    clauses.push({ params, guard, body, attrs: new Map(this.attrs), ...(blocked ? { blocked } : {}) });
    this.functions.set(key, clauses);
  }

  private callLocal(name: string, args: Value[], at: Pos, depth: number): Value {
    const clauses = this.functions.get(`${name}/${args.length}`);
    if (!clauses) return unknown(`calls ${name}/${args.length}, which is not defined in this module`, at);
    if (depth >= maxDepth) return unknown(`${name}/${args.length} recurses too deeply to evaluate`, at);
    for (const clause of clauses) {
      if (clause.blocked) return unknown(`${name}/${args.length} cannot be evaluated: ${clause.blocked.why}`, clause.blocked);
      const vars = new Map<string, Value>();
      const matched = bindParams(clause.params, args, vars);
      if (matched === undefined) {
        const cause = args.map(findUnknown).find((u) => u !== undefined);
        return cause ? unknown(`cannot decide which clause of ${name}/${args.length} applies: ${cause.why}`, cause) : unknown(`cannot decide which clause of ${name}/${args.length} applies`, at);
      }
      if (!matched) continue;
      if (clause.guard) return unknown(`${name}/${args.length} has a guard (when ...), which is not evaluated`, at);
      return this.eval(clause.body, { vars, attrs: clause.attrs, depth: depth + 1 });
    }
    return unknown(`no clause of ${name}/${args.length} matches`, at);
  }

  eval(n: Node, env: Env): Value {
    switch (n.k) {
      case "int":
        return { t: "int", v: n.v };
      case "float":
        return { t: "float", v: n.v };
      case "atom":
        return atom(n.v);
      case "qatom": {
        const s = this.text(n.parts, env, n, "full");
        return typeof s === "string" ? atom(s) : s;
      }
      case "str": {
        const s = this.text(n.parts, env, n, "full");
        if (typeof s !== "string") return s;
        return n.charlist ? charlist(s) : bin(s);
      }
      case "sigil":
        return this.sigil(n, env);
      case "list": {
        const items = n.items.map((i) => this.eval(i, env));
        if (!n.tail) return list(items);
        const tail = this.eval(n.tail, env);
        if (tail.t === "list") return list([...items, ...tail.v]);
        return tail.t === "unknown" ? tail : unknown("improper lists are not supported", n);
      }
      case "tuple":
        return { t: "tuple", v: n.items.map((i) => this.eval(i, env)) };
      case "map": {
        if (n.struct) return unknown("structs are not evaluated statically", n);
        const entries: Array<[Value, Value]> = n.entries.map(([k, v]) => [this.eval(k, env), this.eval(v, env)]);
        if (!n.base) return { t: "map", v: dedupeMap(entries) };
        const base = this.eval(n.base, env);
        if (base.t !== "map") return base.t === "unknown" ? base : unknown("map update of a value that is not a map", n);
        return { t: "map", v: dedupeMap([...base.v, ...entries]) };
      }
      case "bits":
        return unknown("binaries written as <<...>> are not evaluated statically", n);
      case "var":
        return this.variable(n, env);
      case "alias":
        return atom(`Elixir.${n.name}`);
      case "attr":
        return env.attrs.get(n.name) ?? nil;
      case "attrSet":
        return unknown("setting a module attribute inside a function", n);
      case "call":
        return this.localCall(n, env);
      case "remote":
        return this.remoteCall(n, env);
      case "anonCall":
        return unknown("calls an anonymous function", n);
      case "access": {
        const target = this.eval(n.target, env);
        const key = this.eval(n.key, env);
        return access(target, key, n);
      }
      case "op":
        return this.operator(n, env);
      case "unary":
        return this.unary(n, env);
      case "block": {
        const scope: Env = { ...env, vars: new Map(env.vars) };
        let last: Value = nil;
        for (const e of n.exprs) last = this.eval(e, scope);
        return last;
      }
      case "stabs":
        return unknown("-> clauses are not evaluated statically", n);
      case "fn":
        return unknown("anonymous functions (fn) are not evaluated statically", n);
    }
  }

  private variable(n: Node & { k: "var" }, env: Env): Value {
    const v = env.vars.get(n.name);
    if (v) return v;
    if (n.name === "__MODULE__") return atom(`Elixir.${this.name}`);
    if (n.name === "__DIR__") return bin(this.dir);
    return unknown(`variable ${n.name} is not known statically`, n);
  }

  /** Text of a string-like literal with its interpolations evaluated (String.Chars). */
  private text(parts: Part[], env: Env, at: Pos, mode: "full" | "regex" | "none"): string | Value {
    let out = "";
    for (const p of parts) {
      if ("raw" in p) {
        try {
          out += mode === "none" ? p.raw : unescape(p.raw, mode);
        } catch (e) {
          if (e instanceof EscapeError) return unknown(e.message, at);
          throw e;
        }
        continue;
      }
      const v = this.eval(p.expr, env);
      if (v.t === "unknown") return v;
      const s = toText(v);
      if (s === undefined) return unknown("interpolates a value that has no text form", p);
      out += s;
    }
    return out;
  }

  private sigil(n: Node & { k: "sigil" }, env: Env): Value {
    const lower = n.letter >= "a" && n.letter <= "z";
    switch (n.letter.toLowerCase()) {
      case "s":
      case "c": {
        const s = this.text(n.parts, env, n, lower ? "full" : "none");
        if (typeof s !== "string") return s;
        return n.letter.toLowerCase() === "c" ? charlist(s) : bin(s);
      }
      case "w": {
        const s = this.text(n.parts, env, n, lower ? "full" : "none");
        if (typeof s !== "string") return s;
        const mod = n.mods || "s";
        if (!/^[sac]$/.test(mod)) return unknown(`modifier ${JSON.stringify(n.mods)} of ~${n.letter} is not supported`, n);
        return list(elixirSplitWords(s).map((w) => (mod === "a" ? atom(w) : mod === "c" ? charlist(w) : bin(w))));
      }
      case "r": {
        const s = this.text(n.parts, env, n, lower ? "regex" : "none");
        if (typeof s !== "string") return s;
        return { t: "regex", source: s, mods: n.mods };
      }
      default:
        return unknown(`sigil ~${n.letter} is not evaluated statically`, n);
    }
  }

  private localCall(n: Node & { k: "call" }, env: Env): Value {
    const { name } = n;
    if (name === "if" || name === "unless") return this.conditional(n, env);
    if (notEvaluated.has(name)) return unknown(`${name} is not evaluated statically`, n);
    if (name === "to_string" && n.args.length === 1 && !this.has("to_string", 1)) {
      const v = this.eval(n.args[0]!, env);
      if (v.t === "unknown") return v;
      const s = toText(v);
      return s === undefined ? unknown("to_string/1 of a value that has no text form", n) : bin(s);
    }
    if (env.inModuleBody) return unknown(`a module attribute cannot call ${name}/${n.args.length} of the module being defined`, n);
    const args = n.args.map((a) => this.eval(a, env));
    return this.callLocal(name, args, n, env.depth);
  }

  private conditional(n: Node & { k: "call" }, env: Env): Value {
    const opts = n.args[1];
    if (n.args.length !== 2 || !opts || opts.k !== "list") return unknown(`${n.name} without do/else is not supported`, n);
    const condition = this.eval(n.args[0]!, env);
    const cond = truthy(condition);
    if (cond === undefined) {
      const u = findUnknown(condition)!;
      return unknown(`the condition of ${n.name} cannot be evaluated: ${u.why}`, u);
    }
    const pick = cond === (n.name === "if") ? "do" : "else";
    const branch = kwNode(opts, pick);
    return branch ? this.eval(branch, env) : nil;
  }

  private remoteCall(n: Node & { k: "remote" }, env: Env): Value {
    const target = n.target.k === "alias" ? undefined : this.eval(n.target, env);
    if (target && target.t === "map" && n.args.length === 0 && !n.parens) {
      const v = kwGet(target, n.name);
      return v ?? unknown(`key :${n.name} not found in map`, n);
    }
    if (target && target.t === "unknown") return target;
    // An argument that is already unknown is the root cause (`File.read!(p) |> String.trim()`).
    for (const a of n.args) {
      const u = findUnknown(this.eval(a, env));
      if (u) return u;
    }
    const mod = n.target.k === "alias" ? n.target.name : target && target.t === "atom" ? target.v.replace(/^Elixir\./, "") : "(expression)";
    const fun = `${mod}.${n.name}/${n.args.length}`;
    if (mod === "Mix" && n.name === "env") return unknown("Mix.env() depends on MIX_ENV when mix runs", n);
    if (mod === "System") return unknown(`${fun} ${/^(get_env|fetch_env!?)$/.test(n.name) ? "reads an environment variable" : "depends on the system"} when mix runs`, n);
    if (mod === "File" || mod === "Path") return unknown(`${fun} depends on the file system when mix runs`, n);
    return unknown(`${fun} is a call into another module, which hexts does not run`, n);
  }

  private unary(n: Node & { k: "unary" }, env: Env): Value {
    const v = this.eval(n.arg, env);
    if (v.t === "unknown") return v;
    switch (n.op) {
      case "-":
      case "+":
        if (v.t === "int") return { t: "int", v: n.op === "-" ? -v.v : v.v };
        if (v.t === "float") return { t: "float", v: n.op === "-" ? -v.v : v.v };
        return unknown(`unary ${n.op} of a value that is not a number`, n);
      case "!":
        return atom(truthy(v) ? "false" : "true");
      case "not":
        return v.t === "atom" && (v.v === "true" || v.v === "false") ? atom(v.v === "true" ? "false" : "true") : unknown("not/1 of a value that is not a boolean", n);
      default:
        return unknown(`operator ${n.op} is not evaluated statically`, n);
    }
  }

  private operator(n: Node & { k: "op" }, env: Env): Value {
    const { op } = n;
    if (op === "=") return this.match(n, env);
    if (op === "|>") return this.pipe(n, env);
    const l = this.eval(n.left, env);
    if (op === "&&" || op === "||") {
      const t = truthy(l);
      if (t === undefined) return l;
      return (op === "&&") === t ? this.eval(n.right, env) : l;
    }
    if (op === "and" || op === "or") {
      if (l.t === "unknown") return l;
      if (l.t !== "atom" || (l.v !== "true" && l.v !== "false")) return unknown(`${op} needs a boolean on its left`, n);
      return (op === "and") === (l.v === "true") ? this.eval(n.right, env) : l;
    }
    const r = this.eval(n.right, env);
    if (l.t === "unknown") return l;
    if (r.t === "unknown") return r;
    switch (op) {
      case "++":
        if (l.t === "list" && r.t === "list") return list([...l.v, ...r.v]);
        break;
      case "--":
        if (l.t === "list" && r.t === "list") return listSubtract(l.v, r.v, n);
        break;
      case "<>":
        if (l.t === "bin" && r.t === "bin") return bin(l.v + r.v);
        break;
      case "==":
      case "!=":
      case "===":
      case "!==": {
        const e = equal(l, r, op.length === 3);
        if (e === undefined) return findUnknown(l) ?? findUnknown(r)!;
        return atom(String(op.startsWith("=") ? e : !e));
      }
      case "in":
      case "not in": {
        if (r.t !== "list") break;
        let found: boolean | undefined = false;
        for (const x of r.v) {
          const e = equal(l, x);
          if (e) {
            found = true;
            break;
          }
          if (e === undefined) found = undefined;
        }
        if (found === undefined) return findUnknown(l) ?? findUnknown(r)!;
        return atom(String(op === "in" ? found : !found));
      }
      case "+":
      case "-":
      case "*":
        if (l.t === "int" && r.t === "int") return { t: "int", v: op === "+" ? l.v + r.v : op === "-" ? l.v - r.v : l.v * r.v };
        break;
      case "<":
      case ">":
      case "<=":
      case ">=":
        if ((l.t === "int" || l.t === "float") && (r.t === "int" || r.t === "float")) {
          const a = Number(l.v);
          const b = Number(r.v);
          return atom(String(op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b));
        }
        break;
      case "=~":
        if (l.t === "bin" && r.t === "bin") return atom(String(l.v.includes(r.v)));
        break;
    }
    return unknown(`operator ${op} on these values is not evaluated statically`, n);
  }

  private match(n: Node & { k: "op" }, env: Env): Value {
    const v = this.eval(n.right, env);
    if (n.left.k === "var") {
      if (!n.left.name.startsWith("_")) env.vars.set(n.left.name, v);
      return v;
    }
    const why = unknown("pattern matching with = is only evaluated for a plain variable", n);
    for (const name of varsOf(n.left)) env.vars.set(name, why);
    return v;
  }

  private pipe(n: Node & { k: "op" }, env: Env): Value {
    const r = n.right;
    if (r.k === "call") return this.eval({ ...r, args: [n.left, ...r.args] }, env);
    if (r.k === "remote") return this.eval({ ...r, args: [n.left, ...r.args], parens: true }, env);
    if (r.k === "var") return this.eval({ k: "call", name: r.name, args: [n.left], parens: false, line: r.line, col: r.col }, env);
    return unknown("|> into something that is not a call", n);
  }
}

/** Binds clause parameters; false when a literal does not match, undefined when it cannot be decided. */
function bindParams(params: Node[], args: Value[], vars: Map<string, Value>): boolean | undefined {
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const a = args[i]!;
    if (p.k === "var") {
      if (!p.name.startsWith("_")) vars.set(p.name, a);
      continue;
    }
    if (p.k === "atom" || p.k === "int" || (p.k === "str" && p.parts.length === 1 && "raw" in p.parts[0]! && !p.parts[0].raw.includes("\\"))) {
      const lit: Value = p.k === "atom" ? atom(p.v) : p.k === "int" ? { t: "int", v: p.v } : p.charlist ? charlist((p.parts[0] as { raw: string }).raw) : bin((p.parts[0] as { raw: string }).raw);
      const e = equal(lit, a, true);
      if (e === undefined) return undefined;
      if (!e) return false;
      continue;
    }
    return undefined;
  }
  return true;
}

function varsOf(n: Node): string[] {
  switch (n.k) {
    case "var":
      return [n.name];
    case "list":
    case "tuple":
      return [...n.items.flatMap(varsOf), ...(n.k === "list" && n.tail ? varsOf(n.tail) : [])];
    case "map":
      return n.entries.flatMap(([, v]) => varsOf(v));
    case "op":
      return [...varsOf(n.left), ...varsOf(n.right)];
    default:
      return [];
  }
}

function access(target: Value, key: Value, at: Pos): Value {
  if (target.t === "unknown") return target;
  if (key.t === "unknown") return key;
  if (isNil(target)) return nil;
  if (target.t === "list") {
    if (key.t !== "atom") return unknown("keyword access needs an atom key", at);
    for (const item of target.v) {
      if (item.t === "unknown") return item;
      if (item.t === "tuple" && item.v.length === 2 && item.v[0]!.t === "atom" && item.v[0]!.v === key.v) return item.v[1]!;
    }
    return nil;
  }
  if (target.t === "map") {
    for (const [k, v] of target.v) {
      const e = equal(k, key, true);
      if (e === undefined) return findUnknown(k)!;
      if (e) return v;
    }
    return nil;
  }
  return unknown("access (x[key]) on a value that is neither a keyword list nor a map", at);
}

function listSubtract(a: Value[], b: Value[], at: Pos): Value {
  const out = [...a];
  for (const x of b) {
    const i = out.findIndex((y) => equal(y, x, true) === true);
    if (i >= 0) out.splice(i, 1);
    else if (findUnknown(x)) return unknown("-- with values that are not known statically", at);
  }
  return list(out);
}

function dedupeMap(entries: Array<[Value, Value]>): Array<[Value, Value]> {
  const out: Array<[Value, Value]> = [];
  for (const [k, v] of entries) {
    const i = out.findIndex(([k2]) => equal(k, k2, true) === true);
    if (i >= 0) out[i] = [k, v];
    else out.push([k, v]);
  }
  return out;
}

function charlist(s: string): Value {
  return list([...s].map((c) => ({ t: "int", v: BigInt(c.codePointAt(0)!) }) as Value));
}

function kwNode(kw: Node & { k: "list" }, key: string): Node | undefined {
  for (const item of kw.items) if (item.k === "tuple" && item.items[0]?.k === "atom" && item.items[0].v === key) return item.items[1];
  return undefined;
}

function doBody(defmodule: Node & { k: "call" }): Node | undefined {
  const opts = defmodule.args[1];
  return opts && opts.k === "list" ? kwNode(opts, "do") : undefined;
}

/** Every `defmodule Name do ... end` in the file, nested ones included. */
function modules(ast: Node, prefix = ""): Array<{ name: string; node: Node & { k: "call" } }> {
  const out: Array<{ name: string; node: Node & { k: "call" } }> = [];
  const exprs = ast.k === "block" ? ast.exprs : [ast];
  for (const e of exprs) {
    if (e.k !== "call" || e.name !== "defmodule" || e.args[0]?.k !== "alias") continue;
    const name = prefix + e.args[0].name;
    out.push({ name, node: e });
    const body = doBody(e);
    if (body) out.push(...modules(body, `${name}.`));
  }
  return out;
}
