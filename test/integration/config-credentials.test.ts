// The credential store against a real config file: plain and sealed storage, the local password (env, 3 tries,
// one question per run), re-encryption, organization entries, repository resolution and credential order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createContext, type Context } from "../../src/commands/context.js";
import { HextsError } from "../../src/errors.js";
import { Output } from "../../src/ui/output.js";
import { createPrompter, type Prompter } from "../../src/ui/prompt.js";
import {
  deleteCredential,
  forgetStoredSecrets,
  hasLocalPassword,
  listCredentials,
  listOrganizations,
  loadCredential,
  loadOrganizationKey,
  provideLocalPassword,
  removeOrganization,
  setLocalPassword,
  storeCredential,
  storeOrganization,
  storeRepository,
  updateRepository,
} from "../../src/config/credentials.js";
import { HEXPM_PUBLIC_KEY, apiCredential, authorizationHeader, resolveRepository } from "../../src/config/repos.js";
import { resolveSettings } from "../../src/config/settings.js";

const fast = { n: 2 ** 10, r: 8, p: 1 };
const API = "https://hex.pm/api";
const KEY = "0123456789abcdef0123456789abcdef";
const ORG_KEY = "fedcba9876543210fedcba9876543210";
const ACCESS = "eyJhbGciOi.access-token-value.sig";
const REFRESH = "refresh-token-value-0123456789";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

/** A prompter scripted with answers: the true edge (a TTY) faked, nothing of ours. */
function scripted(answers: string[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const no = () => Promise.reject(new Error("unexpected prompt"));
  return {
    interactive: true,
    asked,
    async secret(message) {
      asked.push(message);
      const a = answers.shift();
      if (a === undefined) throw new Error(`no scripted answer for ${message}`);
      return a;
    },
    input: no,
    confirm: no,
    select: no,
  };
}

interface TestRun {
  ctx: Context;
  stdout: Capture;
  stderr: Capture;
}

function home(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-cred-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One run: a real Context on the temp home, output captured, prompts scripted or refused. */
function run(
  dir: string,
  opts: { env?: Record<string, string>; answers?: string[]; interactive?: boolean; repo?: string } = {},
): TestRun & { prompt: Prompter & { asked?: string[] } } {
  const env = { HEX_HOME: join(dir, "hex"), ...opts.env };
  const stdout = new Capture();
  const stderr = new Capture();
  const out = new Output({ json: false, verbose: false, env, stdout, stderr });
  const prompt = opts.answers
    ? scripted(opts.answers)
    : createPrompter({ interactive: opts.interactive ?? false, yes: false, out });
  const ctx = createContext({
    flags: { json: false, yes: false, verbose: false, color: false, repo: opts.repo },
    env,
    cwd: dir,
    out,
    prompt,
  });
  return { ctx, stdout, stderr, prompt };
}

const fileOf = (dir: string) => join(dir, "hex", "hexts.json");
const fileText = (dir: string) => readFileSync(fileOf(dir), "utf8");

function isError(code: string, exitCode: number, ...parts: (string | RegExp)[]) {
  return (e: unknown) => {
    assert.ok(e instanceof HextsError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.exitCode, exitCode);
    for (const p of parts)
      typeof p === "string" ? assert.ok(e.message.includes(p), e.message) : assert.match(e.message, p);
    return true;
  };
}

/** A home with an API key, an OAuth login and an organization key, sealed with `password`. */
async function sealedHome(dir: string, password: string) {
  const { ctx } = run(dir);
  await storeCredential(ctx, API, { type: "key", key: KEY, username: "alice", keyName: "laptop" });
  await storeCredential(ctx, "http://127.0.0.1:4000/api/", {
    type: "oauth",
    accessToken: ACCESS,
    refreshToken: REFRESH,
    expiresAt: 1_900_000_000,
    username: "alice",
  });
  await storeOrganization(ctx, "acme", ORG_KEY);
  const r = await setLocalPassword(ctx, password, { kdf: fast });
  assert.equal(r.secrets, 4);
}

test("without a local password, credentials are stored plain in a 0600 file and load back", async (t) => {
  const dir = home(t);
  const { ctx } = run(dir);
  await storeCredential(ctx, `${API}/`, { type: "key", key: KEY, username: "alice", keyName: "laptop" });
  assert.equal(statSync(fileOf(dir)).mode & 0o777, 0o600);
  assert.equal(await hasLocalPassword(ctx), false);
  const again = run(dir);
  assert.deepEqual(await loadCredential(again.ctx, API), {
    type: "key",
    key: KEY,
    username: "alice",
    keyName: "laptop",
  });
  assert.equal(again.ctx.out.secrets.redact(`key=${KEY}`), "key=***", "a loaded secret is registered for redaction");
  assert.deepEqual(await listCredentials(again.ctx), [
    { apiUrl: API, type: "key", username: "alice", keyName: "laptop", encrypted: false },
  ]);
});

test("an OAuth credential keeps tokens, expiry and user; delete forgets it", async (t) => {
  const dir = home(t);
  const { ctx } = run(dir);
  const cred = {
    type: "oauth" as const,
    accessToken: ACCESS,
    refreshToken: REFRESH,
    expiresAt: 1_900_000_000,
    username: "bob",
  };
  await storeCredential(ctx, API, cred);
  assert.deepEqual(await loadCredential(run(dir).ctx, API), cred);
  assert.equal(await deleteCredential(ctx, API), true);
  assert.equal(await deleteCredential(ctx, API), false);
  assert.equal(await loadCredential(run(dir).ctx, API), undefined);
  assert.equal(authorizationHeader(cred), `Bearer ${ACCESS}`);
  assert.equal(authorizationHeader({ type: "key", key: KEY }), KEY);
});

test("with a local password every stored secret is sealed; the file holds none of them", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const text = fileText(dir);
  for (const secret of [KEY, ORG_KEY, ACCESS, REFRESH])
    assert.ok(!text.includes(secret), "secret in clear in the file");
  const raw = JSON.parse(text);
  assert.equal(raw.local_password.check.kdf, "scrypt");
  assert.equal(raw.credentials[API].key.v, 1);
  assert.equal(raw.credentials[API].username, "alice", "non-secret fields stay readable");
  assert.equal(raw.repos["hexpm:acme"].auth_key.v, 1);
  assert.equal(statSync(fileOf(dir)).mode & 0o777, 0o600);
  assert.ok((await listCredentials(run(dir).ctx)).every((c) => c.encrypted));
});

test("HEX_LOCAL_PASSWORD opens sealed secrets without prompting; they are registered for redaction", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const { ctx, prompt } = run(dir, { env: { HEX_LOCAL_PASSWORD: "local-pw-1" }, answers: [] });
  assert.deepEqual(await loadCredential(ctx, "http://127.0.0.1:4000/api"), {
    type: "oauth",
    accessToken: ACCESS,
    refreshToken: REFRESH,
    expiresAt: 1_900_000_000,
    username: "alice",
  });
  assert.equal(await loadOrganizationKey(ctx, "acme"), ORG_KEY);
  assert.deepEqual(prompt.asked, []);
  assert.equal(ctx.out.secrets.redact(`${ACCESS} ${REFRESH} ${ORG_KEY} local-pw-1`), "*** *** *** ***");
});

test("a wrong HEX_LOCAL_PASSWORD is LOCAL_PASSWORD_INVALID (exit 3) naming the variable, without asking", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const { ctx, prompt } = run(dir, { env: { HEX_LOCAL_PASSWORD: "not-the-password" }, answers: ["local-pw-1"] });
  await assert.rejects(loadCredential(ctx, API), isError("LOCAL_PASSWORD_INVALID", 3, "HEX_LOCAL_PASSWORD"));
  assert.deepEqual(prompt.asked, []);
});

test("a run that cannot prompt and has no HEX_LOCAL_PASSWORD fails at once, naming it", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const { ctx } = run(dir, { interactive: false });
  await assert.rejects(
    loadCredential(ctx, API),
    isError("INPUT_REQUIRED", 2, /Local password is required.*HEX_LOCAL_PASSWORD/),
  );
});

test("on a TTY a wrong local password is asked 3 times, then LOCAL_PASSWORD_INVALID (exit 3)", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const { ctx, prompt } = run(dir, { answers: ["nope1", "nope2", "nope3", "local-pw-1"] });
  await assert.rejects(
    loadCredential(ctx, API),
    isError("LOCAL_PASSWORD_INVALID", 3, /wrong local password \(3 tries\)/),
  );
  assert.deepEqual(prompt.asked, [
    "Local password",
    "Wrong local password, try again (2 of 3)",
    "Wrong local password, try again (3 of 3)",
  ]);
  assert.ok(!fileText(dir).includes(KEY));
});

test("the local password is asked at most once per run, however many secrets are opened", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const { ctx, prompt } = run(dir, { answers: ["wrong", "local-pw-1"] });
  const [a, b] = await Promise.all([loadCredential(ctx, API), loadCredential(ctx, "http://127.0.0.1:4000/api")]);
  assert.equal(a?.type === "key" && a.key, KEY);
  assert.equal(b?.type === "oauth" && b.accessToken, ACCESS);
  assert.equal(await loadOrganizationKey(ctx, "acme"), ORG_KEY);
  const repo = await resolveRepository(ctx, { organization: "acme" });
  assert.equal((await repo.credentials.api())?.type, "key");
  // storing while sealed re-uses the run's password: no new question, and the new secret is sealed too
  await storeOrganization(ctx, "beta", "beta-key-0123456789");
  assert.deepEqual(prompt.asked, ["Local password", "Wrong local password, try again (2 of 3)"]);
  assert.ok(!fileText(dir).includes("beta-key-0123456789"));
  assert.equal(
    await loadOrganizationKey(run(dir, { env: { HEX_LOCAL_PASSWORD: "local-pw-1" } }).ctx, "beta"),
    "beta-key-0123456789",
  );
});

test("a password given by the caller (e.g. --local-password-stdin) is used instead of asking", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "local-pw-1");
  const ok = run(dir, { answers: [] });
  provideLocalPassword(ok.ctx, "local-pw-1");
  assert.equal(await loadOrganizationKey(ok.ctx, "acme"), ORG_KEY);
  const bad = run(dir, { answers: [] });
  provideLocalPassword(bad.ctx, "other");
  await assert.rejects(loadOrganizationKey(bad.ctx, "acme"), isError("LOCAL_PASSWORD_INVALID", 3));
  assert.deepEqual(bad.prompt.asked, []);
});

test("changing the local password re-encrypts everything; the old one stops working", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "old-password");
  const before = JSON.parse(fileText(dir));
  const { ctx, prompt } = run(dir, { answers: ["old-password"] });
  assert.deepEqual(await setLocalPassword(ctx, "new-password", { kdf: fast }), { secrets: 4 });
  assert.deepEqual(prompt.asked, ["Local password"], "the current password is asked first");
  const after = JSON.parse(fileText(dir));
  assert.notEqual(after.local_password.check.salt, before.local_password.check.salt);
  assert.notEqual(after.credentials[API].key.ct, before.credentials[API].key.ct);
  assert.equal(await loadOrganizationKey(ctx, "acme"), ORG_KEY, "the same run keeps working with the new password");
  await assert.rejects(
    loadCredential(run(dir, { env: { HEX_LOCAL_PASSWORD: "old-password" } }).ctx, API),
    isError("LOCAL_PASSWORD_INVALID", 3),
  );
  const fresh = await loadCredential(run(dir, { env: { HEX_LOCAL_PASSWORD: "new-password" } }).ctx, API);
  assert.equal(fresh?.type === "key" && fresh.key, KEY);
});

test("removing the local password stores every secret plain again", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "pw");
  const { ctx } = run(dir, { env: { HEX_LOCAL_PASSWORD: "pw" } });
  assert.deepEqual(await setLocalPassword(ctx, null), { secrets: 4 });
  const raw = JSON.parse(fileText(dir));
  assert.equal(raw.local_password, undefined);
  assert.equal(raw.credentials[API].key, KEY);
  assert.equal(raw.repos["hexpm:acme"].auth_key, ORG_KEY);
  assert.equal(await hasLocalPassword(run(dir).ctx), false);
});

test("the default scrypt cost works end to end", async (t) => {
  const dir = home(t);
  const { ctx } = run(dir);
  await storeCredential(ctx, API, { type: "key", key: KEY });
  await setLocalPassword(ctx, "default-cost");
  const raw = JSON.parse(fileText(dir));
  assert.equal(raw.credentials[API].key.n, 2 ** 17);
  const loaded = await loadCredential(run(dir, { env: { HEX_LOCAL_PASSWORD: "default-cost" } }).ctx, API);
  assert.equal(loaded?.type === "key" && loaded.key, KEY);
});

test("a sealed value moved to another field does not open (associated data), reported with the path", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "pw");
  const raw = JSON.parse(fileText(dir));
  raw.repos["hexpm:acme"].auth_key = raw.credentials[API].key;
  writeFileSync(fileOf(dir), JSON.stringify(raw));
  await assert.rejects(
    loadOrganizationKey(run(dir, { env: { HEX_LOCAL_PASSWORD: "pw" } }).ctx, "acme"),
    isError("CONFIG_INVALID", 1, fileOf(dir), /cannot be decrypted/),
  );
});

test("forgetting stored secrets needs no password and leaves no secret or check behind", async (t) => {
  const dir = home(t);
  await sealedHome(dir, "forgotten");
  const { ctx, prompt } = run(dir, { answers: [] });
  assert.deepEqual(await forgetStoredSecrets(ctx), { secrets: 4 });
  assert.deepEqual(prompt.asked, []);
  const raw = JSON.parse(fileText(dir));
  assert.deepEqual(raw.credentials, {});
  assert.deepEqual(raw.repos, {});
  assert.equal(raw.local_password, undefined);
});

test("organization entries: store, list, remove; names are validated", async (t) => {
  const dir = home(t);
  const { ctx } = run(dir);
  await storeOrganization(ctx, "zeta", "zeta-key-1234");
  await storeOrganization(ctx, "hexpm:acme", "acme-key-1234");
  await storeOrganization(ctx, "acme", "acme-key-5678"); // replaces
  assert.deepEqual(await listOrganizations(ctx), [
    { name: "hexpm:acme", organization: "acme", hasKey: true },
    { name: "hexpm:zeta", organization: "zeta", hasKey: true },
  ]);
  assert.equal(await loadOrganizationKey(ctx, "acme"), "acme-key-5678");
  assert.equal(await removeOrganization(ctx, "zeta"), true);
  assert.equal(await removeOrganization(ctx, "zeta"), false);
  assert.deepEqual(
    (await listOrganizations(ctx)).map((o) => o.organization),
    ["acme"],
  );
  await assert.rejects(
    storeOrganization(ctx, "Bad-Name", "k-123456"),
    isError("USAGE", 2, /invalid organization name/),
  );
});

/** SSH-style fingerprint of an RSA public key (HEX_PROTOCOL §7.5). */
function sshFingerprint(pem: string): string {
  const jwk = createPublicKey(pem).export({ format: "jwk" });
  const mpint = (b64url: string) => {
    let b = Buffer.from(b64url, "base64url");
    if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return b;
  };
  const str = (b: Buffer) =>
    Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 0xff)), b]);
  const wire = Buffer.concat([str(Buffer.from("ssh-rsa")), str(mpint(jwk.e!)), str(mpint(jwk.n!))]);
  return `SHA256:${createHash("sha256").update(wire).digest("base64").replace(/=+$/, "")}`;
}

test("hexpm resolves to hex.pm's API, repo and public key", async (t) => {
  const dir = home(t);
  const repo = await resolveRepository(run(dir).ctx);
  assert.deepEqual(
    {
      name: repo.name,
      organization: repo.organization,
      apiUrl: repo.apiUrl,
      repoUrl: repo.repoUrl,
      originName: repo.originName,
      trusted: repo.trusted,
    },
    {
      name: "hexpm",
      organization: undefined,
      apiUrl: "https://hex.pm/api",
      repoUrl: "https://repo.hex.pm",
      originName: "hexpm",
      trusted: true,
    },
  );
  assert.equal(sshFingerprint(repo.publicKey), "SHA256:O1LOYhHFW4kcrblKAxROaDEzLD8bn1seWbe5tq8TRsk");
  assert.equal(sshFingerprint(HEXPM_PUBLIC_KEY), "SHA256:O1LOYhHFW4kcrblKAxROaDEzLD8bn1seWbe5tq8TRsk");
});

type RepoCase = [
  name: string,
  opts: { organization?: string; repo?: string; flagRepo?: string; env?: Record<string, string> },
  expect: Record<string, unknown>,
];
const repoCases: RepoCase[] = [
  [
    "--organization",
    { organization: "acme" },
    {
      name: "hexpm:acme",
      organization: "acme",
      apiUrl: "https://hex.pm/api",
      repoUrl: "https://repo.hex.pm/repos/acme",
      originName: "acme",
      trusted: true,
    },
  ],
  [
    "--repo hexpm:ORG",
    { repo: "hexpm:acme" },
    { name: "hexpm:acme", organization: "acme", repoUrl: "https://repo.hex.pm/repos/acme" },
  ],
  ["global -r flag", { flagRepo: "hexpm:acme" }, { name: "hexpm:acme", organization: "acme" }],
  ["--repo hexpm + --organization", { repo: "hexpm", organization: "acme" }, { name: "hexpm:acme" }],
  [
    "HEX_API_URL for hexpm and its orgs",
    { organization: "acme", env: { HEX_API_URL: "http://127.0.0.1:4000/api" } },
    { apiUrl: "http://127.0.0.1:4000/api" },
  ],
  [
    "a mirror replaces the repo URL and is untrusted",
    { env: { HEX_MIRROR: "https://mirror.example/hex/" } },
    { repoUrl: "https://mirror.example/hex", trusted: false },
  ],
  [
    "custom repository",
    { repo: "myrepo" },
    {
      name: "myrepo",
      organization: undefined,
      apiUrl: "https://my.example/api",
      repoUrl: "https://my.example/repo",
      originName: "myrepo",
      trusted: true,
    },
  ],
];
for (const [name, opts, expect] of repoCases) {
  test(`resolveRepository: ${name}`, async (t) => {
    const dir = home(t);
    const setup = run(dir);
    await storeRepository(setup.ctx, "myrepo", {
      url: "https://my.example/repo/",
      publicKey: HEXPM_PUBLIC_KEY,
      apiUrl: "https://my.example/api",
    });
    const { ctx } = run(dir, { env: opts.env, repo: opts.flagRepo });
    // The global -r flag is parsed once into ctx.repo; the config layer takes it explicitly.
    const repo = await resolveRepository(ctx, { organization: opts.organization, repo: opts.repo ?? ctx.repo });
    for (const [k, v] of Object.entries(expect)) assert.deepEqual(repo[k as keyof typeof repo], v, k);
  });
}

const badRepos: [string, { organization?: string; repo?: string }, RegExp][] = [
  [
    "unknown name",
    { repo: "acme" },
    /^unknown repository "acme" \(for the organization, use hexpm:acme\); known: hexpm, hexpm:ORG$/,
  ],
  ["conflicting flags", { repo: "hexpm:one", organization: "two" }, /name different repositories/],
  ["bad organization", { organization: "No Spaces" }, /invalid organization name/],
];
for (const [name, opts, message] of badRepos) {
  test(`resolveRepository error: ${name}`, async (t) => {
    await assert.rejects(resolveRepository(run(home(t)).ctx, opts), isError("USAGE", 2, message));
  });
}

test("API credential order: HEX_API_KEY > the repository's key > the parent's key > the stored login", async (t) => {
  const dir = home(t);
  const setup = run(dir);
  await storeCredential(setup.ctx, API, {
    type: "oauth",
    accessToken: ACCESS,
    refreshToken: REFRESH,
    expiresAt: 1_900_000_000,
    username: "alice",
  });
  const summary = async (r: TestRun, org?: string) => {
    const c = await (await resolveRepository(r.ctx, { organization: org })).credentials.api();
    return c && { type: c.type, source: c.source, auth: authorizationHeader(c) };
  };
  assert.deepEqual(await summary(run(dir), "acme"), {
    type: "oauth",
    source: `stored login for ${API}`,
    auth: `Bearer ${ACCESS}`,
  });
  await storeOrganization(setup.ctx, "acme", ORG_KEY);
  assert.deepEqual(await summary(run(dir), "acme"), {
    type: "key",
    source: "key of repository hexpm:acme",
    auth: ORG_KEY,
  });
  assert.deepEqual(
    await summary(run(dir)),
    { type: "oauth", source: `stored login for ${API}`, auth: `Bearer ${ACCESS}` },
    "an org key is not used for hexpm",
  );
  assert.deepEqual(await summary(run(dir, { env: { HEX_API_KEY: KEY } }), "acme"), {
    type: "key",
    source: "HEX_API_KEY",
    auth: KEY,
  });
  assert.deepEqual(await summary(run(dir, { env: { HEXPM_API_KEY: KEY } })), {
    type: "key",
    source: "HEXPM_API_KEY",
    auth: KEY,
  });
  assert.equal(
    await summary(run(dir, { env: { HEX_API_URL: "http://127.0.0.1:1/api" } })),
    undefined,
    "credentials stay with their API",
  );
  assert.equal((await apiCredential(run(dir).ctx, { organization: "acme" }))?.source, "key of repository hexpm:acme");
});

test("repo credentials: none for an untrusted mirror; the org key, then the stored login, for hexpm", async (t) => {
  const dir = home(t);
  const setup = run(dir);
  await storeCredential(setup.ctx, API, { type: "key", key: KEY });
  await storeOrganization(setup.ctx, "acme", ORG_KEY);
  const repoCred = async (env: Record<string, string>, org?: string) =>
    (await (await resolveRepository(run(dir, { env }).ctx, { organization: org })).credentials.repository())?.source;
  assert.equal(await repoCred({}, "acme"), "key of repository hexpm:acme");
  assert.equal(await repoCred({}), `stored login for ${API}`);
  assert.equal(await repoCred({ HEX_MIRROR: "https://mirror.example" }), undefined);
  assert.equal(await repoCred({ HEX_MIRROR: "https://mirror.example" }, "acme"), undefined);
});

test("repository keys are bound to the origins they were stored for, API and downloads each", async (t) => {
  const dir = home(t);
  const setup = run(dir);
  const here = { apiUrl: "http://127.0.0.1:4000/api", repoUrl: "http://127.0.0.1:4000/repo" };
  await storeOrganization(setup.ctx, "acme", ORG_KEY, here);
  const creds = async (env: Record<string, string>) => {
    const repo = await resolveRepository(run(dir, { env }).ctx, { organization: "acme" });
    return [(await repo.credentials.api())?.source, (await repo.credentials.repository())?.source];
  };
  // the download URL is hex.pm's by default: the key stored for 127.0.0.1:4000 is not sent there
  assert.deepEqual(await creds({ HEX_API_URL: here.apiUrl }), ["key of repository hexpm:acme", undefined]);
  assert.deepEqual(await creds({ HEX_API_URL: "http://127.0.0.1:4001/api" }), [undefined, undefined]);
  assert.deepEqual(await creds({}), [undefined, undefined], "not to hex.pm either");
  await storeRepository(setup.ctx, "myrepo", {
    url: "https://my.example/repo",
    publicKey: HEXPM_PUBLIC_KEY,
    apiUrl: "https://api.my.example/api",
    authKey: "my-repo-key-123",
  });
  const raw = JSON.parse(fileText(dir));
  assert.equal(raw.repos.myrepo.api_origin, "https://api.my.example");
  assert.equal(raw.repos.myrepo.repo_origin, "https://my.example");
  const mine = await resolveRepository(run(dir).ctx, { repo: "myrepo" });
  assert.equal((await mine.credentials.api())?.source, "key of repository myrepo");
  assert.equal((await mine.credentials.repository())?.source, "key of repository myrepo");
});

test("updateRepository: what is given changes; a stored key never follows new URLs by itself", async (t) => {
  const dir = home(t);
  const { ConfigStore } = await import("../../src/config/store.js");
  // An entry written before keys recorded their origins: its key went to the entry's own URLs.
  await new ConfigStore(fileOf(dir)).update((c) => {
    c.repos.legacy = { url: "https://old.example/repo", public_key: HEXPM_PUBLIC_KEY, auth_key: "legacy-key-123" };
  });
  const sources = async () => {
    const repo = await resolveRepository(run(dir).ctx, { repo: "legacy" });
    return [(await repo.credentials.api())?.source, (await repo.credentials.repository())?.source];
  };
  assert.deepEqual(await sources(), [undefined, "key of repository legacy"]);

  const moved = await updateRepository(run(dir).ctx, "legacy", { url: "https://new.example/repo" });
  assert.deepEqual(moved, { authKey: "kept", boundTo: ["https://old.example"], notSentTo: ["https://new.example"] });
  const raw = JSON.parse(fileText(dir)).repos.legacy;
  assert.equal(raw.url, "https://new.example/repo");
  assert.equal(raw.repo_origin, "https://old.example", "pinned to where it was stored for");
  assert.equal(raw.public_key, HEXPM_PUBLIC_KEY, "the rest is kept");
  assert.deepEqual(await sources(), [undefined, undefined], "not sent to the new URL");

  const rekeyed = await updateRepository(run(dir).ctx, "legacy", { authKey: "new-key-456" });
  assert.deepEqual(rekeyed, { authKey: "replaced" });
  assert.equal(JSON.parse(fileText(dir)).repos.legacy.repo_origin, "https://new.example");
  assert.deepEqual(await sources(), [undefined, "key of repository legacy"]);
  // An API given after the key was stored: the key is not sent there either, until it is given again.
  assert.deepEqual(await updateRepository(run(dir).ctx, "legacy", { apiUrl: "https://api.new.example/api" }), {
    authKey: "kept",
    boundTo: ["https://new.example"],
    notSentTo: ["https://api.new.example"],
  });
  assert.deepEqual(await sources(), [undefined, "key of repository legacy"]);
  assert.deepEqual(await updateRepository(run(dir).ctx, "legacy", { authKey: "new-key-789" }), { authKey: "replaced" });
  assert.deepEqual(await sources(), ["key of repository legacy", "key of repository legacy"]);
  await assert.rejects(
    updateRepository(run(dir).ctx, "missing", { url: "https://x.example" }),
    isError("NOT_FOUND", 1, "no repository named missing"),
  );
});

test("resolveSettings: flag > env > project > user config > default via the real file, memoised per run", async (t) => {
  const dir = home(t);
  const { ConfigStore } = await import("../../src/config/store.js");
  await new ConfigStore(fileOf(dir)).update((c) => {
    c.settings.http_timeout = 40;
    c.settings.api_url = "https://user.example/api";
    c.settings.no_proxy = "user.example";
  });
  const { ctx } = run(dir, { env: { HEX_HTTP_TIMEOUT: "50", HEX_API_KEY: KEY } });
  const project = { api_url: "https://project.example/api", http_timeout: 60, doc: "edoc", http_concurrency: 8n };
  const s = await resolveSettings(ctx, { project, flags: { otp: "123456" } });
  assert.equal(s.values.http_timeout, 50);
  assert.equal(s.values.api_url, "https://project.example/api");
  assert.equal(s.values.no_proxy, "user.example");
  assert.deepEqual(s.sources.no_proxy, { kind: "user", file: fileOf(dir) });
  assert.equal(s.values.oauth_client_id, "hexts");
  assert.equal(s.values.otp, "123456");
  assert.equal(s.file, fileOf(dir));
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.values));
  assert.equal(
    await resolveSettings(ctx, { flags: { otp: "123456" }, project: { ...project } }),
    s,
    "memoised for equal options",
  );
  assert.notEqual(await resolveSettings(ctx), s);
  assert.equal(ctx.out.secrets.redact(`${KEY} 123456`), "*** ***", "secret settings are registered for redaction");
});

test("resolveSettings reports a corrupt user config with its path", async (t) => {
  const dir = home(t);
  const { ConfigStore } = await import("../../src/config/store.js");
  await new ConfigStore(fileOf(dir)).update((c) => {
    c.settings.http_timeout = "soon";
  });
  await assert.rejects(
    resolveSettings(run(dir).ctx),
    isError("CONFIG_INVALID", 1, `config file ${fileOf(dir)}: settings.http_timeout`),
  );
  writeFileSync(fileOf(dir), "{not json");
  await assert.rejects(resolveSettings(run(dir).ctx), isError("CONFIG_INVALID", 1, fileOf(dir), /not valid JSON/));
  await assert.rejects(
    storeCredential(run(dir).ctx, API, { type: "key", key: KEY }),
    isError("CONFIG_INVALID", 1, fileOf(dir)),
  );
  assert.equal(fileText(dir), "{not json", "writers refuse too");
});
