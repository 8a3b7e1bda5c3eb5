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
  ["\"#{:atom} #{42} #{nil}|#{'ch'}\"", '"atom 42 |ch"'],
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
  ["Mix.env()", ":dev"],
  ["if Mix.env() == :prod, do: 1", "nil"],
  ['System.get_env("X")', "nil"],
  ['System.get_env("X", "dflt")', '"dflt"'],
  ['File.read!("VERSION") |> String.trim()', `?${P}: File.read!/1: VERSION does not exist`],
  [
    'File.read!("../../etc/passwd")',
    `?${P}: File.read!/1 reads "../../etc/passwd", outside the project; hexts reads only files inside it`,
  ],
  ["Code.ensure_loaded?(Foo)", "false"],
  ['Version.match?("1.15.0", "~> 1.12")', "true"],
  ['String.trim("  v1 \n") |> String.upcase()', '"V1"'],
  ['Path.join(["a", "b"]) <> Path.extname("x.ex")', '"a/b.ex"'],
  ["Keyword.get([a: 1, a: 2], :a)", "1"],
  ['Map.get(%{"k" => 1}, "k")', "1"],
  ['Enum.join(["a", "b"], ",")', '"a,b"'],
  ["System.version()", `?${P}: System.version/0 is the Elixir version mix runs on`],
  ["Foo.bar()", `?${P}: Foo.bar/0 is a call into another module, which hexts does not run`],
  ["nope()", `?${P}: calls nope/0, which is not defined in this module`],
  ["guarded(:a)", `?${P}: guarded/1 has a guard (when ...), which is not evaluated`],
  ["loop()", "?9: loop/0 recurses too deeply to evaluate"],
  ["branches()", "?21: case is not evaluated statically"],
  ["fn -> 1 end", `?${P}: anonymous functions (fn) are not evaluated statically`],
  ["@env", "nil"],
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
  assert.equal(run(defs, "w()"), "1");
  assert.equal(run("  defp d(:prod), do: 1\n  defp d(_), do: 2", "d(Mix.env())"), "2");
  const versioned = '  if Version.match?(System.version(), "~> 1.12") do\n    defp x, do: 1\n  end';
  assert.equal(
    run(versioned, "x()"),
    "?3: x/0 cannot be evaluated: it is defined inside an if whose condition cannot be evaluated: " +
      "System.version/0 is the Elixir version mix runs on",
  );
});

test("conditions hexts cannot evaluate are decided by the caller, which evaluates every branch", () => {
  const src =
    "defmodule T.MixProject do\n  use Mix.Project\n" +
    '  def project, do: if(Version.match?(System.version(), "~> 1.12"), do: [:new], else: [:old])\nend\n';
  const ask = (decisions: boolean[]) => {
    const decided: Array<{ why: string; line: number; col: number; file: string; t: "unknown" }> = [];
    const v = MixModule.find(parseElixir(src), "/p", {
      root: "/p",
      env: {},
      decisions,
      decided,
      file: "mix.exs",
    })!.call("project", [], { line: 0, col: 0 });
    return [render(v), decided.map((d) => `${d.file}:${d.line}: ${d.why}`)];
  };
  assert.deepEqual(ask([]), ["[:new]", ["mix.exs:3: System.version/0 is the Elixir version mix runs on"]]);
  assert.deepEqual(ask([false]), ["[:old]", ["mix.exs:3: System.version/0 is the Elixir version mix runs on"]]);
});

test("the module that uses Mix.Project is the one read", () => {
  const src =
    "defmodule Other do\n  def project, do: :wrong\nend\n" +
    "defmodule My.MixProject do\n  use Mix.Project\n  def project, do: :right\nend\n";
  assert.equal(render(MixModule.find(parseElixir(src), "/p")!.call("project", [], { line: 0, col: 0 })), ":right");
  assert.equal(MixModule.find(parseElixir("defmodule A do\n  def project, do: 1\nend\n"), "/p"), undefined);
});
