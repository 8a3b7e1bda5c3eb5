// The general Erlang term reader (what file:consult accepts, never evaluated) and the term helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import { writeTerm } from "../../src/erlang/pretty.js";
import { parseTerms } from "../../src/erlang/reader.js";
import {
  Atom,
  Charlist,
  ErlMap,
  Float,
  ImproperList,
  Tuple,
  atom,
  bin,
  boolOf,
  charlist,
  compareTerms,
  erlMap,
  improper,
  int,
  listItems,
  proplistGet,
  proplistKeys,
  proplistSet,
  termEquals,
  textOf,
  tuple,
  type Term,
} from "../../src/erlang/terms.js";

const one = (source: string): Term => {
  const terms = parseTerms(source, "t.config");
  assert.equal(terms.length, 1, source);
  return terms[0]!;
};

// source -> the term written back on one line (as ~tp would)
const readCases: [string, string][] = [
  ["a.", "a"],
  ["'hello world'.", "'hello world'"],
  ["'\\x41\\n'.", "'A\\n'"],
  ["'end'.", "'end'"],
  ["ünïcode@host.", "ünïcode@host"],
  ["{'Upper', '_x', 'a-b', 'ok'}.", "{'Upper','_x','a-b',ok}"],
  ["16#ff.", "255"],
  ["16#FF_ff.", "65535"],
  ["2#1010.", "10"],
  ["36#zz.", "1295"],
  ["1_000_000.", "1000000"],
  ["123456789012345678901234567890.", "123456789012345678901234567890"],
  ["-16#10.", "-16"],
  ["$a.", "97"],
  ["$\\n.", "10"],
  ["$\\x{263a}.", "9786"],
  ["$\\^A.", "1"],
  ["$\\101.", "65"],
  ["$ .", "32"],
  ["-3.", "-3"],
  ["+ 3.", "3"],
  ["1.5.", "1.5"],
  ["1.0e10.", "1.0e10"],
  ["1.0E-3.", "0.001"],
  ["2.5e+3.", "2.5e3"],
  ["2500.0.", "2.5e3"],
  ["100.0.", "100.0"],
  ["1_0.2_5.", "10.25"],
  ["-0.5.", "-0.5"],
  ['"abc".', '"abc"'],
  ['"a" "b"\n  "c".', '"abc"'],
  ['"\\101\\x42\\x{43}\\^D".', "[65,66,67,4]"],
  ['"tab\\there\\"q\\"".', '"tab\\there\\"q\\""'],
  ['"\\s\\d\\z".', "[32,127,122]"],
  ['"multi\nline".', '"multi\\nline"'],
  ["<<>>.", "<<>>"],
  ['<<"abc">>.', '<<"abc">>'],
  ['<<"é"/utf8>>.', '<<"é"/utf8>>'],
  ['<<"é">>.', '<<"é">>'],
  ['<<"€"/utf8>>.', "<<226,130,172>>"],
  ["<<1,2,3>>.", "<<1,2,3>>"],
  ["<<256, -1, $a>>.", "<<0,255,97>>"],
  ["<<1:16, 2:8/little>>.", "<<0,1,2>>"],
  ["<<1:16/little-unsigned>>.", "<<1,0>>"],
  ["<<1:4, 2:4>>.", "<<18>>"],
  ['<<"ab":16>>.', "<<0,97,0,98>>"],
  ['<<"a"/utf16>>.', "<<0,97>>"],
  ['<<"a"/utf16-little, 233/utf8>>.', "<<97,0,195,169>>"],
  ['<<"a"/utf32>>.', "<<0,0,0,97>>"],
  ['<<<<"ab">>/binary, "c">>.', '<<"abc">>'],
  ['<<<<"abc">>:2/binary>>.', '<<"ab">>'],
  ["<<1.5/float>>.", "<<63,248,0,0,0,0,0,0>>"],
  ["<<1:32/float-little>>.", "<<0,0,128,63>>"],
  ["{}.", "{}"],
  ["{a, {b, c}}.", "{a,{b,c}}"],
  ["[].", "[]"],
  ["[a | b].", "[a|b]"],
  ["[a, b | [c]].", "[a,b,c]"],
  ['[a | "bc"].', "[a,98,99]"],
  ["[[] | []].", "[[]]"],
  ["#{}.", "#{}"],
  ["#{b => 1, a => 2, 1 => x}.", "#{1 => x,a => 2,b => 1}"],
  ["#{a => 1, a => 2}.", "#{a => 2}"],
  ["%% comment\n{a, % trailing\n b} % more\n.", "{a,b}"],
  [
    '{deps, [{cowboy, "2.9.0"}, {jsx, {git, "https://x/jsx", {tag, "v3.1.0"}}}]}.',
    '{deps,[{cowboy,"2.9.0"},{jsx,{git,"https://x/jsx",{tag,"v3.1.0"}}}]}',
  ],
];

test("parseTerms: reads every Erlang term syntax the config files use", () => {
  for (const [source, written] of readCases) assert.equal(writeTerm(one(source)), written, source);
});

test("parseTerms: keeps the distinctions between term types", () => {
  assert.ok(one('"hi".') instanceof Charlist);
  assert.deepEqual(one("[104, 105]."), [104, 105]);
  assert.ok(termEquals(one('"hi".'), one("[104, 105].")));
  assert.ok(one("1.0.") instanceof Float);
  assert.equal(one("1."), 1);
  assert.equal(typeof one("9007199254740993."), "bigint");
  assert.ok(one("[a | b].") instanceof ImproperList);
  assert.ok(one("#{a => 1}.") instanceof ErlMap);
  assert.deepEqual(one('<<"hi">>.'), bin("hi"));
});

test("parseTerms: several terms, comments, empty files, bytes in UTF-8 or Latin-1", () => {
  assert.deepEqual(parseTerms("a.\n\n%% x\nb.\n{c}. % end"), [atom("a"), atom("b"), tuple(atom("c"))]);
  assert.deepEqual(parseTerms(""), []);
  assert.deepEqual(parseTerms("%% only a comment\n"), []);
  const utf8 = new TextEncoder().encode('\uFEFF{d, "café"}.');
  assert.deepEqual(parseTerms(utf8), [tuple(atom("d"), charlist("café"))]);
  const latin1 = Buffer.from('%% -*- coding: latin-1 -*-\n{d, "caf\xe9"}.', "latin1");
  assert.deepEqual(parseTerms(latin1), [tuple(atom("d"), charlist("café"))]);
  const invalidUtf8 = Buffer.from('{d, "caf\xe9"}.', "latin1");
  assert.deepEqual(parseTerms(invalidUtf8), [tuple(atom("d"), charlist("café"))]);
});

// source -> the start of the error message (file:line:column: reason)
const errorCases: [string, string][] = [
  ["{a, b c}.", "t.config:1:7: expected ',' or '}', found atom 'c'"],
  ["{a,\n  X}.", "t.config:2:3: variables are not allowed"],
  ["{a, _}.", "t.config:1:5: variables are not allowed"],
  ["foo(1).", "t.config:1:4: function calls are not allowed"],
  ["lists:seq(1, 3).", "t.config:1:6: remote calls are not allowed"],
  ["#{a := 1}.", "t.config:1:5: ':=' updates an existing map"],
  ["#rec{a = 1}.", "t.config:1:1: records are not allowed"],
  ["{a, b}", "t.config:1:7: expected '.' after the term"],
  ["{a, b}\n", "t.config:2:1: expected '.' after the term"],
  ['{a, "abc}.', "t.config:1:5: unterminated string"],
  ["'abc.", "t.config:1:1: unterminated quoted atom"],
  ["{a, 1 + 2}.", "t.config:1:7: expressions are not evaluated"],
  ["[a | b, c].", "t.config:1:7: expected ']' after the tail of the list"],
  ["[a, b.", "t.config:1:6: expected ',', '|' or ']', found '.'"],
  ["37#1.", "t.config:1:1: invalid base 37"],
  ['"\\x{110000}".', "t.config:1:1: \\x{110000} is not a Unicode code point"],
  ['"\\xg".', "t.config:1:4: bad \\x escape"],
  ["<<X>>.", "t.config:1:3: a binary segment must be a number, a string or a binary"],
  ["<<1:4>>.", "t.config:1:1: bitstrings"],
  ['<<"a"/binary>>.', "t.config:1:3: a /binary segment needs a binary value"],
  ["<<1/foo>>.", "t.config:1:5: unknown binary segment type 'foo'"],
  ["<<1/utf8-float>>.", "t.config:1:10: conflicting binary segment types"],
  ["<<16#110000/utf8>>.", "t.config:1:3: 1114112 is not a Unicode code point"],
  ["{end}.", "t.config:1:2: 'end' is a reserved word"],
  ["a.b.", "t.config:1:2: expected whitespace after '.'"],
  ["- a.", "t.config:1:1: '-' may only prefix a number"],
  ["(1).", "t.config:1:1: parenthesised expressions are not allowed"],
  [".", "t.config:1:1: expected a term before '.'"],
  ["{a, ;}.", "t.config:1:5: expected a term, found ';'"],
  ["{a, `}.", "t.config:1:5: unexpected character '`'"],
];

test("parseTerms: errors are TERM_SYNTAX and name the file, line and column", () => {
  for (const [source, message] of errorCases) {
    assert.throws(
      () => parseTerms(source, "t.config"),
      (e: unknown) => e instanceof HextsError && e.code === "TERM_SYNTAX" && e.message.startsWith(message),
      `${source} -> ${message}`,
    );
  }
  assert.throws(() => parseTerms("{a,\n  X}.", "rebar.config"), {
    details: {
      file: "rebar.config",
      line: 2,
      column: 3,
      reason: "variables are not allowed in a term file (found X); terms are read, never evaluated",
    },
  });
  assert.throws(() => parseTerms("{a b}."), { message: /^<input>:1:4: / });
});

test("term helpers: proplists, text, booleans, lists", () => {
  const app = one(`{application, demo, [{description, "Demo app"}, {vsn, "0.1.0"}, {registered, []},
    {applications, [kernel, stdlib]}, debug, {env, [{k, <<"v">>}]}, {licenses, ["MIT"]}, {odd, 1, 2}]}.`) as Tuple;
  const props = app.items[2]!;
  assert.equal(textOf(proplistGet(props, "description")), "Demo app");
  assert.equal(textOf(proplistGet(props, atom("vsn"))), "0.1.0");
  assert.deepEqual(listItems(proplistGet(props, "applications")), [atom("kernel"), atom("stdlib")]);
  assert.deepEqual(proplistGet(props, "debug"), atom("true"));
  assert.equal(proplistGet(props, "odd"), undefined, "a 3-tuple has no single value");
  assert.equal(proplistGet(props, "missing"), undefined);
  assert.equal(textOf(proplistGet(proplistGet(props, "env"), "k")), "v");
  assert.deepEqual(
    proplistKeys(props).map((k) => (k as Atom).name),
    ["description", "vsn", "registered", "applications", "debug", "env", "licenses", "odd"],
  );

  const updated = proplistSet(props, "vsn", charlist("1.0.0"));
  assert.equal(textOf(proplistGet(updated, "vsn")), "1.0.0");
  assert.equal(listItems(updated)!.length, listItems(props)!.length);
  assert.equal(textOf(proplistGet(props, "vsn")), "0.1.0", "the original list is not changed");
  assert.deepEqual(proplistSet([], "vsn", charlist("1")), [tuple(atom("vsn"), charlist("1"))]);

  assert.equal(textOf([104, 105]), "hi");
  assert.equal(textOf(bin("é")), "é");
  assert.equal(textOf(new Uint8Array([0xff])), undefined);
  assert.equal(textOf(atom("a")), undefined);
  assert.equal(textOf([0xd800]), undefined);
  assert.equal(boolOf(atom("true")), true);
  assert.equal(boolOf(atom("false")), false);
  assert.equal(boolOf(atom("yes")), undefined);
  assert.deepEqual(listItems(charlist("ab")), [97, 98]);
  assert.equal(listItems(atom("a")), undefined);
  assert.equal(int(2n), 2);
  assert.equal(int(2 ** 60), 2n ** 60n);
});

// Erlang term order: number < atom < tuple < map < [] < list < binary; ints before equal floats;
// [2|x] < [2] because the tails compare as x < [].
const ordered: Term[] = [
  -5,
  1,
  new Float(1),
  2n ** 64n,
  atom("a"),
  atom("b"),
  tuple(),
  tuple(atom("z")),
  tuple(atom("a"), atom("a")),
  new ErlMap([]),
  erlMap([[atom("a"), 1]]),
  [],
  [1],
  [1, 2],
  improper([2], atom("x")),
  [2],
  bin(""),
  bin("a"),
  bin("ab"),
  bin("b"),
];

test("term helpers: compareTerms follows Erlang term order", () => {
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        compareTerms(ordered[i]!, ordered[j]!),
        Math.sign(i - j),
        `${writeTerm(ordered[i]!)} vs ${writeTerm(ordered[j]!)}`,
      );
    }
  }
  assert.ok(!termEquals(1, new Float(1)), "1 =/= 1.0");
  assert.ok(termEquals(charlist("ab"), [97, 98]));
  assert.ok(
    termEquals(
      erlMap([
        [atom("a"), 1],
        [atom("b"), 2],
      ]),
      erlMap([
        [atom("b"), 2],
        [atom("a"), 1],
      ]),
    ),
  );
});
