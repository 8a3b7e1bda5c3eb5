// Assertions on what a spawned hexts run printed: one JSON document, or one `hexts:` line with its exit code.
import assert from "node:assert/strict";
import { z } from "zod";
import type { RunResult } from "./cli.js";
import type { HexServer } from "./hex-server/index.js";

/** The `--json` failure document. */
export const ErrorDoc = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), status: z.number().optional() }),
});

/** Exactly one JSON document on stdout, validated with `schema`. */
export function json<S extends z.ZodType>(schema: S, r: RunResult): z.output<S> {
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `exactly one JSON document on stdout:\n${r.stdout}\n${r.stderr}`);
  const parsed = schema.safeParse(JSON.parse(lines[0]!));
  assert.ok(parsed.success, `unexpected JSON document: ${lines[0]}`);
  return parsed.data;
}

/** A failure: the exit code, nothing on stdout, one `hexts: ...` line on stderr matching `pattern`. */
export function fails(r: RunResult, exit: number, pattern: RegExp): void {
  assert.equal(r.code, exit, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.match(lines[0]!, /^hexts: /);
  assert.match(lines[0]!, pattern);
}

/** The requests that changed something on the server. */
export const writes = (server: HexServer) => server.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
