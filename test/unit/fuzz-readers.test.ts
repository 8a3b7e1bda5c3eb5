// The readers under fuzzing (issue 11 §3): generated and mutated inputs for the term parser, the rebar3 reader,
// the mix.exs reader, the tarball reader and the rebar.config.script / .app.src.script evaluator. Every input must
// end in a value or a typed HextsError, within 2 s of CPU (CPU time, since the suite shares its machine); the script
// targets also check that nothing outside the project is read and no secret comes back. Long runs:
// `npm run fuzz -- --runs 10000`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TARGET_NAMES, fuzzTarget, type FuzzReport } from "../fuzz/run.js";

const runs = Number(process.env.HEXTS_FUZZ_RUNS ?? 1500);
/** The script targets write a project and evaluate a script per input (several times slower): a shorter smoke. */
const scriptRuns = Number(process.env.HEXTS_FUZZ_SCRIPT_RUNS ?? 300);
const runsOf = (name: string) => (name.endsWith("-script") ? scriptRuns : runs);
const seed = Number(process.env.HEXTS_FUZZ_SEED ?? 20261106);

const show = (r: FuzzReport, list: FuzzReport["untyped"]) =>
  list
    .slice(0, 5)
    .map((f) => {
      const error = f.error ? `\n  ${f.error}` : "";
      return `#${f.index} ${JSON.stringify(f.preview)}${error}${f.ms ? ` (${f.ms} ms, ${f.cpuMs} ms CPU)` : ""}`;
    })
    .join("\n") + `\nreplay: npm run fuzz -- --only ${r.target} --runs ${r.runs} --seed ${r.seed}`;

// All four at once, each in its own worker thread.
const reports = Promise.all(
  TARGET_NAMES.map((name) =>
    fuzzTarget(name, { runs: runsOf(name), seed, clock: "cpu", slowMs: 2000, hangMs: 60_000 }),
  ),
);

for (const [i, name] of TARGET_NAMES.entries()) {
  test(`fuzz ${name}: ${runsOf(name)} inputs end in a value or a typed error, none over 2 s`, async (t) => {
    const r = (await reports)[i]!;
    const untyped = r.untyped;
    t.diagnostic(`${name}: ${r.runs} inputs in ${r.ms} ms; slowest ${r.maxWallMs} ms wall, ${r.maxCpuMs} ms CPU`);
    assert.deepEqual(untyped, [], `untyped errors:\n${show(r, untyped)}`);
    assert.deepEqual(r.hangs, [], `hangs:\n${show(r, r.hangs)}`);
    assert.deepEqual(r.slow, [], `over 2 s of CPU:\n${show(r, r.slow)}`);
  });
}
