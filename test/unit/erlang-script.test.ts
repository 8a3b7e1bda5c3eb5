// The rebar3 config-script evaluator: one line per construct, its limits (steps, memory, nesting), files
// outside the project refused, and the fallback to real Erlang (PATH set by the test, so it runs the same with
// and without Erlang installed).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { writeTerm } from "../../src/erlang/pretty.js";
import type { Term } from "../../src/erlang/terms.js";
import { HextsError } from "../../src/errors.js";
import {
  ScriptEvaluator,
  evaluateConfigScript,
  findErl,
  parseScript,
  type ScriptLimits,
} from "../../src/project/erlang-script/index.js";

function project(t: TestContext, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-script-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** CPU milliseconds `f` takes (this process; the timing of a busy machine's wall clock is not the evaluator's). */
function cpuMs(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function run(
  root: string,
  src: string,
  opts: { env?: Record<string, string>; otp?: string; limits?: ScriptLimits; config?: Term[] } = {},
): string {
  const ev = new ScriptEvaluator(
    "rebar.config.script",
    { root, cwd: root, env: opts.env ?? {}, otpRelease: opts.otp ?? "27" },
    opts.limits,
  );
  return writeTerm(
    ev.run(
      parseScript(src, "rebar.config.script"),
      new Map([["CONFIG", opts.config ?? [new (class {})() as never].slice(0, 0)]]),
    ) as Term,
  );
}

describe("script constructs", () => {
  const files = {
    VERSION: "1.2.3\n",
    "deps.config": '{deps, [{jsx, "3.1.0"}]}.\n',
    "src/a.erl": "",
    "src/b.erl": "",
    "c_src/x.c": "",
  };
  const cases: [string, string, Record<string, string>?][] = [
    ["X = 1 + 2, {X, X * 3}.", "{3,9}"],
    ["A = 7, B = A div 2, C = A rem 2, {B, C, -A, 7 / 2}.", "{3,1,-7,3.5}"],
    ["begin A = [1], A ++ [2] end.", "[1,2]"],
    ['case os:getenv("WITH_X") of false -> none; V -> {yes, V} end.', "none"],
    ['case os:getenv("WITH_X") of false -> none; V -> {yes, V} end.', '{yes,"1"}', { WITH_X: "1" }],
    ['os:getenv("NOPE", "dflt").', '"dflt"'],
    ["if 1 > 2 -> a; 2 > 1, true -> b end.", "b"],
    ["case {1, [2, 3]} of {A, [B | T]} when A < B, is_list(T) -> {A, B, T} end.", "{1,2,[3]}"],
    ["case x of y -> 1; _ when false; true -> 2 end.", "2"],
    ['"R" ++ Rest = "R16B", Rest.', '"16B"'],
    ["#{a := V} = #{a => 5}, V.", "5"],
    ["M = #{a => 1}, M#{b => 2}.", "#{a => 1,b => 2}"],
    ["F = fun(A, B) -> A + B end, F(1, 2).", "3"],
    ["Fact = fun Fact(0) -> 1; Fact(N) -> N * Fact(N - 1) end, Fact(25).", "15511210043330985984000000"],
    ["lists:map(fun erlang:atom_to_list/1, [a, b]).", '["a","b"]'],
    ["[X * 2 || X <- [1, 2, 3], X > 1].", "[4,6]"],
    ["[{K, V} || {K, V} <- [{a, 1}, b, {c, 3}]].", "[{a,1},{c,3}]"],
    ["try error(boom) catch error:R -> {caught, R} end.", "{caught,boom}"],
    ["try throw(x) of _ -> no catch X -> X after ok end.", "x"],
    ["catch throw(x).", "x"],
    ["lists:keystore(deps, 1, CONFIG, {deps, [jsx]}).", "[{deps,[jsx]}]"],
    ["lists:keyfind(b, 1, [{a, 1}, {b, 2}]).", "{b,2}"],
    ["lists:foldl(fun(X, Acc) -> X + Acc end, 0, lists:seq(1, 100)).", "5050"],
    ["lists:usort([c, a, b, a]).", "[a,b,c]"],
    ['lists:flatten(["a", ["b", ["c"]]]).', '"abc"'],
    ["proplists:get_value(a, [{a, 1}, a], 0).", "1"],
    ["proplists:get_value(z, [{a, 1}], 0).", "0"],
    ["proplists:delete(a, [{a, 1}, {b, 2}]).", "[{b,2}]"],
    ["maps:get(b, #{a => 1}, none).", "none"],
    ["maps:to_list(maps:merge(#{a => 1}, #{b => 2})).", "[{a,1},{b,2}]"],
    ['string:trim("  x \\n").', '"x"'],
    ['string:tokens("a,b,,c", ",").', '["a","b","c"]'],
    ['string:split("a.b.c", ".", all).', '["a","b","c"]'],
    ['string:to_lower("ABC").', '"abc"'],
    ['filename:join(["a", "b", "c.erl"]).', '"a/b/c.erl"'],
    [
      '{filename:basename("src/x.erl", ".erl"), filename:dirname("src/x.erl"), ' +
        'filename:extension("x.tar.gz"), filename:rootname("x.erl")}.',
      '{"x","src",".gz","x"}',
    ],
    ['{filelib:is_file("VERSION"), filelib:is_dir("src"), filelib:is_file("nope")}.', "{true,true,false}"],
    ['filelib:wildcard("src/*.erl").', '["src/a.erl","src/b.erl"]'],
    ['{ok, B} = file:read_file("VERSION"), string:trim(binary_to_list(B)).', '"1.2.3"'],
    ['{ok, [{deps, D}]} = file:consult("deps.config"), D.', '[{jsx,"3.1.0"}]'],
    ['file:consult("missing.config").', "{error,enoent}"],
    ['io_lib:format("~s-~p-~w~n", ["a", {b, 1}, c]).', '"a-{b,1}-c\\n"'],
    ['catch io_lib:format("~s", [[a]]).', "{'EXIT',{badarg,[]}}"],
    ['{catch io_lib:format("~p", []), catch io_lib:format("~b", [x])}.', "{{'EXIT',{badarg,[]}},{'EXIT',{badarg,[]}}}"],
    ["list_to_integer(erlang:system_info(otp_release)) >= 21.", "true"],
    ["erlang:system_info(otp_release).", '"24"'],
    ['<<"abc", 1>>.', "<<97,98,99,1>>"],
    ["X = 258, <<X:16, 1:8, -1:8, (1 bsl 70 + 1):64, (X)>>.", "<<1,2,1,255,0,0,0,0,0,0,0,1,2>>"],
    ['B = <<"b">>, <<"a", B/binary, $c>>.', '<<"abc">>'],
    ["{length([1, 2]), hd([1]), tl([1, 2]), element(2, {a, b}), tuple_size({})}.", "{2,1,[2],b,0}"],
    ['{atom_to_list(ok), list_to_atom("x"), integer_to_list(42), list_to_binary("ab")}.', '{"ok",x,"42",<<"ab">>}'],
    ["true andalso (false orelse 1 =:= 1.0).", "false"],
    ["{1 == 1.0, 1 =:= 1.0, a < b, [] > 1}.", "{true,false,true,true}"],
  ];
  for (const [src, expected, env] of cases) {
    it(`${src} -> ${expected}`, (t) =>
      assert.equal(
        run(project(t, files), src, { env, otp: src.includes("otp_release).") && !src.includes(">=") ? "24" : "27" }),
        expected,
      ));
  }
});

// lists:seq, sort/2, usort/2, merge/2 and umerge/2 as OTP defines them. The expected texts are OTP 25's answers
// (Debian's erlang); the last case runs them all through the real VM when erl is on PATH, so the table is checked.
describe("lists functions as OTP has them", () => {
  const big = "100000000000000000000";
  const caught = (expr: string) => `try ${expr} catch error:R -> {error, R} end.`;
  const cases: [src: string, expected: string][] = [
    ["lists:seq(1, 10, 3).", "[1,4,7,10]"],
    ["lists:seq(10, 1, -3).", "[10,7,4,1]"],
    ["lists:seq(1, 0).", "[]"],
    ["lists:seq(1, 0, 3).", "[]"],
    ["lists:seq(3, 1, -5).", "[3]"],
    ["lists:seq(2, 2, 0).", "[2]"],
    [caught("lists:seq(5, 1)"), "{error,function_clause}"],
    [caught("lists:seq(a, 1)"), "{error,function_clause}"],
    [caught("lists:seq(1, 2, 0)"), "{error,badarg}"],
    [caught("lists:seq(1, -5, 1)"), "{error,badarg}"],
    [caught("lists:seq(1, 5, a)"), "{error,badarg}"],
    [`lists:seq(${big}, ${big} + 2).`, `[${big},100000000000000000001,100000000000000000002]`],
    [`lists:seq(-${big}, -${big} - 4, -2).`, `[-${big},-100000000000000000002,-100000000000000000004]`],
    ["lists:sort(fun({A, _}, {B, _}) -> A =< B end, [{b, 1}, {a, 1}, {b, 2}, {a, 2}]).", "[{a,1},{a,2},{b,1},{b,2}]"],
    ["lists:sort(fun(A, B) -> A >= B end, [1, 3, 2]).", "[3,2,1]"],
    ["lists:usort(fun(A, B) -> A >= B end, [1, 3, 2, 3, 1]).", "[3,2,1]"],
    ["lists:usort(fun({A, _}, {B, _}) -> A =< B end, [{b, 1}, {a, 1}, {b, 2}]).", "[{a,1},{b,1}]"],
    ["lists:merge([1, 3, 5], [2, 3, 4]).", "[1,2,3,3,4,5]"],
    ["lists:merge([3, 1], [2]).", "[2,3,1]"],
    ["lists:umerge([1, 3, 5], [2, 3, 4]).", "[1,2,3,4,5]"],
    ["lists:umerge([{1, a}], [{1, a}, {1, b}]).", "[{1,a},{1,b}]"],
    ["lists:uniq([b, a, b, c, a]).", "[b,a,c]"],
  ];
  for (const [src, expected] of cases) {
    it(`${src} -> ${expected}`, (t) => assert.equal(run(project(t), src), expected));
  }

  const erl = findErl();
  it("the real VM gives the same answers", { skip: erl ? false : "no erl on PATH" }, (t) => {
    // One erl run: each expression's value printed with ~w (these values hold no strings), one per line; each in
    // its own fun, so the variables of one case are not those of the next.
    const body = cases.map(([src]) => `io:format("~w~n", [(fun() -> ${src.replace(/\.$/, "")} end)()])`).join(", ");
    const r = spawnSync(erl!, ["-noshell", "-eval", `${body}, halt().`], {
      cwd: project(t),
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trim().split("\n"),
      cases.map(([, expected]) => expected),
    );
  });
});

describe("script errors and limits", () => {
  const fails = (root: string, src: string, re: RegExp, limits?: ScriptLimits) =>
    assert.throws(
      () => run(root, src, { limits }),
      (e: Error) => re.test(e.message) || assert.fail(e.message),
    );

  it("a failed match is the script's own error", (t) => fails(project(t), "X = 1, X = 2.", /badmatch/));
  it("a call it does not know is reported with its name", (t) => fails(project(t), "\n  foo:bar(1).", /^foo:bar\/1$/));
  it("stops a doubly recursive fun by nesting and by steps", (t) => {
    fails(
      project(t),
      "F = fun F(X) -> [F(X), F(X)] end, F(1).",
      /^rebar\.config\.script:1:\d+: the script nests more than 400 function calls/,
    );
    fails(
      project(t),
      "F = fun F(0) -> []; F(N) -> [F(N - 1), F(N - 1)] end, F(40).",
      /takes more than 2000000 evaluation steps/,
    );
  });
  it("stops a list doubled 27 times by memory, long before V8 would abort", (t) =>
    fails(
      project(t),
      "D = fun D(0, L) -> L; D(N, L) -> D(N - 1, L ++ L) end, D(27, [x]).",
      /builds more than 8000000 list cells/,
    ));
  it("stops huge numbers by memory", (t) =>
    fails(project(t), "F = fun F(0, X) -> X; F(N, X) -> F(N - 1, X * X) end, F(40, 3).", /builds more than/));
  it("refuses files outside the project, symlinks included", (t) => {
    const root = project(t, { "inside.txt": "ok" });
    symlinkSync("/etc", join(root, "etc"));
    fails(root, 'file:read_file("/etc/hostname").', /file:read_file\/1 of "\/etc\/hostname" is outside the project/);
    fails(root, 'file:consult("../x.config").', /outside the project/);
    fails(root, 'file:read_file("etc/hostname").', /outside the project/);
    fails(root, 'filelib:wildcard("../*").', /outside the project/);
    symlinkSync("..", join(root, "updir"));
    fails(root, 'catch filelib:wildcard("updir/*").', /filelib:wildcard\/1 of "updir\/\*" is outside the project/);
    fails(root, 'filelib:wildcard("{src").', /badpattern/);
    // The project reached through a symlink (a checkout under a linked directory) reads its own files.
    const linked = join(project(t), "linked");
    symlinkSync(root, linked);
    assert.equal(run(linked, 'file:read_file("inside.txt").'), '{ok,<<"ok">>}');
    fails(linked, 'file:read_file("etc/hostname").', /outside the project/);
    fails(linked, 'filelib:wildcard("updir/*").', /outside the project/);
  });
  it("refuses expressions nested deeper than 300 levels, at the level where it stops", (t) => {
    const root = project(t);
    fails(
      root,
      `${"[".repeat(100_000)}x${"]".repeat(100_000)}.`,
      /^rebar\.config\.script:1:301: expressions nested too/,
    );
    fails(root, `${"begin ".repeat(50_000)}x${" end".repeat(50_000)}.`, /nested too deeply \(more than 300 levels\)/);
    fails(root, `${"not ".repeat(100_000)}true.`, /nested too deeply/);
    fails(root, `${"catch ".repeat(100_000)}x.`, /nested too deeply/);
    fails(root, `[1]${" ++ [1]".repeat(100_000)}.`, /nested too deeply/);
    assert.equal(run(root, `${"[".repeat(299)}x${"]".repeat(299)}.`), `${"[".repeat(299)}x${"]".repeat(299)}`);
  });
  it("an integer that is no Unicode character is the script's badarg, as in Erlang", (t) => {
    const root = project(t);
    for (const src of [
      "os:getenv([1114112]).",
      'io_lib:format("~c", [-1]).',
      "<<1114112/utf8>>.",
      "<<16#D800/utf8>>.",
      "list_to_atom([-1]).",
    ])
      fails(root, src, /badarg/);
    assert.equal(
      run(root, '{string:chr("abc", 1 bsl 40), string:chr("abc", $b), <<233/utf8>>}.'),
      '{0,2,<<"é"/utf8>>}',
    );
  });
  it("a negative count matches no clause and gives no memory back", (t) => {
    const root = project(t);
    fails(root, "lists:duplicate(-5, x).", /function_clause/);
    fails(root, 'string:copies("ab", -1).', /function_clause/);
    const limits = { steps: 1_000_000, cells: 1000, depth: 100 };
    fails(
      root,
      "catch lists:duplicate(-100000, x), lists:duplicate(1500, x).",
      /builds more than 1000 list cells/,
      limits,
    );
    assert.equal(run(root, '{lists:duplicate(0, x), string:copies("ab", 2)}.'), '{[],"abab"}');
  });
  it("long binaries, lists and strings are copied without overflowing the call stack", (t) => {
    const root = project(t);
    const n = 1_000_000;
    const src =
      `B = list_to_binary(lists:duplicate(${n}, 97)), L = lists:duplicate(${n}, 1), ` +
      "{byte_size(<<B/binary>>), byte_size(iolist_to_binary([B])), length(lists:append([L]))}.";
    assert.equal(run(root, src), `{${n},${n},${n}}`);
    const long = `"${"a".repeat(600_000)}"`;
    assert.equal(run(root, `length("b" ${long}).`), "600001");
    fails(root, `length(${long} ${long}).`, /^rebar\.config\.script:1:600011: string too long \(more than 1000000/);
  });
  it("values nested deeply by a loop, and calls inside deep expressions, end in the budget's error", (t) => {
    const root = project(t);
    const deep = "T = lists:foldl(fun(_, A) -> {A} end, x, lists:seq(1, 100000))";
    fails(
      root,
      `${deep}, [T].`,
      /^rebar\.config\.script:1:\d+: the script returns a value nested more than 1000 levels/,
    );
    fails(root, `${deep}, T =:= T.`, /^rebar\.config\.script:1:\d+: the script nests values or calls too deeply/);
    fails(root, `${deep}, io_lib:format("~p", [T]).`, /nests values or calls too deeply/);
    const nested = `F = fun G(0) -> x; G(N) -> ${"[".repeat(290)}G(N - 1)${"]".repeat(290)} end, F(300).`;
    fails(root, nested, /nests values or calls too deeply|nested more than 1000 levels/);
    assert.equal(run(root, "lists:foldl(fun(_, A) -> {A} end, x, lists:seq(1, 3))."), "{{{x}}}");
  });
  it("stops integers over 65536 bits before computing them (squaring thousands of times hung)", (t) => {
    const root = project(t);
    const took = cpuMs(() => {
      fails(root, "lists:foldl(fun(_, A) -> A * A end, 92, lists:seq(1, 7133)).", /builds more than 65536 bits/);
      fails(root, "1 bsl 70000.", /builds more than 65536 bits in one integer/);
    });
    assert.ok(took < 5000, `took ${Math.round(took)} ms of CPU`);
    assert.equal(run(root, "(1 bsl 65535) bsr 65534."), "2");
    const digits = (n: number) => `lists:duplicate(${n}, $9)`;
    fails(root, `list_to_integer(${digits(5_000_000)}).`, /builds more than 65536 bits in one integer/);
    fails(root, `binary_to_integer(list_to_binary(${digits(19_730)})).`, /builds more than 65536 bits/);
    assert.equal(run(root, `length(integer_to_list(list_to_integer(${digits(19_728)}))).`), "19728");
    assert.equal(run(root, `list_to_integer("-000" ++ ${digits(3)}).`), "-999");
  });
  it("charges work by a term's written-out size: doubled values, quadratic list calls, maps of big keys", (t) => {
    const root = project(t);
    // Each stops within the step budget (unbounded, each ran for minutes or without end).
    const stops = (src: string, re: RegExp) => {
      const took = cpuMs(() => fails(root, src, re));
      assert.ok(took < 3000, `${src}: took ${Math.round(took)} ms of CPU`);
    };
    const steps = /takes more than 2000000 evaluation steps/;
    const doubled = "D = lists:foldl(fun(_, A) -> [A, A] end, [x], lists:seq(1, 60))";
    stops(`${doubled}, D =:= D.`, steps);
    stops(`${doubled}, lists:member(D, [D]).`, steps);
    stops(`${doubled}, io_lib:format("~p", [D]).`, steps);
    stops(`${doubled}, #{D => 1, [D] => 2}.`, steps);
    stops(`${doubled}, D.`, steps);
    const big = "K = lists:seq(1, 500000), M = #{K => 1}, K2 = lists:seq(1, 500000)";
    stops(`${big}, [maps:get(K2, M) || _ <- lists:seq(1, 1000)].`, steps);
    stops(`${doubled}, erlang:error(D).`, /^error:a term of more than 10000 elements$/);
    stops("L = lists:seq(1, 200000), lists:subtract(L, lists:reverse(L)).", steps);
    stops("L = lists:seq(1, 100000), [X || X <- L, lists:member(X, L)].", steps);
    stops("lists:uniq(lists:seq(1, 100000)).", steps);
    // Measuring what a comparison or lookup is charged costs no more than the charge: a huge value against small
    // ones is cheap (each comparison took a walk of the whole value: 17 s for 100, without end for 20,000), and
    // looking a huge key up again and again is charged its walk each time.
    const huge = "B = lists:foldl(fun(_, A) -> [A, A] end, [a], lists:seq(1, 20))";
    const member = `${huge}, lists:member(B, lists:seq(1, 20000)).`;
    const answered = cpuMs(() => assert.equal(run(root, member), "false"));
    assert.ok(answered < 3000, `${member}: took ${Math.round(answered)} ms of CPU`);
    stops(`${huge}, M = #{1 => a}, [maps:find(B, M) || _ <- lists:seq(1, 100000)].`, steps);
    // Sharing as such is not charged: a small doubled value is compared, printed and returned as before.
    const small = "S = lists:foldl(fun(_, A) -> [A, A] end, [x], lists:seq(1, 4))";
    assert.equal(run(root, `${small}, {S =:= S, length(lists:flatten(S))}.`), "{true,16}");
  });
  it("refuses what a script cannot hold", (t) => {
    fails(project(t), "-module(x).", /attributes such as -module/);
    fails(project(t), "self() ! hi.", /sending messages/);
  });
});

describe("evaluateConfigScript: as rebar3 runs it, then real Erlang, then a located error", () => {
  const erl = findErl();
  const PATH_WITHOUT_ERL = "/nonexistent";

  it("binds CONFIG and SCRIPT and wraps a non-list result", async (t) => {
    const root = project(t, {
      "rebar.config": "{deps, []}.\n{erl_opts, [debug_info]}.\n",
      "rebar.config.script": "{SCRIPT, length(CONFIG)}.\n",
    });
    const r = await evaluateConfigScript({
      root,
      script: join(root, "rebar.config.script"),
      env: { PATH: PATH_WITHOUT_ERL },
    });
    assert.equal(r.via, "builtin");
    assert.equal(writeTerm(r.terms as Term), `[{${JSON.stringify(join(root, "rebar.config.script"))},2}]`);
  });

  it("a script needing more than the built-in evaluator, no erl: one error, file:line:col, --metadata", async (t) => {
    const root = project(t, { "rebar.config.script": "%% needs a real VM\nCONFIG ++ [{n, erlang:phash2(x)}].\n" });
    await assert.rejects(
      evaluateConfigScript({ root, script: join(root, "rebar.config.script"), env: { PATH: PATH_WITHOUT_ERL } }),
      (e: unknown) => {
        assert.ok(e instanceof HextsError && e.code === "PROJECT_INVALID");
        assert.match(
          e.message,
          new RegExp(
            /^rebar\.config\.script:2:16: calls erlang:phash2\/1, /.source +
              /which hexts's built-in evaluator does not support; install Erlang .* --metadata FILE/.source,
          ),
        );
        return true;
      },
    );
  });

  it(
    "... and real Erlang runs it when erl is installed, saying so",
    { skip: erl ? false : "erl is not installed" },
    async (t) => {
      const root = project(t, {
        "rebar.config": "{deps, []}.\n",
        "rebar.config.script": "CONFIG ++ [{n, erlang:phash2(x)}, {script, filename:basename(SCRIPT)}].\n",
      });
      const r = await evaluateConfigScript({
        root,
        script: join(root, "rebar.config.script"),
        env: { PATH: dirname(erl!) },
      });
      assert.equal(r.via, "erlang");
      assert.match(
        r.note!,
        /^rebar\.config\.script was evaluated by Erlang \(.*erl\), as rebar3 would: it calls erlang:phash2\/1$/,
      );
      assert.match(writeTerm(r.terms as Term), /^\[\{deps,\[\]\},\{n,\d+\},\{script,"rebar\.config\.script"\}\]$/);
    },
  );

  it("a result that depends on the OTP release only where it does not matter: built-in", async (t) => {
    const root = project(t, {
      "rebar.config": "{deps, [jsx]}.\n",
      "rebar.config.script":
        "case list_to_integer(erlang:system_info(otp_release)) >= 26 of\n" +
        "  true -> [{erl_opts, [{d, new}]} | CONFIG];\n  false -> CONFIG\nend.\n",
    });
    const r = await evaluateConfigScript({
      root,
      script: join(root, "rebar.config.script"),
      env: { PATH: PATH_WITHOUT_ERL },
      fingerprint: (terms) => writeTerm(terms.filter((x) => writeTerm(x).startsWith("{deps")) as Term),
    });
    assert.equal(r.via, "builtin");
  });

  it("... and where it changes the package: named, with the way out", async (t) => {
    const root = project(t, {
      "rebar.config": "{deps, []}.\n",
      "rebar.config.script":
        'case erlang:system_info(otp_release) of\n  "24" -> [{deps, [old]}];\n  _ -> CONFIG\nend.\n',
    });
    await assert.rejects(
      evaluateConfigScript({ root, script: join(root, "rebar.config.script"), env: { PATH: PATH_WITHOUT_ERL } }),
      new RegExp(
        /rebar\.config\.script:1:6: the package depends on erlang:system_info\(otp_release\), /.source +
          /the Erlang release rebar3 runs on; install Erlang .* --metadata FILE/.source,
      ),
    );
  });
});
