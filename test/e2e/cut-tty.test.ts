// `hexts cut` on a real pseudo-terminal: the increment prompt (and "other"), Proceed, and the push question;
// declining Proceed undoes the commit. Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnPty } from "../support/pty.js";
import { git, gitProject, isWrite, release, world } from "./publish-support.js";

const DOWN = "\x1b[B";

test("no --increment: prompt offers patch/minor/major with versions; then Proceed and the push question", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w);
  const term = spawnPty(["cut"], { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey } });
  t.after(() => term.kill());
  await term.waitFor("Select the version increment (current 1.2.3)");
  await term.waitFor("major (2.0.0)");
  assert.match(term.screen, /patch \(1\.2\.4\)[\s\S]*minor \(1\.3\.0\)/);
  term.write(DOWN);
  term.write("\r");
  await term.waitFor("Cutting demo 1.2.3 -> 1.3.0 (tag v1.3.0)");
  await term.waitFor("Proceed?");
  term.line("y");
  await term.waitFor("Push main and tag v1.3.0 to origin?");
  term.line("y");
  const done = await term.exited;
  assert.equal(done.exitCode, 0, term.screen);
  assert.match(term.screen, /Pushed main and v1\.3\.0 to origin/);
  assert.ok(release(w, "demo", "1.3.0"));
  assert.match(git(origin, w.env, "tag", "--list"), /v1\.3\.0/);
});

test('"other" asks for the version; declining the push keeps the commit and tag local', async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w);
  const remoteBefore = git(origin, w.env, "for-each-ref");
  const term = spawnPty(["cut"], { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey } });
  t.after(() => term.kill());
  await term.waitFor("other (type a version)");
  term.write(DOWN + DOWN + DOWN);
  term.write("\r");
  await term.waitFor("New version");
  term.line("3.0.0-beta.1");
  await term.waitFor("Proceed?");
  term.line("y");
  await term.waitFor("Push main and tag v3.0.0-beta.1 to origin?");
  term.line("n");
  const done = await term.exited;
  assert.equal(done.exitCode, 0, term.screen);
  assert.match(term.screen, /Not pushed \(declined\): the commit and the tag v3\.0\.0-beta\.1 are local/);
  assert.ok(release(w, "demo", "3.0.0-beta.1"));
  assert.equal(git(origin, w.env, "for-each-ref"), remoteBefore);
  assert.equal(git(dir, w.env, "log", "-1", "--format=%s").trim(), "v3.0.0-beta.1");
});

test("declining Proceed undoes the commit and says so; nothing reaches the server", async (t) => {
  const w = await world(t);
  const { dir } = gitProject(w);
  const appSrc = join(dir, "src/demo.app.src");
  const before = readFileSync(appSrc);
  const head = git(dir, w.env, "rev-parse", "HEAD").trim();
  const term = spawnPty(["cut", "-i", "major"], { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey } });
  t.after(() => term.kill());
  await term.waitFor("Proceed?");
  term.line("n");
  const done = await term.exited;
  assert.equal(done.exitCode, 130, term.screen);
  assert.match(term.screen, /cancelled: nothing was uploaded \(hexts cut undid its changes, see below\)/);
  assert.match(term.screen, /undid: removed the commit v2\.0\.0/);
  assert.equal(git(dir, w.env, "rev-parse", "HEAD").trim(), head);
  assert.equal(git(dir, w.env, "status", "--porcelain"), "");
  assert.deepEqual(readFileSync(appSrc), before);
  assert.equal(w.server.requests.filter(isWrite).length, 0);
});

test("Ctrl-C during the upload: the commit is undone and the outcome is said to be unknown", async (t) => {
  const w = await world(t);
  const { dir } = gitProject(w);
  const head = git(dir, w.env, "rev-parse", "HEAD").trim();
  w.server.fault({ method: "POST", path: "/api/packages/demo/releases", fault: { kind: "slow", delayMs: 5000 } });
  const term = spawnPty(["cut", "-i", "patch", "--no-push"], {
    cwd: dir,
    env: { ...w.env, HEX_API_KEY: w.ana.apiKey },
  });
  t.after(() => term.kill());
  await term.waitFor("Proceed?");
  term.line("y");
  await term.waitFor("Uploading demo 1.2.4");
  term.write("\x03");
  const done = await term.exited;
  assert.equal(done.exitCode, 130, term.screen);
  assert.match(term.screen, /cancelled during the upload of demo 1\.2\.4, so whether it was published is unknown/);
  assert.match(term.screen, /undid: removed the commit v1\.2\.4/);
  assert.equal(git(dir, w.env, "rev-parse", "HEAD").trim(), head);
  assert.equal(git(dir, w.env, "status", "--porcelain"), "");
  assert.equal(git(dir, w.env, "tag", "--list"), "");
});
