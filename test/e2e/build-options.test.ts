// `hexts build` beyond the vector projects, through the spawned CLI: Erlang.mk, --metadata, docs (package and
// docs, docs alone, missing or invalid docs), choosing the app of an umbrella (error without a TTY, a choice on
// one), --unpack refusing to write outside its directory, and the tarball written atomically (mode, failures).
// Needs the built CLI: `node scripts/build.mjs --no-types`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  linkSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { runHexts } from "../support/cli.js";
import { spawnPty } from "../support/pty.js";
import { readVectorJson, repoRoot, vectorPath, vectorsSkip } from "../support/vectors.js";
import { unpackPackageTarball } from "../../src/package/tarball.js";
import { readTar } from "../../src/package/tar.js";

function copyFixture(name: string, t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), `hexts-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, "test", "fixtures", name), dir, { recursive: true });
  return dir;
}

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

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

/** The printed `Files:` block of `hexts build`. */
function printedFiles(stdout: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.indexOf("  Files:");
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith("    ")) break;
    out.push(l.slice(4));
  }
  return out;
}

describe("Erlang.mk and --metadata projects", () => {
  it("an Erlang.mk project: .erlang.mk/NAME-VERSION.tar with hex deps and the make build tools", async (t) => {
    const dir = copyFixture("checks-erlang-mk", t);
    const r = await runHexts(["build"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const tarball = readFileSync(join(dir, ".erlang.mk", "lamp-2.1.0.tar"));
    assert.match(r.stdout, new RegExp(`^Package checksum: ${sha256(tarball)}$`, "m"));
    assert.match(r.stdout, /^Saved to \.erlang\.mk\/lamp-2\.1\.0\.tar$/m);
    assert.match(r.stdout, /^ {2}Dependencies:\n {4}cowlib 2\.12\.1$/m);
    const pkg = await unpackPackageTarball(tarball);
    const meta = pkg.metadata as Record<string, unknown>;
    assert.equal(meta.name, "lamp");
    assert.equal(meta.version, "2.1.0");
    assert.deepEqual(meta.build_tools, ["make", "rebar3"]);
    assert.deepEqual(meta.licenses, ["ISC"]);
    assert.deepEqual(meta.requirements, { cowlib: { app: "cowlib", optional: false, requirement: "2.12.1" } });
    assert.deepEqual(meta.files, printedFiles(r.stdout));
    for (const f of pkg.files) {
      if (f.type === "file") assert.equal(sha256(f.contents), sha256(readFileSync(join(dir, f.path))), f.path);
    }
    assert.ok(pkg.files.some((f) => f.path === "ebin/lamp.app"));
    assert.ok(pkg.files.some((f) => f.path === "src/lamp.erl"));
  });

  it("--metadata FILE: the package described in JSON, licenses with a LicenseRef, extra kept", async (t) => {
    const dir = copyFixture("checks-metadata", t);
    const r = await runHexts(["build", "package", "--metadata", "variants/ok.json", "-o", "pkg.tar"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const pkg = await unpackPackageTarball(readFileSync(join(dir, "pkg.tar")));
    const meta = pkg.metadata as Record<string, unknown>;
    assert.equal(meta.name, "meta_demo");
    assert.equal(meta.app, "meta_demo");
    assert.equal(meta.version, "0.4.0");
    assert.deepEqual(meta.licenses, ["Apache-2.0", "LicenseRef-Fixture-1.0"]);
    assert.deepEqual(meta.extra, { maintained: true });
    assert.deepEqual(meta.files, ["LICENSE", "README.md", "priv", "priv/seed.txt", "src", "src/meta_demo.erl"]);
    assert.deepEqual(
      pkg.files.map((f) => f.path),
      ["LICENSE", "README.md", "priv/seed.txt", "src/meta_demo.erl"],
    );
    assert.match(r.stdout, /^ {2}Licenses: Apache-2\.0, LicenseRef-Fixture-1\.0$/m);
    assert.match(r.stdout, /^ {4}jsx ~> 3\.1$/m);
  });

  it("--metadata with a missing file fails before reading the project", async (t) => {
    const dir = copyFixture("checks-metadata", t);
    const r = await runHexts(["build", "--metadata", "variants/nope.json"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^hexts: Cannot read the metadata file .*variants\/nope\.json/m);
  });
});

describe("docs", () => {
  const pkgPath = "_build/default/lib/docs_demo/hex/docs_demo-0.3.0.tar";
  const docsPath = "_build/default/lib/docs_demo/hex/docs_demo-0.3.0-docs.tar";

  it("build with no argument: the package and the docs of doc/ (dot-files skipped)", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const r = await runHexts(["build"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const docs = readFileSync(join(dir, docsPath));
    assert.match(r.stdout, new RegExp(`^Docs checksum: ${sha256(docs)}$`, "m"));
    assert.match(r.stdout, new RegExp(`^Docs saved to ${docsPath.replace(/\./g, "\\.")} \\(2 files from doc\\)$`, "m"));
    assert.deepEqual(
      readTar(gunzipSync(docs)).map((m) => [m.path, m.mode]),
      [
        ["dist/app.js", 0o100644],
        ["index.html", 0o100644],
      ],
    );
    assert.equal(
      text(readTar(gunzipSync(docs)).find((m) => m.path === "index.html")!.data),
      readFileSync(join(dir, "doc", "index.html"), "utf8"),
    );
    assert.ok(existsSync(join(dir, pkgPath)));
  });

  it("build docs: only the docs tarball, -o names it", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const r = await runHexts(["build", "docs", "-o", "out/docs.tar"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, "out", "docs.tar")));
    assert.equal(existsSync(join(dir, "_build")), false, "no package tarball");
    assert.doesNotMatch(r.stdout, /Package checksum/);
  });

  it("build docs --unpack: the docs files in NAME-VERSION-docs", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const r = await runHexts(["build", "docs", "--unpack"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = join(dir, "_build/default/lib/docs_demo/hex/docs_demo-0.3.0-docs");
    assert.deepEqual(listing(out), ["dist", "dist/app.js", "index.html"]);
  });

  it("docs without index.html: a warning when building both, an error for `build docs`", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const both = await runHexts(["build", "--doc-dir", "noindex"], { cwd: dir });
    assert.equal(both.code, 0, both.stderr);
    assert.match(
      both.stderr,
      /^warning: Docs not built from noindex: they have no index\.html at the top level; generate them first/m,
    );
    assert.ok(existsSync(join(dir, pkgPath)));
    assert.equal(existsSync(join(dir, docsPath)), false);

    const only = await runHexts(["build", "docs", "--doc-dir", "noindex"], { cwd: dir });
    assert.equal(only.code, 1);
    assert.equal(only.stderr, "hexts: Docs in noindex cannot be packaged: they have no index.html at the top level\n");
  });

  it("no docs directory: `build docs` fails naming --doc-dir, and writes nothing", async (t) => {
    const dir = copyFixture("checks-docs", t);
    rmSync(join(dir, "doc"), { recursive: true });
    const before = listing(dir);
    const r = await runHexts(["build", "docs"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        /^hexts: Documentation could not be found: no doc\/ directory in \.; generate them first /.source +
          /\(mix docs, rebar3 ex_doc or rebar3 edoc\) or point to them with --doc-dir DIR/.source,
      ),
    );
    assert.deepEqual(listing(dir), before);
    const missing = await runHexts(["build", "docs", "--doc-dir", "gone"], { cwd: dir });
    assert.match(missing.stderr, /^hexts: Documentation could not be found: the docs directory gone does not exist;/);
  });
});

describe("choosing the app of an umbrella", { skip: vectorsSkip }, () => {
  const copyUmbrella = (t: { after(fn: () => void): void }) => {
    const dir = mkdtempSync(join(tmpdir(), "hexts-umbrella-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(vectorPath("projects", "rebar3_umbrella"), dir, { recursive: true });
    const expected = readVectorJson<{ project_files: { path: string; mode: string }[] }>(
      "projects",
      "expected",
      "rebar3_umbrella",
      "expected.json",
    );
    for (const f of expected.project_files) chmodSync(join(dir, f.path), parseInt(f.mode, 8));
    return dir;
  };

  it("without a TTY, several apps and no --app is a usage error naming --app", async (t) => {
    const dir = copyUmbrella(t);
    const r = await runHexts(["build"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "hexts: This project has several apps (alpha, beta); choose the one to package with --app\n",
    );
    const json = await runHexts(["build", "--json"], { cwd: dir });
    assert.deepEqual(JSON.parse(json.stdout).error.details, { apps: ["alpha", "beta"] });
  });

  it("on a TTY, a choice between the apps", async (t) => {
    const dir = copyUmbrella(t);
    const term = spawnPty(["build", "package"], { cwd: dir });
    t.after(() => term.kill());
    await term.waitFor("Which application do you want to build?");
    await term.waitFor("beta");
    term.write("\x1b[B"); // down to beta
    term.write("\r");
    await term.waitFor(/Saved to _build\/default\/lib\/beta\/hex\/beta-0\.9\.0\.tar/);
    assert.equal((await term.exited).exitCode, 0);
    const build = readVectorJson<{ builds: { id: string; outer_checksum: string }[] }>(
      "projects",
      "expected",
      "rebar3_umbrella",
      "expected.json",
    ).builds.find((b) => b.id === "beta")!;
    assert.equal(sha256(readFileSync(join(dir, "_build/default/lib/beta/hex/beta-0.9.0.tar"))), build.outer_checksum);
  });
});

describe("--unpack stays inside its directory", () => {
  it("refuses a destination whose subdirectory is a symlink leading outside, and writes nothing", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const outside = mkdtempSync(join(tmpdir(), "hexts-outside-"));
    t.after(() => rmSync(outside, { recursive: true, force: true }));
    mkdirSync(join(dir, "inspect"));
    symlinkSync(outside, join(dir, "inspect", "src"));
    const r = await runHexts(["build", "package", "--unpack", "-o", "inspect"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^hexts: Refusing to write "src\/docs_demo\.app\.src": .*inspect\/src leads outside .* through a symlink$/m,
    );
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual(listing(join(dir, "inspect")), ["src"]);
  });

  it("replaces a stale symlink at a file's place instead of writing through it", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const outside = mkdtempSync(join(tmpdir(), "hexts-outside-"));
    t.after(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, "victim.md"), "keep me\n");
    mkdirSync(join(dir, "inspect"));
    symlinkSync(join(outside, "victim.md"), join(dir, "inspect", "README.md"));
    const r = await runHexts(["build", "package", "--unpack", "-o", "inspect"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(outside, "victim.md"), "utf8"), "keep me\n");
    assert.equal(lstatSync(join(dir, "inspect", "README.md")).isSymbolicLink(), false);
    assert.equal(readFileSync(join(dir, "inspect", "README.md"), "utf8"), readFileSync(join(dir, "README.md"), "utf8"));
  });
});

describe("writing the tarball (the one atomic writer)", () => {
  /** Spawns with `mask` as the child's umask (a child inherits it when spawned; runHexts spawns at once). */
  function runWithUmask(mask: number, args: string[], cwd: string) {
    const previous = process.umask(mask);
    try {
      return runHexts(args, { cwd });
    } finally {
      process.umask(previous);
    }
  }

  it("writes mode 0644 less the umask, as rebar3 and mix do, and leaves no temp file", async (t) => {
    const dir = copyFixture("checks-docs", t);
    const r = await runWithUmask(0o022, ["build", "package", "-o", "out/pkg.tar"], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lstatSync(join(dir, "out", "pkg.tar")).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(join(dir, "out")), ["pkg.tar"]);
    const strict = await runWithUmask(0o077, ["build", "package", "-o", "out/private.tar"], dir);
    assert.equal(strict.code, 0, strict.stderr);
    assert.equal(lstatSync(join(dir, "out", "private.tar")).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, "out")).sort(), ["pkg.tar", "private.tar"]);
  });

  it("replaces an existing tarball by rename: another name for the old file keeps the old bytes", async (t) => {
    const dir = copyFixture("checks-docs", t);
    writeFileSync(join(dir, "pkg.tar"), "old bytes\n");
    linkSync(join(dir, "pkg.tar"), join(dir, "old.tar"));
    const r = await runHexts(["build", "package", "-o", "pkg.tar"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "old.tar"), "utf8"), "old bytes\n");
    await unpackPackageTarball(readFileSync(join(dir, "pkg.tar")));
  });

  it("a write that fails after the data is written leaves no half file and names the path", async (t) => {
    const dir = copyFixture("checks-docs", t);
    // `-o out` names a directory: the tarball goes to out/docs_demo-0.3.0.tar, here a non-empty directory, so the
    // rename fails once the temp file beside it is complete.
    const target = join(dir, "out", "docs_demo-0.3.0.tar");
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, "keep"), "kept\n");
    const r = await runHexts(["build", "package", "-o", "out"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^hexts: Could not write .*out\/docs_demo-0\.3\.0\.tar: /m);
    assert.deepEqual(listing(join(dir, "out")), ["docs_demo-0.3.0.tar", "docs_demo-0.3.0.tar/keep"]);
    assert.equal(readFileSync(join(target, "keep"), "utf8"), "kept\n");
  });
});
