// The streaming builder beyond the vectors: large files read in chunks, limits, unsafe entries (vectors'
// create_errors.json), I/O failures, cancellation and progress.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { HextsError } from "../../src/errors.js";
import { buildPackageTarball, createPackageTarball, type BuildProgress } from "../../src/package/tarball.js";
import { readTar } from "../../src/package/tar.js";
import type { PackageFile } from "../../src/project/types.js";
import { readVectorJson, vectorsSkip } from "../support/vectors.js";

const META = Buffer.from('{<<"name">>,<<"big">>}.\n{<<"version">>,<<"1.0.0">>}.\n');

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hexts-build-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function pseudoRandom(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, at = 0; at < size; i++) at += createHash("sha256").update(`${seed}${i}`).digest().copy(out, at);
  return out;
}

function diskFile(name: string, data: Uint8Array): PackageFile {
  const diskPath = join(dir, name);
  writeFileSync(diskPath, data);
  const st = lstatSync(diskPath);
  return { path: `priv/${name}`, kind: "file", diskPath, mode: st.mode, size: st.size };
}

async function rejectsWith(p: Promise<unknown>, code: string, reason?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof HextsError, String(e));
    assert.equal(e.code, code);
    if (reason) assert.equal((e.details as { reason: string }).reason, reason);
    return true;
  });
}

describe("buildPackageTarball", () => {
  test("files over 1 MiB are streamed in chunks and give the same bytes as from memory", async () => {
    const big = pseudoRandom(3 * 1024 * 1024 + 333, "big");
    const text = Buffer.from("line of text\n".repeat(150_000));
    const files = [diskFile("big.bin", big), diskFile("text.txt", text), diskFile("small.txt", Buffer.from("s"))];
    const seen: BuildProgress[] = [];
    const streamed = await buildPackageTarball(META, files, { onProgress: (p) => seen.push(p) });
    const modeOf = (name: string) => lstatSync(join(dir, name)).mode;
    const memory = await createPackageTarball(META, [
      { path: "priv/big.bin", contents: big, mode: modeOf("big.bin") },
      { path: "priv/text.txt", contents: text, mode: modeOf("text.txt") },
      { path: "priv/small.txt", contents: "s", mode: modeOf("small.txt") },
    ]);
    assert.equal(streamed.outerChecksum, memory.outerChecksum);
    assert.deepEqual(Buffer.from(streamed.tarball), Buffer.from(memory.tarball));
    const total = big.length + text.length + 1;
    assert.deepEqual(seen.at(-1), { files: 3, totalFiles: 3, bytes: total, totalBytes: total, path: "priv/small.txt" });
    const inner = readTar(gunzipSync(readTar(streamed.tarball).find((m) => m.path === "contents.tar.gz")!.data));
    assert.deepEqual(Buffer.from(inner[0]!.data), big);
  });

  // Over 8 MiB planned, deflate runs on a worker thread: the same bytes, and the limits still hold.
  test("a large tarball compressed on a worker thread has the same bytes as from memory", async () => {
    const parts = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0 ? pseudoRandom(700_000 + i, `t${i}`) : Buffer.from(`-module(m${i}).\n`.repeat(60_000 + i)),
    );
    const files = parts.map((data, i) => diskFile(`part${i}`, data));
    const streamed = await buildPackageTarball(META, files);
    const memory = await createPackageTarball(
      META,
      parts.map((contents, i) => ({ path: `priv/part${i}`, contents, mode: lstatSync(join(dir, `part${i}`)).mode })),
    );
    assert.ok(streamed.contentsSize > 8 * 1024 * 1024);
    assert.equal(streamed.outerChecksum, memory.outerChecksum);
    assert.deepEqual(Buffer.from(streamed.tarball), Buffer.from(memory.tarball));
  });

  test("on a worker thread the compressed limit is enforced too, and a missing file stops the worker", async () => {
    const files = [diskFile("noise-a.bin", pseudoRandom(9 * 1024 * 1024, "noise-a"))];
    await rejectsWith(
      buildPackageTarball(META, files, { maxSize: 1_000_000 }),
      "PACKAGE_INVALID",
      "too_big_compressed",
    );
    const gone: PackageFile = {
      path: "priv/gone.bin",
      kind: "file",
      diskPath: join(dir, "gone.bin"),
      mode: 0o100644,
      size: 3,
    };
    await assert.rejects(
      buildPackageTarball(META, [...files, gone]),
      (e: unknown) => e instanceof HextsError && e.code === "IO",
    );
  });

  test("memory entries, empty directories and symlinks mix with disk files", async () => {
    const files: PackageFile[] = [
      { path: "mix.exs", kind: "memory", contents: Buffer.from("defmodule") },
      { path: "priv", kind: "dir", diskPath: dir, mode: 0o40755, empty: false },
      { path: "priv/empty", kind: "dir", diskPath: dir, mode: 0o40700, empty: true },
      { path: "priv/link", kind: "symlink", diskPath: dir, mode: 0o120777, target: "../mix.exs" },
    ];
    const result = await buildPackageTarball(META, files);
    const inner = readTar(gunzipSync(readTar(result.tarball).find((m) => m.path === "contents.tar.gz")!.data));
    assert.deepEqual(
      inner.map((m) => [m.path, m.type, m.mode]),
      [
        ["mix.exs", "file", 0o100644],
        ["priv/empty", "dir", 0o40700],
        ["priv/link", "symlink", 0o120777],
      ],
    );
  });

  test("the compressed limit is enforced while streaming", async () => {
    const files = [diskFile("noise.bin", pseudoRandom(200_000, "noise"))];
    await rejectsWith(buildPackageTarball(META, files, { maxSize: 100_000 }), "PACKAGE_INVALID", "too_big_compressed");
  });

  test("the outer tarball counts toward the compressed limit", async () => {
    // hex_core's create_errors: any package is at least 5120 bytes, so a 4096-byte limit fails.
    await rejectsWith(
      createPackageTarball(META, [{ path: "a", contents: "x" }], { maxSize: 4096 }),
      "PACKAGE_INVALID",
      "too_big_compressed",
    );
  });

  test("the uncompressed limit is checked before reading anything", async () => {
    const missing: PackageFile = {
      path: "priv/huge",
      kind: "file",
      diskPath: join(dir, "does-not-exist"),
      mode: 0o100644,
      size: 200 * 1024 * 1024,
    };
    await rejectsWith(buildPackageTarball(META, [missing]), "PACKAGE_INVALID", "too_big_uncompressed");
    // create_errors: a 1024-byte limit refuses the 2048-byte contents tar of one small file.
    await rejectsWith(
      createPackageTarball(META, [{ path: "a", contents: "x" }], { maxUncompressedSize: 1024 }),
      "PACKAGE_INVALID",
      "too_big_uncompressed",
    );
  });

  test("metadata.config over 1 MiB is refused", async () => {
    await rejectsWith(createPackageTarball(new Uint8Array(1024 * 1024 + 1), []), "PACKAGE_INVALID", "metadata_too_big");
  });

  test("an unreadable file is an IO error naming the entry", async () => {
    const missing: PackageFile = {
      path: "priv/gone.txt",
      kind: "file",
      diskPath: join(dir, "gone.txt"),
      mode: 0o100644,
      size: 3,
    };
    await assert.rejects(
      buildPackageTarball(META, [missing]),
      (e: unknown) => e instanceof HextsError && e.code === "IO" && e.message.includes("priv/gone.txt"),
    );
  });

  test("a symlink leaving the package is refused at create time", async () => {
    await rejectsWith(
      createPackageTarball(META, [{ path: "priv/l", type: "symlink", linkTarget: "../../etc/passwd" }]),
      "PACKAGE_INVALID",
      "unsafe_symlink",
    );
  });

  test("cancellation through the signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      buildPackageTarball(META, [diskFile("c.txt", Buffer.from("c"))], { signal: controller.signal }),
      { name: "AbortError" },
    );
  });
});

describe("create_errors.json paths", { skip: vectorsSkip }, () => {
  const errors = vectorsSkip ? { paths: [] } : readVectorJson("tarballs_negative", "create_errors.json");
  for (const c of errors.paths as { path: string; result: "ok" | "error"; stored_paths?: string[] }[]) {
    test(`${JSON.stringify(c.path)}: ${c.result}`, async () => {
      const build = createPackageTarball(META, [{ path: c.path, contents: "x" }]);
      if (c.result === "error") return rejectsWith(build, "PACKAGE_INVALID", "unsafe_path");
      const { tarball } = await build;
      const inner = readTar(gunzipSync(readTar(tarball).find((m) => m.path === "contents.tar.gz")!.data));
      assert.deepEqual(
        inner.map((m) => m.path),
        [c.path],
      ); // written verbatim, as hex_core does
    });
  }
});
