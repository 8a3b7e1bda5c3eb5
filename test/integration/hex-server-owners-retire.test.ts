// The local Hex server's owners (levels, transfer, every 422 of the API) and retirement.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTarball, startHexServer } from "../support/hex-server/index.js";
import { call } from "../support/hex-server/test-client.js";

test("owners: list, add with level, maintainers cannot manage owners, transfer, removal rules", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const bob = server.addUser({ username: "bob", email: "bob+hex@example.com" });
  server.addUser({ username: "cid" });
  server.addOrganization({ name: "acme", admin: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  const put = (user: string, body: unknown, auth = ana.apiKey) =>
    call(server, `/packages/foo/owners/${encodeURIComponent(user)}`, { method: "PUT", auth, body });
  const del = (user: string, auth = ana.apiKey) =>
    call(server, `/packages/foo/owners/${encodeURIComponent(user)}`, { method: "DELETE", auth });
  const owners = async () =>
    (await call(server, "/packages/foo/owners")).body.map(
      (o: { username: string; level: string }) => `${o.username}:${o.level}`,
    );

  assert.deepEqual(await owners(), ["ana:full"]);
  // The path segment is decoded twice (router, then form decoding): a "+" survives only as %252B.
  assert.equal((await put("bob+hex@example.com", { level: "maintainer" })).status, 404);
  assert.equal(
    (await put(encodeURIComponent("bob+hex@example.com"), { level: "maintainer" })).status,
    204,
    "an email names the user",
  );
  assert.deepEqual(await owners(), ["ana:full", "bob:maintainer"]);
  const one = await call(server, "/packages/foo/owners/bob");
  assert.deepEqual([one.body.username, one.body.level], ["bob", "maintainer"]);
  assert.equal((await call(server, "/packages/foo/owners/cid")).status, 404);

  const byMaintainer = await put("cid", {}, bob.apiKey);
  assert.deepEqual([byMaintainer.status, byMaintainer.body.message], [403, "account not authorized for this action"]);
  assert.equal(
    (
      await call(server, "/packages/foo/releases?replace=false", {
        auth: bob.apiKey,
        body: buildTarball({ name: "foo", version: "1.1.0" }),
      })
    ).status,
    201,
    "maintainers publish",
  );

  assert.equal((await put("nobody", {})).status, 404);
  assert.deepEqual((await put("bob", { level: "boss" })).body.errors, { level: "is invalid" });
  assert.deepEqual((await put("ana", { level: "maintainer" })).body.errors, {
    username: "cannot demote the last full owner of a package",
  });
  assert.deepEqual((await put("acme", { level: "full" })).body.errors, {
    username: "organization ownership can only be transferred, removing all existing owners",
  });
  assert.deepEqual((await put("acme", { level: "maintainer", transfer: true })).body.errors, {
    level: 'ownership level is required to be "full" for organization ownership',
  });
  assert.deepEqual(
    (await put("acme", { transfer: "true" })).body.errors.username,
    "organization ownership can only be transferred, removing all existing owners",
    "transfer must be a JSON boolean",
  );

  assert.deepEqual((await del("cid")).body.errors, { username: "user is not an owner of package" });
  assert.deepEqual((await del("ana")).body.errors, { username: "cannot remove the last full owner of package" });
  assert.equal((await del("bob")).status, 204);
  assert.deepEqual((await del("ana")).body.errors, { username: "cannot remove last owner of package" });

  assert.equal((await put("acme", { level: "full", transfer: true })).status, 204);
  assert.deepEqual(await owners(), ["acme:full"]);
  assert.equal((await put("cid", {})).status, 204, "ana still manages it as admin of the owning organization");
});

test("owners of organization packages: members only; the package may be left without owners", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addUser({ username: "bob" });
  server.addUser({ username: "eve" });
  server.addOrganization({ name: "acme", admin: "ana", members: [{ username: "bob", role: "read" }] });
  server.addRelease({ repository: "acme", owner: "ana", tarball: buildTarball({ name: "priv", version: "1.0.0" }) });
  const put = (user: string) =>
    call(server, `/repos/acme/packages/priv/owners/${user}`, { method: "PUT", auth: ana.apiKey, body: {} });
  assert.deepEqual((await put("eve")).body.errors, {
    username: "cannot add owner to private package when the user is not a member of the organization",
  });
  assert.equal((await put("bob")).status, 204);
  assert.equal(
    (await call(server, "/repos/acme/packages/priv/owners/bob", { method: "DELETE", auth: ana.apiKey })).status,
    204,
  );
  assert.deepEqual((await call(server, "/repos/acme/packages/priv/owners", { auth: ana.apiKey })).body, []);
});

test("a user whose name is also an organization's cannot be added until the accounts are merged", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addUser({ username: "twin" });
  server.addOrganization({ name: "twin", admin: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  const res = await call(server, "/packages/foo/owners/twin", { method: "PUT", auth: ana.apiKey, body: {} });
  assert.match(
    res.body.errors.username,
    /^cannot add organization as owner until user account and organization is merged/,
  );
});

test("retire and unretire a release, and the package-wide retire", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const bob = server.addUser({ username: "bob" });
  for (const v of ["1.0.0", "1.1.0", "2.0.0"])
    server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: v }) });
  const retire = (version: string, body: unknown, auth = ana.apiKey) =>
    call(server, `/packages/foo/releases/${version}/retire`, { auth, body });

  assert.equal((await retire("1.0.0", { reason: "security", message: "CVE-2026-1" })).status, 204);
  const release = await call(server, "/packages/foo/releases/1.0.0");
  assert.deepEqual(release.body.retirement, { message: "CVE-2026-1", reason: "security" });
  assert.deepEqual((await call(server, "/packages/foo")).body.retirements, {
    "1.0.0": { reason: "security", message: "CVE-2026-1" },
  });

  assert.deepEqual((await retire("1.1.0", { reason: "bored" })).body.errors, { retirement: { reason: "is invalid" } });
  assert.deepEqual((await retire("1.1.0", { reason: "other", message: "no" })).body.errors, {
    retirement: { message: "should be at least 3 character(s)" },
  });
  assert.deepEqual((await retire("1.1.0", { reason: "other", message: "x".repeat(141) })).body.errors, {
    retirement: { message: "should be at most 140 character(s)" },
  });
  assert.deepEqual((await retire("1.1.0", {})).body.errors, { retirement: { reason: "can't be blank" } });
  assert.equal((await retire("9.9.9", { reason: "other" })).status, 404);
  assert.equal((await retire("1.1.0", { reason: "other" }, bob.apiKey)).status, 403);
  assert.equal((await retire("1.1.0", { reason: "renamed" })).status, 204, "a message is optional for the server");

  assert.equal(
    (await call(server, "/packages/foo/releases/1.1.0/retire", { method: "DELETE", auth: ana.apiKey })).status,
    204,
  );
  assert.equal((await call(server, "/packages/foo/releases/1.1.0")).body.retirement, null);

  assert.equal(
    (
      await call(server, "/packages/foo/retire", {
        auth: ana.apiKey,
        body: { reason: "deprecated", message: "use bar" },
      })
    ).status,
    204,
  );
  const all = (await call(server, "/packages/foo")).body.retirements;
  assert.deepEqual(all, {
    "1.0.0": { reason: "security", message: "CVE-2026-1" },
    "1.1.0": { reason: "deprecated", message: "use bar" },
    "2.0.0": { reason: "deprecated", message: "use bar" },
  });
  await call(server, "/packages/foo/retire", {
    auth: ana.apiKey,
    body: { reason: "renamed", message: "now bar", replace: true },
  });
  assert.equal(
    (await call(server, "/packages/foo")).body.retirements["1.0.0"].reason,
    "renamed",
    "replace: true retires every release anew",
  );
});
