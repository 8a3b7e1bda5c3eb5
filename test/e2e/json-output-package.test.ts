// --json of the package tasks (build, publish, cut, retire, search): see json-output.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonWorld } from "./json-support.js";

test("--json of build, publish, cut, retire, search: camelCase at every depth, warnings without prefix", async (t) => {
  const { server, run } = await jsonWorld(t);
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
});
