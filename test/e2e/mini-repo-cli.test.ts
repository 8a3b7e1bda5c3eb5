// hexts through the CLI against a server that is not hex.pm: the MiniRepo-like test server (term format
// always, `{url}` to a publish, empty 201s to retire, no package reads, no /users/me). Every write that the
// server did must end in exit 0, with messages that name that server, never hexpm.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { runHexts } from "../support/cli.js";
import { startMiniRepo } from "../support/hex-server/mini-repo.js";
import { rebar3Project, world } from "./publish-support.js";

test("publish, retire, unretire and revert against a MiniRepo-like server", { timeout: 240_000 }, async (t) => {
  const w = await world(t);
  const mini = await startMiniRepo({ repository: "test_repo", authToken: "mini-secret" });
  t.after(() => mini.close());
  const dir = rebar3Project(join(w.tmp, "demo"));
  const env = { ...w.home.env, HEX_API_URL: mini.apiUrl, HEX_API_KEY: "mini-secret" };
  const hexts = (args: string[]) => runHexts(args, { cwd: dir, env, timeoutMs: 60_000 });

  const published = await hexts(["publish", "package", "--yes"]);
  assert.equal(published.code, 0, published.stderr);
  assert.match(published.stdout, new RegExp(`^Package published to ${mini.url} \\([0-9a-f]{64}\\)\\n$`));
  assert.deepEqual(mini.releases(), ["demo 1.2.3"]);
  // The release path is a 404 there; the upload went to /publish, MiniRepo's only publish path.
  assert.deepEqual(
    mini.requests.filter((r) => r.method === "POST").map((r) => `${r.path} ${r.status}`),
    ["/api/repos/test_repo/packages/demo/releases 404", "/api/repos/test_repo/publish 200"],
  );

  const retired = await hexts(["retire", "demo", "1.2.3", "security", "--message", "leaks a key"]);
  assert.equal(retired.code, 0, retired.stderr);
  assert.equal(retired.stdout, 'demo 1.2.3 has been retired (security: "leaks a key")\n');
  assert.deepEqual(mini.releases(), ["demo 1.2.3 (retired: security)"]);
  const retireRequest = mini.requests.find((r) => r.method === "POST" && r.path.endsWith("/retire"))!;
  assert.equal(
    retireRequest.headers["content-type"],
    "application/vnd.hex+erlang",
    "MiniRepo reads retire bodies only in the term format",
  );

  const unretired = await hexts(["retire", "demo", "1.2.3", "--unretire"]);
  assert.equal(unretired.code, 0, unretired.stderr);
  assert.equal(unretired.stdout, "demo 1.2.3 has been unretired\n");
  assert.deepEqual(mini.releases(), ["demo 1.2.3"]);

  const reverted = await hexts(["publish", "--revert", "1.2.3", "--yes"]);
  assert.equal(reverted.code, 0, reverted.stderr);
  assert.equal(
    reverted.stdout,
    "Reverted demo 1.2.3\n",
    "no claim about the package being removed: the server cannot say",
  );
  assert.deepEqual(mini.releases(), []);

  for (const r of [published, retired, unretired, reverted])
    assert.doesNotMatch(r.stdout + r.stderr, /hexpm\b(?!:)/, "never named hexpm");

  // A wrong token: MiniRepo's 401 is the bare term <<"unauthorized">>.
  const refused = await runHexts(["retire", "demo", "1.2.3", "other", "--message", "nope nope"], {
    cwd: dir,
    env: { ...env, HEX_API_KEY: "wrong" },
    timeoutMs: 60_000,
  });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /unauthorized/);
});
