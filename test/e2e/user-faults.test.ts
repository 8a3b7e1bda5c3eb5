// Faults for `hexts user` and `hexts organization`, the built CLI against the local server's fault injection:
// reads are retried through connection resets, 503s and a short 429; key creations and revocations are sent exactly
// once (the server's request log says so) and a cut connection says the outcome is unknown and how to check;
// every failure is one line with its exit code, --json carries the error code, and no secret leaks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fails, failsJson, noSecrets, requests, startHexts, USER_CODE, world } from "./user-helpers.js";

async function faultWorld(t: { after(fn: () => unknown): void }) {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const hexts = (args: string[], o: { env?: Record<string, string>; input?: string } = {}) =>
    w.hexts(args, { ...o, env: { HEX_API_KEY: ana.apiKey, ...o.env } });
  return { w, ana, hexts };
}

test("whoami and key list succeed through a reset, two 503s and a short 429", async (t) => {
  const { w, ana, hexts } = await faultWorld(t);
  w.server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "reset" } });
  const who = await hexts(["user", "whoami"]);
  assert.equal(who.code, 0, who.stderr);
  assert.equal(who.stdout, "ana\norganizations: acme (admin)\n");
  assert.equal(requests(w.server, { path: "/api/users/me" }).length, 2);

  w.server.fault({ method: "GET", path: "/api/keys", times: 2, fault: { kind: "status", status: 503 } });
  const list = await hexts(["user", "key", "list"]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /seed-api \*/);
  assert.equal(requests(w.server, { path: "/api/keys" }).length, 3);

  w.server.fault({ method: "GET", path: "/api/orgs/acme/keys", fault: { kind: "rate-limit", resetInSeconds: 1 } });
  const orgList = await hexts(["--json", "organization", "key", "acme", "list"]);
  assert.equal(orgList.code, 0, orgList.stderr);
  assert.equal(JSON.parse(orgList.stdout).ok, true);
  noSecrets(who.stdout + who.stderr + list.stdout + list.stderr + orgList.stdout + orgList.stderr, [ana.apiKey]);
});

test("reads that keep failing end with one line: exit 4 and SERVER_ERROR / NETWORK under --json", async (t) => {
  const { w, ana, hexts } = await faultWorld(t);
  w.server.fault({ method: "GET", path: "/api/users/me", times: 3, fault: { kind: "status", status: 503 } });
  fails(await hexts(["user", "whoami"]), 4, /The Hex server failed on GET .*\/api\/users\/me \(HTTP 503/);
  w.server.fault({ method: "GET", path: "/api/keys", times: 3, fault: { kind: "reset" } });
  const doc = failsJson(await hexts(["--json", "user", "key", "list"]), 4, "NETWORK");
  noSecrets(JSON.stringify(doc), [ana.apiKey]);
  fails(
    await hexts(["user", "whoami"], { env: { HEX_API_URL: "http://127.0.0.1:9/api" } }),
    4,
    /Could not connect to the server/,
  );
});

test("a key creation cut mid-request is sent once; the error says the outcome is unknown, how to check", async (t) => {
  const { w, ana, hexts } = await faultWorld(t);
  w.server.fault({ method: "POST", path: "/api/keys", fault: { kind: "reset" } });
  const r = await hexts(["user", "key", "generate", "--key-name", "ci"]);
  fails(
    r,
    4,
    new RegExp(
      /The connection failed during POST .*\/api\/keys.*may or may not have carried it out; /.source +
        /run `hexts user key list` to see whether the key "ci" was created/.source,
    ),
  );
  assert.equal(requests(w.server, { method: "POST", path: "/api/keys" }).length, 1);

  w.server.fault({ method: "POST", path: "/api/keys", fault: { kind: "status", status: 503 } });
  failsJson(await hexts(["--json", "user", "key", "generate", "--key-name", "ci"]), 4, "SERVER_ERROR");
  assert.equal(
    requests(w.server, { method: "POST", path: "/api/keys" }).length,
    2,
    "a 503 on a POST is not retried either",
  );

  w.server.fault({ method: "POST", path: "/api/orgs/acme/keys", fault: { kind: "reset" } });
  fails(
    await hexts(["organization", "key", "acme", "generate"]),
    4,
    /run `hexts organization key acme list` to see whether the key/,
  );
  w.server.fault({ method: "POST", path: "/api/orgs/acme/keys", fault: { kind: "reset" } });
  fails(
    await hexts(["organization", "auth", "acme"]),
    4,
    /may or may not have carried it out; run `hexts organization key acme list`/,
  );
  assert.equal(requests(w.server, { method: "POST", path: "/api/orgs/acme/keys" }).length, 2);
  assert.equal([...w.state.keys.values()].length, 1, "only the seeded key exists");
  noSecrets(r.stderr, [ana.apiKey]);
});

test("revocations are sent once: one key, all keys and an organization key, each through a fault", async (t) => {
  const { w, hexts } = await faultWorld(t);
  w.server.addKey({ owner: { user: "ana" }, name: "old" });
  w.server.fault({ method: "DELETE", path: "/api/keys/old", fault: { kind: "reset" } });
  fails(
    await hexts(["user", "key", "revoke", "old"]),
    4,
    new RegExp(
      /DELETE .*\/api\/keys\/old.*may or may not have carried it out; /.source +
        /run `hexts user key list` to see whether it is still there/.source,
    ),
  );
  assert.equal(requests(w.server, { method: "DELETE", path: "/api/keys/old" }).length, 1);

  w.server.fault({ method: "DELETE", path: "/api/keys", fault: { kind: "status", status: 502 } });
  failsJson(await hexts(["--json", "--yes", "user", "key", "revoke", "--all"]), 4, "SERVER_ERROR");
  assert.equal(requests(w.server, { method: "DELETE", path: "/api/keys" }).length, 1);

  w.server.addKey({
    owner: { organization: "acme" },
    name: "ci",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  w.server.fault({ method: "DELETE", path: "/api/orgs/acme/keys/ci", fault: { kind: "reset" } });
  fails(
    await hexts(["organization", "key", "acme", "revoke", "ci"]),
    4,
    /run `hexts organization key acme list` to see whether it is still there/,
  );
  assert.equal(requests(w.server, { method: "DELETE", path: "/api/orgs/acme/keys/ci" }).length, 1);
});

test("login writes are never repeated: the password login's key, the OAuth start, and registration", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  w.server.fault({ method: "POST", path: "/api/keys", fault: { kind: "reset" } });
  const pw = await w.hexts(["user", "auth", "--password", "-u", "ana", "--password-stdin"], {
    input: "ana-account-pw",
  });
  fails(pw, 4, /may or may not have carried it out; run `hexts user key list`/);
  noSecrets(pw.stderr, ["ana-account-pw"]);
  assert.equal(requests(w.server, { method: "POST", path: "/api/keys" }).length, 1);

  w.server.fault({ method: "POST", path: "/api/oauth/device_authorization", fault: { kind: "reset" } });
  failsJson(await w.hexts(["--json", "user", "auth", "--oauth"]), 4, "NETWORK");
  assert.equal(requests(w.server, { method: "POST", path: "/api/oauth/device_authorization" }).length, 1);

  w.server.fault({ method: "POST", path: "/api/users", fault: { kind: "reset" } });
  const reg = await w.hexts(
    ["user", "register", "--username", "newbie", "--email", "n@example.com", "--password-stdin"],
    { input: "long-password-1" },
  );
  fails(reg, 4, /may or may not have carried it out; run `hexts user auth` or look up the user "newbie"/);
  assert.equal(requests(w.server, { method: "POST", path: "/api/users" }).length, 1);
  noSecrets(reg.stderr, ["long-password-1"]);
});

test("the key check of `auth --key` is a read: retried through a 503; OAuth polling rides out a reset", async (t) => {
  const w = await world(t, { deviceInterval: 1 });
  const ana = w.server.addUser({ username: "ana", twoFactor: true });
  w.server.fault({ method: "GET", path: "/api/auth", fault: { kind: "status", status: 503 } });
  const r = await w.hexts(["user", "auth", "--key", ana.apiKey, "--no-local-password"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(requests(w.server, { path: "/api/auth" }).length, 2);

  w.server.fault({ method: "POST", path: "/api/oauth/token", fault: { kind: "reset" } });
  const run = startHexts(["user", "auth", "--oauth", "--no-local-password"], { env: w.env, cwd: w.home.dir });
  const m = await run.waitForStderr(USER_CODE);
  w.server.approveDevice(`${m[1]}${m[2]}`, "ana");
  const done = await run.done;
  assert.equal(done.code, 0, done.stderr);
  assert.equal(w.config().credentials[w.server.apiUrl].type, "oauth");
});

test("--verbose traces (stack, causes, retries) carry no key, token or password", async (t) => {
  const { w, ana, hexts } = await faultWorld(t);
  const bogus = "deadbeefdeadbeefdeadbeefdeadbeef";
  const bad = await w.hexts(["--verbose", "user", "auth", "--key", bogus]);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /\n\s+at /, "a stack trace is shown with --verbose");
  w.server.fault({ method: "GET", path: "/api/keys", fault: { kind: "reset" } });
  w.server.fault({ method: "POST", path: "/api/keys", fault: { kind: "reset" } });
  const list = await hexts(["--verbose", "user", "key", "list"]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stderr, /debug: waiting .* before trying GET/);
  const gen = await hexts(["--verbose", "user", "key", "generate", "--key-name", "v"]);
  assert.equal(gen.code, 4);
  noSecrets(bad.stdout + bad.stderr + list.stdout + list.stderr + gen.stdout + gen.stderr, [bogus, ana.apiKey]);
});
