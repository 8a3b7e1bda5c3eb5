// `hexts owner` end to end: the built CLI against the local Hex server, human and --json output, every error the
// issue names, confirmations and two-factor codes on a real pseudo-terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { serverAndHome } from "../support/world.js";
import { runHexts } from "../support/cli.js";
import { spawnPty } from "../support/pty.js";
import { json, fails, writes, ErrorDoc } from "../support/assertions.js";
import { buildTarball, type HexServer } from "../support/hex-server/index.js";
import { form } from "../support/hex-server/test-client.js";
import type { State } from "../support/hex-server/state.js";
import { createContext } from "../../src/commands/context.js";
import { storeCredential } from "../../src/config/index.js";

const ChangeDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    action: z.enum(["add", "transfer", "remove"]),
    package: z.string(),
    repository: z.string(),
    user: z.string(),
    level: z.enum(["full", "maintainer"]).optional(),
    changed: z.boolean(),
    removed: z.array(z.string()).optional(),
  }),
});
const OwnersDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    package: z.string(),
    repository: z.string(),
    owners: z.array(
      z.object({
        username: z.string(),
        email: z.string().nullable(),
        level: z.string(),
        fullName: z.string().nullable(),
        url: z.string().nullable(),
      }),
    ),
  }),
});
const PackagesDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    username: z.string(),
    packages: z.array(
      z.object({
        name: z.string(),
        repository: z.string(),
        display: z.string(),
        htmlUrl: z.string().nullable(),
        url: z.string().nullable(),
      }),
    ),
  }),
});

/**
 * A server with ana (full owner of foo and bar), bob (maintainer of bar), cid, the organization acme and its
 * package.
 */
async function world(t: { after(fn: () => unknown): void }) {
  const { server, home } = await serverAndHome(t);
  const ana = server.addUser({ username: "ana", email: "ana@example.com", fullName: "Ana" });
  const bob = server.addUser({ username: "bob", email: "bob@example.com" });
  const cid = server.addUser({ username: "cid", email: "cid+hex@example.com" });
  server.addOrganization({ name: "acme", admin: "ana", members: [{ username: "bob", role: "write" }] });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "bar", version: "0.1.0" }) });
  server.addRelease({ repository: "acme", owner: "ana", tarball: buildTarball({ name: "secret", version: "0.1.0" }) });
  const state = server.state as State;
  state.findPackage("hexpm", "bar")!.owners.set(state.findUser("bob")!.id, "maintainer");
  const env = { ...home.env, HEX_API_URL: server.apiUrl };
  const as =
    (key: string | undefined) =>
    (args: string[], extra: Record<string, string | undefined> = {}) =>
      runHexts(args, { env: { ...env, HEX_API_KEY: key, ...extra }, cwd: home.dir });
  const owners = (pkg: string, repository = "hexpm") =>
    [...state.findPackage(repository, pkg)!.owners]
      .map(([id, level]) => `${state.users.get(id)!.username}:${level}`)
      .sort();
  return {
    server,
    home,
    env,
    state,
    ana,
    bob,
    cid,
    owners,
    hexts: as(ana.apiKey),
    asBob: as(bob.apiKey),
    anonymous: as(undefined),
  };
}

test("owner list: a table of username, email and level; --json has every owner", async (t) => {
  const w = await world(t);
  const human = await w.hexts(["owner", "list", "bar"]);
  assert.equal(human.code, 0, human.stderr);
  assert.deepEqual(
    human.stdout.split("\n").map((l) => l.trimEnd()),
    [
      "Username  Email            Level",
      "ana       ana@example.com  full",
      "bob       bob@example.com  maintainer",
      "",
    ],
  );
  const doc = json(OwnersDoc, await w.hexts(["owner", "list", "bar", "--json"]));
  assert.equal(doc.data.package, "bar");
  assert.equal(doc.data.repository, "hexpm");
  assert.deepEqual(
    doc.data.owners.map((o) => [o.username, o.email, o.level, o.fullName]),
    [
      ["ana", "ana@example.com", "full", "Ana"],
      ["bob", "bob@example.com", "maintainer", null],
    ],
  );
  // A public package's owners are readable without logging in.
  const anon = await w.anonymous(["owner", "list", "foo"]);
  assert.equal(anon.code, 0, anon.stderr);
  assert.match(anon.stdout, /^ana\s+ana@example\.com\s+full$/m);
});

test("owner list of an unknown package: NOT_FOUND, exit 1, one line", async (t) => {
  const w = await world(t);
  fails(await w.hexts(["owner", "list", "nope"]), 1, /package nope does not exist in hexpm/);
  const doc = json(ErrorDoc, await w.hexts(["owner", "list", "nope", "--json"]));
  assert.equal(doc.error.code, "NOT_FOUND");
  assert.equal(doc.error.status, 404);
});

test("owner add: default level full, --level maintainer, the PUT body, and re-levelling", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["owner", "add", "foo", "bob"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Added bob as an owner of foo (level full)\n");
  assert.deepEqual(w.owners("foo"), ["ana:full", "bob:full"]);
  const put = writes(w.server).at(-1)!;
  assert.deepEqual([put.method, put.path, put.status], ["PUT", "/api/packages/foo/owners/bob", 204]);

  const doc = json(
    ChangeDoc,
    await w.hexts(["owner", "add", "foo", "bob@example.com", "--level", "maintainer", "--json"]),
  );
  assert.deepEqual(doc.data, {
    action: "add",
    package: "foo",
    repository: "hexpm",
    user: "bob@example.com",
    level: "maintainer",
    changed: true,
  });
  assert.deepEqual(w.owners("foo"), ["ana:full", "bob:maintainer"]);
  assert.equal(writes(w.server).at(-1)!.path, "/api/packages/foo/owners/bob%2540example.com");
});

test("owner add with an email holding + reaches the server intact (it decodes owner names twice)", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["owner", "add", "foo", "cid+hex@example.com", "-l", "maintainer"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(w.owners("foo"), ["ana:full", "cid:maintainer"]);
  assert.equal(writes(w.server).at(-1)!.path, "/api/packages/foo/owners/cid%252Bhex%2540example.com");
});

test("owner add errors: unknown package, unknown user, not a full owner, bad level, not logged in", async (t) => {
  const w = await world(t);
  fails(await w.hexts(["owner", "add", "nope", "bob"]), 1, /package nope does not exist in hexpm/);
  fails(await w.hexts(["owner", "add", "foo", "zed"]), 1, /no Hex user or organization is called "zed"/);
  fails(
    await w.asBob(["owner", "add", "bar", "cid"]),
    3,
    /you are not a full owner of bar: only full owners can add, transfer or remove owners/,
  );
  fails(await w.asBob(["owner", "add", "foo", "cid"]), 3, /you are not a full owner of foo/);
  const level = await w.hexts(["owner", "add", "foo", "bob", "--level", "boss"]);
  assert.equal(level.code, 2);
  assert.match(level.stderr, /Allowed choices are full, maintainer/);
  fails(
    await w.anonymous(["owner", "add", "foo", "bob"]),
    3,
    /not logged in to .*: run `hexts user auth`, or set HEX_API_KEY/,
  );
  // Not logged in is said before any confirmation is asked.
  fails(await w.anonymous(["owner", "transfer", "foo", "bob"]), 3, /not logged in/);
  fails(await w.anonymous(["owner", "remove", "foo", "ana"]), 3, /not logged in/);
  const codes = await Promise.all([
    w.hexts(["owner", "add", "nope", "bob", "--json"]),
    w.hexts(["owner", "add", "foo", "zed", "--json"]),
    w.asBob(["owner", "add", "bar", "cid", "--json"]),
    w.anonymous(["owner", "add", "foo", "bob", "--json"]),
  ]);
  assert.deepEqual(
    codes.map((r) => [r.code, json(ErrorDoc, r).error.code]),
    [
      [1, "NOT_FOUND"],
      [1, "NOT_FOUND"],
      [3, "FORBIDDEN"],
      [3, "NOT_AUTHENTICATED"],
    ],
  );
  assert.deepEqual(w.owners("foo"), ["ana:full"], "nothing changed");
});

test("owner add of an org without --transfer says to transfer; --transfer + maintainer refused locally", async (t) => {
  const w = await world(t);
  fails(
    await w.hexts(["owner", "add", "foo", "acme"]),
    1,
    /"acme" is an organization: a package can only be transferred to it \(`hexts owner transfer foo acme`\)/,
  );
  const before = w.server.requests.length;
  const r = await w.hexts(["owner", "add", "foo", "bob", "--transfer", "--level", "maintainer"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--transfer makes the user the only owner, so the level must be full/);
  assert.equal(w.server.requests.length, before, "no request");
});

test("owner transfer: refused without --yes if no prompt, done with --yes, no-op if already sole owner", async (t) => {
  const w = await world(t);
  const noYes = await w.hexts(["owner", "transfer", "bar", "cid"]);
  assert.equal(noYes.code, 2, noYes.stderr);
  assert.match(
    noYes.stderr,
    new RegExp(
      /^hexts: confirmation required \(Transfer bar to cid\? This removes ana, bob as owners\.\); /.source +
        /this run cannot prompt, so pass --yes\n$/.source,
    ),
  );
  const jsonNoYes = json(ErrorDoc, await w.hexts(["owner", "transfer", "bar", "cid", "--json"]));
  assert.equal(jsonNoYes.error.code, "INPUT_REQUIRED");
  assert.match(jsonNoYes.error.message, /--yes/);
  assert.equal(writes(w.server).length, 0, "nothing was sent");

  const done = await w.hexts(["owner", "transfer", "bar", "cid", "--yes"]);
  assert.equal(done.code, 0, done.stderr);
  assert.equal(done.stdout, "Transferred bar to cid (removed: ana, bob)\n");
  assert.deepEqual(w.owners("bar"), ["cid:full"]);
  const put = writes(w.server).at(-1)!;
  assert.deepEqual([put.method, put.path], ["PUT", "/api/packages/bar/owners/cid"]);

  const again = json(
    ChangeDoc,
    await runHexts(["owner", "transfer", "bar", "cid", "--json", "--yes"], {
      env: { ...w.env, HEX_API_KEY: w.cid.apiKey },
    }),
  );
  assert.deepEqual(again.data, {
    action: "transfer",
    package: "bar",
    repository: "hexpm",
    user: "cid",
    level: "full",
    changed: false,
    removed: [],
  });
});

test("owner add --transfer is a transfer (same confirmation), and transferring to an organization works", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["owner", "add", "foo", "acme", "--transfer", "-y", "--json"]);
  const doc = json(ChangeDoc, r);
  assert.deepEqual(doc.data, {
    action: "transfer",
    package: "foo",
    repository: "hexpm",
    user: "acme",
    level: "full",
    changed: true,
    removed: ["ana"],
  });
  assert.deepEqual(w.owners("foo"), ["acme:full"]);
  const put = writes(w.server).at(-1)!;
  assert.equal(put.path, "/api/packages/foo/owners/acme");
});

test("owner remove: asks (or needs --yes), removes, and maps not-an-owner and last-owner refusals", async (t) => {
  const w = await world(t);
  const noYes = await w.hexts(["owner", "remove", "bar", "bob"]);
  assert.equal(noYes.code, 2);
  assert.match(noYes.stderr, /Remove bob from the owners of bar.*pass --yes/);
  assert.deepEqual(w.owners("bar"), ["ana:full", "bob:maintainer"]);

  const removed = await w.hexts(["owner", "remove", "bar", "bob", "--yes"]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout, "Removed bob from the owners of bar\n");
  assert.deepEqual(w.owners("bar"), ["ana:full"]);
  assert.deepEqual(
    [writes(w.server).at(-1)!.method, writes(w.server).at(-1)!.path],
    ["DELETE", "/api/packages/bar/owners/bob"],
  );

  fails(await w.hexts(["owner", "remove", "bar", "bob", "--yes"]), 1, /"bob" is not an owner of bar \(owners: ana\)/);
  // An email may be hidden from the owner list, so the server decides; its 422 is mapped.
  fails(
    await w.hexts(["owner", "remove", "bar", "cid+hex@example.com", "--yes"]),
    1,
    /"cid\+hex@example\.com" is not an owner of bar$/,
  );
  fails(
    await w.hexts(["owner", "remove", "bar", "ana", "--yes"]),
    1,
    /"ana" is the only owner of bar and cannot be removed; add another owner first, or transfer the package/,
  );
  fails(await w.hexts(["owner", "remove", "nope", "ana", "--yes"]), 1, /package nope does not exist in hexpm/);
  fails(await w.asBob(["owner", "remove", "foo", "ana", "--yes"]), 3, /you are not a full owner of foo/);

  const doc = json(ChangeDoc, await w.hexts(["owner", "add", "bar", "bob", "--level", "maintainer", "--json"]));
  assert.equal(doc.data.changed, true);
  const last = json(ErrorDoc, await w.hexts(["owner", "remove", "bar", "ana", "--yes", "--json"]));
  assert.equal(last.error.code, "VALIDATION_FAILED");
  assert.match(last.error.message, /"ana" is the last full owner of bar and cannot be removed/);
  const gone = json(ChangeDoc, await w.hexts(["owner", "remove", "bar", "bob", "--yes", "--json"]));
  assert.deepEqual(gone.data, { action: "remove", package: "bar", repository: "hexpm", user: "bob", changed: true });
});

test("owner packages and `owner list packages`: what I own, REPO/NAME outside hexpm, --json", async (t) => {
  const w = await world(t);
  w.state.findPackage("acme", "secret")!.owners.set(w.state.findUser("ana")!.id, "full");
  for (const args of [
    ["owner", "packages"],
    ["owner", "list", "packages"],
  ]) {
    const r = await w.hexts(args);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split("\n").map((l) => l.trimEnd()),
      [
        "Package      URL",
        `bar          ${w.server.url}/packages/bar`,
        `foo          ${w.server.url}/packages/foo`,
        `acme/secret  ${w.server.url}/packages/acme/secret`,
        "",
      ],
    );
  }
  const doc = json(PackagesDoc, await w.hexts(["owner", "list", "packages", "--json"]));
  assert.equal(doc.data.username, "ana");
  assert.deepEqual(
    doc.data.packages.map((p) => [p.name, p.repository, p.display]),
    [
      ["bar", "hexpm", "bar"],
      ["foo", "hexpm", "foo"],
      ["secret", "acme", "acme/secret"],
    ],
  );
  const onlyAcme = json(PackagesDoc, await w.hexts(["owner", "packages", "--organization", "acme", "--json"]));
  assert.deepEqual(
    onlyAcme.data.packages.map((p) => p.display),
    ["acme/secret"],
  );
  const cid = await runHexts(["owner", "packages"], { env: { ...w.env, HEX_API_KEY: w.cid.apiKey } });
  assert.deepEqual([cid.code, cid.stdout], [0, "cid does not own any packages\n"]);
  fails(await w.anonymous(["owner", "packages"]), 3, /not logged in/);
});

test("--organization and --repo hexpm:ORG work on the organization's repository", async (t) => {
  const w = await world(t);
  const list = json(OwnersDoc, await w.hexts(["owner", "list", "secret", "--organization", "acme", "--json"]));
  assert.deepEqual([list.data.repository, list.data.owners], ["hexpm:acme", []]);
  const human = await w.hexts(["owner", "list", "secret", "--repo", "hexpm:acme"]);
  assert.deepEqual([human.code, human.stdout], [0, "secret has no owners\n"]);

  const add = await w.hexts(["owner", "add", "secret", "bob", "--organization", "acme", "--level", "maintainer"]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stdout, "Added bob as an owner of acme/secret (level maintainer)\n");
  assert.equal(writes(w.server).at(-1)!.path, "/api/repos/acme/packages/secret/owners/bob");
  assert.deepEqual(w.owners("secret", "acme"), ["bob:maintainer"]);

  fails(
    await w.hexts(["owner", "add", "secret", "cid", "--organization", "acme"]),
    1,
    /"cid" is not a member of the organization acme, so it cannot own acme\/secret/,
  );
  // Outsiders cannot even see the package.
  fails(
    await runHexts(["owner", "list", "secret", "--organization", "acme"], {
      env: { ...w.env, HEX_API_KEY: w.cid.apiKey },
    }),
    1,
    /package acme\/secret does not exist in hexpm:acme \(or you cannot see it\)/,
  );
  const clash = await w.hexts(["owner", "list", "secret", "--organization", "acme", "--repo", "hexpm:other"]);
  assert.equal(clash.code, 2);
});

// ---- two-factor codes for OAuth logins ----

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

/** Logs `username` in through the server's device flow and stores the token in the test home, as `user auth` would. */
async function oauthLogin(server: HexServer, username: string, env: Record<string, string>): Promise<void> {
  const device = (await form(server, "/oauth/device_authorization", { client_id: "hexts", scope: "api" })).body;
  server.approveDevice(device.user_code, username);
  const token = (
    await form(server, "/oauth/token", { grant_type: DEVICE, device_code: device.device_code, client_id: "hexts" })
  ).body;
  const ctx = createContext({
    flags: { json: false, yes: false, verbose: false, color: false },
    env,
    interactive: false,
  });
  await storeCredential(ctx, server.apiUrl, {
    type: "oauth",
    accessToken: token.access_token,
    refreshToken: token.refresh_token,
    expiresAt: Math.floor(Date.now() / 1000) + token.expires_in,
    username,
  });
}

async function twoFactorWorld(t: { after(fn: () => unknown): void }) {
  const { server, home } = await serverAndHome(t);
  server.addUser({ username: "tia", email: "tia@example.com", twoFactor: true });
  server.addUser({ username: "bob", email: "bob@example.com" });
  server.addRelease({ owner: "tia", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  server.addRelease({ owner: "tia", tarball: buildTarball({ name: "bar", version: "1.0.0" }) });
  const env = { ...home.env, HEX_API_URL: server.apiUrl };
  await oauthLogin(server, "tia", env);
  const state = server.state as State;
  const owners = (pkg: string) =>
    [...state.findPackage("hexpm", pkg)!.owners]
      .map(([id, level]) => `${state.users.get(id)!.username}:${level}`)
      .sort();
  return { server, home, env, owners };
}

test("OAuth writes: code from --otp or HEX_OTP; without one a non-interactive run fails naming --otp", async (t) => {
  const w = await twoFactorWorld(t);
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runHexts(args, { env: { ...w.env, ...extra }, cwd: w.home.dir });

  const missing = await run(["owner", "add", "foo", "bob"]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /two-factor authentication code: pass `--otp CODE` or set HEX_OTP/);
  const missingJson = json(ErrorDoc, await run(["owner", "add", "foo", "bob", "--json"]));
  assert.equal(missingJson.error.code, "OTP_REQUIRED");

  const wrong = await run(["owner", "add", "foo", "bob", "--otp", "000000"]);
  assert.equal(wrong.code, 3);
  assert.match(wrong.stderr, /not accepted/);
  assert.doesNotMatch(wrong.stderr, /000000/, "the code is never printed");
  assert.deepEqual(w.owners("foo"), ["tia:full"]);

  // The code as given (computing it again could fall in the next 30-second window).
  const code = w.server.totp("tia");
  const withFlag = await run(["owner", "add", "foo", "bob", "--otp", code]);
  assert.equal(withFlag.code, 0, withFlag.stderr);
  assert.deepEqual(w.owners("foo"), ["bob:full", "tia:full"]);
  const put = writes(w.server).at(-1)!;
  assert.equal(put.headers["x-hex-otp"], code);

  const withEnv = await run(["owner", "remove", "foo", "bob", "--yes"], { HEX_OTP: w.server.totp("tia") });
  assert.equal(withEnv.code, 0, withEnv.stderr);
  assert.deepEqual(w.owners("foo"), ["tia:full"]);
  // Reads never need a code.
  assert.equal((await run(["owner", "list", "foo"])).code, 0);
});

test("on a terminal: the transfer confirmation and the two-factor prompt (hidden), in one run", async (t) => {
  const w = await twoFactorWorld(t);
  const term = spawnPty(["owner", "transfer", "foo", "bob"], { env: w.env, cwd: w.home.dir });
  t.after(() => term.kill());
  await term.waitFor(/Transfer foo to bob\? This removes tia as owner\./);
  term.line("y");
  await term.waitFor("Two-factor authentication code");
  const code = w.server.totp("tia");
  term.line(code);
  const { exitCode } = await term.exited;
  assert.equal(exitCode, 0, term.screen);
  assert.match(term.screen, /Transferred foo to bob \(removed: tia\)/);
  assert.ok(!term.screen.includes(code), "the code is not echoed");
  assert.deepEqual(w.owners("foo"), ["bob:full"]);
});

test("on a terminal: a wrong code is asked again, up to 3 times, then OTP_INVALID", async (t) => {
  const w = await twoFactorWorld(t);
  const term = spawnPty(["owner", "add", "bar", "bob", "--level", "maintainer"], { env: w.env, cwd: w.home.dir });
  t.after(() => term.kill());
  await term.waitFor("Two-factor authentication code");
  term.line("111111");
  await term.waitFor("that two-factor code was not accepted");
  await term.waitFor("Two-factor authentication code (try again)");
  term.line(w.server.totp("tia"));
  const ok = await term.exited;
  assert.equal(ok.exitCode, 0, term.screen);
  assert.match(term.screen, /Added bob as an owner of bar \(level maintainer\)/);

  const bad = spawnPty(["owner", "add", "bar", "bob"], { env: w.env, cwd: w.home.dir });
  t.after(() => bad.kill());
  await bad.waitFor("Two-factor authentication code:");
  bad.line("123450");
  for (const code of ["123451", "123452"]) {
    await bad.waitFor("that two-factor code was not accepted");
    await bad.waitFor("Two-factor authentication code (try again):");
    bad.line(code);
  }
  const failed = await bad.exited;
  assert.equal(failed.exitCode, 3, bad.screen);
  assert.match(bad.screen, /not accepted after 3 attempts/);
  assert.deepEqual(w.owners("bar"), ["bob:maintainer", "tia:full"]);
});

test("on a terminal: declining the removal cancels with exit 130 and changes nothing", async (t) => {
  const w = await world(t);
  const term = spawnPty(["owner", "remove", "bar", "bob"], {
    env: { ...w.env, HEX_API_KEY: w.ana.apiKey },
    cwd: w.home.dir,
  });
  t.after(() => term.kill());
  await term.waitFor("Remove bob from the owners of bar?");
  term.line("n");
  const { exitCode } = await term.exited;
  assert.equal(exitCode, 130, term.screen);
  assert.match(term.screen, /cancelled: bob is still an owner of bar/);
  assert.deepEqual(w.owners("bar"), ["ana:full", "bob:maintainer"]);
  assert.equal(writes(w.server).length, 0);
});
