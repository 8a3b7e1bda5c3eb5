// Package tarballs (HEX_PROTOCOL.md §5): create them byte for byte as hex_core does, from memory or streamed
// from disk, and unpack/verify downloaded ones more strictly than hex_core (vectors/README.md §3).
import { METADATA_MAX_SIZE, TARBALL_MAX_SIZE, TARBALL_MAX_UNCOMPRESSED_SIZE } from "../bytes.js";
import { HextsError } from "../errors.js";
import type { PackageFile } from "./types.js";
import { decodeMetadataConfig, encodeMetadataConfig, MetadataConfigError } from "../erlang/metadata-config.js";
import type { ErlMap, MetaObject, MetaValue } from "../erlang/terms.js";
import { innerChecksum as computeInnerChecksum, parseChecksumHex, sha256Hex } from "./checksum.js";
import { crc32, inflateRawSync } from "node:zlib";
import { isGzip } from "./gzip.js";
import {
  CompressedTar,
  checkEntryPath,
  checkEntrySymlink,
  checkEntryTree,
  packageInvalid,
  writeEntries,
  type BuildTarballOptions,
} from "./contents.js";
import { EntryTree, safePathProblem, normalizeTarPath, type TreeProblem } from "./paths.js";
import { BLOCK_SIZE, MODE_FILE, TarReadError, TarWriter, paddingSize, readTar } from "./tar.js";

export { type BuildProgress, type BuildTarballOptions } from "./contents.js";
export { METADATA_MAX_SIZE, TARBALL_MAX_SIZE, TARBALL_MAX_UNCOMPRESSED_SIZE };
const VERSION_MAX_SIZE = 32;
const CHECKSUM_MAX_SIZE = 128;

const TARBALL_VERSION = new TextEncoder().encode("3");
const OUTER_NAMES = ["VERSION", "CHECKSUM", "metadata.config", "contents.tar.gz"] as const;

/**
 * Metadata as accepted by the metadata.config encoder (plain JSON-like data: objects become Erlang maps,
 * arrays lists, strings binaries, booleans atoms; or its Erlang term values), or the already encoded
 * metadata.config bytes.
 */
export type MetadataInput = MetaObject | ErlMap<MetaValue> | Uint8Array;

/**
 * A file given from memory (mode defaults to 0100644), a directory (written only when no entry lies under it),
 * or a symlink.
 */
export type TarballInputFile =
  | { path: string; type?: "file"; contents: Uint8Array | string; mode?: number }
  | { path: string; type: "dir"; mode?: number }
  | { path: string; type: "symlink"; linkTarget: string; mode?: number };

export interface PackageTarball {
  /**
   * The whole outer tar, as uploaded. A view into a buffer of the size limit (the unused tail is never
   * touched): use its byteOffset/byteLength, not `.buffer` alone.
   */
  tarball: Uint8Array;
  /** SHA-256 of VERSION ‖ metadata.config ‖ contents.tar.gz, lowercase hex (the CHECKSUM entry, lowercased). */
  innerChecksum: string;
  /** SHA-256 of the whole tarball, lowercase hex: the checksum hex.pm and the clients show. */
  outerChecksum: string;
  metadataConfig: Uint8Array;
  /** Size of the uncompressed contents tar. */
  contentsSize: number;
}

function encodeMetadata(metadata: MetadataInput): Uint8Array {
  const bytes = metadata instanceof Uint8Array ? metadata : encodeMetadataConfig(metadata);
  if (bytes.length > METADATA_MAX_SIZE) {
    throw packageInvalid("metadata_too_big", `metadata.config is larger than ${METADATA_MAX_SIZE} bytes`, {
      limit: METADATA_MAX_SIZE,
    });
  }
  return bytes;
}

/** Bytes in front of contents.tar.gz's data: VERSION, CHECKSUM and metadata.config members, then its header. */
function outerReserve(metadataConfig: Uint8Array): number {
  return (
    [TARBALL_VERSION.length, 64, metadataConfig.length].reduce((sum, n) => sum + BLOCK_SIZE + n + paddingSize(n), 0) +
    BLOCK_SIZE
  );
}

/**
 * Completes the outer tar around a finished contents.tar.gz, in place: the gzip data already sits after
 * the space `outerReserve` kept, so only the first members, its header and the end blocks are written.
 */
async function assemble(contents: CompressedTar, metadataConfig: Uint8Array): Promise<PackageTarball> {
  const { gzip, contentsSize } = await contents.finish();
  const inner = sha256Hex(TARBALL_VERSION, metadataConfig, gzip);
  const total = contents.reserve + gzip.length + paddingSize(gzip.length) + 2 * BLOCK_SIZE;
  if (total > contents.maxSize) contents.tooBig();

  const out = contents.buffer;
  let at = 0;
  const front = new TarWriter((chunk) => {
    out.set(chunk, at);
    at += chunk.length;
  });
  front.addFile("VERSION", TARBALL_VERSION);
  front.addFile("CHECKSUM", new TextEncoder().encode(inner.toUpperCase()));
  front.addFile("metadata.config", metadataConfig);
  front.beginFile("contents.tar.gz", gzip.length); // the header only; data, padding and end blocks are zeros/in place
  if (at !== contents.reserve) throw new Error("tarball: outer header size mismatch");
  const tarball = out.subarray(0, total);
  return { tarball, innerChecksum: inner, outerChecksum: sha256Hex(tarball), metadataConfig, contentsSize };
}

const fileData = (contents: Uint8Array | string) =>
  typeof contents === "string" ? new TextEncoder().encode(contents) : contents;

/**
 * Builds a package tarball from metadata and in-memory entries, written in the given order, exactly as
 * hex_core's `hex_tarball:create/2` would (memory files get mode 0100644). Throws PACKAGE_INVALID.
 */
export async function createPackageTarball(
  metadata: MetadataInput,
  files: readonly TarballInputFile[],
  opts: Pick<BuildTarballOptions, "maxSize" | "maxUncompressedSize"> = {},
): Promise<PackageTarball> {
  for (const f of files) {
    checkEntryPath(f.path);
    if (f.type === "symlink") checkEntrySymlink(f.path, f.linkTarget);
  }
  checkEntryTree(
    files.map((f) => ({
      path: f.path,
      type: f.type ?? "file",
      linkTarget: f.type === "symlink" ? f.linkTarget : undefined,
    })),
  );
  const metadataConfig = encodeMetadata(metadata);
  const contents = new CompressedTar("package tarball", opts, outerReserve(metadataConfig));
  const parents = parentDirs(files);
  for (const f of files) {
    if (f.type === "dir") {
      // As hex_core does on disk: a directory is written only when empty (here: no entry lies under it).
      if (!parents.has(f.path.replace(/\/+$/, ""))) contents.tar.addDirectory(f.path, f.mode ?? 0o40755);
    } else if (f.type === "symlink") contents.tar.addSymlink(f.path, f.linkTarget, f.mode ?? 0o120777);
    else contents.tar.addFile(f.path, fileData(f.contents), f.mode ?? MODE_FILE);
  }
  return assemble(contents, metadataConfig);
}

/** Every directory that has some entry of the list below it (`a/b/c` gives `a` and `a/b`). */
function parentDirs(files: readonly { path: string }[]): Set<string> {
  const dirs = new Set<string>();
  for (const { path } of files) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return dirs;
}

/**
 * Builds the package tarball for `hexts build`/`publish` from a project reader's file list: entries are
 * written in list order, disk files are read one at a time (with a small read-ahead) and streamed through
 * the tar writer and gzip, so the uncompressed contents are never held whole. Limits are enforced as it
 * goes (PACKAGE_INVALID, `details.reason` `too_big_compressed`, `too_big_uncompressed`, `metadata_too_big`,
 * `unsafe_path`, `unsafe_symlink`, `file_changed`; IO for unreadable files). A non-empty directory entry is
 * skipped, as hex_core does. Same bytes as `createPackageTarball` for the same entries.
 */
export async function buildPackageTarball(
  metadata: MetadataInput,
  files: readonly PackageFile[],
  opts: BuildTarballOptions = {},
): Promise<PackageTarball> {
  for (const f of files) {
    checkEntryPath(f.path);
    if (f.kind === "symlink") checkEntrySymlink(f.path, f.target);
  }
  checkEntryTree(
    files.map((f) => ({
      path: f.path,
      type: f.kind === "memory" ? "file" : f.kind,
      linkTarget: f.kind === "symlink" ? f.target : undefined,
    })),
  );
  const metadataConfig = encodeMetadata(metadata);
  const contents = new CompressedTar("package tarball", opts, outerReserve(metadataConfig));
  contents.checkPlanned(files);
  await writeEntries(contents, files, opts);
  return assemble(contents, metadataConfig);
}

// ---- unpacking ----

const GZIP_FLAGS = { FHCRC: 2, FEXTRA: 4, FNAME: 8, FCOMMENT: 16, RESERVED: 0xe0 } as const;

/**
 * contents.tar.gz as exactly one gzip member: node's gunzip would append a second member's data and skip
 * some trailing bytes, so the header is read here, the deflate stream inflated alone, and its trailer
 * (CRC-32, size) checked; anything after the trailer is refused.
 */
function gunzipOneMember(gz: Uint8Array, maxSize: number): Uint8Array {
  const corrupt = (why: string, cause?: unknown) =>
    tarballInvalid("contents_corrupt", `contents.tar.gz cannot be decompressed: ${why}`, {}, cause);
  if (gz.length < 18 || gz[2] !== 8) throw corrupt("not a deflate gzip member");
  const flags = gz[3]!;
  if (flags & GZIP_FLAGS.RESERVED) throw corrupt("reserved gzip header flags are set");
  let at = 10;
  if (flags & GZIP_FLAGS.FEXTRA) at += 2 + (gz[at]! | (gz[at + 1]! << 8));
  for (const flag of [GZIP_FLAGS.FNAME, GZIP_FLAGS.FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (at < gz.length && gz[at] !== 0) at++;
    at++;
  }
  if (flags & GZIP_FLAGS.FHCRC) at += 2;
  if (at >= gz.length) throw corrupt("the gzip header is cut off");
  let data: Buffer;
  let consumed: number;
  try {
    const { buffer, engine } = inflateRawSync(gz.subarray(at), {
      maxOutputLength: Math.max(1, maxSize),
      info: true,
    }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    data = buffer;
    consumed = engine.bytesWritten;
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw tarballInvalid(
        "too_big_uncompressed",
        `The package contents are larger than ${maxSize} bytes uncompressed`,
        { limit: maxSize },
        e,
      );
    }
    throw corrupt((e as Error).message, e);
  }
  const trailer = at + consumed;
  if (trailer + 8 > gz.length) throw corrupt("the gzip trailer is cut off");
  const view = new DataView(gz.buffer, gz.byteOffset + trailer, 8);
  if (view.getUint32(0, true) !== crc32(data) >>> 0) throw corrupt("CRC-32 mismatch");
  if (view.getUint32(4, true) !== data.length % 2 ** 32) throw corrupt("size mismatch");
  if (trailer + 8 !== gz.length) {
    throw tarballInvalid("trailing_data", "contents.tar.gz holds data after its gzip member (a second member or junk)");
  }
  return data;
}

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
  /** metadata.config as `decodeMetadataConfig` reads it (hex_core's normalisation included). */
  metadata: MetaObject | ErlMap<MetaValue>;
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
      throw tarballInvalid("unexpected_entry", `Unexpected entry in the package tarball: ${JSON.stringify(m.path)}`, {
        path: m.path,
      });
    }
    if (found.has(m.path))
      throw tarballInvalid("duplicate_entry", `Duplicate entry in the package tarball: ${m.path}`, { path: m.path });
    if (m.type !== "file")
      throw tarballInvalid("unexpected_entry", `${m.path} is not a regular file`, { path: m.path });
    found.set(m.path, m.data);
  }
  const missing = OUTER_NAMES.filter((n) => !found.has(n));
  if (missing.length > 0)
    throw tarballInvalid("missing_files", `The package tarball lacks ${missing.join(", ")}`, { files: missing });
  const limits: Record<string, number> = {
    VERSION: VERSION_MAX_SIZE,
    CHECKSUM: CHECKSUM_MAX_SIZE,
    "metadata.config": METADATA_MAX_SIZE,
  };
  for (const [name, limit] of Object.entries(limits)) {
    if (found.get(name)!.length > limit)
      throw tarballInvalid("file_too_big", `${name} is larger than ${limit} bytes`, { file: name, limit });
  }
  return found;
}

function decodeMetadata(bytes: Uint8Array): MetaObject | ErlMap<MetaValue> {
  try {
    return decodeMetadataConfig(bytes);
  } catch (e) {
    // The decoder reports bad input as a HextsError; anything else (or "not implemented") is a bug, not bad data.
    // A hostile file that still got past the reader's limits (stack or string length) is bad data too.
    if (e instanceof RangeError)
      throw tarballInvalid("metadata_invalid", `metadata.config cannot be read: ${e.message}`, {}, e);
    if (!(e instanceof HextsError) || e.code === "NOT_IMPLEMENTED" || e.code === "INTERNAL") throw e;
    // Keep hex_core's verdict (e.g. `metadata.invalid_terms`, `{metadata,not_key_value}`) for callers and JSON output.
    const verdict = e instanceof MetadataConfigError ? { reasonTag: e.reasonTag, erlang: e.erlang } : {};
    throw tarballInvalid("metadata_invalid", `metadata.config cannot be read: ${e.message}`, verdict, e);
  }
}

/** Setuid, setgid and sticky bits: never handed on from a downloaded tarball. */
const SPECIAL_MODE_BITS = 0o7000;

function checkContents(members: ReturnType<typeof readTar>): UnpackedEntry[] {
  const tree = new EntryTree();
  const entries = members.map((m) => {
    const problem = safePathProblem(m.path);
    if (problem)
      throw tarballInvalid("unsafe_path", `Unsafe path in package contents: ${JSON.stringify(m.path)} (${problem})`, {
        path: m.path,
      });
    const path = normalizeTarPath(m.path);
    const entry: UnpackedEntry = { path, type: m.type, mode: m.mode & ~SPECIAL_MODE_BITS, contents: m.data };
    if (m.type === "symlink") entry.linkTarget = m.linkTarget ?? "";
    // Followed as an extractor writing the entries in order would follow them: links through links included.
    const unsafe = tree.add({ path, type: m.type, linkTarget: entry.linkTarget });
    if (unsafe) throw treeInvalid(unsafe);
    return entry;
  });
  const unsafe = tree.finish();
  if (unsafe) throw treeInvalid(unsafe);
  return entries;
}

const treeInvalid = (problem: TreeProblem) =>
  tarballInvalid(problem.reason, `Unsafe package contents: ${problem.message}`, { path: problem.path });

/**
 * Unpacks and verifies a package tarball in memory: outer checksum (against the registry's when given),
 * the four outer entries and nothing else, VERSION 3, CHECKSUM = recomputed inner checksum, size limits,
 * metadata.config, and safe contents (no absolute or escaping paths, symlinks staying inside). Throws
 * TARBALL_INVALID with a stable `details.reason`.
 */
export async function unpackPackageTarball(bytes: Uint8Array, opts: UnpackOptions = {}): Promise<UnpackedPackage> {
  const maxSize = opts.maxSize ?? TARBALL_MAX_SIZE;
  const maxUncompressed = opts.maxUncompressedSize ?? TARBALL_MAX_UNCOMPRESSED_SIZE;
  if (bytes.length > maxSize)
    throw tarballInvalid("too_big", `The package tarball is larger than ${maxSize} bytes`, { limit: maxSize });
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
  if (versionText !== "3")
    throw tarballInvalid("bad_version", `Unsupported package tarball version ${JSON.stringify(versionText)}`, {
      version: versionText,
    });
  const declared = parseChecksumHex(new TextDecoder().decode(outer.get("CHECKSUM")!));
  if (!declared) throw tarballInvalid("invalid_inner_checksum", "The CHECKSUM entry is not a 64-digit hex SHA-256");
  const metadataConfig = outer.get("metadata.config")!;
  const contentsGz = outer.get("contents.tar.gz")!;
  const inner = computeInnerChecksum(version, metadataConfig, contentsGz);
  if (inner !== declared) {
    throw tarballInvalid("inner_checksum_mismatch", "The package contents do not match its CHECKSUM", {
      expected: declared,
      actual: inner,
    });
  }
  const metadata = decodeMetadata(metadataConfig);

  if (!isGzip(contentsGz)) throw tarballInvalid("contents_not_gzip", "contents.tar.gz is not gzip-compressed");
  const contentsTar = gunzipOneMember(contentsGz, maxUncompressed);
  let members;
  try {
    members = readTar(contentsTar);
  } catch (e) {
    if (e instanceof TarReadError)
      throw tarballInvalid(
        e.reason === "truncated" ? "contents_corrupt" : e.reason,
        `contents.tar.gz holds an invalid tar: ${e.message}`,
        {},
        e,
      );
    throw e;
  }
  return { metadata, metadataConfig, files: checkContents(members), innerChecksum: inner, outerChecksum };
}
