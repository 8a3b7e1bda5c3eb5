// `npm run bench`: every benchmark, each against a floor measured in the same run, then ONE summary table of
// every figure with its floor and goal (issue 13), plus the official clients' figures when they are installed.
// `node bench/run.mjs startup whoami` runs only those suites; BENCH_VERBOSE=1 also prints each suite's details.
import { cpus, loadavg, totalmem } from "node:os";
import { fmtMB } from "./lib.mjs";

if (!process.env.BENCH_VERBOSE) process.env.BENCH_QUIET = "1";
const suites = [
  ["startup", "./startup.mjs", "benchStartup"],
  ["whoami", "./whoami.mjs", "benchWhoami"],
  ["build", "./build.mjs", "benchBuild"],
  ["publish", "./publish.mjs", "benchPublish"],
];
const only = process.argv.slice(2);
const load0 = loadavg()[0];
const r = {};
for (const [name, file, fn] of suites) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  r[name] = await (await import(file))[fn]();
}
const load1 = loadavg()[0];

const s = (ms) => (ms === undefined ? "—" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const x = (v) => `${v.toFixed(2)}×`;
const verdict = (ok) => (ok ? "✔" : "✘");
const rows = [];
const row = (what, hexts, floor, ratio, goal, ok, rebar3 = "", mix = "") =>
  rows.push([what, hexts, floor, ratio, goal, ok === undefined ? "" : verdict(ok), rebar3, mix]);

if (r.startup) {
  const f = r.startup.floorMs;
  row(
    "`hexts --version`",
    s(r.startup["--version"].ms),
    `\`node -e 0\` ${s(f)}`,
    x(r.startup["--version"].ratio),
    "≤ 1.3× (no regression)",
    r.startup["--version"].ratio <= 1.3,
  );
  row(
    "`hexts --help`",
    s(r.startup["--help"].ms),
    `\`node -e 0\` ${s(f)}`,
    x(r.startup["--help"].ratio),
    "≤ 1.3×",
    r.startup["--help"].ratio <= 1.3,
  );
}
if (r.whoami) {
  const w = r.whoami;
  row(
    "`hexts user whoami` (HEX_API_KEY, local server)",
    s(w.envKey.ms),
    `\`node -e 0\` ${s(w.floorMs)}`,
    x(w.envKey.ratio),
    "≤ 2.5×",
    w.envKey.ratio <= 2.5,
  );
  row(
    "`hexts user whoami` (stored login)",
    s(w.storedLogin.ms),
    `\`node -e 0\` ${s(w.floorMs)}`,
    x(w.storedLogin.ratio),
    "≤ 2.5×",
    w.storedLogin.ratio <= 2.5,
  );
  row(
    "(context) `node` + fetch GET /users/me",
    s(w.bareFetchMs),
    `\`node -e 0\` ${s(w.floorMs)}`,
    x(w.bareFetchMs / w.floorMs),
    "",
    undefined,
  );
}
const off = (o, key) => (!o ? "" : o[key]?.ms !== undefined ? `${s(o[key].ms)}` : (o[key]?.absent ?? ""));
if (r.build) {
  for (const [key, goal] of [
    ["small", undefined],
    ["files300", 2],
    ["files2000", 1.2],
  ]) {
    const b = r.build[key];
    if (!b) continue;
    const what = `\`hexts build package\`, ${b.files} files, ${fmtMB(b.bytes)} → ${fmtMB(b.tarball)}`;
    row(
      what,
      s(b.hextsMs),
      `\`tar | gzip -6\` ${s(b.floorMs)}`,
      x(b.ratio),
      goal ? `≤ ${goal}×` : "(start-up bound)",
      goal ? b.ratio <= goal : undefined,
      off(b.official, "rebar3"),
      off(b.official, "mix"),
    );
  }
  const large = r.build.files2000;
  if (large)
    row(
      "  peak RSS, 2,000-file build",
      fmtMB(large.rssHexts),
      "",
      "",
      "≤ 100 MB",
      large.rssHexts !== undefined && large.rssHexts <= 100 * 1048576,
      large.official?.rebar3?.rss ? fmtMB(large.official.rebar3.rss) : "",
    );
}
if (r.publish) {
  for (const key of ["files300", "files2000"]) {
    const p = r.publish[key];
    if (!p) continue;
    row(
      `\`hexts publish package\`, ${p.files} files (→ ${fmtMB(p.tarball)})`,
      s(p.publishMs),
      `build ${s(p.buildMs)} + \`curl\` upload ${s(p.uploadMs)}`,
      x(p.ratio),
      "≤ 1.1×",
      p.ratio <= 1.1,
    );
    row(
      `  peak RSS, ${p.files}-file publish`,
      fmtMB(p.rssPublish),
      "",
      "",
      `≤ ${fmtMB(p.memGoal)} (${p.memGoalText})`,
      p.rssPublish !== undefined && p.rssPublish <= p.memGoal,
    );
  }
}

const cpu = cpus();
console.log(
  `\n## hexts benchmarks — ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, ${fmtMB(totalmem())} RAM, ` +
    `Node ${process.version}, ${new Date().toISOString()}`,
);
console.log(
  `Load average (1 min) ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end: above the core count, ` +
    "timings are noisy; ratios pair runs made together.",
);
console.log("Wall times are medians of alternating runs; floors are measured in the same run.\n");
const head = ["what", "hexts", "floor", "ratio", "goal", "", "rebar3 hex", "mix hex"];
const table = [head, head.map(() => "---"), ...rows];
for (const line of table) console.log(`| ${line.join(" | ")} |`);
