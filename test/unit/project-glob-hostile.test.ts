// Hostile file patterns (issue 11 §3): matching is linear (filelib backtracks exponentially) and a pattern never
// reaches outside the project: not by an absolute path, not by `..`, not through a symlinked directory.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GlobError, matchComponent, wildcard } from "../../src/project/glob.js";
import { expandPaths } from "../../src/project/rebar3/files.js";
import type { Problem } from "../../src/project/types.js";

const FAST_MS = 2000;
const timed = <T>(fn: () => T): T => {
  const start = performance.now();
  const out = fn();
  const ms = performance.now() - start;
  assert.ok(ms < FAST_MS, `took ${Math.round(ms)} ms`);
  return out;
};

describe("component matching is linear", () => {
  const name = "a".repeat(200);
  it("*a*a*a*a*a*a*a*a*a*a*a*ab against 200 a's (backtracked for minutes)", () => {
    assert.equal(
      timed(() => matchComponent("*a*a*a*a*a*a*a*a*a*a*a*ab", name)),
      false,
    );
    assert.equal(
      timed(() => matchComponent("*a*a*a*a*a*a*a*a*a*a*a*ab", `${name}b`)),
      true,
    );
  });
  it("a long run of stars and alternatives", () => {
    assert.equal(
      timed(() => matchComponent(`${"*?".repeat(500)}{x,y}`, `${name}${name}${name}z`)),
      false,
    );
    assert.equal(
      timed(() => matchComponent(`{${Array.from({ length: 300 }, (_, i) => `n${i}`).join(",")}}*`, "n299-x")),
      true,
    );
  });
});

describe("patterns stay inside the directory", () => {
  let base = "";
  let project = "";
  before(() => {
    base = mkdtempSync(join(tmpdir(), "hexts-glob-out-"));
    project = join(base, "project");
    mkdirSync(join(project, "src"), { recursive: true });
    mkdirSync(join(base, "secret"));
    writeFileSync(join(base, "secret", "key.pem"), "secret");
    writeFileSync(join(project, "src", "a.erl"), "-module(a).");
    symlinkSync(join(base, "secret"), join(project, "outside"));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const refused = [
    "/**",
    "/etc/*",
    "../secret/*",
    "../*",
    "src/../../secret/key.pem",
    "*/../../secret/*",
    "outside/../../secret/key.pem",
  ];
  for (const pattern of refused) {
    it(`refuses ${pattern} without reading the disk outside`, () => {
      assert.throws(
        () => timed(() => wildcard(pattern, project)),
        (e: unknown) => e instanceof GlobError && /reaches outside/.test(e.message),
      );
    });
  }

  it("does not list a symlinked directory that leads outside", () => {
    // Below a wildcard it is passed over (the link itself still matches; the package checks refuse it) ...
    assert.deepEqual(wildcard("**", project), ["outside", "src", "src/a.erl"]);
    assert.deepEqual(wildcard("*/*.pem", project), []);
    // ... named by the pattern, it is an error.
    for (const pattern of ["outside/*", "outside/**"]) {
      assert.throws(
        () => wildcard(pattern, project),
        (e: unknown) => e instanceof GlobError && /through the symlink outside/.test(e.message),
      );
    }
  });

  it("still takes an absolute pattern inside the project and a/.. that stays inside", () => {
    assert.deepEqual(wildcard(join(project, "src", "*.erl"), project), [join(project, "src", "a.erl")]);
    assert.deepEqual(wildcard("src/../src/*.erl", project), ["src/../src/a.erl"]);
  });

  it('rebar3\'s include_paths ["/**"] is a problem, not a walk of the file system', () => {
    const problems: Problem[] = [];
    const entries = timed(() => expandPaths(["/**", "src/a.erl"], project, problems, { file: "rebar.config" }));
    assert.deepEqual(
      entries.map((e) => e.rel),
      ["src/a.erl"],
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /"\/\*\*" cannot be used: the pattern reaches outside/);
  });
});
