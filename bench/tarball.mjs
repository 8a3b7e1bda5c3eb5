// Streaming package build vs. the floor `tar -cf - FILES | gzip -6` on the same generated project:
// 2,000 files, ~60 MB (source-like text plus some incompressible binaries). Whole-process wall time and
// peak RSS (GNU time), medians of N runs, alternating. Goals: time ≤ 1.5× the floor; peak RSS ≤ 2× the
// tarball + 60 MB. Usage: node bench/tarball.mjs [--runs N] [--keep]
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const FILES = 2000;

/** Deterministic bytes: a SHA-256 counter stream. */
function noise(size, seed) {
  const out = Buffer.alloc(size);
  for (let i = 0, at = 0; at < size; i++) at += createHash("sha256").update(`${seed}:${i}`).digest().copy(out, at);
  return out;
}

const WORDS = (
  "def end do fn case when module import alias require use struct map list binary integer atom tuple pipe with " +
  "else cond receive send spawn"
).split(" ");
const rnd0 = noise(4096, "templates");
/** 256 template lines; files repeat them with small changes, which compresses about like real code (~4-5x). */
const TEMPLATES = Array.from({ length: 256 }, (_, i) => {
  const n = 3 + (rnd0[i] % 6);
  const words = Array.from({ length: n }, (_, j) => WORDS[rnd0[(i * 13 + j) % rnd0.length] % WORDS.length]);
  return `${"  ".repeat(rnd0[i + 300] % 4)}${words.join(" ")}(`;
});

/** Source-like text: deterministic lines from the templates with varying arguments. */
function text(size, seed) {
  const rnd = noise(Math.ceil(size / 8) + 64, seed);
  let s = "";
  for (let i = 0; s.length < size; i++)
    s += `${TEMPLATES[rnd[i % rnd.length]]}arg${rnd[(i + 1) % rnd.length] % 16}, ${i % 100})\n`;
  return Buffer.from(s.slice(0, size));
}

/** ~60 MB in 2,000 files: 1,860 text files (~24 KB), 100 binaries (~40 KB), 40 larger text files (~200 KB). */
function generate(dir) {
  const marker = join(dir, ".complete");
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  const paths = [];
  let total = 0;
  for (let i = 0; i < FILES; i++) {
    const kind = i % 50 === 0 ? "large" : i % 20 === 1 ? "bin" : "src";
    const size =
      kind === "large"
        ? 150_000 + ((i * 7919) % 100_000)
        : kind === "bin"
          ? 20_000 + ((i * 104729) % 40_000)
          : 10_000 + ((i * 31337) % 32_000);
    const path = `${kind === "bin" ? "priv/data" : "lib"}/m${i % 40}/f${i}.${kind === "bin" ? "bin" : "ex"}`;
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), kind === "bin" ? noise(size, `b${i}`) : text(size, `t${i}`));
    paths.push(path);
    total += size;
  }
  paths.sort();
  const info = { paths, total };
  writeFileSync(join(dir, "files.txt"), paths.join("\n") + "\n");
  writeFileSync(marker, JSON.stringify(info));
  return info;
}

/** A small program that builds the tarball with hexts' streaming builder (bundled, no tsx at run time). */
async function bundleRunner(outDir) {
  const entry = join(outDir, "runner-entry.mjs");
  writeFileSync(
    entry,
    `import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildPackageTarball } from ${JSON.stringify(join(repo, "src/package/tarball.ts"))};
const dir = process.argv[2];
const paths = readFileSync(join(dir, "files.txt"), "utf8").split("\\n").filter(Boolean);
const files = paths.map((path) => {
  const diskPath = join(dir, path);
  const st = lstatSync(diskPath);
  return { path, kind: "file", diskPath, mode: st.mode, size: st.size };
});
const metadata = new TextEncoder().encode('{<<"name">>,<<"bench">>}.\\n{<<"version">>,<<"1.0.0">>}.\\n');
const result = await buildPackageTarball(metadata, files);
process.stdout.write(JSON.stringify({ size: result.tarball.length, checksum: result.outerChecksum }));
`,
  );
  const out = join(outDir, "runner.mjs");
  // Everything (the zlib wasm module included) is bundled in, so the runner works from a temp dir.
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
  return out;
}

/** Wall ms and peak RSS bytes of one run (GNU time), plus stdout. */
function measure(cmd, args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", cmd, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  const [kb, user, sys] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms, rss: kb * 1024, cpuMs: (user + sys) * 1000, stdout: r.stdout };
}

export async function benchTarball({ runs = 3, keep = false } = {}) {
  const dir = join(tmpdir(), "hexts-bench-tarball");
  const { total } = generate(dir);
  const work = join(tmpdir(), `hexts-bench-runner-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const runner = await bundleRunner(work);

  const floorArgs = ["-c", "tar -cf - -T files.txt | gzip -6 > /dev/null"];
  const ours = [];
  const floor = [];
  let result;
  for (let i = 0; i < runs + 1; i++) {
    const a = measure(process.execPath, [runner, dir], dir);
    const b = measure("sh", floorArgs, dir);
    if (i === 0) continue; // warm-up (page cache)
    ours.push(a);
    floor.push(b);
    result = JSON.parse(a.stdout);
  }
  rmSync(work, { recursive: true, force: true });
  if (!keep) rmSync(dir, { recursive: true, force: true });

  const oursMs = median(ours.map((r) => r.ms));
  const floorMs = median(floor.map((r) => r.ms));
  const oursRss = median(ours.map((r) => r.rss));
  const oursCpu = median(ours.map((r) => r.cpuMs));
  const floorCpu = median(floor.map((r) => r.cpuMs));
  const rssGoal = 2 * result.size + 60 * 1024 * 1024;
  const mb = (n) => (n / 1024 / 1024).toFixed(1);
  console.log(
    `tarball build: ${FILES} files, ${mb(total)} MB -> tarball ${mb(result.size)} MB (median of ${runs} runs)`,
  );
  console.log(
    `  hexts buildPackageTarball  wall ${oursMs.toFixed(0)} ms  cpu ${oursCpu.toFixed(0)} ms  ` +
      `peak RSS ${mb(oursRss)} MB`,
  );
  console.log(
    `  tar -cf - | gzip -6 floor  wall ${floorMs.toFixed(0)} ms  cpu ${floorCpu.toFixed(0)} ms  ` +
      `peak RSS ${mb(median(floor.map((r) => r.rss)))} MB`,
  );
  console.log(
    `  wall ratio ${(oursMs / floorMs).toFixed(2)}x (goal <= 1.5x), cpu ratio ${(oursCpu / floorCpu).toFixed(2)}x; ` +
      `RSS ${mb(oursRss)} MB (goal <= ${mb(rssGoal)} MB)`,
  );
  console.log(
    `  all runs (ms): hexts ${ours.map((r) => r.ms.toFixed(0)).join(" ")} | ` +
      `floor ${floor.map((r) => r.ms.toFixed(0)).join(" ")}`,
  );
  return {
    files: FILES,
    bytes: total,
    tarballSize: result.size,
    oursMs,
    floorMs,
    ratio: oursMs / floorMs,
    oursCpu,
    floorCpu,
    oursRss,
    rssGoal,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsAt = process.argv.indexOf("--runs");
  await benchTarball({
    runs: runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3,
    keep: process.argv.includes("--keep"),
  });
}
