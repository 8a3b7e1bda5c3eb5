// The one file writer: write a temp file in the same directory, fsync it, rename it over the target, fsync the
// directory. A reader (or a crash at any point) sees the old file or the new one, never a mix, and a failed write
// leaves no temp file behind. Every file hexts saves (config, credentials, registry cache, tarballs) goes through
// it with its own mode: exactly 0600 for secrets, 0644 less the umask for tarballs. (Not through it: the lock
// file, created exclusively as the lock itself, and --unpack's new files, created exclusively in a fresh tree.)
import { randomBytes } from "node:crypto";
import { open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pidAlive } from "./lock.js";

const tempPattern = (base: string) =>
  new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);

/** Files holding secrets (config, credentials), and caches of what an authenticated request read. */
export const PRIVATE_FILE_MODE = 0o600;
/**
 * Files meant to be shared (package and docs tarballs), written with `umask: true`: the user's umask narrows
 * it as it narrows what rebar3 and mix write (0644 under the usual 022, 0600 under 077).
 */
export const SHARED_FILE_MODE = 0o644;

export interface AtomicWriteOptions {
  /** Let the process umask narrow `mode` (shared output); default: the file gets exactly `mode` (secrets). */
  umask?: boolean;
}

/** Replaces `path` with `data` atomically and durably (temp file, fsync, rename, directory fsync). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode: number,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(temp, "wx", mode);
  try {
    try {
      await fh.writeFile(data);
      // open() applied the umask; for secrets be exact (the umask may have narrowed it oddly, never widened it)
      if (!opts.umask) await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await renameWithRetry(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/** Windows refuses to replace a file another process has open for a moment; retry briefly. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== "win32" || attempt >= 5 || !(code === "EPERM" || code === "EACCES" || code === "EBUSY"))
        throw e;
      await sleep(20 * (attempt + 1));
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** Removes temp files left by writers that died mid-write (their pid is gone, or they are old). */
export async function removeStaleTemps(path: string, maxAgeMs = 60_000): Promise<void> {
  const dir = dirname(path);
  const pattern = tempPattern(basename(path));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const full = join(dir, name);
    const pid = Number(m[1]);
    const st = await stat(full).catch(() => undefined);
    if (!st) continue;
    if (!pidAlive(pid) || Date.now() - st.mtimeMs > maxAgeMs) await unlink(full).catch(() => {});
  }
}
