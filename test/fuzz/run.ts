// Drives the fuzz targets in worker threads with a watchdog: an input still running after `hangMs` is a hang;
// the worker is stopped and a new one goes on after that input.
import { Worker } from "node:worker_threads";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preview } from "./targets.js";
import { inputAt, type Finding, type WorkerResult } from "./worker.js";

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** An input slower than this is reported (the figure: 2 s). */
  slowMs?: number;
  /** An input still running after this is stopped and reported as a hang. */
  hangMs?: number;
  /** What `slowMs` measures: wall-clock time (the default) or CPU time (steady on a busy machine). */
  clock?: "wall" | "cpu";
}

export interface FuzzReport {
  target: string;
  runs: number;
  seed: number;
  ms: number;
  untyped: Finding[];
  slow: Finding[];
  hangs: Finding[];
  maxWallMs: number;
  maxCpuMs: number;
}

/**
 * The progress value before the worker has started its first input (loading the readers can be slow on a busy
 * machine).
 */
const STARTING = -1;
const STARTUP_MS = 180_000;

const workerUrl = new URL("./worker.ts", import.meta.url).href;

function startWorker(data: Record<string, unknown>): Worker {
  // tsx is registered inside the worker: workers do not inherit the parent's --import hooks on Node 20.
  const source = `import { register } from "tsx/esm/api"; register(); await import(${JSON.stringify(workerUrl)});`;
  // A heap bound, so that an input exhausting memory is a finding (the worker dies) instead of the machine's problem.
  return new Worker(source, { eval: true, workerData: data, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
}

export async function fuzzTarget(target: string, opts: FuzzOptions): Promise<FuzzReport> {
  const slowMs = opts.slowMs ?? 2000;
  const hangMs = opts.hangMs ?? 20_000;
  const report: FuzzReport = {
    target,
    runs: opts.runs,
    seed: opts.seed,
    ms: 0,
    untyped: [],
    slow: [],
    hangs: [],
    maxWallMs: 0,
    maxCpuMs: 0,
  };
  const t0 = performance.now();
  let start = 0;
  while (start < opts.runs) {
    const progress = new SharedArrayBuffer(4);
    const at = new Int32Array(progress);
    Atomics.store(at, 0, STARTING); // the worker stores each input's index as it starts it
    const scratch = mkdtempSync(join(tmpdir(), `hexts-fuzz-${target}-`));
    const worker = startWorker({
      target,
      runs: opts.runs,
      seed: opts.seed,
      start,
      slowMs,
      clock: opts.clock ?? "wall",
      scratch,
      progress,
    });
    const outcome = await new Promise<{ result?: WorkerResult; hungAt?: number; error?: Error }>((resolve) => {
      let last = STARTING;
      let since = performance.now();
      const timer = setInterval(() => {
        const now = Atomics.load(at, 0);
        if (now !== last) {
          last = now;
          since = performance.now();
        } else if (performance.now() - since > (now === STARTING ? STARTUP_MS : hangMs)) {
          clearInterval(timer);
          void worker.terminate();
          resolve({ hungAt: now });
        }
      }, 100);
      worker.once("message", (result: WorkerResult) => {
        clearInterval(timer);
        void worker.terminate();
        resolve({ result });
      });
      worker.once("error", (error) => {
        clearInterval(timer);
        resolve({ error, hungAt: Atomics.load(at, 0) });
      });
    });
    if (outcome.result) {
      report.untyped.push(...outcome.result.untyped);
      report.slow.push(...outcome.result.slow);
      report.maxWallMs = Math.max(report.maxWallMs, outcome.result.maxWallMs);
      report.maxCpuMs = Math.max(report.maxCpuMs, outcome.result.maxCpuMs);
      break;
    }
    // A hang or a crash of the whole worker (stack or heap exhausted): name the input and go on after it.
    if (outcome.hungAt === STARTING)
      throw new Error(`the ${target} fuzz worker did not start within ${STARTUP_MS / 1000} s`);
    const index = outcome.hungAt!;
    const input = inputAt(target, opts.seed, index);
    if (outcome.error)
      report.untyped.push({ index, preview: preview(input), error: `worker died: ${outcome.error.message}` });
    else report.hangs.push({ index, preview: preview(input), ms: hangMs });
    start = index + 1;
  }
  report.ms = Math.round(performance.now() - t0);
  return report;
}

export const TARGET_NAMES = ["term", "rebar3", "mix", "tarball", "rebar-script", "app-script"] as const;
