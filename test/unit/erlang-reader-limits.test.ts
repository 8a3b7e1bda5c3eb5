// The term reader's limits (issue 11 §3): hostile term files fail fast with a located TERM_SYNTAX error
// instead of aborting V8, overflowing the stack or running for minutes; values just under a limit still read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import { parseTerms, TERM_LIMITS } from "../../src/erlang/reader.js";

/** Each case must be refused within this many milliseconds (generous for a shared CI machine). */
const FAST_MS = 3000;

const refused: [string, string, RegExp][] = [
  ["<<0:4294967296>> (aborted V8)", "{a, <<0:4294967296>>}.", /^x\.config:1:7: segment size 4294967296 is too large/],
  [
    "a binary over 1 MiB from many segments",
    `<<${Array(200).fill("0:65536").join(",")}>>.`,
    /^x\.config:1:\d+: binary too large/,
  ],
  ["16# and 150,000 digits (quadratic)", `{v, 16#${"f".repeat(150_000)}}.`, /^x\.config:1:5: number too long/],
  ["a 300,000-digit integer", `${"9".repeat(300_000)}.`, /^x\.config:1:1: number too long/],
  ["a 300,000-digit float", `1.${"5".repeat(300_000)}.`, /^x\.config:1:1: number too long/],
  [
    "lists nested 100,000 deep",
    `${"[".repeat(100_000)}${"]".repeat(100_000)}.`,
    /^x\.config:1:1001: terms nested too deeply/,
  ],
  [
    "tuples nested 100,000 deep",
    `${"{".repeat(100_000)}${"}".repeat(100_000)}.`,
    /^x\.config:1:1001: terms nested too deeply/,
  ],
  [
    "binaries nested 100,000 deep",
    `${"<<".repeat(100_000)}${">>".repeat(100_000)}.`,
    /^x\.config:1:2001: terms nested too deeply/,
  ],
  ["a 2,000,000-character string", `"${"a".repeat(2_000_000)}".`, /^x\.config:1:1: string too long/],
  [
    "adjacent strings over the limit together",
    `"${"a".repeat(600_000)}" "${"b".repeat(600_000)}".`,
    /^x\.config:1:1: string too long/,
  ],
  ["a 300,000-character atom", `${"a".repeat(300_000)}.`, /^x\.config:1:1: name too long/],
  ["a 300,000-character quoted atom", `'${"a".repeat(300_000)}'.`, /^x\.config:1:1: atom too long/],
];

for (const [what, source, message] of refused) {
  test(`refuses ${what} with file:line:col`, () => {
    const start = performance.now();
    assert.throws(
      () => parseTerms(source, "x.config"),
      (e: unknown) => e instanceof HextsError && e.code === "TERM_SYNTAX" && message.test(e.message),
    );
    assert.ok(performance.now() - start < FAST_MS, `${what} took ${Math.round(performance.now() - start)} ms`);
  });
}

test("values at the limits still read", () => {
  const depth = TERM_LIMITS.depth;
  assert.equal(parseTerms(`${"[".repeat(depth)}${"]".repeat(depth)}.`).length, 1);
  const [big] = parseTerms(`16#${"f".repeat(TERM_LIMITS.numberDigits)}.`);
  assert.equal(big, 16n ** BigInt(TERM_LIMITS.numberDigits) - 1n);
  const [b36] = parseTerms(`36#${"z".repeat(20)}.`);
  assert.equal(b36, 36n ** 20n - 1n);
  assert.equal(parseTerms(`'${"a".repeat(255)}'.`).length, 1);
  const [bytes] = parseTerms("<<-1:8388608>>.") as Uint8Array[];
  assert.equal(bytes!.length, 1024 * 1024);
  assert.ok(bytes!.every((b) => b === 0xff));
});

test("bit segments still build the bytes Erlang builds", () => {
  // erl: <<1:16/little, 300:16, 5:3, 3:5, -1:12, 0:4>> =:= <<1,0,1,44,163,255,240>>
  assert.deepEqual(
    [...(parseTerms("<<1:16/little, 300:16, 5:3, 3:5, -1:12, 0:4>>.")[0] as Uint8Array)],
    [1, 0, 1, 44, 163, 255, 240],
  );
  assert.deepEqual([...(parseTerms("<<258:24/little, 2#101:3, 0:5>>.")[0] as Uint8Array)], [2, 1, 0, 160]);
});
