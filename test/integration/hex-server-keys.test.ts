// The local Hex server's keys: user and organization keys, naming, permissions validation, revocation, /auth.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startHexServer } from "../support/hex-server/index.js";
import { call } from "../support/hex-server/test-client.js";

test("create, list, show, revoke: secret only once, authing_key, NAME-2 for a taken name, location", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const created = await call(server, "/keys", {
    auth: ana.apiKey,
    body: { name: "laptop", permissions: [{ domain: "api", resource: "write" }] },
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get("location"), "/api/keys/laptop");
  assert.match(created.body.secret, /^[0-9a-f]{32}$/);
  assert.deepEqual(created.body.permissions, [{ domain: "api", resource: "write" }]);
  assert.equal(created.body.revoke_at, null);
  assert.equal(created.body.url, `${server.apiUrl}/keys/laptop`);

  const again = await call(server, "/keys", { auth: ana.apiKey, body: { name: "laptop" } });
  assert.equal(again.body.name, "laptop-2");
  assert.deepEqual(again.body.permissions, [{ domain: "api", resource: null }], "full API by default");
  assert.equal((await call(server, "/keys", { auth: ana.apiKey, body: { name: "laptop" } })).body.name, "laptop-3");

  const list = await call(server, "/keys", { auth: ana.apiKey });
  assert.deepEqual(
    list.body.map((k: { name: string }) => k.name),
    ["laptop", "laptop-2", "laptop-3", "seed-api"],
  );
  assert.ok(list.body.every((k: { secret: unknown }) => k.secret === null));
  assert.deepEqual(
    list.body.filter((k: { authing_key: boolean }) => k.authing_key).map((k: { name: string }) => k.name),
    ["seed-api"],
  );
  const seed = list.body.find((k: { name: string }) => k.name === "seed-api");
  assert.equal(seed.last_use.user_agent, "hexts-test/0 (node)");
  assert.equal(seed.last_use.ip, "127.0.0.1");

  const one = await call(server, "/keys/laptop", { auth: created.body.secret });
  assert.equal(one.body.authing_key, true);
  assert.equal((await call(server, "/keys/nope", { auth: ana.apiKey })).status, 404);

  const revoked = await call(server, "/keys/laptop", { method: "DELETE", auth: ana.apiKey });
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.name, "laptop");
  assert.notEqual(revoked.body.revoke_at, null);
  assert.deepEqual(
    [(await call(server, "/users/me", { auth: created.body.secret })).body.message],
    ["API key revoked"],
  );
  assert.equal((await call(server, "/keys/laptop", { method: "DELETE", auth: ana.apiKey })).status, 404);
  assert.equal(
    (await call(server, "/keys", { auth: ana.apiKey, body: { name: "laptop" } })).body.name,
    "laptop",
    "the name is free again",
  );
});

test("creation validations: name, revoke_at in the future, permission domains, resources and access", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addUser({ username: "bob" });
  server.addOrganization({ name: "acme", admin: "bob" });
  const post = (body: unknown) => call(server, "/keys", { auth: ana.apiKey, body });
  assert.deepEqual((await post({})).body.errors, { name: "can't be blank" });
  assert.deepEqual((await post({ name: "k", revoke_at: "2001-01-01T00:00:00Z" })).body.errors, {
    revoke_at: "must be in the future",
  });
  const future = await post({ name: "k", revoke_at: new Date(Date.now() + 3600_000).toISOString() });
  assert.equal(future.status, 201);
  assert.notEqual(future.body.revoke_at, null);
  assert.deepEqual((await post({ name: "k", permissions: [{ domain: "admin" }] })).body.errors, {
    permissions: { domain: "is invalid" },
  });
  assert.deepEqual((await post({ name: "k", permissions: [{ domain: "api", resource: "all" }] })).body.errors, {
    permissions: { resource: "invalid resource for given domain" },
  });
  assert.deepEqual((await post({ name: "k", permissions: [{ domain: "repository", resource: "acme" }] })).body, {
    status: 422,
    message: "Validation error(s)",
    errors: { permissions: { resource: "you do not have access to this repository" } },
  });
  assert.deepEqual((await post({ name: "k", permissions: [{ domain: "package", resource: "foo" }] })).body.errors, {
    permissions: { resource: "you do not have access to this package" },
  });
  const repos = await post({ name: "k", permissions: [{ domain: "repositories" }] });
  assert.deepEqual(repos.body.permissions, [{ domain: "repositories", resource: null }]);
});

test("organization keys: /orgs/ORG/keys needs write role; an organization key must use the /orgs path", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const rita = server.addUser({ username: "rita" });
  server.addOrganization({ name: "acme", admin: "ana", members: [{ username: "rita", role: "read" }] });
  const created = await call(server, "/orgs/acme/keys", {
    auth: ana.apiKey,
    body: { name: "ci", permissions: [{ domain: "repository", resource: "acme" }] },
  });
  assert.equal(created.status, 201);
  const readOnly = await call(server, "/orgs/acme/keys", { auth: rita.apiKey, body: { name: "ci" } });
  assert.deepEqual(
    [readOnly.status, readOnly.body.message],
    [404, "Page not found"],
    "a non-writer of a private organization gets 404",
  );
  assert.equal((await call(server, "/orgs/acme/keys", { auth: rita.apiKey })).status, 200, "read members may list");
  assert.equal((await call(server, "/orgs/nope/keys", { auth: ana.apiKey })).status, 404);

  const orgKey = created.body.secret;
  assert.equal((await call(server, "/keys", { auth: orgKey })).status, 401, "the permission check comes first");
  const orgApiKey = server.addKey({ owner: { organization: "acme" }, name: "admin-key" });
  assert.equal(
    (await call(server, "/keys", { auth: orgApiKey })).status,
    404,
    "organization keys must use /orgs/ORG/keys",
  );
  const listed = await call(server, "/orgs/acme/keys", { auth: orgApiKey });
  assert.deepEqual(
    listed.body.map((k: { name: string }) => k.name),
    ["admin-key", "ci"],
  );

  const auth = await call(server, "/auth?domain=repository&resource=acme", { auth: orgKey });
  assert.deepEqual(
    [auth.status, auth.body],
    [200, { key: { name: "ci", owner: { type: "organization", name: "acme" } } }],
  );
  const userAuth = await call(server, "/auth?domain=api", { auth: ana.apiKey });
  assert.deepEqual(userAuth.body, { key: { name: "seed-api", owner: { type: "user", name: "ana" } } });
  const notAllowed = await call(server, "/auth?domain=api", { auth: orgKey });
  assert.deepEqual([notAllowed.status, notAllowed.body.message], [401, "key not authorized for this action"]);
  const bobKey = server.addKey({ owner: { user: "rita" }, name: "r", permissions: [{ domain: "repositories" }] });
  assert.equal((await call(server, "/auth?domain=repository&resource=other", { auth: bobKey })).status, 403);
});

test("DELETE /keys revokes every key and answers the one that authenticated the call", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const other = server.addKey({ owner: { user: "ana" }, name: "other" });
  const res = await call(server, "/keys", { method: "DELETE", auth: ana.apiKey });
  assert.equal(res.status, 200);
  assert.equal(res.body.name, "seed-api");
  assert.equal(res.body.authing_key, true);
  assert.equal((await call(server, "/users/me", { auth: other })).status, 401);
  assert.equal((await call(server, "/users/me", { auth: ana.apiKey })).status, 401);
});
