// `hexts config` inside a project shows the project layer (rebar.config `{hex, [...]}`, mix.exs `hex:`),
// which the environment still overrides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runHexts, tempHome } from "../support/cli.js";
import { startHexServer, buildTarball } from "../support/hex-server/index.js";
import { prepareContext } from "../../src/commands/run-settings.js";
import { listPackageOwners } from "../../src/commands/owner.js";

const appSrc = `{application, demo, [{description, "d"}, {vsn, "0.1.0"}, {licenses, ["MIT"]}]}.\n`;

test("rebar.config {hex, [{api_url, ...}]} is the project layer; HEX_API_URL beats it", async () => {
  const home = tempHome();
  try {
    mkdirSync(join(home.dir, "proj/src"), { recursive: true });
    writeFileSync(join(home.dir, "proj/src/demo.app.src"), appSrc);
    writeFileSync(join(home.dir, "proj/rebar.config"), `{deps, []}.\n{hex, [{api_url, "http://127.0.0.1:9/api"}]}.\n`);
    const cwd = join(home.dir, "proj");
    const r = await runHexts(["--json", "config", "api_url"], { cwd, env: home.env });
    assert.equal(r.code, 0, r.stderr);
    const setting = JSON.parse(r.stdout).data.setting;
    assert.equal(setting.value, "http://127.0.0.1:9/api");
    assert.equal(setting.source.kind, "project");

    const env = await runHexts(["config", "api_url"], {
      cwd,
      env: { ...home.env, HEX_API_URL: "http://127.0.0.1:8/api" },
    });
    assert.equal(env.stdout.trim(), "http://127.0.0.1:8/api");
  } finally {
    home.cleanup();
  }
});

test("mix.exs hex: [api_url: ...] is read statically", async () => {
  const home = tempHome();
  try {
    mkdirSync(join(home.dir, "mixproj"), { recursive: true });
    writeFileSync(
      join(home.dir, "mixproj/mix.exs"),
      "defmodule Demo.MixProject do\n  use Mix.Project\n  def project do\n" +
        '    [app: :demo, version: "0.1.0", hex: [api_url: "http://127.0.0.1:7/api"]]\n  end\nend\n',
    );
    const r = await runHexts(["config"], { cwd: join(home.dir, "mixproj"), env: home.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^api_url: "http:\/\/127\.0\.0\.1:7\/api" \(project config\)$/m);
  } finally {
    home.cleanup();
  }
});

test("every task uses the project's api_url: `owner list` goes to the project's server, not hex.pm", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  const home = tempHome();
  try {
    const cwd = join(home.dir, "proj");
    mkdirSync(join(cwd, "src"), { recursive: true });
    writeFileSync(join(cwd, "src/demo.app.src"), appSrc);
    writeFileSync(join(cwd, "rebar.config"), `{hex, [{api_url, "${server.apiUrl}"}]}.\n`);
    const r = await runHexts(["--json", "owner", "list", "foo"], { cwd, env: home.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).data.owners.map((o: { username: string }) => o.username),
      ["ana"],
    );
    assert.equal(server.requests.filter((q) => q.path === "/api/packages/foo/owners").length, 1);

    // In process, with a real Context: the settings the command sees were resolved with the project layer.
    const ctx = await prepareContext({
      flags: { json: true, yes: false, verbose: false, color: false },
      env: home.env,
      cwd,
      interactive: false,
    });
    try {
      assert.equal(ctx.settings.values.api_url, server.apiUrl);
      assert.equal(ctx.settings.sources.api_url.kind, "project");
      assert.throws(
        () => ((ctx.settings as { values: { api_url: string } }).values.api_url = "x"),
        "the settings are frozen",
      );
      const list = await listPackageOwners(ctx, { package: "foo" });
      assert.deepEqual(
        list.owners.map((o) => o.username),
        ["ana"],
      );
    } finally {
      await ctx.dispose();
    }
  } finally {
    home.cleanup();
  }
});
