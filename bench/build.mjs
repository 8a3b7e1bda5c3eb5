// `hexts build package` on generated rebar3 projects (small, 300 files, 2,000 files / ~60 MB) against the floor
// `tar -cf - FILES | gzip -6` of the same files: whole-process wall time (medians, alternating runs) and peak RSS
// (GNU time). Goals (issue 4): time ≤ 1.5× the floor; peak RSS ≤ 2× the tarball + 60 MB. Figures, not asserts.
// Usage: node bench/build.mjs [--keep]   (BENCH_RUNS=N for the number of timed runs)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMB, fmtMs, median, peakRss, report } from "./lib.mjs";

const bin = fileURLToPath(new URL("../bin/hexts.js", import.meta.url));

/** Deterministic bytes: a SHA-256 counter stream (incompressible). */
function noise(size, seed) {
  const out = Buffer.alloc(size);
  for (let i = 0, at = 0; at < size; i++) at += createHash("sha256").update(`${seed}:${i}`).digest().copy(out, at);
  return out;
}

const WORDS = "case of end when receive after fun try catch begin if let module export record spawn send self lists maps binary atom tuple".split(" ");
const seedBytes = noise(8192, "templates");
/** Erlang-looking lines with varying names and numbers: compresses about like real source (4-6×). */
const TEMPLATES = Array.from({ length: 512 }, (_, i) => {
  const n = 2 + (seedBytes[i] % 6);
  const words = Array.from({ length: n }, (_, j) => WORDS[seedBytes[(i * 17 + j) % seedBytes.length] % WORDS.length]);
  return `${"    ".repeat(seedBytes[i + 600] % 4)}${words.join("_")}(`;
});

function source(size, seed) {
  const rnd = noise(Math.ceil(size / 6) + 64, seed);
  const lines = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = `${TEMPLATES[(rnd[i % rnd.length] << 1 | rnd[(i + 7) % rnd.length] & 1) % 512]}X${rnd[(i + 1) % rnd.length] % 64}, ${(rnd[(i + 2) % rnd.length] * 37) % 1000}),\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join("").slice(0, size));
}

/**
 * A rebar3 project of `files` files: src/ text (one `.app.src`), a few larger text files and some
 * incompressible binaries under priv/. Returns the regular files (what tar gets) and the total size.
 */
function generate(dir, { files, textSize, binaryEvery, binarySize, largeEvery, largeSize }) {
  const marker = join(dir, ".complete");
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  const put = (path, bytes) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), bytes);
    paths.push(path);
    total += bytes.length;
  };
  const paths = [];
  let total = 0;
  put("rebar.config", "{erl_opts, [debug_info]}.\n{deps, []}.\n");
  put("README.md", "# bench\n\nGenerated for bench/build.mjs.\n");
  put("src/bench.app.src", '{application, bench, [{description, "Generated benchmark package"}, {vsn, "1.0.0"}, {licenses, ["Apache-2.0"]}, {links, [{"Source", "https://example.test/bench"}]}, {applications, [kernel, stdlib]}]}.\n');
  for (let i = paths.length; i < files; i++) {
    const kind = binaryEvery && i % binaryEvery === 0 ? "bin" : largeEvery && i % largeEvery === 1 ? "large" : "src";
    const jitter = (i * 7919) % 1000;
    if (kind === "bin") put(`priv/blobs/b${i}.bin`, noise(binarySize + jitter * 8, `b${i}`));
    else put(`src/m${i % 40}/f${i}.erl`, source((kind === "large" ? largeSize : textSize) + jitter * 4, `t${i}`));
  }
  paths.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  writeFileSync(join(dir, ".files"), paths.join("\n") + "\n");
  const info = { paths, total };
  writeFileSync(marker, JSON.stringify(info));
  return info;
}

const PROJECTS = [
  { name: "small (12 files)", key: "small", files: 12, textSize: 3_000 },
  { name: "300 files", key: "files300", files: 300, textSize: 12_000, binaryEvery: 30, binarySize: 8_000 },
  { name: "2,000 files, ~60 MB", key: "files2000", files: 2000, textSize: 25_000, binaryEvery: 100, binarySize: 120_000, largeEvery: 50, largeSize: 180_000 },
];

function run(cmd, args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
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
      const floor = ["sh", ["-c", `tar --no-recursion -cf - -T .files | gzip -6 > ${JSON.stringify(join(out, "floor.tar.gz"))}`]];
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
      const memGoal = 2 * tarball + 60 * 1048576;
      results[p.key] = { files: paths.length, bytes: total, tarball, hextsMs: h, floorMs: f, ratio: h / f, rssHexts, rssFloor, memGoal };
      report(`hexts build package: ${p.name} (median of ${runs} runs)`, [
        ["project", `${paths.length} files, ${fmtMB(total)} → tarball ${fmtMB(tarball)}`],
        ["tar -cf - FILES | gzip -6 (floor)", fmtMs(f)],
        ["hexts build package", `${fmtMs(h)}  (${(h / f).toFixed(2)}x floor; goal ≤ 1.50x)`],
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
