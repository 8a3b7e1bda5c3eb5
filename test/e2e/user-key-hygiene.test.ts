// Keys and secrets hexts handles for `user auth`: a password login leaves no key it made live and unused (a login
// that fails after the key exists revokes it; a new login revokes the key made for the previous one), and secrets
// stay out of the output in any escaping a server may echo them in (JSON strings, URL encoding, Basic base64).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fails, failsJson, noSecrets, requests, world, type World } from "./user-helpers.js";

function liveKeys(w: World): string[] {
  return [...w.state.keys.values()]
    .filter((k) => k.revokeAt === null)
    .map((k) => k.name)
    .sort();
}

test("a password login that fails after its key was created revokes that key", async (t) => {
  const w = await world(t, { basicAuth: true });
  w.server.addUser({ username: "ana", password: "ana-account-pw" });
  w.server.fault({ method: "GET", path: "/api/users/me", times: 10, fault: { kind: "reset" } });
  const r = await w.hexts(
    [
      "user",
      "auth",
      "--password",
      "-u",
      "ana@example.com",
      "--password-stdin",
      "--key-name",
      "laptop",
      "--no-local-password",
    ],
    { input: "ana-account-pw" },
  );
  assert.notEqual(r.code, 0, r.stderr);
  assert.deepEqual(
    requests(w.server, { method: "DELETE" }).map((d) => d.path),
    ["/api/keys/laptop"],
  );
  assert.deepEqual(liveKeys(w), ["seed-api"], "the key made for the failed login is revoked");
  assert.throws(() => w.config(), /ENOENT/, "nothing was stored");
});

test("a new login revokes the key hexts made for the previous one; a pasted key is left alone", async (t) => {
  const w = await world(t, { basicAuth: true });
  const ana = w.server.addUser({ username: "ana", password: "ana-account-pw" });
  const login = (name: string) =>
    w.hexts(
      ["user", "auth", "--password", "-u", "ana", "--password-stdin", "--key-name", name, "--no-local-password"],
      { input: "ana-account-pw" },
    );
  assert.equal((await login("first")).code, 0);
  const second = await login("second");
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /Revoked first hexts had created for the previous login/);
  assert.deepEqual(liveKeys(w), ["second", "seed-api"]);

  // Replacing it with a pasted key revokes "second" (made by hexts), never the pasted one later.
  assert.equal((await w.hexts(["user", "auth", "--key", "-", "--no-local-password"], { input: ana.apiKey })).code, 0);
  assert.deepEqual(liveKeys(w), ["seed-api"]);
  assert.equal((await login("third")).code, 0);
  assert.deepEqual(liveKeys(w), ["seed-api", "third"], "the pasted key was not revoked");
});

test("secrets echoed by a server are masked in every escaping: JSON strings, URL encoding, Basic base64", async (t) => {
  const w = await world(t, { basicAuth: true });
  const password = 'pa"ss\\wörd /+&= tab';
  const login = "ana@example.com";
  w.server.addUser({ username: "ana", password });
  const basic = Buffer.from(`${login}:${password}`).toString("base64");
  const echoes = [
    password,
    encodeURIComponent(password),
    encodeURIComponent(password).replace(/%20/g, "+"),
    basic,
    JSON.stringify(password),
  ];
  const body = {
    status: 422,
    message: `Validation error(s): password=${encodeURIComponent(password)} form=${echoes[2]} auth=Basic ${basic}`,
    errors: { password: `is wrong: ${password}`, auth: basic, quoted: JSON.stringify(password) },
  };
  const forms = [
    ...echoes,
    JSON.stringify(password).slice(1, -1),
    JSON.stringify(JSON.stringify(password)).slice(1, -1),
  ];
  for (const json of [true, false]) {
    w.server.fault({ method: "POST", path: "/api/keys", fault: { kind: "status", status: 422, body } });
    const r = await w.hexts(
      [
        ...(json ? ["--json"] : []),
        "user",
        "auth",
        "--password",
        "-u",
        login,
        "--password-stdin",
        "--no-local-password",
      ],
      { input: password },
    );
    if (json) failsJson(r, 1, "VALIDATION_FAILED");
    else assert.equal(r.code, 1, r.stderr);
    noSecrets(r.stdout + r.stderr, forms);
  }
});

test("--key VALUE on the command line warns that it is visible; --key - and the prompt do not", async (t) => {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana" });
  const flag = await w.hexts(["user", "auth", "--key", ana.apiKey, "--no-local-password"]);
  assert.equal(flag.code, 0, flag.stderr);
  assert.match(flag.stderr, /warning: a key given on the command line is visible to other users of this machine/);
  noSecrets(flag.stdout + flag.stderr, [ana.apiKey]);
  const piped = await w.hexts(["user", "auth", "--key", "-", "--no-local-password"], { input: ana.apiKey });
  assert.equal(piped.code, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /visible to other users/);
  fails(await w.hexts(["user", "auth", "--key", ""]), 2, /--key was given an empty key/);
});
