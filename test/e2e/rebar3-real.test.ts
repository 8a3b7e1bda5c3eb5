// The real rebar3 (Debian's, with its built-in Hex support, no plugin) as the judge of what hexts
// publishes: hexts publishes a package to the local Hex server, then `rebar3 compile` in a project that
// depends on it fetches it through the server's signed registry (rebar3 checks the signature with the key
// it was given, the origin name and the checksums), compiles it, and the compiled code runs.
// rebar3 is pointed at the server by HEX_CDN (the hexpm repository's URL: rebar3 3.19 overwrites a
// `repo_url` or `rebar_packages_cdn` for hexpm with HEX_CDN or its default) and by its global config,
// whose hexpm entry in `{hex, [{repos, ...}]}` carries the server's public key;
// HOME, the global config and the caches live in a temporary directory. Skips loudly without rebar3/erl
// (.ci/run installs them with apt-get).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runProcess, toolsSkip } from "../support/erlang.js";
import { rebar3Project, world, writeFiles } from "./publish-support.js";

const skip = toolsSkip("rebar3", "erl");

/** An Erlang binary literal of `text` (a PEM): `<<"...">>` with newlines escaped. */
const erlBinary = (text: string) => `<<"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}">>`;

test(
  "rebar3 compile fetches, verifies and compiles a package hexts published",
  { skip, timeout: 300_000 },
  async (t) => {
    const w = await world(t);
    const pkg = rebar3Project(join(w.tmp, "tsdep"), { name: "tsdep", vsn: '"0.3.1"' });
    const published = await w.hexts(["publish", "--yes"], pkg);
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout, /^Package published to /);

    // rebar3's world: its own HOME, global config and caches, nothing from the machine's user.
    const rebarHome = join(w.tmp, "rebar-home");
    mkdirSync(join(rebarHome, ".config", "rebar3"), { recursive: true });
    writeFileSync(
      join(rebarHome, ".config", "rebar3", "rebar.config"),
      `{hex, [{repos, [#{name => <<"hexpm">>, repo_public_key => ${erlBinary(w.server.registryPublicKey!())}}]}]}.\n`,
    );
    const app = join(w.tmp, "consumer");
    writeFiles(app, {
      "rebar.config": `{erl_opts, [debug_info]}.\n{deps, [{tsdep, "~> 0.3"}]}.\n`,
      "src/consumer.app.src": `{application, consumer, [{vsn, "0.1.0"}, {applications, [kernel, stdlib, tsdep]}]}.\n`,
      "src/consumer.erl": "-module(consumer).\n-export([run/0]).\nrun() -> tsdep:hello().\n",
    });
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      HOME: rebarHome,
      REBAR_GLOBAL_CONFIG_DIR: rebarHome,
      REBAR_CACHE_DIR: join(rebarHome, ".cache", "rebar3"),
      HEX_CDN: w.server.repoUrl,
      QUIET: "1",
    };
    const compile = await runProcess("rebar3", ["compile"], { cwd: app, env, timeoutMs: 240_000 });
    const seen = () => w.server.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join("\n");
    assert.equal(compile.code, 0, `rebar3 compile failed:\n${compile.stdout}\n${compile.stderr}\n${seen()}`);
    assert.ok(existsSync(join(app, "_build", "default", "lib", "tsdep", "ebin", "tsdep.beam")), compile.stdout);
    // rebar3 took it from our server, through the signed registry, and verified the tarball it fetched.
    const fetched = w.server.requests
      .filter((r) => r.path.startsWith("/repo/"))
      .map((r) => `${r.method} ${r.path} ${r.status}`);
    assert.ok(fetched.includes("GET /repo/packages/tsdep 200"), fetched.join("\n"));
    assert.ok(fetched.includes("GET /repo/tarballs/tsdep-0.3.1.tar 200"), fetched.join("\n"));
    const lock = await runProcess("cat", [join(app, "rebar.lock")]);
    assert.match(lock.stdout, /\{<<"tsdep">>,\{pkg,<<"tsdep">>,<<"0\.3\.1">>\},0\}/);

    const run = await runProcess(
      "erl",
      [
        "-noshell",
        "-pa",
        join(app, "_build/default/lib/tsdep/ebin"),
        "-pa",
        join(app, "_build/default/lib/consumer/ebin"),
        "-eval",
        'io:format("~p", [consumer:run()]), halt().',
      ],
      { env },
    );
    assert.equal(run.stdout, "world", run.stderr);
  },
);

test("rebar3 refuses the package when the registry is signed by another key", { skip, timeout: 300_000 }, async (t) => {
  const w = await world(t);
  const pkg = rebar3Project(join(w.tmp, "tsdep"), { name: "tsdep", vsn: '"0.3.1"' });
  assert.equal((await w.hexts(["publish", "--yes"], pkg)).code, 0);
  const rebarHome = join(w.tmp, "rebar-home");
  mkdirSync(join(rebarHome, ".config", "rebar3"), { recursive: true });
  // hex.pm's own key: the test server's registry is not signed with it.
  writeFileSync(join(rebarHome, ".config", "rebar3", "rebar.config"), `{erl_opts, [debug_info]}.\n`);
  const app = join(w.tmp, "consumer");
  writeFiles(app, {
    "rebar.config": `{deps, [{tsdep, "~> 0.3"}]}.\n`,
    "src/consumer.app.src": `{application, consumer, [{vsn, "0.1.0"}]}.\n`,
  });
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: rebarHome,
    REBAR_GLOBAL_CONFIG_DIR: rebarHome,
    REBAR_CACHE_DIR: join(rebarHome, ".cache"),
    HEX_CDN: w.server.repoUrl,
  };
  const compile = await runProcess("rebar3", ["compile"], { cwd: app, env, timeoutMs: 240_000 });
  assert.notEqual(compile.code, 0, "a registry signed with the wrong key must not be used");
  // It fetched the signed package from us and refused it (rebar3 3.19 words a failed check as a deprecated record
  // format).
  assert.ok(w.server.requests.some((r) => r.path === "/repo/packages/tsdep" && r.status === 200));
  assert.match(compile.stdout + compile.stderr, /The registry repository hexpm uses a record format/);
  assert.ok(!existsSync(join(app, "_build", "default", "lib", "tsdep", "ebin", "tsdep.beam")));
});
