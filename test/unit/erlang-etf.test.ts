// The external term format codec against vectors/etf (bytes from the real OTP 25 VM): every encode
// case decodes from all three encodings, the alternates decode, the negatives are refused with a
// typed error, and our encoder writes term_to_binary's bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import {
  ExternalTermError,
  decodeExternalTerm,
  encodeExternalTerm,
  externalTermToJson,
  type EncodableTerm,
} from "../../src/erlang/etf.js";
import {
  Atom,
  Bitstring,
  ErlMap,
  Float,
  ImproperList,
  Tuple,
  atom,
  erlMap,
  float,
  improper,
  tuple,
  type Term,
} from "../../src/erlang/terms.js";
import { HextsError } from "../../src/errors.js";
import { readVectorJson, vectorsSkip } from "../support/vectors.js";

interface EncodeCase {
  id: string;
  erlang: string;
  json: unknown;
  etf_base64: string;
  etf_minor2_base64: string;
  etf_compressed_base64: string;
}
interface AlternateCase {
  id: string;
  etf_base64: string;
  json: unknown;
}
interface NegativeCase {
  id: string;
  etf_base64: string;
  client_should: string;
}
interface EtfVectors {
  encode: EncodeCase[];
  decode_alternates: AlternateCase[];
  negative: NegativeCase[];
}

const skip = vectorsSkip;
const vectors: EtfVectors = skip
  ? { encode: [], decode_alternates: [], negative: [] }
  : readVectorJson("etf", "etf.json");
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const decodeJson = (bytes: Uint8Array) => externalTermToJson(decodeExternalTerm(bytes));

// Cases whose JSON does not say everything the term holds, so it cannot be encoded back from JSON:
// 4.0 in list_mixed is a float JSON writes as 4; a bitstring's JSON has no bits; map_large has 40
// keys, which the VM writes in its hash order (we write key order: a valid, different encoding);
// map_atom_keys has atom keys, which JSON shows as strings.
const NOT_FROM_JSON = new Set(["list_mixed", "bitstring", "map_large", "map_atom_keys"]);
const HASH_ORDERED = new Set(["map_large"]);

/** The vectors' JSON notation back to a term hexts can encode. */
function fromJson(json: unknown): EncodableTerm {
  if (json === null || typeof json === "string" || typeof json === "boolean") return json;
  if (typeof json === "number") return Number.isInteger(json) ? json : float(json);
  if (Array.isArray(json)) return json.map(fromJson);
  const o = json as Record<string, unknown>;
  if ("$atom" in o) return atom(String(o.$atom));
  if ("$integer" in o) return BigInt(String(o.$integer));
  if ("$binary" in o) return b64(String(o.$binary));
  if ("$tuple" in o) return new Tuple((o.$tuple as unknown[]).map(fromJson) as Term[]);
  if ("$improper_list" in o)
    return new ImproperList((o.$improper_list as unknown[]).map(fromJson) as Term[], fromJson(o.tail) as Term);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromJson(v)])) as EncodableTerm;
}

test("etf: every encode case decodes to its JSON from all three of the VM's encodings", { skip }, () => {
  assert.ok(vectors.encode.length >= 39);
  for (const c of vectors.encode) {
    assert.deepEqual(decodeJson(b64(c.etf_base64)), c.json, `${c.id} (term_to_binary/1)`);
    assert.deepEqual(decodeJson(b64(c.etf_minor2_base64)), c.json, `${c.id} (minor_version 2)`);
    assert.deepEqual(decodeJson(b64(c.etf_compressed_base64)), c.json, `${c.id} (compressed)`);
  }
});

test("etf: the compressed vectors really exercise tag 80", { skip }, () => {
  const compressed = vectors.encode.filter((c) => b64(c.etf_compressed_base64)[1] === 80).map((c) => c.id);
  assert.ok(compressed.includes("long_binary"), `compressed cases: ${compressed.join(", ")}`);
});

test("etf: re-encoding a decoded term gives term_to_binary's bytes", { skip }, () => {
  for (const c of vectors.encode) {
    if (HASH_ORDERED.has(c.id)) continue;
    assert.equal(base64(encodeExternalTerm(decodeExternalTerm(b64(c.etf_base64)))), c.etf_base64, c.id);
  }
});

test(
  "etf: encoding maps, binaries, lists, integers, floats, booleans and nil from JSON matches etf_base64",
  { skip },
  () => {
    let checked = 0;
    for (const c of vectors.encode) {
      if (NOT_FROM_JSON.has(c.id)) continue;
      assert.equal(base64(encodeExternalTerm(fromJson(c.json))), c.etf_base64, c.id);
      checked++;
    }
    assert.ok(checked >= 35);
  },
);

test("etf: a map of more than 32 keys encodes to a valid term with the same content", { skip }, () => {
  const c = vectors.encode.find((x) => x.id === "map_large")!;
  const ours = encodeExternalTerm(fromJson(c.json));
  assert.equal(ours.length, b64(c.etf_base64).length);
  assert.deepEqual(decodeJson(ours), c.json);
});

test("etf: big integers come back as bigint, and small ones as numbers", { skip }, () => {
  const byId = (id: string) => decodeExternalTerm(b64(vectors.encode.find((x) => x.id === id)!.etf_base64));
  assert.equal(byId("big_2_53"), 9007199254740993n);
  assert.equal(byId("big_neg"), -9007199254740993n);
  assert.equal(byId("big_large_ext"), 1n << 2100n);
  assert.equal(byId("big_small"), 2147483648);
  assert.ok(byId("float_pi") instanceof Float);
});

test("etf: decode_alternates decode to their JSON", { skip }, () => {
  assert.ok(vectors.decode_alternates.length >= 10);
  for (const c of vectors.decode_alternates) assert.deepEqual(decodeJson(b64(c.etf_base64)), c.json, c.id);
});

test(
  "etf: every negative a client should refuse is refused with ExternalTermError; the others decode",
  { skip },
  () => {
    let refused = 0;
    for (const c of vectors.negative) {
      const bytes = b64(c.etf_base64);
      if (c.client_should.startsWith("refuse")) {
        assert.throws(
          () => decodeExternalTerm(bytes),
          (e: unknown) => e instanceof ExternalTermError && e instanceof HextsError && e.code === "TERM_SYNTAX",
          c.id,
        );
        refused++;
      } else {
        assert.ok(decodeExternalTerm(bytes) instanceof Atom, c.id);
      }
    }
    assert.ok(refused >= 17);
  },
);

// One line per case: [why, bytes, the reason we expect, a piece of the message].
const refusals: [string, number[], string, RegExp][] = [
  ["a pid says what it is", [131, 88, 100, 0, 1, 97, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], "unsupported", /a pid/],
  ["LIST_EXT claiming more elements than bytes", [131, 108, 0, 0, 0, 5, 97, 1, 106], "truncated", /claims 5 elements/],
  ["MAP_EXT claiming more pairs than bytes", [131, 116, 0, 0, 1, 0, 106, 106], "truncated", /claims 256 elements/],
  ["LARGE_TUPLE_EXT claiming 4 billion elements", [131, 105, 255, 255, 255, 255], "truncated", /claims 4294967295/],
  ["LARGE_BIG_EXT claiming 4 GB", [131, 111, 255, 255, 255, 255, 0], "truncated", /needs 4294967295 bytes/],
  ["a duplicate map key", [131, 116, 0, 0, 0, 2, 97, 1, 97, 1, 97, 1, 97, 2], "invalid", /duplicate key/],
  ["a bad big-integer sign", [131, 110, 1, 2, 5], "invalid", /sign byte 2/],
  ["a bitstring with 9 bits in its last byte", [131, 77, 0, 0, 0, 1, 9, 255], "invalid", /9 bits/],
  ["an infinite float", [131, 70, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0], "invalid", /NaN or infinite/],
  ["a compressed term inside a term", [131, 108, 0, 0, 0, 1, 80, 0, 0, 0, 1, 106], "invalid", /compressed term inside/],
  ["a text float that is not a number", [131, 99, ...Buffer.from("nan".padEnd(31, "\0"))], "invalid", /not a number/],
  ["an atom of 256 characters", [131, 100, 1, 0, ...new Array(256).fill(97)], "invalid", /longer than 255/],
];
for (const [why, bytes, reason, message] of refusals) {
  test(`etf refuses ${why}`, () => {
    assert.throws(
      () => decodeExternalTerm(Uint8Array.from(bytes)),
      (e: unknown) => e instanceof ExternalTermError && e.reason === reason && message.test(e.message),
    );
  });
}

test("etf: a compressed term that declares more than the limit is refused before inflating", () => {
  const inner = Buffer.concat([Buffer.from([109, 0, 0, 16, 0]), Buffer.alloc(4096, 97)]);
  const bytes = Buffer.concat([Buffer.from([131, 80]), Buffer.from([0, 0, 0x10, 0x05]), deflateSync(inner)]);
  assert.equal(decodeExternalTerm(bytes).constructor, Uint8Array);
  assert.throws(
    () => decodeExternalTerm(bytes, { maxInflatedSize: 4000 }),
    (e: unknown) => e instanceof ExternalTermError && e.reason === "limit",
  );
  // A stream that inflates to more than it declares is refused, not truncated silently.
  const lying = Buffer.concat([Buffer.from([131, 80]), Buffer.from([0, 0, 0, 10]), deflateSync(inner)]);
  assert.throws(
    () => decodeExternalTerm(lying),
    (e: unknown) => e instanceof ExternalTermError && /more than its declared 10/.test(e.message),
  );
});

test("etf: nesting deeper than maxDepth is refused, up to it decodes", () => {
  let term: Term = new Uint8Array([120]);
  for (let i = 0; i < 60; i++) term = [term];
  const bytes = encodeExternalTerm(term);
  assert.deepEqual(decodeExternalTerm(bytes, { maxDepth: 60 }), term);
  assert.throws(
    () => decodeExternalTerm(bytes, { maxDepth: 59 }),
    (e: unknown) => e instanceof ExternalTermError && e.reason === "limit",
  );
});

test("etf: the JSON view keeps __proto__ as data and falls back to $map for keys that are not text", () => {
  const json = externalTermToJson(
    decodeExternalTerm(encodeExternalTerm({ __proto__: 1, ok: true } as unknown as EncodableTerm)),
  );
  assert.equal(Object.getPrototypeOf(json), Object.prototype);
  assert.deepEqual(Object.keys(json as object).sort(), ["ok"]);
  const built = decodeExternalTerm(encodeExternalTerm(erlMap([[new TextEncoder().encode("__proto__"), 1]])));
  assert.deepEqual(Object.keys(externalTermToJson(built) as object), ["__proto__"]);
  assert.deepEqual(
    externalTermToJson(
      erlMap([
        [1, 2],
        [atom("a"), 3],
      ]),
    ),
    {
      $map: [
        [1, 2],
        [{ $atom: "a" }, 3],
      ],
    },
  );
});

test("etf: encode refuses what Erlang cannot hold", () => {
  assert.equal(
    base64(encodeExternalTerm(1.5)),
    base64(encodeExternalTerm(float(1.5))),
    "a non-integral number is a float",
  );
  assert.throws(() => encodeExternalTerm(float(Number.NaN)), TypeError);
  assert.throws(() => encodeExternalTerm(atom("a".repeat(256))), RangeError);
});

test("etf: a bitstring round-trips and shows as $bitstring", () => {
  const b = new Bitstring(Uint8Array.from([0x20]), 3);
  const back = decodeExternalTerm(encodeExternalTerm(b));
  assert.ok(back instanceof Bitstring && back.bits === 3 && back.bytes[0] === 0x20);
  assert.deepEqual(externalTermToJson(back), { $bitstring: true });
});

// ---------------------------------------------------------------- properties

const leaf: fc.Arbitrary<Term> = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => atom(s)),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map((n) => (n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(float),
  fc.uint8Array({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 10 }).map((s) => new TextEncoder().encode(s)),
);
const { term } = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("term"), { maxLength: 5 }),
    fc.array(tie("term"), { maxLength: 4 }).map((items) => tuple(...items)),
    fc.array(fc.tuple(tie("term"), tie("term")), { maxLength: 4 }).map((entries) => erlMap(entries)),
    fc.tuple(fc.array(tie("term"), { minLength: 1, maxLength: 3 }), leaf).map(([items, tail]) => improper(items, tail)),
  ),
}));

/** Structural view for comparing terms (a list of small integers decodes as a charlist). */
const view = (t: Term): unknown => externalTermToJson(t);

test("etf property: decode(encode(t)) is t", () => {
  fc.assert(
    fc.property(term, (t) => {
      assert.deepEqual(view(decodeExternalTerm(encodeExternalTerm(t))), view(t));
    }),
    { numRuns: 400 },
  );
});

test("etf property: any bytes decode or fail with ExternalTermError, never anything else", () => {
  fc.assert(
    fc.property(term, fc.nat(), fc.integer({ min: 0, max: 255 }), (t, at, byte) => {
      const bytes = encodeExternalTerm(t);
      const mutated = Uint8Array.from(bytes);
      mutated[at % mutated.length] = byte;
      for (const candidate of [mutated, bytes.subarray(0, at % bytes.length)]) {
        try {
          decodeExternalTerm(candidate);
        } catch (e) {
          if (!(e instanceof ExternalTermError)) throw e;
        }
      }
    }),
    { numRuns: 600 },
  );
});

test("etf: maps come out in Erlang key order whatever order they were built in", () => {
  const a = encodeExternalTerm(
    new ErlMap<Term>([
      [new TextEncoder().encode("b"), 2],
      [new TextEncoder().encode("a"), 1],
    ]),
  );
  assert.equal(base64(a), "g3QAAAACbQAAAAFhYQFtAAAAAWJhAg==");
});
