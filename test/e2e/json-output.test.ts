// Every task's --json document follows one convention (README "JSON output"): exactly one document on stdout,
// `{ok: true, data}` or `{ok: false, error: {code, message, ...}}`, camelCase field names at every depth, and
// warnings as plain text (no "warning: " prefix). The built CLI runs each task against the local Hex server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { jsonWorld, nonCamelKeys } from "./json-support.js";

test("the camelCase check finds snake_case keys at any depth and leaves data maps alone", () => {
  assert.deepEqual(
    nonCamelKeys({
      ok: true,
      data: { keys: [{ insertedAt: 1, last_use: { user_agent: "x" } }], links: { "Source Code": "u" } },
    }),
    [".data.keys[0].last_use", ".data.keys[0].last_use.user_agent"],
  );
});

test("--json of account tasks (user, organization, owner): camelCase at every depth, the renamed fields", async (t) => {
  const { server, home, ana, env, run, noKey } = await jsonWorld(t);
  // user
  const registered = await run(
    ["user", "register", "--username", "zed", "--email", "zed@example.com", "--password-stdin"],
    0,
    {
      ...noKey,
      input: "a long enough password\n",
    },
  );
  assert.equal(registered.data.apiUrl, server.apiUrl);
  assert.equal(registered.data.termsOfService, "https://hex.pm/policies/termsofservice");
  const me = await run(["user", "whoami"]);
  assert.equal(me.data.fullName, "Ana");
  const generated = await run(["user", "key", "generate", "--key-name", "ci", "--expires", "30d"]);
  assert.equal(typeof generated.data.revokeAt, "string");
  const keys = await run(["user", "key", "list"]);
  const seed = keys.data.keys.find((k: any) => k.name === "seed-api");
  assert.equal(seed.authingKey, true);
  assert.equal(typeof seed.insertedAt, "string");
  assert.equal(typeof seed.lastUse.usedAt, "string");
  assert.match(seed.lastUse.userAgent, /^hexts\//);
  await run(["user", "key", "fetch", "ci"]);
  assert.equal((await run(["user", "key", "revoke", "ci"])).data.loggedOut, false);
  const login = await run(["user", "auth", "--key", "-", "--no-local-password"], 0, { ...noKey, input: ana.apiKey });
  assert.equal(login.data.keyName, "seed-api");
  assert.equal(login.data.configFile, join(home.env.HEX_HOME!, "hexts.json"));
  const sealed = await run(["user", "reset_password", "local", "--local-password-stdin"], 0, {
    input: "local secret\n",
  });
  assert.equal(sealed.data.configFile, login.data.configFile);
  env.HEX_LOCAL_PASSWORD = "local secret";
  await run(["user", "reset_password", "account", "-u", "ana"], 1, noKey);

  // organization
  const orgLogin = await run(["organization", "auth", "acme", "--key-name", "acme-ci"]);
  assert.equal(orgLogin.data.keyOwner, "organization");
  assert.deepEqual((await run(["organization", "list"])).data.organizations, [
    { organization: "acme", repository: "hexpm:acme", hasKey: true },
  ]);
  await run(["organization", "key", "acme", "generate", "--key-name", "other"]);
  await run(["organization", "key", "acme", "list"]);
  await run(["organization", "key", "acme", "revoke", "other"]);
  await run(["organization", "deauth", "acme"]);

  // owner
  const owners = await run(["owner", "list", "alpha"]);
  assert.equal(owners.data.owners[0].fullName, "Ana");
  await run(["owner", "add", "alpha", "bob"]);
  await run(["owner", "remove", "alpha", "bob", "--yes"]);
  const packages = await run(["owner", "packages"]);
  assert.equal(packages.data.packages[0].htmlUrl, `${server.url}/packages/alpha`);
  await run(["owner", "transfer", "alpha", "bob"], 2); // no --yes: a confirmation this run cannot ask

  // user deauth last: it forgets the stored login
  const out = await run(["user", "deauth"]);
  assert.equal(out.data.apiUrl, server.apiUrl);
  assert.equal(out.data.stillUsing, "HEX_API_KEY");
});
