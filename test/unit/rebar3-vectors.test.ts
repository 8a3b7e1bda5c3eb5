// Every rebar3 project of the shared vectors, read by hexts, gives the file list, metadata and re-printed
// .app.src that rebar3_hex 7.2.0 wrote into the expected tarball.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeMetadataConfig, encodeMetadataConfig } from "../../src/erlang/metadata-config.js";
import { readTar } from "../../src/package/tar.js";
import { buildPackageTarball } from "../../src/package/tarball.js";
import { readRebar3Project } from "../../src/project/rebar3/index.js";
import { readProject } from "../../src/project/index.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

interface Build {
  id: string;
  app: string;
  package_name: string;
  version: string;
  tarball: string;
  output_path: string;
  outer_checksum: string;
  metadata_files: string[];
  metadata_config_file: string;
  contents: { name: string; mode: string; size: number; sha256: string }[];
}
interface Expected {
  project_files: { path: string; type: string; mode: string }[];
  builds: Build[];
}

const CASES = ["rebar3_basic", "rebar3_deps", "rebar3_files", "rebar3_umbrella"];

/** A fresh copy of a vector project with the modes expected.json lists (README "How a test should use a case"). */
function copyProject(name: string, expected: Expected): string {
  const dir = mkdtempSync(join(tmpdir(), `hexts-${name}-`));
  cpSync(vectorPath("projects", name), dir, { recursive: true });
  for (const f of expected.project_files) chmodSync(join(dir, f.path), parseInt(f.mode, 8));
  return dir;
}

/** The members of contents.tar.gz inside an expected package tarball. */
function expectedContents(tarball: string): Map<string, Uint8Array> {
  const outer = readTar(readFileSync(tarball));
  const gz = outer.find((m) => m.path === "contents.tar.gz")!;
  return new Map(readTar(gunzipSync(gz.data)).map((m) => [m.path, m.data]));
}

describe("rebar3 vector projects", { skip: vectorsSkip }, () => {
  for (const name of CASES) {
    const expected = vectorsSkip ? undefined : readVectorJson<Expected>("projects", "expected", name, "expected.json");
    for (const build of expected?.builds ?? []) {
      it(`${name} ${build.id}: files, metadata and the re-printed .app.src match rebar3_hex`, async (t) => {
        const dir = copyProject(name, expected!);
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        const pkg = await readRebar3Project(dir, name === "rebar3_umbrella" ? { app: build.app } : {});

        assert.deepEqual(pkg.problems, []);
        assert.deepEqual(
          pkg.files.map((f) => f.path),
          build.metadata_files,
        );
        assert.equal(pkg.name, build.package_name);
        assert.equal(pkg.app, build.app);
        assert.equal(pkg.version, build.version);
        assert.equal(pkg.defaultOutput, build.output_path);

        // Every entry: disk files with their mode and size, the .app.src from memory with rebar3_hex's bytes.
        const contents = expectedContents(vectorPath("projects", "expected", name, build.tarball));
        const appSrc = `src/${build.app}.app.src`;
        for (const file of pkg.files) {
          if (file.kind === "dir") {
            assert.equal(file.empty, false, file.path);
            assert.ok(!contents.has(file.path), `${file.path} is a non-empty directory, not written to the tar`);
            continue;
          }
          const member = build.contents.find((c) => c.name === file.path);
          assert.ok(member, `${file.path} is in the expected contents`);
          if (file.path === appSrc) {
            assert.equal(file.kind, "memory");
            assert.equal(
              Buffer.from((file as { contents: Uint8Array }).contents).toString("utf8"),
              Buffer.from(contents.get(appSrc)!).toString("utf8"),
            );
          } else {
            assert.equal(file.kind, "file", file.path);
            if (file.kind !== "file") continue;
            assert.equal(file.size, member.size, file.path);
            assert.equal((file.mode & 0o170777).toString(8), member.mode.replace(/^0+/, ""), file.path);
            assert.equal(statSync(file.diskPath).size, member.size);
          }
        }
        assert.equal(pkg.files.filter((f) => f.kind !== "dir").length, build.contents.length);

        // Metadata: the term rebar3_hex wrote, as hex_core reads it back; and, printed, the very same bytes.
        const configBytes = readFileSync(vectorPath("projects", "expected", name, build.metadata_config_file));
        assert.deepEqual(pkg.metadata, decodeMetadataConfig(configBytes));
        assert.equal(Buffer.from(encodeMetadataConfig(pkg.metadata)).toString("utf8"), configBytes.toString("utf8"));

        // End to end: the tarball built from this ProjectPackage is rebar3_hex's, byte for byte.
        const { outerChecksum } = await buildPackageTarball(pkg.metadata, pkg.files);
        assert.equal(outerChecksum, build.outer_checksum);
      });
    }
  }

  it("rebar3_basic without its rebar.lock gives the same tarball (rebar3 writes `[].` first)", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "rebar3_basic", "expected.json");
    const dir = copyProject("rebar3_basic", expected);
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    rmSync(join(dir, "rebar.lock"));
    const pkg = await readRebar3Project(dir);
    assert.equal(pkg.files.find((f) => f.path === "rebar.lock")?.kind, "memory");
    const { outerChecksum } = await buildPackageTarball(pkg.metadata, pkg.files);
    assert.equal(outerChecksum, expected.builds[0]!.outer_checksum);
  });

  it("rebar3_umbrella without --app fails naming --app and both apps", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "rebar3_umbrella", "expected.json");
    const dir = copyProject("rebar3_umbrella", expected);
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    await assert.rejects(readProject(dir), (e: Error & { code?: string; details?: unknown }) => {
      assert.equal(e.code, "INPUT_REQUIRED");
      assert.match(e.message, /--app/);
      assert.match(e.message, /alpha, beta/);
      assert.deepEqual(e.details, { apps: ["alpha", "beta"] });
      return true;
    });
    await assert.rejects(
      readProject(dir, { app: "gamma" }),
      /App gamma given with --app is not in the project.*alpha, beta/,
    );
  });
});
