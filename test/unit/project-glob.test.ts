// filelib:wildcard semantics: what rebar3_hex globs `files`, `include_paths` and `exclude_paths` with, and what mix
// globs `files` with through Path.wildcard (listings without dot files, patterns joined to the project first).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GlobError, isLiteralPattern, matchComponent, wildcard } from "../../src/project/glob.js";
import { listApps } from "../../src/project/index.js";
import { normalizePattern } from "../../src/project/mix/files.js";
import { expandPaths } from "../../src/project/rebar3/files.js";
import type { Problem } from "../../src/project/types.js";

const makeTree = (prefix: string, files: string[]): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), f);
  }
  return dir;
};
const isGlobError = (message: RegExp) => (e: unknown) => e instanceof GlobError && message.test(e.message);

describe("wildcard (filelib:wildcard/2)", () => {
  let dir = "";
  before(() => {
    dir = makeTree("hexts-glob-", [
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
      "u/\uff21.txt", // FULLWIDTH A: after U+1F600 in UTF-16 order, before it in code point order
      "u/\u{1f600}.txt",
      "set/a",
      "set/z",
      "set/-",
      "set/m",
    ]);
    symlinkSync("missing-target", join(dir, "dangling"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [pattern: string, expected: string[]][] = [
    ["*.txt", ["a.txt", "br[a].txt", "bra.txt"]],
    ["*", [".hidden", "a.txt", "b.md", "br[a].txt", "bra.txt", "dangling", "docs", "set", "src", "u"]],
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
    ["s*c/../a.txt", ["src/../a.txt"]], // `..` after a wildcard: only below a directory
    ["*.txt/../a.txt", []],
    ["missing", []],
    ["missing/*.txt", []],
    ["dangling", ["dangling"]],
    ["a.txt/*", []],
    ["u/*", ["u/\uff21.txt", "u/\u{1f600}.txt"]], // lists:sort order: by code point
    ["set/[a-z]", ["set/a", "set/m", "set/z"]],
    ["set/[\\a-z]", ["set/-", "set/a", "set/z"]], // an escaped lower end is not a range in filelib
    ["{docs,src}/*.md", ["docs/guide.md", "docs/internals.md"]],
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(wildcard(pattern, dir), expected));
  }

  it("an absolute pattern gives absolute paths", () => {
    assert.deepEqual(wildcard(join(dir, "src", "*.hrl"), dir), [join(dir, "src", "y.hrl")]);
  });

  it("matchDot: false hides dot files from listings, not from literal paths", () => {
    assert.deepEqual(wildcard("src/*.erl", dir, { matchDot: false }), ["src/x.erl"]);
    assert.deepEqual(wildcard("*/.dot.erl", dir, { matchDot: false }), []);
    assert.deepEqual(wildcard("src/.dot.erl", dir, { matchDot: false }), ["src/.dot.erl"]);
  });

  const malformed: [pattern: string, message: RegExp][] = [
    ["{unclosed", /missing }/],
    ["a{b,c", /missing }/],
    ["{a,{b,c}}", /nested/],
    ["{a,{b}", /nested/],
    ["set/[a-\\z]", /escaped/],
  ];
  for (const [pattern, message] of malformed) {
    it(`${pattern} makes filelib raise`, () => assert.throws(() => wildcard(pattern, dir), isGlobError(message)));
  }

  it("rebar3 file selection reports a malformed pattern as a problem", () => {
    const problems: Problem[] = [];
    const entries = expandPaths(["{src", "b.md"], dir, problems, { file: "src/x.app.src" });
    assert.deepEqual(
      entries.map((e) => e.rel),
      ["b.md"],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, "src/x.app.src");
    assert.match(problems[0]!.message, /"\{src" cannot be used: missing }/);
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
    ["{x,y}{1,2}", "y2", true],
    ["é?", "éa", true],
  ];
  for (const [pattern, name, matches] of cases) {
    it(`${pattern} ${matches ? "matches" : "does not match"} ${name}`, () =>
      assert.equal(matchComponent(pattern, name), matches));
  }
  it("an unclosed { is an error, not a literal", () => {
    assert.throws(() => matchComponent("{unclosed", "{unclosed"), isGlobError(/missing }/));
  });
  it("tells literal patterns apart", () => {
    assert.equal(isLiteralPattern("src/a.erl"), true);
    assert.equal(isLiteralPattern("src/\\*.erl"), true);
    assert.equal(isLiteralPattern("src/*.erl"), false);
  });
});

describe("mix: Path.wildcard(Path.join(dir, pattern)) without match_dot", () => {
  let root = "";
  before(() => {
    root = makeTree("hexts-mix-glob-", [
      ".formatter.exs",
      ".hidden/x",
      "README.md",
      "README.txt",
      "lib/a.ex",
      "lib/.dot.ex",
      "lib/b/c.ex",
      "lib/b/d.exs",
      "priv/x.txt",
      "src/e.erl",
      "n[1].txt",
      "caf\u00e9.md",
      "z.md",
    ]);
    symlinkSync("lib", join(root, "link"));
    symlinkSync("nowhere", join(root, "dangling"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const mixWildcard = (pattern: string) => wildcard(normalizePattern(pattern), root, { matchDot: false });

  const cases: [pattern: string, expected: string[]][] = [
    ["lib", ["lib"]],
    ["lib/", ["lib"]],
    ["/lib", ["lib"]],
    ["./lib/../lib", ["lib"]],
    ["lib/*", ["lib/a.ex", "lib/b"]],
    ["lib/*.ex", ["lib/a.ex"]],
    ["lib/?.ex", ["lib/a.ex"]],
    ["lib/*/c.ex", ["lib/b/c.ex"]],
    ["lib/**", ["lib/a.ex", "lib/b", "lib/b/c.ex", "lib/b/d.exs"]],
    ["lib/**/*.ex", ["lib/a.ex", "lib/b/c.ex"]],
    ["**/*.exs", ["lib/b/d.exs", "link/b/d.exs"]],
    ["README*", ["README.md", "README.txt"]],
    ["README.{md,txt}", ["README.md", "README.txt"]],
    ["README.[mt]*", ["README.md", "README.txt"]],
    ["README.[a-l]*", []],
    ["*.md", ["README.md", "caf\u00e9.md", "z.md"]],
    ["*.exs", []],
    [".formatter.exs", [".formatter.exs"]],
    [".hidden/*", [".hidden/x"]],
    ["*/.dot.ex", []],
    ["lib/.dot.ex", ["lib/.dot.ex"]],
    ["n\\[1\\].txt", ["n[1].txt"]],
    ["n[[]1].txt", ["n[1].txt"]],
    ["dangling", ["dangling"]],
    ["link/*", ["link/a.ex", "link/b"]],
    ["nope", []],
    ["nope/*", []],
    ["{lib,src}", ["lib", "src"]],
    ["{src,priv}/*.{txt,erl}", ["priv/x.txt", "src/e.erl"]],
  ];
  for (const [pattern, expected] of cases) {
    it(`${JSON.stringify(pattern)} -> ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(mixWildcard(pattern), expected));
  }

  const errors: [pattern: string, message: RegExp][] = [
    ["../x", /outside the project/],
    ["lib/../..", /outside the project/],
    [".", /project directory itself/],
    ["", /project directory itself/],
    ["a{b", /missing }/],
    ["{a,{b,c}}", /nested/],
  ];
  for (const [pattern, message] of errors) {
    it(`${JSON.stringify(pattern)} is refused`, () => assert.throws(() => mixWildcard(pattern), isGlobError(message)));
  }

  it("umbrella apps (apps_path/*/mix.exs) skip directories starting with a dot, as Path.wildcard does", async () => {
    const umbrella = makeTree("hexts-umbrella-", ["apps/one/mix.exs", "apps/.draft/mix.exs", "apps/two/README.md"]);
    try {
      writeFileSync(
        join(umbrella, "mix.exs"),
        'defmodule U.MixProject do\n  def project, do: [apps_path: "apps"]\nend\n',
      );
      assert.deepEqual(
        (await listApps(umbrella)).map((a) => [a.name, a.dir]),
        [["one", join(umbrella, "apps", "one")]],
      );
    } finally {
      rmSync(umbrella, { recursive: true, force: true });
    }
  });
});
