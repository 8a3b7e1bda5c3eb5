// Unpacking and verifying an uploaded package tarball the way hex.pm does (hex_tarball:unpack to a
// directory), with hex_core's error texts (format_error/1, as recorded in vectors/tarballs_negative).
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { decodeMetadataConfig, MetadataConfigError } from "../../../src/erlang/metadata-config.js";
import { ErlMap, type MetaValue } from "../../../src/erlang/terms.js";
import { readTar, TarError, type TarEntry } from "./tar.js";

export interface UnpackedRelease {
  metadata: Record<string, unknown>;
  /** Lowercase hex. */
  innerChecksum: string;
  outerChecksum: string;
}

export interface UnpackLimits {
  tarballMaxSize: number;
  tarballMaxUncompressed: number;
}

const REQUIRED = ["VERSION", "CHECKSUM", "metadata.config", "contents.tar.gz"];
const OUTER_FILE_LIMITS: Record<string, number> = { VERSION: 32, CHECKSUM: 128, "metadata.config": 1024 * 1024 };

const tarReason: Record<string, string> = {
  eof: "Unexpected end of file",
  bad_header: "Unrecognized tar header format",
};

/** Returns the release data, or hex_core's error text (hex.pm puts it under `{"tar": ...}`). */
export function unpackRelease(
  tarball: Buffer,
  limits: UnpackLimits,
  opts: { contents?: boolean } = {},
): UnpackedRelease | { error: string } {
  if (tarball.length > limits.tarballMaxSize)
    return { error: "tarball error, Extraction size exceeds the configured max_size limit" };
  let outer: TarEntry[];
  try {
    const read = readTar(tarball);
    if (read === "too_big") return { error: "tarball error, Extraction size exceeds the configured max_size limit" };
    outer = read;
  } catch (error) {
    if (error instanceof TarError) return { error: `tarball error, ${tarReason[error.reason]}` };
    throw error;
  }
  const files = new Map<string, Buffer>();
  for (const entry of outer) {
    const limit = OUTER_FILE_LIMITS[entry.name];
    if (limit !== undefined && entry.data.length > limit) return { error: `file too big: ${entry.name}` };
    files.set(entry.name, entry.data);
  }
  const missing = REQUIRED.find((name) => !files.has(name));
  if (missing) return { error: `missing files: ["${missing}"]` };
  const version = files.get("VERSION")!;
  const checksumText = files.get("CHECKSUM")!.toString("latin1");
  const metadataBytes = files.get("metadata.config")!;
  const contents = files.get("contents.tar.gz")!;
  if (version.toString("latin1") !== "3") return { error: `unsupported version: ${erlBinary(version)}` };

  // Inferred: a CHECKSUM that is not hex makes hex_core crash (hex.pm would answer 500); we report it as invalid.
  const expected = /^([0-9a-fA-F]{2})*$/.test(checksumText) ? Buffer.from(checksumText, "hex") : Buffer.alloc(0);
  if (expected.length !== 32) return { error: "tarball error, unknown POSIX error" };
  const actual = createHash("sha256").update(version).update(metadataBytes).update(contents).digest();
  if (!expected.equals(actual)) {
    // Inferred layout: hex_core pretty-prints this term over several lines; the content is the same.
    return { error: `tarball error, {inner_checksum_mismatch,${erlBinary(expected)},${erlBinary(actual)}}` };
  }

  let metadata: Record<string, unknown>;
  try {
    metadata = toObject(decodeMetadataConfig(metadataBytes));
  } catch (error) {
    // Metadata that makes hex_core crash is a 500 on hex.pm: let it surface as one here too.
    if (!(error instanceof MetadataConfigError) || error.reason === "crash") throw error;
    return { error: metadataError(error) };
  }

  // hex.pm's first look at a /publish upload (mode `none`) reads the metadata only.
  const inner = opts.contents === false ? null : unpackContents(contents, limits.tarballMaxUncompressed);
  if (inner) return { error: inner };
  return {
    metadata,
    innerChecksum: actual.toString("hex"),
    outerChecksum: createHash("sha256").update(tarball).digest("hex"),
  };
}

/** The contents as hex_core's disk unpack checks them: readable, within the size limit, no escaping paths. */
function unpackContents(contents: Buffer, maxUncompressed: number): string | null {
  let tar: Buffer;
  if (contents[0] === 0x1f && contents[1] === 0x8b) {
    try {
      tar = gunzipSync(contents, { maxOutputLength: maxUncompressed + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        return `inner tarball error, too_big_uncompressed: ${maxUncompressed}`;
      return "inner tarball error, Unexpected end of file";
    }
    if (tar.length > maxUncompressed) return `inner tarball error, too_big_uncompressed: ${maxUncompressed}`;
  } else {
    // hex_core reads a plain tar in contents.tar.gz without complaint.
    tar = contents;
  }
  let entries: TarEntry[];
  try {
    const read = readTar(tar, maxUncompressed);
    if (read === "too_big") return `inner tarball error, too_big_uncompressed: ${maxUncompressed}`;
    entries = read;
  } catch (error) {
    if (error instanceof TarError) return `inner tarball error, ${tarReason[error.reason]}`;
    throw error;
  }
  for (const entry of entries) {
    // A leading "/" is stripped on extraction; ".." escaping the directory is refused.
    const path = entry.name.replace(/^\/+/, "");
    if (escapes(path.split("/")))
      return `inner tarball error, ${entry.name}: The path points above the current working directory`;
    if (entry.type === "symlink") {
      const dir = path.split("/").slice(0, -1);
      const target = entry.linkname.startsWith("/") ? null : [...dir, ...entry.linkname.split("/")];
      if (target === null || escapes(target)) return `inner tarball error, ${entry.linkname}: unknown POSIX error`;
    }
  }
  return null;
}

function escapes(segments: string[]): boolean {
  let depth = 0;
  for (const s of segments) {
    if (s === "..") depth--;
    else if (s !== "." && s !== "") depth++;
    if (depth < 0) return true;
  }
  return false;
}

function toObject(value: MetaValue | Record<string, unknown>): Record<string, unknown> {
  if (value instanceof ErlMap) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value.entries) if (typeof k === "string") out[k] = v;
    return out;
  }
  return value as Record<string, unknown>;
}

/**
 * hex_core's format_error: ": invalid terms", ": not in key-value format", and for lexer errors the
 * lexer's own text glued on without a separator ("error reading package metadataillegal atom foo").
 */
function metadataError(error: MetadataConfigError): string {
  const prefix = "error reading package metadata";
  if (error.reason === "invalid_terms" || error.reason === "not_key_value") return error.message;
  return prefix + error.message.replace(/^error reading package metadata: /, "");
}

/** An Erlang binary as `~p` prints it: a quoted string when printable ASCII, else its bytes. */
export function erlBinary(bytes: Buffer): string {
  if (bytes.length > 0 && bytes.every((b) => b >= 0x20 && b < 0x7f)) {
    return `<<"${bytes.toString("latin1").replace(/["\\]/g, (c) => `\\${c}`)}">>`;
  }
  return `<<${[...bytes].join(",")}>>`;
}
