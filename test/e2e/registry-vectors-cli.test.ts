// The registry tasks against a repository made by hex_core itself: the vectors' signed resources and tarballs
// served as static files (a mirror, HEX_MIRROR) on loopback, with the vectors' public key configured for
// hexpm. Advisories, a legacy release without an outer checksum, organization packages, and a tampered
// resource swapped in, all as the reference implementation wrote them.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { runHexts, tempHome } from "../support/cli.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

const skip = vectorsSkip;

/** Serves vectors/registry/repo and the tarballs like a static repository; `swap` replaces a path's bytes. */
async function staticRepo(swap: Map<string, string>): Promise<{ url: string; server: Server; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    paths.push(path);
    let file: string | undefined = swap.get(path);
    if (!file) {
      const tarball = /^(?:\/repos\/(\w+))?\/tarballs\/([\w.-]+\.tar)$/.exec(path);
      file = tarball
        ? vectorPath("registry", "tarballs", tarball[1] ?? "hexpm", tarball[2]!)
        : vectorPath("registry", "repo", ...path.split("/").filter(Boolean));
    }
    if (path.includes("..") || !existsSync(file)) {
      res.writeHead(404).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, paths };
}

function checksums(repository: string, name: string, version: string): { inner: string; outer?: string } {
  const index = readVectorJson("registry", "index.json");
  const p = index.payloads.find(
    (x: any) => x.resource === "package" && x.repository === repository && x.decoded.name === name,
  );
  const r = p.decoded.releases.find((x: any) => x.version === version);
  return { inner: r.inner_checksum, outer: r.outer_checksum };
}

async function setup(t: { after(fn: () => unknown): void }, swap = new Map<string, string>()) {
  const repo = await staticRepo(swap);
  const home = tempHome();
  t.after(async () => {
    await new Promise((r) => repo.server.close(r));
    home.cleanup();
  });
  mkdirSync(home.env.HEX_HOME!, { recursive: true });
  const key = readFileSync(vectorPath("registry", "keys", "test_public_key.pem"), "utf8");
  writeFileSync(
    join(home.env.HEX_HOME!, "hexts.json"),
    JSON.stringify({ version: 1, repos: { hexpm: { public_key: key } } }),
    { mode: 0o600 },
  );
  const project = join(home.dir, "project");
  mkdirSync(project);
  /** [app (lock key), package, version, repository] */
  const lock = (entries: [string, string, string, string][]) =>
    writeFileSync(
      join(project, "mix.lock"),
      `%{\n${entries
        .map(([app, name, version, repo]) => {
          const c = checksums(repo === "hexpm" ? "hexpm" : "acme", name, version);
          const outer = c.outer ? `, "${c.outer}"` : "";
          return `  "${app}": {:hex, :${name}, "${version}", "${c.inner}", [:mix], [], "${repo}"${outer}},`;
        })
        .join("\n")}\n}\n`,
    );
  const run = (args: string[], env: Record<string, string> = {}) =>
    runHexts(args, {
      cwd: project,
      env: { ...home.env, HEX_MIRROR: repo.url, HEX_API_URL: "http://127.0.0.1:9/api", ...env },
    });
  return { repo, home, project, lock, run };
}

test(
  "audit over hex_core's registry: retirements, an advisory, an organization package, a legacy release",
  { skip },
  async (t) => {
    const s = await setup(t);
    s.lock([
      ["alpha", "alpha", "0.1.0", "hexpm"],
      ["alpha_old", "alpha", "0.2.0", "hexpm"],
      ["epsilon", "epsilon", "0.1.0", "hexpm"],
      ["private_lib", "private_lib", "1.0.1", "hexpm:acme"],
      ["delta", "delta", "3.0.0", "hexpm"],
    ]);
    const privateRetired = readVectorJson("registry", "index.json").payloads.find(
      (p: any) => p.decoded.name === "private_lib",
    ).decoded.releases[1].retired;
    const res = await s.run(["audit", "--json"]);
    assert.equal(res.code, 1, res.stderr);
    const doc = JSON.parse(res.stdout);
    assert.equal(doc.data.checked, 5);
    assert.deepEqual(
      doc.data.retired.map((r: any) => [r.package, r.version, r.repository, r.reason, r.message]),
      [
        ["alpha", "0.2.0", "hexpm", "security", "Remote code execution, upgrade to 1.0.0"],
        [
          "private_lib",
          "1.0.1",
          "hexpm:acme",
          privateRetired.reason.replace("RETIRED_", "").toLowerCase(),
          privateRetired.message ?? null,
        ],
      ],
    );
    assert.deepEqual(
      doc.data.advisories.map((a: any) => [
        a.package,
        a.advisories[0].id,
        a.advisories[0].severity,
        a.advisories[0].aliases,
      ]),
      [["epsilon", "HEX-2024-0001", "high", ["CVE-2024-99999", "GHSA-abcd-efgh-ijkl"]]],
    );
    assert.deepEqual(doc.data.checksumMismatches, []);
    assert.ok(s.repo.paths.includes("/repos/acme/packages/private_lib"));
  },
);

test(
  "package fetch over hex_core's tarballs, including a legacy release checked by its inner checksum",
  { skip },
  async (t) => {
    const s = await setup(t);
    const ok = await s.run(["package", "fetch", "alpha", "1.0.0"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(
      readFileSync(join(s.project, "alpha-1.0.0.tar")),
      readFileSync(vectorPath("registry", "tarballs", "hexpm", "alpha-1.0.0.tar")),
    );
    const legacy = await s.run(["package", "fetch", "alpha", "0.1.0", "--unpack"]);
    assert.equal(legacy.code, 0, legacy.stderr);
    assert.ok(existsSync(join(s.project, "alpha-0.1.0", "hex_metadata.config")));
    const org = await s.run(["package", "fetch", "private_lib", "1.0.0", "--organization", "acme", "-o", "org"]);
    assert.equal(org.code, 0, org.stderr);
  },
);

test("tampered resources from hex_core's negative set are refused by every task", { skip }, async (t) => {
  const swap = new Map([
    ["/packages/alpha", vectorPath("registry", "negative", "package_for_other_repository.bin")],
    ["/packages/beta", vectorPath("registry", "negative", "names_payload_tampered.bin")],
    ["/tarballs/delta-3.0.0.tar", vectorPath("registry", "tarballs", "hexpm", "epsilon-0.1.0.tar")],
  ]);
  const s = await setup(t, swap);
  s.lock([["alpha", "alpha", "1.0.0", "hexpm"]]);
  const audit = await s.run(["audit"]);
  assert.equal(audit.code, 1);
  assert.match(audit.stderr, /^hexts: \/packages\/alpha of hexpm is for repository "mirror", not "hexpm"/);
  const fetch = await s.run(["package", "fetch", "beta", "1.0.0"]);
  assert.equal(fetch.code, 1);
  assert.match(fetch.stderr, /bad signature/);
  const swapped = await s.run(["package", "fetch", "delta", "3.0.0", "--unpack"]);
  assert.equal(swapped.code, 1);
  assert.match(swapped.stderr, /does not match the registry's outer checksum/);
  assert.ok(!existsSync(join(s.project, "delta-3.0.0")) && !existsSync(join(s.project, "beta-1.0.0.tar")));
  // HEX_NO_VERIFY_REPO_ORIGIN accepts another repository's name (as hex_core's no_verify), loudly
  const lax = await s.run(["audit"], { HEX_NO_VERIFY_REPO_ORIGIN: "1" });
  assert.equal(lax.code, 0, lax.stderr);
  assert.match(lax.stderr, /warning: HEX_NO_VERIFY_REPO_ORIGIN is set/);
});

test("HEX_OFFLINE answers from the verified cache and never touches the network", { skip }, async (t) => {
  const s = await setup(t);
  s.lock([["alpha", "alpha", "1.0.0", "hexpm"]]);
  const empty = await s.run(["audit"], { HEX_OFFLINE: "1" });
  assert.equal(empty.code, 4);
  assert.match(empty.stderr, /not in the cache, and HEX_OFFLINE forbids downloading it/);
  assert.equal(s.repo.paths.length, 0);
  assert.equal((await s.run(["audit"])).code, 0);
  const seen = s.repo.paths.length;
  const offline = await s.run(["audit"], { HEX_OFFLINE: "1" });
  assert.equal(offline.code, 0, offline.stderr);
  assert.equal(s.repo.paths.length, seen);
});
