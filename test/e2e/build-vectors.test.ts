// `hexts build` on every shared vector project, through the spawned CLI: the tarball written where the real
// client writes it, byte for byte (same outer checksum), plus --unpack, -o and --json on the same projects.
// Needs the built CLI: `node scripts/build.mjs --no-types`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { z } from "zod";
import { runHexts, tempHome } from "../support/cli.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

interface Build {
  id: string;
  app: string;
  package_name: string;
  version: string;
  output_path: string;
  outer_checksum: string;
  inner_checksum: string;
  metadata_config: string;
  metadata_files: string[];
  contents: { name: string; type: string; mode: string; size: number; sha256: string }[];
}
interface Expected {
  project_files: { path: string; type: string; mode: string }[];
  builds: Build[];
}

const CASES = [
  "rebar3_basic",
  "rebar3_files",
  "rebar3_deps",
  "rebar3_umbrella",
  "mix_basic",
  "mix_complex",
  "mix_unicode",
];

/** `hexts build --json` data (checked against this schema, as every JSON output is). */
const BuildDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    tool: z.enum(["rebar3", "mix", "make", "metadata"]),
    name: z.string(),
    version: z.string(),
    app: z.string(),
    repository: z.string(),
    organization: z.string().optional(),
    description: z.string().optional(),
    licenses: z.array(z.string()),
    links: z.record(z.string(), z.string()),
    buildTools: z.array(z.string()),
    elixir: z.string().optional(),
    requirements: z.array(
      z.object({
        name: z.string(),
        app: z.string(),
        requirement: z.string(),
        optional: z.boolean(),
        repository: z.string().optional(),
      }),
    ),
    files: z.array(z.string()),
    outerChecksum: z.string().regex(/^[0-9a-f]{64}$/),
    innerChecksum: z.string().regex(/^[0-9a-f]{64}$/),
    output: z.string(),
    size: z.number().int().positive(),
    unpacked: z.boolean(),
    warnings: z.array(z.string()),
    docs: z.discriminatedUnion("status", [
      z.object({
        status: z.literal("built"),
        dir: z.string(),
        checksum: z.string(),
        size: z.number(),
        files: z.array(z.string()),
        output: z.string(),
        unpacked: z.boolean(),
      }),
      z.object({ status: z.literal("missing"), dir: z.string().optional(), reason: z.string() }),
      z.object({ status: z.literal("skipped") }),
    ]),
  }),
});

/** A fresh copy of a vector project with the modes expected.json lists (projects/README.md). */
function copyProject(name: string, expected: Expected, t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), `hexts-build-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(vectorPath("projects", name), dir, { recursive: true });
  for (const f of expected.project_files)
    if (existsSync(join(dir, f.path))) chmodSync(join(dir, f.path), parseInt(f.mode, 8));
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every path under `dir` (files, directories, links), relative, sorted. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function argsFor(name: string, build: Build): string[] {
  const args = ["build"];
  if (name === "rebar3_umbrella") args.push("--app", build.app);
  // mix_complex's deps come from the `test_repo` repository its real build used; hex.pm itself would refuse them.
  if (name === "mix_complex") args.push("--repo", "test_repo");
  return args;
}

describe("hexts build reproduces every vector project's tarball", { skip: vectorsSkip }, () => {
  for (const name of CASES) {
    const expected = vectorsSkip ? undefined : readVectorJson<Expected>("projects", "expected", name, "expected.json");
    for (const build of expected?.builds ?? []) {
      it(`${name} ${build.id}: same outer checksum, written to ${build.output_path}`, async (t) => {
        const home = tempHome();
        t.after(home.cleanup);
        const dir = copyProject(name, expected!, t);
        const r = await runHexts(argsFor(name, build), { cwd: dir, env: home.env });
        assert.equal(r.code, 0, r.stderr);
        const tarball = readFileSync(join(dir, build.output_path));
        assert.equal(sha256(tarball), build.outer_checksum);
        assert.match(
          r.stdout,
          new RegExp(`^Building ${build.package_name} ${build.version.replace(/\./g, "\\.")}`, "m"),
        );
        assert.match(r.stdout, new RegExp(`^Package checksum: ${build.outer_checksum}$`, "m"));
        assert.match(r.stdout, new RegExp(`^Saved to ${build.output_path.replace(/\./g, "\\.")}$`, "m"));
        for (const f of build.metadata_files)
          assert.match(r.stdout, new RegExp(`^    ${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
        // No docs directory in these projects: a warning that says how to provide them, not an error.
        assert.match(
          r.stderr,
          new RegExp(
            `^warning: Docs not built: no doc/${name.startsWith("mix") ? " or docs/" : ""} directory in [^;]+; ` +
              "generate them first .*--doc-dir DIR",
            "m",
          ),
        );
      });
    }
  }

  it("--json: one document with the checksums, output, files and warnings", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "rebar3_deps", "expected.json");
    const build = expected.builds[0]!;
    const dir = copyProject("rebar3_deps", expected, t);
    const r = await runHexts(["build", "package", "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const doc = BuildDoc.parse(JSON.parse(r.stdout));
    assert.equal(doc.data.outerChecksum, build.outer_checksum);
    assert.equal(doc.data.innerChecksum, build.inner_checksum.toLowerCase());
    assert.equal(doc.data.output, join(dir, build.output_path));
    assert.deepEqual(doc.data.files, build.metadata_files);
    assert.deepEqual(doc.data.requirements, [
      { name: "erltest", app: "erltest", requirement: "~> 0.2", optional: false },
    ]);
    assert.deepEqual(doc.data.docs, { status: "skipped" });
    assert.deepEqual(doc.data.warnings, []);
  });

  it("mix_complex: test_repo deps warn at build (mix builds it), hex.pm publish refuses, writes nothing", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "mix_complex", "expected.json");
    const dir = copyProject("mix_complex", expected, t);
    const built = await runHexts(["build", "package", "-o", join(tmpdir(), `hexts-mc-${process.pid}.tar`)], {
      cwd: dir,
    });
    assert.equal(built.code, 0, built.stderr);
    assert.match(
      built.stderr,
      /^warning: hex\.pm will refuse this at publish: Dependency foo is from repository "test_repo"/m,
    );
    const before = listing(dir);
    const home = tempHome();
    t.after(home.cleanup);
    const r = await runHexts(["publish", "package", "--dry-run", "--yes"], {
      cwd: dir,
      env: { ...home.env, CI: "true", HEX_API_URL: "http://127.0.0.1:9/api" },
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^hexts: Stopping package build due to errors \(2 errors\); nothing was written$/m);
    assert.match(
      r.stderr,
      new RegExp(
        /^ {2}error: Dependency foo is from repository "test_repo", /.source +
          /but a package in hexpm can only depend on packages in "hexpm"$/.source,
        "m",
      ),
    );
    assert.match(r.stderr, /^ {2}error: Dependency erltest is from repository "test_repo"/m);
    assert.deepEqual(listing(dir), before);
  });

  it("--unpack writes the package's files and hex_metadata.config into <name>-<version>", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "mix_unicode", "expected.json");
    const build = expected.builds[0]!;
    const dir = copyProject("mix_unicode", expected, t);
    const r = await runHexts(["build", "--unpack"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = join(dir, `${build.package_name}-${build.version}`);
    assert.match(r.stdout, new RegExp(`^Unpacked to ${build.package_name}-${build.version}$`, "m"));
    assert.match(r.stdout, new RegExp(`^Package checksum: ${build.outer_checksum}$`, "m"));
    for (const c of build.contents) {
      const path = join(out, c.name);
      assert.equal(sha256(readFileSync(path)), c.sha256, c.name);
      assert.equal(statSync(path).mode & 0o777, parseInt(c.mode, 8) & 0o777, c.name);
    }
    assert.equal(readFileSync(join(out, "hex_metadata.config"), "utf8"), build.metadata_config);
    const files = listing(out).filter((p) => statSync(join(out, p)).isFile());
    assert.deepEqual(files.sort(), [...build.contents.map((c) => c.name), "hex_metadata.config"].sort());
    assert.equal(
      existsSync(join(dir, `${build.package_name}-${build.version}.tar`)),
      false,
      "--unpack writes no tarball",
    );
  });

  it("--unpack -o DIR into the directory given, for rebar3 too", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "rebar3_files", "expected.json");
    const build = expected.builds[0]!;
    const dir = copyProject("rebar3_files", expected, t);
    const r = await runHexts(["build", "package", "-u", "-o", "inspect"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    for (const c of build.contents) assert.equal(sha256(readFileSync(join(dir, "inspect", c.name))), c.sha256, c.name);
    assert.equal(readFileSync(join(dir, "inspect", "hex_metadata.config"), "utf8"), build.metadata_config);
  });

  it("-o FILE writes the tarball there; -o DIR/ writes <name>-<version>.tar inside", async (t) => {
    const expected = readVectorJson<Expected>("projects", "expected", "mix_basic", "expected.json");
    const build = expected.builds[0]!;
    const dir = copyProject("mix_basic", expected, t);
    const asFile = await runHexts(["build", "package", "-o", "out/custom.tar"], { cwd: dir });
    assert.equal(asFile.code, 0, asFile.stderr);
    assert.equal(sha256(readFileSync(join(dir, "out", "custom.tar"))), build.outer_checksum);
    assert.match(asFile.stdout, /^Saved to out\/custom\.tar$/m);
    const asDir = await runHexts(["build", "package", "--output", "dist/"], { cwd: dir });
    assert.equal(asDir.code, 0, asDir.stderr);
    assert.equal(sha256(readFileSync(join(dir, "dist", "pebble-0.2.0.tar"))), build.outer_checksum);
    assert.equal(existsSync(join(dir, "pebble-0.2.0.tar")), false, "nothing at the default path");
    assert.deepEqual(readdirSync(join(dir, "out")), ["custom.tar"], "no temporary file left behind");
  });
});
