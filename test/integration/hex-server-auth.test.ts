// The local Hex server's authentication: User-Agent, keys, permissions, basic auth on/off, unverified emails.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startHexServer } from "../support/hex-server/index.js";
import { basic, call, raw } from "../support/hex-server/test-client.js";

test("a request without User-Agent is 400 with hex.pm's message; unknown routes are 404 before any check", async () => {
  await using server = await startHexServer();
  const res = await raw(server, "/packages");
  assert.equal(res.status, 400);
  assert.deepEqual(res.body, { status: 400, message: "User-Agent header is required" });
  const withAgent = await raw(server, "/packages", { headers: { "user-agent": "hexts/0" } });
  assert.equal(withAgent.status, 200);
  const unknown = await raw(server, "/no/such/route");
  assert.deepEqual([unknown.status, unknown.body], [404, { status: 404, message: "Page not found" }]);
  const reset = await call(server, "/users/someone/reset", { method: "POST" });
  assert.equal(reset.status, 404, "the password reset endpoint is gone from hex.pm");
});

test("a garbage key turns an anonymous public GET into a 401 with www-authenticate Basic", async () => {
  await using server = await startHexServer();
  const anonymous = await call(server, "/packages");
  assert.equal(anonymous.status, 200);
  const bad = await call(server, "/packages", { auth: "0123456789abcdef0123456789abcdef" });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.message, "invalid API key");
  assert.equal(bad.headers.get("www-authenticate"), "Basic realm=hex");
  const bearer = await call(server, "/packages", { auth: "Bearer not-a-token" });
  assert.deepEqual([bearer.status, bearer.body.message], [401, "invalid API key"]);
});

test("/users/me needs credentials, answers the user with organizations; a key's revoke_at takes effect", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana", fullName: "Ana B" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const missing = await call(server, "/users/me");
  assert.deepEqual([missing.status, missing.body.message], [401, "missing authentication information"]);
  assert.equal(missing.headers.get("www-authenticate"), "Basic realm=hex");

  const me = await call(server, "/users/me", { auth: ana.apiKey });
  assert.equal(me.status, 200);
  assert.equal(me.body.username, "ana");
  assert.equal(me.body.full_name, "Ana B");
  assert.deepEqual(me.body.organizations, [{ name: "acme", role: "admin" }]);
  assert.equal(me.body.email, "ana@example.com");

  const soon = server.addKey({
    owner: { user: "ana" },
    name: "short",
    revokeAt: new Date(Date.now() + 60_000).toISOString(),
  });
  assert.equal((await call(server, "/users/me", { auth: soon })).status, 200);
  server.advanceClock(61_000);
  const revoked = await call(server, "/users/me", { auth: soon });
  assert.deepEqual([revoked.status, revoked.body.message], [401, "API key revoked"]);
});

test("key permissions: api:read cannot write, package keys read, repository keys cannot use the API", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  const read = server.addKey({ owner: { user: "ana" }, name: "r", permissions: [{ domain: "api", resource: "read" }] });
  assert.equal((await call(server, "/users/me", { auth: read })).status, 200);
  const write = await call(server, "/keys", { auth: read, body: { name: "x" } });
  assert.deepEqual([write.status, write.body.message], [401, "key not authorized for this action"]);
  assert.equal(write.headers.get("www-authenticate"), "Basic realm=hex");

  const apiWrite = server.addKey({
    owner: { user: "ana" },
    name: "w",
    permissions: [{ domain: "api", resource: "write" }],
  });
  assert.equal((await call(server, "/keys", { auth: apiWrite, body: { name: "x" } })).status, 201);

  server.addOrganization({ name: "acme", admin: "ana" });
  const repo = server.addKey({
    owner: { user: "ana" },
    name: "repo",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  assert.equal((await call(server, "/users/me", { auth: repo })).status, 401);
  const pkg = server.addKey({
    owner: { user: "ana" },
    name: "pkg",
    permissions: [{ domain: "package", resource: "hexpm/foo" }],
  });
  assert.equal((await call(server, "/users/me", { auth: pkg })).status, 200, "a package key implies API read");
});

test("basic auth: username or email with password when switched on; wrong ones 401", async () => {
  await using server = await startHexServer({ basicAuth: true });
  const ana = server.addUser({ username: "ana", password: "correct horse" });
  const byName = await call(server, "/users/me", { auth: basic("ana", "correct horse") });
  assert.equal(byName.status, 200);
  const byEmail = await call(server, "/keys", { auth: basic(ana.email, "correct horse"), body: { name: "laptop" } });
  assert.equal(byEmail.status, 201);
  assert.match(byEmail.body.secret, /^[0-9a-f]{32}$/);
  assert.equal(byEmail.body.authing_key, false);
  const wrong = await call(server, "/users/me", { auth: basic("ana", "nope") });
  assert.deepEqual([wrong.status, wrong.body.message], [401, "invalid username and password combination"]);
  const garbled = await call(server, "/users/me", { auth: "Basic %%%" });
  assert.deepEqual([garbled.status, garbled.body.message], [401, "invalid authentication information"]);
});

test("basic auth switched off (as hex.pm since 2026-11-01): 401 with Bearer realm and the OAuth hint", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana", password: "correct horse" });
  const res = await call(server, "/keys", { auth: basic("ana", "correct horse"), body: { name: "laptop" } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="hex"');
  assert.equal(res.body.message, "Basic authentication is disabled. Update your client to use OAuth or an API key.");
});

test("registration: 201 + location, hex.pm's validation errors, unverified email 403 except key creation", async () => {
  await using server = await startHexServer({ basicAuth: true });
  const created = await call(server, "/users", {
    body: { username: "Zed", email: "zed@example.com", password: "long enough" },
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get("location"), "/api/users/zed");
  assert.equal(created.body.username, "zed");

  const invalid = await call(server, "/users", { body: { username: "a!", email: "nope", password: "short" } });
  assert.equal(invalid.status, 422);
  assert.deepEqual(invalid.body, {
    status: 422,
    message: "Validation error(s)",
    errors: {
      username: "should be at least 3 character(s)",
      emails: { email: "has invalid format" },
      password: "should be at least 8 character(s)",
    },
  });
  const taken = await call(server, "/users", {
    body: { username: "zed", email: "other@example.com", password: "long enough" },
  });
  assert.deepEqual(taken.body.errors, { username: "has already been taken" });
  const reserved = await call(server, "/users", {
    body: { username: "hexpm", email: "h@example.com", password: "long enough" },
  });
  assert.deepEqual(reserved.body.errors, { username: "is reserved" });

  const me = await call(server, "/users/me", { auth: basic("zed", "long enough") });
  assert.deepEqual([me.status, me.body.message], [403, "email not verified"]);
  const key = await call(server, "/keys", { auth: basic("zed", "long enough"), body: { name: "k" } });
  assert.equal(key.status, 201, "key creation is allowed before the email is confirmed");
  server.verifyEmail!("zed");
  assert.equal((await call(server, "/users/me", { auth: basic("zed", "long enough") })).status, 200);

  const shown = await call(server, "/users/zed");
  assert.equal(shown.status, 200);
  assert.deepEqual(shown.body.packages, []);
});

test("a %00 in the URL is 400; /auth needs its domain parameter", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  assert.equal((await call(server, "/packages/a%00b")).status, 400);
  const noDomain = await call(server, "/auth", { auth: ana.apiKey });
  assert.deepEqual([noDomain.status, noDomain.body.message], [400, 'missing required parameters: "domain"']);
});
