// Raw deflate by the reference zlib 1.2.13 (the one that made hex_core's tarballs), compiled to WebAssembly
// (scripts/zlib-wasm). The module is compiled on first use, once per process; every stream lives in the one
// instance's memory, freed when it ends (or, if abandoned, when it is garbage-collected).
import { ZLIB_WASM_BASE64 } from "./zlib-wasm.generated.js";

// The WebAssembly JS API is in neither lib ES2023 nor @types/node 20; this is the part used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

interface ZlibExports {
  memory: { buffer: ArrayBuffer };
  hz_in_size(): number;
  hz_out_size(): number;
  hz_new(): number;
  hz_in(stream: number): number;
  hz_out(stream: number): number;
  hz_input(stream: number, length: number): void;
  hz_deflate(stream: number, flush: number): number;
  hz_done(stream: number, flush: number): number;
  hz_free(stream: number): void;
}

const Z_NO_FLUSH = 0;
const Z_FINISH = 4;

let zlib: ZlibExports | undefined;
let heap = new Uint8Array(0);
let freeAbandoned: FinalizationRegistry<number> | undefined;

function load(): ZlibExports {
  if (!zlib) {
    const module = new WebAssembly.Module(Buffer.from(ZLIB_WASM_BASE64, "base64"));
    zlib = new WebAssembly.Instance(module, {}).exports as unknown as ZlibExports;
    const z = zlib;
    freeAbandoned = new FinalizationRegistry((stream) => z.hz_free(stream));
  }
  return zlib;
}

/** The instance's memory as bytes; a new view after the memory grew (growing detaches the old buffer). */
function bytes(z: ZlibExports): Uint8Array {
  if (heap.buffer !== z.memory.buffer) heap = new Uint8Array(z.memory.buffer);
  return heap;
}

/** Bytes the WebAssembly memory holds now (it grows with the number of open streams, never shrinks). */
export const zlibMemorySize = () => load().memory.buffer.byteLength;

/**
 * A raw deflate stream with hex_core's parameters: level 6, windowBits -15, memLevel 8, default strategy.
 * Input is gathered in the stream's input buffer and compressed when it is full (so many small writes cost
 * no more than a few large ones); output goes to `onData` as a view of WebAssembly memory that is valid only
 * during the call, so the callback must copy what it keeps.
 */
export class RawDeflate {
  #z: ZlibExports;
  #stream: number;
  #in: number;
  #inSize: number;
  #out: number;
  #filled = 0;
  #onData: (view: Uint8Array) => void;

  constructor(onData: (view: Uint8Array) => void) {
    this.#z = load();
    this.#onData = onData;
    this.#stream = this.#z.hz_new();
    if (this.#stream === 0) throw new Error("zlib: deflateInit2 failed (out of memory)");
    this.#in = this.#z.hz_in(this.#stream);
    this.#inSize = this.#z.hz_in_size();
    this.#out = this.#z.hz_out(this.#stream);
    freeAbandoned!.register(this, this.#stream, this);
  }

  write(data: Uint8Array): void {
    if (this.#stream === 0) throw new Error("zlib: stream already ended");
    for (let at = 0; at < data.length;) {
      const n = Math.min(data.length - at, this.#inSize - this.#filled);
      bytes(this.#z).set(data.subarray(at, at + n), this.#in + this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#inSize) this.#deflate(Z_NO_FLUSH);
    }
  }

  /** Compresses what is left, ends the stream and frees it. */
  end(): void {
    if (this.#stream === 0) throw new Error("zlib: stream already ended");
    try {
      this.#deflate(Z_FINISH);
    } finally {
      this.free();
    }
  }

  /** Frees the stream without finishing it (after a failure); later calls throw. */
  free(): void {
    if (this.#stream === 0) return;
    freeAbandoned!.unregister(this);
    this.#z.hz_free(this.#stream);
    this.#stream = 0;
  }

  #deflate(flush: number): void {
    const z = this.#z;
    z.hz_input(this.#stream, this.#filled);
    this.#filled = 0;
    try {
      for (;;) {
        const produced = z.hz_deflate(this.#stream, flush);
        if (produced < 0) throw new Error(`zlib: deflate failed (${produced})`);
        if (produced > 0) this.#onData(bytes(z).subarray(this.#out, this.#out + produced));
        if (z.hz_done(this.#stream, flush)) return;
      }
    } catch (e) {
      this.free(); // a half-fed stream cannot go on
      throw e;
    }
  }
}
