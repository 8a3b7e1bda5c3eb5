// `hexts audit | outdated | info | package fetch|diff` end to end: the built CLI against the local Hex
// server's signed registry, with retired, outdated and tampered cases, organization repositories and mirrors.
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { z } from "zod";
import { ErrorDoc, json } from "../support/assertions.js";
import { runHexts, tempHome } from "../support/cli.js";
import { buildTarball, startHexServer, type HexServer } from "../support/hex-server/index.js";
import type { Release, State } from "../support/hex-server/state.js";

interface World {
  server: HexServer;
  home: ReturnType<typeof tempHome>;
  project: string;
  repoKey: string;
  release(pkg: string, version: string, repository?: string): Release;
  run(args: string[], env?: Record<string, string>): ReturnType<typeof runHexts>;
  writeConfig(extra?: Record<string, unknown>): void;
}

async function world(t: { after(fn: () => unknown): void }): Promise<World> {
  const server = await startHexServer();
  const home = tempHome();
  t.after(async () => {
    await server.close();
    home.cleanup();
  });
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const publish = (name: string, version: string, extra: Record<string, unknown> = {}, files?: Record<string, string>, repository?: string) =>
    server.addRelease({ repository, owner: "ana", tarball: buildTarball({ name, version, metadata: { licenses: ["Apache-2.0"], links: { GitHub: `https://example.test/${name}` }, ...extra } as any, files }) });
  publish("alpha", "0.9.0", {}, { "lib/alpha.ex": "defmodule Alpha do\n  def v, do: 1\nend\n" });
  publish("alpha", "1.0.0", {}, { "lib/alpha.ex": "defmodule Alpha do\n  def v, do: 2\nend\n" });
  publish("alpha", "1.1.0", {}, { "lib/alpha.ex": "defmodule Alpha do\n  def v, do: 3\nend\n", "README.md": "# Alpha\n" });
  publish("alpha", "2.0.0");
  publish("alpha", "2.1.0-rc.1");
  publish("beta", "1.0.0", { requirements: { alpha: { app: "alpha", optional: false, requirement: "~> 1.0" } } });
  publish("secret", "1.0.0", {}, undefined, "acme");
  const retire = await fetch(`${server.apiUrl}/packages/alpha/releases/1.0.0/retire`, {
    method: "POST",
    headers: { "user-agent": "test", authorization: ana.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ reason: "security", message: "Remote code execution, upgrade to 1.1.0" }),
  });
  assert.equal(retire.status, 204);
  const repoKey = server.addKey({ owner: { user: "ana" }, name: "repo", permissions: [{ domain: "repository", resource: "acme" }] });
  const project = join(home.dir, "project");
  mkdirSync(project);
  const state = server.state as State;
  const w: World = {
    server,
    home,
    project,
    repoKey,
    release: (pkg, version, repository = "hexpm") => state.findPackage(repository, pkg)!.releases.find((r) => r.version === version)!,
    run: (args, env = {}) => runHexts(args, { cwd: project, env: { ...home.env, HEX_API_URL: server.apiUrl, ...env } }),
    writeConfig(extra = {}) {
      mkdirSync(home.env.HEX_HOME!, { recursive: true });
      const repos = { hexpm: { url: server.repoUrl, public_key: server.registryPublicKey!() }, "hexpm:acme": { auth_key: repoKey }, ...extra };
      writeFileSync(join(home.env.HEX_HOME!, "hexts.json"), JSON.stringify({ version: 1, repos }), { mode: 0o600 });
    },
  };
  w.writeConfig();
  return w;
}

function mixLock(w: World, entries: [app: string, version: string, repo?: string, deps?: string][]): string {
  const lines = entries.map(([app, version, repo = "hexpm", deps = "[]"]) => {
    const r = w.release(app, version, repo === "hexpm" ? "hexpm" : repo.slice("hexpm:".length));
    return `  "${app}": {:hex, :${app}, "${version}", "${r.innerChecksum}", [:mix], ${deps}, "${repo}", "${r.outerChecksum}"},`;
  });
  return `%{\n${lines.join("\n")}\n}\n`;
}

const BETA_DEPS = `[{:alpha, "~> 1.0", [hex: :alpha, repo: "hexpm", optional: false]}]`;

const AuditDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    lockFiles: z.array(z.string()),
    checked: z.number(),
    retired: z.array(z.object({ package: z.string(), version: z.string(), repository: z.string(), reason: z.union([z.string(), z.number()]), message: z.string().nullable() })),
    advisories: z.array(z.unknown()),
    checksumMismatches: z.array(z.object({ package: z.string(), checksum: z.enum(["inner", "outer"]), locked: z.string(), registry: z.string() })),
    missing: z.array(z.object({ package: z.string(), version: z.string() })),
  }),
});

test("audit: a retired locked release (and an organization package read with its key) exits 1", async (t) => {
  const w = await world(t);
  writeFileSync(join(w.project, "mix.lock"), mixLock(w, [["alpha", "1.0.0"], ["beta", "1.0.0", "hexpm", BETA_DEPS], ["secret", "1.0.0", "hexpm:acme"]]));
  const human = await w.run(["audit"]);
  assert.equal(human.code, 1, human.stderr);
  assert.match(human.stdout, /Retired:/);
  assert.match(human.stdout, /alpha\s+1\.0\.0\s+\(security\) Remote code execution, upgrade to 1\.1\.0/);
  assert.match(human.stderr, /found retired packages/);
  const doc = json(AuditDoc, await w.run(["audit", "--json"]));
  assert.equal(doc.data.checked, 3);
  assert.deepEqual(doc.data.retired.map((r) => [r.package, r.version, r.reason]), [["alpha", "1.0.0", "security"]]);
  assert.deepEqual(doc.data.checksumMismatches, []);
  const orgReads = w.server.requests.filter((r) => r.path === "/repo/repos/acme/packages/secret");
  assert.ok(orgReads.length > 0 && orgReads.every((r) => r.headers.authorization === w.repoKey && r.status !== 401));
});

test("audit: a clean lock exits 0; rebar.lock with pkg_hash/pkg_hash_ext is read too", async (t) => {
  const w = await world(t);
  writeFileSync(join(w.project, "mix.lock"), mixLock(w, [["beta", "1.0.0", "hexpm", BETA_DEPS]]));
  const ok = await w.run(["audit"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /No retired or security advisory packages found/);
  const r = w.release("alpha", "1.1.0");
  writeFileSync(
    join(w.project, "rebar.lock"),
    `{"1.2.0",\n[{<<"alpha">>,{pkg,<<"alpha">>,<<"1.1.0">>},0}]}.\n[\n{pkg_hash,[\n {<<"alpha">>, <<"${r.innerChecksum.toUpperCase()}">>}]},\n{pkg_hash_ext,[\n {<<"alpha">>, <<"${r.outerChecksum.toUpperCase()}">>}]}\n].\n`,
  );
  const both = json(AuditDoc, await w.run(["audit", "--json"]));
  assert.deepEqual(both.data.lockFiles, ["mix.lock", "rebar.lock"]);
  assert.equal(both.data.checked, 2);
});

test("audit: a locked checksum that differs from the signed registry is a security finding", async (t) => {
  const w = await world(t);
  const r = w.release("alpha", "1.1.0");
  const forged = createHash("sha256").update("forged").digest("hex").toUpperCase();
  writeFileSync(
    join(w.project, "rebar.lock"),
    `{"1.2.0",\n[{<<"alpha">>,{pkg,<<"alpha">>,<<"1.1.0">>},0}]}.\n[\n{pkg_hash,[\n {<<"alpha">>, <<"${r.innerChecksum.toUpperCase()}">>}]},\n{pkg_hash_ext,[\n {<<"alpha">>, <<"${forged}">>}]}\n].\n`,
  );
  const res = await w.run(["audit"]);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /Checksum mismatches/);
  const doc = json(AuditDoc, await w.run(["audit", "--json"]));
  assert.deepEqual(doc.data.checksumMismatches.map((m) => [m.package, m.checksum, m.locked, m.registry]), [["alpha", "outer", forged.toLowerCase(), r.outerChecksum]]);
});

test("audit: a registry signed with another key is refused, never trusted", async (t) => {
  const w = await world(t);
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();
  w.writeConfig({ hexpm: { url: w.server.repoUrl, public_key: other } });
  writeFileSync(join(w.project, "mix.lock"), mixLock(w, [["beta", "1.0.0", "hexpm", BETA_DEPS]]));
  const res = await w.run(["audit"]);
  assert.equal(res.code, 1);
  assert.equal(res.stdout, "");
  assert.match(res.stderr, /^hexts: \/packages\/beta of hexpm has a bad signature/);
  const doc = json(ErrorDoc, await w.run(["audit", "--json"]));
  assert.equal(doc.error.code, "REGISTRY_INVALID");
  const none = await runHexts(["audit"], { cwd: w.home.dir, env: w.home.env });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no mix\.lock or rebar\.lock/);
});

test("audit: rebar.lock packages are looked up in the organizations rebar.config declares", async (t) => {
  const w = await world(t);
  mkdirSync(join(w.project, "src"));
  writeFileSync(join(w.project, "src", "myapp.app.src"), `{application, myapp, [{vsn, "0.1.0"}, {description, "My app"}, {applications, [kernel, stdlib]}, {licenses, ["MIT"]}]}.\n`);
  writeFileSync(join(w.project, "rebar.config"), `{deps, [secret, alpha]}.\n{hex, [{repos, [#{name => <<"hexpm:acme">>}]}]}.\n`);
  const secret = w.release("secret", "1.0.0", "acme");
  const alpha = w.release("alpha", "1.1.0");
  writeFileSync(
    join(w.project, "rebar.lock"),
    `{"1.2.0",\n[{<<"alpha">>,{pkg,<<"alpha">>,<<"1.1.0">>},0},\n {<<"secret">>,{pkg,<<"secret">>,<<"1.0.0">>},0}]}.\n[\n{pkg_hash,[\n {<<"alpha">>, <<"${alpha.innerChecksum.toUpperCase()}">>},\n {<<"secret">>, <<"${secret.innerChecksum.toUpperCase()}">>}]}\n].\n`,
  );
  const res = await w.run(["audit", "--json"]);
  const doc = json(AuditDoc, res);
  assert.equal(res.code, 0, res.stdout);
  assert.equal(doc.data.checked, 2);
  assert.deepEqual(doc.data.missing, []);
});

const OutdatedDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    packages: z.array(z.object({ app: z.string(), current: z.string(), latestMatching: z.string().nullable(), latest: z.string(), status: z.string(), requirements: z.array(z.object({ source: z.string(), requirement: z.string(), latestMeets: z.boolean() })) })),
  }),
});

test("outdated: locked, latest matching the requirements, latest; --pre; one app's requirements; exit 1 when outdated", async (t) => {
  const w = await world(t);
  writeFileSync(join(w.project, "mix.lock"), mixLock(w, [["alpha", "1.0.0"], ["beta", "1.0.0", "hexpm", BETA_DEPS]]));
  const table = await w.run(["outdated"]);
  assert.equal(table.code, 1, table.stderr);
  assert.match(table.stdout, /Dependency\s+Current\s+Latest matching\s+Latest\s+Status/);
  assert.match(table.stdout, /alpha\s+1\.0\.0\s+1\.1\.0\s+2\.0\.0\s+Update not possible/);
  assert.match(table.stdout, /beta\s+1\.0\.0\s+1\.0\.0\s+1\.0\.0\s+Up-to-date/);
  const doc = json(OutdatedDoc, await w.run(["outdated", "--json", "--pre"]));
  const alpha = doc.data.packages.find((p) => p.app === "alpha")!;
  assert.equal(alpha.latest, "2.1.0-rc.1");
  assert.deepEqual(alpha.requirements, [{ source: "beta", requirement: "~> 1.0", latestMeets: false }]);
  const one = await w.run(["outdated", "alpha"]);
  assert.equal(one.code, 1);
  assert.match(one.stdout, /There is a newer version of alpha: 2\.0\.0 > 1\.0\.0/);
  assert.match(one.stdout, /beta\s+~> 1\.0\s+No/);
  const within = await w.run(["outdated", "--within-requirements"]);
  assert.equal(within.code, 0, "no update is possible without changing beta's requirement");
  writeFileSync(join(w.project, "mix.lock"), mixLock(w, [["beta", "1.0.0", "hexpm", BETA_DEPS]]));
  assert.equal((await w.run(["outdated"])).code, 0);
});

test("info: a package's versions with retirements, licenses and links; a release; the configuration", async (t) => {
  const w = await world(t);
  const pkg = await w.run(["info", "alpha"]);
  assert.equal(pkg.code, 0, pkg.stderr);
  assert.match(pkg.stdout, /Config: \{:alpha, "~> 2\.0"\}/);
  assert.match(pkg.stdout, /1\.0\.0 \(retired\)/);
  assert.match(pkg.stdout, /Licenses: Apache-2\.0/);
  assert.match(pkg.stdout, /GitHub: https:\/\/example\.test\/alpha/);
  const rel = await w.run(["info", "beta", "1.0.0"]);
  assert.match(rel.stdout, /Dependencies:\n {2}alpha ~> 1\.0/);
  const retired = await w.run(["info", "alpha", "1.0.0"]);
  assert.match(retired.stderr, /This version has been retired: \(security\) Remote code execution/);
  const missing = await w.run(["info", "nope"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No package with name nope/);
  const general = json(z.object({ ok: z.literal(true), data: z.object({ kind: z.literal("general"), apiUrl: z.string(), repository: z.object({ url: z.string(), publicKeyFingerprint: z.string() }) }) }), await w.run(["info", "--json"]));
  assert.equal(general.data.apiUrl, w.server.apiUrl);
  assert.equal(general.data.repository.url, w.server.repoUrl);
  assert.match(general.data.repository.publicKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test("package fetch: the tarball, verified; --unpack; a tampered tarball is refused and nothing is written", async (t) => {
  const w = await world(t);
  const res = await w.run(["package", "fetch", "alpha", "1.1.0", "-o", "out"]);
  assert.equal(res.code, 0, res.stderr);
  const tar = readFileSync(join(w.project, "out", "alpha-1.1.0.tar"));
  assert.equal(createHash("sha256").update(tar).digest("hex"), w.release("alpha", "1.1.0").outerChecksum);
  assert.match(res.stdout, /alpha v1\.1\.0 downloaded to .*alpha-1\.1\.0\.tar/);
  const unpacked = await w.run(["package", "fetch", "alpha", "1.1.0", "--unpack", "-o", "src"]);
  assert.equal(unpacked.code, 0, unpacked.stderr);
  assert.equal(readFileSync(join(w.project, "src", "alpha-1.1.0", "README.md"), "utf8"), "# Alpha\n");
  assert.ok(existsSync(join(w.project, "src", "alpha-1.1.0", "hex_metadata.config")));
  const org = await w.run(["package", "fetch", "secret", "1.0.0", "--organization", "acme", "--json"]);
  assert.equal(org.code, 0, org.stdout);

  const release = w.release("alpha", "0.9.0");
  release.tarball = Buffer.concat([release.tarball, Buffer.alloc(1024)]);
  const bad = await w.run(["package", "fetch", "alpha", "0.9.0", "--unpack", "-o", "bad"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^hexts: The tarball of alpha 0\.9\.0 .* does not match the registry's outer checksum/);
  assert.ok(!existsSync(join(w.project, "bad")) || readdirSync(join(w.project, "bad")).length === 0);
  const missing = await w.run(["package", "fetch", "alpha", "9.9.9"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /alpha has no release 9\.9\.9 in hexpm/);
});

test("package diff: a unified diff of two releases (exit 1), V1..V2 accepted, identical releases exit 0", async (t) => {
  const w = await world(t);
  const res = await w.run(["package", "diff", "alpha", "1.0.0", "1.1.0"]);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stdout, /^diff --git a\/README\.md b\/README\.md\n--- \/dev\/null\n\+\+\+ b\/README\.md/m);
  assert.match(res.stdout, /--- a\/lib\/alpha\.ex\n\+\+\+ b\/lib\/alpha\.ex\n@@ -1,3 \+1,3 @@\n defmodule Alpha do\n-  def v, do: 2\n\+  def v, do: 3\n end/);
  assert.match(res.stdout, /diff --git a\/hex_metadata\.config/);
  const range = json(z.object({ ok: z.literal(true), data: z.object({ from: z.string(), to: z.string(), changed: z.array(z.object({ path: z.string(), change: z.string() })) }) }), await w.run(["package", "diff", "alpha", "1.0.0..1.1.0", "--json"]));
  assert.deepEqual(range.data.changed.map((c) => `${c.change} ${c.path}`), ["added README.md", "modified hex_metadata.config", "modified lib/alpha.ex"]);
  const same = await w.run(["package", "diff", "alpha", "1.1.0", "1.1.0"]);
  assert.equal(same.code, 0);
  assert.equal(same.stdout, "");
});

test("a mirror (HEX_MIRROR) is read with the hex.pm key rules and never receives credentials", async (t) => {
  const w = await world(t);
  w.writeConfig({ hexpm: { public_key: w.server.registryPublicKey!() } });
  writeFileSync(join(w.project, "mix.lock"), mixLock(w, [["beta", "1.0.0", "hexpm", BETA_DEPS], ["secret", "1.0.0", "hexpm:acme"]]));
  const res = await w.run(["audit", "--json"], { HEX_MIRROR: w.server.repoUrl, HEX_API_KEY: "some-api-key" });
  assert.equal(res.code, 3, "exit 3: authentication");
  const doc = json(ErrorDoc, res);
  assert.equal(doc.error.code, "NOT_AUTHENTICATED");
  assert.match(doc.error.message, /untrusted mirror/);
  const repoReads = w.server.requests.filter((r) => r.path.startsWith("/repo/"));
  assert.ok(repoReads.length >= 2);
  assert.ok(repoReads.every((r) => r.headers.authorization === undefined), "no credential went to the mirror");
});
