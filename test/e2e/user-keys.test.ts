// `hexts user key generate | list | revoke | fetch` end to end: the new secret alone on stdout (and in --json),
// permissions and expiry, the table, revoking the login's own key, confirmations, and two-factor codes for OAuth
// logins (--otp, HEX_OTP, a hidden prompt on a pseudo-terminal, refusals).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { spawnPty } from "../support/pty.js";
import {
  fails,
  failsJson,
  json,
  noSecrets,
  requests,
  storeOAuthLogin,
  world,
  type World,
  exitOf,
} from "./user-helpers.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const KeyView = z
  .object({
    name: z.string(),
    permissions: z.array(z.string()),
    authingKey: z.boolean(),
    insertedAt: z.string(),
    updatedAt: z.string(),
    revokeAt: z.string().nullable(),
    lastUse: z
      .object({ usedAt: z.string().nullable(), ip: z.string().nullable(), userAgent: z.string().nullable() })
      .nullable(),
  })
  .strict();
const GenerateDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    action: z.literal("generate"),
    name: z.string(),
    permissions: z.array(z.string()),
    revokeAt: z.string().nullable(),
    secret: z.string(),
  }),
});
const ListDoc = z.object({
  ok: z.literal(true),
  data: z.object({ action: z.literal("list"), keys: z.array(KeyView) }),
});

const liveKey = (w: World, name: string) =>
  [...w.state.keys.values()].find((k) => k.name === name && (k.revokeAt === null || k.revokeAt > Date.now()));

async function anaWorld(t: { after(fn: () => unknown): void }) {
  const w = await world(t);
  const ana = w.server.addUser({ username: "ana", twoFactor: true });
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const as = (args: string[], o: { env?: Record<string, string | undefined>; input?: string } = {}) =>
    w.hexts(args, { ...o, env: { HEX_API_KEY: ana.apiKey, ...o.env } });
  return { w, ana, as };
}

test("key generate prints the new secret alone on stdout; default name: hostname, permission: full API", async (t) => {
  const { w, ana, as } = await anaWorld(t);
  const r = await as(["user", "key", "generate"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{32}\n$/);
  const secret = r.stdout.trim();
  const key = liveKey(w, hostname())!;
  assert.equal(key.secretHash, sha256(secret));
  assert.deepEqual(key.permissions, [{ domain: "api", resource: null }]);
  assert.match(
    r.stderr,
    new RegExp(`Key ${hostname().replace(/\./g, "\\.")} \\(api\\) created\\. Copy it now: it is not shown again\\.`),
  );
  noSecrets(r.stderr, [secret, ana.apiKey]);
  assert.equal(requests(w.server, { method: "POST", path: "/api/keys" }).length, 1);
});

test("key generate with names, permissions and --expires; --json shows the secret exactly once", async (t) => {
  const { w, as } = await anaWorld(t);
  const r = await as([
    "--json",
    "user",
    "key",
    "generate",
    "--key-name",
    "ci",
    "--permission",
    "API:READ",
    "--permission",
    "repository:hexpm:acme",
    "--expires",
    "30d",
  ]);
  const doc = json(GenerateDoc, r);
  assert.equal(doc.data.name, "ci");
  assert.deepEqual(doc.data.permissions, ["api:read", "repository:acme"]);
  assert.ok(Math.abs(Date.parse(doc.data.revokeAt!) - (Date.now() + 30 * 86_400_000)) < 120_000);
  assert.equal(liveKey(w, "ci")!.secretHash, sha256(doc.data.secret));
  assert.equal(r.stdout.split(doc.data.secret).length, 2, "the secret appears once");
  assert.equal(r.stderr.includes(doc.data.secret), false);

  // a taken name: the server stores NAME-2, and hexts reports the name it got
  const again = json(GenerateDoc, await as(["--json", "user", "key", "generate", "--key-name", "ci"]));
  assert.equal(again.data.name, "ci-2");
});

test("bad --permission or --expires: exit 2 before any request; a server refusal: exit 1 with the field", async (t) => {
  const { w, as } = await anaWorld(t);
  fails(
    await as(["user", "key", "generate", "--permission", "admin"]),
    2,
    /--permission "admin": unknown permission domain "admin"/,
  );
  fails(
    await as(["user", "key", "generate", "--permission", "repository"]),
    2,
    /repository needs an organization, e.g. repository:acme/,
  );
  fails(await as(["user", "key", "generate", "--permission", "api:delete"]), 2, /api takes read or write/);
  fails(
    await as(["user", "key", "generate", "--expires", "soon"]),
    2,
    /--expires "soon": give a duration such as 30m, 12h, 30d or 8w/,
  );
  fails(await as(["user", "key", "generate", "--expires", "2001-01-01"]), 2, /is not in the future/);
  fails(await as(["user", "key", "generate", "extra"]), 2, /NAME \(use --key-name\) does not apply to `key generate`/);
  fails(
    await as(["user", "key", "frobnicate"]),
    2,
    /<action> must be one of: generate, list, revoke, fetch \(see `hexts user key --help`\)$/,
  );
  assert.equal(requests(w.server).length, 0);
  const r = await as(["user", "key", "generate", "--permission", "repository:nope"]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      /^hexts: The server rejected POST .*\/api\/keys: Validation error\(s\)\.\n/.source +
        /  permissions\.resource: you do not have access to this repository\n$/.source,
      "m",
    ),
  );
});

test("key list: a table (name, permissions, last use, revoke at), key in use marked; --json: no secrets", async (t) => {
  const { w, ana, as } = await anaWorld(t);
  w.server.addKey({
    owner: { user: "ana" },
    name: "ci-read",
    permissions: [
      { domain: "api", resource: "read" },
      { domain: "repository", resource: "acme" },
    ],
    revokeAt: "2031-05-06T07:08:09Z",
  });
  const r = await as(["user", "key", "list"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^Name\s+Permissions\s+Last use\s+Revoke at$/);
  assert.match(lines[1]!, /^ci-read\s+api:read, repository:acme\s+never\s+2031-05-06 07:08 UTC$/);
  assert.match(lines[2]!, /^seed-api \*\s+api\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC from 127\.0\.0\.1$/);
  assert.match(r.stderr, /\* the key this command authenticated with/);
  const doc = json(ListDoc, await as(["--json", "user", "key", "list"]));
  assert.deepEqual(
    doc.data.keys.map((k) => [k.name, k.authingKey]),
    [
      ["ci-read", false],
      ["seed-api", true],
    ],
  );
  noSecrets(r.stdout + JSON.stringify(doc), [ana.apiKey]);
});

test("key fetch shows one key's details and says no secret can be shown; unknown names are exit 1", async (t) => {
  const { w, as } = await anaWorld(t);
  w.server.addKey({ owner: { user: "ana" }, name: "laptop", permissions: [{ domain: "api", resource: "write" }] });
  const r = await as(["user", "key", "fetch", "laptop"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Name:\s+laptop\nPermissions:\s+api:write\nCreated:\s+.* UTC\nUpdated:\s+.* UTC\nLast use:\s+never\n$/,
  );
  assert.match(r.stderr, /shown only once, when it is created; the server cannot show it again/);
  fails(await as(["user", "key", "fetch", "nope"]), 1, /There is no key named "nope"/);
  fails(await as(["user", "key", "fetch"]), 2, /give the key's NAME/);
});

test("key revoke NAME revokes once; revoking the stored login's own key logs this machine out", async (t) => {
  const { w, ana, as } = await anaWorld(t);
  w.server.addKey({ owner: { user: "ana" }, name: "old" });
  const r = await as(["user", "key", "revoke", "old"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Revoked key old.\n");
  assert.equal(liveKey(w, "old"), undefined);
  assert.deepEqual(
    requests(w.server, { method: "DELETE" }).map((q) => q.path),
    ["/api/keys/old"],
  );
  fails(await as(["user", "key", "revoke", "old"]), 1, /There is no key named "old"/);

  assert.equal((await w.hexts(["user", "auth", "--key", ana.apiKey, "--no-local-password"])).code, 0);
  const own = await w.hexts(["user", "key", "revoke", "seed-api"]);
  assert.equal(own.code, 0, own.stderr);
  assert.match(own.stderr, /It was this machine's login, so the stored credentials were removed too/);
  assert.deepEqual(w.config().credentials, {});
});

test("key revoke --all needs --yes without a TTY, asks on a terminal, and forgets the revoked login", async (t) => {
  const { w, ana } = await anaWorld(t);
  w.server.addKey({ owner: { user: "ana" }, name: "other" });
  assert.equal((await w.hexts(["user", "auth", "--key", ana.apiKey, "--no-local-password"])).code, 0);
  fails(
    await w.hexts(["user", "key", "revoke", "--all"]),
    2,
    new RegExp(
      /confirmation required \(Revoke all 2 keys of your account \(other, seed-api\), /.source +
        /including the one this machine uses\).*--yes/.source,
    ),
  );
  fails(await w.hexts(["user", "key", "revoke", "old", "--all"]), 2, /either a key NAME or --all/);
  fails(await w.hexts(["user", "key", "revoke"]), 2, /give the key's NAME, or --all/);
  assert.equal(requests(w.server, { method: "DELETE" }).length, 0);

  const s = spawnPty(["user", "key", "revoke", "--all"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  await s.waitFor("Revoke all 2 keys of your account");
  s.line("n");
  assert.equal(await exitOf(s), 130, s.screen);
  assert.match(s.screen, /cancelled: no key was revoked/);
  assert.equal(requests(w.server, { method: "DELETE" }).length, 0);

  const r = await w.hexts(["--yes", "user", "key", "revoke", "--all"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Revoked all 2 keys of your account.\n");
  assert.deepEqual(
    requests(w.server, { method: "DELETE" }).map((q) => q.path),
    ["/api/keys"],
  );
  assert.equal(liveKey(w, "other"), undefined);
  assert.deepEqual(w.config().credentials, {});
});

test("with an OAuth login, key writes take --otp or HEX_OTP; without, non-TTY runs fail naming --otp", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana", twoFactor: true });
  const tokens = await storeOAuthLogin(w, "ana");
  const missing = await w.hexts(["user", "key", "generate", "--key-name", "a"]);
  fails(missing, 3, /two-factor authentication code: pass `--otp CODE` or set HEX_OTP/);
  failsJson(await w.hexts(["--json", "user", "key", "generate", "--key-name", "a"]), 3, "OTP_REQUIRED");
  fails(await w.hexts(["--otp", "000000", "user", "key", "generate", "--key-name", "a"]), 3, /not accepted/);
  assert.equal(liveKey(w, "a"), undefined);

  const viaFlag = await w.hexts(["--otp", w.server.totp("ana"), "user", "key", "generate", "--key-name", "a"]);
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  const viaEnv = await w.hexts(["user", "key", "revoke", "a"], { env: { HEX_OTP: w.server.totp("ana") } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  noSecrets(missing.stderr + viaFlag.stderr + viaEnv.stdout + viaEnv.stderr, [tokens.access, tokens.refresh]);
  // reads need no code
  assert.equal((await w.hexts(["user", "key", "list"])).code, 0);
});

test("on a terminal the 2FA code is asked hidden (3 tries); a refused request resent after a new code", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana", twoFactor: true });
  await storeOAuthLogin(w, "ana");
  const s = spawnPty(["user", "key", "generate", "--key-name", "pty"], { env: w.env, cwd: w.home.dir });
  t.after(() => s.kill());
  await s.waitFor("Two-factor authentication code:");
  s.line("111111");
  await s.waitFor("that two-factor code was not accepted");
  await s.waitFor("Two-factor authentication code (try again):");
  const code = w.server.totp("ana");
  s.line(code);
  assert.equal(await exitOf(s), 0, s.screen);
  assert.ok(!s.screen.includes("111111") && !s.screen.includes(code), `a code is on the screen:\n${s.screen}`);
  const secret = s.screen.match(/^([0-9a-f]{32})\r?$/m)?.[1];
  assert.ok(secret, s.screen);
  assert.equal(liveKey(w, "pty")!.secretHash, sha256(secret));
  const posts = requests(w.server, { method: "POST", path: "/api/keys" });
  assert.deepEqual(
    posts.map((p) => p.status),
    [401, 401, 201],
    "refused twice (no code, wrong code), created once",
  );
  assert.equal([...w.state.keys.values()].filter((k) => k.name.startsWith("pty")).length, 1);

  const s2 = spawnPty(["user", "key", "revoke", "pty"], { env: w.env, cwd: w.home.dir });
  t.after(() => s2.kill());
  await s2.waitFor("Two-factor authentication code:");
  s2.line("222222");
  for (const attempt of ["333333", "444444"]) {
    await s2.waitFor("that two-factor code was not accepted");
    await s2.waitFor("(try again):");
    s2.line(attempt);
  }
  assert.equal(await exitOf(s2), 3, s2.screen);
  assert.match(s2.screen, /not accepted after 3 attempts/);
  assert.ok(liveKey(w, "pty"), "still there");
});

test("an OAuth login without two-factor authentication is told the way out for key writes", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "ana" });
  await storeOAuthLogin(w, "ana", "api:read");
  // read-only scopes: the permission check answers first
  fails(await w.hexts(["user", "key", "generate", "--otp", "123456"]), 3, /lacks the permission/);
  const state = w.state;
  const token = [...state.tokens.values()].at(-1)!;
  token.scopes = ["api:read", "api:write"];
  const r = await w.hexts(["user", "key", "generate", "--otp", "123456"]);
  fails(
    r,
    3,
    new RegExp(
      /Two-factor authentication must be enabled for API write access.*/.source +
        /Enable two-factor authentication.*or use an API key/.source,
    ),
  );
  failsJson(await w.hexts(["--json", "user", "key", "revoke", "x", "--otp", "123456"]), 3, "TWO_FACTOR_DISABLED");
});
