// Bundles the CLI and the library with esbuild (ESM, one chunk per lazily imported command),
// then emits type declarations for the library with tsc.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, rmSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Build beside dist/ and swap it in, so a test running meanwhile never sees a half-written bundle.
const dist = new URL("../dist", import.meta.url);
const staging = new URL(`../.dist-${process.pid}`, import.meta.url);
const retired = new URL(`../.dist-old-${process.pid}`, import.meta.url);

await build({
  entryPoints: { "cli/main": "src/cli/main.ts", index: "src/index.ts" },
  outdir: staging.pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies are bundled too: Node 20 has no compile cache, and loading undici or zod as hundreds of
  // separate files costs over 100 ms each at start-up. node-pty is a test-only native module.
  external: ["node-pty"],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js:
      'import { createRequire as __hextsCreateRequire } from "node:module"; ' +
      "const require = __hextsCreateRequire(import.meta.url);",
  },
  sourcemap: false,
  chunkNames: "chunks/[name]-[hash]",
  define: { __HEXTS_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});

try {
  renameSync(dist, retired);
} catch {
  // no previous build
}
renameSync(staging, dist);
rmSync(retired, { recursive: true, force: true });

if (!process.argv.includes("--no-types")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
