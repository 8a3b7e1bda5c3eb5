// Tokenizer and parser of the mix.exs reader: one line per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ElixirSyntaxError, parseElixir, tokenize, type Node, type Token } from "../../src/project/mix/index.js";

/** Compact rendering: kind:text, strings as their raw parts, interpolations as #{...}. */
function show(tokens: Token[]): string {
  return tokens
    .filter((t) => t.kind !== "eof")
    .map((t) => {
      if (t.parts) {
        const body = t.parts.map((p) => ("raw" in p ? p.raw : `#{${show(p.tokens)}}`)).join("");
        return `${t.kind}${t.kind === "sigil" ? t.text : ""}:${JSON.stringify(body)}${t.mods ? "/" + t.mods : ""}`;
      }
      if (t.kind === "int") return `int:${t.int}`;
      if (t.kind === "float") return `float:${t.float}`;
      if (t.kind === "eol") return "eol";
      return `${t.kind}:${t.text}`;
    })
    .join(" ");
}

const tokenCases: Array<[string, string]> = [
  ["app: :pebble", "kw:app atom:pebble"],
  ['"foo bar": 1', 'qkw:"foo bar" int:1'],
  [':"foo bar"', 'qatom:"foo bar"'],
  [":foo? :Bar :+ :== :&&", "atom:foo? atom:Bar atom:+ atom:== atom:&&"],
  ["true false nil", "atom:true atom:false atom:nil"],
  ["1_000 0x1F 0b101 1.5e3 ?a ?\\n", "int:1000 int:31 int:5 float:1500 int:97 int:10"],
  ["a ++ b -- c <> d |> e", "ident:a op:++ ident:b op:-- ident:c op:<> ident:d op:|> ident:e"],
  ["x not in y and z", "ident:x op:not op:in ident:y op:and ident:z"],
  ["%{a => 1}", "punct:% punct:{ ident:a op:=> int:1 punct:}"],
  ['@version "1.0"', 'op:@ ident:version str:"1.0"'],
  ["Mix.env() == :prod", "alias:Mix op:. ident:env punct:( punct:) op:== atom:prod"],
  ['"a\\"b"', 'str:"a\\"b"'],
  ['"v#{@version}!"', 'str:"v#{op:@ ident:version}!"'],
  ['"#{"}"}"', 'str:"#{str:\\"}\\"}"'],
  ["'chars'", 'charlist:"chars"'],
  ["~w(a b c)a", 'sigil~w:"a b c"/a'],
  ["~r/\\.tmp$/", 'sigil~r:"\\\\.tmp$"'],
  ["~r{a\\}b}i", 'sigil~r:"a}b"/i'],
  ["~S|no #{interp}|", 'sigil~S:"no #{interp}"'],
  ["~s<x #{y}>", 'sigil~s:"x #{ident:y}"'],
  ["a # comment\nb", "ident:a eol ident:b"],
  ["do: 1", "kw:do int:1"],
  ["def x do\nend", "ident:def ident:x block:do eol block:end"],
  ['"""\n  a\n    b\n  """', 'str:"a\\n  b\\n"'],
  ['"""\n  a\\\n  b\n  """', 'str:"a\\\\\\nb\\n"'],
  ['"""\n\n  x\n  """', 'str:"\\nx\\n"'],
  ['"""\n  """', 'str:""'],
  ["'''\n  x\n  '''", 'charlist:"x\\n"'],
  ['~S"""\n  a #{b}\n  """', 'sigil~S:"a #{b}\\n"'],
  ["a\\\n  b", "ident:a ident:b"],
];

for (const [src, expected] of tokenCases) {
  test(`tokenize ${JSON.stringify(src)}`, () => assert.equal(show(tokenize(src)), expected));
}

const tokenErrors: Array<[string, number, RegExp]> = [
  ['x = "abc', 1, /missing terminator: "/],
  ['\n\n"""abc\n"""', 3, /heredoc allows only/],
  ["a\n  ~q", 2, /invalid sigil delimiter/],
  ['"#{1 + "', 1, /missing terminator/],
  ["a\n$", 2, /unexpected character/],
];

for (const [src, line, message] of tokenErrors) {
  test(`tokenizer error in ${JSON.stringify(src)}`, () => {
    assert.throws(
      () => tokenize(src),
      (e: unknown) => e instanceof ElixirSyntaxError && e.line === line && message.test(e.message),
    );
  });
}

/** Parser output as compact Elixir-like text. */
function sexp(n: Node): string {
  switch (n.k) {
    case "int":
      return String(n.v);
    case "float":
      return String(n.v);
    case "atom":
      return `:${n.v}`;
    case "qatom":
      return `:"…"`;
    case "str":
      return JSON.stringify(n.parts.map((p) => ("raw" in p ? p.raw : "#{}")).join(""));
    case "sigil":
      return `~${n.letter}`;
    case "list":
      return `[${n.items.map(sexp).join(", ")}${n.tail ? " | " + sexp(n.tail) : ""}]`;
    case "tuple":
      return `{${n.items.map(sexp).join(", ")}}`;
    case "map": {
      const base = n.base ? sexp(n.base) + " | " : "";
      return `%{${base}${n.entries.map(([k, v]) => `${sexp(k)} => ${sexp(v)}`).join(", ")}}`;
    }
    case "bits":
      return `<<${n.items.map(sexp).join(", ")}>>`;
    case "var":
      return n.name;
    case "alias":
      return n.name;
    case "attr":
      return `@${n.name}`;
    case "attrSet":
      return `(@${n.name} ${sexp(n.value)})`;
    case "call":
      return `${n.name}(${n.args.map(sexp).join(", ")})`;
    case "remote":
      return `${sexp(n.target)}.${n.name}(${n.args.map(sexp).join(", ")})`;
    case "anonCall":
      return `${sexp(n.fn)}.(${n.args.map(sexp).join(", ")})`;
    case "access":
      return `${sexp(n.target)}[${sexp(n.key)}]`;
    case "op":
      return `(${sexp(n.left)} ${n.op} ${sexp(n.right)})`;
    case "unary":
      return `(${n.op}${sexp(n.arg)})`;
    case "block":
      return `{${n.exprs.map(sexp).join("; ")}}`;
    case "stabs":
      return `(${n.clauses.map((c) => `${c.head.map(sexp).join(", ")} -> ${sexp(c.body)}`).join("; ")})`;
    case "fn":
      return `fn ${sexp(n.body)} end`;
  }
}

const parseCases: Array<[string, string]> = [
  ["a + b * c", "(a + (b * c))"],
  ["a ++ b ++ c", "(a ++ (b ++ c))"],
  ["a - b - c", "((a - b) - c)"],
  ["a |> b() |> c(1)", "((a |> b()) |> c(1))"],
  ["a\n|> b()", "(a |> b())"],
  ["a == b and c != d", "((a == b) and (c != d))"],
  ["!a == b", "((!a) == b)"],
  ["x = y || z", "(x = (y || z))"],
  ["[a: 1, b: [c: 2]]", "[{:a, 1}, {:b, [{:c, 2}]}]"],
  ["[1, 2,\n]", "[1, 2]"],
  ["[a: 1,\n b: 2,\n]", "[{:a, 1}, {:b, 2}]"],
  ["[h | t]", "[h | t]"],
  ['{:dep, "~> 1.0", only: :dev}', '{:dep, "~> 1.0", [{:only, :dev}]}'],
  ['%{"a" => 1, b: 2}', '%{"a" => 1, :b => 2}'],
  ["%{m | a: 1}", "%{m | :a => 1}"],
  ["foo(1, a: 2)", "foo(1, [{:a, 2}])"],
  ["foo 1, a: 2", "foo(1, [{:a, 2}])"],
  ["use Mix.Project", "use(Mix.Project)"],
  ["Mix.Project.config()[:app]", "Mix.Project.config()[:app]"],
  ['IO.puts "x"', 'IO.puts("x")'],
  ["def project, do: [app: :x]", "def(project, [{:do, [{:app, :x}]}])"],
  ["def project do\n  [app: :x]\nend", "def(project, [{:do, [{:app, :x}]}])"],
  ["defp deps(:test), do: []", "defp(deps(:test), [{:do, []}])"],
  ["def f(x) when is_atom(x), do: x", "def((f(x) when is_atom(x)), [{:do, x}])"],
  ["if a, do: 1, else: 2", "if(a, [{:do, 1}, {:else, 2}])"],
  ["if a do\n 1\nelse\n 2\nend", "if(a, [{:do, 1}, {:else, 2}])"],
  ["if foo(1) do\n 1\nend", "if(foo(1), [{:do, 1}])"],
  ["case x do\n :a -> 1\n _ -> 2\nend", "case(x, [{:do, (:a -> 1; _ -> 2)}])"],
  ["fn x -> x end", "fn (x -> x) end"],
  ['@version "1.0"', '(@version "1.0")'],
  ["@doc false", "(@doc :false)"],
  ['[version: @version, x: @x <> "y"]', '[{:version, @version}, {:x, (@x <> "y")}]'],
  ["a = 1; b = 2", "{(a = 1); (b = 2)}"],
  ["-1 + 2", "((-1) + 2)"],
  ["foo -1", "foo((-1))"],
  ["foo - 1", "(foo - 1)"],
  ["&Enum.map/2", "(&(Enum.map() / 2))"],
  ["x.(1)", "x.(1)"],
  ["m.key", "m.key()"],
  ["<<1, 2>>", "<<1, 2>>"],
  ["%Foo.Bar{a: 1}", "%{:a => 1}"],
  ['"a": 1', ""],
];

for (const [src, expected] of parseCases) {
  if (expected === "") {
    test(`parse error for ${JSON.stringify(src)}`, () => assert.throws(() => parseElixir(src), ElixirSyntaxError));
    continue;
  }
  test(`parse ${JSON.stringify(src)}`, () => assert.equal(sexp(parseElixir(src)), expected));
}

const parseErrors: Array<[string, number, RegExp]> = [
  ["defmodule A do\n  def x do\n    1\n", 4, /expected "end"/],
  ["[1, 2", 1, /expected "\]"/],
  ["foo(\n  1,\n  2\n  3)", 4, /expected "\)"/],
  ["%{a => }", 1, /unexpected token/],
  ["x = [a: 1, 2]", 1, /expected "\]"/],
  ["1 2", 1, /unexpected token after expression/],
];

for (const [src, line, message] of parseErrors) {
  test(`parse error (line ${line}) in ${JSON.stringify(src)}`, () => {
    assert.throws(
      () => parseElixir(src),
      (e: unknown) => e instanceof ElixirSyntaxError && e.line === line && message.test(e.message),
    );
  });
}
