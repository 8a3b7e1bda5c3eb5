// Every tarball in vectors/tarballs_negative, through unpackPackageTarball. hexts rejects everything hex_core
// rejects (with a clean error where hex_core crashes) and is stricter where hex_core is lax; the accepted
// edge cases are decided one by one below.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HextsError } from "../../src/errors.js";
import { createPackageTarball, unpackPackageTarball } from "../../src/package/tarball.js";
import { TarWriter, concatBytes } from "../../src/package/tar.js";
import { gzip } from "../../src/package/gzip.js";
import { sha256Hex } from "../../src/package/checksum.js";
import { toVectorJson } from "../../src/erlang/vector-json.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

type Verdict = { reject: string } | { accept: string };

/** id -> what hexts does, and for the cases hex_core accepts, why. */
const verdicts: Record<string, Verdict> = {
  not_a_tar: { reject: "truncated" },
  empty_tar: { reject: "empty" },
  truncated_tar: { reject: "truncated" },
  missing_metadata_config: { reject: "missing_files" },
  missing_contents: { reject: "missing_files" },
  missing_version_and_checksum: { reject: "missing_files" },
  bad_version: { reject: "bad_version" },
  inner_checksum_mismatch_contents: { reject: "inner_checksum_mismatch" },
  inner_checksum_mismatch_metadata: { reject: "inner_checksum_mismatch" },
  checksum_wrong_length: { reject: "invalid_inner_checksum" },
  // hex_core crashes in its base16 decoder; we return a clean error.
  checksum_not_hex: { reject: "invalid_inner_checksum" },
  // Accepted like hex_core: lowercase hex is unambiguous and the checksum is still verified.
  checksum_lowercase_accepted: { accept: "lowercase CHECKSUM still verifies" },
  // hex_core's memory unpack returns these as normal entries; a client must never hand them on.
  path_traversal: { reject: "unsafe_path" },
  absolute_path: { reject: "unsafe_path" },
  // hex_core's memory unpack silently drops the symlink; we refuse the tarball.
  symlink_escape: { reject: "unsafe_symlink" },
  metadata_syntax_error: { reject: "metadata_invalid" },
  metadata_empty: { reject: "metadata_invalid" },
  metadata_illegal_atom: { reject: "metadata_invalid" },
  metadata_not_key_value: { reject: "metadata_invalid" },
  // hex_core cannot read back the `"…\\"` it wrote; the decoder reads metadata.config as hex_core does, so neither
  // do we.
  metadata_trailing_backslash: { reject: "metadata_invalid" },
  uncompressed_too_big: { reject: "too_big_uncompressed" },
  tarball_too_big_for_config: { reject: "too_big" },
  version_file_too_big: { reject: "file_too_big" },
  // Stricter than hex_core: every hex_core-made tarball gzips its contents; a plain tar there is refused.
  contents_not_gzipped_accepted: { reject: "contents_not_gzip" },
  contents_garbage: { reject: "contents_not_gzip" },
  outer_header_checksum_corrupt: { reject: "bad_header" },
  // hex_core's none/disk modes accept a fifth entry; we refuse any outer entry beyond the four.
  extra_outer_entry: { reject: "unexpected_entry" },
  // Valid on its own; only the registry's outer checksum exposes it (tested below with the checksum given).
  registry_outer_checksum_mismatch: { accept: "valid without a registry checksum" },
};

interface NegativeCase {
  id: string;
  tarball_file: string;
  config_overrides: { tarball_max_size?: number; tarball_max_uncompressed_size?: number };
  hex_core_accepts: boolean;
  registry_outer_checksum?: string;
}

const index: { cases: { id: string; expected_file: string }[] } = vectorsSkip
  ? { cases: [] }
  : readVectorJson("tarballs_negative", "index.json");
const load = (id: string): NegativeCase => readVectorJson("tarballs_negative", `${id}.json`);
const bytesOf = (c: NegativeCase) => readFileSync(vectorPath("tarballs_negative", c.tarball_file));
const limits = (c: NegativeCase) => ({
  maxSize: c.config_overrides.tarball_max_size,
  maxUncompressedSize: c.config_overrides.tarball_max_uncompressed_size,
});

describe("tarballs_negative", { skip: vectorsSkip }, () => {
  test("every case has a decision", () => {
    assert.deepEqual(index.cases.map((c) => c.id).sort(), Object.keys(verdicts).sort());
  });

  for (const { id } of index.cases) {
    const verdict = verdicts[id];
    test(`${id}: ${verdict && "reject" in verdict ? `rejected (${verdict.reject})` : "accepted"}`, async () => {
      assert.ok(verdict, `no decision for ${id}`);
      const c = load(id);
      const unpack = unpackPackageTarball(bytesOf(c), limits(c));
      if ("accept" in verdict) {
        assert.equal(c.hex_core_accepts, true, "we only accept what hex_core accepts");
        const result = await unpack;
        assert.ok(result.files.length > 0);
        return;
      }
      await assert.rejects(unpack, (e: unknown) => {
        assert.ok(e instanceof HextsError, `not a HextsError: ${String(e)}`);
        assert.equal(e.code, "TARBALL_INVALID");
        assert.equal((e.details as { reason: string }).reason, verdict.reject, e.message);
        return true;
      });
    });
  }

  test("missing_version_and_checksum names both entries", async () => {
    const c = load("missing_version_and_checksum");
    await assert.rejects(unpackPackageTarball(bytesOf(c)), (e: HextsError) => {
      assert.deepEqual((e.details as { files: string[] }).files, ["VERSION", "CHECKSUM"]);
      return true;
    });
  });

  test("registry_outer_checksum_mismatch is rejected against the registry's checksum", async () => {
    const c = load("registry_outer_checksum_mismatch");
    await assert.rejects(
      unpackPackageTarball(bytesOf(c), { expectedOuterChecksum: c.registry_outer_checksum }),
      (e: HextsError) =>
        e.code === "TARBALL_INVALID" && (e.details as { reason: string }).reason === "outer_checksum_mismatch",
    );
  });
});

describe("unpackPackageTarball on tarballs we make", () => {
  const META = Buffer.from('{<<"name">>,<<"pkg">>}.\n{<<"version">>,<<"1.0.0">>}.\n');
  const reason = (e: unknown) => (e instanceof HextsError ? (e.details as { reason: string }).reason : String(e));

  test("round trip keeps directories, symlinks, modes and order", async () => {
    const { tarball, innerChecksum, outerChecksum } = await createPackageTarball(META, [
      { path: "bin/run.sh", contents: "#!/bin/sh\n", mode: 0o100755 },
      { path: "bin/run", type: "symlink", linkTarget: "run.sh" },
      { path: "priv/empty", type: "dir" },
      { path: "a/../b.txt", contents: "b" },
    ]);
    const back = await unpackPackageTarball(tarball, { expectedOuterChecksum: outerChecksum.toUpperCase() });
    assert.equal(back.innerChecksum, innerChecksum);
    assert.deepEqual(toVectorJson(back.metadata), { name: "pkg", version: "1.0.0" });
    assert.deepEqual(
      back.files.map((f) => [f.path, f.type, f.mode, f.linkTarget]),
      [
        ["bin/run.sh", "file", 0o100755, undefined],
        ["bin/run", "symlink", 0o120777, "run.sh"],
        ["priv/empty", "dir", 0o40755, undefined],
        ["a/../b.txt", "file", 0o100644, undefined],
      ],
    );
  });

  // Tarballs hex_core could make but we refuse: the inner tar is built by hand, the outer one is consistent.
  const withContents = async (write: (w: TarWriter) => void) => {
    const chunks: Uint8Array[] = [];
    const w = new TarWriter((c) => chunks.push(c));
    write(w);
    w.finish();
    const gz = gzip(concatBytes(chunks));
    const version = Buffer.from("3");
    const outer: Uint8Array[] = [];
    const o = new TarWriter((c) => outer.push(c));
    o.addFile("VERSION", version);
    o.addFile("CHECKSUM", Buffer.from(sha256Hex(version, META, gz).toUpperCase()));
    o.addFile("metadata.config", META);
    o.addFile("contents.tar.gz", gz);
    o.finish();
    return concatBytes(outer);
  };
  const refused: [string, (w: TarWriter) => void, string][] = [
    [
      "a duplicate path (after normalisation)",
      (w) => (w.addFile("a/b", Buffer.from("1")), w.addFile("a//b", Buffer.from("2"))),
      "duplicate_entry",
    ],
    ["an absolute symlink target", (w) => w.addSymlink("l", "/etc/passwd"), "unsafe_symlink"],
    ["a Windows-style traversal", (w) => w.addFile("..\\x", Buffer.from("x")), "unsafe_path"],
    ["a drive-letter path", (w) => w.addFile("C:x", Buffer.from("x")), "unsafe_path"],
  ];
  for (const [what, write, expected] of refused) {
    test(`refuses ${what}`, async () => {
      await assert.rejects(unpackPackageTarball(await withContents(write)), (e: unknown) => reason(e) === expected);
    });
  }
});
