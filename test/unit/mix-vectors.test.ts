// The mix projects of vectors/projects, read statically, must give what mix hex.build (Hex 2.5.1) wrote:
// the file list in its order, metadata.config byte for byte, and (with the shared tarball writer) the
// same outer checksum as the expected tarball.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMixProject } from "../../src/project/mix/index.js";
import { decodeMetadataConfig, encodeMetadataConfig } from "../../src/erlang/metadata-config.js";
import { buildPackageTarball } from "../../src/package/tarball.js";
import { haveVectors, readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

interface Build {
  package_name: string;
  version: string;
  app: string;
  output_path: string;
  outer_checksum: string;
  metadata_config_file: string;
  metadata_files: string[];
  contents: Array<{ name: string; type: string; mode: string; size: number }>;
}

const mixCases: string[] = haveVectors
  ? readVectorJson<{ cases: Array<{ case: string; tool: string }> }>("projects", "index.json")
      .cases.filter((c) => c.tool === "mix")
      .map((c) => c.case)
  : ["mix_basic", "mix_complex", "mix_unicode"];

/** Copies the project into a fresh directory with the modes recorded in expected.json. */
function checkout(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hexts-${name}-`));
  cpSync(vectorPath("projects", name), dir, { recursive: true });
  const expected = readVectorJson<{ project_files: Array<{ path: string; mode: string }> }>(
    "projects",
    "expected",
    name,
    "expected.json",
  );
  for (const f of expected.project_files) chmodSync(join(dir, f.path), parseInt(f.mode, 8));
  return dir;
}

test("there are three mix project vectors", { skip: vectorsSkip }, () => assert.equal(mixCases.length, 3));

for (const name of mixCases) {
  test(`${name}: same package as mix hex.build`, { skip: vectorsSkip }, async (t) => {
    const expected = readVectorJson<{ builds: Build[] }>("projects", "expected", name, "expected.json");
    const build = expected.builds[0]!;
    const dir = checkout(name);
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const pkg = await readMixProject(dir);

    assert.deepEqual(pkg.problems, []);
    assert.equal(pkg.tool, "mix");
    assert.equal(pkg.name, build.package_name);
    assert.equal(pkg.version, build.version);
    assert.equal(pkg.app, build.app);
    assert.equal(pkg.defaultOutput, build.output_path);
    assert.deepEqual(pkg.metadata.files, build.metadata_files);
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      build.metadata_files,
    );

    // Regular files carry their disk mode and size; the tar holds exactly those (non-empty dirs are skipped).
    const regular = pkg.files.filter((f) => f.kind === "file");
    assert.deepEqual(
      regular.map((f) => ({ name: f.path, mode: "0" + f.mode.toString(8), size: f.kind === "file" ? f.size : -1 })),
      build.contents.map((c) => ({ name: c.name, mode: c.mode, size: c.size })),
    );
    assert.ok(pkg.files.every((f) => f.kind !== "dir" || !f.empty));

    const expectedConfig = readFileSync(vectorPath("projects", "expected", name, build.metadata_config_file));
    const ours = encodeMetadataConfig(pkg.metadata);
    assert.deepEqual(decodeMetadataConfig(ours), decodeMetadataConfig(expectedConfig));
    assert.equal(Buffer.from(ours).toString("utf8"), expectedConfig.toString("utf8"));

    const tarball = await buildPackageTarball(pkg.metadata, pkg.files);
    assert.equal(tarball.outerChecksum, build.outer_checksum);
  });
}

test("mix_complex: requirements in deps order, dev/test deps dropped", { skip: vectorsSkip }, async (t) => {
  const dir = checkout("mix_complex");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = await readMixProject(dir);
  assert.deepEqual(pkg.requirements, [
    { name: "foo", app: "foo", requirement: "~> 0.1", optional: false, repository: "test_repo" },
    { name: "erltest", app: "erltest", requirement: ">= 0.1.0 and < 1.0.0", optional: true, repository: "test_repo" },
  ]);
  assert.equal(
    pkg.metadata.description,
    "Quarry digs structured records out of flat text files.\nBuilt as a fixture for Hex package tooling.",
  );
  assert.deepEqual(pkg.hexConfig, {});
});
