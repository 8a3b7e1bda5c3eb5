// `hexts user whoami | register | deauth | reset_password` end to end against the local Hex server: human and
// --json output, prompts on a pseudo-terminal with hidden input, flags and stdin without a TTY, and refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { spawnPty } from "../support/pty.js";
import { fails, failsJson, json, noSecrets, requests, storeOAuthLogin, world, exitOf } from "./user-helpers.js";

const WhoamiDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    username: z.string(),
    fullName: z.string().nullable(),
    email: z.string().nullable(),
    organizations: z.array(z.object({ name: z.string(), role: z.string() })),
    apiUrl: z.string(),
    credential: z.object({ kind: z.enum(["key", "oauth"]), source: z.string() }).nullable(),
  }),
});
const DeauthDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    apiUrl: z.string(),
    username: z.string().nullable(),
    forgotten: z.boolean(),
    revoked: z.enum(["oauth", "key"]).nullable(),
    revokeError: z.string().optional(),
    stillUsing: z.string().optional(),
    keptOnServer: z.string().nullable().optional(),
  }),
});

// ---- whoami ----

test("whoami prints the username and organizations; --json: the credential's source, never its secret", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana", fullName: "Ana B" });
  w.server.addUser({ username: "bob" });
  w.server.addOrganization({ name: "acme", admin: "bob", members: [{ username: "ana", role: "write" }] });
  w.server.addOrganization({ name: "beta", admin: "ana" });
  const r = await w.hexts(["user", "whoami"], { env: { HEX_API_KEY: ana.apiKey } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "ana\norganizations: acme (write), beta (admin)\n");
  const doc = json(WhoamiDoc, await w.hexts(["--json", "user", "whoami"], { env: { HEX_API_KEY: ana.apiKey } }));
  assert.deepEqual(doc.data.credential, { kind: "key", source: "HEX_API_KEY" });
  assert.equal(doc.data.fullName, "Ana B");
  noSecrets(JSON.stringify(doc), [ana.apiKey]);
});

test("whoami without a login is exit 3 naming `hexts user auth`; an organization's key is explained", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana" });
  w.server.addOrganization({ name: "acme", admin: "ana" });
  fails(
    await w.hexts(["user", "whoami"]),
    3,
    /not logged in to http:\/\/127\.0\.0\.1:\d+\/api: run `hexts user auth`, or set HEX_API_KEY/,
  );
  failsJson(await w.hexts(["--json", "user", "whoami"]), 3, "NOT_AUTHENTICATED");
  const orgKey = w.server.addKey({ owner: { organization: "acme" }, name: "ci" });
  fails(
    await w.hexts(["user", "whoami"], { env: { HEX_API_KEY: orgKey } }),
    3,
    /belongs to an organization, not to a user/,
  );
  const revoked = w.server.addKey({
    owner: { user: "ana" },
    name: "old",
    revokeAt: new Date(Date.now() + 1000).toISOString(),
  });
  w.server.advanceClock(5000);
  const r = await w.hexts(["user", "whoami"], { env: { HEX_API_KEY: revoked } });
  fails(r, 3, /rejected your API key: API key revoked/);
  noSecrets(r.stderr, [revoked]);
});

test("whoami with a stored OAuth login close to expiry renews it first and stores the new pair", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana", twoFactor: true });
  const old = await storeOAuthLogin(w, "ana");
  const file = w.config();
  file.credentials[w.server.apiUrl].expires_at = Math.floor(Date.now() / 1000) + 120;
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(w.home.env.HEX_HOME, "hexts.json"), JSON.stringify(file), { mode: 0o600 });
  const r = await w.hexts(["user", "whoami"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "ana\n");
  const refresh = requests(w.server, { method: "POST", path: "/api/oauth/token" });
  assert.equal(refresh.length, 2, "the device poll, then one refresh");
  const stored = w.config().credentials[w.server.apiUrl];
  assert.notEqual(stored.access_token, old.access);
  assert.notEqual(stored.refresh_token, old.refresh);
  assert.ok(stored.expires_at > Date.now() / 1000 + 1700);
  assert.equal(
    requests(w.server, { path: "/api/users/me" }).at(-1)!.headers.authorization,
    `Bearer ${stored.access_token}`,
  );
  noSecrets(r.stdout + r.stderr, [old.access, old.refresh, stored.access_token, stored.refresh_token]);
});

// ---- register ----

test("register with flags and --password-stdin shows the terms of service and creates the account", async (t) => {
  const w = await world(t);
  const r = await w.hexts(
    [
      "user",
      "register",
      "--username",
      "Newbie",
      "--email",
      "new@example.com",
      "--full-name",
      "New Bie",
      "--password-stdin",
    ],
    { input: "a-long-password\n" },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Registered newbie.\n");
  assert.match(r.stderr, /terms of service: https:\/\/hex\.pm\/policies\/termsofservice/);
  assert.match(
    r.stderr,
    /Confirm your email address with the link sent to new@example\.com, then log in with `hexts user auth`/,
  );
  const user = w.state.findUser("newbie")!;
  assert.equal(user.email, "new@example.com");
  assert.equal(user.fullName, "New Bie");
  noSecrets(r.stdout + r.stderr, ["a-long-password"]);
  assert.equal(requests(w.server, { method: "POST", path: "/api/users" })[0]!.headers.authorization, undefined);

  const json1 = await w.hexts(
    ["--json", "user", "register", "--username", "other", "--email", "other@example.com", "--password-stdin"],
    { input: "another-password" },
  );
  const doc = json(
    z.object({
      ok: z.literal(true),
      data: z.object({ username: z.string(), email: z.string(), termsOfService: z.string() }),
    }),
    json1,
  );
  assert.equal(doc.data.termsOfService, "https://hex.pm/policies/termsofservice");
  assert.match(json1.stderr, /termsofservice/, "the terms are shown in JSON mode too");
});

test("register without a TTY fails at once naming the flag; server validation: one line + field lines", async (t) => {
  const w = await world(t);
  fails(
    await w.hexts(["user", "register", "--email", "x@example.com", "--password-stdin"], { input: "a-long-password" }),
    2,
    /Username is required.*--username NAME/,
  );
  fails(
    await w.hexts(["user", "register", "--username", "xavier", "--password-stdin"], { input: "a-long-password" }),
    2,
    /Email is required.*--email EMAIL/,
  );
  fails(
    await w.hexts(["user", "register", "--username", "xavier", "--email", "x@example.com"]),
    2,
    /Account password is required.*--password-stdin/,
  );
  assert.equal(requests(w.server).length, 0);

  const r = await w.hexts(
    ["user", "register", "--username", "xavier", "--email", "x@example.com", "--password-stdin"],
    { input: "short" },
  );
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      /\nhexts: The server rejected POST .*\/api\/users: Validation error\(s\)\.\n/.source +
        /  password: should be at least 8 character\(s\)\n$/.source,
    ),
  );
  const doc = failsJson(
    await w.hexts(["--json", "user", "register", "--username", "me", "--email", "x@example.com", "--password-stdin"], {
      input: "long-enough-pw",
    }),
    1,
    "VALIDATION_FAILED",
  );
  assert.deepEqual(doc.error.lines, ["username: should be at least 3 character(s)"]);
});

test("register on a terminal asks everything, hides the password, asks again if confirmation differs", async (t) => {
  const w = await world(t);
  const s = spawnPty(["user", "register"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  await s.waitFor("termsofservice");
  await s.waitFor("Username:");
  s.line("ptyuser");
  await s.waitFor("Email:");
  s.line("pty@example.com");
  await s.waitFor("Account password:");
  s.line("first-secret-pw");
  await s.waitFor("Account password (confirm):");
  s.line("typo-secret-pw");
  await s.waitFor("do not match");
  await s.waitFor("Account password:");
  s.line("second-secret-pw");
  await s.waitFor("Account password (confirm):");
  s.line("second-secret-pw");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Registered ptyuser\./);
  for (const secret of ["first-secret-pw", "typo-secret-pw", "second-secret-pw"])
    assert.ok(!s.screen.includes(secret), `${secret} on screen:\n${s.screen}`);
  assert.ok(w.state.findUser("ptyuser"));
});

// ---- deauth ----

test("deauth of an OAuth login revokes the token on the server, then forgets it", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana", twoFactor: true });
  const tokens = await storeOAuthLogin(w, "ana");
  const r = await w.hexts(["user", "deauth"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Logged out ana from .*: revoked the OAuth session and removed the stored credentials\.\n$/);
  const revoke = requests(w.server, { method: "POST", path: "/api/oauth/revoke" });
  assert.equal(revoke.length, 1);
  assert.equal(revoke[0]!.headers.authorization, undefined);
  assert.equal(w.state.findTokenByAccess(tokens.access)!.revokedAt !== null, true, "the token is revoked server-side");
  assert.deepEqual(w.config().credentials, {});
  fails(await w.hexts(["user", "whoami"]), 3, /not logged in/);
  noSecrets(r.stdout + r.stderr, [tokens.access, tokens.refresh]);
});

test("deauth of a pasted key only forgets it: the key stays valid on the server and no DELETE is sent", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  assert.equal((await w.hexts(["user", "auth", "--key", "-", "--no-local-password"], { input: ana.apiKey })).code, 0);
  const doc = json(DeauthDoc, await w.hexts(["--json", "user", "deauth"]));
  assert.deepEqual(doc.data, {
    apiUrl: w.server.apiUrl,
    username: "ana",
    forgotten: true,
    revoked: null,
    keptOnServer: "seed-api",
  });
  assert.deepEqual(requests(w.server, { method: "DELETE" }), [], "a key hexts did not make is never revoked by deauth");
  assert.deepEqual(w.config().credentials, {});
  assert.equal(w.state.findKeyBySecret(ana.apiKey)!.revokeAt, null);
  // It still works elsewhere.
  assert.equal((await w.hexts(["user", "whoami"], { env: { HEX_API_KEY: ana.apiKey } })).code, 0);

  assert.equal((await w.hexts(["user", "auth", "--key", "-", "--no-local-password"], { input: ana.apiKey })).code, 0);
  const human = await w.hexts(["user", "deauth"]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^Logged out ana from .*: removed the stored credentials\.\n$/);
  assert.match(
    human.stderr,
    new RegExp(
      /The API key seed-api was given to hexts, not made by it, so it stays valid on the server; /.source +
        /.*hexts user key revoke seed-api/.source,
    ),
  );

  const again = await w.hexts(["user", "deauth"]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /^Not logged in on .*; nothing to forget\.\n$/);
});

test("deauth of a key hexts made (password login) revokes that key (found by name) and forgets it", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const login = await w.hexts(
    ["user", "auth", "--password", "-u", "ana", "--password-stdin", "--key-name", "laptop", "--no-local-password"],
    { input: "ana-account-pw" },
  );
  assert.equal(login.code, 0, login.stderr);
  const made = w.config().credentials[w.server.apiUrl].key as string;
  const doc = json(DeauthDoc, await w.hexts(["--json", "user", "deauth"]));
  assert.deepEqual(doc.data, { apiUrl: w.server.apiUrl, username: "ana", forgotten: true, revoked: "key" });
  const del = requests(w.server, { method: "DELETE" });
  assert.deepEqual(
    del.map((d) => d.path),
    ["/api/keys/laptop"],
  );
  assert.equal(del[0]!.headers.authorization, made);
  assert.ok([...w.state.keys.values()].find((k) => k.name === "laptop")!.revokeAt! <= Date.now() + 60_000);
});

test("deauth forgets locally even when revoking fails, with a warning; the DELETE is not repeated", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const login = await w.hexts(
    ["user", "auth", "--password", "-u", "ana", "--password-stdin", "--key-name", "laptop", "--no-local-password"],
    { input: "ana-account-pw" },
  );
  assert.equal(login.code, 0, login.stderr);
  const made = w.config().credentials[w.server.apiUrl].key as string;
  w.server.fault({ method: "DELETE", path: "/api/keys/laptop", fault: { kind: "reset" } });
  const r = await w.hexts(["user", "deauth"], { env: { HEX_API_KEY: "0000aaaa0000aaaa0000aaaa0000aaaa" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: could not revoke the login on the server \(.*\); forgetting it on this machine anyway/,
  );
  assert.match(r.stderr, /warning: HEX_API_KEY is still set, so hexts keeps authenticating with that key/);
  assert.match(r.stdout, /^Logged out ana from .*: removed the stored credentials\.\n$/);
  assert.equal(requests(w.server, { method: "DELETE" }).length, 1, "the revoke was sent once");
  assert.deepEqual(w.config().credentials, {});
  noSecrets(r.stdout + r.stderr, [made]);
});

test("deauth on a terminal asks the local password to revoke a key hexts made; 3 wrong still forgets", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const login = await w.hexts(["user", "auth", "--password", "-u", "ana", "--password-stdin"], {
    input: "ana-account-pw",
    env: { HEX_LOCAL_PASSWORD: "local-pw-123" },
  });
  assert.equal(login.code, 0, login.stderr);
  const s = spawnPty(["user", "deauth"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  for (const [prompt, attempt] of [
    ["Local password", "nope-1"],
    ["(2 of 3)", "nope-2"],
    ["(3 of 3)", "nope-3"],
  ] as const) {
    await s.waitFor(prompt, 20_000);
    s.line(attempt);
  }
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /could not revoke the login on the server \(wrong local password/);
  assert.deepEqual(w.config().credentials, {});
  assert.equal(requests(w.server, { method: "DELETE" }).length, 0);
});

// ---- reset_password ----

test("reset_password account: the server no longer offers it (404), so hexts says where to go", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana" });
  const r = await w.hexts(["user", "reset_password", "account", "--username", "ana"]);
  fails(
    r,
    1,
    new RegExp(
      "no longer resets passwords through its API; " +
        `reset yours in a browser at ${w.server.url.replace(/\./g, "\\.")}/password/new`,
    ),
  );
  assert.deepEqual(
    requests(w.server, { method: "POST" }).map((q) => q.path),
    ["/api/users/ana/reset"],
  );
  failsJson(await w.hexts(["--json", "user", "reset-password", "account", "--username", "ana"]), 1, "NOT_FOUND");
  fails(await w.hexts(["user", "reset_password", "account"]), 2, /Username or email is required.*--username NAME/);
  fails(await w.hexts(["user", "reset_password", "everything"]), 2, /<which> must be one of: account, local/);
});

test("reset_password account on a terminal asks the username", async (t) => {
  const w = await world(t);
  const s = spawnPty(["user", "reset_password", "account"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  await s.waitFor("Username or email:");
  s.line("ana@example.com");
  assert.equal(await exitOf(s), 1);
  assert.match(s.screen, /password\/new/);
  assert.deepEqual(
    requests(w.server, { method: "POST" }).map((q) => q.path),
    ["/api/users/ana%40example.com/reset"],
  );
});

test("reset_password local on a terminal: set, change (current first), remove; secrets re-encrypted", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  assert.equal((await w.hexts(["user", "auth", "--key", ana.apiKey, "--no-local-password"])).code, 0);
  const file = () => w.config().credentials[w.server.apiUrl].key;

  const sessions: ReturnType<typeof spawnPty>[] = [];
  t.after(() => sessions.forEach((x) => x.kill()));
  const reset = () => {
    const x = spawnPty(["user", "reset_password", "local"], { env: w.env, cwd: w.home.dir });
    sessions.push(x);
    return x;
  };
  let s = reset();
  await s.waitFor("New local password:");
  s.line("first-local-pw");
  await s.waitFor("New local password (confirm):");
  s.line("first-local-pw");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Local password set; 1 stored secret encrypted with it\./);
  assert.equal(typeof file(), "object");

  s = reset();
  await s.waitFor("Local password");
  s.line("first-local-pw");
  await s.waitFor("New local password (empty: remove it");
  s.line("second-local-pw");
  await s.waitFor("New local password (confirm):");
  s.line("second-local-pw");
  assert.equal(await exitOf(s), 0, s.screen);
  for (const pw of ["first-local-pw", "second-local-pw"])
    assert.ok(!s.screen.includes(pw), `${pw} on screen:\n${s.screen}`);
  assert.equal((await w.hexts(["user", "whoami"], { env: { HEX_LOCAL_PASSWORD: "second-local-pw" } })).stdout, "ana\n");

  s = reset();
  await s.waitFor("Local password");
  s.line("second-local-pw");
  await s.waitFor("New local password (empty: remove it");
  s.line("");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Local password removed; 1 stored secret now stored unencrypted\./);
  assert.equal(file(), ana.apiKey);
  assert.equal(w.config().local_password, undefined);
});

test("reset_password local, no TTY: HEX_LOCAL_PASSWORD opens, --local-password-stdin sets; none: exit 2", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  assert.equal(
    (await w.hexts(["user", "auth", "--key", ana.apiKey], { env: { HEX_LOCAL_PASSWORD: "old-local-pw" } })).code,
    0,
  );
  fails(await w.hexts(["user", "reset_password", "local"]), 2, /HEX_LOCAL_PASSWORD/);
  fails(
    await w.hexts(["user", "reset_password", "local"], { env: { HEX_LOCAL_PASSWORD: "old-local-pw" } }),
    2,
    /--local-password-stdin/,
  );
  fails(
    await w.hexts(["user", "reset_password", "local", "--local-password-stdin"], {
      env: { HEX_LOCAL_PASSWORD: "bad-local-pw" },
      input: "new-local-pw",
    }),
    3,
    /wrong local password in HEX_LOCAL_PASSWORD/,
  );
  const r = await w.hexts(["--json", "user", "reset_password", "local", "--local-password-stdin"], {
    env: { HEX_LOCAL_PASSWORD: "old-local-pw" },
    input: "new-local-pw\n",
  });
  const doc = json(
    z.object({
      ok: z.literal(true),
      data: z.object({ which: z.literal("local"), encrypted: z.boolean(), secrets: z.number() }),
    }),
    r,
  );
  assert.deepEqual([doc.data.encrypted, doc.data.secrets], [true, 1]);
  assert.equal((await w.hexts(["user", "whoami"], { env: { HEX_LOCAL_PASSWORD: "new-local-pw" } })).stdout, "ana\n");
  noSecrets(r.stdout + r.stderr, ["old-local-pw", "new-local-pw", ana.apiKey]);
  assert.equal(existsSync(join(w.home.env.HEX_HOME, "hexts.json")), true);
});
