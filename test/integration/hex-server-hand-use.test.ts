// What `npm run hex-server` offers a person trying clients by hand: a device page that can grant only
// some scopes (read-only), an email-verification link, the current codes of two-factor users.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startHexServer } from "../support/hex-server/index.js";
import { call, form } from "../support/hex-server/test-client.js";

const page = (server: { url: string }, path: string, fields?: Record<string, string | string[]>) => {
  if (!fields) return fetch(`${server.url}${path}`).then(async (r) => ({ status: r.status, text: await r.text() }));
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return fetch(`${server.url}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
  }));
};

test("device page: read-only approval grants only the read scopes; ticked boxes grant what is ticked", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", password: "ana-password", twoFactor: true });
  const start = async () =>
    (await form(server, "/oauth/device_authorization", { client_id: "hexts", scope: "api repositories" })).body;
  const poll = async (device: { device_code: string }) =>
    (
      await form(server, "/oauth/token", {
        client_id: "hexts",
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: device.device_code,
      })
    ).body;

  const first = await start();
  const shown = await page(server, `/oauth/device?user_code=${first.user_code}`);
  assert.match(shown.text, /value="api:write" checked/);
  const readOnly = await page(server, "/oauth/device", {
    user_code: first.user_code,
    username: "ana",
    password: "ana-password",
    action: "read-only",
  });
  assert.match(readOnly.text, /Approved: api:read repositories\./);
  assert.equal((await poll(first)).scope, "api:read repository:hexpm");

  const second = await start();
  await page(server, "/oauth/device", {
    user_code: second.user_code,
    username: "ana",
    password: "ana-password",
    action: "approve",
    scope: ["api:write"],
  });
  assert.equal((await poll(second)).scope, "api:write");
});

test("hand-use pages: /email/verify confirms a registered account; /dev/totp shows two-factor codes", async () => {
  await using server = await startHexServer({ basicAuth: true });
  const bob = server.addUser({ username: "bob", twoFactor: true });
  const created = await call(server, "/users", {
    body: { username: "newbie", email: "newbie@example.com", password: "long-enough" },
  });
  assert.equal(created.status, 201);
  const key = await call(server, "/keys", {
    body: { name: "k" },
    auth: `Basic ${Buffer.from("newbie:long-enough").toString("base64")}`,
  });
  assert.equal(key.status, 201, "creating a key is allowed unverified");
  const me = await call(server, "/users/me", { auth: key.body.secret });
  assert.deepEqual([me.status, me.body.message], [403, "email not verified"]);
  assert.equal((await page(server, "/email/verify?username=newbie")).status, 200);
  assert.equal((await call(server, "/users/me", { auth: key.body.secret })).status, 200);
  assert.equal((await page(server, "/email/verify?username=nobody")).status, 404);

  // The code of the window the page was made in: the one before the request or the one after it.
  const before = server.totp(bob.username);
  const codes = await page(server, "/dev/totp");
  const after = server.totp(bob.username);
  assert.ok(
    [before, after].some((c) => codes.text.includes(`bob: <code>${c}</code>`)),
    codes.text,
  );
});
