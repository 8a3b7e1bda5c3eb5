// filelib:wildcard semantics (what rebar3_hex globs `files`, `include_paths` and `exclude_paths` with).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLiteralPattern, matchComponent, wildcard } from "../../src/project/glob.js";

const TREE = [
  "a.txt",
  "b.md",
  ".hidden",
  "bra.txt",
  "br[a].txt",
  "src/x.erl",
  "src/y.hrl",
  "src/.dot.erl",
  "src/sub/z.erl",
  "docs/guide.md",
  "docs/internals.md",
  "docs/img/p.png",
];

describe("wildcard (filelib:wildcard/2)", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hexts-glob-"));
    for (const f of TREE) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), f);
    }
    symlinkSync("missing-target", join(dir, "dangling"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [pattern: string, expected: string[]][] = [
    ["*.txt", ["a.txt", "br[a].txt", "bra.txt"]],
    ["*", [".hidden", "a.txt", "b.md", "br[a].txt", "bra.txt", "dangling", "docs", "src"]],
    ["src/*.erl", ["src/.dot.erl", "src/x.erl"]],
    ["src/**/*.erl", ["src/.dot.erl", "src/sub/z.erl", "src/x.erl"]],
    ["**/*.md", ["b.md", "docs/guide.md", "docs/internals.md"]],
    ["src/**", ["src/.dot.erl", "src/sub", "src/sub/z.erl", "src/x.erl", "src/y.hrl"]],
    ["src/*.{erl,hrl}", ["src/.dot.erl", "src/x.erl", "src/y.hrl"]],
    ["?.txt", ["a.txt"]],
    ["[ab].*", ["a.txt", "b.md"]],
    ["br[a].txt", ["bra.txt"]],
    ["br\\[a].txt", ["br[a].txt"]],
    ["docs/*/p.png", ["docs/img/p.png"]],
    ["d*s", ["docs"]],
    ["docs", ["docs"]],
    ["src/../a.txt", ["src/../a.txt"]],
    ["missing", []],
    ["missing/*.txt", []],
    ["dangling", ["dangling"]],
    ["a.txt/*", []],
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(wildcard(pattern, dir), expected));
  }

  it("an absolute pattern gives absolute paths", () => {
    assert.deepEqual(wildcard(join(dir, "src", "*.hrl"), "/nonexistent"), [join(dir, "src", "y.hrl")]);
  });
});

describe("matchComponent and isLiteralPattern", () => {
  const cases: [pattern: string, name: string, matches: boolean][] = [
    ["*", ".gitignore", true],
    ["README*", "README.md", true],
    ["README*", "readme.md", false],
    ["*.erl", "a.erl", true],
    ["*.erl", "a.erl~", false],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "aXbY", false],
    ["[a-c]x", "bx", true],
    ["[a-c]x", "dx", false],
    ["[]]", "]", true],
    ["{x,y}z", "yz", true],
    ["{x,y}z", "xyz", false],
    ["{unclosed", "{unclosed", true],
    ["é?", "éa", true],
  ];
  for (const [pattern, name, matches] of cases) {
    it(`${pattern} ${matches ? "matches" : "does not match"} ${name}`, () => assert.equal(matchComponent(pattern, name), matches));
  }
  it("tells literal patterns apart", () => {
    assert.equal(isLiteralPattern("src/a.erl"), true);
    assert.equal(isLiteralPattern("src/\\*.erl"), true);
    assert.equal(isLiteralPattern("src/*.erl"), false);
  });
});
