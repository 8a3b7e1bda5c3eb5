// The real Erlang VM as the judge of our external term format encoder: it decodes hexts's bytes
// with binary_to_term/1 and compares them with the term the vector's Erlang source evaluates to,
// and it re-encodes generated terms so that our bytes can be compared with term_to_binary/1's.
// Runs when `escript` (Debian's erlang-base) is on PATH; skips loudly otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { decodeExternalTerm, encodeExternalTerm } from "../../src/erlang/etf.js";
import { atom, erlMap, float, improper, tuple, type Term } from "../../src/erlang/terms.js";
import { toolsSkip } from "../support/erlang.js";
import { readVectorJson, vectorsSkip } from "../support/vectors.js";

const erlSkip = toolsSkip("escript");
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

// Each line of the cases file is an Erlang term; the escript prints one verdict line per case.
const ESCRIPT = `%% -*- coding: utf-8 -*-
-mode(compile).
main([File]) ->
    {ok, Cases} = file:consult(File),
    lists:foreach(fun check/1, Cases).

check({expect, Id, Ours, Source}) ->
    {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(base64:decode(Source)) ++ "."),
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    {value, Expected, _} = erl_eval:exprs(Exprs, []),
    Verdict = case catch binary_to_term(base64:decode(Ours)) of
        Expected -> "equal";
        {'EXIT', _} -> "refused";
        _ -> "differ"
    end,
    io:format("~s ~s~n", [Id, Verdict]);
check({reencode, Id, Ours}) ->
    case catch binary_to_term(base64:decode(Ours)) of
        {'EXIT', _} -> io:format("~s refused~n", [Id]);
        Term -> io:format("~s ~s~n", [Id, base64:encode(term_to_binary(Term))])
    end.
`;

/** Runs the escript over the cases and returns id -> verdict. */
function askErlang(cases: string[]): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "hexts-etf-erl-"));
  try {
    writeFileSync(join(dir, "check.escript"), ESCRIPT);
    writeFileSync(join(dir, "cases.txt"), cases.join("\n") + "\n");
    const r = spawnSync("escript", [join(dir, "check.escript"), join(dir, "cases.txt")], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `escript failed: ${r.stderr}${r.stdout}`);
    return new Map(
      r.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(" ", 2) as [string, string]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bin = (s: string) => `<<"${s}">>`;

test(
  "erl: binary_to_term decodes hexts's encoding of every vector to the term its Erlang source means",
  { skip: erlSkip || vectorsSkip },
  () => {
    const vectors = readVectorJson<{ encode: { id: string; erlang: string; etf_base64: string }[] }>("etf", "etf.json");
    const cases = vectors.encode.map((c) => {
      const ours = encodeExternalTerm(decodeExternalTerm(b64(c.etf_base64)));
      return `{expect, ${bin(c.id)}, ${bin(base64(ours))}, ${bin(Buffer.from(c.erlang).toString("base64"))}}.`;
    });
    const verdicts = askErlang(cases);
    for (const c of vectors.encode) assert.equal(verdicts.get(c.id), "equal", c.id);
  },
);

// Terms like Hex replies: maps of at most 32 keys (the VM writes bigger ones in hash order).
const leaf: fc.Arbitrary<Term> = fc.oneof(
  fc.constantFrom("true", "false", "nil", "ok", "error", "café", "ünï_€").map((s) => atom(s)),
  fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
  fc
    .bigInt({ min: -(2n ** 2200n), max: 2n ** 2200n })
    .map((n) => (n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(float),
  fc.uint8Array({ maxLength: 24 }),
  fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => new TextEncoder().encode(s)),
);
const { term } = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("term"), { maxLength: 5 }),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
    fc.array(tie("term"), { maxLength: 4 }).map((items) => tuple(...items)),
    fc.array(fc.tuple(tie("term"), tie("term")), { maxLength: 5 }).map((entries) => erlMap(entries)),
    fc.tuple(fc.array(tie("term"), { minLength: 1, maxLength: 3 }), leaf).map(([items, tail]) => improper(items, tail)),
  ),
}));

test(
  "erl: for generated terms, our bytes are exactly what term_to_binary writes for the term Erlang decodes",
  { skip: erlSkip },
  () => {
    const samples = fc.sample(term, { numRuns: 300, seed: 4242 });
    const ours = samples.map((t) => base64(encodeExternalTerm(t)));
    const verdicts = askErlang(ours.map((b, i) => `{reencode, <<"t${i}">>, ${bin(b)}}.`));
    ours.forEach((b, i) => assert.equal(verdicts.get(`t${i}`), b, `t${i}`));
  },
);
