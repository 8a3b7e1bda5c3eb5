// Erlang.mk projects, read as erlang.mk's plugins/hex.mk packages them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { expandMakeVar, parseMakefileVars, readErlangMkProject } from "../../src/project/erlang-mk.js";
import { readProject } from "../../src/project/index.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/erlang-mk-basic/", import.meta.url));

function copy(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-emk-"));
  cpSync(FIXTURE, dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the fixture whose Makefile is `edit` of the fixture's. */
function copyWithMakefile(t: TestContext, edit: (makefile: string) => string): string {
  const dir = copy(t);
  const mk = join(dir, "Makefile");
  writeFileSync(mk, edit(readFileSync(mk, "utf8")));
  return dir;
}

describe("Makefile variables", () => {
  const cases: [makefile: string, name: string, expected: string | undefined][] = [
    ["PROJECT = cowboy\n", "PROJECT", "cowboy"],
    ["PROJECT := cowboy # the name\n", "PROJECT", "cowboy"],
    ["PROJECT ?= a\nPROJECT ?= b\n", "PROJECT", "a"],
    ["DEPS = a\nDEPS += b\n", "DEPS", "a b"],
    ["A = x\nB = $(A)-${A}\n", "B", "x-x"],
    ["V = 1.0\\\n  .0\n", "V", "1.0 .0"],
    ["override export P = z\n", "P", "z"],
    ["P = $(shell git describe)\n", "P", undefined],
    ["P != git describe\n", "P", undefined],
    ["define P\nnot = this\nendef\nQ = q\n", "not", ""],
    ["define P\nnot = this\nendef\nQ = q\n", "P", "not = this"],
    ["define P\n#{a => 1,\n  b => 2}\nendef\n", "P", "#{a => 1,\n  b => 2}"],
    ["define P =\ndefine Q\nx\nendef\nendef\n", "P", "define Q\nx\nendef"],
    ["P = a\ndefine P +=\nb\nendef\n", "P", "a b"],
    ["all:\n\tP = recipe\n", "P", ""],
    ["P = a$$b\n", "P", "a$b"],
    ["P = a\\#b # comment\n", "P", "a#b"],
  ];
  for (const [makefile, name, expected] of cases) {
    it(`${JSON.stringify(makefile)} -> ${name} = ${JSON.stringify(expected)}`, () =>
      assert.equal(expandMakeVar(name, parseMakefileVars(makefile)), expected));
  }
});

describe("readErlangMkProject", () => {
  it("reads HEX_TARBALL_EXTRA_METADATA from a multi-line define block (rabbit_common's shape)", async (t) => {
    const dir = copyWithMakefile(t, (mk) =>
      mk.replace(
        "include erlang.mk",
        'define HEX_TARBALL_EXTRA_METADATA\n#{\n\tlicenses => [<<"MPL-2.0">>],\n' +
          '\tlinks => #{\n\t\t<<"Website">> => <<"https://example.test">>\n\t}\n}\nendef\n\ninclude erlang.mk',
      ),
    );
    const pkg = await readErlangMkProject(dir);
    assert.deepEqual(pkg.problems, []);
    assert.deepEqual(pkg.metadata.licenses, ["MPL-2.0"]);
    assert.deepEqual(pkg.metadata.links, { Website: "https://example.test" });
  });

  it("packages src/APP.appup as ebin/APP.appup, as `make app` copies it before hex-tarball-create", async (t) => {
    const dir = copy(t);
    writeFileSync(join(dir, "src", "beacon.appup"), '{"1.3.0", [], []}.\n');
    const pkg = await readErlangMkProject(dir);
    const paths = pkg.files.map((f) => f.path);
    assert.equal(paths.indexOf("ebin/beacon.appup"), paths.indexOf("ebin/beacon.app") + 1);
    assert.ok(paths.includes("src/beacon.appup"));
    const appup = pkg.files.find((f) => f.path === "ebin/beacon.appup");
    assert.equal(appup?.kind === "file" ? appup.diskPath : undefined, join(dir, "src", "beacon.appup"));
  });

  it("reads name, version, deps and hex.mk's default file list", async (t) => {
    const dir = copy(t);
    const pkg = await readErlangMkProject(dir);
    assert.deepEqual(pkg.problems, []);
    assert.equal(pkg.tool, "make");
    assert.equal(pkg.app, "beacon");
    assert.equal(pkg.version, "1.3.0");
    assert.equal(pkg.defaultOutput, ".erlang.mk/beacon.tar");
    // hex.mk's HEX_TARBALL_FILES order: ebin/APP.app, erlang.mk, include/**/*.hrl, LICENSE*, Makefile, priv/**,
    // README*, rebar.config, src/**: regular files only, no directory entries, test/ left out.
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      [
        "ebin/beacon.app",
        "erlang.mk",
        "include/beacon.hrl",
        "include/sub/deep.hrl",
        "LICENSE",
        "Makefile",
        "priv/templates/page.html",
        "README.md",
        "src/beacon.erl",
        "src/beacon_app.erl",
      ],
    );
    assert.ok(pkg.files.every((f) => f.kind === "file"));
    assert.deepEqual(pkg.metadata, {
      app: "beacon",
      build_tools: ["make", "rebar3"],
      description: "Lights a beacon over the network",
      files: pkg.files.map((f) => f.path),
      licenses: ["ISC"],
      links: { GitHub: "https://github.com/example/beacon" },
      name: "beacon",
      requirements: {
        cowlib: { app: "cowlib", optional: false, requirement: "2.12.1" },
        ranch: { app: "ranch_alias", optional: false, requirement: "2.1.0" },
      },
      version: "1.3.0",
    });
    assert.deepEqual(
      pkg.requirements.map((r) => r.name),
      ["cowlib", "ranch"],
    );
  });

  it("is what readProject detects", async (t) => {
    const pkg = await readProject(copy(t));
    assert.equal(pkg.tool, "make");
  });

  it("refuses dependencies that are not Hex packages", async (t) => {
    const dir = copyWithMakefile(t, (mk) =>
      mk.replace(
        "DEPS = cowlib ranch_alias",
        "DEPS = cowlib ranch_alias gun jsx\ndep_gun = git https://github.com/ninenines/gun 2.0.0",
      ),
    );
    const pkg = await readErlangMkProject(dir);
    const errors = pkg.problems.filter((p) => p.severity === "error");
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /gun \(git\), jsx \(no dep_jsx line/);
  });

  it("needs ebin/APP.app (run `make app`)", async (t) => {
    const dir = copy(t);
    rmSync(join(dir, "ebin"), { recursive: true });
    await assert.rejects(readErlangMkProject(dir), /ebin\/beacon\.app is missing: run `make app`/);
  });

  it("needs exactly one {application, Name, [...]} term in ebin/APP.app", async (t) => {
    const dir = copy(t);
    writeFileSync(join(dir, "ebin", "beacon.app"), "{application, beacon, []}.\n{application, other, []}.\n");
    await assert.rejects(readErlangMkProject(dir), /ebin\/beacon\.app must hold exactly one \{application, Name/);
  });

  it("reports what make would have to compute", async (t) => {
    const dir = copyWithMakefile(t, (mk) =>
      mk.replace("PROJECT_VERSION = 1.3.0", "PROJECT_VERSION = $(shell git describe --tags)"),
    );
    const pkg = await readErlangMkProject(dir);
    assert.equal(pkg.version, "1.3.0"); // the compiled .app still says it
    const error = pkg.problems.find((p) => p.severity === "error");
    assert.equal(error?.file, "Makefile");
    assert.equal(error?.line, 5);
    assert.match(error!.message, /PROJECT_VERSION.*--metadata/);
  });

  it("HEX_TARBALL_FILES and HEX_TARBALL_EXTRA_METADATA from the Makefile", async (t) => {
    const dir = copyWithMakefile(
      t,
      (mk) =>
        mk +
        "HEX_TARBALL_FILES = Makefile src/beacon.erl ebin/beacon.app\n" +
        'HEX_TARBALL_EXTRA_METADATA = \\#{licenses => [<<"MIT">>], extra => \\#{<<"k">> => <<"v">>}}\n',
    );
    const pkg = await readErlangMkProject(dir);
    assert.deepEqual(pkg.problems, []);
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      ["Makefile", "src/beacon.erl", "ebin/beacon.app"],
    );
    assert.deepEqual(pkg.metadata.licenses, ["MIT"]);
    assert.deepEqual(pkg.metadata.extra, { k: "v" });
  });
});
