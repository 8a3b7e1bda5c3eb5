// `hexts outdated` and `hexts info` end to end against the local Hex server.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { z } from "zod";
import { json } from "../support/assertions.js";
import { BETA_DEPS, mixLock, world } from "./registry-support.js";

const OutdatedDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    packages: z.array(
      z.object({
        app: z.string(),
        current: z.string(),
        latestMatching: z.string().nullable(),
        latest: z.string(),
        status: z.string(),
        requirements: z.array(z.object({ source: z.string(), requirement: z.string(), latestMeets: z.boolean() })),
      }),
    ),
  }),
});

test("outdated: locked, latest matching the requirements, latest; --pre; one app's requirements; exit 1", async (t) => {
  const w = await world(t);
  writeFileSync(
    join(w.project, "mix.lock"),
    mixLock(w, [
      ["alpha", "1.0.0"],
      ["beta", "1.0.0", "hexpm", BETA_DEPS],
    ]),
  );
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
  const general = json(
    z.object({
      ok: z.literal(true),
      data: z.object({
        kind: z.literal("general"),
        apiUrl: z.string(),
        repository: z.object({ url: z.string(), publicKeyFingerprint: z.string() }),
      }),
    }),
    await w.run(["info", "--json"]),
  );
  assert.equal(general.data.apiUrl, w.server.apiUrl);
  assert.equal(general.data.repository.url, w.server.repoUrl);
  assert.match(general.data.repository.publicKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
});
