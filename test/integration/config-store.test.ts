// The user config file on a real file system: mode 0600, corrupt files reported and left alone, the lock
// (bounded wait, stale locks broken), writers killed with SIGKILL mid-write, and concurrent processes losing nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { HextsError } from "../../src/errors.js";
import { ConfigStore, parseConfig } from "../../src/config/store.js";
import { ConfigFileSchema } from "../../src/config/schema.js";
import { acquireLock } from "../../src/config/lock.js";
import { repoRoot } from "../support/vectors.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "hexts-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

function isConfigError(code: string, ...parts: (string | RegExp)[]) {
  return (e: unknown) => {
    assert.ok(e instanceof HextsError, String(e));
    assert.equal(e.code, code);
    for (const p of parts)
      typeof p === "string" ? assert.ok(e.message.includes(p), e.message) : assert.match(e.message, p);
    return true;
  };
}

/** Runs TypeScript in a child node (tsx), with the repo's src importable by absolute path. */
function child(code: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exited(
  p: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  let stderr = "";
  let stdout = "";
  p.stderr?.setEncoding("utf8").on("data", (d) => (stderr += d));
  p.stdout?.setEncoding("utf8").on("data", (d) => (stdout += d));
  return new Promise((resolve) => p.on("close", (code, signal) => resolve({ code, signal, stderr, stdout })));
}

const src = (p: string) => JSON.stringify(join(repoRoot, "src", p));

test("a missing file reads as an empty config and is not created by reading", async (t) => {
  const dir = tempDir(t);
  const store = new ConfigStore(join(dir, "hex", "hexts.json"));
  const cfg = await store.read();
  assert.equal(cfg.version, 1);
  assert.deepEqual(cfg.credentials, {});
  assert.equal(existsSync(join(dir, "hex")), false);
});

test("update creates the directory (0700) and the file (0600), and keeps 0600 after later updates", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hex", "hexts.json");
  const store = new ConfigStore(file);
  await store.update((c) => {
    c.settings.http_timeout = 30;
  });
  assert.equal(mode(file), 0o600);
  assert.equal(mode(join(dir, "hex")), 0o700);
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")).settings, { http_timeout: 30 });

  chmodSync(file, 0o644); // someone loosened it
  await store.update((c) => {
    c.settings.http_timeout = 31;
  });
  assert.equal(mode(file), 0o600);
  chmodSync(file, 0o644);
  await store.update(() => {}); // nothing changed: still tightened
  assert.equal(mode(file), 0o600);
  assert.equal(existsSync(store.lockFile), false, "lock released");
  assert.deepEqual(readdirSync(join(dir, "hex")), ["hexts.json"], "no temp files left");
});

test("the file is JSON with a version field, validated on read", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  const store = new ConfigStore(file);
  await store.update((c) => {
    c.repos["hexpm:acme"] = { auth_key: "k" };
  });
  const raw = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(raw.version, 1);
  assert.ok(ConfigFileSchema.safeParse(raw).success);
  // unknown fields written by a newer hexts survive an update
  writeFileSync(file, JSON.stringify({ ...raw, future: { x: 1 } }));
  await store.update((c) => {
    c.settings.http_timeout = 5;
  });
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")).future, { x: 1 });
});

const corrupt: [name: string, text: string, message: RegExp][] = [
  [
    "not JSON",
    '{"version": 1, "credentials": {"https://hex.pm/api": {"type":"key","key":"SECRETSECRET"',
    /is not valid JSON/,
  ],
  ["empty", "", /is not valid JSON \(the file is empty\)/],
  ["no version", '{"settings": {}}', /is invalid at version/],
  [
    "wrong shape",
    '{"version": 1, "credentials": {"https://hex.pm/api": {"type": "key"}}}',
    /is invalid at credentials\.https:\/\/hex\.pm\/api\.key/,
  ],
  ["newer format", '{"version": 7}', /was written by a newer hexts \(format version 7\)/],
];
for (const [name, text, message] of corrupt) {
  test(`a corrupt config (${name}) is a clear error with its path, and is never overwritten`, async (t) => {
    const dir = tempDir(t);
    const file = join(dir, "hexts.json");
    writeFileSync(file, text, { mode: 0o600 });
    const store = new ConfigStore(file);
    await assert.rejects(store.read(), isConfigError("CONFIG_INVALID", file, message));
    await assert.rejects(
      store.update((c) => {
        c.settings.http_timeout = 1;
      }),
      isConfigError("CONFIG_INVALID", file, message),
    );
    assert.equal(readFileSync(file, "utf8"), text, "file untouched");
    assert.deepEqual(readdirSync(dir), ["hexts.json"], "no temp or lock file left");
  });
}

test("a corrupt config error never quotes the file's content", () => {
  assert.throws(
    () => parseConfig('{"api_key": "SECRETSECRET" oops}', "/x/hexts.json"),
    (e: unknown) => {
      assert.ok(e instanceof HextsError);
      assert.match(e.message, /line 1, column \d+/);
      assert.ok(!e.message.includes("SECRET"));
      return true;
    },
  );
});

test(
  "an unreadable config is CONFIG_INVALID with its path",
  { skip: process.getuid?.() === 0 ? "root reads everything" : false },
  async (t) => {
    const dir = tempDir(t);
    const file = join(dir, "hexts.json");
    writeFileSync(file, '{"version":1}', { mode: 0o000 });
    await assert.rejects(new ConfigStore(file).read(), isConfigError("CONFIG_INVALID", file, /permission denied/));
  },
);

test("a config path that is a directory is CONFIG_INVALID with its path", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  mkdirSync(file);
  await assert.rejects(new ConfigStore(file).read(), isConfigError("CONFIG_INVALID", file, /it is a directory/));
});

test("a lock held by a live process makes a writer wait, then fail with CONFIG_LOCKED naming the lock", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  const held = await acquireLock(`${file}.lock`);
  try {
    const store = new ConfigStore(file, { lock: { timeoutMs: 300 } });
    const started = Date.now();
    await assert.rejects(
      store.update((c) => {
        c.settings.x = 1;
      }),
      isConfigError("CONFIG_LOCKED", `${file}.lock`, `held by process ${process.pid}`),
    );
    assert.ok(Date.now() - started >= 250, "it waited");
    assert.equal(existsSync(file), false);
  } finally {
    await held.release();
  }
  assert.equal(existsSync(`${file}.lock`), false);
});

test("a writer waiting on the lock proceeds as soon as it is released", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  const held = await acquireLock(`${file}.lock`);
  const store = new ConfigStore(file);
  const pending = store.update((c) => {
    c.settings.after = true;
  });
  await sleep(100);
  assert.equal(existsSync(file), false, "still waiting");
  await held.release();
  await pending;
  assert.equal((await store.read()).settings.after, true);
});

test("a lock left by a dead process is broken at once", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(dead.stdout);
  writeFileSync(`${file}.lock`, JSON.stringify({ pid, host: hostname(), time: Date.now(), token: "dead" }));
  const store = new ConfigStore(file, { lock: { timeoutMs: 2000 } });
  const started = Date.now();
  await store.update((c) => {
    c.settings.x = 1;
  });
  assert.ok(Date.now() - started < 1500);
  assert.equal(existsSync(`${file}.lock`), false);
});

test("a lock older than the stale age is broken even if its pid looks alive", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  writeFileSync(
    `${file}.lock`,
    JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() - 120_000, token: "old" }),
  );
  const old = new Date(Date.now() - 120_000);
  utimesSync(`${file}.lock`, old, old);
  await new ConfigStore(file, { lock: { timeoutMs: 1000 } }).update((c) => {
    c.settings.x = 1;
  });
  assert.equal(existsSync(`${file}.lock`), false);
});

test("temp files left by a dead writer are cleaned up under the lock; others' are not", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  writeFileSync(join(dir, `hexts.json.${dead.stdout}.abcdef.tmp`), "{partial");
  writeFileSync(join(dir, "unrelated.json.1.abcdef.tmp"), "keep");
  await new ConfigStore(file).update((c) => {
    c.settings.x = 1;
  });
  assert.deepEqual(readdirSync(dir).sort(), ["hexts.json", "unrelated.json.1.abcdef.tmp"]);
});

test("concurrent updates in one process lose nothing", async (t) => {
  const dir = tempDir(t);
  const store = new ConfigStore(join(dir, "hexts.json"));
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      store.update((c) => {
        c.settings[`k${i}`] = i;
      }),
    ),
  );
  assert.equal(Object.keys((await store.read()).settings).length, 20);
});

/** Starts a writer loop in a child, waits for its first write, kills it with SIGKILL after a random delay. */
async function killMidWrite(code: string, env: Record<string, string>): Promise<void> {
  const p = child(code, env);
  const done = exited(p);
  await new Promise<void>((resolve, reject) => {
    p.stdout!.once("data", () => resolve());
    p.once("close", (c) => reject(new Error(`writer exited early with ${c}`)));
  });
  await sleep(10 + Math.floor(Math.random() * 200));
  p.kill("SIGKILL");
  const r = await done;
  assert.equal(r.signal, "SIGKILL", r.stderr);
}

/** The file must be one whole write: valid, validated, and its blob matching its counter. */
function assertWhole(file: string, blob: number): number {
  const cfg = parseConfig(readFileSync(file, "utf8"), file); // throws if broken
  const n = cfg.settings.n as number;
  assert.ok(Number.isInteger(n) && n >= 1);
  assert.ok(cfg.settings.blob === `${n}:${"x".repeat(blob)}`, "the file is one whole write");
  assert.equal(mode(file), 0o600);
  return n;
}

test("atomic writes: writers SIGKILLed mid-write leave the old or the new file, never a broken one", async (t) => {
  const dir = tempDir(t);
  const blob = 1 << 20; // 1 MiB per write: kills land inside writes
  // The loop does nothing but write two prebuilt contents in turn, so a non-atomic write would be caught.
  const code = `
    const { writeFileAtomic } = await import(${src("config/atomic.ts")});
    const x = "x".repeat(${blob});
    const contents = [1, 2].map((n) => Buffer.from(JSON.stringify({ version: 1, settings: { n, blob: n + ":" + x } })));
    for (let i = 0; ; i++) {
      await writeFileAtomic(process.env.FILE, contents[i % 2], 0o600);
      if (i === 1) process.stdout.write("started\\n");
    }`;
  // Several writers at once (each on its own file), each killed at a random moment.
  const seen = new Set<number>();
  for (let round = 0; round < 4; round++) {
    const files = Array.from({ length: 4 }, (_, i) => join(dir, `hexts-${round}-${i}.json`));
    await Promise.all(files.map((file) => killMidWrite(code, { FILE: file })));
    for (const file of files) seen.add(assertWhole(file, blob));
  }
  assert.deepEqual([...seen].sort(), [1, 2], "kills landed after both kinds of write");
});

test("store updates: a writer killed mid-update leaves a whole file; its lock/temp files block no one", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "hexts.json");
  const store = new ConfigStore(file);
  const blob = 1 << 20;
  const code = `
    const { ConfigStore } = await import(${src("config/store.ts")});
    const store = new ConfigStore(process.env.FILE);
    for (let n = 1; ; n++) {
      await store.update((c) => { c.settings.n = n; c.settings.blob = n + ":" + "x".repeat(${blob}); });
      if (n === 1) process.stdout.write("started\\n");
    }`;
  for (let round = 0; round < 4; round++) {
    await killMidWrite(code, { FILE: file });
    assertWhole(file, blob);
    const started = Date.now();
    await store.update((c) => {
      c.settings.after = round;
    });
    assert.ok(Date.now() - started < 3000, "the dead writer's lock was broken at once");
    assertWhole(file, blob);
  }
  assert.deepEqual(readdirSync(dir).sort(), ["hexts.json"], "temp and lock files of killed writers are cleaned up");
});

test("two processes each adding 50 organization entries at once: all 100 are there", async (t) => {
  const dir = tempDir(t);
  const home = join(dir, "hex");
  const code = `
    const { createContext } = await import(${src("commands/context.ts")});
    const { storeOrganization } = await import(${src("config/credentials.ts")});
    const flags = { json: false, yes: false, verbose: false, color: false };
    const ctx = createContext({ flags, env: process.env, interactive: false });
    const who = process.env.WHO;
    for (let i = 0; i < 50; i++) {
      await storeOrganization(ctx, who + "_" + i, "key-" + who + "-" + i + "-0123456789abcdef");
    }`;
  const runs = ["a", "b"].map((who) => exited(child(code, { WHO: who, HEX_HOME: home })));
  const results = await Promise.all(runs);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const cfg = await new ConfigStore(join(home, "hexts.json")).read();
  const names = Object.keys(cfg.repos).filter((n) => n.startsWith("hexpm:"));
  assert.equal(names.length, 100);
  for (const who of ["a", "b"])
    for (let i = 0; i < 50; i++)
      assert.equal(cfg.repos[`hexpm:${who}_${i}`]?.auth_key, `key-${who}-${i}-0123456789abcdef`);
  assert.equal(mode(join(home, "hexts.json")), 0o600);
});
