// Bundles the CLI and the library with esbuild (ESM, one chunk per lazily imported command),
// then emits type declarations for the library with tsc.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { rmSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { "cli/main": "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: false,
  chunkNames: "chunks/[name]-[hash]",
  define: { __HEXTS_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});

if (!process.argv.includes("--no-types")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
