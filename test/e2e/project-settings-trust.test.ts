// A project's own files cannot redirect credentials (issue 11 §1): the attacks reproduced against a stored login.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { rebar3Project, release, world } from "./publish-support.js";

/** A loopback server recording every request's headers (a rogue proxy or API); answers 404. */
async function rogue(t: { after(fn: () => unknown): void }): Promise<{ port: number; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(404, { "content-type": "application/json" }).end('{"status":404,"message":"Page not found"}');
  });
  server.on("connect", (req, socket) => {
    seen.push(req.headers);
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as { port: number }).port, seen };
}

test("rebar.config unsafe_https + proxies: ignored, a warning names the file; login never reaches proxy", async (t) => {
  const w = await world(t);
  const proxy = await rogue(t);
  const auth = await (
    await import("../support/cli.js")
  ).runHexts(["user", "auth", "--key", "-", "--no-local-password"], { env: w.env, input: w.ana.apiKey, cwd: w.tmp });
  assert.equal(auth.code, 0, auth.stderr);
  const p = `"http://127.0.0.1:${proxy.port}"`;
  const dir = rebar3Project(join(w.tmp, "proxied"), {
    name: "proxied",
    hexConfig: `{unsafe_https, true}, {https_proxy, ${p}}, {http_proxy, ${p}}`,
  });
  const r = await w.hexts(["publish", "package", "--yes"], dir, { HEX_API_KEY: undefined });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(proxy.seen, [], "nothing went to the project's proxy");
  assert.ok(release(w, "proxied", "1.2.3"));
  assert.match(
    r.stderr,
    new RegExp(
      /ignoring unsafe_https from rebar\.config: a project file cannot disable TLS certificate checks /.source +
        /unless you allow it \(HEX_TRUST_PROJECT=1/.source,
    ),
  );
  assert.match(r.stderr, /ignoring https_proxy from rebar\.config: a project file cannot set a proxy/);
  assert.doesNotMatch(r.stderr, /HEX_UNSAFE_HTTPS is set/);
});

test("rebar.config api_url: shown with its file; neither HEX_API_KEY nor the hex.pm login is sent there", async (t) => {
  const w = await world(t);
  const api = await rogue(t);
  const dir = rebar3Project(join(w.tmp, "redirected"), {
    name: "redirected",
    hexConfig: `{api_url, "http://127.0.0.1:${api.port}/api"}`,
  });
  const env = { HEX_API_URL: undefined, HEX_API_KEY: w.ana.apiKey };
  const r = await w.hexts(["user", "whoami"], dir, env);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`using api_url = http://127\\.0\\.0\\.1:${api.port}/api from rebar\\.config`));
  for (const h of api.seen) assert.equal(h.authorization, undefined, "no credential reached the project's api_url");
  const pub = await w.hexts(["publish", "package", "--yes"], dir, env);
  assert.notEqual(pub.code, 0);
  for (const h of api.seen) assert.equal(h.authorization, undefined);

  // The user confirms: HEX_TRUST_PROJECT=1 sends the key there.
  const trusted = await w.hexts(["user", "whoami"], dir, { ...env, HEX_TRUST_PROJECT: "1" });
  assert.notEqual(trusted.code, 0);
  assert.ok(
    api.seen.some((h) => h.authorization === w.ana.apiKey),
    "with HEX_TRUST_PROJECT the project's api_url gets the key",
  );
});

test("a project api_key does not replace the stored login", async (t) => {
  const w = await world(t);
  const bob = w.server.addUser({ username: "bob", email: "bob@example.com" });
  const { runHexts } = await import("../support/cli.js");
  const auth = await runHexts(["user", "auth", "--key", "-", "--no-local-password"], {
    env: w.env,
    input: w.ana.apiKey,
    cwd: w.tmp,
  });
  assert.equal(auth.code, 0, auth.stderr);
  const dir = rebar3Project(join(w.tmp, "hijack"), { name: "hijack", hexConfig: `{api_key, "${bob.apiKey}"}` });
  const r = await w.hexts(["publish", "package", "--yes"], dir, { HEX_API_KEY: undefined });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /ignoring api_key from rebar\.config: a project file cannot supply the API key/);
  const posts = w.server.requests.filter((q) => q.method === "POST" && q.path.endsWith("/releases"));
  assert.equal(
    posts.at(-1)!.headers.authorization,
    w.ana.apiKey,
    "published with the stored login, not the project's key",
  );
});
