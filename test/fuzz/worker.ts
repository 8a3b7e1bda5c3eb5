// Runs one fuzz target inside a worker thread, so the parent can stop it if an input hangs. Protocol: workerData
// { target, runs, seed, start, slowMs, scratch }; `progress[0]` holds the index being run; the result is posted once.
import fc from "fast-check";
import { parentPort, workerData } from "node:worker_threads";
import { readFileSync, rmSync } from "node:fs";
import { preview, targets, type Input } from "./targets.js";

/**
 * CPU milliseconds this thread has used. process.cpuUsage() inside a worker counts the whole process (every other
 * worker, the test runner, GC helper threads); on Linux the thread's own utime + stime (10 ms ticks) is readable.
 */
function threadCpuMs(): number {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is stat field 3 (state)
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 1/100 s
  } catch {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1000;
  }
}

export interface Finding {
  index: number;
  preview: string;
  error?: string;
  ms?: number;
  cpuMs?: number;
}

export interface WorkerResult {
  done: number;
  untyped: Finding[];
  slow: Finding[];
  /** The slowest input, in wall-clock and in CPU milliseconds (CPU time does not grow on a busy machine). */
  maxWallMs: number;
  maxCpuMs: number;
}

const BATCH = 100;

/**
 * The inputs of a run, made a batch at a time (seed + batch number), so that memory stays small and input `i`
 * is the same whatever the run's length (a hang can be shown afterwards, a finding replayed).
 */
export function* inputsFor(targetName: string, runs: number, seed: number, start = 0): Generator<[number, Input]> {
  const target = targets().find((t) => t.name === targetName);
  if (!target) throw new Error(`no fuzz target ${targetName}`);
  const arbitrary = target.arbitrary();
  for (let batch = Math.floor(start / BATCH); batch * BATCH < runs; batch++) {
    const inputs = fc.sample(arbitrary, { numRuns: BATCH, seed: (seed + batch) | 0 });
    for (let k = 0; k < BATCH; k++) {
      const index = batch * BATCH + k;
      if (index >= start && index < runs) yield [index, inputs[k]!];
    }
  }
}

export function inputAt(targetName: string, seed: number, index: number): Input {
  for (const [, input] of inputsFor(targetName, index + 1, seed, index)) return input;
  throw new Error("no such input");
}

async function main(): Promise<void> {
  const {
    target: name,
    runs,
    seed,
    start,
    slowMs,
    clock,
    scratch,
    progress,
  } = workerData as {
    clock: "wall" | "cpu";
    target: string;
    runs: number;
    seed: number;
    start: number;
    slowMs: number;
    scratch: string;
    progress: SharedArrayBuffer;
  };
  const at = new Int32Array(progress);
  const target = targets().find((t) => t.name === name)!;
  const result: WorkerResult = { done: 0, untyped: [], slow: [], maxWallMs: 0, maxCpuMs: 0 };
  for (const [i, input] of inputsFor(name, runs, seed, start)) {
    Atomics.store(at, 0, i);
    const t0 = performance.now();
    const cpu0 = threadCpuMs();
    try {
      await target.run(input, scratch);
    } catch (e) {
      const error =
        e instanceof Error
          ? `${e.name}: ${e.message.slice(0, 300)}\n${(e.stack ?? "").split("\n").slice(1, 4).join("\n")}`
          : String(e);
      result.untyped.push({ index: i, preview: preview(input), error });
    }
    const ms = performance.now() - t0;
    const cpuMs = threadCpuMs() - cpu0;
    result.maxWallMs = Math.max(result.maxWallMs, Math.round(ms));
    result.maxCpuMs = Math.max(result.maxCpuMs, Math.round(cpuMs));
    // `clock: "cpu"` judges by CPU time, for a suite run on a shared, busy machine.
    if ((clock === "cpu" ? cpuMs : ms) > slowMs)
      result.slow.push({ index: i, preview: preview(input), ms: Math.round(ms), cpuMs: Math.round(cpuMs) });
    result.done++;
  }
  rmSync(scratch, { recursive: true, force: true });
  parentPort!.postMessage(result);
}

if (parentPort) await main();
