// The static evaluator of mix.exs: one line per case. `?N: reason` is an unknown value from line N.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect, MixModule, parseElixir, type Value } from "../../src/project/mix/index.js";

/** Evaluates `expr` as the body of project/0, after `defs` (module body lines), in a Mix.Project module. */
function run(defs: string, expr: string): string {
  const src = `defmodule T.MixProject do\n  use Mix.Project\n${defs}\n  def project, do: ${expr}\nend\n`;
  const mod = MixModule.find(parseElixir(src), "/proj")!;
  return render(mod.call("project", [], { line: 0, col: 0 }));
}

function render(v: Value): string {
  return v.t === "unknown" ? `?${v.line}: ${v.why}` : inspect(v);
}

const funcs = [
  '  @version "1.2.3"',
  '  @url "https://x.test/p"',
  "  defp deps(:prod), do: [:a]",
  "  defp deps(_env), do: [:b]",
  '  defp link(url), do: %{"GitHub" => url}',
  "  defp guarded(x) when is_atom(x), do: x",
  "  defp loop, do: loop()",
  "  defp bound do",
  '    base = "1.0"',
  '    base <> ".0"',
  "  end",
  "  defp desc do",
  '    """',
  "    First line.",
  "      Indented.",
  '    """',
  "  end",
  "  defp branches do",
  "    case 1 do",
  "      _ -> 1",
  "    end",
  "  end",
  '  @env System.get_env("X")',
  "  @bad bound()",
  "  @a 1",
  "  def one, do: @a",
  "  @a 2",
].join("\n");
const P = funcs.split("\n").length + 3; // line of `def project`

const cases: Array<[string, string]> = [
  ["[app: :x, version: @version]", '[{:app, :x}, {:version, "1.2.3"}]'],
  ['"#{@url}/blob/v#{@version}"', '"https://x.test/p/blob/v1.2.3"'],
  ['"#{:atom} #{42} #{nil}|#{\'ch\'}"', '"atom 42 |ch"'],
  ["@missing", "nil"],
  ["[one(), @a]", "[1, 2]"],
  ["~w(lib priv  mix.exs)", '["lib", "priv", "mix.exs"]'],
  ["~w[a b]a", "[:a, :b]"],
  ["~w<a b>c", "[[97], [98]]"],
  ["~s(v#{@version})", '"v1.2.3"'],
  ["~S(v#{@version})", '"v#{@version}"'],
  ["~r/\\.tmp$/i", "~r/\\.tmp$/i"],
  ["~r|a\\|b\\n|", "~r/a|b\n/"],
  ["~c(ab)", "[97, 98]"],
  ["'ab'", "[97, 98]"],
  ['"a\\tb\\x41\\u00e9\\u{1F600}\\s\\e"', '"a\\tbAé😀 \\u001b"'],
  ['"\\xff"', `?${P}: the escapes produce a binary that is not valid UTF-8, which hexts does not support`],
  ["desc()", '"First line.\\n  Indented.\\n"'],
  ["[1] ++ [2] ++ []", "[1, 2]"],
  ["[1, 2, 1] -- [1]", "[2, 1]"],
  ['"a" <> "b"', '"ab"'],
  [":a in [:a, :b]", "true"],
  [":c not in [:a]", "true"],
  ["1 == 1.0", "true"],
  ["1 === 1.0", "false"],
  ["!nil && :yes", ":yes"],
  ["nil || false || 3", "3"],
  ["-1 + 2 * 3", "5"],
  ["if true, do: 1, else: 2", "1"],
  ["unless true, do: 1", "nil"],
  ["deps(:prod)", "[:a]"],
  ["deps(:dev)", "[:b]"],
  ['link("u")', '%{"GitHub" => "u"}'],
  ["bound()", '"1.0.0"'],
  ['"x" |> link()', '%{"GitHub" => "x"}'],
  [":x |> to_string", '"x"'],
  ["%{a: 1}[:a]", "1"],
  ["[a: 1][:b]", "nil"],
  ["%{a: 1}.a", "1"],
  [':"foo bar"', ':"foo bar"'],
  [':"a#{1}"', ":a1"],
  ["__MODULE__", ':"Elixir.T.MixProject"'],
  ["[h | [2]]", "[(unknown), 2]"],
  ["{:a, 1, only: :dev}", "{:a, 1, [{:only, :dev}]}"],
  ["%{:a => 1, :a => 2}", "%{:a => 2}"],
  ["Mix.env()", `?${P}: Mix.env() depends on MIX_ENV when mix runs`],
  ["if Mix.env() == :prod, do: 1", `?${P}: the condition of if cannot be evaluated: Mix.env() depends on MIX_ENV when mix runs`],
  ['System.get_env("X")', `?${P}: System.get_env/1 reads an environment variable when mix runs`],
  ['File.read!("VERSION") |> String.trim()', `?${P}: File.read!/1 depends on the file system when mix runs`],
  ["Foo.bar()", `?${P}: Foo.bar/0 is a call into another module, which hexts does not run`],
  ["nope()", `?${P}: calls nope/0, which is not defined in this module`],
  ["guarded(:a)", `?${P}: guarded/1 has a guard (when ...), which is not evaluated`],
  ["loop()", "?9: loop/0 recurses too deeply to evaluate"],
  ["branches()", "?21: case is not evaluated statically"],
  ["fn -> 1 end", `?${P}: anonymous functions (fn) are not evaluated statically`],
  ["@env", "?25: System.get_env/1 reads an environment variable when mix runs"],
  ["@bad", "?26: a module attribute cannot call bound/0 of the module being defined"],
  ["<<1, 2>>", `?${P}: binaries written as <<...>> are not evaluated statically`],
  ["[x: y]", "[{:x, (unknown)}]"],
];

for (const [expr, expected] of cases) {
  test(`evaluate ${expr}`, () => assert.equal(run(funcs, expr), expected));
}

test("attribute values are fixed when each function is defined", () => {
  assert.equal(run('  @v "1"\n  defp a, do: @v\n  @v "2"\n  defp b, do: @v', "[a(), b(), @v]"), '["1", "2", "2"]');
});

test("functions defined under a module-level if follow its condition, or report it", () => {
  const defs = [
    '  if "a" == "a" do',
    '    defp v, do: "yes"',
    "  else",
    '    defp v, do: "no"',
    "  end",
    '  unless System.get_env("X") do',
    "    defp w, do: 1",
    "  end",
  ].join("\n");
  assert.equal(run(defs, "v()"), '"yes"');
  assert.equal(run(defs, "w()"), "?8: w/0 cannot be evaluated: it is defined inside an unless whose condition cannot be evaluated: System.get_env/1 reads an environment variable when mix runs");
  assert.equal(run("  defp d(:prod), do: 1\n  defp d(_), do: 2", "d(Mix.env())"), "?5: cannot decide which clause of d/1 applies: Mix.env() depends on MIX_ENV when mix runs");
  assert.equal(run("", "System.version()"), "?4: System.version/0 depends on the system when mix runs");
});

test("the module that uses Mix.Project is the one read", () => {
  const src = 'defmodule Other do\n  def project, do: :wrong\nend\ndefmodule My.MixProject do\n  use Mix.Project\n  def project, do: :right\nend\n';
  assert.equal(render(MixModule.find(parseElixir(src), "/p")!.call("project", [], { line: 0, col: 0 })), ":right");
  assert.equal(MixModule.find(parseElixir("defmodule A do\n  def project, do: 1\nend\n"), "/p"), undefined);
});
