// `hexts audit` end to end against the local Hex server: retired, clean, forged lock checksums, a registry
// signed by another key, rebar.lock organizations, and a mirror that never receives credentials.
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ErrorDoc, json } from "../support/assertions.js";
import { runHexts } from "../support/cli.js";
import { AuditDoc, BETA_DEPS, mixLock, world } from "./registry-support.js";

test("audit: a retired locked release (and an organization package read with its key) exits 1", async (t) => {
  const w = await world(t);
  writeFileSync(
    join(w.project, "mix.lock"),
    mixLock(w, [
      ["alpha", "1.0.0"],
      ["beta", "1.0.0", "hexpm", BETA_DEPS],
      ["secret", "1.0.0", "hexpm:acme"],
    ]),
  );
  const human = await w.run(["audit"]);
  assert.equal(human.code, 1, human.stderr);
  assert.match(human.stdout, /Retired:/);
  assert.match(human.stdout, /alpha\s+1\.0\.0\s+\(security\) Remote code execution, upgrade to 1\.1\.0/);
  assert.match(human.stderr, /found retired packages/);
  const doc = json(AuditDoc, await w.run(["audit", "--json"]));
  assert.equal(doc.data.checked, 3);
  assert.deepEqual(
    doc.data.retired.map((r) => [r.package, r.version, r.reason]),
    [["alpha", "1.0.0", "security"]],
  );
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
    `{"1.2.0",\n[{<<"alpha">>,{pkg,<<"alpha">>,<<"1.1.0">>},0}]}.\n` +
      `[\n{pkg_hash,[\n {<<"alpha">>, <<"${r.innerChecksum.toUpperCase()}">>}]},\n` +
      `{pkg_hash_ext,[\n {<<"alpha">>, <<"${r.outerChecksum.toUpperCase()}">>}]}\n].\n`,
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
    `{"1.2.0",\n[{<<"alpha">>,{pkg,<<"alpha">>,<<"1.1.0">>},0}]}.\n` +
      `[\n{pkg_hash,[\n {<<"alpha">>, <<"${r.innerChecksum.toUpperCase()}">>}]},\n` +
      `{pkg_hash_ext,[\n {<<"alpha">>, <<"${forged}">>}]}\n].\n`,
  );
  const res = await w.run(["audit"]);
  assert.equal(res.code, 1);
  assert.match(res.stdout, /Checksum mismatches/);
  const doc = json(AuditDoc, await w.run(["audit", "--json"]));
  assert.deepEqual(
    doc.data.checksumMismatches.map((m) => [m.package, m.checksum, m.locked, m.registry]),
    [["alpha", "outer", forged.toLowerCase(), r.outerChecksum]],
  );
});

test("audit: a registry signed with another key is refused, never trusted", async (t) => {
  const w = await world(t);
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();
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
  writeFileSync(
    join(w.project, "src", "myapp.app.src"),
    `{application, myapp, [{vsn, "0.1.0"}, {description, "My app"}, ` +
      `{applications, [kernel, stdlib]}, {licenses, ["MIT"]}]}.\n`,
  );
  writeFileSync(
    join(w.project, "rebar.config"),
    `{deps, [secret, alpha]}.\n{hex, [{repos, [#{name => <<"hexpm:acme">>}]}]}.\n`,
  );
  const secret = w.release("secret", "1.0.0", "acme");
  const alpha = w.release("alpha", "1.1.0");
  writeFileSync(
    join(w.project, "rebar.lock"),
    `{"1.2.0",\n[{<<"alpha">>,{pkg,<<"alpha">>,<<"1.1.0">>},0},\n` +
      ` {<<"secret">>,{pkg,<<"secret">>,<<"1.0.0">>},0}]}.\n` +
      `[\n{pkg_hash,[\n {<<"alpha">>, <<"${alpha.innerChecksum.toUpperCase()}">>},\n` +
      ` {<<"secret">>, <<"${secret.innerChecksum.toUpperCase()}">>}]}\n].\n`,
  );
  const res = await w.run(["audit", "--json"]);
  const doc = json(AuditDoc, res);
  assert.equal(res.code, 0, res.stdout);
  assert.equal(doc.data.checked, 2);
  assert.deepEqual(doc.data.missing, []);
});

test("a mirror (HEX_MIRROR) is read with the hex.pm key rules and never receives credentials", async (t) => {
  const w = await world(t);
  w.writeConfig({ hexpm: { public_key: w.server.registryPublicKey!() } });
  writeFileSync(
    join(w.project, "mix.lock"),
    mixLock(w, [
      ["beta", "1.0.0", "hexpm", BETA_DEPS],
      ["secret", "1.0.0", "hexpm:acme"],
    ]),
  );
  const res = await w.run(["audit", "--json"], { HEX_MIRROR: w.server.repoUrl, HEX_API_KEY: "some-api-key" });
  assert.equal(res.code, 3, "exit 3: authentication");
  const doc = json(ErrorDoc, res);
  assert.equal(doc.error.code, "NOT_AUTHENTICATED");
  assert.match(doc.error.message, /untrusted mirror/);
  const repoReads = w.server.requests.filter((r) => r.path.startsWith("/repo/"));
  assert.ok(repoReads.length >= 2);
  assert.ok(
    repoReads.every((r) => r.headers.authorization === undefined),
    "no credential went to the mirror",
  );
});
