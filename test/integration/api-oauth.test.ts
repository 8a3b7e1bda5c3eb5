// OAuth and two-factor flows against the local Hex server: device login states, refresh rotation,
// API-key exchange, revocation, and OTP handling for OAuth writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { HexClient } from "../../src/api/http.js";
import { ApiError } from "../../src/api/errors.js";
import { messageWithAdvice } from "../../src/cli/advice.js";
import { getMe } from "../../src/api/users.js";
import { createKey, deleteKey, listKeys } from "../../src/api/keys.js";
import { testAuth } from "../../src/api/auth.js";
import {
  exchangeApiKey,
  isOAuthError,
  pollDeviceToken,
  refreshToken,
  revokeToken,
  revokeTokenByHash,
  startDeviceAuthorization,
  waitForDeviceToken,
  type OAuthToken,
} from "../../src/api/oauth.js";
import { OtpSession, otpRetry } from "../../src/api/otp.js";
import { HextsError } from "../../src/errors.js";
import { startHexServer, type HexServer } from "../support/hex-server/index.js";

const CLIENT_ID = "hexts";
const hits = (server: HexServer, method: string, path: string) =>
  server.requests.filter((r) => r.method === method && r.path === path);

/** Logs `username` in through the device flow (approving in the "browser" at once). Write scopes need a 2FA user. */
async function deviceLogin(
  server: HexServer,
  anon: HexClient,
  username: string,
  scope = "api:read",
): Promise<OAuthToken> {
  const device = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope });
  server.approveDevice(device.user_code, username);
  const poll = await pollDeviceToken(anon, { clientId: CLIENT_ID, deviceCode: device.device_code });
  assert.equal(poll.status, "token");
  return (poll as { token: OAuthToken }).token;
}

test("device flow: pending, then approved; polling after success rotates the token", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", twoFactor: true });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const device = await startDeviceAuthorization(anon, {
    clientId: CLIENT_ID,
    scope: ["api", "repositories"],
    name: "laptop",
  });
  assert.match(device.user_code, /^[23456789BCDFGHJKLMNPQRSTVWXYZ]{8}$/);
  assert.equal(device.expires_in, 600);
  assert.equal(hits(server, "POST", "/api/oauth/device_authorization")[0]?.headers["content-type"], "application/json");

  assert.deepEqual(await pollDeviceToken(anon, { clientId: CLIENT_ID, deviceCode: device.device_code }), {
    status: "pending",
  });
  server.approveDevice(device.user_code, "ana");
  const first = await pollDeviceToken(anon, {
    clientId: CLIENT_ID,
    deviceCode: device.device_code,
    now: () => 1_000_000,
  });
  assert.equal(first.status, "token");
  const token = (first as { token: OAuthToken }).token;
  assert.equal(token.token_type.toLowerCase(), "bearer");
  assert.ok(token.refresh_token);
  assert.equal(token.expires_at, 1_000 + token.expires_in);

  const again = await pollDeviceToken(anon, { clientId: CLIENT_ID, deviceCode: device.device_code });
  assert.equal(again.status, "token");
  const rotated = (again as { token: OAuthToken }).token;
  assert.notEqual(rotated.access_token, token.access_token);
  await using oldClient = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });
  await assert.rejects(getMe(oldClient), (e: unknown) => e instanceof ApiError && e.code === "NOT_AUTHENTICATED");
  await using newClient = anon.with({ credential: { type: "oauth", accessToken: rotated.access_token } });
  assert.equal((await getMe(newClient)).username, "ana");
});

test("waitForDeviceToken polls at the interval, adds 5 s on slow_down, returns once approved", async () => {
  await using server = await startHexServer({ deviceInterval: 2 });
  server.addUser({ username: "ana" });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const device = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: "api:read" });
  assert.equal(device.interval, 2);
  assert.ok(server.slowDownDevice, "the server can send slow_down");
  server.slowDownDevice!(device.user_code, 1);
  const sleeps: number[] = [];
  const polls: string[] = [];
  const token = await waitForDeviceToken(anon, {
    clientId: CLIENT_ID,
    device,
    sleep: async (ms) => {
      sleeps.push(ms);
      // The user approves in the browser while the third wait runs.
      if (sleeps.length === 3) server.approveDevice(device.user_code, "ana");
    },
    onPoll: (p) => polls.push(p.status),
  });
  assert.deepEqual(sleeps, [2_000, 7_000, 7_000]);
  assert.deepEqual(polls, ["slow_down", "pending"]);
  assert.ok(token.access_token);
  assert.equal(hits(server, "POST", "/api/oauth/token").length, 3);
});

test("device flow failures: denied, expired on the server, expired locally, cancelled", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const instant = async () => {};

  const denied = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: "api" });
  server.denyDevice(denied.user_code);
  await assert.rejects(
    waitForDeviceToken(anon, { clientId: CLIENT_ID, device: denied, sleep: instant }),
    (e: unknown) => {
      assert.ok(isOAuthError(e, "access_denied"));
      assert.equal(e.code, "OAUTH_FAILED");
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /denied/);
      return true;
    },
  );

  const expired = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: "api" });
  server.advanceClock(11 * 60_000);
  await assert.rejects(
    pollDeviceToken(anon, { clientId: CLIENT_ID, deviceCode: expired.device_code }),
    (e: unknown) =>
      isOAuthError(e, "expired_token") &&
      !/hexts /.test(e.message) &&
      /; run `hexts user auth` again and approve it sooner\.$/.test(messageWithAdvice(e)),
  );

  const local = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: "api" });
  let clock = 0;
  await assert.rejects(
    waitForDeviceToken(anon, {
      clientId: CLIENT_ID,
      device: local,
      now: () => clock,
      sleep: async () => void (clock += 601_000),
    }),
    (e: unknown) => isOAuthError(e, "expired_token"),
  );

  const ac = new AbortController();
  const pending = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: "api" });
  await assert.rejects(
    waitForDeviceToken(anon, {
      clientId: CLIENT_ID,
      device: pending,
      signal: ac.signal,
      sleep: async () => ac.abort(),
    }),
    (e: unknown) => e instanceof HextsError && e.code === "CANCELLED",
  );
});

test("device authorization errors: unknown client id, empty scope refused locally", async () => {
  await using server = await startHexServer();
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  await assert.rejects(
    startDeviceAuthorization(anon, { clientId: "nope", scope: "api" }),
    (e: unknown) => isOAuthError(e, "invalid_client") && e.status === 401,
  );
  await assert.rejects(
    startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: " " }),
    (e: unknown) => e instanceof HextsError && e.code === "USAGE",
  );
  assert.equal(hits(server, "POST", "/api/oauth/device_authorization").length, 1);
});

test("transient failures while polling are tolerated; a lost answer is recovered by the next poll", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const device = await startDeviceAuthorization(anon, { clientId: CLIENT_ID, scope: "api:read" });
  server.approveDevice(device.user_code, "ana");
  server.fault({ method: "POST", path: "/api/oauth/token", times: 2, fault: { kind: "status", status: 503 } });
  const polls: string[] = [];
  const token = await waitForDeviceToken(anon, {
    clientId: CLIENT_ID,
    device,
    sleep: async () => {},
    onPoll: (p) => polls.push(p.status),
  });
  assert.deepEqual(polls, ["retrying", "retrying"]);
  await using c = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });
  assert.equal((await getMe(c)).username, "ana");
});

test("refresh rotates the pair: the new one works, the old refresh token is refused", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const first = await deviceLogin(server, anon, "ana");
  const second = await refreshToken(anon, { clientId: CLIENT_ID, refreshToken: first.refresh_token! });
  assert.ok(second.refresh_token);
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.notEqual(second.access_token, first.access_token);
  await using c = anon.with({ credential: { type: "oauth", accessToken: second.access_token } });
  assert.equal((await getMe(c)).username, "ana");

  await assert.rejects(
    refreshToken(anon, { clientId: CLIENT_ID, refreshToken: first.refresh_token! }),
    (e: unknown) => {
      assert.ok(isOAuthError(e, "invalid_grant"));
      assert.match(e.message, /revoked/);
      assert.doesNotMatch(e.message, /hexts /);
      assert.match(messageWithAdvice(e), /; run `hexts user auth` to log in again\.$/);
      return true;
    },
  );
  // Not retried: a refresh token is single-use.
  assert.equal(hits(server, "POST", "/api/oauth/token").filter((r) => r.status === 400).length, 1);
});

test("client credentials: an API key becomes a short-lived token within its permissions", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const token = await exchangeApiKey(anon, { clientId: CLIENT_ID, apiKey, scope: "api:read", name: "ci" });
  assert.equal(token.refresh_token ?? undefined, undefined);
  assert.equal(token.scope, "api:read");
  await using c = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });
  assert.equal((await getMe(c)).username, "ana");
  assert.deepEqual(await testAuth(c, { domain: "api", resource: "read" }), { kind: "oauth" });
  // The secret travels in the body, never in a header.
  const req = hits(server, "POST", "/api/oauth/token")[0]!;
  assert.equal(req.headers.authorization, undefined);

  const readKey = server.addKey({
    owner: { user: "ana" },
    name: "read",
    permissions: [{ domain: "api", resource: "read" }],
  });
  await assert.rejects(
    exchangeApiKey(anon, { clientId: CLIENT_ID, apiKey: readKey, scope: "api:write" }),
    (e: unknown) => isOAuthError(e, "invalid_scope"),
  );
  await assert.rejects(
    exchangeApiKey(anon, { clientId: CLIENT_ID, apiKey: "0".repeat(32), scope: "api" }),
    (e: unknown) => isOAuthError(e, "invalid_client"),
  );
});

test("revocation: by token, and a whole session by the refresh token's hash", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  await using anon = new HexClient({ apiUrl: server.apiUrl });

  const a = await deviceLogin(server, anon, "ana");
  await revokeToken(anon, { clientId: CLIENT_ID, token: a.access_token });
  await using ca = anon.with({ credential: { type: "oauth", accessToken: a.access_token } });
  await assert.rejects(getMe(ca), (e: unknown) => e instanceof ApiError && e.code === "NOT_AUTHENTICATED");

  const b = await deviceLogin(server, anon, "ana");
  await revokeTokenByHash(anon, { tokenHash: createHash("sha256").update(b.refresh_token!).digest("hex") });
  await assert.rejects(refreshToken(anon, { clientId: CLIENT_ID, refreshToken: b.refresh_token! }), (e: unknown) =>
    isOAuthError(e, "invalid_grant"),
  );
  // Revoking an unknown token is not an error (RFC 7009).
  await revokeToken(anon, { clientId: CLIENT_ID, token: "unknown" });
});

test("OAuth writes: OTP_REQUIRED without a code, OTP_INVALID with a wrong one, success with a good one", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", twoFactor: true });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const token = await deviceLogin(server, anon, "ana", "api");
  await using c = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });

  await assert.rejects(
    createKey(c, { name: "k1" }),
    (e: unknown) => e instanceof ApiError && e.code === "OTP_REQUIRED" && e.status === 401,
  );
  await assert.rejects(
    createKey(c, { name: "k1" }, { otp: "000000" }),
    (e: unknown) => e instanceof ApiError && e.code === "OTP_INVALID",
  );
  const key = await createKey(c, { name: "k1" }, { otp: server.totp("ana") });
  assert.equal(key.name, "k1");
  assert.match(key.secret, /^[0-9a-f]{32}$/);
  // Reads need no code.
  assert.ok((await listKeys(c)).some((k) => k.name === "k1"));
});

test("otpRetry prompts after a wrong code; non-interactive: OTP_REQUIRED (the CLI names --otp, HEX_OTP)", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", twoFactor: true });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const token = await deviceLogin(server, anon, "ana", "api");
  await using c = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });

  const asked: [number, string, string][] = [];
  const key = await otpRetry((otp) => createKey(c, { name: "k2" }, { otp }), {
    otp: "111111",
    askOtp: async (attempt, reason) => {
      const code = server.totp("ana");
      asked.push([attempt, reason, code]);
      return code;
    },
  });
  assert.equal(key.name, "k2");
  assert.deepEqual(
    asked.map(([attempt, reason]) => [attempt, reason]),
    [[1, "invalid"]],
  );
  const sent = hits(server, "POST", "/api/keys").map((r) => r.headers["x-hex-otp"]);
  assert.deepEqual(sent, ["111111", asked[0]![2]]);

  await assert.rejects(
    otpRetry((otp) => createKey(c, { name: "k3" }, { otp }), {}),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === "OTP_REQUIRED" &&
      e.kind === "otp-required" &&
      !/--otp/.test(e.message) &&
      /--otp/.test(messageWithAdvice(e)) &&
      /HEX_OTP/.test(messageWithAdvice(e)),
  );
});

test("one OtpSession serves a whole command: asked once, the code reused for each write", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", twoFactor: true });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  const token = await deviceLogin(server, anon, "ana", "api");
  await using c = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });
  let prompts = 0;
  const session = new OtpSession({
    askOtp: async () => {
      prompts++;
      return server.totp("ana");
    },
  });
  await session.run((otp) => createKey(c, { name: "a" }, { otp }));
  await session.run((otp) => createKey(c, { name: "b" }, { otp }));
  await session.run((otp) => deleteKey(c, "a", { otp }));
  assert.equal(prompts, 1);
  assert.deepEqual(
    server.requests
      .filter((r) => r.method !== "GET" && r.path.startsWith("/api/keys"))
      .map((r) => [r.method, r.status, r.headers["x-hex-otp"] !== undefined]),
    [
      ["POST", 401, false],
      ["POST", 201, true],
      ["POST", 201, true],
      ["DELETE", 200, true],
    ],
  );
});
