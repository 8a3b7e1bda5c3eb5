// Shared by the --json end-to-end tests (json-output*.test.ts): the camelCase check, the one-document assertion and
// a world with users, an organization, released packages, a signed registry and a rebar3 project in git.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runHexts, type RunResult } from "../support/cli.js";
import { buildTarball } from "../support/hex-server/index.js";
import { serverAndHome, type Cleanup } from "../support/world.js";
import { gitRepo, rebar3Project } from "./publish-support.js";

/** Objects whose keys are data, not field names: link labels, versions, the server's 422 field map. */
const DATA_MAPS = new Set(["links", "replaced", "errors"]);
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/** Every key that is not camelCase, with its path (`data.keys[0].inserted_at`). */
export function nonCamelKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => nonCamelKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const dataMap = DATA_MAPS.has(path.slice(path.lastIndexOf(".") + 1));
  return Object.entries(value).flatMap(([k, v]) => [
    ...(dataMap || CAMEL.test(k) ? [] : [`${path}.${k}`]),
    ...nonCamelKeys(v, `${path}.${k}`),
  ]);
}

/** One JSON document on stdout with the exit code, and no snake_case key or "warning:" prefix anywhere in it. */
export function document(args: string[], r: RunResult, exit: number, ok = exit === 0): any {
  const label = `hexts ${args.join(" ")}`;
  assert.equal(r.code, exit, `${label}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `${label}: exactly one JSON document on stdout:\n${r.stdout}`);
  const doc = JSON.parse(lines[0]!);
  assert.equal(doc.ok, ok, `${label}: ok`);
  assert.deepEqual(Object.keys(doc).sort(), ok ? ["data", "ok"] : ["error", "ok"], label);
  if (!ok) assert.equal(typeof doc.error.code, "string", label);
  assert.deepEqual(nonCamelKeys(doc), [], `${label}: every field name is camelCase`);
  assert.doesNotMatch(lines[0]!, /"warning: /i, `${label}: warnings carry no "warning: " prefix`);
  return doc;
}

export async function jsonWorld(t: Cleanup) {
  const { server, home } = await serverAndHome(t);
  const ana = server.addUser({ username: "ana", email: "ana@example.com", fullName: "Ana" });
  server.addUser({ username: "bob", email: "bob@example.com" });
  server.addOrganization({ name: "acme", admin: "ana" });
  for (const version of ["1.0.0", "1.1.0"]) {
    const metadata = { licenses: ["MIT"], links: { "Source Code": "https://example.test/alpha" } } as any;
    server.addRelease({ owner: "ana", tarball: buildTarball({ name: "alpha", version, metadata }) });
  }
  mkdirSync(home.env.HEX_HOME!, { recursive: true });
  const repos = { hexpm: { url: server.repoUrl, public_key: server.registryPublicKey!() } };
  writeFileSync(join(home.env.HEX_HOME!, "hexts.json"), JSON.stringify({ version: 1, repos }), { mode: 0o600 });
  const gitEnv = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(home.dir, ".gitconfig") };
  writeFileSync(
    gitEnv.GIT_CONFIG_GLOBAL,
    "[user]\n\tname = Ana\n\temail = ana@example.com\n[init]\n\tdefaultBranch = main\n",
  );
  // Not an SPDX id: a warning (not an error) for an organization's repository, where the releases below go.
  const project = rebar3Project(join(home.dir, "demo"), {
    licenses: '"Not-A-License"',
    extra: { ".gitignore": "_build/\n" },
  });
  gitRepo(project, { ...home.env, ...gitEnv });
  const env: Record<string, string> = { ...home.env, ...gitEnv, HEX_API_URL: server.apiUrl, HEX_API_KEY: ana.apiKey };

  const run = async (
    args: string[],
    exit = 0,
    o: { env?: Record<string, string | undefined>; input?: string; ok?: boolean } = {},
  ) =>
    document(
      args,
      await runHexts(["--json", ...args], {
        cwd: project,
        env: { ...env, ...o.env },
        input: o.input,
        timeoutMs: 60_000,
      }),
      exit,
      o.ok,
    );
  const noKey = { env: { HEX_API_KEY: undefined } };
  return { server, home, ana, project, env, run, noKey };
}
