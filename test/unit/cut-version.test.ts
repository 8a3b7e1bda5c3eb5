// hexts cut's pure parts: the next version (increments, pre-releases, exact versions) and the byte-exact
// rewrite of the version literal in .app.src and mix.exs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import { incrementChoices, nextVersion } from "../../src/commands/publish/next-version.js";
import {
  findAppSrcVsn,
  findMixVersion,
  locateVersion,
  rewriteVersion,
  type VersionFile,
} from "../../src/commands/publish/version-file.js";

test("nextVersion: increments, pre-releases and exact versions", () => {
  const cases: [string, Parameters<typeof nextVersion>[1], string][] = [
    ["1.2.3", { increment: "patch" }, "1.2.4"],
    ["1.2.3", { increment: "minor" }, "1.3.0"],
    ["1.2.3", { increment: "major" }, "2.0.0"],
    ["0.9.9", { increment: "major" }, "1.0.0"],
    ["1.3.0-rc.1", { increment: "minor" }, "1.3.0"],
    ["1.3.0-rc.1", { increment: "patch" }, "1.3.0"],
    ["1.2.3", { increment: "minor", pre: "rc" }, "1.3.0-rc.0"],
    ["1.2.3", { increment: "major", pre: "beta" }, "2.0.0-beta.0"],
    ["1.2.3", { increment: "patch", pre: "alpha.x" }, "1.2.4-alpha.x.0"],
    ["1.3.0-rc.0", { pre: "rc" }, "1.3.0-rc.1"],
    ["1.3.0-beta.2", { pre: "rc" }, "1.3.0-rc.0"],
    ["1.2.3", { pre: "rc" }, "1.2.4-rc.0"],
    ["0.3.0+build.4.refabc1234", { increment: "minor" }, "0.4.0"],
    ["1.2.3", { set: "4.5.6-rc.1" }, "4.5.6-rc.1"],
    ["not-semver", { set: "1.0.0" }, "1.0.0"],
  ];
  for (const [current, o, want] of cases)
    assert.equal(nextVersion(current, o), want, `${current} ${JSON.stringify(o)}`);
});

test("nextVersion: refusals name the fix", () => {
  const cases: [string, Parameters<typeof nextVersion>[1], string, RegExp][] = [
    ["1.2.3", {}, "INPUT_REQUIRED", /--increment major\|minor\|patch, --pre LABEL or --version X/],
    ["1.2.3", { set: "1.2" }, "USAGE", /"1\.2" is not a valid semantic version/],
    ["1.2.3", { set: "v1.2.4" }, "USAGE", /not a valid semantic version/],
    ["1.2.3", { set: "1.2.4+build.1" }, "USAGE", /has \+build metadata, which hex\.pm does not allow/],
    ["1.2.3", { set: "1.2.4", increment: "patch" }, "USAGE", /cannot be combined/],
    ["1.2.3", { pre: "r c" }, "USAGE", /not a pre-release label/],
    ["1.2", { increment: "patch" }, "USAGE", /give the new one with --version X/],
  ];
  for (const [current, o, code, message] of cases) {
    assert.throws(
      () => nextVersion(current, o),
      (e: unknown) => e instanceof HextsError && e.code === code && message.test(e.message),
      JSON.stringify(o),
    );
  }
});

test("incrementChoices lists the three increments with their versions", () => {
  assert.deepEqual(incrementChoices("1.2.3"), [
    { increment: "patch", version: "1.2.4" },
    { increment: "minor", version: "1.3.0" },
    { increment: "major", version: "2.0.0" },
  ]);
  assert.deepEqual(incrementChoices("git"), []);
});

const APP_SRC = [
  "%% -*- coding: latin-1 -*-",
  '%% {vsn, "9.9.9"} in a comment is not the version',
  "{application, demo,",
  ' [{description, "Caf\xe9: {vsn, \\"0.0.0\\"} in a string"},',
  '  {vsn,   "1.2.3"}, % the version',
  '  {env, [{vsn, "nested"}, {c, $"}, {d, $}}]},',
  "  {'quoted atom', \"}\"},",
  '  {licenses, ["MIT"]}]}.',
  "",
].join("\n");

test(".app.src: the top-level vsn entry is found among comments, strings, chars and nested entries", () => {
  const site = findAppSrcVsn(APP_SRC, "demo.app.src");
  assert.ok("start" in site);
  assert.equal(site.version, "1.2.3");
  assert.equal(APP_SRC.slice(site.start, site.end), '"1.2.3"');
  const cases: [string, unknown][] = [
    ["{application, a, [{vsn, git}]}.", { kind: "vcs", text: "git" }],
    ['{application, a, [{vsn, "git"}]}.', { kind: "vcs", text: '"git"' }],
    ["{application, a, [{vsn, {git, short}}]}.", { kind: "vcs", text: "{git, short}" }],
    ['{application, a, [{vsn, {cmd, "echo 1"}}]}.', { kind: "vcs", text: '{cmd, "echo 1"}' }],
  ];
  for (const [text, want] of cases) assert.deepEqual(findAppSrcVsn(text, "a.app.src"), want, text);
  assert.throws(
    () => findAppSrcVsn('{application, a, [{description, "x"}]}.', "a.app.src"),
    /has no \{vsn, "X"\} entry/,
  );
  assert.throws(
    () => findAppSrcVsn('{application, a, [{vsn, "1.0.0"}, {vsn, "2.0.0"}]}.', "a.app.src"),
    /has 2 vsn entries/,
  );
  assert.throws(() => findAppSrcVsn("[].", "a.app.src"), /does not start with \{application/);
});

test(".app.src rewrite keeps every other byte, Latin-1 included", () => {
  const bytes = Buffer.from(APP_SRC, "latin1");
  const file = locateVersion("/p/demo.app.src", bytes, "app.src", "1.2.3") as VersionFile;
  const out = Buffer.from(rewriteVersion(file, "1.3.0-rc.0"));
  assert.deepEqual(out, Buffer.from(APP_SRC.replace('{vsn,   "1.2.3"}', '{vsn,   "1.3.0-rc.0"}'), "latin1"));
  assert.equal(out.indexOf(0xe9), bytes.indexOf(0xe9), "the Latin-1 é is still one byte at the same place");
});

const MIX = `defmodule Demo.MixProject do
  use Mix.Project

  # @version "0.1.0" (a comment)
  @version "0.1.0"
  @moduledoc """
  version: "0.1.0" in a heredoc
  """

  def project do
    [app: :demo, version: @version, docs: [source_ref: "v#{@version}"], deps: [{:dep, "0.1.0"}]]
  end
end
`;

test("mix.exs: @version is preferred; a version: literal otherwise; ambiguity is refused", () => {
  const attr = findMixVersion(MIX, "0.1.0", "mix.exs");
  assert.equal(attr.kind, "attribute");
  assert.equal(MIX.slice(0, attr.start).split("\n").length, 5, "the attribute on line 5, not the comment or heredoc");
  const literal = 'defmodule D.MixProject do\n  def project, do: [app: :d, version: "2.0.0", elixir: "~> 1.14"]\nend\n';
  assert.equal(findMixVersion(literal, "2.0.0", "mix.exs").kind, "keyword");
  assert.throws(
    () =>
      findMixVersion(
        'defmodule D do\n  def project, do: [version: "1.0.0"]\n  def other, do: [version: "1.0.0"]\nend\n',
        "1.0.0",
        "mix.exs",
      ),
    /2 version: "1\.0\.0" literals/,
  );
  assert.throws(
    () => findMixVersion("defmodule D do\n  def project, do: [version: version()]\nend\n", "1.0.0", "mix.exs"),
    /no @version "1\.0\.0" attribute nor version: "1\.0\.0" literal/,
  );
});

test("mix.exs rewrite: UTF-8 and a byte order mark survive", () => {
  const text = "\uFEFF# café ☕\n" + MIX;
  const file = locateVersion("/p/mix.exs", Buffer.from(text, "utf8"), "mix.exs", "0.1.0") as VersionFile;
  const out = Buffer.from(rewriteVersion(file, "0.2.0")).toString("utf8");
  assert.equal(out, text.replace('@version "0.1.0"\n', '@version "0.2.0"\n'));
  assert.throws(
    () => locateVersion("/p/mix.exs", Uint8Array.of(0xff, 0xfe, 0x41), "mix.exs", "0.1.0"),
    /not valid UTF-8/,
  );
});
