// --json of the registry tasks, config, errors, usage errors and help: see json-output.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonWorld } from "./json-support.js";

test("--json of audit, outdated, info, package and config: camelCase at every depth", async (t) => {
  const { home, run } = await jsonWorld(t);
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
});

test("errors, usage errors, help and the version under --json are one document each", async (t) => {
  const { run } = await jsonWorld(t);
  const refused = await run(["owner", "add", "alpha", "nobody"], 1);
  assert.equal(refused.error.code, "NOT_FOUND");
  // A typed kind beside the message; the message carries the CLI's advice for it.
  const badKey = await run(["owner", "add", "alpha", "bob"], 3, { env: { HEX_API_KEY: "0".repeat(32) } });
  assert.equal(badKey.error.kind, "key-rejected");
  assert.match(
    badKey.error.message,
    /^The server rejected your API key.*\. Check HEX_API_KEY, or run `hexts user auth`\.$/,
  );
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
