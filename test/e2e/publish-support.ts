// Shared scaffolding of the publish and cut end-to-end tests: a local Hex server with users, a temporary home,
// small rebar3 and mix projects on disk, a real git repository with a bare repository as `origin`, and helpers
// that read the server's request log. The CLI under test is the built one (node scripts/build.mjs --no-types).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import assert from "node:assert/strict";
import { runHexts, tempHome, type RunResult } from "../support/cli.js";
import type { HexServer, HexServerOptions, RecordedRequest } from "../support/hex-server/index.js";
import { serverAndHome, type Cleanup } from "../support/world.js";
import { form } from "../support/hex-server/test-client.js";
import type { State } from "../support/hex-server/state.js";
import { createContext } from "../../src/commands/context.js";
import { storeCredential } from "../../src/config/index.js";

export interface World {
  server: HexServer;
  state: State;
  home: ReturnType<typeof tempHome>;
  /** A scratch directory for projects and git repositories. */
  tmp: string;
  /** Environment of the CLI: the temp home and HEX_API_URL (no credential). */
  env: Record<string, string>;
  /** ana: a user with a full API key. */
  ana: { username: string; apiKey: string };
  /** Runs the built CLI in `cwd` with ana's key (or `env` overrides). */
  hexts(args: string[], cwd: string, env?: Record<string, string | undefined>): Promise<RunResult>;
}

export async function world(t: Cleanup, opts: HexServerOptions = {}): Promise<World> {
  const { server, home } = await serverAndHome(t, opts, "hexts-publish-");
  const tmp = mkdtempSync(join(tmpdir(), "hexts-projects-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const ana = server.addUser({ username: "ana", email: "ana@example.com" });
  const env = {
    ...home.env,
    HEX_API_URL: server.apiUrl,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home.dir, ".gitconfig"),
  };
  writeFileSync(
    join(home.dir, ".gitconfig"),
    "[user]\n\tname = Ana\n\temail = ana@example.com\n" +
      "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
  );
  return {
    server,
    state: server.state as State,
    home,
    tmp,
    env,
    ana: { username: ana.username, apiKey: ana.apiKey },
    hexts: (args, cwd, extra = {}) =>
      runHexts(args, { cwd, env: { ...env, HEX_API_KEY: ana.apiKey, ...extra }, timeoutMs: 60_000 }),
  };
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, contents] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

export interface Rebar3ProjectOptions {
  name?: string;
  /** The vsn entry's source text: `"1.2.3"` or `git`. */
  vsn?: string;
  description?: string;
  licenses?: string;
  /** `{hex, [...]}` entries of rebar.config, e.g. `{doc, edoc}`. */
  hexConfig?: string;
  extra?: Record<string, string | Buffer>;
}

/** A small rebar3 application; the .app.src keeps comments and odd spacing so byte-exact rewrites show. */
export function rebar3Project(dir: string, o: Rebar3ProjectOptions = {}): string {
  const name = o.name ?? "demo";
  const vsn = o.vsn ?? '"1.2.3"';
  writeFiles(dir, {
    "rebar.config": `{erl_opts, [debug_info]}.\n{deps, []}.\n${o.hexConfig ? `{hex, [${o.hexConfig}]}.\n` : ""}`,
    "rebar.lock": "[].\n",
    [`src/${name}.app.src`]: [
      "%% -*- coding: utf-8 -*-",
      `{application, ${name},`,
      ` [{description, "${o.description ?? "A demo application"}"},`,
      `  {vsn,   ${vsn}}, % bumped by hexts cut`,
      "  {registered, []},",
      "  {applications, [kernel, stdlib]},",
      '  {env, [{vsn, "not this one"}]},',
      `  {licenses, [${o.licenses ?? '"Apache-2.0"'}]},`,
      `  {links, [{"Source", "https://example.com/${name}"}]}`,
      " ]}.",
      "",
    ].join("\n"),
    [`src/${name}.erl`]: `-module(${name}).\n-export([hello/0]).\n\nhello() -> world.\n`,
    "README.md": `# ${name}\n`,
    LICENSE: "Apache License 2.0\n",
    ...o.extra,
  });
  return dir;
}

/** A mix project with `@version` (or a `version:` literal) that the static reader understands. */
export function mixProject(dir: string, o: { name?: string; version?: string; attribute?: boolean } = {}): string {
  const name = o.name ?? "mixdemo";
  const version = o.version ?? "0.4.0";
  const attribute = o.attribute ?? true;
  writeFiles(dir, {
    "mix.exs": [
      `defmodule ${name[0]!.toUpperCase()}${name.slice(1)}.MixProject do`,
      "  use Mix.Project",
      "",
      attribute ? `  # the release version, bumped by hexts cut\n  @version "${version}"\n` : "",
      "  def project do",
      "    [",
      `      app: :${name},`,
      `      version: ${attribute ? "@version" : `"${version}"`},`,
      '      elixir: "~> 1.14",',
      '      description: "A mix demo",',
      "      package: package(),",
      "      deps: []",
      "    ]",
      "  end",
      "",
      "  defp package do",
      `    [licenses: ["MIT"], links: %{"Source" => "https://example.com/${name}"}]`,
      "  end",
      "end",
      "",
    ].join("\n"),
    [`lib/${name}.ex`]: `defmodule ${name[0]!.toUpperCase()}${name.slice(1)} do\n  def hello, do: :world\nend\n`,
    "README.md": `# ${name}\n`,
    LICENSE: "MIT\n",
  });
  return dir;
}

export function docsDir(
  dir: string,
  files: Record<string, string> = { "index.html": "<h1>docs</h1>\n", "dist/app.js": "console.log(1)\n" },
): string {
  writeFiles(dir, files);
  return dir;
}

/** A rebar3 project in the world's scratch directory with built docs in doc/ (for `--doc-dir doc`). */
export function projectWithDocs(w: World, name = "demo", o: Rebar3ProjectOptions = {}): string {
  const dir = rebar3Project(join(w.tmp, name), { name, ...o });
  docsDir(join(dir, "doc"));
  return dir;
}

/** A rebar3 project in the world's scratch directory, committed and pushed to its own bare `origin`. */
export function gitProject(
  w: World,
  name = "demo",
  o: Rebar3ProjectOptions = {},
): { dir: string; origin: string; appSrc: string } {
  const dir = rebar3Project(join(w.tmp, name), { name, ...o });
  const { origin } = gitRepo(dir, w.env);
  return { dir, origin, appSrc: join(dir, "src", `${name}.app.src`) };
}

export function git(cwd: string, env: Record<string, string>, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, LC_ALL: "C" },
    encoding: "utf8",
  });
}

/** Turns `dir` into a git repository with one commit, pushed to a new bare repository set as its upstream. */
export function gitRepo(dir: string, env: Record<string, string>): { origin: string } {
  const origin = `${dir}-origin.git`;
  git(dirname(dir), env, "init", "--quiet", "--bare", origin);
  git(dir, env, "init", "--quiet", "-b", "main");
  git(dir, env, "add", "-A");
  git(dir, env, "commit", "--quiet", "-m", "initial");
  git(dir, env, "remote", "add", "origin", origin);
  git(dir, env, "push", "--quiet", "-u", "origin", "main");
  return { origin };
}

/** HEAD, tags, status and the remote's refs: everything cut could change in git. */
export function gitState(w: World, dir: string, origin: string) {
  return {
    head: git(dir, w.env, "rev-parse", "HEAD").trim(),
    tags: git(dir, w.env, "tag", "--list").trim(),
    status: git(dir, w.env, "status", "--porcelain").trim(),
    remote: git(origin, w.env, "for-each-ref", "--format=%(refname) %(objectname)").trim(),
  };
}

/** A fake doc tool on PATH (rebar3 or mix are not installed here): writes doc/index.html, or fails. */
export function fakeTool(binDir: string, name: string, script: string): string {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return binDir;
}

// ---- the server's log ----

export const isPublish = (r: RecordedRequest) =>
  r.method === "POST" && /\/packages\/[^/]+\/releases$|\/publish$/.test(r.path);
export const isDocsUpload = (r: RecordedRequest) => r.method === "POST" && /\/docs$/.test(r.path);
export const isWrite = (r: RecordedRequest) =>
  r.method !== "GET" && r.method !== "HEAD" && !/(^|\/)oauth\//.test(r.path);

export function publishes(server: HexServer): RecordedRequest[] {
  return server.requests.filter(isPublish);
}

export function release(w: World, name: string, version: string, repository = "hexpm") {
  return w.state.findPackage(repository, name)?.releases.find((r) => r.version === version);
}

/** The server answers 500 to the docs upload of `name` `version` (the package upload itself succeeds). */
export function failDocsUpload(w: World, name: string, version: string): void {
  w.server.fault({
    method: "POST",
    path: `/api/packages/${name}/releases/${version}/docs`,
    fault: { kind: "status", status: 500 },
  });
}

// ---- OAuth logins with two-factor codes ----

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

/** Logs `username` in through the server's device flow and stores the token in the test home, as `user auth` does. */
export async function oauthLogin(w: World, username: string): Promise<void> {
  const device = (await form(w.server, "/oauth/device_authorization", { client_id: "hexts", scope: "api" })).body;
  w.server.approveDevice(device.user_code, username);
  const token = (
    await form(w.server, "/oauth/token", { grant_type: DEVICE, device_code: device.device_code, client_id: "hexts" })
  ).body;
  const ctx = createContext({
    flags: { json: false, yes: false, verbose: false, color: false },
    env: w.env,
    interactive: false,
  });
  await storeCredential(ctx, w.server.apiUrl, {
    type: "oauth",
    accessToken: token.access_token,
    refreshToken: token.refresh_token,
    expiresAt: Math.floor(Date.now() / 1000) + token.expires_in,
    username,
  });
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** Exactly one JSON document on stdout. */
export function jsonDoc(r: RunResult): any {
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `exactly one JSON document on stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return JSON.parse(lines[0]!);
}
