// `npm run demo`: the main job of hexts, end to end, on any machine.
// With network, it first runs a read-only search against hex.pm. Then, always, it starts the local Hex test
// server on 127.0.0.1 and drives the built CLI through a full release of examples/hello_hexts:
// log in with an API key, build, publish, search, list owners, retire — in a throwaway HEX_HOME.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHexServer } from "../test/support/hex-server/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin/hexts.js");

/** Runs the CLI as a separate process (asynchronously: the local server lives in this one). */
function hexts(args: string[], env: Record<string, string>, cwd: string, shown = args): Promise<number> {
  console.log(`\n$ hexts ${shown.join(" ")}`);
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
}

async function hexpmReachable(): Promise<boolean> {
  if (process.env.HEXTS_DEMO_HEXPM === "0") return false;
  try {
    const res = await fetch("https://hex.pm/api/packages?search=cowboy", {
      method: "HEAD",
      signal: AbortSignal.timeout(3000),
    });
    return res.status < 500;
  } catch {
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), "hexts-demo-"));
try {
  const home = { HEX_HOME: join(work, "hex"), NO_COLOR: process.env.NO_COLOR ?? "" };

  if (await hexpmReachable()) {
    console.log("== hex.pm is reachable: a read-only search there ==");
    await hexts(["search", "cowboy"], { ...home, HEX_API_URL: "https://hex.pm/api" }, work);
  } else {
    console.log("== hex.pm is not reachable from here: everything below runs against the local Hex test server ==");
  }

  await using server = await startHexServer();
  const ana = server.addUser({ username: "demo_author", email: "demo@example.com" });
  const env = { ...home, HEX_API_URL: server.apiUrl };
  const project = join(work, "hello_hexts");
  cpSync(join(root, "examples/hello_hexts"), project, { recursive: true });
  console.log(`\n== local Hex test server at ${server.apiUrl}; project copied to ${project} ==`);

  const steps: { args: string[]; shown?: string[] }[] = [
    {
      args: ["user", "auth", "--key", ana.apiKey, "--no-local-password"],
      shown: ["user", "auth", "--key", "***", "--no-local-password"],
    },
    { args: ["user", "whoami"] },
    { args: ["build", "package"] },
    { args: ["publish", "package", "--yes"] },
    { args: ["search", "hello"] },
    { args: ["owner", "list", "hello_hexts"] },
    { args: ["retire", "hello_hexts", "0.1.0", "deprecated", "--message", "superseded by the next demo"] },
    { args: ["user", "key", "list"] },
  ];
  let failed = 0;
  for (const step of steps) {
    const code = await hexts(step.args, env, project, step.shown);
    if (code !== 0) {
      failed++;
      console.log(`(exit ${code})`);
    }
  }
  console.log(
    failed === 0 ? "\n== demo finished: every step succeeded ==" : `\n== demo finished: ${failed} step(s) failed ==`,
  );
  process.exitCode = failed === 0 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
