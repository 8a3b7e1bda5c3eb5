// Ctrl-C (SIGINT) during a request: the run's signal aborts it, the error is CANCELLED and the exit code 130.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { baseEnv, binPath, tempHome } from "../support/cli.js";
import { startHexServer } from "../support/hex-server/index.js";

test("SIGINT during a slow request cancels it: one line, exit 130, well before the timeout", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.fault({ path: "/api/users/me", fault: { kind: "slow", delayMs: 20_000 } });
  const home = tempHome();
  try {
    const child = spawn(process.execPath, [binPath, "user", "whoami"], {
      env: baseEnv({ ...home.env, HEX_API_URL: server.apiUrl, HEX_API_KEY: ana.apiKey }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    // Wait until the request reached the server, then press Ctrl-C.
    for (let i = 0; i < 200 && !server.requests.some((r) => r.path === "/api/users/me"); i++)
      await new Promise((r) => setTimeout(r, 25));
    const started = Date.now();
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    assert.ok(Date.now() - started < 2500, "ended promptly");
    assert.match(stderr, /^hexts: [Cc]ancelled/m);
    assert.ok(!stderr.includes(ana.apiKey));
  } finally {
    home.cleanup();
  }
});
