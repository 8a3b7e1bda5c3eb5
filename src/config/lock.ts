// A cross-process lock: a file created with O_EXCL holding {pid, host, time, token}. A lock whose process
// is gone (same host; a pid reused by a younger process counts as gone), left empty, or older than `staleMs` is broken
// at once; breaking is itself serialised by a short-lived
// `.break` file so two waiters never both remove a lock. Waiting is bounded: CONFIG_LOCKED after `timeoutMs`.
import { randomBytes } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { statSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { HextsError } from "../errors.js";

export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its process seems alive (default 60 s). */
  staleMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  time: number;
  token: string;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readInfo(path: string): Promise<{ info?: LockInfo; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    try {
      const info = JSON.parse(text) as LockInfo;
      return { info: typeof info?.pid === "number" ? info : undefined, mtimeMs: st.mtimeMs };
    } catch {
      return { mtimeMs: st.mtimeMs };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** How long a lock or break file without content may be someone's write in progress (a write takes microseconds). */
const WRITING_GRACE_MS = 250;

/**
 * Whether the process `pid` started after `time` (so it only reuses the pid of the lock's dead holder). Linux only,
 * where /proc/PID is created when the process starts; elsewhere, false.
 */
function startedAfter(pid: number, time: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    // One second of slack: ctime has the kernel's clock granularity.
    return statSync(`/proc/${pid}`).ctimeMs > time + 1000;
  } catch {
    return false;
  }
}

function isStale(found: { info?: LockInfo; mtimeMs: number }, staleMs: number): boolean {
  const age = Date.now() - (found.info?.time ?? found.mtimeMs);
  if (age > staleMs) return true;
  // A lock file still being written has no content yet: give its writer a moment.
  if (!found.info) return Date.now() - found.mtimeMs > WRITING_GRACE_MS;
  if (found.info.host !== hostname()) return false;
  return !pidAlive(found.info.pid) || startedAfter(found.info.pid, found.info.time);
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const fh = await open(path, "wx", 0o600);
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** Removes `path` if it is still the stale lock we saw, holding `path.break` while deciding. */
async function breakStale(path: string, seen: { info?: LockInfo; mtimeMs: number }, staleMs: number): Promise<boolean> {
  const breakPath = `${path}.break`;
  if (!(await createExclusive(breakPath, String(process.pid)))) {
    // Someone else is breaking it; their break file only lives for milliseconds unless they crashed.
    const st = await stat(breakPath).catch(() => undefined);
    const breaker = Number(await readFile(breakPath, "utf8").catch(() => ""));
    const gone = breaker > 0 ? !pidAlive(breaker) : st !== undefined && Date.now() - st.mtimeMs > WRITING_GRACE_MS;
    if (st && (gone || Date.now() - st.mtimeMs > 1000)) await unlink(breakPath).catch(() => {});
    return false;
  }
  try {
    const now = await readInfo(path);
    const same = now && now.mtimeMs === seen.mtimeMs && now.info?.token === seen.info?.token;
    if (!same || !isStale(now, staleMs)) return false;
    await unlink(path);
    return true;
  } catch {
    return false;
  } finally {
    await unlink(breakPath).catch(() => {});
  }
}

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Acquires the lock at `path`, waiting (bounded) for another holder. */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 60_000;
  const token = randomBytes(8).toString("hex");
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const info: LockInfo = { pid: process.pid, host: hostname(), time: Date.now(), token };
    if (await createExclusive(path, JSON.stringify(info))) {
      return {
        path,
        async release() {
          const now = await readInfo(path).catch(() => undefined);
          if (now?.info?.token === token) await unlink(path).catch(() => {});
        },
      };
    }
    const seen = await readInfo(path);
    if (seen === undefined) continue; // released meanwhile: try again at once
    if (isStale(seen, staleMs) && (await breakStale(path, seen, staleMs))) continue;
    if (Date.now() >= deadline) {
      const holder = seen.info
        ? ` (held by process ${seen.info.pid} since ${new Date(seen.info.time).toISOString()})`
        : "";
      throw new HextsError(
        "CONFIG_LOCKED",
        `could not lock the config file: ${path} exists${holder}; if no other hexts is running, delete it and retry`,
      );
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}
