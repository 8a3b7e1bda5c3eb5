// The tar format hex_core writes (its copy of OTP erl_tar), reproduced byte for byte, plus a strict reader.
// Rules: vectors/README.md §2 "Tar headers" and "Long and non-ASCII names", HEX_PROTOCOL.md §5.2.

import { concatBytes } from "../bytes.js";
import { erlBasename, erlDirname, erlJoin } from "./paths.js";

export const BLOCK_SIZE = 512;
/** 2000-01-01T00:00:00Z, the mtime hex_core writes on every member. */
export const TAR_MTIME = 946_684_800;
export const MODE_FILE = 0o100644;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

export type TarEntryType = "file" | "dir" | "symlink";

/** One member to write: the header facts; a file's data follows through the writer. */
export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Permission bits, with or without the file-type bits (they are added from `type` when missing). */
  mode: number;
  /** Data size; 0 for directories and symlinks. */
  size: number;
  linkTarget?: string;
}

const encoder = new TextEncoder();
const ZERO_BLOCK = new Uint8Array(BLOCK_SIZE);
/** The end-of-archive marker: two zero blocks, no padding to a record. */
export const TAR_END = new Uint8Array(2 * BLOCK_SIZE);

export function paddingSize(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

export function paddingFor(size: number): Uint8Array {
  return ZERO_BLOCK.subarray(0, paddingSize(size));
}

/** The full st_mode hex_core records: permission bits plus the file-type bits of the entry. */
export function fullMode(type: TarEntryType, mode: number): number {
  if ((mode & S_IFMT) !== 0) return mode;
  const typeBits = type === "file" ? S_IFREG : type === "dir" ? S_IFDIR : S_IFLNK;
  return typeBits | (mode & 0o7777);
}

const isAscii = (s: string) => !/[^\x00-\x7f]/.test(s);
const codePoints = (s: string) => Array.from(s).length;
const stripNonAscii = (s: string) => s.replace(/[^\x00-\x7f]/gu, "");

function octal(value: number, digits: number): string {
  const s = value.toString(8);
  if (s.length > digits) throw new RangeError(`tar: ${value} does not fit in ${digits} octal digits`);
  return s.padStart(digits, "0");
}

function put(block: Uint8Array, offset: number, text: string): void {
  block.set(encoder.encode(text), offset);
}

function checksumOf(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

/** PAX record data as erl_tar writes it, including its length off-by-one (README §7 `pax_length_quirk`). */
export function paxRecords(attrs: Record<string, string>): Uint8Array {
  let text = "";
  for (const key of Object.keys(attrs).sort()) {
    const value = attrs[key]!;
    const n = key.length + codePoints(value) + 3;
    const declared = String(n).length + n;
    const first = `${declared} ${key}=${value}\n`;
    const firstBytes = encoder.encode(first).length;
    text += firstBytes === declared ? first : `${firstBytes} ${key}=${value}\n`;
  }
  return encoder.encode(text);
}

/** Splits a long ASCII path into ustar name/prefix as erl_tar does, or returns undefined (then PAX is used). */
function splitUstar(path: string): { name: string; prefix: string } | undefined {
  if (path.length <= 100 || !isAscii(path)) return undefined;
  const parts = path.split("/").filter((p) => p !== "");
  const name = parts.pop()!;
  if (name.length >= 100) return undefined;
  let prefix: string | undefined;
  for (const part of parts) {
    const size = part.length + (prefix?.length ?? 0);
    if (size > 155) return undefined;
    prefix = prefix === undefined ? part : `${prefix}/${part}`;
  }
  // erl_tar's bound ignores the last separator, so a 156-byte prefix makes hex_core crash; we use PAX instead.
  if (prefix !== undefined && prefix.length > 155) return undefined;
  return { name, prefix: prefix ?? "" };
}

interface RawHeader {
  name: string;
  mode: number;
  size: number;
  typeflag: string;
  linkname: string;
}

function buildHeader(h: RawHeader): Uint8Array[] {
  const block = new Uint8Array(BLOCK_SIZE);
  const pax: Record<string, string> = {};
  if (h.name.length > 100 || !isAscii(h.name)) pax.path = h.name;
  else put(block, 0, h.name);
  put(block, 100, octal(h.mode, 7));
  put(block, 108, "0000000");
  put(block, 116, "0000000");
  if (h.size >= 8 ** 11) pax.size = String(h.size);
  else put(block, 124, octal(h.size, 11));
  put(block, 136, octal(TAR_MTIME, 11));
  put(block, 156, h.typeflag);
  if (codePoints(h.linkname) > 100 || !isAscii(h.linkname)) pax.linkpath = h.linkname;
  else put(block, 157, h.linkname);
  put(block, 329, "0000000");
  put(block, 337, "0000000");
  if (pax.path !== undefined) {
    const split = splitUstar(pax.path);
    if (split) {
      put(block, 0, split.name);
      put(block, 345, split.prefix);
      delete pax.path;
    }
  }
  put(block, 257, "ustar\0");
  put(block, 263, "00");
  put(block, 148, octal(checksumOf(block), 7));
  if (Object.keys(pax).length === 0) return [block];

  const data = paxRecords(pax);
  let paxName = stripNonAscii(erlJoin(erlDirname(h.name), "PaxHeaders.0", erlBasename(h.name)));
  if (paxName.length > 100) paxName = paxName.slice(0, 99);
  const paxHeader = buildHeader({ name: paxName, mode: MODE_FILE, size: data.length, typeflag: "x", linkname: "" });
  return [...paxHeader, data, paddingFor(data.length), block];
}

/** The header bytes of one member (a PAX member first when needed); its data and padding come after. */
export function encodeHeader(entry: TarEntry): Uint8Array {
  const mode = fullMode(entry.type, entry.mode);
  const raw: RawHeader =
    entry.type === "dir"
      ? { name: `${entry.path}/`, mode, size: 0, typeflag: "5", linkname: "" }
      : entry.type === "symlink"
        ? { name: entry.path, mode, size: 0, typeflag: "2", linkname: entry.linkTarget ?? "" }
        : { name: entry.path, mode, size: entry.size, typeflag: "0", linkname: "" };
  return concatBytes(buildHeader(raw));
}

export { concatBytes };

/**
 * Writes a tar stream to `sink`, one member at a time, never holding more than the current chunk.
 * A file is either given whole (`addFile`) or streamed (`beginFile`, `write`..., `endFile`).
 */
export class TarWriter {
  #sink: (chunk: Uint8Array) => void;
  #remaining = 0;
  #pad = 0;
  #open = false;
  #finished = false;
  /** Bytes emitted so far. */
  size = 0;

  constructor(sink: (chunk: Uint8Array) => void) {
    this.#sink = sink;
  }

  #emit(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.size += chunk.length;
    this.#sink(chunk);
  }

  #ready(): void {
    if (this.#open) throw new Error("tar: previous file not finished");
    if (this.#finished) throw new Error("tar: archive already finished");
  }

  addFile(path: string, data: Uint8Array, mode = MODE_FILE): void {
    this.beginFile(path, data.length, mode);
    this.write(data);
    this.endFile();
  }

  beginFile(path: string, size: number, mode = MODE_FILE): void {
    this.#ready();
    this.#emit(encodeHeader({ path, type: "file", mode, size }));
    this.#remaining = size;
    this.#pad = paddingSize(size);
    this.#open = true;
  }

  write(chunk: Uint8Array): void {
    if (!this.#open) throw new Error("tar: no file open");
    if (chunk.length > this.#remaining) throw new RangeError("tar: more data than the declared size");
    this.#remaining -= chunk.length;
    this.#emit(chunk);
  }

  endFile(): void {
    if (!this.#open) throw new Error("tar: no file open");
    if (this.#remaining !== 0) throw new RangeError(`tar: ${this.#remaining} bytes missing from the declared size`);
    this.#emit(ZERO_BLOCK.subarray(0, this.#pad));
    this.#open = false;
  }

  addDirectory(path: string, mode = 0o40755): void {
    this.#ready();
    this.#emit(encodeHeader({ path, type: "dir", mode, size: 0 }));
  }

  addSymlink(path: string, target: string, mode = 0o120777): void {
    this.#ready();
    this.#emit(encodeHeader({ path, type: "symlink", mode, size: 0, linkTarget: target }));
  }

  finish(): void {
    this.#ready();
    this.#emit(TAR_END);
    this.#finished = true;
  }
}

/** A member read back from a tar. `path` is as stored (after PAX/prefix), not normalised. */
export interface TarMember {
  path: string;
  type: TarEntryType;
  mode: number;
  size: number;
  linkTarget?: string;
  data: Uint8Array;
}

/** Why a tar could not be read; `reason` is stable (it becomes `details.reason` upstream). */
export class TarReadError extends Error {
  constructor(
    readonly reason: "truncated" | "bad_header" | "unsupported_entry" | "bad_pax" | "bad_end",
    message: string,
  ) {
    super(message);
    this.name = "TarReadError";
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function cString(block: Uint8Array, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  try {
    return decoder.decode(end < 0 ? field : field.subarray(0, end));
  } catch {
    throw new TarReadError("bad_header", "tar header field is not valid UTF-8");
  }
}

function parseOctal(block: Uint8Array, offset: number, width: number): number {
  const text = String.fromCharCode(...block.subarray(offset, offset + width))
    .replace(/[\0 ]+/g, " ")
    .trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarReadError("bad_header", "tar header has a non-octal number field");
  return parseInt(text, 8);
}

/**
 * PAX records: `<len> <key>=<value>\n`. The declared length is checked against the record, tolerating the
 * one-byte-short length hex_core writes when fixing it up adds a digit.
 */
export function parsePaxRecords(data: Uint8Array): Record<string, string> {
  const text = (() => {
    try {
      return decoder.decode(data);
    } catch {
      throw new TarReadError("bad_pax", "PAX header is not valid UTF-8");
    }
  })();
  const out: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = /^(\d+) ([^=\n]+)=([^\n]*)\n/.exec(rest);
    if (!m) throw new TarReadError("bad_pax", "malformed PAX record");
    const actual = encoder.encode(m[0]).length;
    const declared = Number(m[1]);
    if (declared !== actual && declared !== actual - 1)
      throw new TarReadError("bad_pax", "PAX record length does not match");
    out[m[2]!] = m[3]!;
    rest = rest.slice(m[0].length);
  }
  return out;
}

export interface ReadTarOptions {
  /** Refuse an archive whose members' data add up to more than this many bytes. */
  maxDataSize?: number;
  onTooBig?: () => Error;
}

/**
 * Reads every member of an uncompressed tar. Strict: header checksums are verified, only regular files,
 * directories, symlinks and PAX headers are accepted, and the archive must end with the zero blocks.
 */
export function readTar(bytes: Uint8Array, opts: ReadTarOptions = {}): TarMember[] {
  const members: TarMember[] = [];
  let pax: Record<string, string> = {};
  let at = 0;
  let total = 0;
  for (;;) {
    if (at + BLOCK_SIZE > bytes.length) throw new TarReadError("truncated", "tar archive ends unexpectedly");
    const block = bytes.subarray(at, at + BLOCK_SIZE);
    if (block.every((b) => b === 0)) {
      const next = bytes.subarray(at + BLOCK_SIZE, at + 2 * BLOCK_SIZE);
      if (next.length === BLOCK_SIZE && !next.every((b) => b === 0))
        throw new TarReadError("bad_end", "tar has data after an end block");
      if (next.length < BLOCK_SIZE) throw new TarReadError("truncated", "tar archive ends after one zero block");
      // Zero padding to a record size is fine; anything else after the end blocks is a second archive or junk.
      for (let k = at + 2 * BLOCK_SIZE; k < bytes.length; k++) {
        if (bytes[k] !== 0) throw new TarReadError("bad_end", "tar has data after its end blocks");
      }
      return members;
    }
    const stored = parseOctal(block, 148, 8);
    if (stored !== checksumOf(block))
      throw new TarReadError("bad_header", `tar header checksum mismatch at offset ${at}`);
    const typeflag = String.fromCharCode(block[156]!);
    const size = parseOctal(block, 124, 12);
    const dataStart = at + BLOCK_SIZE;
    const dataEnd = dataStart + size;
    if (dataEnd > bytes.length) throw new TarReadError("truncated", "tar member data is cut off");
    const data = bytes.subarray(dataStart, dataEnd);
    at = dataEnd + paddingSize(size);
    if (typeflag === "x") {
      pax = { ...pax, ...parsePaxRecords(data) };
      continue;
    }
    const type: TarEntryType | undefined =
      typeflag === "0" || typeflag === "\0"
        ? "file"
        : typeflag === "5"
          ? "dir"
          : typeflag === "2"
            ? "symlink"
            : undefined;
    if (!type)
      throw new TarReadError(
        "unsupported_entry",
        `tar member of type '${typeflag.replace("\0", "\\0")}' is not allowed`,
      );
    const magic = cString(block, 257, 6);
    const prefix = magic === "ustar" ? cString(block, 345, 155) : "";
    const name = cString(block, 0, 100);
    let path = pax.path ?? (prefix ? `${prefix}/${name}` : name);
    if (type === "dir" && path.endsWith("/")) path = path.slice(0, -1);
    const member: TarMember = {
      path,
      type,
      mode: parseOctal(block, 100, 8),
      size: type === "file" ? size : 0,
      data: type === "file" ? data : new Uint8Array(0),
    };
    if (type === "symlink") member.linkTarget = pax.linkpath ?? cString(block, 157, 100);
    if (pax.size !== undefined && type === "file")
      throw new TarReadError("unsupported_entry", "PAX size records are not supported");
    total += member.size;
    if (opts.maxDataSize !== undefined && total > opts.maxDataSize) {
      throw opts.onTooBig?.() ?? new TarReadError("unsupported_entry", "tar data too big");
    }
    members.push(member);
    pax = {};
  }
}
