// The tar writer's header rules (one line per case), gzip streaming, and the strict reader.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import pako from "pako";
import { GzipWriter, GZIP_HEADER, gunzip, gzip } from "../../src/package/gzip.js";
import {
  TarReadError,
  TarWriter,
  concatBytes,
  encodeHeader,
  paxRecords,
  parsePaxRecords,
  readTar,
} from "../../src/package/tar.js";
import { normalizeTarPath, safePathProblem, symlinkEscapes } from "../../src/package/paths.js";

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const field = (block: Uint8Array, offset: number, width: number) => latin1(block.subarray(offset, offset + width));
const trimNul = (s: string) => s.replace(/\0+$/, "");

function tarOf(write: (w: TarWriter) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new TarWriter((c) => chunks.push(c));
  write(w);
  w.finish();
  return concatBytes(chunks);
}

describe("tar headers", () => {
  test("fixed fields of a memory file", () => {
    const h = encodeHeader({ path: "src/foo.erl", type: "file", mode: 0o100644, size: 13 });
    assert.equal(h.length, 512);
    assert.equal(field(h, 100, 8), "0100644\0");
    assert.equal(field(h, 108, 16), "0000000\u00000000000\0");
    assert.equal(field(h, 124, 12), "00000000015\0");
    assert.equal(field(h, 136, 12), "07033241600\0");
    assert.equal(field(h, 156, 1), "0");
    assert.equal(field(h, 257, 8), "ustar\u000000");
    assert.equal(field(h, 265, 64), "\0".repeat(64));
    assert.equal(field(h, 329, 16), "0000000\u00000000000\0");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    assert.equal(field(h, 148, 8), `${sum.toString(8).padStart(7, "0")}\0`);
  });

  // [what, entry, name field, prefix field, whether a PAX member precedes]
  const a = (n: number) => "a".repeat(n);
  const cases: [string, Parameters<typeof encodeHeader>[0], string, string, boolean][] = [
    ["100-byte path has no NUL", { path: a(100), type: "file", mode: 0o644, size: 0 }, a(100), "", false],
    [
      "101-byte path split at the last /",
      { path: `${a(60)}/${a(40)}`, type: "file", mode: 0o644, size: 0 },
      a(40),
      a(60),
      false,
    ],
    ["base name of 100 bytes needs PAX", { path: `x/${a(100)}`, type: "file", mode: 0o644, size: 0 }, "", "", true],
    ["prefix over 155 bytes needs PAX", { path: `${a(156)}/b`, type: "file", mode: 0o644, size: 0 }, "", "", true],
    [
      "separators count: a 156-byte joined prefix needs PAX",
      { path: `${a(100)}/${a(55)}/b`, type: "file", mode: 0o644, size: 0 },
      "",
      "",
      true,
    ],
    [
      "short non-ASCII path needs PAX, name left empty",
      { path: "lib/café.ex", type: "file", mode: 0o644, size: 0 },
      "",
      "",
      true,
    ],
    [
      "directory gets a trailing slash",
      { path: "priv/empty", type: "dir", mode: 0o755, size: 0 },
      "priv/empty/",
      "",
      false,
    ],
    [
      "99-byte directory: 100 bytes with the slash",
      { path: a(99), type: "dir", mode: 0o755, size: 0 },
      `${a(99)}/`,
      "",
      false,
    ],
  ];
  for (const [what, entry, name, prefix, pax] of cases) {
    test(what, () => {
      const bytes = encodeHeader(entry);
      const real = bytes.subarray(bytes.length - 512);
      assert.equal(bytes.length > 512, pax);
      assert.equal(trimNul(field(real, 0, 100)), name);
      assert.equal(trimNul(field(real, 345, 155)), prefix);
      if (pax) assert.equal(field(bytes, 156, 1), "x");
    });
  }

  test("modes carry the file-type bits", () => {
    assert.equal(field(encodeHeader({ path: "x", type: "file", mode: 0o755, size: 0 }), 100, 8), "0100755\0");
    assert.equal(field(encodeHeader({ path: "x", type: "dir", mode: 0o755, size: 0 }), 100, 8), "0040755\0");
    assert.equal(
      field(encodeHeader({ path: "x", type: "symlink", mode: 0o777, size: 0, linkTarget: "y" }), 100, 8),
      "0120777\0",
    );
  });

  // PAX member names: erl_tar's filename:dirname/basename/join, non-ASCII dropped, cut to 99 bytes.
  const paxNames: [string, string][] = [
    ["café.txt", "./PaxHeaders.0/caf.txt"],
    ["lib/café.ex", "lib/PaxHeaders.0/caf.ex"],
    ["a//b/é", "a/b/PaxHeaders.0/"],
    [`dir/${"é".repeat(3)}${"b".repeat(120)}`, `dir/PaxHeaders.0/${"b".repeat(99 - 17)}`],
  ];
  for (const [path, paxName] of paxNames) {
    test(`PAX member name for ${JSON.stringify(path.slice(0, 30))}`, () => {
      assert.equal(trimNul(field(encodeHeader({ path, type: "file", mode: 0o644, size: 0 }), 0, 100)), paxName);
    });
  }

  test("symlink target over 100 characters goes to a linkpath record", () => {
    const target = "t".repeat(101);
    const bytes = encodeHeader({ path: "l", type: "symlink", mode: 0o777, size: 0, linkTarget: target });
    const size = parseInt(field(bytes, 124, 11), 8);
    assert.deepEqual(parsePaxRecords(bytes.subarray(512, 512 + size)), { linkpath: target });
    assert.equal(trimNul(field(bytes.subarray(bytes.length - 512), 157, 100)), "");
  });
});

describe("PAX records", () => {
  // [value, declared length written] — hex_core counts code points first, then fixes the length once.
  const cases: [string, number][] = [
    ["lib/café.ex", 21],
    ["a".repeat(90), 99], // 2 digits fit exactly
    ["a".repeat(91), 101], // crossing to 3 digits in ASCII is fixed correctly
    [`lib/${"a".repeat(82)}é.ex`, 100], // the quirk: 101 bytes declared as 100
  ];
  for (const [value, declared] of cases) {
    test(`${value.length}-character path declares ${declared}`, () => {
      const text = Buffer.from(paxRecords({ path: value })).toString("utf8");
      assert.equal(Number(text.split(" ")[0]), declared);
      assert.deepEqual(parsePaxRecords(paxRecords({ path: value })), { path: value });
    });
  }

  test("keys are sorted", () => {
    assert.match(Buffer.from(paxRecords({ path: "p", linkpath: "l" })).toString(), /^\d+ linkpath=l\n\d+ path=p\n$/);
  });

  test("the reader refuses lengths off by more than the quirk", () => {
    assert.throws(() => parsePaxRecords(Buffer.from("10 path=abc\n")), TarReadError);
    assert.throws(() => parsePaxRecords(Buffer.from("12 path=abc")), TarReadError);
  });
});

describe("TarWriter", () => {
  test("streamed data equals addFile, and the archive ends with two zero blocks only", () => {
    const data = Buffer.from("x".repeat(1500));
    const whole = tarOf((w) => w.addFile("f", data));
    const streamed = tarOf((w) => {
      w.beginFile("f", data.length);
      for (let i = 0; i < data.length; i += 7) w.write(data.subarray(i, i + 7));
      w.endFile();
    });
    assert.deepEqual(streamed, whole);
    assert.equal(whole.length, 512 + 1536 + 1024);
  });

  test("misuse is caught", () => {
    const w = new TarWriter(() => undefined);
    w.beginFile("f", 3);
    assert.throws(() => w.write(new Uint8Array(4)), RangeError);
    assert.throws(() => w.endFile(), RangeError);
    assert.throws(() => w.addFile("g", new Uint8Array(0)), /not finished/);
  });
});

describe("gzip", () => {
  test("header and trailer", () => {
    const gz = gzip(Buffer.from("hello"));
    assert.deepEqual(gz.subarray(0, 10), Buffer.from(GZIP_HEADER));
    assert.equal(Buffer.from(gunzipSync(gz)).toString(), "hello");
    assert.equal(Buffer.from(gz.subarray(gz.length - 4)).readUInt32LE(), 5);
  });

  test("the deflate stream is pako's (reference zlib) level 6 stream", () => {
    const data = Buffer.from("abcabcabd".repeat(1000));
    const gz = gzip(data);
    assert.deepEqual(
      Buffer.from(gz.subarray(10, gz.length - 8)),
      Buffer.from(pako.deflateRaw(data, { level: 6, windowBits: 15, memLevel: 8 })),
    );
  });

  test("any chunking of the input gives the one-shot bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40_000 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 20 }),
        (data, cuts) => {
          const chunks: Uint8Array[] = [];
          const w = new GzipWriter((c) => chunks.push(c));
          let at = 0;
          for (let i = 0; at < data.length; i++) {
            const n = cuts[i % cuts.length]!;
            w.push(data.subarray(at, at + n));
            at += n;
          }
          w.finish();
          assert.deepEqual(Buffer.from(concatBytes(chunks)), Buffer.from(gzip(data)));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("gunzip refuses output over the limit and non-gzip input", () => {
    const gz = gzip(new Uint8Array(10_000));
    assert.equal(gunzip(gz, 10_000).length, 10_000);
    assert.throws(() => gunzip(gz, 9_999), { reason: "too_big" });
    assert.throws(() => gunzip(Buffer.from("nope"), 100), { reason: "not_gzip" });
    assert.throws(() => gunzip(gz.subarray(0, 30), 100_000), { reason: "corrupt" });
  });
});

describe("readTar", () => {
  const sample = () =>
    tarOf((w) => {
      w.addFile("a.txt", Buffer.from("A"));
      w.addDirectory("d");
      w.addSymlink("l", "a.txt");
      w.addFile(`x/${"é".repeat(60)}`, Buffer.from("B"));
    });

  test("reads back files, directories, symlinks and PAX paths", () => {
    const members = readTar(sample());
    assert.deepEqual(
      members.map((m) => [m.path, m.type, m.mode, m.linkTarget]),
      [
        ["a.txt", "file", 0o100644, undefined],
        ["d", "dir", 0o40755, undefined],
        ["l", "symlink", 0o120777, "a.txt"],
        [`x/${"é".repeat(60)}`, "file", 0o100644, undefined],
      ],
    );
  });

  const corrupt: [string, (t: Uint8Array) => Uint8Array, TarReadError["reason"]][] = [
    ["header checksum", (t) => ((t[0] = 0x62), t), "bad_header"],
    ["cut in data", (t) => t.subarray(0, 700), "truncated"],
    ["missing end blocks", (t) => t.subarray(0, t.length - 1024), "truncated"],
    ["hard link member", (t) => relink(t), "unsupported_entry"],
    ["data after one zero block", (t) => ((t[t.length - 1] = 1), t), "bad_end"],
  ];
  for (const [what, damage, reason] of corrupt) {
    test(`rejects ${what}`, () => assert.throws(() => readTar(damage(Buffer.from(sample()))), { reason }));
  }
});

/** Turns the first member into a hard link (typeflag 1) with a valid header checksum. */
function relink(t: Uint8Array): Uint8Array {
  t[156] = 0x31;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : t[i]!;
  Buffer.from(t.buffer, t.byteOffset).write(`${sum.toString(8).padStart(7, "0")}\0`, 148, "latin1");
  return t;
}

describe("paths", () => {
  const unsafe: [string, boolean][] = [
    ["../README.md", true],
    ["/README.md", true],
    ["C:\\README.md", true],
    ["..\\README.md", true],
    ["a/../../b.txt", true],
    ["", true],
    ["a\0b", true],
    ["a/../b.txt", false],
    ["./ok.txt", false],
    ["a/./b.txt", false],
    ["dir\\file.txt", false],
    ["a//b.txt", false],
  ];
  for (const [path, bad] of unsafe)
    test(`${JSON.stringify(path)} unsafe: ${bad}`, () => assert.equal(safePathProblem(path) !== undefined, bad));

  const links: [string, string, boolean][] = [
    ["bin/run", "run.sh", false],
    ["bin/run", "../priv/x", false],
    ["bin/run", "../../x", true],
    ["link", "../etc/passwd", true],
    ["a/link", "/etc/passwd", true],
    ["a/link", "C:\\x", true],
  ];
  for (const [path, target, escapes] of links)
    test(`${path} -> ${target} escapes: ${escapes}`, () => assert.equal(symlinkEscapes(path, target), escapes));

  const normalised: [string, string][] = [
    ["a//b.txt", "a/b.txt"],
    ["a/./b.txt", "a/b.txt"],
    ["./ok.txt", "./ok.txt"],
    ["a/../b.txt", "a/../b.txt"],
    ["dir/", "dir"],
  ];
  for (const [path, expected] of normalised)
    test(`normalises ${path}`, () => assert.equal(normalizeTarPath(path), expected));
});
