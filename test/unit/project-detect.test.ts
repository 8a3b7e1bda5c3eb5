// Which reader a directory goes to, and the app list offered for umbrellas.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { HextsError } from "../../src/errors.js";
import { detectProject, listApps, readProject } from "../../src/project/index.js";
import { vectorPath, vectorsSkip } from "../support/vectors.js";

function project(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-detect-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const APP_SRC = '{application, one, [{vsn, "1.0.0"}, {description, "One"}]}.\n';

describe("detectProject", () => {
  const cases: [files: Record<string, string>, kind: ReturnType<typeof detectProject>][] = [
    [{ "mix.exs": "", "rebar.config": "", Makefile: "" }, "mix"],
    [{ "rebar.config": "", Makefile: "", "erlang.mk": "" }, "rebar3"],
    [{ "rebar.config.script": "" }, "rebar3"],
    [{ Makefile: "", "erlang.mk": "", "src/one.app.src": APP_SRC }, "erlang.mk"],
    [{ "src/one.app.src": APP_SRC }, "rebar3"],
    [{ "apps/one/src/one.app.src": APP_SRC }, "rebar3"],
    [{ Makefile: "", "ebin/one.app": APP_SRC }, "erlang.mk"],
    [{ "ebin/one.app": APP_SRC }, undefined],
    [{ "README.md": "" }, undefined],
  ];
  for (const [files, kind] of cases) {
    it(`${Object.keys(files).join(" + ")} -> ${kind}`, (t) => assert.equal(detectProject(project(t, files)), kind));
  }
});

describe("several build tools in one directory", () => {
  const MIX_STUB =
    'defmodule One.MixProject do\n  use Mix.Project\n  def project, do: [app: :one, version: "1.0.0"]\nend\n';
  const APP =
    '{application, one, [{vsn, "1.0.0"}, {description, "One"}, {licenses, ["MIT"]}, {links, []}, ' +
    "{registered, []}, {applications, [kernel, stdlib]}]}.\n";

  it("picks the tool whose configuration describes a complete package, and says so", async (t) => {
    const dir = project(t, {
      "mix.exs": MIX_STUB,
      "rebar.config": "{deps, []}.\n",
      "rebar.lock": "[].\n",
      "src/one.app.src": APP,
      "src/one.erl": "-module(one).\n",
    });
    const pkg = await readProject(dir);
    assert.equal(pkg.tool, "rebar3");
    assert.equal(pkg.notes?.length, 1);
    assert.match(
      pkg.notes![0]!,
      new RegExp(
        /^mix\.exs and rebar\.config found; building with rebar3 /.source +
          /\(mix\.exs does not describe a complete package: /.source +
          /mix\.exs: Missing metadata fields: description, licenses, links\); /.source +
          /choose another with --build-tool mix\|rebar3$/.source,
      ),
    );
  });

  it("--build-tool chooses, and names what is missing", async (t) => {
    const dir = project(t, {
      "mix.exs": MIX_STUB,
      "rebar.config": "{deps, []}.\n",
      "rebar.lock": "[].\n",
      "src/one.app.src": APP,
      "src/one.erl": "",
    });
    assert.equal((await readProject(dir, { buildTool: "mix" })).tool, "mix");
    assert.equal((await readProject(dir, { buildTool: "rebar3" })).notes, undefined);
    await assert.rejects(
      readProject(dir, { buildTool: "make" }),
      (e: unknown) => e instanceof HextsError && e.code === "USAGE" && /--build-tool make/.test(e.message),
    );
  });

  it("keeps mix when both are complete (mix first, as before)", async (t) => {
    const full = MIX_STUB.replace(
      'version: "1.0.0"',
      'version: "1.0.0", description: "One", package: [licenses: ["MIT"], links: %{}]',
    );
    const dir = project(t, {
      "mix.exs": full,
      "rebar.config": "",
      "rebar.lock": "[].\n",
      "src/one.app.src": APP,
      "lib/one.ex": "",
    });
    const pkg = await readProject(dir);
    assert.equal(pkg.tool, "mix");
    assert.match(
      pkg.notes![0]!,
      /^mix\.exs and rebar\.config found; building with mix; choose another with --build-tool mix\|rebar3$/,
    );
  });
});

describe("listApps and readProject", () => {
  it("lists the apps of a rebar3 umbrella", { skip: vectorsSkip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "hexts-umbrella-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(vectorPath("projects", "rebar3_umbrella"), dir, { recursive: true });
    assert.deepEqual(
      (await listApps(dir)).map((a) => [a.name, a.dir]),
      [
        ["alpha", join(dir, "apps", "alpha")],
        ["beta", join(dir, "apps", "beta")],
      ],
    );
  });

  it("hands a mix project to the mix reader", { skip: vectorsSkip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "hexts-mix-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(vectorPath("projects", "mix_basic"), dir, { recursive: true });
    const pkg = await readProject(dir);
    assert.equal(pkg.tool, "mix");
    assert.equal(pkg.name, "pebble");
    assert.deepEqual(await listApps(dir), []);
  });

  it("honours project_app_dirs", async (t) => {
    const dir = project(t, {
      "rebar.config": '{project_app_dirs, ["components/*"]}.\n',
      "components/one/src/one.app.src": APP_SRC,
      "apps/two/src/two.app.src": APP_SRC.replace("one", "two"),
    });
    assert.deepEqual(
      (await listApps(dir)).map((a) => a.name),
      ["one"],
    );
  });

  it("lists a mix umbrella's apps and asks for --app before reading mix.exs", async (t) => {
    const dir = project(t, {
      "mix.exs": 'defmodule U.MixProject do\n  def project, do: [apps_path: "apps", deps: []]\nend\n',
      "apps/one/mix.exs": "",
      "apps/two/mix.exs": "",
    });
    assert.deepEqual(
      (await listApps(dir)).map((a) => a.name),
      ["one", "two"],
    );
    await assert.rejects(
      readProject(dir),
      (e: unknown) => e instanceof HextsError && e.code === "INPUT_REQUIRED" && /--app/.test(e.message),
    );
    await assert.rejects(
      readProject(dir, { app: "three" }),
      (e: unknown) => e instanceof HextsError && e.code === "USAGE",
    );
  });

  it("lists the Erlang.mk project's one app", async (t) => {
    const dir = project(t, { Makefile: "PROJECT = beacon\ninclude erlang.mk\n", "erlang.mk": "" });
    assert.deepEqual(
      (await listApps(dir)).map((a) => a.name),
      ["beacon"],
    );
  });

  it("refuses a directory with no project, pointing at --metadata", async (t) => {
    const dir = project(t, { "README.md": "" });
    await assert.rejects(
      readProject(dir),
      (e: unknown) => e instanceof HextsError && e.code === "PROJECT_INVALID" && /--metadata FILE/.test(e.message),
    );
    assert.deepEqual(await listApps(dir), []);
  });

  it("refuses --app on a project that has one app", async (t) => {
    const dir = project(t, { "src/one.app.src": APP_SRC, "rebar.lock": "[].\n" });
    await assert.rejects(readProject(dir, { app: "other" }), /App other given with --app is not in the project/);
    const pkg = await readProject(dir, { app: "one" });
    assert.equal(pkg.app, "one");
  });
});
