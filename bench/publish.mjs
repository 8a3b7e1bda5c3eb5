// `hexts publish package` of a generated 2,000-file (~60 MB) rebar3 project to the local Hex test server, against
// what it is made of, measured in the same run: `hexts build package` of the same project plus a raw upload of the
// built bytes (`curl --data-binary @file` to the same endpoint with the same key). Whole-process wall times
// (medians, alternating runs) and peak RSS (GNU time). Goals (issue 5): publish ≤ 1.2× (build + raw upload);
// peak RSS ≤ 2× the tarball + 60 MB. Figures, not asserts.
// Usage: node bench/publish.mjs [--keep]   (BENCH_RUNS=N timed runs, default 5; needs curl and /usr/bin/time)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMB, fmtMs, median, peakRss, report, startLocalHexServer } from "./lib.mjs";
import { generate, PROJECTS } from "./projects.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin", "hexts.js");

// ---- the project: bench/build.mjs's "2,000 files, ~60 MB", under its own app name ----

const PROJECT = { ...PROJECTS.find((x) => x.key === "files2000"), app: "benchpub" };


function run(cmd, args, { cwd, env }) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 16 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  return { ms, stdout: r.stdout };
}

export async function benchPublish() {
  const keep = process.argv.includes("--keep");
  const dir = join(tmpdir(), "hexts-bench-publish", "files2000");
  const { paths, total } = generate(dir, PROJECT);
  const files = paths.length;
  const out = mkdtempSync(join(tmpdir(), "hexts-bench-publish-out-"));
  const home = mkdtempSync(join(tmpdir(), "hexts-bench-publish-home-"));
  const server = await startLocalHexServer();
  try {
    const env = { PATH: process.env.PATH, HOME: home, HEX_HOME: join(home, "hex"), XDG_CONFIG_HOME: join(home, ".config"), HEX_API_URL: server.api, HEX_API_KEY: server.key };
    const tarball = join(out, "benchpub.tar");
    const build = [process.execPath, [bin, "build", "package", "-o", tarball]];
    const publish = [process.execPath, [bin, "publish", "package", "--yes", "--replace", "--no-progress"]];
    const upload = [
      "curl",
      ["--silent", "--show-error", "--fail", "--output", "/dev/null", "--data-binary", `@${tarball}`, "-H", "content-type: application/octet-stream", "-H", `authorization: ${server.key}`, "-H", "user-agent: bench-curl", "-H", "expect:", `${server.api}/packages/benchpub/releases?replace=true`],
    ];
    // warm-up: page cache, the first (creating) publish, and a check that each command works
    run(...build, { cwd: dir, env });
    run(...publish, { cwd: dir, env });
    run(...upload, { cwd: dir, env });
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    const t = { build: [], upload: [], publish: [] };
    for (let i = 0; i < runs; i++) {
      t.build.push(run(...build, { cwd: dir, env }).ms);
      t.upload.push(run(...upload, { cwd: dir, env }).ms);
      t.publish.push(run(...publish, { cwd: dir, env }).ms);
    }
    const size = statSync(tarball).size;
    const rssPublish = peakRss(...publish, { cwd: dir, env });
    const rssBuild = peakRss(...build, { cwd: dir, env });
    const b = median(t.build);
    const u = median(t.upload);
    const p = median(t.publish);
    const memGoal = 2 * size + 60 * 1048576;
    const result = { files, bytes: total, tarball: size, buildMs: b, uploadMs: u, publishMs: p, ratio: p / (b + u), rssPublish, rssBuild, memGoal };
    report(`hexts publish package: ${files} files (median of ${runs} runs, local Hex server)`, [
      ["project", `${files} files, ${fmtMB(total)} → tarball ${fmtMB(size)}`],
      ["hexts build package", fmtMs(b)],
      ["curl --data-binary @tarball (raw upload)", fmtMs(u)],
      ["build + raw upload", fmtMs(b + u)],
      ["hexts publish package", `${fmtMs(p)}  (${(p / (b + u)).toFixed(2)}x build + upload; goal ≤ 1.20x)`],
      ["peak RSS hexts build", fmtMB(rssBuild)],
      ["peak RSS hexts publish", `${fmtMB(rssPublish)}  (goal ≤ ${fmtMB(memGoal)}: 2× tarball + 60 MB)`],
      ["all runs (ms) build | upload | publish", `${t.build.map((x) => x.toFixed(0)).join(" ")} | ${t.upload.map((x) => x.toFixed(0)).join(" ")} | ${t.publish.map((x) => x.toFixed(0)).join(" ")}`],
    ]);
    return result;
  } finally {
    server.stop();
    rmSync(out, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    if (!keep) rmSync(join(tmpdir(), "hexts-bench-publish"), { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPublish();
