// `npm run fuzz -- [--runs N] [--seed S] [--only term,rebar3,mix,tarball,rebar-script,app-script]`: long fuzz runs
// of the readers.
// Prints, per reader, the inputs that threw an untyped error, ran over 2 s or hung; exits 1 if there is any.
import { TARGET_NAMES, fuzzTarget } from "./run.js";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag("runs") ?? 10_000);
const seed = Number(flag("seed") ?? Math.floor(Math.random() * 2 ** 31));
const only = (flag("only") ?? TARGET_NAMES.join(",")).split(",");
if (!Number.isInteger(runs) || runs < 1) {
  console.error(
    "usage: npm run fuzz -- [--runs N] [--seed S] [--only term,rebar3,mix,tarball,rebar-script,app-script]",
  );
  process.exit(2);
}

let bad = 0;
for (const target of only) {
  const r = await fuzzTarget(target, { runs, seed });
  bad += r.untyped.length + r.slow.length + r.hangs.length;
  console.log(
    `${target}: ${runs} inputs (seed ${seed}) in ${(r.ms / 1000).toFixed(1)} s: ` +
      `${r.untyped.length} untyped errors, ${r.slow.length} over 2 s, ` +
      `${r.hangs.length} hangs; slowest input ${r.maxWallMs} ms wall, ${r.maxCpuMs} ms CPU`,
  );
  // Untyped errors by kind (first line of the error, digits folded), then a few of each list in full.
  const kinds = new Map<string, number>();
  for (const f of r.untyped) {
    const kind = (f.error ?? "")
      .split("\n")[0]!
      .replace(/\d+/g, "N")
      .replace(/Cannot convert \S+ to a BigInt/, "Cannot convert X to a BigInt")
      .slice(0, 120);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${n} x ${kind}`);
  for (const [kind, list] of [
    ["untyped", r.untyped],
    ["slow", r.slow],
    ["hang", r.hangs],
  ] as const) {
    for (const f of list.slice(0, 10)) {
      const cpu = f.cpuMs !== undefined ? `, ${f.cpuMs} ms CPU` : "";
      const timing = f.ms ? ` (${f.ms} ms${cpu})` : "";
      const error = f.error ? `\n    ${f.error.replace(/\n/g, "\n    ")}` : "";
      console.log(`  ${kind} #${f.index}${timing}: ${JSON.stringify(f.preview)}${error}`);
    }
  }
}
process.exit(bad > 0 ? 1 : 0);
