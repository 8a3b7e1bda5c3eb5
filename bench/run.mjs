// `npm run bench`: every benchmark, each comparing against a floor measured in the same run.
import { existsSync } from "node:fs";

const suites = [
  ["./startup.mjs", "benchStartup"],
  ["./tarball.mjs", "benchTarball"],
  ["./whoami.mjs", "benchWhoami"],
  ["./build.mjs", "benchBuild"],
  ["./publish.mjs", "benchPublish"],
];
const only = process.argv.slice(2);
for (const [file, fn] of suites) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  if (!existsSync(new URL(file, import.meta.url))) continue;
  const mod = await import(file);
  await mod[fn]();
}
