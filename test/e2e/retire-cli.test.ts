// `hexts retire` end to end: the built CLI against the local Hex server — retire, --unretire, --all, --replace,
// the local checks made before any request, the server's refusals as one line, human and --json, OTP on a terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { serverAndHome } from "../support/world.js";
import { runHexts } from "../support/cli.js";
import { spawnPty } from "../support/pty.js";
import { json, fails, writes, ErrorDoc } from "../support/assertions.js";
import { buildTarball } from "../support/hex-server/index.js";
import { form } from "../support/hex-server/test-client.js";
import type { State } from "../support/hex-server/state.js";
import { createContext } from "../../src/commands/context.js";
import { storeCredential } from "../../src/config/index.js";

const Retirement = z.object({ reason: z.string(), message: z.string().nullable().optional() });
const RetireDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    action: z.enum(["retire", "unretire"]),
    package: z.string(),
    repository: z.string(),
    versions: z.array(z.string()),
    reason: z.enum(["renamed", "deprecated", "security", "invalid", "other"]).optional(),
    message: z.string().optional(),
    changed: z.boolean(),
    replaced: z.record(z.string(), Retirement).optional(),
  }),
});

async function world(t: { after(fn: () => unknown): void }) {
  const { server, home } = await serverAndHome(t);
  const ana = server.addUser({ username: "ana" });
  const bob = server.addUser({ username: "bob" });
  const mia = server.addUser({ username: "mia" });
  server.addOrganization({ name: "acme", admin: "ana" });
  for (const version of ["1.0.0", "1.1.0", "2.0.0-rc.1"])
    server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version }) });
  server.addRelease({ repository: "acme", owner: "ana", tarball: buildTarball({ name: "secret", version: "0.1.0" }) });
  const state = server.state as State;
  state.findPackage("hexpm", "foo")!.owners.set(state.findUser("mia")!.id, "maintainer");
  const env = { ...home.env, HEX_API_URL: server.apiUrl };
  const as = (key: string | undefined) => (args: string[]) =>
    runHexts(args, { env: { ...env, HEX_API_KEY: key }, cwd: home.dir });
  const retirement = (pkg: string, version: string, repository = "hexpm") =>
    state.findPackage(repository, pkg)!.releases.find((r) => r.version === version)!.retirement;
  return {
    server,
    home,
    env,
    hexts: as(ana.apiKey),
    asBob: as(bob.apiKey),
    asMia: as(mia.apiKey),
    anonymous: as(undefined),
    retirement,
  };
}

test("retire a release: the POST, the server's state, the human line and --json", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["retire", "foo", "1.0.0", "security", "--message", "CVE-2026-1234, use 1.1.0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'foo 1.0.0 has been retired (security: "CVE-2026-1234, use 1.1.0")\n');
  assert.deepEqual(w.retirement("foo", "1.0.0"), { reason: "security", message: "CVE-2026-1234, use 1.1.0" });
  const post = writes(w.server);
  assert.deepEqual(
    post.map((q) => [q.method, q.path, q.status]),
    [["POST", "/api/packages/foo/releases/1.0.0/retire", 204]],
  );

  const doc = json(
    RetireDoc,
    await w.hexts(["retire", "foo", "1.1.0", "Deprecated", "-m", "use bar instead", "--json"]),
  );
  assert.deepEqual(doc.data, {
    action: "retire",
    package: "foo",
    repository: "hexpm",
    versions: ["1.1.0"],
    reason: "deprecated",
    message: "use bar instead",
    changed: true,
  });
  assert.deepEqual(w.retirement("foo", "1.1.0"), { reason: "deprecated", message: "use bar instead" });
  // A maintainer may retire too.
  const mia = await w.asMia(["retire", "foo", "2.0.0-rc.1", "invalid", "-m", "does not compile"]);
  assert.equal(mia.code, 0, mia.stderr);
  assert.equal(w.retirement("foo", "2.0.0-rc.1")?.reason, "invalid");
});

test("checked before any request: reason, message length (3-140 characters), version, flag combinations", async (t) => {
  const w = await world(t);
  const cases: [string[], RegExp][] = [
    [
      ["retire", "foo", "1.0.0", "obsolete", "-m", "old stuff"],
      /"obsolete" is not a retirement reason: use one of renamed, deprecated, security, invalid, other/,
    ],
    [
      ["retire", "foo", "1.0.0", "-m", "old stuff"],
      /a retirement reason is required: one of renamed, deprecated, security, invalid, other/,
    ],
    [["retire", "foo", "1.0.0", "security"], /a message is required to retire: --message/],
    [["retire", "foo", "1.0.0", "security", "-m", "   "], /a message is required to retire/],
    [["retire", "foo", "1.0.0", "security", "-m", "no"], /the message must be 3 to 140 characters long \(it has 2\)/],
    [
      ["retire", "foo", "1.0.0", "security", "-m", "x".repeat(141)],
      /the message must be 3 to 140 characters long \(it has 141\)/,
    ],
    [
      ["retire", "foo", "1.0.0", "security", "-m", "e\u0301e\u0301"],
      /the message must be 3 to 140 characters long \(it has 2\)/,
    ],
    [["retire", "foo", "1.0", "security", "-m", "old stuff"], /"1\.0" is not a valid version/],
    [["retire", "foo", "v1.0.0", "security", "-m", "old stuff"], /"v1\.0\.0" is not a valid version/],
    [["retire", "foo"], /the version to retire is missing/],
    [["retire", "foo", "--unretire"], /--unretire needs the version to unretire/],
    [["retire", "foo", "1.0.0", "--unretire", "-m", "why"], /--message is only for retiring/],
    [["retire", "foo", "1.0.0", "security", "--unretire"], /expected `retire PACKAGE VERSION REASON --message MSG`/],
    [["retire", "foo", "--all", "--unretire"], /--unretire works on one release/],
    [
      ["retire", "foo", "1.0.0", "security", "--all", "-m", "old stuff"],
      /--all retires every release, so give no version/,
    ],
    [["retire", "foo", "--all", "-m", "old stuff"], /a retirement reason is required/],
  ];
  const results = await Promise.all(cases.map(([args]) => w.hexts(args)));
  results.forEach((r, i) => fails(r, 2, cases[i]![1]));
  const doc = json(ErrorDoc, await w.hexts(["retire", "foo", "1.0.0", "nope", "-m", "old stuff", "--json"]));
  assert.equal(doc.error.code, "USAGE");
  assert.equal(w.server.requests.length, 0, "no request was made");
  // The limits themselves are accepted: 3 and 140 characters, counted as the user sees them (é as one).
  const three = await w.hexts(["retire", "foo", "1.0.0", "other", "-m", "e\u0301e\u0301e\u0301"]);
  assert.equal(three.code, 0, three.stderr);
  const max = await w.hexts(["retire", "foo", "1.1.0", "other", "-m", "y".repeat(140)]);
  assert.equal(max.code, 0, max.stderr);
});

test("retire errors: unknown package, unknown version, not an owner, not logged in, already retired", async (t) => {
  const w = await world(t);
  fails(
    await w.hexts(["retire", "nope", "1.0.0", "security", "-m", "old stuff"]),
    1,
    /package nope does not exist in the server at http:\/\/127\.0\.0\.1:\d+\/api \(or you cannot see it\)/,
  );
  fails(
    await w.hexts(["retire", "foo", "9.9.9", "security", "-m", "old stuff"]),
    1,
    /version 9\.9\.9 of foo does not exist \(its releases: 2\.0\.0-rc\.1, 1\.1\.0, 1\.0\.0\)/,
  );
  fails(await w.hexts(["retire", "foo", "9.9.9", "--unretire"]), 1, /version 9\.9\.9 of foo does not exist/);
  fails(
    await w.asBob(["retire", "foo", "1.0.0", "security", "-m", "old stuff"]),
    3,
    /you are not an owner of foo, so you cannot retire or unretire its releases/,
  );
  fails(
    await w.anonymous(["retire", "foo", "1.0.0", "security", "-m", "old stuff"]),
    3,
    /not logged in to .*: run `hexts user auth`, or set HEX_API_KEY/,
  );
  assert.equal(writes(w.server).filter((q) => q.status === 204).length, 0);

  assert.equal((await w.hexts(["retire", "foo", "1.0.0", "security", "-m", "CVE-1"])).code, 0);
  fails(
    await w.hexts(["retire", "foo", "1.0.0", "invalid", "-m", "broken build"]),
    1,
    /foo 1\.0\.0 is already retired \(security: "CVE-1"\); pass --replace to change its reason and message/,
  );
  assert.deepEqual(w.retirement("foo", "1.0.0"), { reason: "security", message: "CVE-1" }, "unchanged");

  const codes = await Promise.all([
    w.hexts(["retire", "nope", "1.0.0", "security", "-m", "old stuff", "--json"]),
    w.hexts(["retire", "foo", "9.9.9", "security", "-m", "old stuff", "--json"]),
    w.asBob(["retire", "foo", "1.1.0", "security", "-m", "old stuff", "--json"]),
    w.anonymous(["retire", "foo", "1.1.0", "security", "-m", "old stuff", "--json"]),
    w.hexts(["retire", "foo", "1.0.0", "invalid", "-m", "broken build", "--json"]),
  ]);
  assert.deepEqual(
    codes.map((r) => [r.code, json(ErrorDoc, r).error.code]),
    [
      [1, "NOT_FOUND"],
      [1, "NOT_FOUND"],
      [3, "FORBIDDEN"],
      [3, "NOT_AUTHENTICATED"],
      [1, "CONFLICT"],
    ],
  );

  const replaced = json(
    RetireDoc,
    await w.hexts(["retire", "foo", "1.0.0", "invalid", "-m", "broken build", "--replace", "--json"]),
  );
  assert.deepEqual(replaced.data.replaced, { "1.0.0": { reason: "security", message: "CVE-1" } });
  assert.deepEqual(w.retirement("foo", "1.0.0"), { reason: "invalid", message: "broken build" });
});

test("--unretire: DELETE, then nothing to do (no request) when the release is not retired", async (t) => {
  const w = await world(t);
  assert.equal((await w.hexts(["retire", "foo", "1.0.0", "renamed", "-m", "now called bar"])).code, 0);
  const r = await w.hexts(["retire", "foo", "1.0.0", "--unretire"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "foo 1.0.0 has been unretired\n");
  assert.equal(w.retirement("foo", "1.0.0"), null);
  const del = writes(w.server).at(-1)!;
  assert.deepEqual([del.method, del.path, del.status], ["DELETE", "/api/packages/foo/releases/1.0.0/retire", 204]);

  const before = writes(w.server).length;
  const again = await w.hexts(["retire", "foo", "1.0.0", "--unretire"]);
  assert.deepEqual([again.code, again.stdout], [0, "foo 1.0.0 is not retired; nothing to do\n"]);
  const doc = json(RetireDoc, await w.hexts(["retire", "foo", "1.0.0", "--unretire", "--json"]));
  assert.deepEqual(doc.data, {
    action: "unretire",
    package: "foo",
    repository: "hexpm",
    versions: ["1.0.0"],
    changed: false,
  });
  assert.equal(writes(w.server).length, before, "no write for nothing to do");

  assert.equal((await w.hexts(["retire", "foo", "1.1.0", "other", "-m", "superseded"])).code, 0);
  const undone = json(RetireDoc, await w.hexts(["retire", "foo", "1.1.0", "--unretire", "--json"]));
  assert.deepEqual(undone.data, {
    action: "unretire",
    package: "foo",
    repository: "hexpm",
    versions: ["1.1.0"],
    changed: true,
    replaced: { "1.1.0": { reason: "other", message: "superseded" } },
  });
  assert.equal((await w.hexts(["retire", "foo", "1.0.0", "other", "-m", "superseded"])).code, 0);
  fails(
    await w.asBob(["retire", "foo", "1.0.0", "--unretire"]),
    3,
    /you are not an owner of foo, so you cannot retire or unretire its releases/,
  );
  assert.equal(w.retirement("foo", "1.0.0")?.reason, "other");
});

test("--all: one POST to the package's retire endpoint; only releases not yet retired unless --replace", async (t) => {
  const w = await world(t);
  assert.equal((await w.hexts(["retire", "foo", "1.0.0", "security", "-m", "CVE-1"])).code, 0);
  const r = await w.hexts(["retire", "foo", "--all", "deprecated", "-m", "use bar instead"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Retired 2 releases of foo: 2.0.0-rc.1, 1.1.0 (deprecated: "use bar instead")\n');
  const post = writes(w.server).at(-1)!;
  assert.deepEqual([post.method, post.path, post.status], ["POST", "/api/packages/foo/retire", 204]);
  assert.deepEqual(w.retirement("foo", "1.0.0"), { reason: "security", message: "CVE-1" }, "kept");
  assert.deepEqual(w.retirement("foo", "1.1.0"), { reason: "deprecated", message: "use bar instead" });

  fails(
    await w.hexts(["retire", "foo", "--all", "deprecated", "-m", "use bar instead"]),
    1,
    /every release of foo is already retired; pass --replace/,
  );
  const all = json(
    RetireDoc,
    await w.hexts(["retire", "foo", "--all", "renamed", "-m", "now bar", "--replace", "--json"]),
  );
  assert.deepEqual(all.data.versions, ["2.0.0-rc.1", "1.1.0", "1.0.0"]);
  assert.deepEqual(Object.keys(all.data.replaced ?? {}).sort(), ["1.0.0", "1.1.0", "2.0.0-rc.1"]);
  for (const v of ["1.0.0", "1.1.0", "2.0.0-rc.1"])
    assert.deepEqual(w.retirement("foo", v), { reason: "renamed", message: "now bar" });
  fails(
    await w.hexts(["retire", "nope", "--all", "other", "-m", "gone now"]),
    1,
    /package nope does not exist in the server at http:\/\/127\.0\.0\.1:\d+\/api \(or you cannot see it\)/,
  );
  fails(
    await w.asBob(["retire", "foo", "--all", "other", "-m", "gone now", "--replace"]),
    3,
    /you are not an owner of foo/,
  );
});

test("--organization / --repo hexpm:ORG retire in the organization's repository", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["retire", "secret", "0.1.0", "security", "-m", "leaked key", "--organization", "acme"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'acme/secret 0.1.0 has been retired (security: "leaked key")\n');
  assert.equal(writes(w.server).at(-1)!.path, "/api/repos/acme/packages/secret/releases/0.1.0/retire");
  assert.deepEqual(w.retirement("secret", "0.1.0", "acme"), { reason: "security", message: "leaked key" });
  const doc = json(
    RetireDoc,
    await w.hexts(["retire", "secret", "0.1.0", "--unretire", "--repo", "hexpm:acme", "--json"]),
  );
  assert.deepEqual([doc.data.repository, doc.data.changed], ["hexpm:acme", true]);
  // Outsiders cannot see the package at all.
  fails(
    await w.asBob(["retire", "secret", "0.1.0", "security", "-m", "leaked key", "--organization", "acme"]),
    1,
    new RegExp(
      /package acme\/secret does not exist in repository acme of the server at /.source +
        /http:\/\/127\.0\.0\.1:\d+\/api \(or you cannot see it\)/.source,
    ),
  );
});

// ---- two-factor codes for OAuth logins ----

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

async function oauthWorld(t: { after(fn: () => unknown): void }) {
  const { server, home } = await serverAndHome(t);
  server.addUser({ username: "tia", twoFactor: true });
  server.addRelease({ owner: "tia", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  const env = { ...home.env, HEX_API_URL: server.apiUrl };
  const device = (await form(server, "/oauth/device_authorization", { client_id: "hexts", scope: "api" })).body;
  server.approveDevice(device.user_code, "tia");
  const token = (
    await form(server, "/oauth/token", { grant_type: DEVICE, device_code: device.device_code, client_id: "hexts" })
  ).body;
  await storeCredential(
    createContext({ flags: { json: false, yes: false, verbose: false, color: false }, env, interactive: false }),
    server.apiUrl,
    {
      type: "oauth",
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      expiresAt: Math.floor(Date.now() / 1000) + token.expires_in,
      username: "tia",
    },
  );
  const state = server.state as State;
  return { server, home, env, retirement: () => state.findPackage("hexpm", "foo")!.releases[0]!.retirement };
}

test("OAuth login: --otp / HEX_OTP for the write; without a code, a non-TTY run fails naming --otp", async (t) => {
  const w = await oauthWorld(t);
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runHexts(args, { env: { ...w.env, ...extra }, cwd: w.home.dir });
  const missing = await run(["retire", "foo", "1.0.0", "security", "-m", "CVE-1"]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /pass `--otp CODE` or set HEX_OTP/);
  assert.equal(
    json(ErrorDoc, await run(["retire", "foo", "1.0.0", "security", "-m", "CVE-1", "--json"])).error.code,
    "OTP_REQUIRED",
  );
  assert.equal(w.retirement(), null);
  const ok = await run(["retire", "foo", "1.0.0", "security", "-m", "CVE-1", "--otp", w.server.totp("tia")]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(w.retirement(), { reason: "security", message: "CVE-1" });
  const env = await run(["retire", "foo", "1.0.0", "--unretire"], { HEX_OTP: w.server.totp("tia") });
  assert.equal(env.code, 0, env.stderr);
  assert.equal(w.retirement(), null);
});

test("on a terminal: the two-factor code is asked (hidden) and the release retired", async (t) => {
  const w = await oauthWorld(t);
  const term = spawnPty(["retire", "foo", "1.0.0", "invalid", "--message", "broken tarball"], {
    env: w.env,
    cwd: w.home.dir,
  });
  t.after(() => term.kill());
  await term.waitFor("Two-factor authentication code:");
  const code = w.server.totp("tia");
  term.line(code);
  const { exitCode } = await term.exited;
  assert.equal(exitCode, 0, term.screen);
  assert.match(term.screen, /foo 1\.0\.0 has been retired \(invalid: "broken tarball"\)/);
  assert.ok(!term.screen.includes(code), "the code is not echoed");
  assert.deepEqual(w.retirement(), { reason: "invalid", message: "broken tarball" });
});
