// metadata.config against hex_core 0.19's own bytes and verdicts (vectors/metadata_terms,
// vectors/tarballs, vectors/tarballs_negative).
//
// Quirks (vectors/README.md §7), all recorded as hex_core behaves:
// - floats: hex_core writes them ([1.5,0.1,1.0e10,100.0]) but its lexer has no float token, so
//   reading them back is invalid_terms. We write them the same way and give the same verdict.
// - maps with more than 32 keys: hex_core writes them in the VM's internal hash order, which
//   cannot be reproduced; hexts writes them sorted, so only that case differs in byte order.
// - trailing backslash: a string ending in "\" is written correctly as <<"...\\">>, but the
//   lexer's longest match then runs to the end of the file; hex_core cannot read its own output
//   (invalid_terms, or "illegal atom ..." when more terms follow). We reproduce both verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HextsError } from "../../src/errors.js";
import { MetadataConfigError, decodeMetadataConfig, encodeMetadataConfig } from "../../src/erlang/metadata-config.js";
import { Atom, ErlMap, Tuple, type MetaObject, type MetaValue } from "../../src/erlang/terms.js";
import { fromVectorJson, toVectorJson } from "../../src/erlang/vector-json.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

const skip = vectorsSkip;
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const encode = (json: unknown) => encodeMetadataConfig(fromVectorJson(json) as MetaObject);

/** Runs decode and returns what the vectors record: {result: ok, metadata} or {result: error, erlang}. */
function decodeAsVector(bytes: Uint8Array, fields?: string[]): { result: string; metadata?: unknown; erlang?: string } {
  try {
    return { result: "ok", metadata: toVectorJson(decodeMetadataConfig(bytes, { fields })) };
  } catch (e) {
    if (e instanceof MetadataConfigError) return { result: "error", erlang: `{error,${e.erlang}}` };
    throw e;
  }
}

function expectVerdict(
  got: ReturnType<typeof decodeAsVector>,
  expected: { result: string; metadata?: unknown; erlang?: string },
  id: string,
) {
  if (expected.result === "ok") assert.deepEqual(got, { result: "ok", metadata: expected.metadata }, id);
  else assert.deepEqual(got, { result: "error", erlang: expected.erlang }, id);
}

interface EncodeCase {
  id: string;
  quirk: boolean;
  metadata: unknown;
  create: "ok" | "exception";
  metadata_config: string | null;
  metadata_config_base64: string;
  roundtrip: { result: string; metadata?: unknown; erlang?: string };
}

test("encode.json: every case is written byte for byte as hex_core writes it", { skip }, () => {
  const cases = readVectorJson<{ cases: EncodeCase[] }>("metadata_terms", "encode.json").cases;
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    if (c.create === "exception") {
      assert.throws(
        () => encode(c.metadata),
        (e: unknown) => e instanceof HextsError && e.code === "PACKAGE_INVALID",
        c.id,
      );
      continue;
    }
    const out = encode(c.metadata);
    if (c.id === "map_more_than_32_keys") {
      // Same lines, sorted instead of hash order (see the quirks above).
      const lines = (s: string) =>
        s
          .split("\n")
          .map((l) => l.replace(/^ +\[?/, "").replace(/[\]}.,]+$/, ""))
          .sort();
      assert.deepEqual(lines(text(out)), lines(c.metadata_config!), c.id);
      assert.notEqual(Buffer.from(out).toString("base64"), c.metadata_config_base64, "hash order is not reproduced");
      continue;
    }
    assert.equal(Buffer.from(out).toString("base64"), c.metadata_config_base64, `${c.id}:\n${text(out)}`);
  }
});

test("encode.json: reading each written file gives hex_core's unpack result (round trip)", { skip }, () => {
  for (const c of readVectorJson<{ cases: EncodeCase[] }>("metadata_terms", "encode.json").cases) {
    if (c.create !== "ok") continue;
    expectVerdict(decodeAsVector(b64(c.metadata_config_base64)), c.roundtrip, c.id);
  }
});

test("decode.json: every case gives hex_core's metadata or its error", { skip }, () => {
  const cases = readVectorJson<{
    cases: {
      id: string;
      metadata_config_base64: string;
      config_overrides: { metadata_fields?: string[] };
      result: { result: string; metadata?: unknown; erlang?: string };
    }[];
  }>("metadata_terms", "decode.json").cases;
  assert.ok(cases.length >= 30);
  for (const c of cases) {
    expectVerdict(decodeAsVector(b64(c.metadata_config_base64), c.config_overrides.metadata_fields), c.result, c.id);
  }
});

test(
  "tarballs: the 14 metadata.config files are reproduced from input.json and read back as unpack does",
  { skip },
  () => {
    const cases = readVectorJson<{ cases: { id: string; dir: string }[] }>("tarballs", "index.json").cases;
    assert.equal(cases.length, 14);
    for (const c of cases) {
      const input = readVectorJson<{ metadata: unknown }>("tarballs", c.dir, "input.json");
      const expected = new Uint8Array(readFileSync(vectorPath("tarballs", c.dir, "metadata.config")));
      assert.deepEqual(encode(input.metadata), expected, c.id);
      const unpacked = readVectorJson<{ unpack_memory: { metadata: unknown } }>(
        "tarballs",
        c.dir,
        "expected.json",
      ).unpack_memory;
      assert.deepEqual(toVectorJson(decodeMetadataConfig(expected)), unpacked.metadata, c.id);
    }
  },
);

test("tarballs_negative: metadata.config inside rejected tarballs gets hex_core's verdict", { skip }, () => {
  const ids = [
    "metadata_empty",
    "metadata_illegal_atom",
    "metadata_not_key_value",
    "metadata_syntax_error",
    "metadata_trailing_backslash",
  ];
  for (const id of ids) {
    const expected = readVectorJson<{ unpack_none: { erlang: string; reason_tag: string } }>(
      "tarballs_negative",
      `${id}.json`,
    ).unpack_none;
    const entries = tarEntries(readFileSync(vectorPath("tarballs_negative", `${id}.tar`)));
    const metadata = entries.get("metadata.config");
    assert.ok(metadata, id);
    assert.throws(
      () => decodeMetadataConfig(metadata),
      (e: unknown) =>
        e instanceof MetadataConfigError &&
        `{error,${e.erlang}}` === expected.erlang &&
        e.reasonTag === expected.reason_tag,
      id,
    );
  }
});

// Cases beyond the vectors, one line each: metadata.config text -> vector JSON or hex_core error term.
const decodeTable: [string, string, unknown][] = [
  ["binary with octal, control and space escapes", '{<<"k">>,<<"\\101\\^a\\s">>}.', { k: "A\u0001 " }],
  ["backslash before newline drops both", '{<<"k">>,<<"a\\\nb">>}.', { k: "ab" }],
  ["utf16 and utf32 segments", '{<<"k">>,<<"é"/utf16,"a"/utf32-little>>}.', { k: { $binary_base64: "AOlhAAAA" } }],
  ["nested binary with /binary", '{<<"k">>,<<<<"a">>/binary,98>>}.', { k: "ab" }],
  ["integer segments are truncated to a byte", '{<<"k">>,<<256,-1,+65>>}.', { k: { $binary_base64: "AP9B" } }],
  ["adjacent strings concatenate", '{<<"k">>,"ab" "c"}.', { k: [97, 98, 99] }],
  ["quoted atom escapes", "{<<\"k\">>,'\\164rue'}.", { k: true }],
  ["empty tuple value", '{<<"k">>,{}}.', { k: { $tuple: [] } }],
  ["links that are not pairs stay a list", '{<<"links">>,[1]}.', { links: [1] }],
  [
    "build_tools that is not a list is guessed again",
    '{<<"build_tools">>,<<"x">>}.{<<"files">>,[<<"mix.exs">>]}.',
    { build_tools: ["mix"], files: ["mix.exs"] },
  ],
  ["a form that is only a dot", ".", "{metadata,invalid_terms}"],
  ["two expressions in one form", '{<<"k">>,1},{<<"j">>,2}.', "{metadata,invalid_terms}"],
  ["double minus", '{<<"k">>,- -1}.', "{metadata,invalid_terms}"],
  ["a record", '{<<"k">>,#ok{}}.', "{metadata,invalid_terms}"],
  ["a /binary string segment", '{<<"k">>,<<"a"/binary>>}.', "{metadata,invalid_terms}"],
  ["unknown segment type", '{<<"k">>,<<1/ok>>}.', "{metadata,invalid_terms}"],
  ["no hex escapes: \\x is x", '{<<"k">>,<<"\\x{41}">>}.', { k: "x{41}" }],
  ["an illegal character", '{<<"k">>,1}.\n{<<"j">>,@}.', '{metadata,{illegal,"@"}}'],
  ["a lone = is illegal", '{<<"k">>,1 = 2}.', '{metadata,{illegal,"= "}}'],
  [
    "an earlier parse error wins over a later illegal atom",
    '{<<"k">>,1.5}.\n{<<"j">>,zzz_unknown}.',
    "{metadata,invalid_terms}",
  ],
  [
    "a later form's illegal atom wins over not_key_value",
    '[1].\n{<<"j">>,zzz_unknown}.',
    '{metadata,{user,"illegal atom zzz_unknown"}}',
  ],
  ["an atom at the very end is a truncated form", '{<<"k">>,1}.\nok', "{metadata,invalid_terms}"],
  [
    "keys are compared as terms: last wins",
    '{<<"k">>,1}.\n{<<"k">>,2}.\n{ok,3}.',
    {
      $map: [
        [{ $atom: "ok" }, 3],
        ["k", 2],
      ],
    },
  ],
];

test("decode: more cases, checked against hex_core's rules", () => {
  for (const [name, source, expected] of decodeTable) {
    const got = decodeAsVector(new TextEncoder().encode(source));
    if (typeof expected === "string") assert.deepEqual(got, { result: "error", erlang: `{error,${expected}}` }, name);
    else assert.deepEqual(got, { result: "ok", metadata: expected }, name);
  }
});

test("decode: the Latin-1 restart happens only when lexing reaches the bad 4096-byte chunk", () => {
  // An error in the first chunk is reported as read in UTF-8 (é, not Ã©), though a later chunk is not UTF-8.
  const early = Buffer.concat([
    Buffer.from("{<<\"k\">>,'é'}.\n", "utf8"),
    Buffer.alloc(5000, 0x20),
    Buffer.from([0xe9, 0x0a]),
  ]);
  assert.throws(
    () => decodeMetadataConfig(early),
    (e: unknown) => e instanceof MetadataConfigError && e.erlang === '{metadata,{user,"illegal atom é"}}',
  );
  // A valid first form is not enough: reaching the bad chunk restarts everything in Latin-1.
  const late = Buffer.concat([
    Buffer.from('{<<"k">>,<<"é"/utf8>>}.\n', "utf8"),
    Buffer.alloc(5000, 0x20),
    Buffer.from('{<<"j">>,<<"\xe9">>}.\n', "latin1"),
  ]);
  assert.deepEqual(toVectorJson(decodeMetadataConfig(late)), { k: "Ã©", j: { $binary_base64: "6Q==" } });
  // An incomplete UTF-8 sequence at the very end also means Latin-1.
  const tail = Buffer.concat([Buffer.from('{<<"k">>,<<"é">>}.', "utf8"), Buffer.from([0xc3])]);
  assert.throws(
    () => decodeMetadataConfig(tail),
    (e: unknown) => e instanceof MetadataConfigError && e.erlang === '{metadata,{illegal,"Ã"}}',
  );
});

test('decode: metadata_fields keeps only the wanted keys and insists on {<<"key">>, ...} forms', () => {
  const src = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(toVectorJson(decodeMetadataConfig(src('{<<"a">>,1}.{<<"b">>,[{ok}]}.'), { fields: ["a"] })), {
    a: 1,
  });
  // Skipped forms are still lexed: an unknown atom there is an error.
  assert.throws(
    () => decodeMetadataConfig(src('{<<"a">>,1}.{<<"b">>,[{x}]}.'), { fields: ["a"] }),
    (e: unknown) => e instanceof MetadataConfigError && e.reason === "user",
  );
  assert.deepEqual(toVectorJson(decodeMetadataConfig(src('{<<"b">>,2}.'), { fields: ["a"] })), {});
  assert.throws(
    () => decodeMetadataConfig(src("{ok,2}."), { fields: ["a"] }),
    (e: unknown) => e instanceof MetadataConfigError && e.reason === "not_key_value",
  );
  assert.throws(
    () => decodeMetadataConfig(src('{<<"b">>,{2}.'), { fields: ["a"] }),
    (e: unknown) => e instanceof MetadataConfigError && e.reason === "invalid_terms",
  );
  assert.throws(
    () => decodeMetadataConfig(src(""), { fields: ["a"] }),
    (e: unknown) => e instanceof MetadataConfigError && e.reason === "invalid_terms",
  );
});

test("decode: known atoms can be widened for a VM that knows more", () => {
  const bytes = new TextEncoder().encode('{<<"k">>,rebar3}.');
  assert.throws(
    () => decodeMetadataConfig(bytes),
    (e: unknown) => e instanceof MetadataConfigError && e.reason === "user",
  );
  const known = new Set(["rebar3"]);
  assert.deepEqual(toVectorJson(decodeMetadataConfig(bytes, { knownAtoms: known })), { k: { $atom: "rebar3" } });
});

test("decode: hex_core crashes become typed errors", () => {
  for (const source of [
    '{<<"requirements">>,[[{<<"app">>,<<"x">>}]]}.',
    '{<<"files">>,[x]}.'.replace("x", "true"),
    '{<<"k">>,<<"a\\">>}.',
  ]) {
    assert.throws(
      () => decodeMetadataConfig(new TextEncoder().encode(source)),
      (e: unknown) => e instanceof MetadataConfigError && e.code === "TARBALL_INVALID",
      source,
    );
  }
});

test("encode: plain JSON-like input and explicit terms", () => {
  const metadata = {
    name: "pkg",
    version: "1.0.0",
    requirements: { dep: { app: "dep", optional: false, requirement: "~> 1.0" } },
    extra: { nested: { a: [1, 2] }, atom: new Atom("nil"), pair: new Tuple(["x", 1.5]) },
    big: 2n ** 70n,
  };
  assert.equal(
    text(encodeMetadataConfig(metadata)),
    '{<<"big">>,1180591620717411303424}.\n' +
      '{<<"extra">>,\n [{<<"atom">>,<<"nil">>},\n' +
      '  {<<"nested">>,[{<<"a">>,[1,2]}]},\n  {<<"pair">>,{<<"x">>,1.5}}]}.\n' +
      '{<<"name">>,<<"pkg">>}.\n' +
      '{<<"requirements">>,\n [{<<"dep">>,\n   [{<<"app">>,<<"dep">>},\n' +
      '    {<<"optional">>,false},\n    {<<"requirement">>,<<"~> 1.0">>}]}]}.\n' +
      '{<<"version">>,<<"1.0.0">>}.\n',
  );
  // An ErlMap with atom keys: atoms sort before binaries and are written as binaries.
  assert.equal(
    text(
      encodeMetadataConfig(
        new ErlMap<MetaValue>([
          [new Atom("z"), 1],
          ["a", 2],
        ]),
      ),
    ),
    '{<<"z">>,1}.\n{<<"a">>,2}.\n',
  );
});

/** Members of an uncompressed ustar archive by name (enough for the vectors' outer tars). */
function tarEntries(tar: Buffer): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.toString("utf8", start, start + len).replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const name = field(345, 155) ? `${field(345, 155)}/${field(0, 100)}` : field(0, 100);
    out.set(name, new Uint8Array(tar.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
