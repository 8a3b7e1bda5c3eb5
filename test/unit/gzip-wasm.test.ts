import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { GzipWriter, gzip } from "../../src/package/gzip.js";
import { ZLIB_WASM_BASE64 } from "../../src/package/zlib-wasm.generated.js";
import { zlibMemorySize } from "../../src/package/zlib-wasm.js";
import { repoRoot } from "../support/vectors.js";

/** Deterministic bytes: text-like runs mixed with incompressible stretches. */
function sample(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0, i = 0; at < size; i++) {
    const block = createHash("sha256").update(`${seed}:${i}`).digest();
    const piece =
      block[0]! % 3 === 0
        ? block
        : Buffer.from(`-module(m${block[1]}).\nf(X) -> X + ${block[2]}.\n`.repeat(1 + (block[3]! % 8)));
    out.set(piece.subarray(0, size - at), at);
    at += piece.length;
  }
  return out;
}

function gzipInPieces(data: Uint8Array, sizes: readonly number[], sinkCopies = false): Uint8Array {
  const out: Uint8Array[] = [];
  const w = new GzipWriter((c) => out.push(sinkCopies ? c.slice() : c), { sinkCopies });
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    w.push(data.subarray(at, at + n));
    at += n;
  }
  w.finish();
  return Buffer.concat(out);
}

describe("gzip through zlib.wasm", () => {
  test("the committed wasm is the one recorded in scripts/zlib-wasm/README.md", () => {
    const readme = readFileSync(`${repoRoot}/scripts/zlib-wasm/README.md`, "utf8");
    const recorded = /zlib\.wasm sha256 ([0-9a-f]{64}) \((\d+) bytes\)/.exec(readme);
    assert.ok(recorded, "README.md records the sha256 and size");
    const wasm = Buffer.from(ZLIB_WASM_BASE64, "base64");
    assert.equal(createHash("sha256").update(wasm).digest("hex"), recorded[1]);
    assert.equal(wasm.length, Number(recorded[2]));
  });

  test("the empty input gives the fixed empty member", () => {
    assert.equal(Buffer.from(gzip(new Uint8Array(0))).toString("hex"), "1f8b080000000000000003000000000000000000");
  });

  // The input buffer inside the wasm is 128 KiB and the output buffer 64 KiB: these cut across both.
  const data = sample(700_000, "chunks");
  const oneShot = gzip(data);
  test("one-shot output inflates back to the input", () => {
    assert.deepEqual(gunzipSync(oneShot), Buffer.from(data));
  });

  const chunkings: [string, number[]][] = [
    ["1 byte", [1]],
    ["512-byte tar blocks", [512]],
    ["uneven small pieces", [1, 7, 512, 3000, 65_535]],
    ["exactly the input buffer", [131_072]],
    ["one past the input buffer", [131_073]],
    ["1 MiB reads", [1_048_576]],
    ["mixed", [100_000, 1, 262_144, 17, 131_071]],
  ];
  for (const [name, sizes] of chunkings) {
    test(`streaming in ${name} pieces equals one-shot`, () => {
      assert.deepEqual(gzipInPieces(data, sizes), oneShot);
    });
  }

  test("a sink given views (sinkCopies) gets the same bytes", () => {
    assert.deepEqual(gzipInPieces(data, [4096, 200_000], true), oneShot);
  });

  test("interleaved writers do not disturb each other", () => {
    const other = sample(300_000, "other");
    const a: Uint8Array[] = [];
    const b: Uint8Array[] = [];
    const wa = new GzipWriter((c) => a.push(c));
    const wb = new GzipWriter((c) => b.push(c));
    for (let i = 0; i * 50_000 < data.length || i * 20_000 < other.length; i++) {
      wa.push(data.subarray(i * 50_000, (i + 1) * 50_000));
      wb.push(other.subarray(i * 20_000, (i + 1) * 20_000));
    }
    wb.finish();
    wa.finish();
    assert.deepEqual(Buffer.concat(a), oneShot);
    assert.deepEqual(Buffer.concat(b), gzip(other));
  });

  test("finished streams are freed: many writers in a row do not grow the wasm memory", () => {
    gzip(data);
    const before = zlibMemorySize();
    for (let i = 0; i < 40; i++) gzip(data.subarray(0, 10_000 + i));
    assert.equal(zlibMemorySize(), before);
  });

  test("a failing sink ends the writer and frees its stream", () => {
    gzip(data);
    const before = zlibMemorySize();
    for (let i = 0; i < 40; i++) {
      let emitted = 0;
      const w = new GzipWriter(
        (c) => {
          emitted += c.length;
          if (emitted > 10) throw new RangeError("full");
        },
        { sinkCopies: true },
      );
      assert.throws(() => w.push(data), RangeError);
      assert.throws(() => w.push(data), /already ended/);
    }
    assert.equal(zlibMemorySize(), before);
  });
});

describe("gzip on a worker thread (large tarballs)", () => {
  // Over the 8 slots × 256 KiB the writer keeps in flight, so slots are reused, the overflow path is taken
  // when `ready()` is not awaited, and the 1 MiB output ring wraps (the random stretches barely compress).
  const data = sample(5_000_000, "threaded");
  const expected = gzip(data);

  async function threaded(sizes: readonly number[], awaitReady: boolean): Promise<Uint8Array> {
    const out: Uint8Array[] = [];
    const w = new GzipWriter((c) => out.push(c), { thread: true });
    for (let at = 0, i = 0; at < data.length; i++) {
      const n = sizes[i % sizes.length]!;
      w.push(data.subarray(at, at + n));
      at += n;
      if (awaitReady) await w.ready();
    }
    await w.close();
    return Buffer.concat(out);
  }

  test("the same bytes as on this thread, awaiting ready() between writes", async () => {
    assert.deepEqual(await threaded([512, 1_048_576, 7, 65_536], true), expected);
  });

  test("the same bytes when everything is written before the worker catches up", async () => {
    assert.deepEqual(await threaded([3_000_000], false), expected);
  });

  test("the empty input gives the fixed empty member", async () => {
    const out: Uint8Array[] = [];
    const w = new GzipWriter((c) => out.push(c), { thread: true });
    await w.close();
    assert.equal(Buffer.concat(out).toString("hex"), "1f8b080000000000000003000000000000000000");
  });

  test("a sink that throws ends the writer: the error comes out of ready() or close()", async () => {
    let emitted = 0;
    const w = new GzipWriter(
      (c) => {
        emitted += c.length;
        if (emitted > 100_000) throw new RangeError("full");
      },
      { thread: true, sinkCopies: true },
    );
    await assert.rejects(async () => {
      for (let at = 0; at < data.length; at += 65_536) {
        w.push(data.subarray(at, at + 65_536));
        await w.ready();
      }
      await w.close();
    }, RangeError);
  });

  test("a synchronous finish() is refused; abort() stops the worker", async () => {
    const w = new GzipWriter(() => undefined, { thread: true });
    w.push(data.subarray(0, 1000));
    assert.throws(() => w.finish(), /close\(\)/);
    const w2 = new GzipWriter(() => undefined, { thread: true });
    w2.push(data);
    w2.abort();
    assert.throws(() => w2.push(data), /already finished/);
  });
});
