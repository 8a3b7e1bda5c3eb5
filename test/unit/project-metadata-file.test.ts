// `--metadata FILE`: a JSON description of the package, for projects no static reader can evaluate.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { HextsError } from "../../src/errors.js";
import { readProject } from "../../src/project/index.js";
import { guessBuildTools, readMetadataFileProject } from "../../src/project/metadata-file.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/metadata-script/", import.meta.url));

function copy(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-meta-"));
  cpSync(FIXTURE, dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("--metadata FILE", () => {
  it("describes a project with a rebar.config.script and a {cmd, ...} vsn", async (t) => {
    const dir = copy(t);
    const pkg = await readProject(dir, { metadataFile: join(dir, "hexts-metadata.json") });
    assert.deepEqual(pkg.problems, []);
    assert.equal(pkg.tool, "metadata");
    assert.equal(pkg.name, "meta_pkg");
    assert.equal(pkg.app, "meta");
    assert.equal(pkg.version, "2.1.0");
    assert.equal(pkg.defaultOutput, "meta_pkg-2.1.0.tar");
    // rebar3_hex's default list (the project has a rebar.config), sorted by full path; the JSON files stay out.
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      [
        "README.md",
        "priv",
        "priv/data.txt",
        "rebar.config",
        "rebar.config.script",
        "src",
        "src/meta.app.src",
        "src/meta.erl",
      ],
    );
    const appSrc = pkg.files.find((f) => f.path === "src/meta.app.src");
    assert.equal(appSrc?.kind, "memory");
    assert.match(Buffer.from(appSrc!.kind === "memory" ? appSrc!.contents : []).toString("utf8"), /\{vsn,"2\.1\.0"\}/);
    assert.deepEqual(pkg.requirements, [
      { name: "jsx", app: "jsx", requirement: "~> 3.1", optional: false },
      { name: "acme_util", app: "acme_util", requirement: ">= 1.0.0", optional: true, repository: "acme" },
    ]);
    assert.deepEqual(pkg.metadata, {
      name: "meta_pkg",
      app: "meta",
      version: "2.1.0",
      description: "Described by a JSON file",
      licenses: ["Apache-2.0"],
      links: { GitHub: "https://github.com/example/meta" },
      files: pkg.files.map((f) => f.path),
      build_tools: ["rebar3"],
      requirements: {
        jsx: { app: "jsx", optional: false, requirement: "~> 3.1" },
        acme_util: { app: "acme_util", optional: true, requirement: ">= 1.0.0", repository: "acme" },
      },
    });
  });

  it("explicit files, include/exclude paths, a list of requirements, elixir and extra", async (t) => {
    const dir = copy(t);
    const file = join(dir, "m.json");
    writeFileSync(
      file,
      JSON.stringify({
        app: "meta",
        version: "1.0.0",
        files: ["src/*.erl", "priv"],
        exclude_paths: ["priv/data.txt"],
        include_paths: ["README.md"],
        requirements: [{ name: "jason", app: "jason", requirement: "~> 1.4" }],
        build_tools: ["mix"],
        elixir: "~> 1.14",
        extra: { nested: { a: [1, true] } },
      }),
    );
    const pkg = await readMetadataFileProject(dir, file);
    assert.deepEqual(pkg.problems, []);
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      ["README.md", "priv", "priv/data.txt~", "src/meta.erl"],
    );
    assert.deepEqual(pkg.metadata.build_tools, ["mix"]);
    assert.equal(pkg.metadata.elixir, "~> 1.14");
    assert.deepEqual(pkg.metadata.extra, { nested: { a: [1, true] } });
    assert.deepEqual(pkg.metadata.requirements, { jason: { app: "jason", optional: false, requirement: "~> 1.4" } });
  });

  it("names every problem of an invalid file", async (t) => {
    const dir = copy(t);
    await assert.rejects(readProject(dir, { metadataFile: join(dir, "bad-metadata.json") }), (e: unknown) => {
      assert.ok(e instanceof HextsError);
      assert.equal(e.code, "PROJECT_INVALID");
      assert.match(e.message, /bad-metadata\.json: not a valid package description/);
      const lines = e.lines.join("\n");
      assert.match(lines, /version: /);
      assert.match(lines, /licenses: /);
      assert.match(lines, /versoin/);
      return true;
    });
  });

  it("refuses text that is not JSON and a file that is missing", async (t) => {
    const dir = copy(t);
    writeFileSync(join(dir, "x.json"), "{ app: meta }");
    await assert.rejects(readMetadataFileProject(dir, join(dir, "x.json")), /x\.json: not valid JSON/);
    await assert.rejects(
      readMetadataFileProject(dir, join(dir, "nope.json")),
      (e: unknown) => e instanceof HextsError && e.code === "IO",
    );
  });

  it("reports an exclude pattern that is not a valid regular expression", async (t) => {
    const dir = copy(t);
    writeFileSync(
      join(dir, "m.json"),
      JSON.stringify({ app: "meta", version: "1.0.0", exclude_patterns: ["(unclosed"] }),
    );
    const pkg = await readMetadataFileProject(dir, join(dir, "m.json"));
    assert.match(pkg.problems[0]!.message, /not a valid regular expression/);
  });

  it("guesses build_tools from the project's files in mix's order", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "hexts-guess-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.deepEqual(guessBuildTools(dir), []);
    writeFileSync(join(dir, "Makefile"), "");
    writeFileSync(join(dir, "rebar.config"), "");
    writeFileSync(join(dir, "mix.exs"), "");
    assert.deepEqual(guessBuildTools(dir), ["mix", "rebar3", "make"]);
  });
});
