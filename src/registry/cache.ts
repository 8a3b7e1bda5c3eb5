// On-disk cache of registry resources and tarballs, for conditional requests (If-None-Match / 304).
// A cached body is never trusted: it is verified (signature, origin, checksum) each time it is used, like a
// fresh one, so the cache can only cost a download, never let altered data through.
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../config/atomic.js";

export interface CachedResponse {
  /** The server's ETag, or "" when it sent none (the body still serves HEX_OFFLINE). */
  etag: string;
  body: Uint8Array;
}

export interface RegistryCache {
  get(url: string): Promise<CachedResponse | undefined>;
  set(url: string, entry: CachedResponse): Promise<void>;
}

const keyOf = (url: string) => createHash("sha256").update(url).digest("hex");

/** A cache in `dir` (created on first write): one `<sha256(url)>.body` and `.etag` file per URL. */
export function diskRegistryCache(dir: string): RegistryCache {
  return {
    async get(url) {
      const base = join(dir, keyOf(url));
      try {
        const [etag, body] = await Promise.all([readFile(`${base}.etag`, "utf8"), readFile(`${base}.body`)]);
        const [storedUrl, tag] = etag.split("\n");
        return storedUrl === url && tag !== undefined ? { etag: tag, body } : undefined;
      } catch {
        return undefined;
      }
    },
    async set(url, entry) {
      if (/[\r\n]/.test(entry.etag) || /[\r\n]/.test(url)) return;
      const base = join(dir, keyOf(url));
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // body first, then the etag that makes it usable; each replaced atomically (the one file writer)
        await writeFileAtomic(`${base}.body`, entry.body, PRIVATE_FILE_MODE);
        await writeFileAtomic(`${base}.etag`, `${url}\n${entry.etag}`, PRIVATE_FILE_MODE);
      } catch {
        // a cache that cannot be written only costs a later download
      }
    },
  };
}

/** A cache in memory (tests, one-off library use). */
export function memoryRegistryCache(): RegistryCache {
  const entries = new Map<string, CachedResponse>();
  return {
    async get(url) {
      return entries.get(url);
    },
    async set(url, entry) {
      entries.set(url, entry);
    },
  };
}
