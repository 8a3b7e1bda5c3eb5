// Every positive case of vectors/tarballs rebuilt byte for byte: inner tar, contents.tar.gz and the whole
// tarball, through createPackageTarball (memory) and buildPackageTarball (streamed from a temp dir).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";
import { TarWriter, concatBytes, readTar } from "../../src/package/tar.js";
import { gzip } from "../../src/package/gzip.js";
import {
  buildPackageTarball,
  createPackageTarball,
  unpackPackageTarball,
  type TarballInputFile,
} from "../../src/package/tarball.js";
import type { PackageFile } from "../../src/project/types.js";
import { fromVectorJson, toVectorJson } from "../../src/erlang/vector-json.js";
import type { MetaObject } from "../../src/erlang/terms.js";

interface VectorFile {
  path: string;
  source: "memory" | "disk";
  type?: "regular" | "directory" | "symlink";
  mode?: number;
  link_target?: string;
  contents_base64?: string;
  contents_generator?: { algorithm: "sha256_counter" | "hex_lines"; seed: string; size: number };
  size?: number;
  sha256?: string;
}
interface VectorCase {
  id: string;
  dir: string;
  tarball_file: string;
  outer_checksum: string;
  inner_checksum: string;
  uses_disk_files: boolean;
  quirk: boolean;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const cases: VectorCase[] = vectorsSkip ? [] : readVectorJson("tarballs", "index.json").cases;

/** README §6 content generators. */
function generate(g: NonNullable<VectorFile["contents_generator"]>): Uint8Array {
  const out = Buffer.alloc(g.size);
  let at = 0;
  for (let i = 0; at < g.size; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    const digest = createHash("sha256").update(g.seed, "utf8").update(counter).digest();
    const piece =
      g.algorithm === "sha256_counter"
        ? digest
        : Buffer.from(`${String(i).padStart(8, "0")} ${digest.toString("hex")}\n`);
    at += piece.copy(out, at);
  }
  return out;
}

function contentsOf(f: VectorFile): Uint8Array {
  if (f.contents_generator) return generate(f.contents_generator);
  return Buffer.from(f.contents_base64 ?? "", "base64");
}

/** The case's entries as createPackageTarball takes them (disk files keep their recorded modes). */
function memoryInput(files: VectorFile[]): TarballInputFile[] {
  return files.map((f): TarballInputFile => {
    if (f.source === "memory") return { path: f.path, contents: contentsOf(f) };
    if (f.type === "directory") return { path: f.path, type: "dir", mode: f.mode };
    if (f.type === "symlink") return { path: f.path, type: "symlink", linkTarget: f.link_target! };
    return { path: f.path, contents: contentsOf(f), mode: 0o100000 | f.mode! };
  });
}

/**
 * Writes the case's files under `root` (recorded modes, symlinks, empty dirs) and lists them as a project reader
 * would.
 */
function diskInput(files: VectorFile[], root: string): PackageFile[] {
  return files.map((f): PackageFile => {
    const diskPath = join(root, f.path);
    mkdirSync(dirname(diskPath), { recursive: true });
    if (f.type === "directory") {
      mkdirSync(diskPath, { recursive: true });
      chmodSync(diskPath, f.mode!);
      return { path: f.path, kind: "dir", diskPath, mode: lstatSync(diskPath).mode, empty: true };
    }
    if (f.type === "symlink") {
      symlinkSync(f.link_target!, diskPath);
      return { path: f.path, kind: "symlink", diskPath, mode: lstatSync(diskPath).mode, target: f.link_target! };
    }
    writeFileSync(diskPath, contentsOf(f));
    chmodSync(diskPath, f.source === "disk" ? f.mode! : 0o644);
    const st = lstatSync(diskPath);
    return { path: f.path, kind: "file", diskPath, mode: st.mode, size: st.size };
  });
}

function innerTar(input: TarballInputFile[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const tar = new TarWriter((c) => chunks.push(c));
  for (const f of input) {
    if (f.type === "dir") tar.addDirectory(f.path, f.mode);
    else if (f.type === "symlink") tar.addSymlink(f.path, f.linkTarget);
    else tar.addFile(f.path, f.contents as Uint8Array, f.mode);
  }
  tar.finish();
  return concatBytes(chunks);
}

/** contents.tar.gz as recorded inside the vector tarball. */
function recordedContentsGz(c: VectorCase): Uint8Array {
  const outer = readTar(readFileSync(vectorPath("tarballs", c.dir, c.tarball_file)));
  return outer.find((m) => m.path === "contents.tar.gz")!.data;
}

describe("package tarball vectors", { skip: vectorsSkip }, () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "hexts-tarball-vectors-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test("every case is exercised", () => {
    assert.equal(cases.length, 14);
  });

  for (const c of cases) {
    describe(c.id, () => {
      const input = () => readVectorJson(`tarballs/${c.dir}/input.json`) as { files: VectorFile[] };
      const expected = () => readVectorJson(`tarballs/${c.dir}/expected.json`);
      const metadataConfig = () => readFileSync(vectorPath("tarballs", c.dir, "metadata.config"));
      const tarballBytes = () => readFileSync(vectorPath("tarballs", c.dir, c.tarball_file));

      test("inner tar is byte-identical", () => {
        const tar = innerTar(memoryInput(input().files));
        if (c.id === "large") assert.equal(sha256(tar), expected().contents_tar.sha256);
        else assert.deepEqual(Buffer.from(tar), readFileSync(vectorPath("tarballs", c.dir, "contents.tar")));
      });

      test("contents.tar.gz is byte-identical", () => {
        const tar = innerTar(memoryInput(input().files));
        const gz = gzip(tar);
        assert.equal(sha256(gz), expected().contents_tar_gz.sha256);
        assert.deepEqual(Buffer.from(gz), Buffer.from(recordedContentsGz(c)));
      });

      test("createPackageTarball gives the recorded tarball", async () => {
        const result = await createPackageTarball(metadataConfig(), memoryInput(input().files));
        assert.equal(result.outerChecksum, c.outer_checksum);
        assert.equal(result.innerChecksum, c.inner_checksum);
        assert.deepEqual(Buffer.from(result.tarball), tarballBytes());
      });

      test("createPackageTarball from the metadata term (through the metadata.config encoder)", async () => {
        const metadata = fromVectorJson((input() as unknown as { metadata: unknown }).metadata) as MetaObject;
        const result = await createPackageTarball(metadata, memoryInput(input().files));
        assert.deepEqual(Buffer.from(result.metadataConfig), metadataConfig());
        assert.equal(result.outerChecksum, c.outer_checksum);
      });

      test("buildPackageTarball (streamed from disk) gives the same bytes", async () => {
        const root = join(tmp, c.id);
        const files = diskInput(input().files, root);
        const seen: number[] = [];
        const result = await buildPackageTarball(metadataConfig(), files, { onProgress: (p) => seen.push(p.files) });
        assert.equal(result.outerChecksum, c.outer_checksum);
        assert.deepEqual(Buffer.from(result.tarball), tarballBytes());
        assert.deepEqual(
          seen,
          files.map((_, i) => i + 1),
        );
      });

      test("unpackPackageTarball reads it back", async () => {
        const unpacked = await unpackPackageTarball(tarballBytes(), { expectedOuterChecksum: c.outer_checksum });
        assert.equal(unpacked.innerChecksum, c.inner_checksum);
        assert.deepEqual(Buffer.from(unpacked.metadataConfig), metadataConfig());
        assert.deepEqual(toVectorJson(unpacked.metadata), expected().unpack_memory.metadata);
        // hex_core's memory unpack lists regular files only (directories and symlinks are dropped).
        const regular = unpacked.files
          .filter((f) => f.type === "file")
          .map((f) => ({ path: f.path, size: f.contents.length, sha256: sha256(f.contents) }));
        assert.deepEqual(regular, expected().unpack_memory.contents);
        const gz = recordedContentsGz(c);
        assert.equal(unpacked.files.length, readTar(gunzipSync(gz)).length);
      });
    });
  }
});

describe("HEX_PROTOCOL.md §5.8 golden vector", () => {
  test("empty dir, skipped non-empty dir, one file", async () => {
    const root = mkdtempSync(join(tmpdir(), "hexts-golden-"));
    try {
      mkdirSync(join(root, "empty"));
      chmodSync(join(root, "empty"), 0o755);
      mkdirSync(join(root, "src"));
      writeFileSync(join(root, "src/foo.erl"), "-module(foo).");
      chmodSync(join(root, "src/foo.erl"), 0o644);
      const metadataConfig = Buffer.from(
        '{<<"build_tool">>,<<"rebar3">>}.\n{<<"name">>,<<"foo">>}.\n{<<"version">>,<<"1.0.0">>}.\n',
      );
      assert.equal(metadataConfig.length, 86);
      const files: PackageFile[] = [
        {
          path: "empty",
          kind: "dir",
          diskPath: join(root, "empty"),
          mode: lstatSync(join(root, "empty")).mode,
          empty: true,
        },
        { path: "src", kind: "dir", diskPath: join(root, "src"), mode: 0o40755, empty: false },
        { path: "src/foo.erl", kind: "file", diskPath: join(root, "src/foo.erl"), mode: 0o100644, size: 13 },
      ];
      const result = await buildPackageTarball(metadataConfig, files);
      assert.equal(result.contentsSize, 2560);
      assert.equal(result.tarball.length, 5120);
      assert.equal(
        result.innerChecksum.toUpperCase(),
        "F7220964AB6BC70B6E793B11C580152E738EF5EBC7E9C5228C6765600FC5879A",
      );
      assert.equal(
        result.outerChecksum.toUpperCase(),
        "3DED88F7BAC738294907ACEED89FE63C9914713F988E608F2B17D7AE6EAC8446",
      );
      const outer = readTar(result.tarball);
      assert.equal(outer.find((m) => m.path === "contents.tar.gz")!.data.length, 140);
      assert.equal(Buffer.from(result.tarball.subarray(148, 156)).toString("latin1"), "0010277\0");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
