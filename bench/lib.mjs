// Small timing helpers shared by the benchmarks: whole-process wall time and peak RSS, medians, ratios.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command `runs` times (after `warmup` untimed runs); returns wall times in ms. */
export function timeCommand(cmd, args, { runs = 15, warmup = 2, env = process.env, cwd, input } = {}) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, {
      env,
      cwd,
      input,
      stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    if (i >= warmup) times.push(ms);
  }
  return times;
}

/** Peak RSS in bytes of one run, measured with GNU time when available (else undefined). */
export function peakRss(cmd, args, { env = process.env, cwd } = {}) {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { env, cwd, encoding: "utf8" });
  if (r.error || r.status !== 0) return undefined;
  const kb = Number(r.stderr.trim().split("\n").pop());
  return Number.isFinite(kb) ? kb * 1024 : undefined;
}

export const fmtMs = (ms) => `${ms.toFixed(1)} ms`;
export const fmtMB = (b) => (b === undefined ? "n/a" : `${(b / 1048576).toFixed(1)} MB`);

export function report(title, rows) {
  if (process.env.BENCH_QUIET) return; // bench/run.mjs prints one summary table instead
  console.log(`\n## ${title}`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(44)} ${value}`);
}

/** Starts `npm run hex-server` (seeded) in its own process; resolves with its API URL, seeded user and API key. */
export async function startLocalHexServer() {
  const repo = fileURLToPath(new URL("..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/hex-server/main.ts", "--port", "0"], {
    cwd: repo,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const info = await new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      const api = /API URL:\s+(\S+)/.exec(out)?.[1];
      const key = /API key:\s+(\S+)/.exec(out)?.[1];
      const user = /User:\s+(\S+)/.exec(out)?.[1];
      if (api && key && user) resolve({ api, key, user });
    });
    child.on("exit", (code) => reject(new Error(`hex-server exited ${code}: ${out}`)));
  });
  return { ...info, stop: () => child.kill("SIGTERM") };
}
