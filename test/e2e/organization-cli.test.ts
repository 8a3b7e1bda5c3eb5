// `hexts organization` end to end against the local Hex server: authorize with a given key (checked with
// /auth?domain=repository&resource=ORG) or a generated organization key, deauthorize, list, and the organization's
// keys; ORG written as `acme` or `hexpm:acme`; refusals as one line with the documented exit code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { spawnPty } from "../support/pty.js";
import { startHexServer, type HexServer } from "../support/hex-server/index.js";
import { exitOf, fails, failsJson, json, noSecrets, requests, storeOAuthLogin, world } from "./user-helpers.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const AuthDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    organization: z.string(),
    repository: z.string(),
    keyName: z.string().nullable(),
    keyOwner: z.enum(["organization", "user"]).nullable(),
    generated: z.boolean(),
    encrypted: z.boolean(),
    configFile: z.string(),
  }),
});
const ListDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    organizations: z.array(z.object({ organization: z.string(), repository: z.string(), hasKey: z.boolean() })),
  }),
});

async function orgWorld(t: { after(fn: () => unknown): void }) {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana", twoFactor: true });
  const bob = w.server.addUser({ username: "bob" });
  w.server.addUser({ username: "cid" });
  w.server.addOrganization({ name: "acme", admin: "ana", members: [{ username: "bob", role: "read" }] });
  const orgKeys = (org = "acme") =>
    [...w.state.keys.values()].filter(
      (k) => k.organizationId === w.state.findOrganization(org)!.id && (k.revokeAt === null || k.revokeAt > Date.now()),
    );
  const as =
    (key: string) =>
    (args: string[], o: { env?: Record<string, string | undefined>; input?: string } = {}) =>
      w.hexts(args, { ...o, env: { HEX_API_KEY: key, ...o.env } });
  return { w, ana, bob, orgKeys, asAna: as(ana.apiKey), asBob: as(bob.apiKey) };
}

test("auth ORG --key stores an organization key after checking it against the organization's repository", async (t) => {
  const { w } = await orgWorld(t);
  const key = w.server.addKey({
    owner: { organization: "acme" },
    name: "ci",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  const r = await w.hexts(["organization", "auth", "acme", "--key", key]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Authorized hexpm:acme with key ci.\n");
  const check = requests(w.server, { path: "/api/auth" });
  assert.deepEqual(
    check.map((c) => c.query),
    [{ domain: "repository", resource: "acme" }],
  );
  assert.equal(check[0]!.headers.authorization, key);
  assert.deepEqual(w.config().repos, {
    "hexpm:acme": { auth_key: key, api_origin: w.server.url, repo_origin: "https://repo.hex.pm" },
  });
  assert.equal(w.configMode(), 0o600);
  noSecrets(r.stdout + r.stderr, [key]);

  const list = await w.hexts(["org", "list"]);
  assert.equal(list.stdout, "acme\n");
  assert.deepEqual(json(ListDoc, await w.hexts(["--json", "organization", "list"])).data.organizations, [
    { organization: "acme", repository: "hexpm:acme", hasKey: true },
  ]);
});

test("a stored org key goes only to the API it was stored for: another HEX_API_URL never receives it", async (t) => {
  const { w } = await orgWorld(t);
  const other = await startHexServer({});
  t.after(() => other.close());
  other.addUser({ username: "ana" });
  other.addOrganization({ name: "acme", admin: "ana" });
  // a user key that can fetch from acme and read the API, so the search below succeeds where the key belongs
  const key = w.server.addKey({
    owner: { user: "ana" },
    name: "both",
    permissions: [{ domain: "api", resource: "read" }, { domain: "repositories" }],
  });
  const stored = await w.hexts(["organization", "auth", "acme", "--key", key]);
  assert.equal(stored.code, 0, stored.stderr);
  const sentKey = (server: HexServer) => server.requests.filter((r) => r.headers.authorization === key);

  // The server it was stored for receives it.
  const here = await w.hexts(["search", "json", "--repo", "hexpm:acme"]);
  assert.equal(here.code, 0, here.stderr);
  assert.equal(requests(w.server, { path: "/api/repos/acme/packages" }).at(-1)!.headers.authorization, key);

  // Another API URL (the user's environment or a project file) does not: the search goes out without it.
  const before = sentKey(w.server).length;
  const elsewhere = await w.hexts(["--verbose", "search", "json", "--repo", "hexpm:acme"], {
    env: { HEX_API_URL: other.apiUrl },
  });
  assert.equal(elsewhere.code, 1, elsewhere.stderr);
  assert.match(elsewhere.stderr, /not sending the key of repository hexpm:acme to .*: it was stored for http:\/\/127/);
  assert.ok(
    other.requests.some((r) => r.path === "/api/repos/acme/packages"),
    "the second server was asked",
  );
  assert.deepEqual(sentKey(other), [], "the key never reached the second server");
  assert.equal(sentKey(w.server).length, before);
  noSecrets(elsewhere.stdout + elsewhere.stderr, [key]);

  // An entry stored before origins were recorded is hex.pm's: not sent to either local server.
  const legacy = w.config();
  delete legacy.repos["hexpm:acme"].api_origin;
  delete legacy.repos["hexpm:acme"].repo_origin;
  writeFileSync(join(w.home.env.HEX_HOME, "hexts.json"), JSON.stringify(legacy), { mode: 0o600 });
  assert.equal((await w.hexts(["search", "json", "--repo", "hexpm:acme"])).code, 1);
  assert.equal(sentKey(w.server).length, before, "a legacy entry is bound to hex.pm");
});

test("auth hexpm:ORG --key with a user's key (stdin) works; warns that an org key suits CI better", async (t) => {
  const { w } = await orgWorld(t);
  const key = w.server.addKey({ owner: { user: "bob" }, name: "bob-fetch", permissions: [{ domain: "repositories" }] });
  const r = await w.hexts(["--json", "organization", "auth", "hexpm:acme", "--key", "-"], { input: `${key}\n` });
  const doc = json(AuthDoc, r);
  assert.deepEqual(
    { ...doc.data, configFile: "" },
    {
      organization: "acme",
      repository: "hexpm:acme",
      keyName: "bob-fetch",
      keyOwner: "user",
      generated: false,
      encrypted: false,
      configFile: "",
    },
  );
  assert.match(r.stderr, /warning: this key belongs to a user, not to acme/);
  noSecrets(r.stdout + r.stderr, [key]);
});

test("auth ORG --key refuses keys that cannot fetch from ORG, each with the reason, and stores nothing", async (t) => {
  const { w, ana } = await orgWorld(t);
  const apiOnly = w.server.addKey({
    owner: { user: "ana" },
    name: "api-read",
    permissions: [{ domain: "api", resource: "read" }],
  });
  const outsider = w.server.addKey({
    owner: { user: "cid" },
    name: "cid-all",
    permissions: [{ domain: "repositories" }],
  });
  fails(
    await w.hexts(["organization", "auth", "acme", "--key", apiOnly]),
    3,
    /this key cannot fetch from the organization acme: it has no permission for the repository of acme/,
  );
  fails(
    await w.hexts(["organization", "auth", "acme", "--key", outsider]),
    3,
    /cannot fetch from the organization acme: its owner has no access to acme/,
  );
  const bad = await w.hexts(["--json", "organization", "auth", "acme", "--key", "ffffffffffffffffffffffffffffffff"]);
  failsJson(bad, 3, "NOT_AUTHENTICATED");
  fails(await w.hexts(["organization", "auth", "Acme!", "--key", ana.apiKey]), 2, /invalid organization name "Acme!"/);
  fails(
    await w.hexts(["organization", "auth", "acme", "--key", ana.apiKey, "--key-name", "x"]),
    2,
    /--key-name names a key hexts generates/,
  );
  noSecrets(bad.stdout + bad.stderr, [apiOnly, outsider, "ffffffffffffffffffffffffffffffff"]);
  assert.equal(
    requests(w.server).some((q) => q.headers.authorization === ana.apiKey),
    false,
  );
});

test("auth ORG without --key generates an organization-owned repository key with the user's login", async (t) => {
  const { w, asAna, orgKeys } = await orgWorld(t);
  const r = await asAna(["--json", "organization", "auth", "acme"]);
  const doc = json(AuthDoc, r);
  assert.equal(doc.data.generated, true);
  assert.equal(doc.data.keyName, hostname());
  assert.equal(doc.data.keyOwner, "organization");
  const posts = requests(w.server, { method: "POST" });
  assert.deepEqual(
    posts.map((p) => p.path),
    ["/api/orgs/acme/keys"],
  );
  const [key] = orgKeys();
  assert.deepEqual(key!.permissions, [{ domain: "repository", resource: "acme" }]);
  const stored = w.config().repos["hexpm:acme"].auth_key;
  assert.equal(key!.secretHash, sha256(stored));
  noSecrets(r.stdout + r.stderr, [stored]);

  const named = await asAna(["organization", "auth", "hexpm:acme", "--key-name", "build-box"]);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(named.stdout, "Authorized hexpm:acme with key build-box (generated).\n");
});

test("auth ORG without --key: a read-only member, an unknown organization, no login: each explained", async (t) => {
  const { w, asBob, asAna } = await orgWorld(t);
  fails(
    await asBob(["organization", "auth", "acme"]),
    1,
    /the organization acme does not exist or your account lacks the role for this/,
  );
  fails(await asAna(["organization", "auth", "nope"]), 1, /the organization nope does not exist/);
  fails(await w.hexts(["organization", "auth", "acme"]), 3, /not logged in to .*: run `hexts user auth`/);
});

test("auth ORG with an OAuth login asks for the two-factor code on a terminal, hidden", async (t) => {
  const { w, orgKeys } = await orgWorld(t);
  await storeOAuthLogin(w, "ana");
  const s = spawnPty(["organization", "auth", "acme", "--key-name", "pty-box"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  await s.waitFor("Two-factor authentication code:");
  const code = w.server.totp("ana");
  s.line(code);
  await s.waitFor("Local password:");
  s.line("");
  assert.equal(await exitOf(s), 0, s.screen);
  assert.match(s.screen, /Authorized hexpm:acme with key pty-box \(generated\)\./);
  assert.ok(!s.screen.includes(code));
  assert.deepEqual(
    orgKeys().map((k) => k.name),
    ["pty-box"],
  );
});

test("deauth ORG forgets the organization locally (server keys untouched); unknown is a calm no-op", async (t) => {
  const { w, orgKeys } = await orgWorld(t);
  const key = w.server.addKey({
    owner: { organization: "acme" },
    name: "ci",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  assert.equal((await w.hexts(["organization", "auth", "acme", "--key", key])).code, 0);
  const r = await w.hexts(["organization", "deauth", "hexpm:acme"]);
  assert.equal(r.stdout, "Removed hexpm:acme from this machine.\n");
  assert.deepEqual(w.config().repos, {});
  assert.equal(orgKeys().length, 1);
  assert.equal(
    (await w.hexts(["organization", "deauth", "acme"])).stdout,
    "hexpm:acme was not authorized on this machine; nothing to remove.\n",
  );
  const empty = await w.hexts(["organization", "list"]);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, "");
  assert.match(empty.stderr, /No organization is authorized on this machine/);
});

test("key ORG generate|list|revoke manage the org's own keys; default permission repository:ORG", async (t) => {
  const { w, asAna, orgKeys } = await orgWorld(t);
  const gen = await asAna(["organization", "key", "acme", "generate", "--key-name", "ci"]);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /^[0-9a-f]{32}\n$/);
  assert.equal(orgKeys()[0]!.secretHash, sha256(gen.stdout.trim()));
  assert.deepEqual(orgKeys()[0]!.permissions, [{ domain: "repository", resource: "acme" }]);

  const doc = json(
    z.object({
      ok: z.literal(true),
      data: z.object({
        name: z.string(),
        permissions: z.array(z.string()),
        secret: z.string(),
        organization: z.string(),
      }),
    }),
    await asAna([
      "--json",
      "org",
      "key",
      "hexpm:acme",
      "generate",
      "--key-name",
      "docs",
      "--permission",
      "repository",
      "--permission",
      "docs",
    ]),
  );
  assert.deepEqual(
    [doc.data.name, doc.data.permissions, doc.data.organization],
    ["docs", ["repository:acme", "docs:acme"], "acme"],
  );

  const list = await asAna(["organization", "key", "acme", "list"]);
  assert.match(
    list.stdout,
    new RegExp(
      /^Name\s+Permissions\s+Last use\s+Revoke at\n/.source +
        /ci\s+repository:acme\s+never\ndocs\s+repository:acme, docs:acme\s+never\n$/.source,
    ),
  );
  assert.ok(requests(w.server, { method: "GET", path: "/api/orgs/acme/keys" }).length >= 1);

  const rev = await asAna(["organization", "key", "acme", "revoke", "ci"]);
  assert.equal(rev.stdout, "Revoked key ci.\n");
  fails(
    await asAna(["organization", "key", "acme", "revoke", "ci"]),
    1,
    /there is no key named "ci" in the organization acme/,
  );

  fails(
    await asAna(["organization", "key", "acme", "revoke", "--all"]),
    2,
    /confirmation required \(Revoke the only key of the organization acme \(docs\)\).*--yes/,
  );
  const all = await asAna(["--yes", "organization", "key", "acme", "revoke", "--all"]);
  assert.equal(all.stdout, "Revoked the only key of the organization acme.\n");
  assert.deepEqual(
    requests(w.server, { method: "DELETE" }).map((q) => q.path),
    ["/api/orgs/acme/keys/ci", "/api/orgs/acme/keys/ci", "/api/orgs/acme/keys"],
  );
  assert.equal(orgKeys().length, 0);
  noSecrets(list.stdout + rev.stdout + all.stdout + all.stderr, [gen.stdout.trim(), doc.data.secret]);
});

test("key ORG usage errors and access refusals", async (t) => {
  const { asAna, asBob } = await orgWorld(t);
  fails(
    await asAna(["organization", "key", "acme", "fetch", "x"]),
    2,
    /<action> must be one of: generate, list, revoke \(see `hexts organization key --help`\)$/,
  );
  fails(
    await asAna(["organization", "key", "acme", "generate", "--permission", "bogus"]),
    2,
    /unknown permission domain "bogus"/,
  );
  fails(await asAna(["organization", "key", "hexpm:", "list"]), 2, /invalid organization name/);
  fails(
    await asBob(["organization", "key", "acme", "generate"]),
    1,
    /does not exist or your account lacks the role for this \(read to list keys, write to change them\)/,
  );
  const list = await asBob(["organization", "key", "acme", "list"]);
  assert.equal(list.code, 0, "a read member lists keys");
  failsJson(await asAna(["--json", "organization", "key", "nope", "list"]), 1, "NOT_FOUND");
});
