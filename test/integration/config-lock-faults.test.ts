// Faults around the config file's lock: every kind of stale lock (empty, dead holder, pid reused by a younger
// process, a breaker that died) is broken within a second, and a config directory the user cannot write says
// "permission denied" (exit 1, IO), not that the config is locked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock } from "../../src/config/lock.js";
import { binPath, baseEnv } from "../support/cli.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-cfgfault-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"]);
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

async function timeToAcquire(lock: string): Promise<number> {
  const started = Date.now();
  const held = await acquireLock(lock, { timeoutMs: 10_000 });
  const took = Date.now() - started;
  await held.release();
  return took;
}

const info = (pid: number, time: number) => JSON.stringify({ pid, host: hostname(), time, token: "0011223344556677" });

test("stale locks cost less than a second: empty, dead holder, reused pid, dead breaker", async (t) => {
  const dir = tempDir(t);
  const lock = join(dir, "hexts.json.lock");
  const past = new Date(Date.now() - 10_000);

  // Left empty by a writer killed between create and write.
  writeFileSync(lock, "");
  utimesSync(lock, past, past);
  assert.ok((await timeToAcquire(lock)) < 1000, "empty lock");

  // Its holder is gone.
  writeFileSync(lock, info(await deadPid(), Date.now()));
  assert.ok((await timeToAcquire(lock)) < 1000, "dead holder");

  // Its pid now belongs to a process that started after the lock was taken (Linux tells).
  if (process.platform === "linux") {
    const younger = spawn("sleep", ["30"]);
    t.after(() => younger.kill());
    writeFileSync(lock, info(younger.pid!, Date.now() - 20_000));
    assert.ok((await timeToAcquire(lock)) < 1000, "reused pid");
  }

  // A waiter died while breaking it, leaving its break file behind.
  writeFileSync(lock, info(await deadPid(), Date.now()));
  writeFileSync(`${lock}.break`, String(await deadPid()));
  assert.ok((await timeToAcquire(lock)) < 1000, "dead breaker");
});

test("a config directory the user cannot write: exit 1, permission denied with the path, not 'locked'", async (t) => {
  const dir = tempDir(t);
  const hexHome = join(dir, "hex");
  mkdirSync(hexHome);
  chmodSync(dir, 0o755);
  chmodSync(hexHome, 0o555);
  // Root writes anywhere: run the CLI as nobody then, when nobody can reach the checkout (a clone inside a
  // private directory, such as mktemp -d's, cannot be run by another user).
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const probe = spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(binPath)})`], {
      uid: 65534,
      gid: 65534,
      stdio: "ignore",
    });
    if (probe.status !== 0) return t.skip(`user nobody cannot read ${binPath}; run from a checkout others can read`);
  }
  const child = spawn(process.execPath, [binPath, "config", "api_url", "http://127.0.0.1:9/api"], {
    cwd: dir,
    env: baseEnv({ HOME: dir, HEX_HOME: hexHome }),
    stdio: ["ignore", "pipe", "pipe"],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  assert.equal(code, 1, stderr);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    new RegExp(
      `^hexts: cannot write the config file ${join(hexHome, "hexts.json")}: permission denied in ${hexHome}\\n$`,
    ),
  );
  assert.doesNotMatch(stderr, /lock/i);
});
