// Hostile package tarballs (issue 11 §2): symlink chains, names that meet after normalisation, special mode
// bits, data after the gzip member or the tar end, metadata.config built to blow the stack. Every refusal is a
// typed TARBALL_INVALID; the same link rules hold when building and when `build --unpack` writes the files.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HextsError } from "../../src/errors.js";
import { createPackageTarball, unpackPackageTarball } from "../../src/package/tarball.js";
import { unpackPackageTo } from "../../src/build/pipeline.js";
import { unpackDocsTarball } from "../../src/package/docs-tarball.js";
import { TarWriter, concatBytes } from "../../src/package/tar.js";
import { gzip } from "../../src/package/gzip.js";
import { sha256Hex } from "../../src/package/checksum.js";

const META = Buffer.from('{<<"name">>,<<"pkg">>}.\n{<<"version">>,<<"1.0.0">>}.\n');

const tarOf = (write: (w: TarWriter) => void, extra: Uint8Array = new Uint8Array(0)) => {
  const chunks: Uint8Array[] = [];
  const w = new TarWriter((c) => chunks.push(c));
  write(w);
  w.finish();
  return concatBytes([...chunks, extra]);
};

/** An outer tarball consistent in every checksum around the given contents.tar.gz and metadata.config. */
const outerOf = (gz: Uint8Array, meta: Uint8Array = META, extra?: Uint8Array) => {
  const version = Buffer.from("3");
  return tarOf((o) => {
    o.addFile("VERSION", version);
    o.addFile("CHECKSUM", Buffer.from(sha256Hex(version, meta, gz).toUpperCase()));
    o.addFile("metadata.config", meta);
    o.addFile("contents.tar.gz", gz);
  }, extra);
};
const withContents = (write: (w: TarWriter) => void) => outerOf(gzip(tarOf(write)));

const refusal = async (bytes: Uint8Array): Promise<string> => {
  try {
    await unpackPackageTarball(bytes);
  } catch (e) {
    assert.ok(e instanceof HextsError, `not a typed error: ${String(e)}`);
    assert.equal(e.code, "TARBALL_INVALID", e.message);
    return (e.details as { reason: string }).reason;
  }
  return "accepted";
};

const file = (w: TarWriter, path: string) => w.addFile(path, Buffer.from("x"));

describe("symlink chains and colliding names in package contents", () => {
  const cases: [string, (w: TarWriter) => void, string][] = [
    [
      "the chain d/up -> .., esc -> d/up/.., esc/pwned",
      (w) => (w.addSymlink("d/up", ".."), w.addSymlink("esc", "d/up/.."), file(w, "esc/pwned")),
      "unsafe_symlink",
    ],
    [
      "a write through a link to the root's parent",
      (w) => (w.addSymlink("d/up", ".."), file(w, "d/up/../pwned")),
      "unsafe_path",
    ],
    [
      "a link made unsafe by a later link",
      (w) => (w.addSymlink("l", "s/.."), w.addSymlink("s", ".")),
      "unsafe_symlink",
    ],
    ["a symlink loop", (w) => (w.addSymlink("a", "b"), w.addSymlink("b", "a"), file(w, "a/x")), "unsafe_symlink"],
    ["a file below a regular file", (w) => (file(w, "f"), file(w, "f/x")), "unsafe_path"],
    [
      "two names for one file through a link",
      (w) => (file(w, "sub/x"), w.addSymlink("d", "sub"), file(w, "d/x")),
      "duplicate_entry",
    ],
    ["names equal in Unicode NFC", (w) => (file(w, "caf\u00e9"), file(w, "cafe\u0301")), "duplicate_entry"],
    ["names equal with \\ as a separator", (w) => (file(w, "a/b"), file(w, "a\\b")), "duplicate_entry"],
    ["names equal after a/..", (w) => (file(w, "b"), file(w, "a/../b")), "duplicate_entry"],
    ["a file where a directory was implied", (w) => (file(w, "a/b"), file(w, "a")), "duplicate_entry"],
  ];
  for (const [what, write, reason] of cases) {
    test(`refuses ${what}`, async () => assert.equal(await refusal(withContents(write)), reason));
  }

  test("accepts links that stay inside, and writes through them", async () => {
    const bytes = withContents((w) => {
      w.addSymlink("d/up", "..");
      w.addSymlink("lib", "src");
      file(w, "lib/a.ex");
      w.addSymlink("d/deep", "../src/../lib");
    });
    assert.equal(await refusal(bytes), "accepted");
  });

  test("building refuses the same chain (PACKAGE_INVALID)", async () => {
    await assert.rejects(
      createPackageTarball(META, [
        { path: "d/up", type: "symlink", linkTarget: ".." },
        { path: "esc", type: "symlink", linkTarget: "d/up/.." },
        { path: "esc/pwned", contents: "x" },
      ]),
      (e: HextsError) => e.code === "PACKAGE_INVALID" && (e.details as { reason: string }).reason === "unsafe_symlink",
    );
  });
});

describe("modes and trailing data", () => {
  test("setuid, setgid and sticky bits are masked in what is returned", async () => {
    const bytes = withContents((w) => {
      w.addFile("bin/run", Buffer.from("#!/bin/sh\n"), 0o106755);
      w.addDirectory("tmp", 0o41777);
    });
    const { files } = await unpackPackageTarball(bytes);
    assert.deepEqual(
      files.map((f) => [f.path, f.mode.toString(8)]),
      [
        ["bin/run", "100755"],
        ["tmp", "40777"],
      ],
    );
  });

  const inner = tarOf((w) => file(w, "a"));
  test("refuses a second gzip member", async () => {
    assert.equal(await refusal(outerOf(concatBytes([gzip(inner), gzip(tarOf((w) => file(w, "b")))]))), "trailing_data");
  });
  test("refuses data after the gzip member", async () => {
    assert.equal(await refusal(outerOf(concatBytes([gzip(inner), Buffer.from("junk")]))), "trailing_data");
  });
  test("refuses a gzip member whose CRC does not match", async () => {
    const gz = gzip(inner);
    gz[gz.length - 6]! ^= 0xff;
    assert.equal(await refusal(outerOf(gz)), "contents_corrupt");
  });
  test("refuses data after the end blocks of the contents tar", async () => {
    assert.equal(
      await refusal(
        outerOf(
          gzip(
            tarOf(
              (w) => file(w, "a"),
              tarOf((w) => file(w, "b")),
            ),
          ),
        ),
      ),
      "bad_end",
    );
  });
  test("refuses data after the end blocks of the outer tar", async () => {
    assert.equal(await refusal(outerOf(gzip(inner), META, Buffer.from("junk"))), "bad_end");
  });
  test("accepts zero padding after the end blocks (tar record padding)", async () => {
    assert.equal(await refusal(outerOf(gzip(tarOf((w) => file(w, "a"), new Uint8Array(9216))))), "accepted");
  });
});

describe("metadata.config built to exhaust the reader", () => {
  const cases: [string, string][] = [
    ["nested 100,000 lists deep", `{<<"name">>,${"[".repeat(100_000)}${"]".repeat(100_000)}}.\n`],
    ["nested 100,000 tuples deep", `{<<"name">>,${"{".repeat(100_000)}${"}".repeat(100_000)}}.\n`],
    ["a 125 KB atom", `{<<"name">>,'${"a".repeat(125_000)}'}.\n`],
    ["a 500,000-digit integer", `{<<"name">>,${"9".repeat(500_000)}}.\n`],
    ["a 125 KB illegal token", `{<<"name">>,${"~".repeat(125_000)}}.\n`],
  ];
  for (const [what, text] of cases) {
    test(`${what}: a typed TARBALL_INVALID`, async () => {
      const meta = Buffer.from(text);
      assert.equal(await refusal(outerOf(gzip(tarOf((w) => file(w, "a"))), meta)), "metadata_invalid");
    });
  }
  test("a 125 KB string is read", async () => {
    const meta = Buffer.from(`{<<"name">>,"${"a".repeat(125_000)}"}.\n`);
    assert.equal(await refusal(outerOf(gzip(tarOf((w) => file(w, "a"))), meta)), "accepted");
  });
});

describe("build --unpack writes only inside its directory", () => {
  test("an existing hard link or symlink in the output directory is replaced, never written through", async () => {
    const base = mkdtempSync(join(tmpdir(), "hexts-unpack-"));
    try {
      const outside = join(base, "outside");
      mkdirSync(outside);
      writeFileSync(join(outside, "hard.txt"), "precious");
      writeFileSync(join(outside, "soft.txt"), "precious");
      const out = join(base, "out");
      mkdirSync(out);
      linkSync(join(outside, "hard.txt"), join(out, "a.txt"));
      symlinkSync(join(outside, "soft.txt"), join(out, "b.txt"));
      const { tarball } = await createPackageTarball(META, [
        { path: "a.txt", contents: "new a" },
        { path: "b.txt", contents: "new b" },
      ]);
      await unpackPackageTo(tarball, out);
      assert.equal(readFileSync(join(outside, "hard.txt"), "utf8"), "precious");
      assert.equal(readFileSync(join(outside, "soft.txt"), "utf8"), "precious");
      assert.equal(readFileSync(join(out, "a.txt"), "utf8"), "new a");
      assert.equal(lstatSync(join(out, "b.txt")).isFile(), true);
      assert.equal(lstatSync(join(out, "a.txt")).nlink, 1);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("docs tarballs", () => {
  const docs = (write: (w: TarWriter) => void) =>
    gzip(tarOf((w) => (w.addFile("index.html", Buffer.from("<html>")), write(w))));
  const docsRefusal = (bytes: Uint8Array) => {
    try {
      unpackDocsTarball(bytes);
      return "accepted";
    } catch (e) {
      assert.ok(e instanceof HextsError && e.code === "TARBALL_INVALID", String(e));
      return (e.details as { reason: string }).reason;
    }
  };
  test("refuse two names for one file and a file below a file", () => {
    assert.equal(docsRefusal(docs((w) => (file(w, "a/b.html"), file(w, "a//b.html")))), "duplicate_entry");
    assert.equal(docsRefusal(docs((w) => (file(w, "caf\u00e9.html"), file(w, "cafe\u0301.html")))), "duplicate_entry");
    assert.equal(docsRefusal(docs((w) => (file(w, "a"), file(w, "a/b.html")))), "unsafe_path");
  });
  test("mask setuid, setgid and sticky bits", () => {
    const { files } = unpackDocsTarball(docs((w) => w.addFile("run.sh", Buffer.from("x"), 0o106755)));
    assert.deepEqual(
      files.map((f) => [f.path, f.mode.toString(8)]),
      [
        ["index.html", "100644"],
        ["run.sh", "100755"],
      ],
    );
  });
});
