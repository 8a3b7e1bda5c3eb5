// `hexts publish package` of the generated 300-file and 2,000-file (~60 MB) rebar3 projects to the local Hex test
// server, against what it is made of, measured in the same run: `hexts build package` of the same project plus a raw
// upload of the built bytes (`curl --data-binary @file` to the same endpoint with the same key). Whole-process wall
// times (medians, alternating runs) and peak RSS (GNU time). Goals (issue 13): publish ≤ 1.1× (build + raw upload);
// peak RSS ≤ 75 MB (300 files; the official clients' 77-93 MB) and ≤ 2× the tarball + 60 MB (2,000 files).
// Figures, not asserts.
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

// ---- the projects: bench/build.mjs's, under their own app names ----

const PUBLISHED = [
  {
    ...PROJECTS.find((x) => x.key === "files300"),
    app: "benchpubm",
    memGoal: () => 75 * 1048576,
    memGoalText: "75 MB",
  },
  {
    ...PROJECTS.find((x) => x.key === "files2000"),
    app: "benchpub",
    memGoal: (size) => 2 * size + 60 * 1048576,
    memGoalText: "2× tarball + 60 MB",
  },
];

function run(cmd, args, { cwd, env }) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  return { ms, stdout: r.stdout };
}

export async function benchPublish() {
  const keep = process.argv.includes("--keep");
  const out = mkdtempSync(join(tmpdir(), "hexts-bench-publish-out-"));
  const home = mkdtempSync(join(tmpdir(), "hexts-bench-publish-home-"));
  const server = await startLocalHexServer();
  const results = {};
  try {
    for (const project of PUBLISHED) {
      const dir = join(tmpdir(), "hexts-bench-publish", project.key);
      const { paths, total } = generate(dir, project);
      const files = paths.length;
      const env = {
        PATH: process.env.PATH,
        HOME: home,
        HEX_HOME: join(home, "hex"),
        XDG_CONFIG_HOME: join(home, ".config"),
        HEX_API_URL: server.api,
        HEX_API_KEY: server.key,
      };
      const tarball = join(out, `${project.app}.tar`);
      const build = [process.execPath, [bin, "build", "package", "-o", tarball]];
      const publish = [process.execPath, [bin, "publish", "package", "--yes", "--replace", "--no-progress"]];
      const upload = [
        "curl",
        [
          "--silent",
          "--show-error",
          "--fail",
          "--output",
          "/dev/null",
          "--data-binary",
          `@${tarball}`,
          "-H",
          "content-type: application/octet-stream",
          "-H",
          `authorization: ${server.key}`,
          "-H",
          "user-agent: bench-curl",
          "-H",
          "expect:",
          `${server.api}/packages/${project.app}/releases?replace=true`,
        ],
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
      const memGoal = project.memGoal(size);
      results[project.key] = {
        files,
        bytes: total,
        tarball: size,
        buildMs: b,
        uploadMs: u,
        publishMs: p,
        ratio: p / (b + u),
        rssPublish,
        rssBuild,
        memGoal,
        memGoalText: project.memGoalText,
        runs,
      };
      report(`hexts publish package: ${files} files (median of ${runs} runs, local Hex server)`, [
        ["project", `${files} files, ${fmtMB(total)} → tarball ${fmtMB(size)}`],
        ["hexts build package", fmtMs(b)],
        ["curl --data-binary @tarball (raw upload)", fmtMs(u)],
        ["build + raw upload", fmtMs(b + u)],
        ["hexts publish package", `${fmtMs(p)}  (${(p / (b + u)).toFixed(2)}x build + upload; goal ≤ 1.10x)`],
        ["peak RSS hexts build", fmtMB(rssBuild)],
        ["peak RSS hexts publish", `${fmtMB(rssPublish)}  (goal ≤ ${fmtMB(memGoal)}: ${project.memGoalText})`],
        [
          "all runs (ms) build | upload | publish",
          [t.build, t.upload, t.publish].map((ms) => ms.map((x) => x.toFixed(0)).join(" ")).join(" | "),
        ],
      ]);
    }
    return results;
  } finally {
    server.stop();
    rmSync(out, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    if (!keep) rmSync(join(tmpdir(), "hexts-bench-publish"), { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPublish();
