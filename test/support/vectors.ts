// Locates ../shared/vectors (beside the checkout, as CI has it). Tests that need it skip loudly when absent.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const sharedDir = process.env.HEXTS_SHARED_DIR ?? resolve(repoRoot, "..", "shared");
export const vectorsDir = join(sharedDir, "vectors");
export const haveVectors = existsSync(join(vectorsDir, "manifest.json"));

/** `skip` option for node:test: a loud reason when the vectors are missing. */
export const vectorsSkip: string | false = haveVectors
  ? false
  : `SKIPPED: golden vectors not found at ${vectorsDir} (set HEXTS_SHARED_DIR)`;
if (!haveVectors) console.error(`\n*** ${vectorsSkip} ***\n`);

export function vectorPath(...parts: string[]): string {
  return join(vectorsDir, ...parts);
}

export function readVectorJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(vectorPath(...parts), "utf8")) as T;
}
