// The ~tp pretty printer: .app.src re-printed exactly as rebar3_hex does (vectors/projects), plus
// the atomic renderings. The metadata.config layout is covered by erlang-metadata-config.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { formatAppSrc, formatFloat, prettyTerm, writeAtom, writeTerm } from "../../src/erlang/pretty.js";
import { parseTerms } from "../../src/erlang/reader.js";
import {
  ImproperList,
  Tuple,
  atom,
  bin,
  charlist,
  erlMap,
  float,
  improper,
  proplistSet,
  tuple,
  type Term,
} from "../../src/erlang/terms.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

test(
  "formatAppSrc: every rebar3 project's .app.src is re-printed byte for byte as in the real tarball",
  { skip: vectorsSkip },
  () => {
    let checked = 0;
    for (const project of ["rebar3_basic", "rebar3_deps", "rebar3_files", "rebar3_umbrella"]) {
      const expected = readVectorJson<{ builds: { app: string; version: string; tarball: string }[] }>(
        "projects",
        "expected",
        project,
        "expected.json",
      );
      for (const build of expected.builds) {
        const umbrellaPath = vectorPath("projects", project, "apps", build.app, "src", `${build.app}.app.src`);
        const source = existsSync(umbrellaPath)
          ? umbrellaPath
          : vectorPath("projects", project, "src", `${build.app}.app.src`);
        const [original] = parseTerms(readFileSync(source), source);
        assert.ok(original instanceof Tuple && original.items.length === 3, source);
        const [tag, app, props] = original.items;
        const term = tuple(tag!, app!, proplistSet(props!, "vsn", charlist(build.version)));

        const outer = tarEntries(readFileSync(vectorPath("projects", "expected", project, build.tarball)));
        const inner = tarEntries(gunzipSync(outer.get("contents.tar.gz")!));
        const packaged = inner.get(`src/${build.app}.app.src`);
        assert.ok(packaged, `${project}/${build.app}: no .app.src in the tarball`);
        assert.equal(formatAppSrc(term), Buffer.from(packaged).toString("utf8"), `${project}/${build.app}`);
        assert.deepEqual(new TextEncoder().encode(formatAppSrc(term)), packaged);
        checked++;
      }
    }
    assert.equal(checked, 5);
  },
);

// OTP's shortest round-trip float text: plain notation only when it is not longer.
const floats: [number, string][] = [
  [1.5, "1.5"],
  [0.1, "0.1"],
  [1e10, "1.0e10"],
  [100, "100.0"],
  [10, "10.0"],
  [123, "123.0"],
  [1000, "1.0e3"],
  [2500, "2.5e3"],
  [0.001, "0.001"],
  [1e-4, "1.0e-4"],
  [0.0001234, "1.234e-4"],
  [123456.789, "123456.789"],
  [2 ** 53, "9.007199254740992e15"],
  [2 ** 53 - 1, "9007199254740991.0"],
  [0, "0.0"],
  [-0, "-0.0"],
  [-2.5, "-2.5"],
  [1e21, "1.0e21"],
  [5e-324, "5.0e-324"],
  [1.7976931348623157e308, "1.7976931348623157e308"],
];

test("formatFloat: Erlang's float text", () => {
  for (const [x, text] of floats) assert.equal(formatFloat(x), text, String(x));
  assert.throws(() => formatFloat(Number.NaN), RangeError);
});

const atoms: [string, string][] = [
  ["ok", "ok"],
  ["camelCase", "camelCase"],
  ["a@b_1", "a@b_1"],
  ["ünïcode", "ünïcode"],
  ["Upper", "'Upper'"],
  ["_x", "'_x'"],
  ["", "''"],
  ["a b", "'a b'"],
  ["it's", "'it\\'s'"],
  ["back\\slash", "'back\\\\slash'"],
  ["nl\n", "'nl\\n'"],
  ["end", "'end'"],
  ["andalso", "'andalso'"],
  ["maybe", "maybe"],
  ["ctl\u0001", "'ctl\\001'"],
  ["€uro", "'€uro'"],
  ["a÷b", "'a÷b'"],
];

test("writeAtom: bare when Erlang allows it, quoted and escaped otherwise", () => {
  for (const [name, written] of atoms) assert.equal(writeAtom(name), written, name);
});

// term -> one-line rendering
const written: [Term, string][] = [
  [charlist('say "hi"\\\n\t'), '"say \\"hi\\"\\\\\\n\\t"'],
  [charlist("café"), '"café"'],
  [charlist("€"), "[8364]"],
  [[7, 27, 127], "[7,27,127]"],
  [[8, 27], '"\\b\\e"'],
  [bin("café"), '<<"café"/utf8>>'],
  [new Uint8Array([0x63, 0xe9]), '<<"cé">>'],
  [new Uint8Array([0xc3, 0xa9, 0xff]), '<<"Ã©ÿ">>'],
  [new Uint8Array([0x01, 0xff]), "<<1,255>>"],
  [bin("a\u0085"), "<<97,194,133>>"],
  [new ImproperList([atom("a")], atom("b")), "[a|b]"],
  [
    erlMap([
      [atom("b"), 1],
      [bin("a"), [float(0.5)]],
    ]),
    '#{b => 1,<<"a">> => [0.5]}',
  ],
  [2n ** 100n, "1267650600228229401496703205376"],
  [tuple(), "{}"],
];

test("writeTerm: strings, binaries, lists, maps, numbers", () => {
  for (const [term, text] of written) assert.equal(writeTerm(term), text, text);
});

test("prettyTerm: layout at 80 columns", () => {
  const a = "a".repeat(40);
  const b = "b".repeat(40);
  // Maps: pairs packed while they fit, then one per line.
  assert.equal(
    prettyTerm(
      erlMap([
        [atom(a), 1],
        [atom(b), 2],
      ]),
    ),
    `#{${a} => 1,\n  ${b} => 2}`,
  );
  // Tagged tuples align after the tag; untagged ones after the brace.
  const list = Array.from({ length: 12 }, (_, i) => atom(`item_${i}`));
  assert.equal(
    prettyTerm(tuple(atom("deps"), list)),
    "{deps,[item_0,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9,\n       item_10,item_11]}",
  );
  assert.equal(
    prettyTerm(tuple(bin("deps"), list)),
    '{<<"deps">>,\n [item_0,item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9,\n  item_10,item_11]}',
  );
  // When tags would push the layout past mid-line, tagged tuples indent by 4 instead.
  const t1 = "t".repeat(30);
  const t2 = "u".repeat(30);
  assert.equal(
    prettyTerm(tuple(atom(t1), tuple(atom(t2), [charlist("x".repeat(30)), charlist("y".repeat(30))]))),
    `{${t1},\n    {${t2},\n        ["${"x".repeat(30)}","${"y".repeat(30)}"]}}`,
  );
  // A different start column and line length.
  assert.equal(prettyTerm([atom("abc"), atom("def")], { lineLength: 8 }), "[abc,\n def]");
  assert.equal(prettyTerm([atom("abc"), atom("def")], { column: 70 }), "[abc,def]");
  // Continuation lines are indented to the start column.
  assert.equal(prettyTerm([atom("abcdef"), atom("ghijkl")], { column: 70 }), `[abcdef,\n${" ".repeat(70)}ghijkl]`);
});

test("prettyTerm: what it prints reads back as the same term", () => {
  const term = tuple(atom("application"), atom("demo"), [
    tuple(atom("description"), charlist('A demo: "quotes", tabs\t and é')),
    tuple(atom("env"), [tuple(atom("blob"), new Uint8Array(Array.from({ length: 60 }, (_, i) => 200 + (i % 50))))]),
    tuple(
      atom("maps"),
      erlMap([
        [atom("k"), float(1e-7)],
        [bin("ü"), [improper([1], atom("t"))]],
      ]),
    ),
    tuple(atom("Quoted Atom"), -42),
  ]);
  const text = formatAppSrc(term);
  assert.ok(text.split("\n").length > 3, text);
  assert.equal(writeTerm(parseTerms(text)[0]!), writeTerm(term));
});

/** Members of an uncompressed ustar archive by name. */
function tarEntries(tar: Buffer): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((x) => x === 0)) break;
    const field = (start: number, len: number) => header.toString("utf8", start, start + len).replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const name = field(345, 155) ? `${field(345, 155)}/${field(0, 100)}` : field(0, 100);
    out.set(name, new Uint8Array(tar.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

test("prettyTerm: long lists are laid out without deep recursion", () => {
  const files = Array.from({ length: 20000 }, (_, i) => bin(`lib/module_${i}.ex`));
  const text = prettyTerm(tuple(bin("files"), files));
  const lines = text.split("\n");
  assert.ok(lines.length > 5000);
  assert.ok(
    lines.every((l) => l.length < 80),
    "short items are packed within 80 columns",
  );
  assert.ok(text.startsWith('{<<"files">>,\n [<<"lib/module_0.ex">>,<<"lib/module_1.ex">>,'));
});
