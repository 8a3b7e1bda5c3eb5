// `cut` in-process: the task function with a real Context (a temp home, the real output sink captured, settings
// resolved as a run does) on a real git repository with a bare `origin`, against the local Hex server. The spawned
// CLI is covered by test/e2e/cut-*.test.ts; these tests hold the contract of the plan and execute steps: the
// plan's lines are what is shown, its steps what is done, its questions what is asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { HextsError } from "../../src/errors.js";
import { cut, CutInput, cutExitCode } from "../../src/commands/cut.js";
import { buildTarball } from "../support/hex-server/index.js";
import { commandContext, scriptedPrompter } from "../support/command-context.js";
import { git, gitProject, gitState, isWrite, publishes, release, world } from "../e2e/publish-support.js";

test("cut --increment patch --yes in-process: the plan is shown, each step done, the result says so", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  chmodSync(appSrc, 0o640); // the version file is rewritten in place: same mode, no temp file left
  const base = git(dir, w.env, "rev-parse", "HEAD").trim();
  const run = await commandContext(t, { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey }, yes: true });
  const result = await cut(run.ctx, CutInput.parse({ increment: "patch" }));
  assert.equal(statSync(appSrc).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dirname(appSrc)).sort(), ["demo.app.src", "demo.erl"]);
  assert.match(readFileSync(appSrc, "utf8"), /\{vsn,   "1\.2\.4"\}, % bumped by hexts cut/);

  const head = git(dir, w.env, "rev-parse", "HEAD").trim();
  assert.equal(git(dir, w.env, "rev-parse", "HEAD~1").trim(), base);
  assert.equal(result.commit, head);
  assert.deepEqual(
    { from: result.from, to: result.to, tag: result.tag, source: result.source, file: result.file },
    { from: "1.2.3", to: "1.2.4", tag: "v1.2.4", source: "file", file: "src/demo.app.src" },
  );
  assert.equal(result.tagged, true);
  assert.deepEqual(result.push, { status: "pushed", remote: "origin", branch: "main", tag: "v1.2.4" });
  assert.equal(result.publish.package?.checksum, release(w, "demo", "1.2.4")!.outerChecksum);
  assert.equal(cutExitCode(result), 0);
  assert.match(git(origin, w.env, "for-each-ref"), /refs\/tags\/v1\.2\.4/);
  assert.equal(git(dir, w.env, "status", "--porcelain"), "");

  assert.equal(result.steps.length, 6);
  const shown = run.stderr().split("\n");
  assert.deepEqual(shown.slice(0, 7), [
    "Cutting demo 1.2.3 -> 1.2.4 (tag v1.2.4)",
    ...result.steps.map((s, i) => `  ${i + 1}. ${s}`),
  ]);
  assert.equal(result.steps[2], `publish demo 1.2.4 to the server at ${w.server.apiUrl}`);
  assert.equal(run.stdout(), "", "the result is returned, not printed");
});

test("--dry-run in-process: the steps of the plan, the publish dry run, and nothing changed or sent", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  const before = readFileSync(appSrc);
  const state = gitState(w, dir, origin);
  const { ctx, stderr } = await commandContext(t, { cwd: dir, env: w.env });
  const result = await cut(ctx, CutInput.parse({ setVersion: "2.0.0", prefixTag: "false", push: false, dryRun: true }));
  assert.equal(result.dryRun, true);
  assert.deepEqual(result.steps, [
    'rewrite the version in src/demo.app.src: "1.2.3" -> "2.0.0"',
    "git commit --only -m 2.0.0 -- src/demo.app.src",
    `publish demo 2.0.0 to the server at ${w.server.apiUrl}`,
    "git tag -a 2.0.0 -m 2.0.0",
  ]);
  assert.deepEqual(result.push, { status: "skipped", reason: "dry run" });
  assert.equal(result.publish.dryRun, true);
  assert.match(stderr(), /\(--no-push: the branch and the tag stay local\)\nDry run: the checks below read the files/);
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.deepEqual(readFileSync(appSrc), before);
  assert.equal(w.server.requests.length, 0);
});

test("on a terminal: the increment, Proceed, the push question in that order; declined push stays local", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w);
  const remoteBefore = git(origin, w.env, "for-each-ref");
  const asked: string[] = [];
  const { ctx } = await commandContext(t, {
    cwd: dir,
    env: { ...w.env, HEX_API_KEY: w.ana.apiKey },
    prompt: scriptedPrompter(["minor", "y", "n"], asked),
  });
  const result = await cut(ctx, CutInput.parse({}));
  assert.deepEqual(asked, [
    "Select the version increment (current 1.2.3):",
    "Proceed?",
    "Push main and tag v1.3.0 to origin?",
  ]);
  assert.deepEqual(result.push, { status: "skipped", reason: "declined" });
  assert.equal(result.tagged, true);
  assert.ok(release(w, "demo", "1.3.0"));
  assert.equal(git(origin, w.env, "for-each-ref"), remoteBefore, "nothing pushed");
});

test("a refused publish in-process: the error carries what was undone, and git is as it was", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  const before = readFileSync(appSrc);
  w.server.addRelease({ owner: "ana", tarball: buildTarball({ name: "demo", version: "1.2.4" }) });
  const state = gitState(w, dir, origin);
  const { ctx } = await commandContext(t, { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey }, yes: true });
  await assert.rejects(
    cut(ctx, CutInput.parse({ increment: "patch" })),
    (e: unknown) =>
      e instanceof HextsError &&
      /\(hexts cut undid its changes, see below\)$/.test(e.message) &&
      e.lines.some((l) => /^undid: removed the commit v1\.2\.4 \(git reset --keep [0-9a-f]{40}\)$/.test(l)),
  );
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.deepEqual(readFileSync(appSrc), before);
  assert.equal(publishes(w.server).length, 1);
});

test("the preconditions in-process: a dirty tree is refused before any question or request", async (t) => {
  const w = await world(t);
  const { dir, appSrc } = gitProject(w);
  const asked: string[] = [];
  const { ctx } = await commandContext(t, {
    cwd: dir,
    env: { ...w.env, HEX_API_KEY: w.ana.apiKey },
    prompt: scriptedPrompter([], asked),
  });
  writeFileSync(appSrc, readFileSync(appSrc, "utf8") + "\n");
  await assert.rejects(
    cut(ctx, CutInput.parse({})),
    (e: unknown) => e instanceof HextsError && e.code === "GIT" && e.lines.includes("   M src/demo.app.src"),
  );
  assert.deepEqual(asked, []);
  assert.equal(w.server.requests.filter(isWrite).length, 0);
});
