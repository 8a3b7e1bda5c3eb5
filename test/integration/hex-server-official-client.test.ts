// The test server against an official client's own code: the hex_core that rebar3 ships (r3_hex_*),
// run by escript, makes the API requests rebar3_hex and mix make, in their format (accept and bodies in
// Erlang's term format), and pattern-matches the replies as the clients do. Runs when rebar3 and escript
// are on PATH (.ci/run installs them); skips loudly otherwise. Also: the format rules themselves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeExternalTerm, encodeExternalTerm, externalTermToJson } from "../../src/erlang/etf.js";
import { atom } from "../../src/erlang/terms.js";
import { runProcess, toolsSkip } from "../support/erlang.js";
import { negotiateFormat } from "../support/hex-server/http.js";
import { buildTarball, startHexServer } from "../support/hex-server/index.js";
import { call, raw } from "../support/hex-server/test-client.js";

const scenario = fileURLToPath(new URL("../support/hex-core/scenario.escript", import.meta.url));
const ERLANG = "application/vnd.hex+erlang";

test(
  "hex_core (rebar3's copy) publishes, retires, manages owners and keys against the test server",
  { skip: toolsSkip("escript", "rebar3") },
  async () => {
    await using server = await startHexServer();
    const ana = server.addUser({ username: "ana" });
    server.addUser({ username: "bob" });
    server.addOrganization({ name: "acme", admin: "ana" });
    const run = await runProcess("escript", [scenario, server.apiUrl, ana.apiKey, "bob", "hexcore_pkg"], {
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 0, `escript failed:\n${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.trim().split("\n");
    assert.deepEqual(lines, [
      "me 200 ana orgs=1",
      "key_add 201 ci-key",
      "key_list 200 ci-key,seed-api",
      "key_get 200 read",
      "publish 201 0.1.0",
      "publish_again 422 must include the --replace flag to update an existing release",
      "package_get 200 hexcore_pkg",
      "release_get 200 0.1.0",
      "retire 204 ",
      "retired 200 security",
      "unretire 204 ",
      "owner_add 204 ",
      "owner_list 200 ana:full,bob:maintainer",
      "owner_get 200 maintainer",
      "owner_delete 204 ",
      "search 200 hexcore_pkg",
      "key_delete 200 ci-key",
      "revert 204 ",
      "not_found 404 Page not found",
      "register 201 newcomer",
      "unauthenticated 401 missing authentication information",
    ]);
    // Every API request asked for the term format, and every body it sent was in it.
    const api = server.requests.filter((r) => r.path.startsWith("/api/"));
    assert.ok(api.length >= 20);
    for (const r of api) assert.equal(r.headers.accept, ERLANG, `${r.method} ${r.path}`);
    // (Tarball uploads are octet-stream: this hex_core posts them to /publish, newer ones to /packages/NAME/releases.)
    const bodies = api.filter((r) => r.bodySize > 0 && !r.path.endsWith("/releases") && !r.path.endsWith("/publish"));
    assert.ok(bodies.length >= 4, `${bodies.length} bodies`);
    for (const r of bodies) assert.equal(r.headers["content-type"], ERLANG, `${r.method} ${r.path}`);
  },
);

// ---------------------------------------------------------------- the format rules, without Erlang

async function erlangCall(
  server: { apiUrl: string },
  path: string,
  opts: { method?: string; auth?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { accept: ERLANG, "user-agent": "hex_core/0.7.1 (test)", ...opts.headers };
  if (opts.auth) headers.authorization = opts.auth;
  let body: Uint8Array | undefined;
  if (opts.body !== undefined) {
    body = encodeExternalTerm(opts.body as never);
    headers["content-type"] = ERLANG;
  }
  const res = await fetch(`${server.apiUrl}${path}`, { method: opts.method ?? (body ? "POST" : "GET"), headers, body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    bytes,
    term: bytes.length ? externalTermToJson(decodeExternalTerm(bytes)) : null,
  };
}

test("hex-server answers the term format when accept asks for it, errors included, JSON otherwise", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana", fullName: null as unknown as string });
  server.addOrganization({ name: "acme", admin: "ana" });
  const me = await erlangCall(server, "/users/me", { auth: ana.apiKey });
  assert.equal(me.status, 200);
  assert.equal(me.type, `${ERLANG}; charset=utf-8`);
  const user = me.term as Record<string, unknown>;
  assert.deepEqual(
    [user.username, user.full_name, user.organizations],
    ["ana", null, [{ name: "acme", role: "admin" }]],
  );
  // nil, not a binary "null": what hex.pm's binarify leaves of Elixir's nil.
  assert.ok(Buffer.from(me.bytes).includes(Buffer.from([100, 0, 3, 110, 105, 108])));

  const missing = await erlangCall(server, "/packages/nope");
  assert.deepEqual(
    [missing.status, missing.type, missing.term],
    [404, `${ERLANG}; charset=utf-8`, { status: 404, message: "Page not found" }],
  );
  const json = await call(server, "/packages/nope");
  assert.equal(json.headers.get("content-type"), "application/json; charset=utf-8");
  assert.deepEqual(json.body, { status: 404, message: "Page not found" });
});

test("hex-server takes request bodies in the term format; bad or compressed terms are a 400", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addUser({ username: "bob" });
  server.addOrganization({ name: "acme", admin: "ana", members: [] });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });

  const retire = await erlangCall(server, "/packages/foo/releases/1.0.0/retire", {
    auth: ana.apiKey,
    body: { reason: "invalid", message: "broken build" },
  });
  assert.equal(retire.status, 204);
  const owner = await erlangCall(server, "/packages/foo/owners/bob", {
    method: "PUT",
    auth: ana.apiKey,
    body: { level: "maintainer", transfer: false },
  });
  assert.equal(owner.status, 204);
  // hex_core sends a member's role as an atom; hex.pm's changeset casts a string field and refuses it.
  const roleAtom = await fetch(`${server.apiUrl}/orgs/acme/members`, {
    method: "POST",
    headers: { accept: ERLANG, "content-type": ERLANG, "user-agent": "t", authorization: ana.apiKey },
    body: encodeExternalTerm({ name: "bob", role: atom("write") } as never),
  });
  assert.deepEqual(externalTermToJson(decodeExternalTerm(new Uint8Array(await roleAtom.arrayBuffer()))), {
    status: 422,
    message: "Validation error(s)",
    errors: { role: "is invalid" },
  });

  const garbage = await raw(server, "/packages/foo/releases/1.0.0/retire", {
    method: "POST",
    headers: { "content-type": ERLANG, "user-agent": "t", authorization: ana.apiKey },
    body: Uint8Array.from([131, 200]),
  });
  assert.deepEqual([garbage.status, garbage.body], [400, { status: 400, message: "Bad request" }]);
  const compressed = await raw(server, "/packages/foo/releases/1.0.0/retire", {
    method: "POST",
    headers: { "content-type": ERLANG, "user-agent": "t", authorization: ana.apiKey },
    body: Uint8Array.from([131, 80, 0, 0, 0, 1, 120, 156, 203, 2, 0, 0, 107, 0, 107]),
  });
  assert.equal(compressed.status, 400);
});

// One line per case: accept header -> format (null: 406).
const negotiation: [string | undefined, string | null][] = [
  [undefined, "json"],
  ["", "json"],
  ["*/*", "json"],
  [ERLANG, "erlang"],
  [`${ERLANG}; charset=utf-8`, "erlang"],
  ["application/json", "json"],
  ["application/vnd.hex+json", "json"],
  [`application/json;q=0.5, ${ERLANG};q=0.9`, "erlang"],
  [`text/html, ${ERLANG}`, "erlang"],
  ["text/html", null],
  ["application/vnd.hex+elixir", null],
];
for (const [accept, format] of negotiation) {
  test(`hex-server accept ${JSON.stringify(accept)} -> ${format ?? "406"}`, () =>
    assert.equal(negotiateFormat(accept), format));
}

test("hex-server answers 406 to an accept it cannot satisfy", async () => {
  await using server = await startHexServer();
  const res = await call(server, "/packages", { headers: { accept: "text/html" } });
  assert.equal(res.status, 406);
});
