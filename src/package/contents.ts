// The compressed tar shared by package contents (contents.tar.gz) and docs tarballs: entries streamed one at
// a time through the tar writer and reproducible gzip, with hex.pm's size limits enforced as bytes flow.
import { open, type FileHandle } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { MiB, TARBALL_MAX_SIZE, TARBALL_MAX_UNCOMPRESSED_SIZE } from "../bytes.js";
import { HextsError } from "../errors.js";
import type { PackageFile } from "./types.js";
import { GzipWriter } from "./gzip.js";
import { entryTreeProblem, safePathProblem, symlinkEscapes, type TreeEntry } from "./paths.js";
import { BLOCK_SIZE, MODE_FILE, TarWriter, encodeHeader, paddingSize } from "./tar.js";

export interface BuildProgress {
  /** Entries written so far, of `totalFiles`. */
  files: number;
  totalFiles: number;
  /** File bytes read so far, of `totalBytes` (from the sizes known before reading). */
  bytes: number;
  totalBytes: number;
  path?: string;
}

export interface BuildTarballOptions {
  onProgress?: (progress: BuildProgress) => void;
  signal?: AbortSignal;
  /** Override the limits (tests); the defaults are hex.pm's. */
  maxSize?: number;
  maxUncompressedSize?: number;
}

export const packageInvalid = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new HextsError("PACKAGE_INVALID", message, { details: { reason, ...details } });

export function checkEntryPath(path: string): void {
  const problem = safePathProblem(path);
  if (problem) throw packageInvalid("unsafe_path", `Unsafe path: ${JSON.stringify(path)} (${problem})`, { path });
}

export function checkEntrySymlink(path: string, target: string): void {
  if (symlinkEscapes(path, target)) {
    throw packageInvalid(
      "unsafe_symlink",
      `Symlink ${JSON.stringify(path)} points outside (${JSON.stringify(target)})`,
      { path, target },
    );
  }
}

/**
 * Refuses entries that an extractor writing them in order would put outside the package through earlier
 * symlinks, below a file, or over an earlier entry (paths.ts EntryTree): a tarball must be safe to unpack.
 */
export function checkEntryTree(entries: Iterable<TreeEntry>): void {
  const problem = entryTreeProblem(entries);
  if (problem) throw packageInvalid(problem.reason, problem.message, { path: problem.path });
}

/**
 * tar → gzip into memory. The compressed bytes land in one buffer of the size limit, after `reserve`
 * bytes kept for whatever the caller writes in front (the outer tar's first members), so the finished
 * tarball needs no second copy; pages never written are never touched, so they cost no memory.
 * `what` names the artefact in limit errors ("package tarball", "docs tarball").
 */
export class CompressedTar {
  readonly tar: TarWriter;
  readonly buffer: Uint8Array;
  readonly maxSize: number;
  readonly maxUncompressed: number;
  readonly reserve: number;
  #gz: GzipWriter | undefined;
  #at: number;
  #what: string;

  constructor(what: string, opts: BuildTarballOptions, reserve = 0) {
    this.#what = what;
    this.maxSize = opts.maxSize ?? TARBALL_MAX_SIZE;
    this.maxUncompressed = opts.maxUncompressedSize ?? TARBALL_MAX_UNCOMPRESSED_SIZE;
    this.reserve = reserve;
    if (reserve > this.maxSize) this.tooBig();
    this.buffer = new Uint8Array(this.maxSize);
    this.#at = reserve;
    this.tar = new TarWriter((chunk) => {
      if (this.tar.size > this.maxUncompressed) this.#tooBigUncompressed();
      this.#gzip().push(chunk);
    });
  }

  #gzip(thread = false): GzipWriter {
    this.#gz ??= new GzipWriter(
      (chunk) => {
        if (this.#at + chunk.length > this.maxSize) this.tooBig();
        this.buffer.set(chunk, this.#at);
        this.#at += chunk.length;
      },
      { sinkCopies: true, thread },
    );
    return this.#gz;
  }

  tooBig(): never {
    throw packageInvalid("too_big_compressed", `The ${this.#what} is larger than ${this.maxSize} bytes`, {
      limit: this.maxSize,
    });
  }

  #tooBigUncompressed(): never {
    throw packageInvalid(
      "too_big_uncompressed",
      `The ${this.#what} contents are larger than ${this.maxUncompressed} bytes uncompressed`,
      {
        limit: this.maxUncompressed,
      },
    );
  }

  /**
   * Fail before reading anything when the planned entries already exceed the uncompressed limit. A large
   * tar is compressed on a worker thread when there is more than one processor (call this before writing).
   */
  checkPlanned(files: readonly PackageFile[]): void {
    const planned = plannedTarSize(files);
    if (planned > this.maxUncompressed) this.#tooBigUncompressed();
    if (planned >= THREAD_MIN_SIZE && availableParallelism() > 1) this.#gzip(true);
  }

  /** Resolves when more may be written (a worker thread compressing has caught up enough); await it often. */
  ready(): Promise<void> | undefined {
    return this.#gz?.ready();
  }

  /** Ends the tar and the gzip stream; returns the gzip bytes (a view into `buffer`) and the tar size. */
  async finish(): Promise<{ gzip: Uint8Array; contentsSize: number }> {
    this.tar.finish();
    const gz = this.#gzip();
    await gz.close();
    return { gzip: this.buffer.subarray(this.reserve, this.reserve + gz.size), contentsSize: this.tar.size };
  }

  /** Stops compressing after a failure (ends a worker thread). */
  abort(): void {
    this.#gz?.abort();
  }
}

/**
 * From this planned tar size on, deflate runs on a worker thread. Measured on the bench projects: the worker
 * costs ~11 MB of peak RSS and tens of milliseconds to start; on the 300-file project (4 MB) it made the build
 * slower (1.13× wall, 1.14× CPU, paired runs on a loaded 2-core machine), on the 2,000-file one (62 MB) the
 * reading thread spent 3.0 of 5.4 s waiting for it: deflate is then the whole cost.
 */
const THREAD_MIN_SIZE = 8 * MiB;

/** Size of the tar the entries make, from the sizes the file list carries. */
export function plannedTarSize(files: readonly PackageFile[]): number {
  let size = 2 * BLOCK_SIZE;
  for (const f of files) {
    if (f.kind === "dir" && !f.empty) continue;
    const dataSize = dataSizeOf(f);
    const type = f.kind === "dir" ? "dir" : f.kind === "symlink" ? "symlink" : "file";
    const linkTarget = f.kind === "symlink" ? f.target : undefined;
    size +=
      encodeHeader({ path: f.path, type, mode: 0, size: dataSize, linkTarget }).length +
      dataSize +
      paddingSize(dataSize);
  }
  return size;
}

const dataSizeOf = (f: PackageFile) => (f.kind === "file" ? f.size : f.kind === "memory" ? f.contents.length : 0);

// ---- reading disk files with a little read-ahead, so disk I/O overlaps compression ----

const SMALL_FILE = MiB;
const READ_CHUNK = MiB;
// Enough to overlap reads with compression; more only holds memory (32 files / 4 MiB cost ~2.5 MB peak RSS, no time).
const PREFETCH_FILES = 8;
const PREFETCH_BYTES = 2 * MiB;

/**
 * Read buffers are recycled: the tar/gzip writers copy what they are given, so a buffer is free again as
 * soon as its file is written. Without this, thousands of short-lived buffers pile up as external memory
 * between garbage collections (about 20 MB more peak RSS on a 2,000-file project).
 */
class BufferPool {
  #free = new Map<number, Uint8Array[]>();
  #pooled = 0;
  constructor(readonly maxPooled: number) {}

  static #capacity(size: number): number {
    return Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(size, 1))));
  }

  acquire(size: number): Uint8Array {
    const cap = BufferPool.#capacity(size);
    const buf = this.#free.get(cap)?.pop();
    if (buf) this.#pooled -= cap;
    return (buf ?? new Uint8Array(cap)).subarray(0, size);
  }

  release(view: Uint8Array): void {
    const cap = view.buffer.byteLength;
    if (view.byteOffset !== 0 || cap !== BufferPool.#capacity(cap) || this.#pooled + cap > this.maxPooled) return;
    const list = this.#free.get(cap) ?? [];
    list.push(new Uint8Array(view.buffer));
    this.#free.set(cap, list);
    this.#pooled += cap;
  }
}

type DiskFile = Extract<PackageFile, { kind: "file" }>;
type Opened = { size: number; data: Uint8Array } | { size: number; handle: FileHandle };

const ioError = (path: string, e: unknown) =>
  e instanceof HextsError
    ? e
    : new HextsError("IO", `Could not read ${path}: ${(e as Error).message}`, { cause: e, details: { path } });

async function openDiskFile(file: DiskFile, pool: BufferPool): Promise<Opened> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file.diskPath, "r");
    const st = await handle.stat();
    if (!st.isFile()) throw packageInvalid("not_a_file", `${file.path} is not a regular file`, { path: file.path });
    if (st.size > SMALL_FILE) {
      const opened = { size: st.size, handle };
      handle = undefined; // streamed later; closed there
      return opened;
    }
    const data = pool.acquire(st.size);
    try {
      await readExactly(handle, data, 0, file.path);
    } catch (e) {
      pool.release(data);
      throw e;
    }
    return { size: st.size, data };
  } catch (e) {
    throw ioError(file.path, e);
  } finally {
    await handle?.close();
  }
}

async function readExactly(handle: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0)
      throw packageInvalid("file_changed", `${path} changed while the tarball was being built`, { path });
    done += bytesRead;
  }
}

async function streamLargeFile(
  contents: CompressedTar,
  file: DiskFile,
  opened: { size: number; handle: FileHandle },
  pool: BufferPool,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
) {
  const { size, handle } = opened;
  const tar = contents.tar;
  try {
    tar.beginFile(file.path, size, file.mode);
    const readAt = async (position: number) => {
      const buf = pool.acquire(Math.min(READ_CHUNK, size - position));
      await readExactly(handle, buf, position, file.path);
      return buf;
    };
    let next: Promise<Uint8Array> | undefined = readAt(0);
    for (let position = 0; position < size;) {
      const chunk: Uint8Array = await next!;
      position += chunk.length;
      next = position < size ? readAt(position) : undefined;
      next?.catch(() => undefined); // awaited next turn; this only keeps an early failure from being "unhandled"
      tar.write(chunk); // compresses while the next chunk is read
      pool.release(chunk);
      onBytes(chunk.length);
      signal?.throwIfAborted();
      await contents.ready();
    }
    tar.endFile();
  } catch (e) {
    throw (e as Error).name === "AbortError" ? e : ioError(file.path, e);
  } finally {
    await handle.close();
  }
}

/**
 * Writes entries in list order: memory files (mode 0100644), disk files read lazily (small ones whole, with
 * a bounded read-ahead; large ones in 1 MiB chunks), empty directories, symlinks. A non-empty directory
 * entry is skipped, as hex_core does.
 */
export async function writeEntries(
  contents: CompressedTar,
  files: readonly PackageFile[],
  opts: BuildTarballOptions = {},
): Promise<void> {
  try {
    await writeEntriesTo(contents, files, opts);
  } catch (e) {
    contents.abort();
    throw e;
  }
}

async function writeEntriesTo(
  contents: CompressedTar,
  files: readonly PackageFile[],
  opts: BuildTarballOptions,
): Promise<void> {
  const tar = contents.tar;
  const entries = files.filter((f) => f.kind !== "dir" || f.empty);
  const totalBytes = entries.reduce((n, f) => n + dataSizeOf(f), 0);
  const progress: BuildProgress = { files: 0, totalFiles: entries.length, bytes: 0, totalBytes };
  const pending = new Map<number, Promise<Opened>>();
  const pool = new BufferPool(PREFETCH_BYTES + 2 * READ_CHUNK);
  let nextToOpen = 0;
  let bytesAhead = 0;
  const prefetch = (from: number) => {
    nextToOpen = Math.max(nextToOpen, from);
    while (nextToOpen < entries.length && nextToOpen - from < PREFETCH_FILES && bytesAhead < PREFETCH_BYTES) {
      const f = entries[nextToOpen]!;
      if (f.kind === "file") {
        const p = openDiskFile(f, pool);
        p.catch(() => undefined); // awaited in order below
        pending.set(nextToOpen, p);
        bytesAhead += Math.min(f.size, SMALL_FILE);
      }
      nextToOpen++;
    }
  };

  try {
    for (let i = 0; i < entries.length; i++) {
      opts.signal?.throwIfAborted();
      prefetch(i);
      const f = entries[i]!;
      progress.path = f.path;
      if (f.kind === "memory") {
        tar.addFile(f.path, f.contents, MODE_FILE);
        progress.bytes += f.contents.length;
      } else if (f.kind === "dir") {
        tar.addDirectory(f.path, f.mode);
      } else if (f.kind === "symlink") {
        tar.addSymlink(f.path, f.target, f.mode);
      } else {
        const opened = await pending.get(i)!;
        pending.delete(i);
        bytesAhead -= Math.min(f.size, SMALL_FILE);
        if ("data" in opened) {
          tar.addFile(f.path, opened.data, f.mode);
          pool.release(opened.data);
          progress.bytes += opened.size;
        } else {
          await streamLargeFile(contents, f, opened, pool, (n) => (progress.bytes += n), opts.signal);
        }
      }
      progress.files++;
      opts.onProgress?.({ ...progress });
      await contents.ready();
    }
  } finally {
    for (const p of pending.values())
      p.then((o) => ("handle" in o ? o.handle.close() : undefined)).catch(() => undefined);
  }
}
