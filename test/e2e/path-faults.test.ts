// A path given on the command line that cannot be used as asked (a file where a directory is needed) is exit 1
// naming the path, never "internal error" (exit 70). Also: destructive reverts need --yes without a terminal
// (see publish-cli.test.ts). Needs the built CLI: `node scripts/build.mjs --no-types`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHexts, tempHome } from "../support/cli.js";
import { repoRoot } from "../support/vectors.js";

test("-o file/x.tar and --doc-dir FILE: exit 1 with the path, not an internal error", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "hexts-pathfault-"));
  const home = tempHome();
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    home.cleanup();
  });
  cpSync(join(repoRoot, "test", "fixtures", "rebar3-nolock"), dir, { recursive: true });
  writeFileSync(join(dir, "afile"), "not a directory\n");
  const cases = [
    ["build", "-o", "afile/x.tar"],
    ["build", "package", "--unpack", "-o", "afile/out"],
    ["publish", "--doc-dir", "afile", "--dry-run", "--yes"],
    ["publish", "docs", "--doc-dir", "afile", "--dry-run", "--yes"],
  ];
  for (const args of cases) {
    const r = await runHexts(args, { cwd: dir, env: { ...home.env, HEX_API_URL: "http://127.0.0.1:9/api" } });
    assert.equal(r.code, 1, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    const last = r.stderr.trimEnd().split("\n").pop()!;
    assert.match(last, /^hexts: .*afile/, `${args.join(" ")}: ${last}`);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});
