// The local Hex server's publishing: tarball validation (hex_core's verdicts), metadata rules, replace and
// the mutability window, size limits, organizations, revert, docs and the repository side.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { buildDocsTarball, buildTarball, startHexServer, type TarballInput } from "../support/hex-server/index.js";
import { call, raw } from "../support/hex-server/test-client.js";
import type { HexServer } from "../support/hex-server/types.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

const HOUR = 3600_000;

function publishAs(server: HexServer, auth: string, input: TarballInput, query = "?replace=false", prefix = "") {
  return call(server, `${prefix}/packages/${input.name}/releases${query}`, { auth, body: buildTarball(input) });
}

test("publish: 201 with location, then replace semantics (absent = true, false refuses), 200 on replace", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const first = await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" });
  assert.equal(first.status, 201);
  assert.equal(first.headers.get("location"), "/api/packages/foo/releases/1.0.0");
  assert.match(first.body.checksum, /^[0-9a-f]{64}$/);
  assert.deepEqual(first.body.publisher, {
    username: "ana",
    url: `${server.apiUrl}/users/ana`,
    email: "ana@example.com",
  });
  assert.deepEqual(first.body.meta, { app: "foo", build_tools: ["mix"], elixir: null });

  const again = await publishAs(server, ana.apiKey, {
    name: "foo",
    version: "1.0.0",
    files: { "lib/x.ex": "changed" },
  });
  assert.deepEqual(
    [again.status, again.body.errors],
    [422, { inserted_at: "must include the --replace flag to update an existing release" }],
  );
  const replaced = await publishAs(
    server,
    ana.apiKey,
    { name: "foo", version: "1.0.0", files: { "lib/x.ex": "changed" } },
    "?replace=true",
  );
  assert.equal(replaced.status, 200);
  assert.notEqual(replaced.body.checksum, first.body.checksum);
  const implicit = await publishAs(
    server,
    ana.apiKey,
    { name: "foo", version: "1.0.0", files: { "lib/y.ex": "again" } },
    "",
  );
  assert.equal(implicit.status, 200, "a missing replace parameter counts as true");
  const notTrue = await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" }, "?replace=yes");
  assert.equal(notTrue.status, 422, "only `true` counts as true");

  const mismatch = await call(server, "/packages/bar/releases?replace=false", {
    auth: ana.apiKey,
    body: buildTarball({ name: "foo", version: "2.0.0" }),
  });
  assert.deepEqual(mismatch.body.errors, { name: "metadata does not match package name" });

  const viaPublish = await call(server, "/publish?replace=false", {
    auth: ana.apiKey,
    body: buildTarball({ name: "baz", version: "0.1.0" }),
  });
  assert.equal(viaPublish.status, 201);
  const pkg = await call(server, "/packages/baz");
  assert.deepEqual(
    pkg.body.owners.map((o: { username: string }) => o.username),
    ["ana"],
    "the publisher is the first owner",
  );
});

test("ownership: others get 403 on hexpm; a package key publishes to its package only, never a new one", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const bob = server.addUser({ username: "bob" });
  assert.equal((await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" })).status, 201);
  const stranger = await publishAs(server, bob.apiKey, { name: "foo", version: "1.1.0" });
  assert.deepEqual([stranger.status, stranger.body.message], [403, "account not authorized for this action"]);
  const anonymous = await call(server, "/packages/foo/releases", {
    body: buildTarball({ name: "foo", version: "1.1.0" }),
  });
  assert.deepEqual([anonymous.status, anonymous.body.message], [401, "missing authentication information"]);

  const fooKey = server.addKey({
    owner: { user: "ana" },
    name: "foo-only",
    permissions: [{ domain: "package", resource: "hexpm/foo" }],
  });
  assert.equal((await publishAs(server, fooKey, { name: "foo", version: "1.1.0" })).status, 201);
  const other = await publishAs(server, fooKey, { name: "other", version: "1.0.0" });
  assert.deepEqual([other.status, other.body.message], [401, "key not authorized for this action"]);
});

test("mutability window: an hour after the release or a day after the package's first (hexpm only)", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  assert.equal((await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" })).status, 201);
  server.advanceClock(23 * HOUR);
  assert.equal(
    (await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" }, "?replace=true")).status,
    200,
    "inside the package's first day",
  );
  server.advanceClock(2 * HOUR);
  const late = await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" }, "?replace=false");
  assert.deepEqual(
    late.body.errors,
    { inserted_at: "can only modify a release up to one hour after publication" },
    "the window is checked before replace",
  );
  const lateRevert = await call(server, "/packages/foo/releases/1.0.0", { method: "DELETE", auth: ana.apiKey });
  assert.deepEqual(
    [lateRevert.status, lateRevert.body.errors],
    [422, { inserted_at: "can only delete a release up to one hour after publication" }],
  );

  assert.equal((await publishAs(server, ana.apiKey, { name: "foo", version: "1.1.0" })).status, 201);
  server.advanceClock(HOUR / 2);
  assert.equal((await publishAs(server, ana.apiKey, { name: "foo", version: "1.1.0" }, "?replace=true")).status, 200);
  assert.equal(
    (await call(server, "/packages/foo/releases/1.1.0", { method: "DELETE", auth: ana.apiKey })).status,
    204,
  );
  assert.deepEqual(
    (await call(server, "/packages/foo")).body.releases.map((r: { version: string }) => r.version),
    ["1.0.0"],
  );

  assert.equal(
    (await publishAs(server, ana.apiKey, { name: "priv", version: "1.0.0" }, "?replace=false", "/repos/acme")).status,
    201,
  );
  server.advanceClock(48 * HOUR);
  const orgReplace = await publishAs(
    server,
    ana.apiKey,
    { name: "priv", version: "1.0.0" },
    "?replace=true",
    "/repos/acme",
  );
  assert.equal(orgReplace.status, 200, "organization releases stay mutable");
});

test("revert: the last release takes the package with it, unless another package depends on it", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  await publishAs(server, ana.apiKey, { name: "base", version: "1.0.0" });
  await publishAs(server, ana.apiKey, {
    name: "user",
    version: "1.0.0",
    metadata: { requirements: { base: { app: "base", optional: false, requirement: "~> 1.0" } } },
  });
  const refused = await call(server, "/packages/base/releases/1.0.0", { method: "DELETE", auth: ana.apiKey });
  assert.deepEqual(
    [refused.status, refused.body.errors],
    [422, { name: "you cannot delete this package because other packages depend on it" }],
  );
  assert.equal(
    (await call(server, "/packages/user/releases/1.0.0", { method: "DELETE", auth: ana.apiKey })).status,
    204,
  );
  assert.equal((await call(server, "/packages/user")).status, 404);
  assert.equal(
    (await call(server, "/packages/base/releases/1.0.0", { method: "DELETE", auth: ana.apiKey })).status,
    204,
  );
  assert.equal(
    (await call(server, "/packages/base/releases/1.0.0", { method: "DELETE", auth: ana.apiKey })).status,
    404,
  );
  assert.deepEqual((await call(server, "/packages/base/releases/nope", { method: "DELETE", auth: ana.apiKey })).body, {
    status: 400,
    message: "invalid version: nope",
  });
});

test("metadata validations: name, version, description and licenses on hexpm, links, requirements", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const errorsOf = async (input: TarballInput, prefix = "") =>
    (await publishAs(server, ana.apiKey, input, "?replace=false", prefix)).body.errors;
  assert.deepEqual(await errorsOf({ name: "mix", version: "1.0.0" }), { name: "is reserved" });
  assert.deepEqual(await errorsOf({ name: "Foo", version: "1.0.0" }), { name: "has invalid format" });
  assert.deepEqual(await errorsOf({ name: "foo", version: "1.0" }), { version: "is invalid SemVer" });
  assert.deepEqual(await errorsOf({ name: "foo", version: "1.0.0+build.1" }), { version: "build number not allowed" });
  assert.deepEqual(
    await errorsOf({ name: "foo", version: "1.0.0", metadata: { description: undefined, licenses: undefined } }),
    {
      meta: { description: "can't be blank", licenses: "can't be blank" },
    },
  );
  assert.deepEqual(await errorsOf({ name: "foo", version: "1.0.0", metadata: { licenses: ["MIT OR Apache-2.0"] } }), {
    meta: { licenses: 'invalid license "MIT OR Apache-2.0"' },
  });
  assert.deepEqual(await errorsOf({ name: "foo", version: "1.0.0", metadata: { links: { Home: "ftp://x" } } }), {
    meta: { links: 'invalid link "ftp://x"' },
  });
  assert.deepEqual(await errorsOf({ name: "foo", version: "1.0.0", metadata: { app: undefined, elixir: "~> nope" } }), {
    meta: { app: "can't be blank", elixir: 'invalid requirement: "~> nope"' },
  });
  assert.deepEqual(await errorsOf({ name: "foo", version: "1.0.0", files: {}, metadata: { files: [] } }), {
    meta: { files: "package can't be empty" },
  });
  const req = (requirements: Record<string, unknown>) => ({
    name: "foo",
    version: "1.0.0",
    metadata: { requirements } as TarballInput["metadata"],
  });
  assert.deepEqual(await errorsOf(req({ plug: { app: "plug", optional: false, requirement: "~> 1.0" } })), {
    requirements: { plug: 'package does not exist in repository "hexpm"' },
  });
  await publishAs(server, ana.apiKey, { name: "plug", version: "1.0.0" });
  assert.deepEqual(await errorsOf(req({ plug: { app: "plug", optional: false, requirement: "!= 1.0.0" } })), {
    requirements: { plug: 'invalid requirement: "!= 1.0.0", != is not allowed in requirements' },
  });
  assert.deepEqual(
    await errorsOf(req({ plug: { app: "plug", optional: false, requirement: "~> 1.0", repository: "acme" } })),
    {
      requirements: { plug: 'package does not exist in repository "acme"' },
    },
  );
  await publishAs(server, ana.apiKey, { name: "inner", version: "1.0.0" }, "?replace=false", "/repos/acme");
  assert.deepEqual(
    await errorsOf(req({ inner: { app: "inner", optional: false, requirement: "~> 1.0", repository: "acme" } })),
    {
      requirements: { inner: 'dependencies can only belong to public repository "hexpm", got: "acme"' },
    },
  );
  const orgPackage = await publishAs(
    server,
    ana.apiKey,
    {
      name: "lib",
      version: "1.0.0",
      metadata: {
        description: undefined,
        licenses: undefined,
        requirements: {
          inner: { app: "inner", optional: true, requirement: "~> 1.0", repository: "acme" },
          plug: { app: "plug", optional: false, requirement: ">= 0.0.0" },
        },
      },
    },
    "?replace=false",
    "/repos/acme",
  );
  assert.equal(
    orgPackage.status,
    201,
    "no description or licenses needed in an organization; hexpm and same-org deps allowed",
  );
  assert.deepEqual(orgPackage.body.requirements, {
    inner: { app: "inner", requirement: "~> 1.0", optional: true },
    plug: { app: "plug", requirement: ">= 0.0.0", optional: false },
  });
  assert.equal(orgPackage.headers.get("location"), "/api/packages/lib/releases/1.0.0");
});

test("tarball checks: hex_core's error texts under `tar` (built locally)", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const tar = async (input: Partial<TarballInput>) =>
    (
      await call(server, "/publish", {
        auth: ana.apiKey,
        body: buildTarball({ name: "foo", version: "1.0.0", ...input }),
      })
    ).body.errors?.tar;
  assert.equal(await tar({ raw: { version: "2" } }), 'unsupported version: <<"2">>');
  assert.equal(await tar({ raw: { omit: ["CHECKSUM"] } }), 'missing files: ["CHECKSUM"]');
  assert.equal(await tar({ raw: { checksum: "AB" } }), "tarball error, unknown POSIX error");
  assert.match(
    (await tar({ raw: { checksum: "00".repeat(32) } })) ?? "",
    /^tarball error, \{inner_checksum_mismatch,<<0,0,/,
  );
  assert.equal(await tar({ raw: { metadataConfig: '{<<"name">>' } }), "error reading package metadata: invalid terms");
  const notTar = await call(server, "/publish", { auth: ana.apiKey, body: new TextEncoder().encode("hello") });
  assert.deepEqual(notTar.body.errors, { tar: "tarball error, Unexpected end of file" });
});

test(
  "negative vectors: every tarball hex_core's disk unpack refuses is a 422 with its message",
  { skip: vectorsSkip },
  async () => {
    await using server = await startHexServer();
    const ana = server.addUser({ username: "ana" });
    const index = readVectorJson<{
      cases: { id: string; tarball_file: string; expected_file: string; disk: string }[];
    }>("tarballs_negative", "index.json");
    let checked = 0;
    for (const c of index.cases) {
      const expected = readVectorJson("tarballs_negative", c.expected_file);
      if (Object.keys(expected.config_overrides ?? {}).length > 0 || c.disk === "exception") continue;
      const res = await call(server, "/publish", {
        auth: ana.apiKey,
        body: readFileSync(vectorPath("tarballs_negative", c.tarball_file)),
      });
      if (c.disk === "error") {
        const message: string = expected.unpack_disk.message;
        assert.equal(res.status, 422, c.id);
        if (message.includes("inner_checksum_mismatch"))
          assert.match(res.body.errors.tar, /^tarball error, \{inner_checksum_mismatch,/, c.id);
        else assert.equal(res.body.errors.tar, message, c.id);
        checked++;
      } else {
        assert.ok(!res.body?.errors?.tar, `${c.id}: hex_core accepts this tarball, got ${JSON.stringify(res.body)}`);
      }
    }
    assert.ok(checked >= 15, `checked ${checked} refused vectors`);

    const small = await startHexServer({ tarballMaxSize: 1024 });
    const key = small.addUser({ username: "ana" }).apiKey;
    const tooBig = await call(small, "/publish", {
      auth: key,
      body: readFileSync(vectorPath("tarballs_negative", "tarball_too_big_for_config.tar")),
    });
    assert.equal(
      tooBig.body.errors.tar,
      readVectorJson("tarballs_negative", "tarball_too_big_for_config.json").unpack_disk.message,
    );
    await small.close();
  },
);

test("a hex_core-built vector tarball publishes and is served back byte for byte", { skip: vectorsSkip }, async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "cowboy", version: "2.9.0" }) });
  const bytes = readFileSync(vectorPath("tarballs", "rebar3_app", "rebar3_app-1.2.3.tar"));
  const res = await call(server, "/packages/rebar3_app/releases?replace=false", { auth: ana.apiKey, body: bytes });
  assert.equal(res.status, 201);
  const expected = readVectorJson("tarballs", "rebar3_app", "expected.json");
  assert.equal(res.body.checksum, expected.outer_checksum);
  assert.deepEqual(res.body.requirements, { cowboy: { app: "cowboy", requirement: "~> 2.9", optional: false } });
  const download = await fetch(`${server.repoUrl}/tarballs/rebar3_app-1.2.3.tar`);
  assert.equal(download.status, 200);
  assert.ok(Buffer.from(await download.arrayBuffer()).equals(bytes));
  assert.equal((await call(server, "/packages/rebar3_app")).body.downloads.all, 1);

  const minimal = await call(server, "/publish", {
    auth: ana.apiKey,
    body: readFileSync(vectorPath("tarballs", "minimal", "minimal-0.1.0.tar")),
  });
  assert.deepEqual(minimal.body.errors, { meta: { description: "can't be blank", licenses: "can't be blank" } });
});

test("size limits: 413 past 20 MiB; Expect: 100-continue checks auth and Content-Length before the body", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const huge = new Uint8Array(21 * 1024 * 1024);
  const tooLarge = await raw(server, "/publish", {
    method: "POST",
    headers: { "user-agent": "t", authorization: ana.apiKey },
    body: huge,
  });
  assert.deepEqual([tooLarge.status, tooLarge.body], [413, { status: 413, message: "Payload too large" }]);

  const big = new Uint8Array(17 * 1024 * 1024);
  const early = await raw(server, "/packages/foo/releases", {
    method: "POST",
    headers: { "user-agent": "t", authorization: ana.apiKey, expect: "100-continue" },
    body: big,
  });
  assert.deepEqual([early.status, early.body.errors, early.continued], [422, { tar: "too big" }, false]);
  const unauthorized = await raw(server, "/packages/foo/releases", {
    method: "POST",
    headers: { "user-agent": "t", expect: "100-continue" },
    body: buildTarball({ name: "foo", version: "1.0.0" }),
  });
  assert.deepEqual([unauthorized.status, unauthorized.continued], [401, false]);
  const ok = await raw(server, "/packages/foo/releases?replace=false", {
    method: "POST",
    headers: { "user-agent": "t", authorization: ana.apiKey, expect: "100-continue" },
    body: buildTarball({ name: "foo", version: "1.0.0" }),
  });
  assert.deepEqual([ok.status, ok.continued], [201, true]);
});

test("organizations: write members publish, read members 403, strangers 404, unpaid organizations 403", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const rita = server.addUser({ username: "rita" });
  const eve = server.addUser({ username: "eve" });
  server.addOrganization({ name: "acme", admin: "ana", members: [{ username: "rita", role: "read" }] });
  server.addOrganization({ name: "broke", admin: "ana", billingActive: false });
  const input = { name: "priv", version: "1.0.0" };
  assert.equal((await publishAs(server, rita.apiKey, input, "?replace=false", "/repos/acme")).status, 403);
  assert.equal((await publishAs(server, eve.apiKey, input, "?replace=false", "/repos/acme")).status, 404);
  assert.equal((await publishAs(server, ana.apiKey, input, "?replace=false", "/repos/nope")).status, 404);
  const unpaid = await publishAs(server, ana.apiKey, input, "?replace=false", "/repos/broke");
  assert.deepEqual([unpaid.status, unpaid.body.message], [403, "organization has no active billing subscription"]);
  assert.equal((await publishAs(server, ana.apiKey, input, "?replace=false", "/repos/acme")).status, 201);
  assert.equal((await call(server, "/repos/acme/packages/priv", { auth: rita.apiKey })).status, 200);
  assert.equal((await call(server, "/repos/acme/packages/priv", { auth: eve.apiKey })).status, 404);
  assert.equal((await call(server, "/repos/acme/packages/priv")).status, 404);
  assert.deepEqual(
    (await call(server, "/repos/acme/packages/priv", { auth: rita.apiKey })).body.owners,
    [],
    "organization packages have no first owner",
  );

  const tarball = `${server.repoUrl}/repos/acme/tarballs/priv-1.0.0.tar`;
  assert.equal((await fetch(tarball)).status, 401);
  const repoKey = server.addKey({
    owner: { user: "rita" },
    name: "repo",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  assert.equal((await fetch(tarball, { headers: { authorization: repoKey } })).status, 200);
  const eveKey = server.addKey({ owner: { user: "eve" }, name: "repo", permissions: [{ domain: "repositories" }] });
  assert.equal((await fetch(tarball, { headers: { authorization: eveKey } })).status, 403);
  const apiOnly = server.addKey({
    owner: { user: "rita" },
    name: "api",
    permissions: [{ domain: "api", resource: "read" }],
  });
  assert.equal((await fetch(tarball, { headers: { authorization: apiOnly } })).status, 403);
  assert.equal((await fetch(`${server.repoUrl}/tarballs/priv-1.0.0.tar`)).status, 404, "not in the public repository");
});

test("docs: upload after the release, 302 to the repository, served, removable; size limits", async () => {
  await using server = await startHexServer({ tarballMaxUncompressed: 64 * 1024 });
  const ana = server.addUser({ username: "ana" });
  await publishAs(server, ana.apiKey, { name: "foo", version: "1.0.0" });
  const docs = buildDocsTarball();
  const missing = await call(server, "/packages/foo/releases/2.0.0/docs", { auth: ana.apiKey, body: docs });
  assert.equal(missing.status, 404);
  const up = await call(server, "/packages/foo/releases/1.0.0/docs", { auth: ana.apiKey, body: docs });
  assert.deepEqual([up.status, up.headers.get("location")], [201, `${server.repoUrl}/docs/foo-1.0.0.tar.gz`]);
  const release = await call(server, "/packages/foo/releases/1.0.0");
  assert.equal(release.body.has_docs, true);
  assert.ok(release.body.docs_html_url);
  const redirect = await call(server, "/packages/foo/releases/1.0.0/docs");
  assert.deepEqual(
    [redirect.status, redirect.headers.get("location")],
    [302, `${server.repoUrl}/docs/foo-1.0.0.tar.gz`],
  );
  const served = await fetch(`${server.repoUrl}/docs/foo-1.0.0.tar.gz`);
  assert.ok(Buffer.from(await served.arrayBuffer()).equals(docs));
  const bomb = buildDocsTarball({ "index.html": "x".repeat(100 * 1024) });
  const tooBig = await call(server, "/packages/foo/releases/1.0.0/docs", { auth: ana.apiKey, body: bomb });
  assert.deepEqual(tooBig.body.errors, { tar: "too big (uncompressed)" });
  assert.equal(
    (await call(server, "/packages/foo/releases/1.0.0/docs", { method: "DELETE", auth: ana.apiKey })).status,
    204,
  );
  assert.equal((await call(server, "/packages/foo/releases/1.0.0/docs")).status, 404);
  assert.equal((await fetch(`${server.repoUrl}/docs/foo-1.0.0.tar.gz`)).status, 404);
});
