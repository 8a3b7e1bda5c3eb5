// The local Hex server's package listing: search syntax, sorting, pagination and repository visibility.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTarball, startHexServer } from "../support/hex-server/index.js";
import { call } from "../support/hex-server/test-client.js";
import type { HexServer } from "../support/hex-server/types.js";

async function seed(server: HexServer) {
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const add = (
    name: string,
    description: string,
    extra: Record<string, unknown> = {},
    repository?: string,
    buildTools = ["mix"],
  ) =>
    server.addRelease({
      ...(repository ? { repository } : {}),
      owner: "ana",
      tarball: buildTarball({
        name,
        version: "1.0.0",
        metadata: { description, build_tools: buildTools, ...(extra as Record<string, never>) },
      }),
    });
  add("plug", "A specification for composable modules between web applications");
  add("plug_cowboy", "A Plug adapter for Cowboy");
  add("jason", "A blazing fast JSON parser and generator in pure Elixir", { extra: { type: "json" } });
  add("cowboy", "Small, fast, modern HTTP server", {}, undefined, ["rebar3"]);
  add("ex", "Two letters");
  add("secret", "Private parser", {}, "acme");
  return ana;
}

const names = (res: { body: { name: string }[] }) => res.body.map((p) => p.name);

test("search: free text over names (*text* from 3 characters) and descriptions, plus filters", async () => {
  await using server = await startHexServer();
  await seed(server);
  const search = async (q: string) => names(await call(server, `/packages?search=${encodeURIComponent(q)}`));
  assert.deepEqual(await search("plug"), ["plug", "plug_cowboy"]);
  assert.deepEqual(await search("cowboy"), ["cowboy", "plug_cowboy"]);
  assert.deepEqual(await search("ex"), ["ex"], "short text must equal the name");
  assert.deepEqual(await search("parser"), ["jason"], "descriptions match; private packages stay hidden");
  assert.deepEqual(await search("name:plug*"), ["plug", "plug_cowboy"]);
  assert.deepEqual(await search("name:plug"), ["plug"]);
  assert.deepEqual(await search("name:*cowboy"), ["cowboy", "plug_cowboy"]);
  assert.deepEqual(await search('description:"HTTP server"'), ["cowboy"]);
  assert.deepEqual(await search("build_tool:rebar3"), ["cowboy"]);
  assert.deepEqual(await search("extra:type,json"), ["jason"]);
  assert.deepEqual(await search("plug name:*cowboy"), ["plug_cowboy"]);
  assert.deepEqual(await search("nothing_like_this"), []);
});

test("sorting, pagination and per_page", async () => {
  await using server = await startHexServer();
  await seed(server);
  assert.deepEqual(names(await call(server, "/packages")), ["cowboy", "ex", "jason", "plug", "plug_cowboy"]);
  assert.deepEqual(names(await call(server, "/packages?per_page=2")), ["cowboy", "ex"]);
  assert.deepEqual(names(await call(server, "/packages?per_page=2&page=3")), ["plug_cowboy"]);
  assert.deepEqual(names(await call(server, "/packages?per_page=2&page=4")), []);
  assert.deepEqual(
    names(await call(server, "/packages?page=nonsense&per_page=1")),
    ["cowboy"],
    "an invalid page means 1",
  );
  await fetch(`${server.repoUrl}/tarballs/jason-1.0.0.tar`);
  assert.equal(names(await call(server, "/packages?sort=downloads"))[0], "jason");
  server.advanceClock(1000);
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "ex", version: "1.1.0" }) });
  assert.equal(names(await call(server, "/packages?sort=updated_at"))[0], "ex");
  const listed = (await call(server, "/packages?search=jason")).body[0];
  assert.equal(listed.owners, undefined, "the list leaves owners out");
  assert.deepEqual(
    listed.releases.map((r: { version: string }) => r.version),
    ["1.0.0"],
  );
  assert.equal(listed.latest_version, "1.0.0");
});

test("visibility: members see their organizations' packages, the repository prefix lists one repository", async () => {
  await using server = await startHexServer();
  const ana = await seed(server);
  const eve = server.addUser({ username: "eve" });
  assert.ok(names(await call(server, "/packages", { auth: ana.apiKey })).includes("secret"));
  assert.ok(!names(await call(server, "/packages", { auth: eve.apiKey })).includes("secret"));
  assert.deepEqual(names(await call(server, "/repos/acme/packages", { auth: ana.apiKey })), ["secret"]);
  assert.equal((await call(server, "/repos/acme/packages", { auth: eve.apiKey })).status, 404);
  assert.deepEqual(
    names(await call(server, `/packages?search=${encodeURIComponent("acme/sec")}`, { auth: ana.apiKey })),
    ["secret"],
  );
});
