// Programs hexts starts run code it does not control (git hooks, the project's doc tooling): they must not see the
// secrets hexts was given through the environment. Fake tools and a git hook write their environment to a file.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toolsPath } from "../support/cli.js";
import { fakeTool, git, gitRepo, rebar3Project, release, world, writeFiles } from "./publish-support.js";

const SECRET_NAMES = ["HEX_API_KEY", "HEXPM_API_KEY", "HEX_OTP", "HEX_LOCAL_PASSWORD"];

function assertNoSecrets(dump: string, secrets: string[]): void {
  for (const name of SECRET_NAMES) assert.doesNotMatch(dump, new RegExp(`^${name}=`, "m"), `${name} reached the child`);
  for (const s of secrets) assert.ok(!dump.includes(s), "a secret value reached the child");
  assert.match(dump, /^PATH=/m, "the rest of the environment is passed on");
}

test("the docs generator's environment lacks HEX_API_KEY, HEXPM_API_KEY, HEX_OTP, HEX_LOCAL_PASSWORD", async (t) => {
  const w = await world(t);
  const dump = join(w.tmp, "generator-env.txt");
  const bin = fakeTool(
    join(w.tmp, "bin"),
    "rebar3",
    `env > '${dump}'\nmkdir -p doc\necho "<h1>docs</h1>" > doc/index.html`,
  );
  const dir = rebar3Project(join(w.tmp, "gen"), { name: "gen", hexConfig: "{doc, edoc}" });
  const extra = {
    HEXPM_API_KEY: "hexpm-api-key-value-1",
    HEX_OTP: "123456",
    HEX_LOCAL_PASSWORD: "local-password-value",
  };
  const r = await w.hexts(["publish", "--yes"], dir, { PATH: `${bin}:${toolsPath()}`, ...extra });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(release(w, "gen", "1.2.3")?.hasDocs, true);
  assertNoSecrets(readFileSync(dump, "utf8"), [w.ana.apiKey, ...Object.values(extra)]);
});

test("git run by cut (its hooks included) gets the environment without hexts secrets", async (t) => {
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "demo"), { name: "demo" });
  gitRepo(dir, w.env);
  const dump = join(w.tmp, "hook-env.txt");
  writeFiles(dir, { ".hooks/pre-commit": `#!/bin/sh\nenv > '${dump}'\n` });
  chmodSync(join(dir, ".hooks/pre-commit"), 0o755);
  git(dir, w.env, "config", "core.hooksPath", ".hooks");
  git(dir, w.env, "add", ".hooks");
  git(dir, w.env, "commit", "--quiet", "--no-verify", "-m", "hooks");
  const extra = { HEXPM_API_KEY: "hexpm-api-key-value-2", HEX_LOCAL_PASSWORD: "local-password-value" };
  const r = await w.hexts(["cut", "-i", "patch", "--yes", "--no-push"], dir, extra);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(release(w, "demo", "1.2.4"));
  assertNoSecrets(readFileSync(dump, "utf8"), [w.ana.apiKey, ...Object.values(extra)]);
});
