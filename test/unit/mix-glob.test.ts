// Path.wildcard semantics (Erlang filelib + Elixir's dot-hiding listing) used for mix `files`. One line per case.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GlobError, wildcard } from "../../src/project/mix/index.js";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hexts-mix-glob-"));
  for (const f of [".formatter.exs", ".hidden/x", "README.md", "README.txt", "lib/a.ex", "lib/.dot.ex", "lib/b/c.ex", "lib/b/d.exs", "priv/x.txt", "src/e.erl", "n[1].txt", "caf\u00e9.md", "z.md"]) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), "x");
  }
  symlinkSync("lib", join(root, "link"));
  symlinkSync("nowhere", join(root, "dangling"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const cases: Array<[string, string[]]> = [
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
  test(`wildcard ${JSON.stringify(pattern)}`, () => assert.deepEqual(wildcard(root, pattern), expected));
}

const errors: Array<[string, RegExp]> = [
  ["../x", /outside the project/],
  ["lib/../..", /outside the project/],
  [".", /project directory itself/],
  ["", /project directory itself/],
  ["a{b", /missing }/],
  ["{a,{b,c}}", /nested/],
];

for (const [pattern, message] of errors) {
  test(`wildcard ${JSON.stringify(pattern)} is refused`, () => {
    assert.throws(() => wildcard(root, pattern), (e: unknown) => e instanceof GlobError && message.test(e.message));
  });
}
