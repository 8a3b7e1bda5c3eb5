// The registry client against the local Hex server: verified resources, conditional requests with the
// on-disk cache, organization credentials, mirrors that never see them, and tarballs checked before use.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isHextsError, type HextsError } from "../../src/errors.js";
import { messageWithAdvice } from "../../src/cli/advice.js";
import { defaultTransport } from "../../src/http/index.js";
import {
  RegistryClient,
  diskRegistryCache,
  type RegistryClientOptions,
  type RegistryRepository,
} from "../../src/registry/index.js";
import { buildTarball, startHexServer, type HexServer } from "../support/hex-server/index.js";
import type { State } from "../support/hex-server/state.js";

function client(
  server: HexServer,
  repo: Partial<RegistryRepository> = {},
  extra: { cacheDir?: string; log?: { url: string; authorized: boolean; conditional: boolean }[] } & Partial<
    Omit<RegistryClientOptions, "repository" | "transport">
  > = {},
) {
  const { cacheDir, log, ...options } = extra;
  const transport = defaultTransport({ connectTimeoutMs: 5000 });
  const c = new RegistryClient({
    repository: {
      name: "hexpm",
      url: server.repoUrl,
      publicKey: server.registryPublicKey!(),
      originName: "hexpm",
      trusted: true,
      ...repo,
    },
    transport,
    userAgent: "hexts-test",
    cache: cacheDir ? diskRegistryCache(cacheDir) : undefined,
    retries: 0,
    onRequest: (r) => log?.push(r),
    ...options,
  });
  return Object.assign(c, { [Symbol.asyncDispose]: () => transport.close() });
}

async function seeded() {
  const server = await startHexServer();
  server.addUser({ username: "ana" });
  for (const v of ["0.9.0", "1.0.0", "1.1.0-rc.0"])
    server.addRelease({ owner: "ana", tarball: buildTarball({ name: "alpha", version: v }) });
  server.addRelease({
    owner: "ana",
    tarball: buildTarball({
      name: "beta",
      version: "2.0.0",
      metadata: { requirements: { alpha: { app: "alpha", optional: false, requirement: "~> 1.0" } } },
    }),
  });
  return server;
}

const code = (c: string, reason?: string) => (e: unknown) =>
  isHextsError(e) && e.code === c && (reason === undefined || (e.details as any)?.reason === reason);

test("names, versions and packages come back verified and decoded", async () => {
  await using server = await seeded();
  await using c = client(server);
  assert.deepEqual(
    (await c.getNames()).packages.map((p) => p.name),
    ["alpha", "beta"],
  );
  const versions = await c.getVersions();
  assert.deepEqual(versions.packages[0], {
    name: "alpha",
    versions: ["0.9.0", "1.0.0", "1.1.0-rc.0"],
    retired: [],
    withAdvisories: [],
  });
  const beta = await c.getPackage("beta");
  assert.equal(beta.releases[0]!.dependencies[0]!.package, "alpha");
  assert.equal(beta.releases[0]!.dependencies[0]!.requirement, "~> 1.0");
  await assert.rejects(c.getPackage("nope"), code("NOT_FOUND"));
  await assert.rejects(c.getRelease("alpha", "9.9.9"), code("NOT_FOUND"));
});

test("a key other than the repository's, or another origin name, is refused", async () => {
  await using server = await seeded();
  const { generateKeyPairSync } = await import("node:crypto");
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();
  await using wrongKey = client(server, { publicKey: other });
  await assert.rejects(wrongKey.getPackage("alpha"), code("REGISTRY_INVALID", "bad_signature"));
  await using wrongName = client(server, { originName: "mirror" });
  await assert.rejects(wrongName.getNames(), code("REGISTRY_INVALID", "bad_repo_name"));
  // A custom repository configured under another name than its server's: the library states the mismatch, and
  // the kind lets the CLI say which name to use. Not so for an organization, whose name is not the user's choice.
  await using renamed = client(server, { name: "mine", originName: "mine" });
  const error = await renamed.getNames().then(
    () => assert.fail("accepted another repository's names"),
    (e: unknown) => e as HextsError,
  );
  assert.equal(error.kind, "registry-other-repository");
  assert.doesNotMatch(error.message, /hexts /);
  assert.ok(
    messageWithAdvice(error).endsWith(
      "(a configured repository must carry its server's name: add it again as `hexts repo add hexpm URL`)",
    ),
    messageWithAdvice(error),
  );
  await using organization = client(server, { name: "hexpm:acme", originName: "acme" });
  const orgError = await organization.getNames().then(
    () => assert.fail("accepted another repository's names"),
    (e: unknown) => e as HextsError,
  );
  assert.equal(orgError.kind, undefined);
  assert.equal(messageWithAdvice(orgError), orgError.message);
});

test("a second read sends If-None-Match from the disk cache and uses the cached body on 304", async () => {
  await using server = await seeded();
  const dir = await mkdtemp(join(tmpdir(), "hexts-registry-cache-"));
  try {
    const log: { url: string; authorized: boolean; conditional: boolean }[] = [];
    {
      await using c = client(server, {}, { cacheDir: dir, log });
      await c.getPackage("alpha");
    }
    assert.ok((await readdir(dir)).length >= 2);
    await using again = client(server, {}, { cacheDir: dir, log });
    const pkg = await again.getPackage("alpha");
    assert.equal(pkg.releases.length, 3);
    assert.deepEqual(
      log.map((l) => l.conditional),
      [false, true],
    );
    const repoRequests = server.requests.filter((r) => r.path === "/repo/packages/alpha");
    assert.deepEqual(
      repoRequests.map((r) => r.status),
      [200, 304],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("organization registries get the repository credential; an untrusted mirror never does", async () => {
  await using server = await seeded();
  server.addOrganization({ name: "acme", admin: "ana" });
  server.addRelease({ repository: "acme", owner: "ana", tarball: buildTarball({ name: "secret", version: "1.0.0" }) });
  const key = server.addKey({
    owner: { user: "ana" },
    name: "r",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  const org = { name: "hexpm:acme", url: `${server.repoUrl}/repos/acme`, originName: "acme" };
  await using withKey = client(server, { ...org, authorization: async () => key });
  assert.equal((await withKey.getPackage("secret")).repository, "acme");
  await using anonymous = client(server, org);
  await assert.rejects(anonymous.getPackage("secret"), code("NOT_AUTHENTICATED"));
  await using mirror = client(server, { ...org, trusted: false, authorization: async () => key });
  await assert.rejects(
    mirror.getPackage("secret"),
    (e: unknown) => code("NOT_AUTHENTICATED")(e) && /untrusted mirror/.test((e as Error).message),
  );
  const sent = server.requests
    .filter((r) => r.path === "/repo/repos/acme/packages/secret")
    .map((r) => r.headers.authorization);
  assert.deepEqual(sent, [key, undefined, undefined]);
});

test("a tarball is returned only when its SHA-256 matches the registry's checksum", async () => {
  await using server = await seeded();
  await using c = client(server);
  const ok = await c.getTarball("alpha", "1.0.0");
  assert.equal(ok.outerChecksum, ok.release.outerChecksum);
  const release = (server.state as State).findPackage("hexpm", "alpha")!.releases.find((r) => r.version === "0.9.0")!;
  release.tarball = Buffer.concat([release.tarball, Buffer.alloc(512)]);
  await assert.rejects(c.getTarball("alpha", "0.9.0"), code("TARBALL_INVALID", "outer_checksum_mismatch"));
});

test("server errors are retried, then reported with the repository's name", async () => {
  await using server = await seeded();
  server.fault({ path: "/repo/names", times: 1, fault: { kind: "status", status: 503 } });
  // retries: undefined = the client's default number of retries
  await using c = client(server, {}, { retries: undefined, sleep: async () => {} });
  assert.equal((await c.getNames()).repository, "hexpm");
  server.fault({ path: "/repo/versions", times: 5, fault: { kind: "status", status: 500 } });
  await assert.rejects(c.getVersions(), (e: unknown) => code("SERVER_ERROR")(e) && /hexpm/.test((e as Error).message));
});

test("public key fingerprints are ssh-keygen's; /public_key is taken only with the matching fingerprint", async () => {
  const { HEXPM_PUBLIC_KEY } = await import("../../src/config/index.js");
  const { publicKeyFingerprint, fetchRepositoryPublicKey } = await import("../../src/registry/index.js");
  assert.equal(publicKeyFingerprint(HEXPM_PUBLIC_KEY), "SHA256:O1LOYhHFW4kcrblKAxROaDEzLD8bn1seWbe5tq8TRsk");
  await using server = await seeded();
  const transport = defaultTransport({ connectTimeoutMs: 5000 });
  try {
    const pem = server.registryPublicKey!();
    assert.equal(
      await fetchRepositoryPublicKey(server.repoUrl, publicKeyFingerprint(pem), { transport, userAgent: "t" }),
      pem,
    );
    await assert.rejects(
      fetchRepositoryPublicKey(server.repoUrl, "SHA256:O1LOYhHFW4kcrblKAxROaDEzLD8bn1seWbe5tq8TRsk", {
        transport,
        userAgent: "t",
      }),
      code("REGISTRY_INVALID", "bad_public_key"),
    );
  } finally {
    await transport.close();
  }
});
