// Reproducible gzip, byte-identical to hex_core's (zlib 1.2.13 deflate, level 6, raw window 15, memLevel 8,
// no header fields). Node's zlib is a Chromium fork whose deflate output differs, so compression runs the
// reference zlib compiled to WebAssembly (zlib-wasm.ts); node:zlib is used for CRC-32 and decompression only.
import { crc32, gunzipSync } from "node:zlib";
import { DeflateThread } from "./deflate-thread.js";
import { RawDeflate } from "./zlib-wasm.js";

/** ID1 ID2 CM FLG MTIME(4) XFL OS: no name, mtime 0, XFL 0, OS 0 (HEX_PROTOCOL.md §5.3). */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x00);

export interface GzipWriterOptions {
  /**
   * The sink copies each chunk before it returns, so it may be handed a view of the compressor's memory
   * (valid only during the call) instead of a fresh copy. Default false: the sink may keep its chunks.
   */
  sinkCopies?: boolean;
  /**
   * Compress on a worker thread (deflate-thread.ts) while the caller goes on: output then reaches the sink
   * between the caller's awaits; the caller awaits `ready()` now and then and ends with `close()`.
   */
  thread?: boolean;
}

/**
 * Streaming gzip writer: `push` input in any chunking, `finish` (or `close`) once. Output goes to `sink` as it
 * is made; the bytes are identical to compressing the whole input at once, on this thread or a worker's.
 */
export class GzipWriter {
  #deflate: RawDeflate | DeflateThread;
  #sink: (chunk: Uint8Array) => void;
  #crc = 0;
  #inputSize = 0;
  #done = false;
  /** Compressed bytes emitted so far (header included). */
  size = 0;

  constructor(sink: (chunk: Uint8Array) => void, opts: GzipWriterOptions = {}) {
    this.#sink = sink;
    const copy = !opts.sinkCopies;
    this.#emit(copy ? GZIP_HEADER.slice() : GZIP_HEADER);
    const onData = (view: Uint8Array) => this.#emit(copy ? view.slice() : view);
    this.#deflate = opts.thread ? new DeflateThread(onData) : new RawDeflate(onData);
  }

  #emit(chunk: Uint8Array): void {
    this.size += chunk.length;
    this.#sink(chunk);
  }

  /** Uncompressed bytes pushed so far. */
  get inputSize(): number {
    return this.#inputSize;
  }

  push(chunk: Uint8Array): void {
    if (this.#done) throw new Error("gzip: already finished");
    if (chunk.length === 0) return;
    this.#crc = crc32(chunk, this.#crc);
    this.#inputSize += chunk.length;
    this.#deflate.write(chunk);
  }

  /** Resolves when the writer may take more input (on a worker thread: once the worker has caught up enough). */
  ready(): Promise<void> | undefined {
    return this.#deflate instanceof DeflateThread ? this.#deflate.ready() : undefined;
  }

  /** Ends the stream (synchronous writers only; a threaded one ends with `close()`). */
  finish(): void {
    if (this.#deflate instanceof DeflateThread) throw new Error("gzip: a threaded writer ends with close()");
    this.#beginEnd();
    this.#deflate.end();
    this.#trailer();
  }

  /** Ends the stream, threaded or not; resolves once every byte went to the sink. */
  async close(): Promise<void> {
    this.#beginEnd();
    await this.#deflate.end();
    this.#trailer();
  }

  /** Stops compressing without finishing (after a failure elsewhere); a worker thread is stopped. */
  abort(): void {
    this.#done = true;
    this.#deflate.free();
  }

  #beginEnd(): void {
    if (this.#done) throw new Error("gzip: already finished");
    this.#done = true;
  }

  #trailer(): void {
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, this.#crc >>> 0, true);
    view.setUint32(4, this.#inputSize % 2 ** 32, true);
    this.#emit(trailer);
  }
}

/** One-shot reproducible gzip of `data`. */
export function gzip(data: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new GzipWriter((c) => chunks.push(c));
  writer.push(data);
  writer.finish();
  return Buffer.concat(chunks);
}

export const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

export class GunzipError extends Error {
  constructor(
    readonly reason: "not_gzip" | "corrupt" | "too_big",
    message: string,
  ) {
    super(message);
    this.name = "GunzipError";
  }
}

/** Decompresses a gzip member, refusing output over `maxSize` bytes (a decompression bomb stops there). */
export function gunzip(bytes: Uint8Array, maxSize: number): Uint8Array {
  if (!isGzip(bytes)) throw new GunzipError("not_gzip", "data is not gzip-compressed");
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, maxSize) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE")
      throw new GunzipError("too_big", `data inflates to more than ${maxSize} bytes`);
    throw new GunzipError("corrupt", `gzip data is corrupt: ${(e as Error).message}`);
  }
}
