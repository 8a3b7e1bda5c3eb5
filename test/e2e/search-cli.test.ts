// `hexts search` end to end: the built CLI against the local Hex server — anonymous and authenticated searches,
// organizations, sort and pages, the table (descriptions shortened to fit), --json, and never a login prompt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { serverAndHome } from "../support/world.js";
import { runHexts, type RunResult } from "../support/cli.js";
import { spawnPty } from "../support/pty.js";
import { json, ErrorDoc } from "../support/assertions.js";
import { buildTarball } from "../support/hex-server/index.js";
import type { State } from "../support/hex-server/state.js";
import { createContext } from "../../src/commands/context.js";
import { setLocalPassword, storeCredential } from "../../src/config/index.js";

const SearchDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    term: z.string(),
    repository: z.string().nullable(),
    sort: z.string(),
    page: z.number(),
    authenticated: z.boolean(),
    more: z.boolean(),
    packages: z.array(
      z.object({
        name: z.string(),
        repository: z.string(),
        version: z.string().nullable(),
        latestVersion: z.string().nullable(),
        description: z.string(),
        url: z.string().nullable(),
        downloads: z.number().nullable(),
      }),
    ),
  }),
});

const LONG =
  "A JSON library with a very long description that goes on and on about streaming, decoding, encoding " +
  "and pretty printing";

async function world(t: { after(fn: () => unknown): void }) {
  const { server, home } = await serverAndHome(t);
  const ana = server.addUser({ username: "ana" });
  const bob = server.addUser({ username: "bob" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const publish = (name: string, version: string, description: string, repository?: string) =>
    server.addRelease({
      repository,
      owner: "ana",
      tarball: buildTarball({ name, version, metadata: { description } }),
    });
  publish("jason", "1.4.4", "A blazing fast JSON parser and generator in pure Elixir.");
  publish("jason", "1.5.0-rc.1", "A blazing fast JSON parser and generator in pure Elixir.");
  publish("poison", "6.0.0", "An incredibly fast,\n  pure Elixir JSON library");
  publish("jsx", "3.1.0", LONG);
  publish("jsonx", "0.2.0-beta.1", "Only prereleases so far");
  publish("cowboy", "2.12.0", "Small, fast, modern HTTP server.");
  publish("json_secret", "0.1.0", "Private JSON helpers", "acme");
  const state = server.state as State;
  const downloads: Record<string, number> = { jason: 1000, poison: 300, jsx: 500, jsonx: 5, cowboy: 900 };
  for (const [name, all] of Object.entries(downloads)) state.findPackage("hexpm", name)!.downloads.all = all;
  const env = { ...home.env, HEX_API_URL: server.apiUrl };
  const as =
    (key: string | undefined) =>
    (args: string[], extra: Record<string, string> = {}) =>
      runHexts(args, { env: { ...env, HEX_API_KEY: key, ...extra }, cwd: home.dir });
  return { server, home, env, hexts: as(ana.apiKey), asBob: as(bob.apiKey), anonymous: as(undefined) };
}

const rows = (r: RunResult) =>
  r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.trimEnd());

test("anonymous search: a table by downloads, latest stable version, descriptions cut at 50, html_url", async (t) => {
  const w = await world(t);
  const r = await w.anonymous(["search", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const url = (name: string) => `${w.server.url}/packages/${name}`;
  assert.deepEqual(rows(r), [
    "Name    Version       Description                                         URL",
    `jason   1.4.4         A blazing fast JSON parser and generator in pur...  ${url("jason")}`,
    `jsx     3.1.0         A JSON library with a very long description tha...  ${url("jsx")}`,
    `poison  6.0.0         An incredibly fast, pure Elixir JSON library        ${url("poison")}`,
    `jsonx   0.2.0-beta.1  Only prereleases so far                             ${url("jsonx")}`,
  ]);
  const req = w.server.requests.at(-1)!;
  assert.deepEqual(
    [req.method, req.path, req.query.search, req.query.sort, req.query.page],
    ["GET", "/api/packages", "json", "downloads", "1"],
  );
  assert.equal(req.headers.authorization, undefined, "no credential, no Authorization header");
});

test("authenticated search also covers the user's organizations (REPO/NAME), with the credential sent", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["search", "json", "--sort", "name"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    rows(r)
      .slice(1)
      .map((l) => l.split(/\s+/)[0]),
    ["jason", "json_secret", "jsonx", "jsx", "poison"].map((n) => (n === "json_secret" ? "acme/json_secret" : n)),
  );
  assert.ok(w.server.requests.at(-1)!.headers.authorization, "the key was sent");
  // bob is in no organization: hexpm only.
  const bob = json(SearchDoc, await w.asBob(["search", "json", "--json"]));
  assert.ok(bob.data.authenticated);
  assert.ok(!bob.data.packages.some((p) => p.repository === "acme"));
});

test("--json: the search and every package, parsed and checked", async (t) => {
  const w = await world(t);
  const doc = json(SearchDoc, await w.hexts(["search", "json", "--json"]));
  assert.deepEqual(
    { ...doc.data, packages: undefined },
    {
      term: "json",
      repository: null,
      sort: "downloads",
      page: 1,
      authenticated: true,
      more: false,
      packages: undefined,
    },
  );
  assert.deepEqual(
    doc.data.packages.map((p) => [p.name, p.repository, p.version, p.latestVersion, p.downloads]),
    [
      ["jason", "hexpm", "1.4.4", "1.5.0-rc.1", 1000],
      ["jsx", "hexpm", "3.1.0", "3.1.0", 500],
      ["poison", "hexpm", "6.0.0", "6.0.0", 300],
      ["jsonx", "hexpm", "0.2.0-beta.1", "0.2.0-beta.1", 5],
      ["json_secret", "acme", "0.1.0", "0.1.0", 0],
    ],
  );
  const poison = doc.data.packages.find((p) => p.name === "poison")!;
  assert.equal(poison.description, "An incredibly fast, pure Elixir JSON library", "heredoc joined on one line");
  assert.equal(doc.data.packages.find((p) => p.name === "jsx")!.description, LONG, "never shortened in JSON");
  assert.equal(poison.url, `${w.server.url}/packages/poison`);
});

test("--sort and --page are sent to the server; an empty page or no match says so and exits 0", async (t) => {
  const w = await world(t);
  const byName = await w.anonymous(["search", "json", "--sort", "name"]);
  assert.deepEqual(
    rows(byName)
      .slice(1)
      .map((l) => l.split(/\s+/)[0]),
    ["jason", "jsonx", "jsx", "poison"],
  );
  assert.equal(w.server.requests.at(-1)!.query.sort, "name");

  const page2 = await w.anonymous(["search", "json", "--page", "2"]);
  assert.deepEqual([page2.code, page2.stdout], [0, "No packages found on page 2\n"]);
  assert.equal(w.server.requests.at(-1)!.query.page, "2");

  const none = await w.anonymous(["search", "zzzzzz"]);
  assert.deepEqual([none.code, none.stdout, none.stderr], [0, "No packages found\n", ""]);
  const noneJson = json(SearchDoc, await w.anonymous(["search", "zzzzzz", "--json"]));
  assert.deepEqual(noneJson.data.packages, []);

  for (const args of [
    ["--page", "0"],
    ["--page", "two"],
    ["--sort", "stars"],
  ]) {
    const bad = await w.anonymous(["search", "json", ...args]);
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stderr}`);
    assert.match(bad.stderr, /^hexts: /);
  }
});

test("--organization searches that organization's repository; without access it is a clear NOT_FOUND", async (t) => {
  const w = await world(t);
  const r = await w.hexts(["search", "json", "--organization", "acme"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    rows(r)
      .slice(1)
      .map((l) => l.split(/\s+/)[0]),
    ["acme/json_secret"],
  );
  assert.equal(w.server.requests.at(-1)!.path, "/api/repos/acme/packages");
  const doc = json(SearchDoc, await w.hexts(["search", "json", "--repo", "hexpm:acme", "--json"]));
  assert.equal(doc.data.repository, "hexpm:acme");

  const anon = await w.anonymous(["search", "json", "--organization", "acme"]);
  assert.equal(anon.code, 1);
  assert.equal(
    anon.stderr,
    "hexts: organization acme does not exist or you cannot read its repository; " +
      "log in with `hexts user auth` (or set HEX_API_KEY) to search a private repository\n",
  );
  const bob = json(ErrorDoc, await w.asBob(["search", "json", "--organization", "acme", "--json"]));
  assert.deepEqual(
    [bob.error.code, bob.error.message],
    ["NOT_FOUND", "organization acme does not exist or you cannot read its repository"],
  );
});

test("server trouble is exit 4 with one line", async (t) => {
  const w = await world(t);
  w.server.fault({ path: "/api/packages", times: 10, fault: { kind: "status", status: 503 } });
  const r = await w.anonymous(["search", "json"]);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /^hexts: The Hex server failed on GET .*\/api\/packages.*HTTP 503/);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1);
});

test("an encrypted login that cannot be opened without asking: search goes anonymous and says why", async (t) => {
  const w = await world(t);
  const ctx = createContext({
    flags: { json: false, yes: false, verbose: false, color: false },
    env: w.env,
    interactive: false,
  });
  await setLocalPassword(ctx, "local-secret-pw");
  await storeCredential(ctx, w.server.apiUrl, { type: "key", key: "not-used-here", username: "ana" });
  const r = await runHexts(["search", "json"], { env: w.env, cwd: w.home.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: searching without your stored login: .*HEX_LOCAL_PASSWORD/);
  assert.equal(w.server.requests.at(-1)!.headers.authorization, undefined);
  assert.match(r.stdout, /^jason\s/m);
});

test("on a terminal: no login prompt, and descriptions shortened to fit the width", async (t) => {
  const w = await world(t);
  const term = spawnPty(["search", "json"], { env: w.env, cwd: w.home.dir, cols: 100 });
  t.after(() => term.kill());
  const { exitCode } = await term.exited;
  assert.equal(exitCode, 0, term.screen);
  assert.doesNotMatch(term.screen, /password|log in|\?/i);
  const lines = term.screen.split(/\r?\n/).filter((l) => l.trim());
  assert.match(lines[0]!, /^Name\s+Version\s+Description\s+URL$/);
  for (const l of lines) assert.ok(l.length <= 100, `fits in 100 columns: ${l}`);
  const jsx = lines.find((l) => l.startsWith("jsx "))!;
  assert.match(jsx, /A JSON library with .*\.\.\. /, "the long description is cut");

  const wide = spawnPty(["search", "json"], { env: w.env, cwd: w.home.dir, cols: 200 });
  t.after(() => wide.kill());
  assert.equal((await wide.exited).exitCode, 0);
  assert.ok(wide.screen.includes(LONG), "a wide terminal shows it whole");
});
