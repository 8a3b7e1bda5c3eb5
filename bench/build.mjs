// `hexts build package` on generated rebar3 projects (small, 300 files, 2,000 files / ~60 MB) against the floor
// `tar -cf - FILES | gzip -6` of the same files: whole-process wall time (medians, alternating runs) and peak RSS
// (GNU time). Goals (issue 4): time ≤ 1.5× the floor; peak RSS ≤ 2× the tarball + 60 MB. Figures, not asserts.
// Usage: node bench/build.mjs [--keep]   (BENCH_RUNS=N for the number of timed runs)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMB, fmtMs, median, peakRss, report } from "./lib.mjs";
import { generate, PROJECTS } from "./projects.mjs";

const bin = fileURLToPath(new URL("../bin/hexts.js", import.meta.url));

function run(cmd, args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * The official clients on the same project, when installed: `rebar3 hex build` needs the rebar3_hex plugin
 * (global rebar3 config), `mix hex.build` needs Hex and a mix.exs project (these projects are rebar3 ones).
 * Each gives `{ ms, ratio? }` (median wall time) or `{ absent: reason }`.
 */
export function officialClients() {
  const probe = (cmd, args) =>
    spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000, env: { ...process.env, MIX_ENV: "prod" } });
  const rebar = probe("rebar3", ["help", "hex"]);
  const mix = probe("mix", ["help", "hex.build"]);
  return {
    rebar3: rebar.error
      ? "not installed"
      : rebar.status === 0 && /hex/.test(rebar.stdout) && !/not found|Unknown/i.test(rebar.stdout + rebar.stderr)
        ? "installed"
        : "not installed (no rebar3_hex plugin)",
    mix: mix.error ? "not installed" : mix.status === 0 ? "installed" : "not installed (no Hex archive)",
  };
}

const official = officialClients();

function officialBuilds(dir, out, runs) {
  const result = {};
  if (official.rebar3 === "installed") {
    const cmd = ["rebar3", ["hex", "build", "--output", join(out, "rebar3")]];
    try {
      run(...cmd, dir);
      result.rebar3 = {
        ms: median(Array.from({ length: runs }, () => run(...cmd, dir))),
        rss: peakRss(...cmd, { cwd: dir }),
      };
    } catch (e) {
      result.rebar3 = { absent: `failed: ${String(e.message).split("\n")[0]}` };
    }
  } else result.rebar3 = { absent: official.rebar3 };
  result.mix = { absent: official.mix === "installed" ? "n/a (rebar3 project)" : official.mix };
  return result;
}

export function benchBuild() {
  const keep = process.argv.includes("--keep");
  const work = join(tmpdir(), "hexts-bench-build");
  const out = mkdtempSync(join(tmpdir(), "hexts-bench-out-"));
  const results = {};
  // Process start-up is part of every hexts run and of none of the floor's: shown for the small projects.
  const startup = median(Array.from({ length: 5 }, () => run(process.execPath, [bin, "--version"])));
  results.startupMs = startup;
  try {
    for (const p of PROJECTS) {
      const dir = join(work, p.key);
      const { paths, total } = generate(dir, p);
      const runs = Number(process.env.BENCH_RUNS ?? (p.files >= 2000 ? 5 : 9));
      const hexts = [process.execPath, [bin, "build", "package", "-o", join(out, "pkg.tar")]];
      const floor = [
        "sh",
        ["-c", `tar --no-recursion -cf - -T .files | gzip -6 > ${JSON.stringify(join(out, "floor.tar.gz"))}`],
      ];
      // warm the page cache and check both work, then alternate timed runs
      run(...hexts, dir);
      run(...floor, dir);
      const times = { hexts: [], floor: [] };
      for (let i = 0; i < runs; i++) {
        times.hexts.push(run(...hexts, dir));
        times.floor.push(run(...floor, dir));
      }
      const tarball = statSync(join(out, "pkg.tar")).size;
      const rssHexts = peakRss(...hexts, { cwd: dir });
      const rssFloor = peakRss(...floor, { cwd: dir });
      const h = median(times.hexts);
      const f = median(times.floor);
      const official = officialBuilds(dir, out, runs);
      const memGoal = 2 * tarball + 60 * 1048576;
      const goal = p.files >= 2000 ? "1.20" : p.files >= 300 ? "2.00" : "—";
      results[p.key] = {
        files: paths.length,
        bytes: total,
        tarball,
        hextsMs: h,
        floorMs: f,
        ratio: h / f,
        rssHexts,
        rssFloor,
        memGoal,
        runs,
        official,
      };
      report(`hexts build package: ${p.name} (median of ${runs} runs)`, [
        ["project", `${paths.length} files, ${fmtMB(total)} → tarball ${fmtMB(tarball)}`],
        ["tar -cf - FILES | gzip -6 (floor)", fmtMs(f)],
        ["hexts build package", `${fmtMs(h)}  (${(h / f).toFixed(2)}x floor; goal ≤ ${goal}x)`],
        ["  of which hexts --version (start-up)", fmtMs(startup)],
        ["peak RSS floor", fmtMB(rssFloor)],
        ["peak RSS hexts", `${fmtMB(rssHexts)}  (goal ≤ ${fmtMB(memGoal)}: 2× tarball + 60 MB)`],
      ]);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) benchBuild();
