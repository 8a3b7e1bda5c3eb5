// The local Hex server's organizations: listing, seats, members and their roles, repositories.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startHexServer } from "../support/hex-server/index.js";
import { call } from "../support/hex-server/test-client.js";

test("organizations: list and show for members, 404 for others, seats update", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const eve = server.addUser({ username: "eve" });
  server.addOrganization({ name: "acme", admin: "ana", seats: 3 });
  server.addOrganization({ name: "beta", admin: "ana", billingActive: false });
  const list = await call(server, "/orgs", { auth: ana.apiKey });
  assert.deepEqual(
    list.body.map((o: { name: string; billing_active: boolean }) => [o.name, o.billing_active]),
    [
      ["acme", true],
      ["beta", false],
    ],
  );
  assert.deepEqual((await call(server, "/orgs", { auth: eve.apiKey })).body, []);
  const show = await call(server, "/orgs/acme", { auth: ana.apiKey });
  assert.equal(show.body.seats, 3);
  assert.equal((await call(server, "/orgs/acme", { auth: eve.apiKey })).status, 404);
  assert.equal((await call(server, "/orgs/acme")).status, 404);
  const seats = await call(server, "/orgs/acme", { auth: ana.apiKey, body: { seats: 5 } });
  assert.deepEqual([seats.status, seats.body.seats], [200, 5]);
  const tooFew = await call(server, "/orgs/acme", { auth: ana.apiKey, body: { seats: 0 } });
  assert.deepEqual([tooFew.status, tooFew.body.errors], [422, "number of seats cannot be less than number of members"]);
});

test("members: add, change role, remove, with hex.pm's 422s", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const bob = server.addUser({ username: "bob", email: "bob@example.com" });
  server.addUser({ username: "cid" });
  server.addOrganization({ name: "acme", admin: "ana", seats: 2 });
  const members = (auth: string) => call(server, "/orgs/acme/members", { auth });

  const added = await call(server, "/orgs/acme/members", {
    auth: ana.apiKey,
    body: { name: "bob@example.com", role: "write" },
  });
  assert.equal(added.status, 200);
  assert.equal(added.headers.get("location"), "/api/orgs/acme/members/bob");
  assert.deepEqual([added.body.username, added.body.role], ["bob", "write"]);
  assert.deepEqual(
    (await members(ana.apiKey)).body.map((m: { username: string; role: string }) => `${m.username}:${m.role}`),
    ["ana:admin", "bob:write"],
  );
  assert.equal((await call(server, "/orgs/acme/members/bob", { auth: bob.apiKey })).body.role, "write");

  const noSeat = await call(server, "/orgs/acme/members", { auth: ana.apiKey, body: { name: "cid", role: "read" } });
  assert.deepEqual([noSeat.status, noSeat.body.errors], [422, "not enough seats to add member"]);
  const unknown = await call(server, "/orgs/acme/members", { auth: ana.apiKey, body: { name: "zed", role: "read" } });
  assert.deepEqual(unknown.body.errors, { name: "unknown user" });
  const notAdmin = await call(server, "/orgs/acme/members", { auth: bob.apiKey, body: { name: "cid", role: "read" } });
  assert.deepEqual([notAdmin.status], [404]);

  const lastAdmin = await call(server, "/orgs/acme/members/ana", { auth: ana.apiKey, body: { role: "read" } });
  assert.deepEqual([lastAdmin.status, lastAdmin.body.errors], [422, "cannot demote last admin member"]);
  const badRole = await call(server, "/orgs/acme/members/bob", { auth: ana.apiKey, body: { role: "owner" } });
  assert.deepEqual(badRole.body.errors, { role: "is invalid" });
  const promoted = await call(server, "/orgs/acme/members/bob", { auth: ana.apiKey, body: { role: "admin" } });
  assert.equal(promoted.body.role, "admin");

  assert.equal((await call(server, "/orgs/acme/members/bob", { method: "DELETE", auth: ana.apiKey })).status, 204);
  const last = await call(server, "/orgs/acme/members/ana", { method: "DELETE", auth: ana.apiKey });
  assert.deepEqual([last.status, last.body.errors], [422, "cannot remove last member"]);
});

test("/repos lists hexpm then the caller's organizations; /repos/ORG needs membership", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  assert.deepEqual(
    (await call(server, "/repos")).body.map((r: { name: string }) => r.name),
    ["hexpm"],
  );
  assert.deepEqual(
    (await call(server, "/repos", { auth: ana.apiKey })).body.map((r: { name: string }) => r.name),
    ["hexpm", "acme"],
  );
  assert.equal((await call(server, "/repos/acme", { auth: ana.apiKey })).status, 200);
  assert.equal((await call(server, "/repos/acme")).status, 404);
  assert.equal((await call(server, "/repos/hexpm")).status, 200);
});
