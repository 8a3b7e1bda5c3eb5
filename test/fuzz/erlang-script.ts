// Generated rebar.config.script and src/APP.app.src.script inputs (issue 11 §3): real-looking scripts built from
// the expression grammar such scripts are written in (case/if/begin/try, funs and named recursive funs, list
// comprehensions, maps, binaries, the library calls they make), with the hostile parts mixed in: deep nesting,
// huge integers, long strings and binaries, doubling and unbounded recursion, file:consult / file:read_file /
// filelib:wildcard of paths that leave the project, os:getenv of hexts's own secrets.

/** What a path-taking call in a generated script may name; the fuzz target lays these out around the project. */
export const SCRIPT_PATHS = [
  "rebar.config",
  "src/fuzz.app.src",
  "src",
  "VERSION",
  "missing.config",
  "../outside.config",
  "/etc/passwd",
  "link.config",
  "updir/outside.config",
  "src/../../outside.config",
  "./../p/../outside.config",
  "/",
  "..",
  "",
];
const GLOBS = ["*", "src/*", "**/*.config", "../*", "/**", "{src,..}/*", "updir/*", "[a-z]*", "../../**/passwd"];
/** Environment names a script may read; the fuzz worker sets the secrets to a marker that must never come back. */
export const SCRIPT_ENV_NAMES = ["HOME", "PATH", "HEX_API_KEY", "HEXPM_API_KEY", "HEX_OTP", "HEX_LOCAL_PASSWORD", "X"];

const ATOMS = ["ok", "error", "deps", "hex", "erl_opts", "vsn", "true", "false", "undefined", "'quoted atom'", "x"];
const MODS_CALLS: [string, number][] = [
  ["lists:reverse", 1],
  ["lists:append", 2],
  ["lists:flatten", 1],
  ["lists:member", 2],
  ["lists:nth", 2],
  ["lists:seq", 2],
  ["lists:duplicate", 2],
  ["lists:keyfind", 3],
  ["lists:keystore", 4],
  ["lists:keydelete", 3],
  ["lists:sort", 1],
  ["lists:usort", 1],
  ["lists:uniq", 1],
  ["lists:subtract", 2],
  ["lists:sum", 1],
  ["lists:max", 1],
  ["lists:zip", 2],
  ["lists:sublist", 3],
  ["lists:split", 2],
  ["lists:join", 2],
  ["lists:concat", 1],
  ["proplists:get_value", 2],
  ["proplists:get_value", 3],
  ["proplists:delete", 2],
  ["proplists:get_keys", 1],
  ["maps:from_list", 1],
  ["maps:get", 3],
  ["maps:put", 3],
  ["maps:to_list", 1],
  ["string:trim", 1],
  ["string:split", 3],
  ["string:tokens", 2],
  ["string:join", 2],
  ["string:copies", 2],
  ["string:replace", 4],
  ["string:slice", 3],
  ["string:substr", 3],
  ["string:to_integer", 1],
  ["string:chr", 2],
  ["filename:join", 2],
  ["filename:join", 1],
  ["filename:basename", 1],
  ["filename:dirname", 1],
  ["filename:absname", 1],
  ["filename:split", 1],
  ["io_lib:format", 2],
  ["erlang:element", 2],
  ["erlang:setelement", 3],
  ["erlang:list_to_tuple", 1],
  ["erlang:tuple_to_list", 1],
  ["erlang:list_to_binary", 1],
  ["erlang:binary_to_list", 1],
  ["erlang:integer_to_list", 1],
  ["erlang:list_to_integer", 1],
  ["erlang:list_to_atom", 1],
  ["erlang:atom_to_list", 1],
  ["erlang:iolist_to_binary", 1],
  ["erlang:abs", 1],
  ["erlang:max", 2],
  ["erlang:hd", 1],
  ["erlang:tl", 1],
  ["erlang:length", 1],
  ["length", 1],
  ["hd", 1],
  ["element", 2],
  ["is_list", 1],
  ["is_integer", 1],
  ["integer_to_list", 1],
  ["list_to_binary", 1],
  ["binary_to_list", 1],
  ["atom_to_list", 1],
  ["throw", 1],
  ["error", 1],
  ["unknown_module:call", 1],
];
/** Higher-order calls: name, the fun's arity, how many arguments come between the fun and the list. */
const FUN_CALLS: [string, number, number][] = [
  ["lists:map", 1, 0],
  ["lists:filter", 1, 0],
  ["lists:foldl", 2, 1],
  ["lists:foldr", 2, 1],
  ["lists:any", 1, 0],
  ["lists:flatmap", 1, 0],
  ["lists:sort", 2, 0],
  ["lists:foreach", 1, 0],
  ["maps:fold", 3, 1],
  ["maps:map", 2, 0],
];
const BINOPS = ["+", "-", "*", "div", "rem", "++", "--", "==", "=:=", "/=", "<", ">=", "andalso", "orelse"];
const INT_OPS = ["band", "bor", "bxor", "bsl", "bsr", "*", "+", "-", "div", "rem"];
const FORMATS = ['"~s"', '"~p"', '"~w~n"', '"~b"', '"~c"', '"~ts-~p"', '"~~"', '"~s~s"', '"~f"', '"~e"', '"~x"'];
/** Bodies of a fold that doubles, nests or multiplies its accumulator on every step. */
const GROWING_ACC = [
  "{Acc}",
  "[Acc]",
  "[Acc, Acc]",
  "Acc ++ Acc",
  "<<Acc/binary, Acc/binary>>",
  "Acc * Acc",
  "{Acc, Acc}",
];
const APPLIED_FUNS = ["fun lists:reverse/1", "fun erlang:length/1", "fun os:getenv/1", "fun file:consult/1"];
/** Built-in functions called with generated arguments. */
const BIFS = [
  "element",
  "setelement",
  "hd",
  "tl",
  "length",
  "abs",
  "list_to_integer",
  "binary_to_list",
  "iolist_to_binary",
  "atom_to_list",
  "list_to_atom",
  "integer_to_list",
];

/** The generator: a small deterministic PRNG (mulberry32) behind a few choice helpers. */
class Gen {
  private a: number;
  /** Variables bound so far by the script (usable as values). */
  readonly vars: string[] = ["CONFIG", "SCRIPT"];
  private fresh = 0;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A size: mostly small, sometimes large (the limits' territory). */
  size(): number {
    const r = this.next();
    return r < 0.7 ? this.int(5) : r < 0.9 ? this.int(200) : r < 0.98 ? this.int(20_000) : this.int(300_000);
  }
  newVar(): string {
    return `V${this.fresh++}`;
  }

  str(s: string): string {
    return JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\x{${h}}`);
  }
  path(): string {
    const p = this.pick(SCRIPT_PATHS);
    return this.chance(0.2) ? `<<${this.str(p)}>>` : this.str(p);
  }

  literal(): string {
    switch (this.int(14)) {
      case 0:
        return this.pick(ATOMS);
      case 1:
        return String(this.int(1000) - 100);
      case 2:
        // huge integers: many digits, a radix literal, a power built by multiplication
        if (this.chance(0.8))
          return this.pick(["18446744073709551616", "-99999999999999999999", "16#7fffffffffffffff"]);
        return this.chance(0.5) ? "9".repeat(1 + this.int(10_100)) : `16#${"f".repeat(1 + this.int(10_100))}`;
      case 3:
        return this.pick(["1.5", "-0.0", "1.0e300", "2.5e-10", "0.1"]);
      case 4:
        return this.str(this.pick(["", "1.0.0", "~> 2.0", "é", "\u{1F600}", "a b c", "~s", "\\", '"']));
      case 5:
        return `"${"a".repeat(this.size())}"`;
      case 6:
        return `$${this.pick(["a", "\\n", "\\x{41}", "\\\\", " "])}`;
      case 7:
        return `<<${this.str(this.pick(["", "bin", "é", "1.2.3"]))}>>`;
      case 8:
        return `<<${Array.from({ length: this.int(6) }, () => this.int(300)).join(",")}>>`;
      case 9:
        return `<<${this.int(70000)}:${this.pick([8, 16, 32, 64, 7, 0, 65])}>>`;
      case 10:
        return `<<${this.pick(["1114112", "-1", "55296", "233", "0"])}/utf8>>`;
      case 11:
        return this.path();
      case 12:
        return `os:getenv(${this.str(this.pick(SCRIPT_ENV_NAMES))}${this.chance(0.5) ? ', "dflt"' : ""})`;
      default:
        return this.pick(this.vars);
    }
  }

  expr(depth: number): string {
    if (depth <= 0 || this.chance(0.25)) return this.literal();
    const d = depth - 1;
    switch (this.int(30)) {
      case 0:
        return `{${this.exprs(d, 4)}}`;
      case 1:
        return `[${this.exprs(d, 5)}]`;
      case 2:
        return `[${this.expr(d)} | ${this.expr(d)}]`;
      case 3:
        return `#{${Array.from({ length: this.int(3) }, () => `${this.expr(d)} => ${this.expr(d)}`).join(", ")}}`;
      case 4:
        return `(${this.expr(d)})#{${this.expr(d)} ${this.pick(["=>", ":="])} ${this.expr(d)}}`;
      case 5:
        return `(${this.expr(d)} ${this.pick(BINOPS)} ${this.expr(d)})`;
      case 6:
        return `(${this.expr(d)} ${this.pick(INT_OPS)} ${this.chance(0.5) ? this.int(100_000) : this.expr(d)})`;
      case 7:
        return (
          `case ${this.expr(d)} of ${this.pattern()} -> ${this.expr(d)}; ` +
          `${this.pattern()} when ${this.guard()} -> ${this.expr(d)}; _ -> ${this.expr(d)} end`
        );
      case 8:
        return `if ${this.guard()} -> ${this.expr(d)}; true -> ${this.expr(d)} end`;
      case 9:
        return `begin ${this.exprs(d, 3)} end`;
      case 10: {
        const v = this.newVar();
        const list = this.chance(0.5) ? `lists:seq(1, ${this.size()})` : this.expr(d);
        const filter = this.chance(0.4) ? `, ${this.guard(v)}` : "";
        const inner = this.chance(0.3) ? `, ${this.newVar()} <- ${this.expr(d)}` : "";
        return `[${this.chance(0.5) ? `{${v}, ${this.expr(d)}}` : v} || ${v} <- ${list}${inner}${filter}]`;
      }
      case 11: {
        const [name, n] = this.pick(MODS_CALLS);
        return `${name}(${Array.from({ length: n }, () => this.expr(d)).join(", ")})`;
      }
      case 12: {
        const [name, arity, middle] = this.pick(FUN_CALLS);
        const args = [this.fun(d, arity), ...Array.from({ length: middle }, () => this.expr(d)), this.expr(d)];
        return `${name}(${args.join(", ")})`;
      }
      case 13:
        return this.recursion();
      case 14:
        return `file:consult(${this.path()})`;
      case 15:
        return `file:read_file(${this.path()})`;
      case 16:
        return (
          `filelib:${this.pick(["wildcard", "is_file", "is_dir", "is_regular"])}` +
          `(${this.str(this.pick(GLOBS.concat(SCRIPT_PATHS)))})`
        );
      case 17:
        return `filelib:wildcard(${this.str(this.pick(GLOBS))}, ${this.path()})`;
      case 18:
        return `io_lib:format(${this.pick(FORMATS)}, [${this.exprs(d, 2)}])`;
      case 19:
        return (
          `try ${this.exprs(d, 2)} of ${this.pattern()} -> ${this.expr(d)}; _ -> ${this.expr(d)} ` +
          `catch ${this.pick(["error", "throw", "exit", "_", "C"])}:${this.pick(["R", "_", "badarg"])} -> ` +
          `${this.expr(d)}${this.chance(0.3) ? ` after ${this.expr(d)}` : ""} end`
        );
      case 20:
        return `(catch ${this.expr(d)})`;
      case 21:
        return `(${this.fun(d, 1)})(${this.expr(d)})`;
      case 22:
        return this.deep();
      case 23:
        return `erlang:system_info(${this.pick(["otp_release", "version", "wordsize"])})`;
      case 24:
        return `<<(${this.expr(d)})/binary, (${this.expr(d)})${this.pick(["", "/utf8", ":16", "/binary"])}>>`;
      case 25:
        return (
          `lists:foldl(fun(_, Acc) -> ${this.pick(GROWING_ACC)} end, ${this.expr(d)}, ` +
          `lists:seq(1, ${this.size()}))`
        );
      case 26:
        return (
          `lists:${this.pick(["duplicate", "seq"])}` +
          `(${this.pick(["-5", "0", "100000000", "1 bsl 40", String(this.size())])}, ${this.expr(d)})`
        );
      case 27:
        return `string:copies(${this.expr(d)}, ${this.pick(["-1", "3", "100000000", String(this.size())])})`;
      case 28:
        return `erlang:apply(${this.pick(APPLIED_FUNS)}, [${this.expr(d)}])`;
      default:
        return `${this.pick(BIFS)}(${this.exprs(d, 2)})`;
    }
  }

  exprs(depth: number, max: number): string {
    return Array.from({ length: 1 + this.int(max) }, () => this.expr(depth)).join(", ");
  }

  pattern(): string {
    switch (this.int(8)) {
      case 0:
        return "_";
      case 1:
        return this.newVar();
      case 2:
        return `{${this.pick(ATOMS)}, ${this.newVar()}}`;
      case 3:
        return `[${this.newVar()} | _]`;
      case 4:
        return `"${this.pick(["1", "a", ""])}" ++ ${this.newVar()}`;
      case 5:
        return `#{${this.pick(ATOMS)} := ${this.newVar()}}`;
      case 6:
        return `<<${this.newVar()}:8, _/binary>>`;
      default:
        return this.literal();
    }
  }

  guard(v?: string): string {
    const x = v ?? this.pick(this.vars);
    return this.pick([
      `is_list(${x})`,
      `is_integer(${x})`,
      `${x} > 3`,
      `${x} =:= ${this.literal()}`,
      `length(${x}) > 1`,
      `is_binary(${x}) orelse is_atom(${x})`,
      `element(1, ${x}) == ok`,
      "true",
      `${x} rem 2 =:= 0`,
    ]);
  }

  fun(depth: number, arity: number): string {
    const params = Array.from({ length: arity }, () => this.newVar());
    return `fun(${params.join(", ")}) -> ${this.chance(0.5) ? params[0] : this.expr(depth)} end`;
  }

  /** Named funs calling themselves: bounded, unbounded, doubling, and the accumulator form scripts use. */
  recursion(): string {
    const n = this.pick(["10", "1000", "100000", "-1", String(this.size())]);
    switch (this.int(5)) {
      case 0:
        return `(fun F(0) -> []; F(N) -> [N | F(N - 1)] end)(${n})`;
      case 1:
        return `(fun F(0, A) -> A; F(N, A) -> F(N - 1, [N | A]) end)(${n}, [])`;
      case 2:
        return `(fun F(X) -> [F(X), F(X)] end)(${n})`;
      case 3:
        return `(fun F(0) -> x; F(N) -> {F(N - 1), F(N - 1)} end)(${n})`;
      default:
        return `(fun F(N) when N > 0 -> F(N - 1) + 1; F(_) -> 0 end)(${n})`;
    }
  }

  /** One construct nested many times. */
  deep(): string {
    const n = this.size();
    const [open, close] = this.pick([
      ["[", "]"],
      ["{", "}"],
      ["begin ", " end"],
      ["(", ")"],
      ["#{a => ", "}"],
      ["- ", ""],
      ["fun() -> ", " end"],
      ["case x of _ -> ", " end"],
      ["[x || _ <- [", "]]"],
      ["<<(", ")/binary>>"],
      ["not ", ""],
      ["catch ", ""],
    ] as const);
    return open.repeat(n) + this.literal() + close.repeat(n);
  }

  /** Statements binding variables, then the script's value. */
  script(kind: "rebar" | "app"): string {
    const lines: string[] = [];
    if (this.chance(0.3)) lines.push("%% generated\n");
    for (let i = this.int(6); i > 0; i--) {
      const e = this.expr(2 + this.int(4));
      const v = this.newVar();
      // `catch` keeps most scripts going past a statement that raises, so later statements run too
      lines.push(`${v} = ${this.chance(0.5) ? `(catch ${e})` : e},\n`);
      this.vars.push(v);
    }
    const value = this.expr(3);
    if (kind === "rebar") {
      lines.push(
        this.pick([
          `lists:keystore(deps, 1, CONFIG, {deps, ${value}}).\n`,
          `[{hex, [{doc, #{provider => ${value}}}]} | CONFIG].\n`,
          `case ${value} of false -> CONFIG; X -> [{erl_opts, [X]} | CONFIG] end.\n`,
          `${value}.\n`,
          `CONFIG ++ ${value}.\n`,
        ]),
      );
    } else {
      lines.push(
        this.pick([
          `[{application, fuzz, [{vsn, ${value}}, {description, "d"}, {applications, [kernel, stdlib]}]}].\n`,
          "case CONFIG of [{application, N, P}] -> " +
            `[{application, N, lists:keystore(vsn, 1, P, {vsn, ${value}})}]; _ -> CONFIG end.\n`,
          `{application, fuzz, ${value}}.\n`,
          `${value}.\n`,
        ]),
      );
    }
    return lines.join("");
  }
}

/** One generated script, deterministic in `seed`. */
export function generateScript(seed: number, kind: "rebar" | "app"): string {
  return new Gen(seed).script(kind);
}

/** Tokens for token-soup scripts. */
export const SCRIPT_TOKENS = [
  "CONFIG",
  "SCRIPT",
  "X",
  "F",
  " = ",
  ",",
  ".",
  ";",
  "->",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "<<",
  ">>",
  "#{",
  "=>",
  ":=",
  "||",
  "<-",
  "|",
  "++",
  "--",
  "+",
  "*",
  "div",
  "case ",
  " of ",
  "if ",
  "begin ",
  " end",
  "fun ",
  "fun F(",
  "when ",
  "try ",
  "catch ",
  "after ",
  "receive ",
  "_",
  "lists:",
  "keystore",
  "seq(1, 100000)",
  "file:consult(",
  '"../outside.config"',
  'os:getenv("HEX_API_KEY")',
  "-module(x).",
  "1",
  "16#ff",
  '"str"',
  "'atom'",
  "$a",
  "/binary",
  ":8",
  "\n",
  "%",
];
