// Every task's --json document follows one convention (README "JSON output"): exactly one document on stdout,
// `{ok: true, data}` or `{ok: false, error: {code, message, ...}}`, camelCase field names at every depth, and
// warnings as plain text (no "warning: " prefix). The built CLI runs each task against the local Hex server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runHexts, type RunResult } from "../support/cli.js";
import { buildTarball } from "../support/hex-server/index.js";
import { serverAndHome } from "../support/world.js";
import { gitRepo, rebar3Project } from "./publish-support.js";

/** Objects whose keys are data, not field names: link labels, versions, the server's 422 field map. */
const DATA_MAPS = new Set(["links", "replaced", "errors"]);
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/** Every key that is not camelCase, with its path (`data.keys[0].inserted_at`). */
export function nonCamelKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => nonCamelKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const dataMap = DATA_MAPS.has(path.slice(path.lastIndexOf(".") + 1));
  return Object.entries(value).flatMap(([k, v]) => [
    ...(dataMap || CAMEL.test(k) ? [] : [`${path}.${k}`]),
    ...nonCamelKeys(v, `${path}.${k}`),
  ]);
}

test("the camelCase check finds snake_case keys at any depth and leaves data maps alone", () => {
  assert.deepEqual(
    nonCamelKeys({
      ok: true,
      data: { keys: [{ insertedAt: 1, last_use: { user_agent: "x" } }], links: { "Source Code": "u" } },
    }),
    [".data.keys[0].last_use", ".data.keys[0].last_use.user_agent"],
  );
});

/** One JSON document on stdout with the exit code, and no snake_case key or "warning:" prefix anywhere in it. */
function document(args: string[], r: RunResult, exit: number, ok = exit === 0): any {
  const label = `hexts ${args.join(" ")}`;
  assert.equal(r.code, exit, `${label}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `${label}: exactly one JSON document on stdout:\n${r.stdout}`);
  const doc = JSON.parse(lines[0]!);
  assert.equal(doc.ok, ok, `${label}: ok`);
  assert.deepEqual(Object.keys(doc).sort(), ok ? ["data", "ok"] : ["error", "ok"], label);
  if (!ok) assert.equal(typeof doc.error.code, "string", label);
  assert.deepEqual(nonCamelKeys(doc), [], `${label}: every field name is camelCase`);
  assert.doesNotMatch(lines[0]!, /"warning: /i, `${label}: warnings carry no "warning: " prefix`);
  return doc;
}

test("every task's --json document: one document, camelCase at every depth, the renamed fields", async (t) => {
  const { server, home } = await serverAndHome(t);
  const ana = server.addUser({ username: "ana", email: "ana@example.com", fullName: "Ana" });
  server.addUser({ username: "bob", email: "bob@example.com" });
  server.addOrganization({ name: "acme", admin: "ana" });
  for (const version of ["1.0.0", "1.1.0"]) {
    const metadata = { licenses: ["MIT"], links: { "Source Code": "https://example.test/alpha" } } as any;
    server.addRelease({ owner: "ana", tarball: buildTarball({ name: "alpha", version, metadata }) });
  }
  mkdirSync(home.env.HEX_HOME!, { recursive: true });
  const repos = { hexpm: { url: server.repoUrl, public_key: server.registryPublicKey!() } };
  writeFileSync(join(home.env.HEX_HOME!, "hexts.json"), JSON.stringify({ version: 1, repos }), { mode: 0o600 });
  const gitEnv = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(home.dir, ".gitconfig") };
  writeFileSync(
    gitEnv.GIT_CONFIG_GLOBAL,
    "[user]\n\tname = Ana\n\temail = ana@example.com\n[init]\n\tdefaultBranch = main\n",
  );
  // Not an SPDX id: a warning (not an error) for an organization's repository, where the releases below go.
  const project = rebar3Project(join(home.dir, "demo"), {
    licenses: '"Not-A-License"',
    extra: { ".gitignore": "_build/\n" },
  });
  gitRepo(project, { ...home.env, ...gitEnv });
  const env: Record<string, string> = { ...home.env, ...gitEnv, HEX_API_URL: server.apiUrl, HEX_API_KEY: ana.apiKey };

  const run = async (
    args: string[],
    exit = 0,
    o: { env?: Record<string, string | undefined>; input?: string; ok?: boolean } = {},
  ) =>
    document(
      args,
      await runHexts(["--json", ...args], {
        cwd: project,
        env: { ...env, ...o.env },
        input: o.input,
        timeoutMs: 60_000,
      }),
      exit,
      o.ok,
    );
  const noKey = { env: { HEX_API_KEY: undefined } };

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

  // build, publish, cut: the licence and the missing docs are warnings in the result
  const built = await run(["build", "--organization", "acme"]);
  assert.ok(built.data.warnings.length >= 2, "licence and docs warnings");
  assert.ok(
    built.data.warnings.some((w: string) => /^Docs not built/.test(w)),
    "no prefix in the warnings array",
  );
  const dry = await run(["publish", "--dry-run", "--organization", "acme"]);
  assert.equal(dry.data.dryRun, true);
  assert.ok(dry.data.warnings.length > 0);
  const published = await run(["publish", "package", "--organization", "acme", "--yes"]);
  assert.equal(typeof published.data.package.htmlUrl, "string");
  await run(["cut", "-i", "patch", "--organization", "acme", "--dry-run", "--yes"]);

  // retire, search
  await run(["retire", "alpha", "1.0.0", "security", "-m", "Remote code execution"]);
  const unretired = await run(["retire", "alpha", "1.0.0", "--unretire"]);
  assert.deepEqual(unretired.data.replaced, { "1.0.0": { reason: "security", message: "Remote code execution" } });
  const found = await run(["search", "alpha"]);
  assert.equal(found.data.packages[0].latestVersion, "1.1.0");

  // registry tasks
  await run(["audit"]);
  await run(["outdated"]);
  await run(["info"]);
  const info = await run(["info", "alpha"]);
  assert.deepEqual(info.data.links, { "Source Code": "https://example.test/alpha" });
  await run(["info", "alpha", "1.0.0"]);
  await run(["package", "fetch", "alpha", "1.0.0", "-o", home.dir]);
  // Exit 1 with a result, as diff(1): the versions differ.
  const diff = await run(["package", "diff", "alpha", "1.0.0", "1.1.0"], 1, { ok: true });
  assert.deepEqual(diff.data.changed, [{ path: "hex_metadata.config", change: "modified" }]);

  // config
  await run(["config"]);
  await run(["config", "http_timeout", "30"]);
  await run(["config", "http_timeout"]);
  await run(["config", "http_timeout", "--delete"]);

  // user deauth last: it forgets the stored login
  const out = await run(["user", "deauth"]);
  assert.equal(out.data.apiUrl, server.apiUrl);
  assert.equal(out.data.stillUsing, "HEX_API_KEY");

  // errors, usage errors and help are one document too
  const refused = await run(["owner", "add", "alpha", "nobody"], 1);
  assert.equal(refused.error.code, "NOT_FOUND");
  assert.equal((await run(["user"], 2)).error.code, "USAGE");
  assert.equal((await run(["bogus"], 2)).error.code, "USAGE");
  assert.equal((await run(["help", "bogus"], 2)).error.code, "USAGE");
  assert.equal(
    (await run(["search", "alpha", "--page", "abc"], 2)).error.message,
    "--page must be a number (see `hexts search --help`)",
  );
  const help = await run(["user", "--help"]);
  assert.equal(help.data.command, "hexts user");
  assert.match(help.data.help, /^Usage: hexts user /);
  assert.equal((await run(["help", "user", "key"])).data.command, "hexts user key");
  assert.match((await run(["--version"])).data.version, /^\d+\.\d+\.\d+/);
});
