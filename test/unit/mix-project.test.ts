// readMixProject on small projects: the fixtures under test/fixtures/mix-* plus inline projects for the
// error paths (files checks, symlinks, metadata checks, syntax errors).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HextsError } from "../../src/errors.js";
import { readMixProject } from "../../src/project/mix/index.js";
import { METADATA_HINT } from "../../src/project/mix/read.js";
import type { Problem, ProjectPackage } from "../../src/project/types.js";
import { encodeMetadataConfig } from "../../src/erlang/metadata-config.js";
import { buildPackageTarball } from "../../src/package/tarball.js";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-mix-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function copyFixture(t: { after(fn: () => void): void }, name: string): string {
  const dir = tempDir(t);
  cpSync(join(fixtures, name), dir, { recursive: true });
  return dir;
}

/** A project made of the given files; `mix` is the body of project/0's keyword list. */
function inline(t: { after(fn: () => void): void }, files: Record<string, string>, mix?: string): string {
  const dir = tempDir(t);
  const all = mix === undefined ? files : { "mix.exs": mixExs(mix), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// The caller closes the package's ].
const meta = 'description: "A package.", package: [licenses: ["MIT"], links: %{"Source" => "https://example.test/p"}';
const mixExs = (body: string) =>
  "defmodule P.MixProject do\n  use Mix.Project\n\n" +
  `  def project do\n    [app: :p, version: "1.0.0", ${body}]\n  end\nend\n`;
/** The reason a call to Application.get_env/2 cannot be evaluated statically. */
const GET_ENV = "Application.get_env/2 is a call into another module, which hexts does not run";

const errors = (pkg: ProjectPackage) => pkg.problems.filter((p) => p.severity === "error").map((p) => p.message);
const warnings = (pkg: ProjectPackage) => pkg.problems.filter((p) => p.severity === "warning").map((p) => p.message);

test("mix-deps: requirements as mix writes them; git/path prod deps and override refused", async (t) => {
  const pkg = await readMixProject(copyFixture(t, "mix-deps"));
  assert.deepEqual(pkg.requirements, [
    { name: "plain", app: "plain", requirement: "~> 1.0", optional: false, repository: "hexpm" },
    { name: "real_pkg", app: "renamed_app", requirement: "~> 2.0", optional: false, repository: "hexpm" },
    { name: "private", app: "private", requirement: ">= 0.0.0", optional: false, repository: "acme" },
    { name: "scoped", app: "scoped", requirement: "~> 0.3", optional: true, repository: "acme" },
    { name: "mirror", app: "mirror", requirement: "~> 1.1", optional: false, repository: "test_repo" },
    { name: "hexy", app: "hexy", requirement: "~> 1.0", optional: false, repository: "hexpm" },
    { name: "over", app: "over", requirement: "~> 1.0", optional: false, repository: "hexpm" },
  ]);
  assert.deepEqual((pkg.metadata.requirements as Array<Record<string, unknown>>)[1], {
    app: "renamed_app",
    name: "real_pkg",
    optional: false,
    repository: "hexpm",
    requirement: "~> 2.0",
  });
  assert.deepEqual(errors(pkg), [
    "Can't build package with overridden dependency over, remove `override: true`",
    "Dependencies excluded from the package (only Hex packages can be dependencies): prod_git, local, sibling",
  ]);
  assert.deepEqual(warnings(pkg), []);
});

test("mix-unevaluable: values that need Elixir are reported with their line, never guessed", async (t) => {
  const pkg = await readMixProject(copyFixture(t, "mix-unevaluable"));
  for (const p of pkg.problems)
    if (p.severity === "error") assert.ok(p.message.endsWith(`; ${METADATA_HINT}`), p.message);
  const shape = (p: Problem) => `${p.severity} ${p.file}:${p.line}: ${p.message.replace(`; ${METADATA_HINT}`, "")}`;
  assert.deepEqual(pkg.problems.map(shape), [
    "warning mix.exs:22: package: maintainers cannot be evaluated statically " +
      "(System.otp_release/0 is the OTP release mix runs on); Hex does not publish it, so it is ignored",
    `error mix.exs:4: version: cannot be evaluated statically: ${GET_ENV}`,
    `error mix.exs:30: deps: prod_unknown cannot be evaluated statically: ${GET_ENV}`,
    `warning mix.exs:14: hex: api_url cannot be evaluated statically: ${GET_ENV}; the setting is ignored`,
  ]);
  assert.equal(pkg.version, "");
  assert.equal("version" in pkg.metadata, false);
  assert.equal(
    pkg.metadata.description,
    "A description read at build time.",
    "File.read!/1 inside the project is evaluated",
  );
  assert.deepEqual(
    pkg.requirements.map((r) => r.name),
    ["known"],
  );
  assert.deepEqual(pkg.hexConfig, { unsafe_https: false });
});

test("mix-literals: sigils, heredoc, interpolation, files globs and exclusions, hex config", async (t) => {
  const dir = copyFixture(t, "mix-literals");
  writeFileSync(join(dir, "lib/.DS_Store"), "");
  mkdirSync(join(dir, "priv/empty"));
  symlinkSync("literal.ex", join(dir, "lib/alias.ex"));
  symlinkSync("../priv", join(dir, "lib/priv_link"));
  const pkg = await readMixProject(dir);
  assert.deepEqual(pkg.problems, []);
  assert.equal(pkg.app, "literal_app");
  assert.equal(pkg.name, "literal");
  assert.equal(pkg.version, "2.0.0-rc.1");
  assert.equal(pkg.defaultOutput, "literal-2.0.0-rc.1.tar");
  assert.equal(
    pkg.metadata.description,
    'Literal parsing: "quotes", #{escaped}, version 2.0.0-rc.1.\n  Indented line.',
  );
  assert.equal(pkg.metadata.elixir, "~> 1.15");
  assert.deepEqual(pkg.metadata.licenses, ["Apache-2.0", "MIT"]);
  assert.deepEqual(pkg.metadata.links, {
    Repo: "https://example.test/literal",
    Docs: "https://example.test/literal/docs",
  });
  assert.deepEqual(pkg.metadata.build_tools, ["mix", "make"]);
  assert.deepEqual(pkg.metadata.extra, { type: "library", flags: ["fast", true], nested: { level: 2 } });
  assert.deepEqual(pkg.metadata.files, [
    "lib",
    "lib/alias.ex",
    "lib/hex_metadata.config",
    "lib/literal.ex",
    "lib/priv_link",
    "lib/tmp", // the directory stays although its only file is excluded
    "priv",
    "priv/data.txt",
    "priv/drafts/idea.txt", // priv/drafts is excluded, its file is not
    "priv/empty",
    "docs/guide.md",
    "mix.exs",
    "NOTICE",
    "CHANGELOG.md",
    "README.md",
  ]);
  const byPath = new Map(pkg.files.map((f) => [f.path, f]));
  assert.deepEqual(pick(byPath.get("lib/alias.ex")), { kind: "symlink", target: "literal.ex" });
  assert.deepEqual(pick(byPath.get("lib/priv_link")), { kind: "symlink", target: "../priv" });
  assert.deepEqual(pick(byPath.get("priv/empty")), { kind: "dir", empty: true });
  assert.deepEqual(pick(byPath.get("lib/tmp")), { kind: "dir", empty: false });
  assert.deepEqual(pick(byPath.get("NOTICE")), { kind: "file", size: 7 });
  assert.deepEqual(pkg.hexConfig, {
    api_url: "http://127.0.0.1:4000/api",
    doc_provider: "ex_doc",
    repos: { acme: { url: "http://repo.test" } },
    organization: "acme",
  });

  // The package is writable as it stands.
  assert.ok(encodeMetadataConfig(pkg.metadata).length > 0);
  const a = await buildPackageTarball(pkg.metadata, pkg.files);
  const b = await buildPackageTarball((await readMixProject(dir)).metadata, pkg.files);
  assert.equal(a.outerChecksum, b.outerChecksum);
});

function pick(f: ProjectPackage["files"][number] | undefined): Record<string, unknown> {
  assert.ok(f);
  if (f.kind === "symlink") return { kind: f.kind, target: f.target };
  if (f.kind === "dir") return { kind: f.kind, empty: f.empty };
  if (f.kind === "file") return { kind: f.kind, size: f.size };
  return { kind: f.kind };
}

test("mix-umbrella: Hex refuses umbrellas, so --app picks an app under apps_path", async (t) => {
  const root = copyFixture(t, "mix-umbrella");
  await assert.rejects(
    readMixProject(root),
    (e: unknown) =>
      e instanceof HextsError && e.code === "USAGE" && /--app/.test(e.message) && /alpha, beta/.test(e.message),
  );
  await assert.rejects(
    readMixProject(root, { app: "gamma" }),
    (e: unknown) => e instanceof HextsError && e.code === "USAGE" && /alpha, beta/.test(e.message),
  );

  const alpha = await readMixProject(root, { app: "alpha" });
  assert.deepEqual(alpha.problems, []);
  assert.equal(alpha.root, root);
  assert.equal(alpha.appDir, join(root, "apps", "alpha"));
  assert.equal(alpha.defaultOutput, "apps/alpha/alpha-1.0.0.tar");
  assert.deepEqual(alpha.metadata.files, ["lib", "lib/alpha.ex", "mix.exs"]);
  assert.deepEqual(
    alpha.requirements.map((r) => r.name),
    ["jason"],
  );

  const beta = await readMixProject(root, { app: "beta" });
  assert.deepEqual(beta.problems, [
    {
      severity: "error",
      message: "Dependencies excluded from the package (only Hex packages can be dependencies): alpha",
      file: "apps/beta/mix.exs",
    },
  ]);

  const direct = await readMixProject(join(root, "apps", "alpha"));
  assert.equal(direct.defaultOutput, "alpha-1.0.0.tar");
  assert.deepEqual(direct.metadata, alpha.metadata);
});

test("--app on a single-app project must name that app", async (t) => {
  const dir = inline(t, { "lib/p.ex": "" }, `${meta}]`);
  assert.equal((await readMixProject(dir, { app: "p" })).name, "p");
  await assert.rejects(
    readMixProject(dir, { app: "q" }),
    (e: unknown) => e instanceof HextsError && e.code === "USAGE",
  );
});

test("unreadable projects throw PROJECT_INVALID naming file and line", async (t) => {
  const noMix = inline(t, { "lib/p.ex": "" });
  await assert.rejects(
    readMixProject(noMix),
    (e: unknown) => e instanceof HextsError && e.code === "PROJECT_INVALID" && /no mix\.exs/.test(e.message),
  );

  const syntax = inline(t, {
    "mix.exs":
      'defmodule P.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :p, version: "1.0.0"\n  end\nend\n',
  });
  await assert.rejects(readMixProject(syntax), (e: unknown) => {
    assert.ok(e instanceof HextsError);
    assert.equal(e.code, "PROJECT_INVALID");
    assert.match(e.message, /^mix\.exs:6:3: expected "\]"/);
    assert.deepEqual(e.details, { file: "mix.exs", line: 6, column: 3 });
    return true;
  });

  const badInterpolation = inline(t, {
    "mix.exs":
      "defmodule P.MixProject do\n  use Mix.Project\n" +
      '  def project, do: [app: :p, version: v()]\n  defp v, do: "#{1 +}"\nend\n',
  });
  await assert.rejects(
    readMixProject(badInterpolation),
    (e: unknown) => e instanceof HextsError && e.code === "PROJECT_INVALID" && /^mix\.exs:4:/.test(e.message),
  );

  const noModule = inline(t, { "mix.exs": "defmodule P do\n  def project, do: []\nend\n" });
  await assert.rejects(
    readMixProject(noModule),
    (e: unknown) => e instanceof HextsError && /use Mix.Project/.test(e.message),
  );
  const noProject = inline(t, {
    "mix.exs": "defmodule P.MixProject do\n  use Mix.Project\n  def other, do: []\nend\n",
  });
  await assert.rejects(
    readMixProject(noProject),
    (e: unknown) => e instanceof HextsError && /project\/0/.test(e.message),
  );
});

test("files: missing patterns, a top-level hex_metadata.config, an empty list", async (t) => {
  const missing = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}, files: ["lib", "nope", "docs/*.md"]]`));
  assert.deepEqual(errors(missing), ["Missing files: nope, docs/*.md"]);

  const reserved = await readMixProject(
    inline(t, { "hex_metadata.config": "", "lib/p.ex": "" }, `${meta}, files: ["lib", "*.config"]]`),
  );
  assert.deepEqual(errors(reserved), ["Do not include this file: hex_metadata.config"]);

  const empty = await readMixProject(
    inline(t, { "lib/p.ex": "" }, `${meta}, files: ["lib"], exclude_patterns: [~r/^lib/]]`),
  );
  assert.deepEqual(errors(empty), ["Creating tarball failed: File list was empty."]);

  const outside = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}, files: ["lib", "../x"]]`));
  assert.deepEqual(errors(outside), ['files: pattern "../x" points outside the project']);

  const badRegex = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}, exclude_patterns: [~r/(?>a)/]]`));
  assert.match(errors(badRegex)[0]!, /exclude_patterns: .*atomic group/);
});

test("files: symlinks stay symlinks only when they stay inside the project", async (t) => {
  const dir = inline(t, { "lib/p.ex": "", "outside/secret.txt": "x" }, `${meta}, files: ["lib", "out/*"]]`);
  const project = join(dir, "project");
  mkdirSync(project);
  cpSync(join(dir, "lib"), join(project, "lib"), { recursive: true });
  writeFileSync(join(project, "mix.exs"), mixExs(`${meta}, files: ["lib", "out/*"]]`));
  symlinkSync("../../outside/secret.txt", join(project, "lib", "escape.txt"));
  symlinkSync(join(project, "lib", "p.ex"), join(project, "lib", "absolute.ex"));
  symlinkSync("../outside", join(project, "out"));
  const pkg = await readMixProject(project);
  assert.deepEqual(errors(pkg), [
    `files: the pattern reaches outside ${project} through the symlink out`, // the glob never lists it (issue 11 §3)
    `unsafe symlink in tarball: lib/absolute.ex -> ${join(project, "lib", "p.ex")}`,
    "unsafe symlink in tarball: lib/escape.txt -> ../../outside/secret.txt",
  ]);
});

test("metadata checks of mix hex.build", async (t) => {
  const bare = await readMixProject(inline(t, { "lib/p.ex": "" }, "deps: []"));
  assert.deepEqual(errors(bare), ["Missing metadata fields: description, licenses, links"]);
  const org = await readMixProject(inline(t, { "lib/p.ex": "" }, "deps: []"), { organization: "acme" });
  assert.deepEqual(errors(org), []);
  assert.deepEqual(warnings(org), ["Missing metadata fields: description, licenses, links"]);
  const orgInPackage = await readMixProject(inline(t, { "lib/p.ex": "" }, 'package: [organization: "acme"]'));
  assert.deepEqual(errors(orgInPackage), []);
  assert.equal(orgInPackage.hexConfig.organization, "acme");

  const long = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}], description: "${"e\u0301".repeat(301)}"`));
  assert.deepEqual(errors(long), ["Package description is too long (exceeds 300 characters)"]);
  const exact = await readMixProject(
    inline(t, { "lib/p.ex": "" }, `${meta}], description: "  ${"e\u0301".repeat(300)}\\n"`),
  );
  assert.deepEqual(errors(exact), []);
  assert.equal(exact.metadata.description, "e\u0301".repeat(300));

  const misplaced = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}], licenses: ["MIT"]`));
  assert.deepEqual(warnings(misplaced), [
    "Mix project configuration :licenses belongs under the :package key, did you misplace it?",
  ]);

  const kwLinks = await readMixProject(
    inline(
      t,
      { "lib/p.ex": "" },
      'description: "d", package: [licenses: ["MIT"], links: [Source: "https://s.test", Docs: "https://d.test"]]',
    ),
  );
  assert.deepEqual(kwLinks.metadata.links, { Source: "https://s.test", Docs: "https://d.test" });
  assert.match(warnings(kwLinks)[0]!, /links is written with its keys sorted/);

  const misspelt = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}, organisation: "acme"]`));
  assert.deepEqual(errors(misspelt), ["Invalid Hex package config :organisation, use spelling :organization"]);

  const noLicenses = await readMixProject(
    inline(t, { "lib/p.ex": "" }, 'description: "d", package: [licenses: [], links: %{}]'),
  );
  assert.deepEqual(warnings(noLicenses), ["You have not included any licenses"]);

  const float = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}, extra: %{"ratio" => 1.5}]`));
  assert.match(errors(float)[0]!, /^extra: the float 1.5 cannot be published/);

  const nilDescription = await readMixProject(
    inline(t, { "lib/p.ex": "" }, 'description: nil, package: [licenses: ["MIT"], links: %{}]'),
  );
  assert.equal(nilDescription.metadata.description, "nil");
  assert.deepEqual(warnings(nilDescription), ['description is nil; Hex writes it as the string "nil"']);
});

test("a dependency whose options need Elixir is an error only when it could be a prod dependency", async (t) => {
  const pkg = await readMixProject(
    inline(
      t,
      { "lib/p.ex": "" },
      `${meta}], deps: [{:a, "~> 1.0", opts()}, ` +
        '{:b, "~> 1.0", only: :test, path: Application.get_env(:p, :b)}, {:c, Application.get_env(:p, :c)}]',
    ),
  );
  assert.deepEqual(
    pkg.problems.map((p) => `${p.severity}:${p.line} ${p.message.replace(`; ${METADATA_HINT}`, "")}`),
    [
      "error:5 deps: a cannot be evaluated statically: calls opts/0, which is not defined in this module",
      `error:5 deps: c cannot be evaluated statically: ${GET_ENV}`,
    ],
  );
});

test("build_tools are guessed from the package's top-level files", async (t) => {
  const pkg = await readMixProject(
    inline(
      t,
      { "rebar.config": "", Makefile: "", "src/p.erl": "" },
      `${meta}, files: ["src", "Makefile", "rebar.config", "mix.exs"]]`,
    ),
  );
  assert.deepEqual(pkg.metadata.build_tools, ["mix", "rebar3", "make"]);
  const none = await readMixProject(inline(t, { "lib/p.ex": "" }, `${meta}, files: ["lib"]]`));
  assert.deepEqual(none.metadata.build_tools, ["mix"]);
});

test("--file-order filesystem walks directories in readdir order, as file:list_dir/1 (mix's File.ls!)", async (t) => {
  const files: Record<string, string> = {};
  for (const name of ["zeta", "alpha", "Mid", "beta_2", "beta", "omega", "ü", "_x", "k9", "k10"])
    files[`lib/${name}.ex`] = "";
  const dir = inline(t, files, `${meta}]`);
  const sorted = await readMixProject(dir);
  const raw = await readMixProject(dir, { fileOrder: "filesystem" });
  const libOf = (pkg: ProjectPackage) =>
    (pkg.metadata.files as string[]).filter((p) => p.startsWith("lib/")).map((p) => p.slice(4));
  assert.deepEqual(
    libOf(sorted),
    [...libOf(sorted)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
  );
  assert.deepEqual([...libOf(raw)].sort(), [...libOf(sorted)].sort(), "the same files");
  const erl = spawnSync(
    "erl",
    [
      "-noshell",
      "+fnu",
      "-eval",
      `io:setopts([{encoding, unicode}]), {ok, L} = file:list_dir("${join(dir, "lib")}"), ` +
        'io:format("~ts", [lists:join("\\n", L)]), halt().',
    ],
    { encoding: "utf8", env: { ...process.env, LANG: "C.UTF-8" } },
  );
  if (erl.error) return t.skip("erl is not installed: the order is only checked to hold the same files");
  assert.deepEqual(libOf(raw), erl.stdout.split("\n"));
});

test("mix.exs computing metadata: VERSION files, branches on the Elixir version, environment variables", async (t) => {
  const versionFile = inline(
    t,
    { VERSION: "2.4.1\n", "lib/p.ex": "" },
    `${meta}], version: "VERSION" |> File.read!() |> String.trim(), ` +
      'deps: [{:jason, System.get_env("JASON_REQ", "~> 1.4")}]',
  );
  const pkg = await readMixProject(versionFile, { env: {} });
  assert.deepEqual(errors(pkg), []);
  assert.equal(pkg.version, "2.4.1");
  assert.deepEqual(
    pkg.requirements.map((r) => `${r.name} ${r.requirement}`),
    ["jason ~> 1.4"],
  );
  const fromEnv = await readMixProject(versionFile, { env: { JASON_REQ: "~> 1.2" } });
  assert.deepEqual(
    fromEnv.requirements.map((r) => `${r.name} ${r.requirement}`),
    ["jason ~> 1.2"],
    "System.get_env reads the environment, as mix does",
  );

  // A test-only dependency behind the Elixir version: both branches give the same package.
  const testOnly = inline(
    t,
    { "lib/p.ex": "" },
    `${meta}], deps: deps()]\n  end\n  defp deps do\n    if Version.match?(System.version(), "~> 1.12") do\n` +
      '      [{:dep, "~> 1.0"}, {:stream_data, "~> 0.5", only: :test}]\n    else\n      [{:dep, "~> 1.0"}]\n' +
      "    end\n  end\n  def unused do\n    [",
  );
  const built = await readMixProject(testOnly, { env: {} });
  assert.deepEqual(errors(built), []);
  assert.deepEqual(
    built.requirements.map((r) => r.name),
    ["dep"],
  );

  // ... but a branch that changes the package is named, with the way out.
  const differs = inline(
    t,
    { "lib/p.ex": "" },
    `${meta}], deps: (if Version.match?(System.version(), ">= 1.15.0"), ` +
      'do: [{:new_dep, "~> 2.0"}], else: [{:old_dep, "~> 1.0"}])',
  );
  await assert.rejects(readMixProject(differs, { env: {} }), (e: unknown) => {
    assert.ok(e instanceof HextsError && e.code === "PROJECT_INVALID");
    assert.match(
      e.message,
      new RegExp(
        /^mix\.exs:5:\d+: the package depends on a condition hexts cannot evaluate /.source +
          /\(System\.version\/0 is the Elixir version mix runs on\): /.source +
          /its branches give different package metadata; describe the package .*--metadata FILE/.source,
      ),
    );
    return true;
  });
});

test("an undecidable condition, the same package both ways: that package's own errors, with the way out", async (t) => {
  const dir = inline(
    t,
    { "lib/p.ex": "" },
    `${meta}, files: Foo.files()], deps: (if Version.match?(System.version(), ">= 1.15.0"), ` +
      'do: [{:dep, "~> 2.0"}, {:sd, "~> 1.0", only: :test}], else: [{:dep, "~> 2.0"}])',
  );
  const pkg = await readMixProject(dir, { env: {} });
  assert.deepEqual(errors(pkg), [
    "package: files cannot be evaluated statically: Foo.files/0 is a call into another module, which hexts does " +
      "not run; describe the package in a JSON file and pass --metadata FILE (format in hexts's README)",
  ]);
});

test("mix.exs evaluation is bounded: steps, memory, and malformed numbers are typed errors", async (t) => {
  const cases: [string, RegExp][] = [
    [
      `${meta}], description: f(1)]\n  end\n  defp f(x), do: [f(x), f(x)]\n  def unused do\n    [`,
      /^mix\.exs:\d+:\d+: evaluating it takes more than 1000000 steps/,
    ],
    [
      `${meta}], description: d(27, ["x"])]\n  end\n` +
        "  defp d(0, l), do: l\n  defp d(n, l), do: d(n - 1, l ++ l)\n  def unused do\n    [",
      /^mix\.exs:\d+:\d+: evaluating it builds more than 8000000 list elements/,
    ],
    [`${meta}], x: 0b0b]`, /^mix\.exs:5:\d+: invalid number$/],
  ];
  for (const [body, re] of cases) {
    const dir = inline(t, { "lib/p.ex": "" }, body);
    await assert.rejects(
      readMixProject(dir, { env: {} }),
      (e: unknown) => e instanceof HextsError && e.code === "PROJECT_INVALID" && re.test(e.message),
    );
  }
});
