// `hexts publish` on a real pseudo-terminal: the Proceed question, progress with bytes and rate, the two-factor
// code asked before the upload, the owner choice for a new package, and the revert confirmation.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnPty } from "../support/pty.js";
import { runHexts } from "../support/cli.js";
import { isWrite, oauthLogin, projectWithDocs, publishes, release, world } from "./publish-support.js";

const DOWN = "\x1b[B";

test("Proceed? answered no: nothing is uploaded; answered yes: progress with bytes, percentage and rate", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const env = { ...w.env, HEX_API_KEY: w.ana.apiKey };
  const no = spawnPty(["publish", "--doc-dir", "doc"], { cwd: dir, env });
  t.after(() => no.kill());
  await no.waitFor(/Publishing to the server at [^\n]+\n/);
  await no.waitFor("Proceed?");
  no.line("n");
  const cancelled = await no.exited;
  assert.equal(cancelled.exitCode, 130, no.screen);
  assert.match(no.screen, /cancelled: nothing was uploaded/);
  assert.equal(w.server.requests.filter(isWrite).length, 0);

  const yes = spawnPty(["publish", "--doc-dir", "doc"], { cwd: dir, env });
  t.after(() => yes.kill());
  await yes.waitFor("Proceed?");
  yes.line("y");
  const done = await yes.exited;
  assert.equal(done.exitCode, 0, yes.screen);
  assert.match(yes.screen, /Uploading demo 1\.2\.3: [\d.]+ KB \/ [\d.]+ KB \(100%\), [\d.]+ (B|KB|MB)\/s/);
  assert.match(yes.screen, /Uploading docs for demo 1\.2\.3: \d+ B \/ \d+ B \(100%\)/);
  assert.match(yes.screen, /Package published to .*\/packages\/demo\/1\.2\.3 \([0-9a-f]{64}\)/);
  assert.equal(publishes(w.server).length, 1);
});

test("an OAuth login: the two-factor code is asked once, before the upload, and serves package and docs", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "tia", twoFactor: true });
  await oauthLogin(w, "tia");
  const dir = projectWithDocs(w);
  const term = spawnPty(["publish", "--doc-dir", "doc"], { cwd: dir, env: w.env });
  t.after(() => term.kill());
  await term.waitFor("Proceed?");
  term.line("y");
  await term.waitFor("Two-factor authentication code");
  assert.equal(w.server.requests.filter(isWrite).length, 0, "asked before anything is sent");
  const code = w.server.totp("tia");
  term.line(code);
  const done = await term.exited;
  assert.equal(done.exitCode, 0, term.screen);
  assert.ok(!term.screen.includes(code), "the code is not echoed");
  const writes = w.server.requests.filter(isWrite);
  assert.deepEqual(
    writes.map((r) => [r.method, r.path, r.status]),
    [
      ["POST", "/api/packages/demo/releases", 201],
      ["POST", "/api/packages/demo/releases/1.2.3/docs", 201],
    ],
  );
  assert.ok(writes.every((r) => r.headers["x-hex-otp"] === code));
  assert.ok(release(w, "demo", "1.2.3")?.hasDocs);
});

test("OAuth without a terminal: no code fails with OTP_REQUIRED naming --otp; --otp or HEX_OTP publish", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "tia", twoFactor: true });
  await oauthLogin(w, "tia");
  const dir = projectWithDocs(w);
  const none = await runHexts(["publish", "package", "--yes"], { cwd: dir, env: w.env });
  assert.equal(none.code, 3, none.stderr);
  assert.match(none.stderr, /two-factor authentication code: pass `--otp CODE` or set HEX_OTP/);
  assert.deepEqual(
    publishes(w.server).map((r) => r.status),
    [401],
    "refused before anything was stored",
  );

  const wrong = await runHexts(["publish", "package", "--yes", "--otp", "000000"], { cwd: dir, env: w.env });
  assert.equal(wrong.code, 3);
  assert.doesNotMatch(wrong.stderr + wrong.stdout, /000000/);

  const ok = await runHexts(["publish", "package", "--yes", "--otp", w.server.totp("tia")], { cwd: dir, env: w.env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(
    publishes(w.server).map((r) => r.status),
    [401, 401, 201],
  );
  assert.equal(release(w, "demo", "1.2.3")?.publisherId, w.state.findUser("tia")!.id);
});

test("a wrong code typed on the terminal is asked again; only the accepted upload is stored", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "tia", twoFactor: true });
  await oauthLogin(w, "tia");
  const dir = projectWithDocs(w);
  const term = spawnPty(["publish", "package"], { cwd: dir, env: w.env });
  t.after(() => term.kill());
  await term.waitFor("Proceed?");
  term.line("y");
  await term.waitFor("Two-factor authentication code");
  term.line("111111");
  await term.waitFor("that two-factor code was not accepted");
  await term.waitFor("Two-factor authentication code");
  term.line(w.server.totp("tia"));
  const done = await term.exited;
  assert.equal(done.exitCode, 0, term.screen);
  assert.deepEqual(
    publishes(w.server).map((r) => r.status),
    [401, 201],
    "the refused upload stored nothing; the second is the only release",
  );
  assert.match(
    term.screen,
    /\(100%\)[^\n]*\nwarning: that two-factor code was not accepted/,
    "the refused attempt's progress line is ended first",
  );
});

test("a new public package by a member of organizations: the owner choice, then the transfer", async (t) => {
  const w = await world(t);
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const dir = projectWithDocs(w, "fresh");
  const env = { ...w.env, HEX_API_KEY: w.ana.apiKey };
  const term = spawnPty(["publish", "package"], { cwd: dir, env });
  t.after(() => term.kill());
  await term.waitFor("fresh is a new package");
  await term.waitFor("Owner of the new package");
  term.write(DOWN);
  await term.waitFor(/❯ Organization acme|> Organization acme|Organization acme/);
  term.write("\r");
  await term.waitFor("Proceed?");
  term.line("y");
  const done = await term.exited;
  assert.equal(done.exitCode, 0, term.screen);
  assert.match(term.screen, /Ownership of fresh transferred to acme/);
  const put = w.server.requests.find((r) => r.method === "PUT")!;
  assert.equal(put.path, "/api/packages/fresh/owners/acme");
  const owners = [...w.state.findPackage("hexpm", "fresh")!.owners].map(
    ([id, level]) => `${w.state.users.get(id)!.username}:${level}`,
  );
  assert.deepEqual(owners, ["acme:full"]);

  // An existing package: no question about the owner.
  const again = spawnPty(["publish", "package", "--replace"], { cwd: dir, env });
  t.after(() => again.kill());
  await again.waitFor("Proceed?");
  assert.doesNotMatch(again.screen, /Owner of the new package/);
  again.line("y");
  assert.equal((await again.exited).exitCode, 0, again.screen);
});

test("--revert on a terminal asks first (default no)", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  assert.equal((await w.hexts(["publish", "package", "--yes"], dir)).code, 0);
  const env = { ...w.env, HEX_API_KEY: w.ana.apiKey };
  const no = spawnPty(["publish", "--revert", "1.2.3"], { cwd: dir, env });
  t.after(() => no.kill());
  // The prompt names the server actually used (the local test server), never `hexpm` by default.
  await no.waitFor(
    `Revert demo 1.2.3 from the server at ${w.server.apiUrl} (reverting its last release removes the package)?`,
  );
  no.line("");
  assert.equal((await no.exited).exitCode, 130, no.screen);
  assert.ok(release(w, "demo", "1.2.3"));

  const yes = spawnPty(["publish", "--revert", "1.2.3"], { cwd: dir, env });
  t.after(() => yes.kill());
  await yes.waitFor("Revert demo 1.2.3");
  yes.line("y");
  assert.equal((await yes.exited).exitCode, 0, yes.screen);
  assert.match(yes.screen, /Reverted demo 1\.2\.3/);
  assert.equal(release(w, "demo", "1.2.3"), undefined);
});
