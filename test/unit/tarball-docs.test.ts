// Docs tarballs: mix's file selection and order, the shared tar/gzip bytes, the index.html and version-name
// rules, limits, and the read-back check.
import { test, describe, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { buildDocsTarball, isSemverName, unpackDocsTarball } from "../../src/package/docs-tarball.js";
import { gzip } from "../../src/package/gzip.js";
import { TarWriter, concatBytes, readTar } from "../../src/package/tar.js";
import { HextsError } from "../../src/errors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hexts-docs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function put(rel: string, text: string, mode = 0o644): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, mode);
}

async function rejects(p: Promise<unknown> | (() => unknown), code: string, reason: string): Promise<void> {
  await assert.rejects(
    async () => (typeof p === "function" ? p() : p),
    (e: unknown) => e instanceof HextsError && e.code === code && (e.details as { reason: string }).reason === reason,
  );
}

describe("buildDocsTarball", () => {
  test("packs regular files sorted by path, dot-files skipped, all as 0100644", async () => {
    put("index.html", "<html>");
    put("dist/app.js", "app", 0o755);
    put("a-b.html", "x");
    put("a/b.html", "y");
    put("Z.html", "z");
    put("é.html", "e");
    put(".build", "hidden");
    put(".git/config", "hidden");
    put("dist/.map", "hidden");
    mkdirSync(join(dir, "empty"));
    symlinkSync("index.html", join(dir, "alias.html"));

    const docs = await buildDocsTarball(dir);
    const expectedOrder = ["Z.html", "a-b.html", "a/b.html", "alias.html", "dist/app.js", "index.html", "é.html"];
    assert.deepEqual(docs.files, expectedOrder);
    assert.deepEqual(Buffer.from(docs.tarball.subarray(0, 10)), Buffer.from("1f8b0800000000000000", "hex"));
    const members = readTar(gunzipSync(docs.tarball));
    assert.deepEqual(
      members.map((m) => m.path),
      expectedOrder,
    );
    assert.ok(members.every((m) => m.type === "file" && m.mode === 0o100644));
    assert.equal(Buffer.from(members.find((m) => m.path === "alias.html")!.data).toString(), "<html>");
    assert.equal(docs.contentsSize, gunzipSync(docs.tarball).length);
  });

  test("same bytes as the memory-file tar hex_core's create_docs writes", async () => {
    put("index.html", "<html>");
    put("search.html", "s".repeat(3000), 0o600);
    const docs = await buildDocsTarball(dir);
    const chunks: Uint8Array[] = [];
    const tar = new TarWriter((c) => chunks.push(c));
    tar.addFile("index.html", Buffer.from("<html>"));
    tar.addFile("search.html", Buffer.from("s".repeat(3000)));
    tar.finish();
    assert.deepEqual(Buffer.from(docs.tarball), Buffer.from(gzip(concatBytes(chunks))));
  });

  test("index.html is required at the top level", async () => {
    put("doc/index.html", "<html>");
    await rejects(buildDocsTarball(dir), "PACKAGE_INVALID", "docs_missing_index");
  });

  test("a top-level entry named like a version is refused", async () => {
    put("index.html", "<html>");
    put("1.0.0/index.html", "<html>");
    await rejects(buildDocsTarball(dir), "PACKAGE_INVALID", "docs_version_name");
  });

  test("a symlink leaving the docs directory is refused", async () => {
    put("index.html", "<html>");
    const outside = mkdtempSync(join(tmpdir(), "hexts-outside-"));
    try {
      writeFileSync(join(outside, "secret"), "secret");
      symlinkSync(join(outside, "secret"), join(dir, "leak.txt"));
      await rejects(buildDocsTarball(dir), "PACKAGE_INVALID", "unsafe_symlink");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a missing directory is a clear error", async () => {
    await rejects(buildDocsTarball(join(dir, "nope")), "PACKAGE_INVALID", "docs_dir_missing");
  });

  test("limits: compressed and uncompressed", async () => {
    put("index.html", "<html>");
    put("big.bin", "q".repeat(100_000));
    await rejects(buildDocsTarball(dir, { maxSize: 100 }), "PACKAGE_INVALID", "too_big_compressed");
    await rejects(buildDocsTarball(dir, { maxUncompressedSize: 50_000 }), "PACKAGE_INVALID", "too_big_uncompressed");
  });
});

describe("isSemverName", () => {
  const cases: [string, boolean][] = [
    ["1.0.0", true],
    ["0.1.0-rc.1", true],
    ["1.2.3+build.5", true],
    ["v1.0.0", false],
    ["1.0", false],
    ["01.0.0", false],
    ["1.0.0-01", false],
    ["index.html", false],
  ];
  for (const [name, expected] of cases)
    test(`${name} -> ${expected}`, () => assert.equal(isSemverName(name), expected));
});

describe("unpackDocsTarball", () => {
  test("reads back what buildDocsTarball wrote", async () => {
    put("index.html", "<html>");
    put("a/b.js", "b");
    const docs = await buildDocsTarball(dir);
    const back = unpackDocsTarball(docs.tarball);
    assert.equal(back.checksum, docs.checksum);
    assert.deepEqual(
      back.files.map((f) => [f.path, Buffer.from(f.contents).toString()]),
      [
        ["a/b.js", "b"],
        ["index.html", "<html>"],
      ],
    );
  });

  const tarOf = (entries: (w: TarWriter) => void) => {
    const chunks: Uint8Array[] = [];
    const w = new TarWriter((c) => chunks.push(c));
    entries(w);
    w.finish();
    return concatBytes(chunks);
  };
  const bad: [string, () => Uint8Array, string][] = [
    ["not gzip", () => Buffer.from("plain"), "not_gzip"],
    ["truncated gzip", () => gzip(tarOf((w) => w.addFile("index.html", Buffer.from("x")))).subarray(0, 20), "corrupt"],
    ["no index.html", () => gzip(tarOf((w) => w.addFile("other.html", Buffer.from("x")))), "docs_missing_index"],
    ["traversal", () => gzip(tarOf((w) => w.addFile("../index.html", Buffer.from("x")))), "unsafe_path"],
    [
      "symlink",
      () => gzip(tarOf((w) => (w.addFile("index.html", Buffer.from("x")), w.addSymlink("l", "index.html")))),
      "unexpected_entry",
    ],
  ];
  for (const [name, make, reason] of bad) {
    test(`rejects ${name}`, () => rejects(() => unpackDocsTarball(make()), "TARBALL_INVALID", reason));
  }
});
