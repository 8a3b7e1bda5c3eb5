// `hexts user whoami` against the local Hex test server (its own process on 127.0.0.1), whole-process wall time
// against `node -e 0` on the same machine in the same run, plus, for context, a bare `node` one-liner doing the same
// GET /users/me with fetch. Two credential paths: HEX_API_KEY, and a login stored by `hexts user auth --key`.
// Figures, not asserts. Usage: node bench/whoami.mjs   (BENCH_RUNS=N timed runs, default 15; needs a built dist/)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMs, median, report, timeCommand, startLocalHexServer } from "./lib.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin", "hexts.js");
const runs = Math.max(10, Number(process.env.BENCH_RUNS ?? 15));

export async function benchWhoami() {
  const server = await startLocalHexServer();
  const home = mkdtempSync(join(tmpdir(), "hexts-bench-whoami-"));
  try {
    const base = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      HEX_HOME: join(home, "hex"),
      HEX_API_URL: server.api,
    };
    const withKey = { ...base, HEX_API_KEY: server.key };
    const check = spawnSync(process.execPath, [bin, "user", "whoami"], { env: withKey, encoding: "utf8" });
    if (check.status !== 0 || check.stdout.split("\n")[0] !== server.user)
      throw new Error(`hexts user whoami failed: ${check.stderr}${check.stdout}`);
    const login = spawnSync(process.execPath, [bin, "user", "auth", "--key", "-", "--no-local-password"], {
      env: base,
      input: server.key,
      encoding: "utf8",
    });
    if (login.status !== 0) throw new Error(`hexts user auth --key failed: ${login.stderr}`);

    const floor = median(timeCommand(process.execPath, ["-e", "0"], { runs }));
    const fetchScript =
      `const r = await fetch(process.env.HEX_API_URL + "/users/me", { headers: { ` +
      `authorization: process.env.HEX_API_KEY, "user-agent": "bench", accept: "application/json" } }); ` +
      `if (r.status !== 200) process.exit(1); console.log((await r.json()).username);`;
    const bare = median(
      timeCommand(process.execPath, ["--input-type=module", "-e", fetchScript], { runs, env: withKey }),
    );
    const viaEnv = median(timeCommand(process.execPath, [bin, "user", "whoami"], { runs, env: withKey }));
    const viaStore = median(timeCommand(process.execPath, [bin, "user", "whoami"], { runs, env: base }));
    const ratio = (ms) => `${fmtMs(ms)}  (${(ms / floor).toFixed(2)}x floor)`;
    report(`user whoami against the local server (median of ${runs} runs)`, [
      ["node -e 0 (floor)", fmtMs(floor)],
      ["node + fetch GET /users/me (context)", ratio(bare)],
      ["hexts user whoami (HEX_API_KEY)", ratio(viaEnv)],
      ["hexts user whoami (stored login)", ratio(viaStore)],
    ]);
    return {
      floorMs: floor,
      bareFetchMs: bare,
      envKey: { ms: viaEnv, ratio: viaEnv / floor },
      storedLogin: { ms: viaStore, ratio: viaStore / floor },
    };
  } finally {
    server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWhoami();
