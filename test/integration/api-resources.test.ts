// Every resource call of the API client against the local Hex server: users, keys, organizations,
// repositories, packages, releases (publish/revert), owners, retirements, docs and the key test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { HexClient } from "../../src/api/http.js";
import { ApiError } from "../../src/api/errors.js";
import { HextsError } from "../../src/errors.js";
import { messageWithAdvice } from "../../src/cli/advice.js";
import { createUser, getMe, getUser } from "../../src/api/users.js";
import { createKey, deleteAllKeys, deleteKey, getKey, listKeys } from "../../src/api/keys.js";
import {
  addMember,
  getMember,
  getOrganization,
  getRepository,
  listMembers,
  listOrganizations,
  listRepositories,
  removeMember,
  updateMember,
  updateOrganization,
} from "../../src/api/organizations.js";
import { getPackage, searchPackages } from "../../src/api/packages.js";
import { deleteRelease, getRelease, publishRelease } from "../../src/api/releases.js";
import { addOwner, getOwner, listOwners, removeOwner } from "../../src/api/owners.js";
import { retireAllReleases, retireRelease, unretireRelease } from "../../src/api/retirements.js";
import { deleteDocs, docsTarballUrl, publishDocs } from "../../src/api/docs.js";
import { testAuth } from "../../src/api/auth.js";
import { pollDeviceToken, startDeviceAuthorization, type OAuthToken } from "../../src/api/oauth.js";
import { startHexServer, type HexServer } from "../support/hex-server/index.js";
import { buildDocsTarball, buildTarball } from "../support/hex-server/tarball-builder.js";

const hits = (server: HexServer, method: string, path: string) =>
  server.requests.filter((r) => r.method === method && r.path === path);
const keyed = (server: HexServer, key: string) =>
  new HexClient({ apiUrl: server.apiUrl, credential: { type: "key", key }, retry: { baseDelayMs: 1 } });

test("users: register (anonymously), whoami with organizations, look up by name and email", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana", email: "ana@example.com", fullName: "Ana B" });
  server.addOrganization({ name: "acme", admin: "ana" });
  await using c = keyed(server, apiKey);

  const created = await createUser(c, {
    username: "newbie",
    email: "newbie@example.com",
    password: "long-enough-pw",
    fullName: "New Bie",
  });
  assert.equal(created.username, "newbie");
  const [reg] = hits(server, "POST", "/api/users");
  assert.equal(reg?.headers.authorization, undefined, "registration never carries a credential");

  await assert.rejects(createUser(c, { username: "ab", email: "bad", password: "short" }), (e: unknown) => {
    assert.ok(e instanceof ApiError && e.code === "VALIDATION_FAILED");
    assert.deepEqual([...e.lines].sort(), [
      "emails.email: has invalid format",
      "password: should be at least 8 character(s)",
      "username: should be at least 3 character(s)",
    ]);
    return true;
  });

  const me = await getMe(c);
  assert.equal(me.username, "ana");
  assert.equal(me.full_name, "Ana B");
  assert.deepEqual(me.organizations, [{ name: "acme", role: "admin" }]);
  assert.equal((await getUser(c, "ana")).username, "ana");
  await assert.rejects(
    getUser(c, "nobody"),
    (e: unknown) => e instanceof ApiError && e.code === "NOT_FOUND" && /User "nobody" does not exist/.test(e.message),
  );
});

test("keys: create (secret once), list, get, revoke one, revoke all", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  await using c = keyed(server, apiKey);

  const created = await createKey(c, {
    name: "laptop",
    permissions: [{ domain: "api", resource: "read" }, { domain: "repositories" }],
  });
  assert.equal(created.name, "laptop");
  assert.match(created.secret, /^[0-9a-f]{32}$/);
  assert.deepEqual(created.permissions, [
    { domain: "api", resource: "read" },
    { domain: "repositories", resource: null },
  ]);
  assert.equal(created.revoke_at, null);
  assert.deepEqual(
    hits(server, "POST", "/api/keys")[0] && JSON.stringify(created.permissions.map((p) => p.domain)),
    JSON.stringify(["api", "repositories"]),
  );

  // A taken name gets a suffix from the server; the client reports what was stored.
  assert.equal((await createKey(c, { name: "laptop" })).name, "laptop-2");

  const keys = await listKeys(c);
  assert.deepEqual(keys.map((k) => k.name).sort(), ["laptop", "laptop-2", "seed-api"]);
  assert.ok(
    keys.every((k) => !k.secret),
    "listed keys carry no secret",
  );
  assert.equal(keys.find((k) => k.name === "seed-api")?.authing_key, true);
  assert.equal((await getKey(c, "laptop")).authing_key, false);

  const revoked = await deleteKey(c, "laptop");
  assert.equal(revoked.name, "laptop");
  await assert.rejects(
    getKey(c, "laptop"),
    (e: unknown) => e instanceof ApiError && e.code === "NOT_FOUND" && /no key named "laptop"/.test(e.message),
  );

  const future = new Date(Date.now() + 86_400_000).toISOString();
  const expiring = await createKey(c, { name: "temp", revokeAt: future });
  assert.ok(expiring.revoke_at);

  const last = await deleteAllKeys(c);
  assert.equal(last?.name, "seed-api");
  await assert.rejects(
    listKeys(c),
    (e: unknown) => e instanceof ApiError && e.code === "NOT_AUTHENTICATED" && /API key/.test(e.message),
  );
});

test("organization keys and members live under orgs/ORG/", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  server.addUser({ username: "bo", email: "bo@example.com" });
  server.addOrganization({ name: "acme", admin: "ana", seats: 5 });
  await using c = keyed(server, apiKey);
  // The same login, for the organization's repository: keys and members under orgs/acme/.
  const acmeClient = c.with({ repo: "hexpm:acme" });
  assert.deepEqual(acmeClient.repo, { repository: "hexpm:acme", organization: "acme" });

  const orgKey = await createKey(acmeClient, {
    name: "ci",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  assert.equal(hits(server, "POST", "/api/orgs/acme/keys").length, 1);
  assert.deepEqual(
    (await listKeys(acmeClient)).map((k) => k.name),
    ["ci"],
  );
  assert.equal((await getKey(acmeClient, "ci")).name, "ci");
  assert.ok(
    (await listKeys(c)).every((k) => k.name !== "ci"),
    "the user's own keys stay apart",
  );

  const orgs = await listOrganizations(c);
  assert.deepEqual(
    orgs.map((o) => [o.name, o.billing_active]),
    [["acme", true]],
  );
  const acme = await getOrganization(acmeClient);
  assert.equal(acme.seats, 5);
  assert.equal((await updateOrganization(acmeClient, { seats: 7 })).seats, 7);
  await assert.rejects(
    getOrganization(c),
    (e: unknown) => e instanceof HextsError && e.code === "USAGE" && /organization's repository/.test(e.message),
  );

  const added = await addMember(acmeClient, { name: "bo@example.com", role: "read" });
  assert.equal(added.username, "bo");
  assert.equal(added.role, "read");
  assert.equal((await updateMember(acmeClient, "bo", { role: "write" })).role, "write");
  assert.equal((await getMember(acmeClient, "bo")).role, "write");
  assert.deepEqual((await listMembers(acmeClient)).map((m) => [m.username, m.role]).sort(), [
    ["ana", "admin"],
    ["bo", "write"],
  ]);
  await removeMember(acmeClient, "bo");
  await assert.rejects(
    getMember(acmeClient, "bo"),
    (e: unknown) => e instanceof ApiError && e.code === "NOT_FOUND" && /not a member of acme/.test(e.message),
  );

  // The organization's own key sees its organization.
  await using org = keyed(server, orgKey.secret);
  assert.deepEqual(await testAuth(org, { domain: "repository", resource: "acme" }), {
    kind: "key",
    name: "ci",
    owner: { type: "organization", name: "acme" },
  });

  await deleteKey(acmeClient, "ci");
  assert.deepEqual(await listKeys(acmeClient), []);

  assert.deepEqual((await listRepositories(c)).map((r) => r.name).sort(), ["acme", "hexpm"]);
  assert.equal((await getRepository(c, "hexpm:acme")).name, "acme");
});

test("the key test: who owns a key, and a missing permission is FORBIDDEN", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  const readKey = server.addKey({
    owner: { user: "ana" },
    name: "reader",
    permissions: [{ domain: "api", resource: "read" }],
  });
  await using c = keyed(server, apiKey);
  assert.deepEqual(await testAuth(c, { domain: "api" }), {
    kind: "key",
    name: "seed-api",
    owner: { type: "user", name: "ana" },
  });
  await using r = keyed(server, readKey);
  await assert.rejects(
    testAuth(r, { domain: "repository", resource: "acme" }),
    (e: unknown) => e instanceof ApiError && e.code === "FORBIDDEN" && e.status === 401,
  );
  await assert.rejects(
    createKey(r, { name: "x" }),
    (e: unknown) => e instanceof ApiError && e.code === "FORBIDDEN" && /lacks the permission/.test(e.message),
  );
});

test("publish: upload with progress (Content-Length, no Expect), replace rules, /publish, revert", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  await using c = keyed(server, apiKey);
  // Incompressible contents, so the upload is big enough to report progress in several steps.
  const tarball = buildTarball({ name: "foo", version: "1.0.0", files: { "priv/blob.bin": randomBytes(300_000) } });

  const progress: [number, number][] = [];
  const first = await publishRelease(c, tarball, {
    name: "foo",
    replace: false,
    onProgress: (sent, total) => progress.push([sent, total]),
  });
  assert.equal(first.created, true);
  assert.equal(first.release.version, "1.0.0");
  assert.match(first.release.checksum ?? "", /^[0-9a-f]{64}$/);
  const [upload] = hits(server, "POST", "/api/packages/foo/releases");
  assert.equal(upload?.query.replace, "false");
  assert.equal(upload?.headers["content-length"], String(tarball.byteLength));
  assert.equal(upload?.headers["content-type"], "application/octet-stream");
  assert.equal(upload?.headers.expect, undefined);
  assert.equal(upload?.bodySize, tarball.byteLength);
  assert.deepEqual(progress[0], [0, tarball.byteLength]);
  assert.deepEqual(progress.at(-1), [tarball.byteLength, tarball.byteLength]);
  assert.ok(progress.length > 2, "progress is reported in steps");
  assert.ok(progress.every(([sent], i) => i === 0 || sent > progress[i - 1]![0]));

  await assert.rejects(publishRelease(c, tarball, { name: "foo", replace: false }), (e: unknown) => {
    assert.ok(e instanceof ApiError && e.code === "VALIDATION_FAILED");
    assert.deepEqual(e.lines, ["inserted_at: must include the --replace flag to update an existing release"]);
    return true;
  });
  const replaced = await publishRelease(c, tarball, { name: "foo", replace: true });
  assert.equal(replaced.created, false);

  await publishRelease(c, buildTarball({ name: "foo", version: "1.1.0" }), { name: "foo", replace: false });

  await assert.rejects(
    publishRelease(
      c,
      buildTarball({
        name: "bar",
        version: "0.1.0",
        metadata: { requirements: { nope: { app: "nope", requirement: "~> 1.0", optional: false } } },
      }),
      { name: "bar", replace: false },
    ),
    (e: unknown) => {
      assert.ok(e instanceof ApiError && e.code === "VALIDATION_FAILED");
      assert.ok(
        e.lines.some((l) => l.startsWith("requirements.nope: ")),
        e.lines.join("\n"),
      );
      return true;
    },
  );

  const pkg = await getPackage(c, "foo");
  assert.equal(pkg.latest_version, "1.1.0");
  assert.deepEqual(pkg.releases?.map((r) => r.version).sort(), ["1.0.0", "1.1.0"]);
  assert.equal((await getRelease(c, "foo", "1.0.0")).checksum, first.release.checksum);

  await deleteRelease(c, "foo", "1.1.0");
  await assert.rejects(
    getRelease(c, "foo", "1.1.0"),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === "NOT_FOUND" &&
      /Release foo 1\.1\.0 does not exist in the server at http:\/\/127\.0\.0\.1:\d+\/api/.test(e.message),
  );
});

test("publish without a name goes to /publish, where the server reads the name from the tarball", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  await using c = keyed(server, apiKey);
  const viaPublish = await publishRelease(c, buildTarball({ name: "foo", version: "1.1.0" }), { replace: false });
  assert.equal(viaPublish.created, true);
  assert.equal(viaPublish.release.version, "1.1.0");
  assert.equal(hits(server, "POST", "/api/publish")[0]?.query.replace, "false");
  assert.equal((await getPackage(c, "foo")).name, "foo");
});

test("an upload cut off mid-body is not re-sent; the error says the outcome is unknown and how to check", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  await using c = keyed(server, apiKey);
  server.fault({ method: "POST", path: "/api/packages/foo/releases", fault: { kind: "reset-mid-body" } });
  const tarball = buildTarball({ name: "foo", version: "1.0.0", files: { "priv/blob.bin": randomBytes(2_000_000) } });
  await assert.rejects(publishRelease(c, tarball, { name: "foo", replace: false }), (e: unknown) => {
    assert.ok(e instanceof ApiError && e.code === "NETWORK", String(e));
    assert.match(e.message, /may or may not have carried it out/);
    assert.doesNotMatch(e.message, /hexts /, "the library names no CLI command");
    assert.match(messageWithAdvice(e), /look at the package page or run `hexts search foo` to see whether/);
    return true;
  });
  assert.equal(hits(server, "POST", "/api/packages/foo/releases").length, 1);
});

test("search and package lookups, public and in an organization's repository", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "plug_a", version: "1.0.0" }) });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "plug_b", version: "2.0.0" }) });
  server.addRelease({
    repository: "acme",
    owner: "ana",
    tarball: buildTarball({ name: "secret_pkg", version: "0.1.0" }),
  });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  await using c = keyed(server, apiKey);

  const found = await searchPackages(anon, { search: "plug", sort: "name", page: 1, perPage: 10 });
  assert.deepEqual(
    found.map((p) => p.name),
    ["plug_a", "plug_b"],
  );
  assert.deepEqual(hits(server, "GET", "/api/packages")[0]?.query, {
    search: "plug",
    sort: "name",
    page: "1",
    per_page: "10",
  });
  assert.deepEqual(await searchPackages(anon, { search: "plug", page: 2, perPage: 10 }), []);

  const pkg = await getPackage(anon, "plug_a");
  assert.equal(pkg.repository, "hexpm");
  assert.deepEqual(pkg.meta.licenses, ["MIT"]);
  assert.deepEqual(
    pkg.owners?.map((o) => o.username),
    ["ana"],
  );

  const acme = c.with({ repo: "hexpm:acme" });
  const priv = await getPackage(acme, "secret_pkg");
  assert.equal(priv.repository, "acme");
  assert.equal(hits(server, "GET", "/api/repos/acme/packages/secret_pkg").length, 1);
  assert.deepEqual(
    (await searchPackages(acme)).map((p) => p.name),
    ["secret_pkg"],
  );
  assert.equal((await getRelease(acme, "secret_pkg", "0.1.0")).version, "0.1.0");
  await assert.rejects(
    getPackage(anon.with({ repo: "hexpm:acme" }), "secret_pkg"),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === "NOT_FOUND" &&
      /repository acme of the server at http:\/\/127\.0\.0\.1:\d+\/api/.test(e.message),
  );
});

test("owners: list, get, add as maintainer, transfer, remove", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  server.addUser({ username: "bo", email: "bo+hex@example.com" });
  server.addUser({ username: "cy" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  await using c = keyed(server, apiKey);

  assert.deepEqual(
    (await listOwners(c, "foo")).map((o) => [o.username, o.level]),
    [["ana", "full"]],
  );
  await addOwner(c, "foo", "bo+hex@example.com", { level: "maintainer" });
  // Encoded twice: the server percent-decodes the path, then form-decodes the name (a bare + would be a space).
  assert.equal(hits(server, "PUT", "/api/packages/foo/owners/bo%252Bhex%2540example.com").length, 1);
  assert.equal((await getOwner(c, "foo", "bo")).level, "maintainer");
  await removeOwner(c, "foo", "bo");
  await assert.rejects(
    getOwner(c, "foo", "bo"),
    (e: unknown) => e instanceof ApiError && e.code === "NOT_FOUND" && /"bo" is not an owner of foo/.test(e.message),
  );

  await assert.rejects(
    removeOwner(c, "foo", "ana"),
    (e: unknown) => e instanceof ApiError && e.code === "VALIDATION_FAILED" && e.lines.length > 0,
  );

  await addOwner(c, "foo", "cy", { transfer: true });
  assert.deepEqual(
    (await listOwners(c, "foo")).map((o) => [o.username, o.level]),
    [["cy", "full"]],
  );
  const put = hits(server, "PUT", "/api/packages/foo/owners/cy")[0];
  assert.ok(put);
});

test("owner changes are retried like reads (PUT marked idempotent), removals are not", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  server.addUser({ username: "bo" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  await using c = keyed(server, apiKey);
  server.fault({ method: "PUT", path: "/api/packages/foo/owners/bo", fault: { kind: "status", status: 503 } });
  await addOwner(c, "foo", "bo");
  assert.equal(hits(server, "PUT", "/api/packages/foo/owners/bo").length, 2);
  server.fault({ method: "DELETE", path: "/api/packages/foo/owners/bo", fault: { kind: "status", status: 503 } });
  await assert.rejects(removeOwner(c, "foo", "bo"), (e: unknown) => e instanceof ApiError && e.code === "SERVER_ERROR");
  assert.equal(hits(server, "DELETE", "/api/packages/foo/owners/bo").length, 1);
});

test("retire, unretire and retire-all; a too-long message comes back as a nested field error", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.1.0" }) });
  await using c = keyed(server, apiKey);

  await retireRelease(c, "foo", "1.0.0", { reason: "security", message: "CVE-2026-1" });
  assert.deepEqual((await getRelease(c, "foo", "1.0.0")).retirement, { reason: "security", message: "CVE-2026-1" });
  assert.deepEqual((await getPackage(c, "foo")).retirements, {
    "1.0.0": { reason: "security", message: "CVE-2026-1" },
  });
  await unretireRelease(c, "foo", "1.0.0");
  assert.equal((await getRelease(c, "foo", "1.0.0")).retirement ?? null, null);

  await assert.rejects(
    retireRelease(c, "foo", "1.0.0", { reason: "other", message: "x".repeat(141) }),
    (e: unknown) => {
      assert.ok(e instanceof ApiError && e.code === "VALIDATION_FAILED");
      assert.deepEqual(e.lines, ["retirement.message: should be at most 140 character(s)"]);
      return true;
    },
  );

  await retireAllReleases(c, "foo", { reason: "deprecated", message: "use bar" });
  const retired = await getPackage(c, "foo");
  assert.deepEqual(Object.keys(retired.retirements ?? {}).sort(), ["1.0.0", "1.1.0"]);
  await assert.rejects(
    retireRelease(c, "foo", "9.9.9", { reason: "other", message: "gone" }),
    (e: unknown) =>
      e instanceof ApiError && e.code === "NOT_FOUND" && /Release foo 9\.9\.9 does not exist/.test(e.message),
  );
});

test("docs: upload returns the tarball location, lookup follows no redirect, delete", async () => {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  await using c = keyed(server, apiKey);

  assert.equal(await docsTarballUrl(c, "foo", "1.0.0"), undefined);
  const progress: number[] = [];
  const { location } = await publishDocs(c, "foo", "1.0.0", buildDocsTarball(), {
    onProgress: (sent) => progress.push(sent),
  });
  assert.match(location ?? "", /docs\/foo-1\.0\.0\.tar\.gz$/);
  assert.ok(progress.length >= 2);
  assert.equal(await docsTarballUrl(c, "foo", "1.0.0"), location);
  assert.equal((await getRelease(c, "foo", "1.0.0")).has_docs, true);
  await deleteDocs(c, "foo", "1.0.0");
  assert.equal(await docsTarballUrl(c, "foo", "1.0.0"), undefined);
  await assert.rejects(
    publishDocs(c, "foo", "2.0.0", buildDocsTarball()),
    (e: unknown) =>
      e instanceof ApiError && e.code === "NOT_FOUND" && /publish the package before its docs/.test(e.message),
  );
});

test("Basic auth only where asked: key creation with a password, refused when the server disabled it", async () => {
  {
    await using server = await startHexServer({ basicAuth: true });
    const { password } = server.addUser({ username: "ana" });
    await using anon = new HexClient({ apiUrl: server.apiUrl });
    const key = await createKey(anon, { name: "legacy" }, { credential: { type: "basic", username: "ana", password } });
    assert.equal(key.name, "legacy");
    assert.equal(
      hits(server, "POST", "/api/keys")[0]?.headers.authorization,
      `Basic ${Buffer.from(`ana:${password}`).toString("base64")}`,
    );
    await assert.rejects(
      createKey(anon, { name: "x" }, { credential: { type: "basic", username: "ana", password: "wrong-password" } }),
      (e: unknown) => e instanceof ApiError && e.code === "NOT_AUTHENTICATED" && !/wrong-password/.test(e.message),
    );
  }
  {
    await using server = await startHexServer();
    const { password } = server.addUser({ username: "ana" });
    await using basic = new HexClient({
      apiUrl: server.apiUrl,
      credential: { type: "basic", username: "ana", password },
    });
    await assert.rejects(createKey(basic, { name: "legacy" }), (e: unknown) => {
      assert.ok(e instanceof ApiError && e.code === "BASIC_AUTH_DISABLED");
      assert.doesNotMatch(e.message, /hexts /, "a library error names no CLI command");
      assert.match(messageWithAdvice(e), /hexts user auth --oauth/, "the CLI adds how to log in instead");
      assert.doesNotMatch(e.message + JSON.stringify(e.details), new RegExp(password));
      return true;
    });
  }
});

test("an OAuth write by a user without two-factor authentication is TWO_FACTOR_DISABLED, with the fix", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "bo" });
  server.addRelease({ owner: "bo", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  await using anon = new HexClient({ apiUrl: server.apiUrl });
  // Without 2FA the user can only grant read-type scopes; a package scope still reaches the 2FA check on writes.
  const device = await startDeviceAuthorization(anon, { clientId: "hexts", scope: "package:hexpm/foo" });
  server.approveDevice(device.user_code, "bo");
  const poll = await pollDeviceToken(anon, { clientId: "hexts", deviceCode: device.device_code });
  const token = (poll as { token: OAuthToken }).token;
  await using c = anon.with({ credential: { type: "oauth", accessToken: token.access_token } });
  await assert.rejects(
    retireRelease(c, "foo", "1.0.0", { reason: "other", message: "bye now" }, { otp: "123456" }),
    (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, "TWO_FACTOR_DISABLED");
      assert.equal(e.status, 403);
      assert.match(e.message, /HEX_API_KEY/);
      return true;
    },
  );
});
