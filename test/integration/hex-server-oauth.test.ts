// The local Hex server's OAuth: device flow states, refresh rotation, client credentials, revocation, 2FA for writes.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { startHexServer } from "../support/hex-server/index.js";
import { call, form } from "../support/hex-server/test-client.js";
import type { HexServer } from "../support/hex-server/types.js";

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

async function startDevice(server: HexServer, scope = "api repositories") {
  const res = await form(server, "/oauth/device_authorization", { client_id: "hexts", scope, name: "laptop" });
  assert.equal(res.status, 200);
  return res.body as {
    device_code: string;
    user_code: string;
    verification_uri: string;
    verification_uri_complete: string;
    expires_in: number;
    interval: number;
  };
}

const poll = (server: HexServer, deviceCode: string, clientId = "hexts") =>
  form(server, "/oauth/token", { grant_type: DEVICE, device_code: deviceCode, client_id: clientId });

test("device flow: pending, slow_down, approval, rotation on every poll, and expiry", async () => {
  await using server = await startHexServer({ deviceInterval: 5 });
  server.addUser({ username: "ana", twoFactor: true });
  server.addOrganization({ name: "acme", admin: "ana" });
  const device = await startDevice(server);
  assert.match(device.user_code, /^[23456789BCDFGHJKLMNPQRSTVWXYZ]{8}$/);
  assert.equal(device.device_code.length, 32);
  assert.equal(device.verification_uri, `${server.url}/oauth/device`);
  assert.equal(device.verification_uri_complete, `${server.url}/oauth/device?user_code=${device.user_code}`);
  assert.deepEqual([device.expires_in, device.interval], [600, 5]);

  const pending = await poll(server, device.device_code);
  assert.deepEqual([pending.status, pending.body.error], [400, "authorization_pending"]);
  assert.equal(typeof pending.body.error_description, "string");
  server.slowDownDevice!(device.user_code);
  assert.deepEqual([(await poll(server, device.device_code)).body.error], ["slow_down"]);

  server.approveDevice(device.user_code, "ana");
  const first = await poll(server, device.device_code);
  assert.equal(first.status, 200);
  assert.equal(first.body.token_type, "bearer");
  assert.equal(first.body.expires_in, 1800);
  assert.equal(first.body.scope, "api:read api:write repository:hexpm repository:acme");
  assert.equal(first.body.access_token.split(".").length, 3, "a JWT-shaped token");
  assert.equal((await call(server, "/users/me", { auth: `Bearer ${first.body.access_token}` })).status, 200);

  server.advanceClock(60_000);
  const second = await poll(server, device.device_code);
  assert.equal(second.status, 200);
  assert.notEqual(second.body.access_token, first.body.access_token);
  assert.equal(second.body.expires_in, 1740, "the rotated token keeps the first one's expiry");
  assert.equal((await call(server, "/users/me", { auth: `Bearer ${first.body.access_token}` })).status, 401);
  assert.equal((await call(server, "/users/me", { auth: `Bearer ${second.body.access_token}` })).status, 200);

  server.advanceClock(10 * 60_000);
  assert.deepEqual([(await poll(server, device.device_code)).body.error], ["expired_token"]);
  server.advanceClock(30 * 60_000);
  assert.equal(
    (await call(server, "/users/me", { auth: `Bearer ${second.body.access_token}` })).status,
    401,
    "tokens live 30 minutes",
  );
});

test("device flow failures: denied, wrong and unknown clients, bad codes, bad scopes", async () => {
  await using server = await startHexServer({ oauthClients: ["hexts", "other"] });
  server.addUser({ username: "ana" });
  const device = await startDevice(server, "api:read");
  server.denyDevice(device.user_code);
  const denied = await poll(server, device.device_code);
  assert.deepEqual([denied.status, denied.body.error], [403, "access_denied"]);

  const wrongClient = await poll(server, device.device_code, "other");
  assert.deepEqual([wrongClient.status, wrongClient.body.error], [401, "invalid_client"]);
  const unknownClient = await form(server, "/oauth/device_authorization", { client_id: "nope", scope: "api" });
  assert.deepEqual(
    [unknownClient.status, unknownClient.body],
    [401, { error: "invalid_client", error_description: "Invalid client" }],
  );
  const badCode = await poll(server, "no-such-code");
  assert.deepEqual([badCode.status, badCode.body.error], [400, "invalid_grant"]);
  const badScope = await form(server, "/oauth/device_authorization", { client_id: "hexts", scope: "api admin" });
  assert.deepEqual([badScope.status, badScope.body.error], [400, "invalid_scope"]);
  const grant = await form(server, "/oauth/token", { grant_type: "password", client_id: "hexts" });
  assert.deepEqual(grant.body, {
    error: "unsupported_grant_type",
    error_description: 'Unsupported grant type: "password"',
  });

  const json = await call(server, "/oauth/device_authorization", { body: { client_id: "hexts", scope: "api:read" } });
  assert.equal(json.status, 200, "JSON bodies are accepted too");
  assert.throws(() => server.approveDevice(json.body.user_code, "ana", ["api:write"]), /not in original request/);
  const writeDevice = await startDevice(server, "api");
  assert.throws(
    () => server.approveDevice(writeDevice.user_code, "ana"),
    /two-factor/,
    "accounts without 2FA cannot grant api:write",
  );
});

test("refresh: a new pair each time, the old pair revoked, expired sessions refused", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  const device = await startDevice(server, "api:read");
  server.approveDevice(device.user_code, "ana");
  const first = (await poll(server, device.device_code)).body;
  const refreshed = await form(server, "/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: first.refresh_token,
    client_id: "hexts",
  });
  assert.equal(refreshed.status, 200);
  assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
  assert.equal(refreshed.body.scope, "api:read");
  assert.equal(
    (await call(server, "/users/me", { auth: `Bearer ${first.access_token}` })).status,
    401,
    "old access token revoked",
  );
  const reused = await form(server, "/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: first.refresh_token,
    client_id: "hexts",
  });
  assert.deepEqual(reused.body, { error: "invalid_grant", error_description: "Refresh token has been revoked" });
  const unknown = await form(server, "/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: "nope",
    client_id: "hexts",
  });
  assert.equal(unknown.body.error_description, "Invalid refresh token");

  server.advanceClock(31 * 24 * 3600_000);
  const expired = await form(server, "/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: refreshed.body.refresh_token,
    client_id: "hexts",
  });
  assert.deepEqual(expired.body, { error: "invalid_grant", error_description: "Refresh token has expired" });
});

test("revoke and revoke_by_hash always answer 200 and revoke what they name", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  const device = await startDevice(server, "api:read");
  server.approveDevice(device.user_code, "ana");
  const tokens = (await poll(server, device.device_code)).body;
  const revoked = await form(server, "/oauth/revoke", { token: tokens.access_token, client_id: "hexts" });
  assert.deepEqual([revoked.status, revoked.body], [200, null]);
  assert.equal((await call(server, "/users/me", { auth: `Bearer ${tokens.access_token}` })).status, 401);
  assert.equal((await form(server, "/oauth/revoke", { token: "garbage", client_id: "hexts" })).status, 200);

  const again = await form(server, "/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: tokens.refresh_token,
    client_id: "hexts",
  });
  assert.equal(again.status, 400, "revoking the access token revoked its refresh token too (same pair)");

  const device2 = await startDevice(server, "api:read");
  server.approveDevice(device2.user_code, "ana");
  const pair = (await poll(server, device2.device_code)).body;
  const hash = createHash("sha256").update(pair.refresh_token).digest("hex");
  assert.equal((await form(server, "/oauth/revoke_by_hash", { token_hash: hash })).status, 200);
  assert.equal((await call(server, "/users/me", { auth: `Bearer ${pair.access_token}` })).status, 401);
});

test("client credentials: a key exchanged for a 30-minute token within the key's permissions", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  server.addOrganization({ name: "beta", admin: "ana" });
  const repoKey = server.addKey({
    owner: { user: "ana" },
    name: "ci",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  const ok = await form(server, "/oauth/token", {
    grant_type: "client_credentials",
    client_id: "hexts",
    client_secret: repoKey,
    scope: "repositories",
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.scope, "repository:acme");
  assert.equal(ok.body.refresh_token, undefined);
  assert.equal(ok.body.expires_in, 1800);
  const exceeds = await form(server, "/oauth/token", {
    grant_type: "client_credentials",
    client_id: "hexts",
    client_secret: repoKey,
    scope: "api",
  });
  assert.deepEqual([exceeds.status, exceeds.body.error], [400, "invalid_scope"]);
  const noSecret = await form(server, "/oauth/token", {
    grant_type: "client_credentials",
    client_id: "hexts",
    scope: "api",
  });
  assert.deepEqual([noSecret.status, noSecret.body.error], [400, "invalid_request"]);
  const badKey = await form(server, "/oauth/token", {
    grant_type: "client_credentials",
    client_id: "hexts",
    client_secret: "0".repeat(32),
    scope: "api",
  });
  assert.deepEqual(
    [badKey.status, badKey.body],
    [401, { error: "invalid_client", error_description: "Invalid API key" }],
  );

  const full = server.addKey({ owner: { user: "ana" }, name: "full" });
  const api = await form(server, "/oauth/token", {
    grant_type: "client_credentials",
    client_id: "hexts",
    client_secret: full,
    scope: "api:read",
  });
  assert.equal(api.body.scope, "api:read");
  assert.equal((await call(server, "/users/me", { auth: `Bearer ${api.body.access_token}` })).status, 200);
});

test("2FA for OAuth writes: 403 without 2FA, totp_required, invalid_totp, success, 429 after failures", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "nofa" });
  server.addUser({ username: "ana", twoFactor: true });
  const tokenFor = async (user: string, scope: string) => {
    const device = await startDevice(server, scope);
    server.approveDevice(device.user_code, user);
    return `Bearer ${(await poll(server, device.device_code)).body.access_token}`;
  };
  const noTfa = await form(server, "/oauth/token", {
    grant_type: "client_credentials",
    client_id: "hexts",
    client_secret: server.addKey({ owner: { user: "nofa" }, name: "k" }),
    scope: "api:write",
  });
  const forbidden = await call(server, "/keys", { auth: `Bearer ${noTfa.body.access_token}`, body: { name: "x" } });
  assert.deepEqual(
    [forbidden.status, forbidden.body.message],
    [403, "Two-factor authentication must be enabled for API write access"],
  );

  const auth = await tokenFor("ana", "api");
  const required = await call(server, "/keys", { auth, body: { name: "x" } });
  assert.equal(required.status, 401);
  assert.equal(required.headers.get("www-authenticate"), 'Bearer realm="hex", error="totp_required"');
  const wrong = await call(server, "/keys", {
    auth,
    body: { name: "x" },
    headers: { "x-hex-otp": "000000" === server.totp("ana") ? "111111" : "000000" },
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("www-authenticate"), 'Bearer realm="hex", error="invalid_totp"');
  assert.equal(wrong.body.message, "Invalid two-factor authentication code");
  const good = await call(server, "/keys", { auth, body: { name: "x" }, headers: { "x-hex-otp": server.totp("ana") } });
  assert.equal(good.status, 201);
  const reuse = await call(server, "/keys", {
    auth,
    body: { name: "y" },
    headers: { "x-hex-otp": server.totp("ana") },
  });
  assert.equal(reuse.status, 201, "codes are not single-use");
  assert.equal((await call(server, "/users/me", { auth })).status, 200, "reads need no code");

  const bad = server.totp("ana") === "123456" ? "654321" : "123456";
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++)
    statuses.push((await call(server, "/keys", { auth, body: { name: "z" }, headers: { "x-hex-otp": bad } })).status);
  assert.deepEqual(
    statuses,
    [401, 401, 401, 401, 429, 429],
    "five failed codes per user per 10 minutes (one failed above)",
  );
  const limited = await call(server, "/keys", { auth, body: { name: "z" }, headers: { "x-hex-otp": bad } });
  assert.equal(limited.body.message, "Too many failed two-factor authentication attempts. Please try again later.");

  const keyAuth = server.addKey({ owner: { user: "ana" }, name: "plain" });
  assert.equal(
    (await call(server, "/keys", { auth: keyAuth, body: { name: "w" } })).status,
    201,
    "API keys never need a code",
  );
});

test("the /oauth/device page lets a person approve a code with a username and password", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", password: "correct horse" });
  const device = await startDevice(server, "api:read");
  const page = await fetch(device.verification_uri_complete);
  assert.equal(page.status, 200);
  assert.match(await page.text(), new RegExp(`value="${device.user_code}"`));
  const post = (password: string) =>
    fetch(device.verification_uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      // As a browser posts the form: the page ticks every requested scope.
      body: new URLSearchParams({
        user_code: device.user_code,
        username: "ana",
        password,
        scope: "api:read",
        action: "approve",
      }),
    }).then((r) => r.text());
  assert.match(await post("wrong"), /Wrong username or password/);
  assert.equal((await poll(server, device.device_code)).body.error, "authorization_pending");
  assert.match(await post("correct horse"), /Approved: api:read/);
  assert.equal((await poll(server, device.device_code)).status, 200);
});
