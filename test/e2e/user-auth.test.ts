// `hexts user auth` end to end, the built CLI against the local Hex server: the OAuth device flow (no TTY and on a
// pseudo-terminal, browser opening through a recording BROWSER program), a dashboard API key (flag, stdin, hidden
// prompt), username and password (rebar3_hex's three keys), the local password offer, and every refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { spawnPty } from "../support/pty.js";
import {
  fails,
  failsJson,
  json,
  noSecrets,
  requests,
  startHexts,
  USER_CODE,
  userCodeOf,
  world,
  type World,
  exitOf,
} from "./user-helpers.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const PTY_CODE = /  ([23456789BCDFGHJKLMNPQRSTVWXYZ]{4})-([23456789BCDFGHJKLMNPQRSTVWXYZ]{4})\r?\n/;

const AuthDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    method: z.enum(["oauth", "key", "password"]),
    apiUrl: z.string(),
    username: z.string().nullable(),
    keyName: z.string().nullable(),
    scope: z.string().nullable().optional(),
    expiresAt: z.number().optional(),
    keysCreated: z
      .array(z.object({ name: z.string(), permissions: z.array(z.string()), stored: z.boolean() }))
      .optional(),
    encrypted: z.boolean(),
    configFile: z.string(),
  }),
});

/** A BROWSER program that records the URL it was asked to open, so tests see what would have opened. */
function recordingBrowser(w: World): { env: string; opened(): string[] } {
  const log = join(w.home.dir, "browser.log");
  const script = join(w.home.dir, "browser.sh");
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`);
  chmodSync(script, 0o755);
  // The shell creates the log before printf writes to it: an empty file is no opened page yet.
  const opened = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []);
  return { env: script, opened };
}

/** Waits until the recorded file has a line (the browser program runs detached). */
async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---- OAuth device flow ----

test("OAuth without a TTY (--oauth): URL and code printed first, no browser, token pair stored and used", async (t) => {
  const w = await world(t, { deviceInterval: 1 });
  w.server.addUser({ username: "ana", twoFactor: true });
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const browser = recordingBrowser(w);
  const run = startHexts(["user", "auth", "--oauth"], { env: { ...w.env, BROWSER: browser.env }, cwd: w.home.dir });
  const code = userCodeOf(await run.waitForStderr(USER_CODE));
  await run.waitForStderr(/Waiting for you to approve/);
  w.server.approveDevice(code, "ana");
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Logged in as ana on http:\/\/127\.0\.0\.1:\d+\/api \(OAuth login, renewed automatically\)\.\n$/,
  );
  const page = `${w.server.url}/oauth/device?user_code=${code}`;
  assert.ok(r.stderr.indexOf(page) >= 0 && r.stderr.indexOf(page) < r.stderr.indexOf("Waiting"), r.stderr);
  assert.match(r.stderr, /warning: credentials are stored unencrypted in .*hexts\.json/);
  assert.deepEqual(browser.opened(), [], "no browser without a TTY");

  const device = [...w.state.deviceCodes.values()][0]!;
  assert.equal(device.clientId, "hexts");
  assert.deepEqual(device.scopes.slice().sort(), ["api:read", "api:write", "repositories"]);
  for (const req of requests(w.server, { path: /^\/api\/oauth\// }))
    assert.equal(req.headers.authorization, undefined, "no credential to OAuth endpoints");

  const cred = w.config().credentials[w.server.apiUrl];
  assert.equal(cred.type, "oauth");
  assert.equal(cred.username, "ana");
  assert.equal(typeof cred.access_token, "string");
  assert.equal(typeof cred.refresh_token, "string");
  assert.ok(Math.abs(cred.expires_at - (Date.now() / 1000 + 1800)) < 60, "expiry stored as unix seconds");
  assert.equal(w.configMode(), 0o600);

  const who = await w.hexts(["user", "whoami"]);
  assert.equal(who.code, 0, who.stderr);
  assert.equal(who.stdout, "ana\norganizations: acme (admin)\n");
  assert.equal(
    requests(w.server, { path: "/api/users/me" }).at(-1)!.headers.authorization,
    `Bearer ${cred.access_token}`,
  );
  noSecrets(r.stdout + r.stderr + who.stdout + who.stderr, [cred.access_token, cred.refresh_token]);
});

test("OAuth on a terminal opens the browser at the code's page, then offers a hidden local password", async (t) => {
  const w = await world(t, { deviceInterval: 1 });
  w.server.addUser({ username: "ana", twoFactor: true });
  const browser = recordingBrowser(w);
  const s = spawnPty(["user", "auth"], { env: { ...w.env, BROWSER: browser.env }, cwd: w.home.dir });
  t.after(() => s.kill());
  const code = userCodeOf((await s.waitFor(PTY_CODE)).match(PTY_CODE)!);
  await eventually(() => browser.opened().length > 0);
  assert.deepEqual(browser.opened(), [`${w.server.url}/oauth/device?user_code=${code}`]);
  w.server.approveDevice(code, "ana");
  await s.waitFor("Local password:", 15_000);
  s.line("pty-local-secret");
  await s.waitFor("Local password (confirm):");
  s.line("pty-local-secret");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Logged in as ana/);
  assert.match(s.screen, /Stored encrypted with your local password/);
  assert.ok(!s.screen.includes("pty-local-secret"), `the local password is on the screen:\n${s.screen}`);
  const config = w.config();
  assert.ok(config.local_password, "a local password check is stored");
  assert.equal(typeof config.credentials[w.server.apiUrl].access_token, "object", "the token is sealed");

  fails(await w.hexts(["user", "whoami"]), 2, /Local password is required.*HEX_LOCAL_PASSWORD/);
  const who = await w.hexts(["user", "whoami"], { env: { HEX_LOCAL_PASSWORD: "pty-local-secret" } });
  assert.equal(who.stdout, "ana\n", who.stderr);
});

test("OAuth on a terminal with --no-browser opens nothing", async (t) => {
  const w = await world(t, { deviceInterval: 1 });
  w.server.addUser({ username: "ana", twoFactor: true });
  const browser = recordingBrowser(w);
  const s = spawnPty(["user", "auth", "--no-browser", "--no-local-password"], {
    env: { ...w.env, BROWSER: browser.env },
    cwd: w.home.dir,
  });
  t.after(() => s.kill());
  const code = userCodeOf((await s.waitFor(PTY_CODE)).match(PTY_CODE)!);
  w.server.approveDevice(code, "ana");
  assert.equal(await exitOf(s), 0, s.screen);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(browser.opened(), []);
});

test("OAuth honours slow_down: the next poll waits 5 s longer", async (t) => {
  const w = await world(t, { deviceInterval: 1 });
  w.server.addUser({ username: "ana", twoFactor: true });
  const run = startHexts(["--json", "user", "auth", "--oauth"], { env: w.env, cwd: w.home.dir });
  const code = userCodeOf(await run.waitForStderr(USER_CODE));
  w.server.slowDownDevice!(code, 1);
  w.server.approveDevice(code, "ana");
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  const doc = json(AuthDoc, r);
  assert.equal(doc.data.method, "oauth");
  assert.equal(doc.data.scope, "api:read api:write repository:hexpm");
  const polls = requests(w.server, { method: "POST", path: "/api/oauth/token" });
  assert.deepEqual(
    polls.map((p) => p.status),
    [400, 200],
  );
  assert.ok(polls[1]!.at - polls[0]!.at >= 5900, `second poll ${polls[1]!.at - polls[0]!.at} ms after the slow_down`);
});

test("OAuth failures: a refused client points to --key; a denied login, a read-only grant explained", async (t) => {
  const w = await world(t, { deviceInterval: 0 });
  w.server.addUser({ username: "ana" });

  const refused = await w.hexts(["user", "auth", "--oauth"], { env: { HEX_OAUTH_CLIENT_ID: "someone-else" } });
  fails(refused, 3, /does not accept the OAuth client id "someone-else".*HEX_OAUTH_CLIENT_ID.*hexts user auth --key/);
  failsJson(
    await w.hexts(["--json", "user", "auth", "--oauth"], { env: { HEX_OAUTH_CLIENT_ID: "someone-else" } }),
    3,
    "OAUTH_FAILED",
  );

  const denied = startHexts(["user", "auth", "--oauth"], { env: w.env, cwd: w.home.dir });
  w.server.denyDevice(userCodeOf(await denied.waitForStderr(USER_CODE)));
  fails(await denied.done, 3, /denied/);
  assert.equal(existsSync(join(w.home.env.HEX_HOME, "hexts.json")), false, "nothing stored");

  // ana has no two-factor authentication: the page grants read scopes only, and hexts says what that means
  const readOnly = startHexts(["user", "auth", "--oauth", "--no-local-password"], { env: w.env, cwd: w.home.dir });
  w.server.approveDevice(userCodeOf(await readOnly.waitForStderr(USER_CODE)), "ana", ["api:read", "repositories"]);
  const r = await readOnly.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: this login grants no API write access.*two-factor.*hexts user auth --key/);
});

test("in CI, auth without a method fails at once and names --key", async (t) => {
  const w = await world(t);
  fails(
    await w.hexts(["user", "auth"], { env: { CI: "true" } }),
    2,
    /in CI, log in with an API key: `hexts user auth --key -`.*--oauth/,
  );
  assert.equal(requests(w.server).length, 0, "no request made");
});

test("no TTY, --json or --yes: auth without a method fails at once naming --key and HEX_API_KEY", async (t) => {
  const w = await world(t);
  for (const args of [
    ["user", "auth"],
    ["--yes", "user", "auth"],
  ])
    fails(await w.hexts(args), 2, /this run cannot prompt.*`hexts user auth --key -`.*HEX_API_KEY.*--oauth/);
  const doc = failsJson(await w.hexts(["--json", "user", "auth"]), 2, "INPUT_REQUIRED");
  assert.match(doc.error.message, /--key.*HEX_API_KEY/);
  assert.equal(requests(w.server).length, 0, "no request made, nothing waited for");
  assert.equal(existsSync(join(w.home.env.HEX_HOME, "hexts.json")), false, "nothing stored");
});

test("OAuth client refused (hex.pm's invalid_client): on a terminal, login goes on with a dashboard key", async (t) => {
  const w = await world(t, { oauthClients: [] });
  const ana = w.server.addUser({ username: "ana" });
  const browser = recordingBrowser(w);
  const s = spawnPty(["user", "auth", "--no-local-password"], {
    env: { ...w.env, BROWSER: browser.env },
    cwd: w.home.dir,
  });
  t.after(() => s.kill());
  await s.waitFor(/does not accept the OAuth client id "hexts".*log in with an API key instead\./);
  const page = `${w.server.url}/dashboard/keys`;
  await s.waitFor(page);
  await s.waitFor("API key (from your account's dashboard):");
  await eventually(() => browser.opened().length > 0);
  assert.deepEqual(browser.opened(), [page]);
  s.line(ana.apiKey);
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Logged in as ana on .* \(API key /);
  assert.ok(!s.screen.includes(ana.apiKey), `the key is on the screen:\n${s.screen}`);
  const refused = requests(w.server, { method: "POST", path: "/api/oauth/device_authorization" });
  assert.deepEqual(
    refused.map((r) => r.status),
    [401],
  );
  const check = requests(w.server, { path: "/api/auth" });
  assert.equal(check.length, 1);
  assert.equal(check[0]!.query.domain, "api");
  assert.equal(check[0]!.headers.authorization, ana.apiKey);
  const cred = w.config().credentials[w.server.apiUrl];
  assert.equal(cred.type, "key");
  assert.equal(cred.key, ana.apiKey);
  assert.equal(cred.username, "ana");
});

test("invalid_client on a terminal: --no-browser opens nothing; a wrong pasted key refused, not stored", async (t) => {
  const w = await world(t, { oauthClients: [] });
  w.server.addUser({ username: "ana" });
  const browser = recordingBrowser(w);
  const s = spawnPty(["user", "auth", "--no-browser", "--no-local-password"], {
    env: { ...w.env, BROWSER: browser.env },
    cwd: w.home.dir,
  });
  t.after(() => s.kill());
  await s.waitFor("API key (from your account's dashboard):");
  s.line("deadbeefdeadbeefdeadbeefdeadbeef");
  assert.equal(await exitOf(s), 3, s.screen);
  assert.match(s.screen, /the server rejected this API key/);
  assert.ok(!s.screen.includes("deadbeefdeadbeefdeadbeefdeadbeef"), s.screen);
  assert.deepEqual(browser.opened(), []);
  assert.equal(existsSync(join(w.home.env.HEX_HOME, "hexts.json")), false, "nothing stored");
});

// ---- an API key from the dashboard ----

test("--key KEY is checked with /auth?domain=api and stored with its name and owner", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  const r = await w.hexts(["--json", "user", "auth", "--key", ana.apiKey]);
  const doc = json(AuthDoc, r);
  assert.deepEqual(
    {
      method: doc.data.method,
      username: doc.data.username,
      keyName: doc.data.keyName,
      encrypted: doc.data.encrypted,
    },
    { method: "key", username: "ana", keyName: "seed-api", encrypted: false },
  );
  const check = requests(w.server, { path: "/api/auth" });
  assert.equal(check.length, 1);
  assert.deepEqual(check[0]!.query, { domain: "api" });
  assert.equal(check[0]!.headers.authorization, ana.apiKey);
  assert.deepEqual(w.config().credentials[w.server.apiUrl], {
    type: "key",
    key: ana.apiKey,
    username: "ana",
    key_name: "seed-api",
  });
  assert.equal(w.configMode(), 0o600);
  noSecrets(r.stdout + r.stderr, [ana.apiKey]);
  // The key was on the command line: say who else can see it, and the two ways that avoid it.
  assert.match(
    r.stderr,
    new RegExp(
      /warning: a key given on the command line is visible to other users of this machine /.source +
        /.*--key alone to paste it at a hidden prompt, or pipe it on stdin with --key -/.source,
    ),
  );
});

test("a key piped on stdin (--key - or --key alone) is stored; an empty stdin is exit 2 naming --key", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  for (const args of [["--key", "-"], ["--key"]]) {
    const r = await w.hexts(["user", "auth", ...args, "--no-local-password"], { input: `${ana.apiKey}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Logged in as ana on .* \(API key seed-api\)\.\n$/);
    noSecrets(r.stdout + r.stderr, [ana.apiKey]);
    assert.doesNotMatch(r.stderr, /visible to other users/);
  }
  fails(await w.hexts(["user", "auth", "--key"]), 2, /API key is required.*standard input \(--key\)/);
  failsJson(await w.hexts(["--json", "user", "auth", "--key", "-"]), 2, "INPUT_REQUIRED");
});

test("keys the server refuses, organization keys and repository-only keys are not stored", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana" });
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const orgKey = w.server.addKey({
    owner: { organization: "acme" },
    name: "ci",
    permissions: [
      { domain: "repository", resource: "acme" },
      { domain: "api", resource: "read" },
    ],
  });
  const repoOnly = w.server.addKey({
    owner: { user: "ana" },
    name: "fetch",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  const bogus = "0123456789abcdef0123456789abcdef";

  const bad = await w.hexts(["user", "auth", "--key", bogus]);
  fails(bad, 3, /the server rejected this API key \(invalid API key\): check that you copied the whole key/);
  noSecrets(bad.stderr, [bogus]);
  fails(
    await w.hexts(["user", "auth", "--key", orgKey]),
    2,
    /belongs to the organization acme, not to a user: store it with `hexts organization auth acme --key KEY`/,
  );
  fails(
    await w.hexts(["user", "auth", "--key", repoOnly]),
    3,
    /this key has no API permission.*hexts organization auth ORG --key KEY/,
  );
  const doc = failsJson(await w.hexts(["--json", "user", "auth", "--key", bogus]), 3, "NOT_AUTHENTICATED");
  assert.equal(doc.error.status, 401);
  noSecrets(JSON.stringify(doc), [bogus]);
  assert.equal(existsSync(join(w.home.env.HEX_HOME, "hexts.json")), false, "nothing stored");
});

test("--key on a terminal asks for the key hidden; an empty local password stores it plain, warning", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  const s = spawnPty(["user", "auth", "--key"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  await s.waitFor("API key (from your account's dashboard):");
  s.line(ana.apiKey);
  await s.waitFor("Local password:");
  s.line("");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /warning: credentials are stored unencrypted/);
  assert.ok(!s.screen.includes(ana.apiKey), `the key is on the screen:\n${s.screen}`);
  assert.equal(w.config().credentials[w.server.apiUrl].key, ana.apiKey);
});

test("a local password from stdin or HEX_LOCAL_PASSWORD seals the stored key", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  const r = await w.hexts(["user", "auth", "--key", ana.apiKey, "--local-password-stdin"], {
    input: "stdin-local-pw\n",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Stored encrypted with your local password/);
  assert.equal(typeof w.config().credentials[w.server.apiUrl].key, "object");
  assert.ok(
    !readFileSync(join(w.home.env.HEX_HOME, "hexts.json"), "utf8").includes(ana.apiKey),
    "the key is not in the file in clear",
  );
  const who = await w.hexts(["--json", "user", "whoami"], { env: { HEX_LOCAL_PASSWORD: "stdin-local-pw" } });
  assert.equal(
    json(z.object({ ok: z.literal(true), data: z.object({ username: z.string() }) }), who).data.username,
    "ana",
  );
  fails(
    await w.hexts(["user", "whoami"], { env: { HEX_LOCAL_PASSWORD: "not-this-one" } }),
    3,
    /wrong local password in HEX_LOCAL_PASSWORD/,
  );
});

test("contradictory or misplaced auth flags are usage errors before any request", async (t) => {
  const w = await world(t);
  const cases: [string[], RegExp][] = [
    [["--key", "k", "--password"], /choose one way to log in: --key or --password/],
    [["--oauth", "--password"], /choose one way to log in/],
    [["--username", "ana"], /--username goes with --password/],
    [["--key", "-", "--local-password-stdin"], /--key and --local-password-stdin both read standard input/],
    [
      ["--password", "--password-stdin", "--local-password-stdin", "-u", "ana"],
      /--password-stdin and --local-password-stdin both read standard input/,
    ],
    [["--key", "k", "--key-name", "x"], /--key-name names keys hexts creates/],
    [["--local-password-stdin", "--no-local-password", "--key", "k"], /contradict/],
  ];
  for (const [args, pattern] of cases) fails(await w.hexts(["user", "auth", ...args]), 2, pattern);
  assert.equal(requests(w.server).length, 0);
});

// ---- username and password ----

test("--password makes one full-API key with Basic auth, stored as made by hexts; no other key is left", async (t) => {
  const w = await world(t, { basicAuth: true });
  const ana = w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const r = await w.hexts(
    ["--json", "user", "auth", "--password", "-u", "ana@example.com", "--password-stdin", "--key-name", "laptop"],
    { input: "ana-account-pw\n" },
  );
  const doc = json(AuthDoc, r);
  assert.equal(doc.data.method, "password");
  assert.equal(doc.data.username, "ana");
  assert.equal(doc.data.keyName, "laptop");
  assert.deepEqual(doc.data.keysCreated, [{ name: "laptop", permissions: ["api"], stored: true }]);
  const posts = requests(w.server, { method: "POST", path: "/api/keys" });
  assert.equal(posts.length, 1, "one key creation, sent once");
  const basic = `Basic ${Buffer.from("ana@example.com:ana-account-pw").toString("base64")}`;
  assert.equal(posts[0]!.headers.authorization, basic);
  const stored = w.config().credentials[w.server.apiUrl];
  assert.deepEqual(
    { type: stored.type, username: stored.username, key_name: stored.key_name, generated: stored.generated },
    { type: "key", username: "ana", key_name: "laptop", generated: true },
  );
  const live = [...w.state.keys.values()].filter((k) => k.revokeAt === null || k.revokeAt > Date.now());
  assert.deepEqual(live.map((k) => k.name).sort(), ["laptop", "seed-api"], "no key is left live and unused");
  const laptop = live.find((k) => k.name === "laptop")!;
  assert.equal(laptop.secretHash, sha256(stored.key));
  assert.deepEqual(laptop.permissions, [{ domain: "api", resource: null }]);
  noSecrets(r.stdout + r.stderr, ["ana-account-pw", stored.key, ana.apiKey]);
});

test("--password where Basic auth is off (hex.pm) explains the two other ways; nothing is created", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const r = await w.hexts(["user", "auth", "--password", "-u", "ana", "--password-stdin"], { input: "ana-account-pw" });
  fails(r, 3, /no longer accepts a username and password.*`hexts user auth`.*`hexts user auth --key`/);
  noSecrets(r.stderr, ["ana-account-pw"]);
  failsJson(
    await w.hexts(["--json", "user", "auth", "--password", "-u", "ana", "--password-stdin"], {
      input: "ana-account-pw",
    }),
    3,
    "BASIC_AUTH_DISABLED",
  );
  assert.equal([...w.state.keys.values()].length, 1, "only the seeded key exists");
});

test("--password without a TTY needs --username and --password-stdin; a wrong password is exit 3", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  fails(
    await w.hexts(["user", "auth", "--password", "--password-stdin"], { input: "x" }),
    2,
    /Username or email is required.*--username NAME/,
  );
  fails(
    await w.hexts(["user", "auth", "--password", "-u", "ana"]),
    2,
    /Account password is required.*--password-stdin/,
  );
  const wrong = await w.hexts(["user", "auth", "--password", "-u", "ana", "--password-stdin"], {
    input: "not-the-password",
  });
  fails(wrong, 3, /rejected the username and password/);
  noSecrets(wrong.stderr, ["not-the-password"]);
});

test("--password on a terminal asks the username, then the password hidden", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const s = spawnPty(["user", "auth", "--password", "--no-local-password", "--key-name", "desk"], {
    env: w.env,
    cwd: w.home.dir,
  });
  t.after(() => s.kill());
  await s.waitFor("Username or email:");
  s.line("ana");
  await s.waitFor("Account password:");
  s.line("ana-account-pw");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Logged in as ana on .* \(new API key desk\)/);
  assert.doesNotMatch(s.screen, /Also created/);
  assert.ok(!s.screen.includes("ana-account-pw"), `the password is on the screen:\n${s.screen}`);
});
