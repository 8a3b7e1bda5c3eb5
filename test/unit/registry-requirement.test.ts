// Requirement matching and version order as Elixir's Version does it; lock file readers (mix.lock, rebar.lock).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMixLock, parseRebarLock } from "../../src/project/lockfiles.js";
import { compareVersions, highestVersion, matchesRequirement } from "../../src/registry/requirement.js";

const cases: [string, string, boolean][] = [
  ["1.2.0", "~> 1.2", true],
  ["1.9.9", "~> 1.2", true],
  ["2.0.0", "~> 1.2", false],
  ["2.0.0-rc.0", "~> 1.2", false],
  ["1.2.3", "~> 1.2.3", true],
  ["1.2.9", "~> 1.2.3", true],
  ["1.3.0", "~> 1.2.3", false],
  ["1.2.2", "~> 1.2.3", false],
  ["0.5.0", "~> 0.5", true],
  ["1.0.0", "~> 0.5", false],
  ["1.5.0", ">= 1.0.0 and < 2.0.0", true],
  ["2.0.0", ">= 1.0.0 and < 2.0.0", false],
  ["2.1.0", "~> 1.0 or ~> 2.0", true],
  ["3.0.0", "~> 1.0 or ~> 2.0", false],
  ["1.0.0", "1.0.0", true],
  ["1.0.0", "== 1.0.0", true],
  ["1.0.1", "!= 1.0.0", true],
  ["1.0.0", "> 1.0.0-rc.1", true],
  ["1.0.0-rc.2", ">= 1.0.0-rc.10", false],
  ["1.0.0", "not a requirement", false],
];

test("requirements match as Elixir's Version.match?", () => {
  for (const [version, requirement, expected] of cases)
    assert.equal(matchesRequirement(version, requirement), expected, `${version} ${requirement}`);
});

test("versions order by SemVer precedence; the highest skips pre-releases unless asked", () => {
  assert.equal(compareVersions("1.0.0-alpha", "1.0.0"), -1);
  assert.equal(compareVersions("1.0.0-alpha.1", "1.0.0-alpha.beta"), -1);
  assert.equal(compareVersions("1.0.0-rc.2", "1.0.0-rc.10"), -1);
  assert.equal(compareVersions("0.10.0", "0.9.0"), 1);
  const versions = ["0.9.0", "1.0.0", "1.1.0", "2.0.0-rc.1"];
  assert.equal(highestVersion(versions), "1.1.0");
  assert.equal(highestVersion(versions, { pre: true }), "2.0.0-rc.1");
  assert.equal(highestVersion(versions, { requirements: ["~> 1.0.0"] }), "1.0.0");
  assert.equal(highestVersion(versions, { requirements: ["~> 3.0"] }), undefined);
});

test("mix.lock: current, 7- and 6-element entries, organization repositories, git deps skipped", () => {
  const h1 = "ab".repeat(32);
  const h2 = "CD".repeat(32);
  const mime = '{:mime, "~> 1.0 or ~> 2.0", [hex: :mime, repo: "hexpm", optional: false]}';
  const locked = parseMixLock(`%{
  "plug": {:hex, :plug, "1.14.0", "${h1}", [:mix], [${mime}], "hexpm", "${h2}"},
  "my_app_name": {:hex, :priv_pkg, "0.1.0", "${h1}", [:mix], [], "hexpm:acme"},
  "old": {:hex, :old, "0.1.0", "${h1}", [:rebar3], []},
  "dep": {:git, "https://example.test/x.git", "abc", []},
}`);
  assert.deepEqual(
    locked.map((l) => [l.app, l.package, l.version, l.repository, l.innerChecksum === h1, l.outerChecksum]),
    [
      ["plug", "plug", "1.14.0", "hexpm", true, "cd".repeat(32)],
      ["my_app_name", "priv_pkg", "0.1.0", "hexpm:acme", true, undefined],
      ["old", "old", "0.1.0", "hexpm", true, undefined],
    ],
  );
  assert.deepEqual(locked[0]!.dependencies, [
    { app: "mime", package: "mime", requirement: "~> 1.0 or ~> 2.0", optional: false },
  ]);
  assert.throws(() => parseMixLock('File.rm_rf!("/")'), /not a map literal/);
});

test("rebar.lock: versioned format with pkg_hash/pkg_hash_ext, beta format, non-pkg sources skipped", () => {
  const locked = parseRebarLock(`{"1.2.0",
[{<<"cowboy">>,{pkg,<<"cowboy">>,<<"2.9.0">>},0},
 {<<"my_ranch">>,{pkg,<<"ranch">>,<<"1.8.0">>},1},
 {<<"gitdep">>,{git,"https://example.test/x.git",{ref,"abc"}},0}]}.
[
{pkg_hash,[
 {<<"cowboy">>, <<"${"AB".repeat(32)}">>},
 {<<"my_ranch">>, <<"${"CD".repeat(32)}">>}]},
{pkg_hash_ext,[
 {<<"cowboy">>, <<"${"EF".repeat(32)}">>}]}
].
`);
  assert.deepEqual(
    locked.map((l) => [
      l.app,
      l.package,
      l.version,
      l.level,
      l.innerChecksum?.slice(0, 2),
      l.outerChecksum?.slice(0, 2),
    ]),
    [
      ["cowboy", "cowboy", "2.9.0", 0, "ab", "ef"],
      ["my_ranch", "ranch", "1.8.0", 1, "cd", undefined],
    ],
  );
  assert.deepEqual(
    parseRebarLock(`[{<<"a">>,{pkg,<<"a">>,<<"1.0.0">>},0}].`).map((l) => l.version),
    ["1.0.0"],
  );
  assert.deepEqual(parseRebarLock("[]."), []);
});
