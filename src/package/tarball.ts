// Package tarballs (HEX_PROTOCOL.md §5): create them byte for byte as hex_core does, from memory or streamed
// from disk, and unpack/verify downloaded ones more strictly than hex_core (vectors/README.md §3).
import { open, type FileHandle } from "node:fs/promises";
import { HextsError } from "../errors.js";
import type { PackageFile } from "../project/types.js";
import { innerChecksum as computeInnerChecksum, parseChecksumHex, sha256Hex } from "./checksum.js";
import { GunzipError, GzipWriter, gunzip, isGzip } from "./gzip.js";
import { safePathProblem, symlinkEscapes, normalizeTarPath } from "./paths.js";
import { BLOCK_SIZE, MODE_FILE, TarReadError, TarWriter, encodeHeader, paddingSize, readTar } from "./tar.js";

/** hex_core / hex.pm limits (HEX_PROTOCOL.md §5.1). */
export const TARBALL_MAX_SIZE = 16 * 1024 * 1024;
export const TARBALL_MAX_UNCOMPRESSED_SIZE = 128 * 1024 * 1024;
export const METADATA_MAX_SIZE = 1024 * 1024;
const VERSION_MAX_SIZE = 32;
const CHECKSUM_MAX_SIZE = 128;

const TARBALL_VERSION = new TextEncoder().encode("3");
const OUTER_NAMES = ["VERSION", "CHECKSUM", "metadata.config", "contents.tar.gz"] as const;

/**
 * Metadata as accepted by the metadata.config encoder (plain JSON-like data: objects become Erlang maps,
 * arrays lists, strings binaries, booleans atoms; or its Erlang term values), or the already encoded
 * metadata.config bytes.
 */
export type MetadataInput = { [key: string]: unknown } | Uint8Array;

/** A file given from memory (mode defaults to 0100644), an empty directory, or a symlink. */
export type TarballInputFile =
  | { path: string; type?: "file"; contents: Uint8Array | string; mode?: number }
  | { path: string; type: "dir"; mode?: number }
  | { path: string; type: "symlink"; linkTarget: string; mode?: number };

export interface PackageTarball {
  /** The whole outer tar, as uploaded. */
  tarball: Uint8Array;
  /** SHA-256 of VERSION ‖ metadata.config ‖ contents.tar.gz, lowercase hex (the CHECKSUM entry, lowercased). */
  innerChecksum: string;
  /** SHA-256 of the whole tarball, lowercase hex: the checksum hex.pm and the clients show. */
  outerChecksum: string;
  metadataConfig: Uint8Array;
  /** Size of the uncompressed contents tar. */
  contentsSize: number;
}

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

const packageInvalid = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new HextsError("PACKAGE_INVALID", message, { details: { reason, ...details } });

async function encodeMetadata(metadata: MetadataInput): Promise<Uint8Array> {
  if (metadata instanceof Uint8Array) return metadata;
  const { encodeMetadataConfig } = await import("../erlang/metadata-config.js");
  return encodeMetadataConfig(metadata as Parameters<typeof encodeMetadataConfig>[0]);
}

function checkPath(path: string): void {
  const problem = safePathProblem(path);
  if (problem) throw packageInvalid("unsafe_path", `Unsafe path in package: ${JSON.stringify(path)} (${problem})`, { path });
}

function checkSymlink(path: string, target: string): void {
  if (symlinkEscapes(path, target)) {
    throw packageInvalid("unsafe_symlink", `Symlink ${JSON.stringify(path)} points outside the package (${JSON.stringify(target)})`, {
      path,
      target,
    });
  }
}

/** Streams contents.tar.gz into memory while enforcing the limits; `finish` assembles the outer tar. */
class TarballAssembler {
  readonly tar: TarWriter;
  #gz: GzipWriter;
  #gzChunks: Uint8Array[] = [];
  #maxSize: number;
  #maxUncompressed: number;

  constructor(opts: BuildTarballOptions) {
    this.#maxSize = opts.maxSize ?? TARBALL_MAX_SIZE;
    this.#maxUncompressed = opts.maxUncompressedSize ?? TARBALL_MAX_UNCOMPRESSED_SIZE;
    let gzSize = 0;
    this.#gz = new GzipWriter((chunk) => {
      this.#gzChunks.push(chunk);
      gzSize += chunk.length;
      if (gzSize > this.#maxSize) this.#tooBig();
    });
    this.tar = new TarWriter((chunk) => {
      if (this.tar.size > this.#maxUncompressed) this.#tooBigUncompressed();
      this.#gz.push(chunk);
    });
  }

  /** Fail before reading anything when the planned contents already exceed the uncompressed limit. */
  checkPlannedSize(size: number): void {
    if (size > this.#maxUncompressed) this.#tooBigUncompressed();
  }

  #tooBig(): never {
    throw packageInvalid("too_big_compressed", `The package tarball is larger than ${this.#maxSize} bytes`, { limit: this.#maxSize });
  }

  #tooBigUncompressed(): never {
    throw packageInvalid("too_big_uncompressed", `The package contents are larger than ${this.#maxUncompressed} bytes uncompressed`, {
      limit: this.#maxUncompressed,
    });
  }

  finish(metadataConfig: Uint8Array): PackageTarball {
    this.tar.finish();
    this.#gz.finish();
    const contentsSize = this.tar.size;
    const gzSize = this.#gz.size;
    const inner = sha256Hex(TARBALL_VERSION, metadataConfig, ...this.#gzChunks);
    const total =
      4 * BLOCK_SIZE +
      [TARBALL_VERSION.length, 64, metadataConfig.length, gzSize].reduce((sum, n) => sum + n + paddingSize(n), 0) +
      2 * BLOCK_SIZE;
    if (total > this.#maxSize) this.#tooBig();

    const out = new Uint8Array(total);
    let at = 0;
    const outer = new TarWriter((chunk) => {
      out.set(chunk, at);
      at += chunk.length;
    });
    outer.addFile("VERSION", TARBALL_VERSION);
    outer.addFile("CHECKSUM", new TextEncoder().encode(inner.toUpperCase()));
    outer.addFile("metadata.config", metadataConfig);
    outer.beginFile("contents.tar.gz", gzSize);
    for (let i = 0; i < this.#gzChunks.length; i++) {
      outer.write(this.#gzChunks[i]!);
      this.#gzChunks[i] = EMPTY;
    }
    outer.endFile();
    outer.finish();
    return { tarball: out, innerChecksum: inner, outerChecksum: sha256Hex(out), metadataConfig, contentsSize };
  }
}

const EMPTY = new Uint8Array(0);

function checkMetadataSize(metadataConfig: Uint8Array): void {
  if (metadataConfig.length > METADATA_MAX_SIZE) {
    throw packageInvalid("metadata_too_big", `metadata.config is larger than ${METADATA_MAX_SIZE} bytes`, { limit: METADATA_MAX_SIZE });
  }
}

const fileData = (contents: Uint8Array | string) => (typeof contents === "string" ? new TextEncoder().encode(contents) : contents);

/**
 * Builds a package tarball from metadata and in-memory entries, written in the given order, exactly as
 * hex_core's `hex_tarball:create/2` would (memory files get mode 0100644).
 */
export async function createPackageTarball(
  metadata: MetadataInput,
  files: readonly TarballInputFile[],
  opts: Omit<BuildTarballOptions, "onProgress" | "signal"> = {},
): Promise<PackageTarball> {
  for (const f of files) {
    checkPath(f.path);
    if (f.type === "symlink") checkSymlink(f.path, f.linkTarget);
  }
  const metadataConfig = await encodeMetadata(metadata);
  checkMetadataSize(metadataConfig);
  const asm = new TarballAssembler(opts);
  for (const f of files) {
    if (f.type === "dir") asm.tar.addDirectory(f.path, f.mode ?? 0o40755);
    else if (f.type === "symlink") asm.tar.addSymlink(f.path, f.linkTarget, f.mode ?? 0o120777);
    else asm.tar.addFile(f.path, fileData(f.contents), f.mode ?? MODE_FILE);
  }
  return asm.finish(metadataConfig);
}

// ---- streaming from disk ----

const SMALL_FILE = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;
const PREFETCH_FILES = 32;
const PREFETCH_BYTES = 8 * 1024 * 1024;

type Opened = { size: number; data: Uint8Array } | { size: number; handle: FileHandle };

async function openDiskFile(file: Extract<PackageFile, { kind: "file" }>): Promise<Opened> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file.diskPath, "r");
    const st = await handle.stat();
    if (!st.isFile()) throw packageInvalid("not_a_file", `${file.path} is not a regular file`, { path: file.path });
    if (st.size > SMALL_FILE) {
      const result = { size: st.size, handle };
      handle = undefined;
      return result;
    }
    const data = new Uint8Array(st.size);
    await readExactly(handle, data, 0, file.path);
    return { size: st.size, data };
  } catch (e) {
    if (e instanceof HextsError) throw e;
    throw new HextsError("IO", `Could not read ${file.path}: ${(e as Error).message}`, { cause: e, details: { path: file.path } });
  } finally {
    await handle?.close();
  }
}

async function readExactly(handle: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw packageInvalid("file_changed", `${path} changed while the package was being built`, { path });
    done += bytesRead;
  }
}

/** Sum of the inner tar's bytes for the planned entries, using the sizes the file list carries. */
function plannedContentsSize(files: readonly PackageFile[]): number {
  let size = 2 * BLOCK_SIZE;
  for (const f of files) {
    if (f.kind === "dir" && !f.empty) continue;
    const dataSize = f.kind === "file" ? f.size : f.kind === "memory" ? f.contents.length : 0;
    const type = f.kind === "dir" ? "dir" : f.kind === "symlink" ? "symlink" : "file";
    const header = encodeHeader({ path: f.path, type, mode: 0, size: dataSize, linkTarget: f.kind === "symlink" ? f.target : undefined });
    size += header.length + dataSize + paddingSize(dataSize);
  }
  return size;
}

/**
 * Builds the package tarball for `hexts build`/`publish`: entries are written in list order, disk files
 * are read one at a time (with a small read-ahead) and streamed through the tar writer and gzip, so the
 * uncompressed contents are never held whole. Limits are enforced as it goes (PACKAGE_INVALID with
 * `details.reason` `too_big_compressed`, `too_big_uncompressed`, `metadata_too_big`, `unsafe_path`, ...).
 * A non-empty directory entry is skipped, as hex_core does. Same bytes as `createPackageTarball`.
 */
export async function buildPackageTarball(
  metadata: MetadataInput,
  files: readonly PackageFile[],
  opts: BuildTarballOptions = {},
): Promise<PackageTarball> {
  for (const f of files) {
    checkPath(f.path);
    if (f.kind === "symlink") checkSymlink(f.path, f.target);
  }
  const metadataConfig = await encodeMetadata(metadata);
  checkMetadataSize(metadataConfig);
  const asm = new TarballAssembler(opts);
  asm.checkPlannedSize(plannedContentsSize(files));

  const entries = files.filter((f) => f.kind !== "dir" || f.empty);
  const totalBytes = entries.reduce((n, f) => n + (f.kind === "file" ? f.size : f.kind === "memory" ? f.contents.length : 0), 0);
  const progress: BuildProgress = { files: 0, totalFiles: entries.length, bytes: 0, totalBytes };
  const pending = new Map<number, Promise<Opened>>();
  let nextToOpen = 0;
  let bytesAhead = 0;
  const fill = (from: number) => {
    nextToOpen = Math.max(nextToOpen, from);
    while (nextToOpen < entries.length && nextToOpen - from < PREFETCH_FILES && bytesAhead < PREFETCH_BYTES) {
      const f = entries[nextToOpen]!;
      if (f.kind === "file") {
        const p = openDiskFile(f);
        p.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
        pending.set(nextToOpen, p);
        bytesAhead += Math.min(f.size, SMALL_FILE);
      }
      nextToOpen++;
    }
  };

  try {
    for (let i = 0; i < entries.length; i++) {
      opts.signal?.throwIfAborted();
      fill(i);
      const f = entries[i]!;
      progress.path = f.path;
      if (f.kind === "memory") {
        asm.tar.addFile(f.path, f.contents, MODE_FILE);
        progress.bytes += f.contents.length;
      } else if (f.kind === "dir") {
        asm.tar.addDirectory(f.path, f.mode);
      } else if (f.kind === "symlink") {
        asm.tar.addSymlink(f.path, f.target, f.mode);
      } else {
        const opened = await pending.get(i)!;
        pending.delete(i);
        bytesAhead -= Math.min(f.size, SMALL_FILE);
        if ("data" in opened) {
          asm.tar.addFile(f.path, opened.data, f.mode);
          progress.bytes += opened.size;
        } else {
          await streamLargeFile(asm.tar, f, opened, progress, opts);
        }
      }
      progress.files++;
      opts.onProgress?.({ ...progress });
    }
    return asm.finish(metadataConfig);
  } finally {
    for (const p of pending.values()) {
      p.then((o) => ("handle" in o ? o.handle.close() : undefined)).catch(() => undefined);
    }
  }
}

async function streamLargeFile(
  tar: TarWriter,
  file: Extract<PackageFile, { kind: "file" }>,
  opened: { size: number; handle: FileHandle },
  progress: BuildProgress,
  opts: BuildTarballOptions,
): Promise<void> {
  const { size, handle } = opened;
  try {
    tar.beginFile(file.path, size, file.mode);
    const readAt = async (position: number) => {
      const buf = new Uint8Array(Math.min(READ_CHUNK, size - position));
      await readExactly(handle, buf, position, file.path);
      return buf;
    };
    let next: Promise<Uint8Array> | undefined = readAt(0);
    for (let position = 0; position < size; ) {
      const chunk: Uint8Array = await next!;
      position += chunk.length;
      next = position < size ? readAt(position) : undefined;
      next?.catch(() => undefined);
      tar.write(chunk); // compresses while the next chunk is being read
      progress.bytes += chunk.length;
      opts.signal?.throwIfAborted();
    }
    tar.endFile();
  } catch (e) {
    if (e instanceof HextsError || (e as Error).name === "AbortError") throw e;
    throw new HextsError("IO", `Could not read ${file.path}: ${(e as Error).message}`, { cause: e, details: { path: file.path } });
  } finally {
    await handle.close();
  }
}

// ---- unpacking ----

export interface UnpackOptions {
  /** The release's outer checksum from the registry (hex, either case); a mismatch is rejected. */
  expectedOuterChecksum?: string;
  maxSize?: number;
  maxUncompressedSize?: number;
}

export interface UnpackedEntry {
  /** Normalised as hex_core reads it (`a//b` → `a/b`, `a/./b` → `a/b`). */
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  contents: Uint8Array;
  linkTarget?: string;
}

export interface UnpackedPackage {
  /** What `decodeMetadataConfig` returns for metadata.config. */
  metadata: unknown;
  metadataConfig: Uint8Array;
  files: UnpackedEntry[];
  innerChecksum: string;
  outerChecksum: string;
}

const tarballInvalid = (reason: string, message: string, details: Record<string, unknown> = {}, cause?: unknown) =>
  new HextsError("TARBALL_INVALID", message, { details: { reason, ...details }, cause });

function readOuter(bytes: Uint8Array): Map<string, Uint8Array> {
  let members;
  try {
    members = readTar(bytes);
  } catch (e) {
    if (e instanceof TarReadError) throw tarballInvalid(e.reason, `Not a valid package tarball: ${e.message}`, {}, e);
    throw e;
  }
  if (members.length === 0) throw tarballInvalid("empty", "The package tarball is empty");
  const found = new Map<string, Uint8Array>();
  for (const m of members) {
    if (!(OUTER_NAMES as readonly string[]).includes(m.path)) {
      throw tarballInvalid("unexpected_entry", `Unexpected entry in the package tarball: ${JSON.stringify(m.path)}`, { path: m.path });
    }
    if (found.has(m.path)) throw tarballInvalid("duplicate_entry", `Duplicate entry in the package tarball: ${m.path}`, { path: m.path });
    if (m.type !== "file") throw tarballInvalid("unexpected_entry", `${m.path} is not a regular file`, { path: m.path });
    found.set(m.path, m.data);
  }
  const missing = OUTER_NAMES.filter((n) => !found.has(n));
  if (missing.length > 0) throw tarballInvalid("missing_files", `The package tarball lacks ${missing.join(", ")}`, { files: missing });
  const limits: Record<string, number> = { VERSION: VERSION_MAX_SIZE, CHECKSUM: CHECKSUM_MAX_SIZE, "metadata.config": METADATA_MAX_SIZE };
  for (const [name, limit] of Object.entries(limits)) {
    if (found.get(name)!.length > limit) throw tarballInvalid("file_too_big", `${name} is larger than ${limit} bytes`, { file: name, limit });
  }
  return found;
}

async function decodeMetadata(bytes: Uint8Array): Promise<unknown> {
  const { decodeMetadataConfig } = await import("../erlang/metadata-config.js");
  try {
    return decodeMetadataConfig(bytes);
  } catch (e) {
    throw tarballInvalid("metadata_invalid", `metadata.config cannot be read: ${(e as Error).message}`, {}, e);
  }
}

function checkContents(members: ReturnType<typeof readTar>): UnpackedEntry[] {
  const seen = new Set<string>();
  return members.map((m) => {
    const problem = safePathProblem(m.path);
    if (problem) throw tarballInvalid("unsafe_path", `Unsafe path in package contents: ${JSON.stringify(m.path)} (${problem})`, { path: m.path });
    const path = normalizeTarPath(m.path);
    if (seen.has(path)) throw tarballInvalid("duplicate_entry", `Duplicate entry in package contents: ${path}`, { path });
    seen.add(path);
    const entry: UnpackedEntry = { path, type: m.type, mode: m.mode, contents: m.data };
    if (m.type === "symlink") {
      const target = m.linkTarget ?? "";
      if (target === "" || symlinkEscapes(path, target)) {
        throw tarballInvalid("unsafe_symlink", `Symlink ${JSON.stringify(path)} points outside the package (${JSON.stringify(target)})`, {
          path,
          target,
        });
      }
      entry.linkTarget = target;
    }
    return entry;
  });
}

/**
 * Unpacks and verifies a package tarball in memory: outer checksum (against the registry's when given),
 * the four outer entries and nothing else, VERSION 3, CHECKSUM = recomputed inner checksum, size limits,
 * metadata.config, and safe contents (no absolute or escaping paths, symlinks staying inside). Throws
 * TARBALL_INVALID with a stable `details.reason`.
 */
export async function unpackPackageTarball(bytes: Uint8Array, opts: UnpackOptions = {}): Promise<UnpackedPackage> {
  const maxSize = opts.maxSize ?? TARBALL_MAX_SIZE;
  const maxUncompressed = opts.maxUncompressedSize ?? TARBALL_MAX_UNCOMPRESSED_SIZE;
  if (bytes.length > maxSize) throw tarballInvalid("too_big", `The package tarball is larger than ${maxSize} bytes`, { limit: maxSize });
  const outerChecksum = sha256Hex(bytes);
  if (opts.expectedOuterChecksum !== undefined) {
    const expected = parseChecksumHex(opts.expectedOuterChecksum);
    if (expected !== outerChecksum) {
      throw tarballInvalid("outer_checksum_mismatch", "The package tarball does not match the registry's checksum", {
        expected: opts.expectedOuterChecksum.toLowerCase(),
        actual: outerChecksum,
      });
    }
  }

  const outer = readOuter(bytes);
  const version = outer.get("VERSION")!;
  const versionText = new TextDecoder().decode(version);
  if (versionText !== "3") throw tarballInvalid("bad_version", `Unsupported package tarball version ${JSON.stringify(versionText)}`, { version: versionText });
  const declared = parseChecksumHex(new TextDecoder().decode(outer.get("CHECKSUM")!));
  if (!declared) throw tarballInvalid("invalid_inner_checksum", "The CHECKSUM entry is not a 64-digit hex SHA-256");
  const metadataConfig = outer.get("metadata.config")!;
  const contentsGz = outer.get("contents.tar.gz")!;
  const inner = computeInnerChecksum(version, metadataConfig, contentsGz);
  if (inner !== declared) {
    throw tarballInvalid("inner_checksum_mismatch", "The package contents do not match its CHECKSUM", { expected: declared, actual: inner });
  }
  const metadata = await decodeMetadata(metadataConfig);

  if (!isGzip(contentsGz)) throw tarballInvalid("contents_not_gzip", "contents.tar.gz is not gzip-compressed");
  let contentsTar: Uint8Array;
  try {
    contentsTar = gunzip(contentsGz, maxUncompressed);
  } catch (e) {
    if (e instanceof GunzipError && e.reason === "too_big") {
      throw tarballInvalid("too_big_uncompressed", `The package contents are larger than ${maxUncompressed} bytes uncompressed`, { limit: maxUncompressed }, e);
    }
    throw tarballInvalid("contents_corrupt", `contents.tar.gz cannot be decompressed: ${(e as Error).message}`, {}, e);
  }
  let members;
  try {
    members = readTar(contentsTar);
  } catch (e) {
    if (e instanceof TarReadError) throw tarballInvalid(e.reason === "truncated" ? "contents_corrupt" : e.reason, `contents.tar.gz holds an invalid tar: ${e.message}`, {}, e);
    throw e;
  }
  return { metadata, metadataConfig, files: checkContents(members), innerChecksum: inner, outerChecksum };
}
