// Shared setup for the registry tasks' end-to-end tests: a local Hex server with releases of alpha and beta
// (one retired), an organization package, a config that points hexpm at the server's repository and key.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { serverAndHome } from "../support/world.js";
import { runHexts, tempHome } from "../support/cli.js";
import { buildTarball, type HexServer } from "../support/hex-server/index.js";
import type { Release, State } from "../support/hex-server/state.js";

export interface World {
  server: HexServer;
  home: ReturnType<typeof tempHome>;
  project: string;
  repoKey: string;
  release(pkg: string, version: string, repository?: string): Release;
  run(args: string[], env?: Record<string, string>): ReturnType<typeof runHexts>;
  writeConfig(extra?: Record<string, unknown>): void;
}

export async function world(t: { after(fn: () => unknown): void }): Promise<World> {
  const { server, home } = await serverAndHome(t);
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const publish = (
    name: string,
    version: string,
    extra: Record<string, unknown> = {},
    files?: Record<string, string>,
    repository?: string,
  ) =>
    server.addRelease({
      repository,
      owner: "ana",
      tarball: buildTarball({
        name,
        version,
        metadata: { licenses: ["Apache-2.0"], links: { GitHub: `https://example.test/${name}` }, ...extra } as any,
        files,
      }),
    });
  publish("alpha", "0.9.0", {}, { "lib/alpha.ex": "defmodule Alpha do\n  def v, do: 1\nend\n" });
  publish("alpha", "1.0.0", {}, { "lib/alpha.ex": "defmodule Alpha do\n  def v, do: 2\nend\n" });
  publish(
    "alpha",
    "1.1.0",
    {},
    { "lib/alpha.ex": "defmodule Alpha do\n  def v, do: 3\nend\n", "README.md": "# Alpha\n" },
  );
  publish("alpha", "2.0.0");
  publish("alpha", "2.1.0-rc.1");
  publish("beta", "1.0.0", { requirements: { alpha: { app: "alpha", optional: false, requirement: "~> 1.0" } } });
  publish("secret", "1.0.0", {}, undefined, "acme");
  const retire = await fetch(`${server.apiUrl}/packages/alpha/releases/1.0.0/retire`, {
    method: "POST",
    headers: { "user-agent": "test", authorization: ana.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ reason: "security", message: "Remote code execution, upgrade to 1.1.0" }),
  });
  assert.equal(retire.status, 204);
  const repoKey = server.addKey({
    owner: { user: "ana" },
    name: "repo",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  const project = join(home.dir, "project");
  mkdirSync(project);
  const state = server.state as State;
  const w: World = {
    server,
    home,
    project,
    repoKey,
    release: (pkg, version, repository = "hexpm") =>
      state.findPackage(repository, pkg)!.releases.find((r) => r.version === version)!,
    run: (args, env = {}) => runHexts(args, { cwd: project, env: { ...home.env, HEX_API_URL: server.apiUrl, ...env } }),
    writeConfig(extra = {}) {
      mkdirSync(home.env.HEX_HOME!, { recursive: true });
      const repos = {
        hexpm: { url: server.repoUrl, public_key: server.registryPublicKey!() },
        // bound to this server (an entry without origins is hex.pm's and is never sent here)
        "hexpm:acme": { auth_key: repoKey, api_origin: server.url, repo_origin: server.url },
        ...extra,
      };
      writeFileSync(join(home.env.HEX_HOME!, "hexts.json"), JSON.stringify({ version: 1, repos }), { mode: 0o600 });
    },
  };
  w.writeConfig();
  return w;
}

export function mixLock(w: World, entries: [app: string, version: string, repo?: string, deps?: string][]): string {
  const lines = entries.map(([app, version, repo = "hexpm", deps = "[]"]) => {
    const r = w.release(app, version, repo === "hexpm" ? "hexpm" : repo.slice("hexpm:".length));
    return (
      `  "${app}": {:hex, :${app}, "${version}", "${r.innerChecksum}", [:mix], ${deps}, ` +
      `"${repo}", "${r.outerChecksum}"},`
    );
  });
  return `%{\n${lines.join("\n")}\n}\n`;
}

export const BETA_DEPS = `[{:alpha, "~> 1.0", [hex: :alpha, repo: "hexpm", optional: false]}]`;

export const AuditDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    lockFiles: z.array(z.string()),
    checked: z.number(),
    retired: z.array(
      z.object({
        package: z.string(),
        version: z.string(),
        repository: z.string(),
        reason: z.union([z.string(), z.number()]),
        message: z.string().nullable(),
      }),
    ),
    advisories: z.array(z.unknown()),
    checksumMismatches: z.array(
      z.object({ package: z.string(), checksum: z.enum(["inner", "outer"]), locked: z.string(), registry: z.string() }),
    ),
    missing: z.array(z.object({ package: z.string(), version: z.string() })),
  }),
});
