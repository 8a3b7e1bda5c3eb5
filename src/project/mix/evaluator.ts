// A small, safe evaluator for mix.exs: module attributes, literals, interpolation, sigils, `++`/`<>`,
// comparisons, `if`/`unless`, and calls to the module's own functions. Anything else (other modules,
// Mix.env(), System.get_env, File.read!, case/cond/fn...) becomes an `unknown` value that carries the
// reason and position; nothing is guessed and nothing is executed.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { posix, resolve as pathResolve, sep as pathSep } from "node:path";
import { parseVersion } from "../../package/checks-version.js";
import { matchesRequirement } from "../../registry/requirement.js";
import type { Node, Part, Pos } from "./parser.js";
import { EscapeError, unescape } from "./unescape.js";
import {
  atom,
  bin,
  elixirSplitWords,
  elixirTrim,
  equal,
  findUnknown,
  isNil,
  kwGet,
  list,
  nil,
  toText,
  truthy,
  unknown,
  type Unknown,
  type Value,
} from "./values.js";

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

/** What mix.exs may read: files inside the project, the environment (without hexts's secrets), and how to decide
 * conditions that depend on what hexts cannot know (the Elixir version...). */
export interface MixHost {
  /** The project root: file reads stay inside it. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * How to decide the n-th condition that cannot be evaluated (true/false); when undefined for that index the
   * condition is assumed true and recorded, so the caller can evaluate every branch. No decisions at all: such a
   * condition is an unknown value, as before.
   */
  decisions?: boolean[];
  /** Filled in: each condition decided through `decisions`, in order, with the file it is in. */
  decided?: Array<Unknown & { file: string }>;
  /** The file being evaluated (for `decided`). */
  file?: string;
}

/** Budgets of one evaluation of mix.exs: expressions evaluated, and list cells / characters built. */
export const MIX_LIMITS = { steps: 1_000_000, cells: 8_000_000 };

/** Evaluating mix.exs went over a budget: a located, typed error instead of a hang or an aborted V8. */
export class MixEvalLimit extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(what);
  }
}
const notEvaluated = new Set([
  "case",
  "cond",
  "with",
  "for",
  "try",
  "receive",
  "quote",
  "unquote",
  "raise",
  "throw",
  "fn",
  "send",
  "spawn",
  "apply",
]);

export class MixModule {
  private readonly functions = new Map<string, Clause[]>();
  /** Attributes as they stand at the end of the module body. */
  readonly attrs = new Map<string, Value>();
  private steps = 0;
  private cells = 0;

  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly host: MixHost,
  ) {}

  /** Finds the module that does `use Mix.Project` and records its attributes and functions. */
  static find(ast: Node, dir: string, host: MixHost = { root: dir, env: {} }): MixModule | undefined {
    for (const mod of modules(ast)) {
      const body = doBody(mod.node);
      const exprs = body ? (body.k === "block" ? body.exprs : [body]) : [];
      const usesMix = exprs.some(
        (e) => e.k === "call" && e.name === "use" && e.args[0]?.k === "alias" && e.args[0].name === "Mix.Project",
      );
      if (!usesMix) continue;
      const m = new MixModule(mod.name, dir, host);
      for (const e of exprs) m.define(e);
      return m;
    }
    return undefined;
  }

  get hostRoot(): string {
    return this.host.root;
  }

  get hostEnv(): Readonly<Record<string, string | undefined>> {
    return this.host.env;
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
      let t = truthy(cond);
      if (t === undefined && !blocked) t = this.decide(findUnknown(cond)!, e);
      if (t === undefined || blocked) {
        const u = blocked ?? findUnknown(cond)!;
        const why =
          blocked ?? unknown(`it is defined inside an ${e.name} whose condition cannot be evaluated: ${u.why}`, u);
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
      if (clause.blocked)
        return unknown(`${name}/${args.length} cannot be evaluated: ${clause.blocked.why}`, clause.blocked);
      const vars = new Map<string, Value>();
      const matched = bindParams(clause.params, args, vars);
      if (matched === undefined) {
        const cause = args.map(findUnknown).find((u) => u !== undefined);
        return cause
          ? unknown(`cannot decide which clause of ${name}/${args.length} applies: ${cause.why}`, cause)
          : unknown(`cannot decide which clause of ${name}/${args.length} applies`, at);
      }
      if (!matched) continue;
      if (clause.guard) return unknown(`${name}/${args.length} has a guard (when ...), which is not evaluated`, at);
      return this.eval(clause.body, { vars, attrs: clause.attrs, depth: depth + 1 });
    }
    return unknown(`no clause of ${name}/${args.length} matches`, at);
  }

  /** Counts `n` list cells or characters about to be built. */
  alloc(n: number, at: Pos): void {
    this.cells += n;
    if (this.cells > MIX_LIMITS.cells)
      throw new MixEvalLimit(
        `evaluating it builds more than ${MIX_LIMITS.cells} list elements or characters; hexts stops there`,
        at.line,
        at.col,
      );
  }

  eval(n: Node, env: Env): Value {
    if (++this.steps > MIX_LIMITS.steps)
      throw new MixEvalLimit(
        `evaluating it takes more than ${MIX_LIMITS.steps} steps (a function that calls itself without end?); ` +
          "hexts stops there",
        n.line,
        n.col,
      );
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
        this.alloc(n.items.length, n);
        const items = n.items.map((i) => this.eval(i, env));
        if (!n.tail) return list(items);
        const tail = this.eval(n.tail, env);
        if (tail.t === "list") {
          this.alloc(tail.v.length, n);
          return list([...items, ...tail.v]);
        }
        return tail.t === "unknown" ? tail : unknown("improper lists are not supported", n);
      }
      case "tuple":
        return { t: "tuple", v: n.items.map((i) => this.eval(i, env)) };
      case "map": {
        if (n.struct) return unknown("structs are not evaluated statically", n);
        const entries: Array<[Value, Value]> = n.entries.map(([k, v]) => [this.eval(k, env), this.eval(v, env)]);
        if (!n.base) return { t: "map", v: dedupeMap(entries) };
        const base = this.eval(n.base, env);
        if (base.t !== "map")
          return base.t === "unknown" ? base : unknown("map update of a value that is not a map", n);
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
        if (!/^[sac]$/.test(mod))
          return unknown(`modifier ${JSON.stringify(n.mods)} of ~${n.letter} is not supported`, n);
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
    if (env.inModuleBody)
      return unknown(`a module attribute cannot call ${name}/${n.args.length} of the module being defined`, n);
    const args = n.args.map((a) => this.eval(a, env));
    return this.callLocal(name, args, n, env.depth);
  }

  /** A condition that cannot be evaluated: decided by the host (every branch gets evaluated), or undefined. */
  private decide(u: Unknown, at: Pos): boolean | undefined {
    const decisions = this.host.decisions;
    if (!decisions) return undefined;
    const decided = (this.host.decided ??= []);
    const i = decided.length;
    decided.push({ ...unknown(u.why, { line: at.line, col: at.col }), file: this.host.file ?? "mix.exs" });
    return decisions[i] ?? true;
  }

  private conditional(n: Node & { k: "call" }, env: Env): Value {
    const opts = n.args[1];
    if (n.args.length !== 2 || !opts || opts.k !== "list")
      return unknown(`${n.name} without do/else is not supported`, n);
    const condition = this.eval(n.args[0]!, env);
    let cond = truthy(condition);
    if (cond === undefined) cond = this.decide(findUnknown(condition)!, n);
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
    const args = n.args.map((a) => this.eval(a, env));
    for (const a of args) {
      const u = findUnknown(a);
      if (u) return u;
    }
    const mod =
      n.target.k === "alias"
        ? n.target.name
        : target && target.t === "atom"
          ? target.v.replace(/^Elixir\./, "")
          : "(expression)";
    const fun = `${mod}.${n.name}/${n.args.length}`;
    const known = callHelper(this, mod, n.name, args, n);
    if (known !== undefined) return known;
    if (mod === "System" && /^(version|otp_release)$/.test(n.name))
      return unknown(`${fun} is the ${n.name === "version" ? "Elixir version" : "OTP release"} mix runs on`, n);
    if (mod === "System") return unknown(`${fun} depends on the system when mix runs`, n);
    if (mod === "File" || mod === "Path") return unknown(`${fun} is not one of the file helpers hexts evaluates`, n);
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
        return v.t === "atom" && (v.v === "true" || v.v === "false")
          ? atom(v.v === "true" ? "false" : "true")
          : unknown("not/1 of a value that is not a boolean", n);
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
        if (l.t === "list" && r.t === "list") {
          this.alloc(l.v.length + r.v.length, n);
          return list([...l.v, ...r.v]);
        }
        break;
      case "--":
        if (l.t === "list" && r.t === "list") return listSubtract(l.v, r.v, n);
        break;
      case "<>":
        if (l.t === "bin" && r.t === "bin") {
          this.alloc(l.v.length + r.v.length, n);
          return bin(l.v + r.v);
        }
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
        if (l.t === "int" && r.t === "int")
          return { t: "int", v: op === "+" ? l.v + r.v : op === "-" ? l.v - r.v : l.v * r.v };
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
    if (r.k === "var")
      return this.eval({ k: "call", name: r.name, args: [n.left], parens: false, line: r.line, col: r.col }, env);
    return unknown("|> into something that is not a call", n);
  }
}

// ---------------------------------------------------------------- read-only helpers mix.exs files use

const textOfValue = (v: Value): string | undefined => (v.t === "bin" ? v.v : undefined);
const boolValue = (b: boolean): Value => atom(b ? "true" : "false");

/** The absolute path of a project file, or an unknown when it leaves the project (symlinks resolved). */
function projectFile(m: MixModule, p: Value, at: Pos, fun: string): string | Unknown {
  const text = textOfValue(p);
  if (text === undefined) return unknown(`${fun} of a value that is not a string`, at);
  const abs = pathResolve(m.dir, text);
  const root = m.hostRoot;
  const inside = (x: string) => x === root || x.startsWith(root + pathSep);
  let real = abs;
  try {
    real = realpathSync(abs);
  } catch {
    real = abs;
  }
  if (!inside(abs) || !inside(real))
    return unknown(`${fun} reads ${JSON.stringify(text)}, outside the project; hexts reads only files inside it`, at);
  return abs;
}

/**
 * The library calls mix.exs files make to compute their metadata, evaluated read-only; undefined when `mod.name`
 * is not one of them (the caller then reports it as unknown).
 */
function callHelper(m: MixModule, mod: string, name: string, args: Value[], at: Pos): Value | undefined {
  const [a, b, c] = args;
  const s = (v: Value | undefined) => (v ? textOfValue(v) : undefined);
  switch (`${mod}.${name}/${args.length}`) {
    case "Mix.env/0":
      // mix hex.build runs in the environment it is started in: MIX_ENV, else :dev.
      return atom(m.hostEnv.MIX_ENV || "dev");
    case "System.get_env/1":
    case "System.get_env/2": {
      const key = s(a);
      if (key === undefined) return unknown("System.get_env/1 of a value that is not a string", at);
      const v = m.hostEnv[key];
      return v !== undefined ? bin(v) : (b ?? nil);
    }
    case "Code.ensure_loaded?/1":
      return boolValue(false); // no module of a dependency is loaded when hexts reads mix.exs
    case "File.read!/1":
    case "File.read/1": {
      const abs = projectFile(m, a!, at, `File.${name}/1`);
      if (typeof abs !== "string") return abs;
      let text: string;
      try {
        if (!statSync(abs).isFile()) throw new Error("not a file");
        text = readFileSync(abs, "utf8");
      } catch {
        return name === "read"
          ? { t: "tuple", v: [atom("error"), atom("enoent")] }
          : unknown(`File.read!/1: ${s(a)} does not exist`, at);
      }
      m.alloc(text.length, at);
      return name === "read" ? { t: "tuple", v: [atom("ok"), bin(text)] } : bin(text);
    }
    case "File.exists?/1":
    case "File.regular?/1":
    case "File.dir?/1": {
      const abs = projectFile(m, a!, at, `File.${name}/1`);
      if (typeof abs !== "string") return abs;
      if (!existsSync(abs)) return boolValue(false);
      const st = statSync(abs);
      return boolValue(name === "exists?" || (name === "dir?" ? st.isDirectory() : st.isFile()));
    }
    case "Path.join/2":
      return s(a) !== undefined && s(b) !== undefined ? bin(posix.join(s(a)!, s(b)!)) : undefined;
    case "Path.join/1":
      if (a?.t === "list" && a.v.every((x) => x.t === "bin"))
        return bin(posix.join(...a.v.map((x) => (x as { v: string }).v)));
      return undefined;
    case "Path.expand/1":
    case "Path.absname/1":
      return s(a) !== undefined ? bin(pathResolve(m.dir, s(a)!)) : undefined;
    case "Path.expand/2":
      return s(a) !== undefined && s(b) !== undefined ? bin(pathResolve(m.dir, s(b)!, s(a)!)) : undefined;
    case "Path.dirname/1":
      return s(a) !== undefined ? bin(posix.dirname(s(a)!)) : undefined;
    case "Path.basename/1":
      return s(a) !== undefined ? bin(posix.basename(s(a)!)) : undefined;
    case "Path.basename/2":
      return s(a) !== undefined && s(b) !== undefined ? bin(posix.basename(s(a)!, s(b)!)) : undefined;
    case "Path.extname/1":
      return s(a) !== undefined ? bin(posix.extname(s(a)!)) : undefined;
    case "Path.rootname/1":
      return s(a) !== undefined ? bin(s(a)!.slice(0, s(a)!.length - posix.extname(s(a)!).length)) : undefined;
    case "String.trim/1":
      return s(a) !== undefined ? bin(elixirTrim(s(a)!)) : undefined;
    case "String.trim_trailing/1":
      return s(a) !== undefined ? bin(s(a)!.replace(/[\s\u0085]+$/u, "")) : undefined;
    case "String.trim_leading/1":
      return s(a) !== undefined ? bin(s(a)!.replace(/^[\s\u0085]+/u, "")) : undefined;
    case "String.upcase/1":
      return s(a) !== undefined ? bin(s(a)!.toUpperCase()) : undefined;
    case "String.downcase/1":
      return s(a) !== undefined ? bin(s(a)!.toLowerCase()) : undefined;
    case "String.split/1":
      return s(a) !== undefined ? list(elixirSplitWords(s(a)!).map(bin)) : undefined;
    case "String.split/2":
      return s(a) !== undefined && s(b) !== undefined ? list(s(a)!.split(s(b)!).map(bin)) : undefined;
    case "String.replace/3":
      return s(a) !== undefined && s(b) !== undefined && s(c) !== undefined
        ? bin(s(a)!.split(s(b)!).join(s(c)!))
        : undefined;
    case "String.starts_with?/2":
      return s(a) !== undefined && s(b) !== undefined ? boolValue(s(a)!.startsWith(s(b)!)) : undefined;
    case "String.ends_with?/2":
      return s(a) !== undefined && s(b) !== undefined ? boolValue(s(a)!.endsWith(s(b)!)) : undefined;
    case "String.contains?/2":
      return s(a) !== undefined && s(b) !== undefined ? boolValue(s(a)!.includes(s(b)!)) : undefined;
    case "String.to_atom/1":
      return s(a) !== undefined ? atom(s(a)!) : undefined;
    case "String.to_integer/1":
      return s(a) !== undefined && /^[+-]?\d+$/.test(s(a)!) ? { t: "int", v: BigInt(s(a)!) } : undefined;
    case "Version.parse!/1":
      // Kept as its text: what mix.exs files do with it is interpolate it or pass it on as the version.
      return s(a) !== undefined && parseVersion(s(a)!) ? bin(s(a)!) : undefined;
    case "Version.match?/2":
      return s(a) !== undefined && s(b) !== undefined && parseVersion(s(a)!)
        ? boolValue(matchesRequirement(s(a)!, s(b)!))
        : undefined;
    case "Enum.join/1":
    case "Enum.join/2":
      if (a?.t === "list" && a.v.every((x) => toText(x) !== undefined) && (b === undefined || s(b) !== undefined))
        return bin(a.v.map((x) => toText(x)!).join(s(b) ?? ""));
      return undefined;
    case "Enum.concat/2":
      return a?.t === "list" && b?.t === "list"
        ? (m.alloc(a.v.length + b.v.length, at), list([...a.v, ...b.v]))
        : undefined;
    case "Enum.reverse/1":
      return a?.t === "list" ? list([...a.v].reverse()) : undefined;
    case "Enum.uniq/1":
      return a?.t === "list"
        ? list(a.v.filter((x, i) => a.v.findIndex((y) => equal(x, y, true) === true) === i))
        : undefined;
    case "Enum.member?/2":
      return a?.t === "list" && b && !findUnknown(a) && !findUnknown(b)
        ? boolValue(a.v.some((x) => equal(x, b, true) === true))
        : undefined;
    case "List.flatten/1":
      return a?.t === "list" ? list(flattenList(a.v)) : undefined;
    case "Keyword.get/2":
    case "Keyword.get/3":
    case "Map.get/2":
    case "Map.get/3": {
      if (!a || !b || findUnknown(b)) return undefined;
      if (a.t === "list" || a.t === "map") {
        const pairs =
          a.t === "map"
            ? a.v
            : a.v.map((x) =>
                x.t === "tuple" && x.v.length === 2 ? ([x.v[0]!, x.v[1]!] as [Value, Value]) : undefined,
              );
        if (pairs.some((p) => p === undefined || findUnknown(p[0]))) return undefined;
        const found = (pairs as [Value, Value][])[mod === "Keyword" ? "findLast" : "find"]?.(
          (p) => equal(p[0], b, true) === true,
        );
        const hit = mod === "Keyword" ? (pairs as [Value, Value][]).find((p) => equal(p[0], b, true) === true) : found;
        return hit ? hit[1] : (c ?? nil);
      }
      return undefined;
    }
    case "Keyword.merge/2":
    case "Map.merge/2":
      if (a?.t === "list" && b?.t === "list") {
        const keys = new Set(b.v.map((x) => (x.t === "tuple" && x.v[0]?.t === "atom" ? x.v[0].v : "\0")));
        return list([...a.v.filter((x) => !(x.t === "tuple" && x.v[0]?.t === "atom" && keys.has(x.v[0].v))), ...b.v]);
      }
      if (a?.t === "map" && b?.t === "map")
        return { t: "map", v: [...a.v.filter(([k]) => !b.v.some(([k2]) => equal(k, k2, true) === true)), ...b.v] };
      return undefined;
    case "Keyword.put/3":
    case "Map.put/3":
      if (a?.t === "list" && b?.t === "atom" && c)
        return list([
          ...a.v.filter((x) => !(x.t === "tuple" && x.v[0]?.t === "atom" && x.v[0].v === b.v)),
          { t: "tuple", v: [b, c] },
        ]);
      if (a?.t === "map" && b && c && !findUnknown(b))
        return { t: "map", v: [...a.v.filter(([k]) => equal(k, b, true) !== true), [b, c]] };
      return undefined;
    case "Map.new/1":
      if (a?.t === "list" && a.v.every((x) => x.t === "tuple" && x.v.length === 2))
        return {
          t: "map",
          v: a.v.map((x) => [(x as { v: Value[] }).v[0]!, (x as { v: Value[] }).v[1]!] as [Value, Value]),
        };
      if (a?.t === "map") return a;
      return undefined;
  }
  return undefined;
}

function flattenList(items: Value[]): Value[] {
  return items.flatMap((x) => (x.t === "list" ? flattenList(x.v) : [x]));
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
    if (
      p.k === "atom" ||
      p.k === "int" ||
      (p.k === "str" && p.parts.length === 1 && "raw" in p.parts[0]! && !p.parts[0].raw.includes("\\"))
    ) {
      const lit: Value =
        p.k === "atom"
          ? atom(p.v)
          : p.k === "int"
            ? { t: "int", v: p.v }
            : p.charlist
              ? charlist((p.parts[0] as { raw: string }).raw)
              : bin((p.parts[0] as { raw: string }).raw);
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
      if (item.t === "tuple" && item.v.length === 2 && item.v[0]!.t === "atom" && item.v[0]!.v === key.v)
        return item.v[1]!;
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
  for (const item of kw.items)
    if (item.k === "tuple" && item.items[0]?.k === "atom" && item.items[0].v === key) return item.items[1];
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
