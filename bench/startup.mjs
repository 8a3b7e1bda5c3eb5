// Whole-process start-up: `hexts --version` and `hexts --help` against `node -e 0`, same machine, same run.
// Target (issue 2): at most 1.3x the floor. Figures, not asserts.
import { fileURLToPath } from "node:url";
import { median, timeCommand, fmtMs, report } from "./lib.mjs";

const bin = fileURLToPath(new URL("../bin/hexts.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);

export function benchStartup() {
  const floor = median(timeCommand(process.execPath, ["-e", "0"], { runs }));
  const rows = [["node -e 0 (floor)", fmtMs(floor)]];
  const results = {};
  for (const args of [["--version"], ["--help"]]) {
    const t = median(timeCommand(process.execPath, [bin, ...args], { runs }));
    results[args.join(" ")] = { ms: t, ratio: t / floor };
    rows.push([`hexts ${args.join(" ")}`, `${fmtMs(t)}  (${(t / floor).toFixed(2)}x floor)`]);
  }
  report(`start-up (median of ${runs} runs)`, rows);
  return { floorMs: floor, ...results };
}

if (import.meta.url === `file://${process.argv[1]}`) benchStartup();
