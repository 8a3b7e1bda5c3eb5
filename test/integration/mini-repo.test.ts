// The MiniRepo-like test server answers as MiniRepo does: term format always, {url} to a publish, empty
// 201/204 to retire/revert, 404 "not found" for everything else, a registry signed with its own name.
// rebar3's hex_core (when rebar3 is on PATH) publishes to it as it would to a real MiniRepo.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeExternalTerm, encodeExternalTerm, externalTermToJson } from "../../src/erlang/etf.js";
import { unpackPackage } from "../../src/registry/index.js";
import { runProcess, toolsSkip } from "../support/erlang.js";
import { buildTarball } from "../support/hex-server/index.js";
import { startMiniRepo } from "../support/hex-server/mini-repo.js";

const ERLANG = "application/vnd.hex+erlang";

async function send(
  url: string,
  opts: { method?: string; token?: string; body?: Uint8Array; type?: string; accept?: string } = {},
) {
  const headers: Record<string, string> = { "user-agent": "t", accept: opts.accept ?? "application/json" };
  if (opts.token) headers.authorization = opts.token;
  if (opts.type) headers["content-type"] = opts.type;
  const res = await fetch(url, { method: opts.method ?? "GET", headers, body: opts.body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("content-type"), bytes };
}
const term = (bytes: Uint8Array) => externalTermToJson(decodeExternalTerm(bytes));

test("mini-repo: publish, retire, revert answer as MiniRepo; the rest 404; the registry names the repo", async () => {
  await using mini = await startMiniRepo({ repository: "test_repo", authToken: "secret" });
  const tarball = buildTarball({ name: "foo", version: "1.0.0" });

  const anonymous = await send(`${mini.apiUrl}/publish`, {
    method: "POST",
    body: tarball,
    type: "application/octet-stream",
  });
  assert.deepEqual(
    [anonymous.status, anonymous.type, term(anonymous.bytes)],
    [401, `${ERLANG}; charset=utf-8`, "unauthorized"],
  );

  const published = await send(`${mini.apiUrl}/publish`, {
    method: "POST",
    token: "secret",
    body: tarball,
    type: "application/octet-stream",
  });
  assert.deepEqual(
    [published.status, published.type, term(published.bytes)],
    [200, `${ERLANG}; charset=utf-8`, { url: mini.url }],
    "JSON was asked for; the term format comes anyway",
  );
  assert.deepEqual(mini.releases(), ["foo 1.0.0"]);

  // What hex_core and hexts also call: none of it exists here.
  for (const path of ["/packages/foo", "/packages/foo/releases/1.0.0", "/packages/foo/owners", "/users/me", "/keys"]) {
    const res = await send(`${mini.apiUrl}${path}`, { token: "secret" });
    assert.deepEqual([res.status, res.type, Buffer.from(res.bytes).toString()], [404, null, "not found"], path);
  }
  const viaReleases = await send(`${mini.apiUrl}/packages/foo/releases`, {
    method: "POST",
    token: "secret",
    body: tarball,
    type: "application/octet-stream",
  });
  assert.equal(viaReleases.status, 404, "MiniRepo takes a publish only at /publish");

  const retire = await send(`${mini.apiUrl}/packages/foo/releases/1.0.0/retire`, {
    method: "POST",
    token: "secret",
    type: ERLANG,
    body: encodeExternalTerm({ reason: "security", message: "leaks" }),
  });
  assert.deepEqual([retire.status, retire.bytes.length], [201, 0]);
  assert.deepEqual(mini.releases(), ["foo 1.0.0 (retired: security)"]);

  const registry = await fetch(`${mini.repoUrl}/packages/foo`);
  const pkg = unpackPackage(new Uint8Array(await registry.arrayBuffer()), "foo", {
    publicKey: mini.publicKey(),
    repository: "test_repo",
  });
  assert.deepEqual(
    pkg.releases.map((r) => [r.version, r.retired?.reason]),
    [["1.0.0", "security"]],
  );
  assert.equal((await fetch(`${mini.repoUrl}/tarballs/foo-1.0.0.tar`)).status, 200);

  const unretire = await send(`${mini.apiUrl}/packages/foo/releases/1.0.0/retire`, {
    method: "DELETE",
    token: "secret",
  });
  assert.deepEqual([unretire.status, unretire.bytes.length], [201, 0]);
  const revert = await send(`${mini.apiUrl}/packages/foo/releases/1.0.0`, { method: "DELETE", token: "secret" });
  assert.deepEqual([revert.status, revert.bytes.length], [204, 0]);
  assert.deepEqual(mini.releases(), []);

  const bad = await send(`${mini.apiUrl}/publish`, {
    method: "POST",
    token: "secret",
    body: Uint8Array.from([1, 2, 3]),
    type: "application/octet-stream",
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(term(bad.bytes), { $tuple: [{ $atom: "error" }, { tar: "tarball error, Unexpected end of file" }] });
});

test(
  "mini-repo: rebar3's hex_core publishes to it as to MiniRepo",
  { skip: toolsSkip("escript", "rebar3") },
  async () => {
    await using mini = await startMiniRepo({ authToken: "secret" });
    const dir = mkdtempSync(join(tmpdir(), "hexts-mini-"));
    try {
      const script = join(dir, "publish.escript");
      writeFileSync(
        script,
        `-mode(compile).
main([ApiUrl]) ->
    {ok, Sections} = escript:extract(os:find_executable("rebar3"), []),
    {ok, Files} = zip:extract(proplists:get_value(archive, Sections), [memory]),
    [code:load_binary(list_to_atom(filename:basename(N, ".beam")), N, B)
     || {N, B} <- Files, lists:prefix("rebar/ebin/r3_", N), filename:extension(N) =:= ".beam"],
    {ok, _} = application:ensure_all_started(inets),
    Config = maps:merge(r3_hex_core:default_config(), #{api_url => list_to_binary(ApiUrl), api_key => <<"secret">>}),
    Meta = #{<<"name">> => <<"bar">>, <<"version">> => <<"0.2.0">>, <<"app">> => <<"bar">>,
             <<"build_tools">> => [<<"rebar3">>], <<"requirements">> => [], <<"files">> => [<<"src/bar.erl">>]},
    {ok, #{tarball := T}} = r3_hex_tarball:create(Meta, [{"src/bar.erl", <<"-module(bar).">>}]),
    {ok, {Status, _, #{<<"url">> := Url}}} = r3_hex_api_release:publish(Config, T),
    io:format("~p ~s~n", [Status, Url]).
`,
      );
      const run = await runProcess("escript", [script, mini.apiUrl], { timeoutMs: 120_000 });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.equal(run.stdout.trim(), `200 ${mini.url}`);
      assert.deepEqual(mini.releases(), ["bar 0.2.0"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
