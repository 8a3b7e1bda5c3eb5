// Raw deflate on a worker thread: the same zlib.wasm and parameters as RawDeflate (zlib-wasm.ts), so the same
// bytes, while the calling thread goes on reading files, writing tar headers and computing the CRC. Used for
// large tarballs only: starting a worker costs tens of milliseconds and about 13 MB of memory.
import { Worker } from "node:worker_threads";
import { ZLIB_WASM_BASE64 } from "./zlib-wasm.generated.js";

/** Input goes to the worker through shared slots of this size; output comes back through a shared ring. */
const SLOT_SIZE = 256 * 1024;
/** Slots sent and not yet compressed before `ready()` makes the writer wait: 2 MiB ahead of the worker. */
const MAX_IN_FLIGHT = 8;
const OUTPUT_RING_SIZE = 1024 * 1024;

/** `slot` -1: no data (the end of a stream whose last slot was already sent). */
type ToWorker = { slot: number; length: number; end: boolean };
/** `consumed`: a slot is free again; `output`: [start, length] of new bytes in the ring; `done`: the stream ended. */
type FromWorker = { consumed?: number; output?: [number, number]; done?: boolean; error?: string };
interface Shared {
  wasm: string;
  slotSize: number;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  /** One Int32: bytes of the output ring the worker may write (it waits when too few). */
  outputFree: SharedArrayBuffer;
}

/**
 * The worker's whole program, run from its source text (`eval`), so it works the same from src/ (tsx), from the
 * bundle in dist/ and from an installed package. Self-contained: it may use only its own names and Node globals.
 * It compiles zlib.wasm (given as base64) and deflates each slot it is told about (Z_NO_FLUSH, or Z_FINISH at
 * the end), copying the compressed bytes into the output ring as space allows and announcing them.
 */
function deflateWorkerMain(): void {
  // Not `require` or `import`: the bundler would rewrite those, and this function runs from its source text.
  const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
  const port = parentPort!;
  const shared = workerData as Shared;
  type Exports = {
    memory: { buffer: ArrayBuffer };
    hz_in_size(): number;
    hz_new(): number;
    hz_in(s: number): number;
    hz_out(s: number): number;
    hz_input(s: number, n: number): void;
    hz_deflate(s: number, flush: number): number;
    hz_done(s: number, flush: number): number;
    hz_free(s: number): void;
  };
  const wasm = (
    globalThis as unknown as {
      WebAssembly: {
        Module: new (b: Uint8Array) => object;
        Instance: new (m: object, i: object) => { exports: object };
      };
    }
  ).WebAssembly;
  const z = new wasm.Instance(new wasm.Module(Buffer.from(shared.wasm, "base64")), {}).exports as Exports;
  const stream = z.hz_new();
  if (stream === 0) throw new Error("zlib: deflateInit2 failed (out of memory)");
  const inPtr = z.hz_in(stream);
  const outPtr = z.hz_out(stream);
  const inSize = z.hz_in_size();
  const input = new Uint8Array(shared.input);
  const ring = new Uint8Array(shared.output);
  const free = new Int32Array(shared.outputFree);
  let writeAt = 0;
  const emit = (n: number) => {
    for (let have; (have = Atomics.load(free, 0)) < n;) Atomics.wait(free, 0, have);
    const bytes = new Uint8Array(z.memory.buffer, outPtr, n);
    const first = Math.min(n, ring.length - writeAt);
    ring.set(bytes.subarray(0, first), writeAt);
    ring.set(bytes.subarray(first), 0);
    Atomics.sub(free, 0, n);
    port.postMessage({ output: [writeAt, n] } satisfies FromWorker);
    writeAt = (writeAt + n) % ring.length;
  };
  const run = (flush: number) => {
    for (;;) {
      const n = z.hz_deflate(stream, flush);
      if (n < 0) throw new Error(`zlib: deflate failed (${n})`);
      if (n > 0) emit(n);
      if (z.hz_done(stream, flush)) return;
    }
  };
  port.on("message", (msg: ToWorker) => {
    try {
      if (msg.slot >= 0) {
        const data = input.subarray(msg.slot * shared.slotSize, msg.slot * shared.slotSize + msg.length);
        for (let at = 0; at < data.length; at += inSize) {
          const piece = data.subarray(at, at + inSize);
          new Uint8Array(z.memory.buffer).set(piece, inPtr);
          z.hz_input(stream, piece.length);
          run(0);
        }
        port.postMessage({ consumed: msg.slot } satisfies FromWorker);
      }
      if (msg.end) {
        z.hz_input(stream, 0);
        run(4);
        z.hz_free(stream);
        port.postMessage({ done: true } satisfies FromWorker);
        port.close();
      }
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
      port.close();
    }
  });
}

/**
 * A raw deflate stream compressed by a worker thread. `write` copies and never blocks; `ready()` resolves once
 * the worker has caught up to within a bounded lag (await it between writes of at most a few MiB, or input
 * piles up in memory); `end()` resolves when the last bytes have reached `onData`. Output reaches `onData` in
 * order, between the caller's awaits, as views of a shared ring valid only during the call. An error (from the
 * worker or thrown by `onData`) ends the stream and is thrown by the next `write`, `ready` or `end`.
 */
export class DeflateThread {
  #worker: Worker;
  #onData: (view: Uint8Array) => void;
  #input = new SharedArrayBuffer(SLOT_SIZE * MAX_IN_FLIGHT);
  #ring = new SharedArrayBuffer(OUTPUT_RING_SIZE);
  #ringFree = new Int32Array(new SharedArrayBuffer(4));
  #freeSlots = Array.from({ length: MAX_IN_FLIGHT }, (_, i) => MAX_IN_FLIGHT - 1 - i);
  /** The slot being filled, and how much of it is. */
  #slot: number | undefined;
  #filled = 0;
  /** Input written while every slot was taken, sent as slots come back (only if `ready()` is not awaited). */
  #overflow: Uint8Array[] = [];
  #state: "open" | "ending" | "done" | "failed" = "open";
  #error: unknown;
  #wake: (() => void) | undefined;

  constructor(onData: (view: Uint8Array) => void) {
    this.#onData = onData;
    this.#ringFree[0] = OUTPUT_RING_SIZE;
    const shared: Shared = {
      wasm: ZLIB_WASM_BASE64,
      slotSize: SLOT_SIZE,
      input: this.#input,
      output: this.#ring,
      outputFree: this.#ringFree.buffer as SharedArrayBuffer,
    };
    // `__name`: the helper tsx/esbuild's keepNames wraps named functions in (under the tests); a no-op here.
    this.#worker = new Worker(`const __name = (f) => f; (${deflateWorkerMain.toString()})()`, {
      eval: true,
      workerData: shared,
      execArgv: [], // not the parent's loaders or flags (e.g. tsx under the tests)
    });
    // An abandoned stream must not keep the process alive: the worker is ref'd only while awaited.
    this.#worker.unref();
    this.#worker.once("online", () => this.#wake === undefined && this.#worker.unref());
    this.#worker.on("message", (msg: FromWorker) => this.#receive(msg));
    this.#worker.on("error", (e) => this.#fail(e));
    this.#worker.on("exit", (code) => {
      if (this.#state !== "done") this.#fail(new Error(`zlib: deflate worker exited (${code})`));
    });
  }

  write(data: Uint8Array): void {
    this.#check();
    if (this.#state !== "open") throw new Error("zlib: stream already ended");
    this.#copyIn(data);
  }

  /** Resolves when no input waits for a free slot and at least one slot is free. */
  async ready(): Promise<void> {
    while ((this.#overflow.length > 0 || this.#freeSlots.length === 0) && this.#state !== "failed") await this.#sleep();
    this.#check();
  }

  /** Sends what is left, finishes the stream and resolves once every compressed byte went to `onData`. */
  async end(): Promise<void> {
    this.#check();
    if (this.#state !== "open") throw new Error("zlib: stream already ended");
    this.#state = "ending";
    while (this.#overflow.length > 0 && this.#state === "ending") await this.#sleep();
    this.#check();
    this.#send(true);
    while (this.#state === "ending") await this.#sleep();
    this.#check();
  }

  /** Stops the worker without finishing (after a failure elsewhere); later calls throw. */
  free(): void {
    if (this.#state === "done" || this.#state === "failed") return;
    this.#fail(new Error("zlib: stream freed before it ended"));
  }

  /** Copies into shared slots, sending each one full; what finds no free slot waits in `#overflow`. */
  #copyIn(data: Uint8Array): void {
    if (this.#overflow.length > 0) {
      this.#overflow.push(data.slice());
      return;
    }
    for (let at = 0; at < data.length;) {
      this.#slot ??= this.#freeSlots.pop();
      if (this.#slot === undefined) {
        this.#overflow.push(data.slice(at));
        return;
      }
      const n = Math.min(data.length - at, SLOT_SIZE - this.#filled);
      new Uint8Array(this.#input, this.#slot * SLOT_SIZE + this.#filled, n).set(data.subarray(at, at + n));
      this.#filled += n;
      at += n;
      if (this.#filled === SLOT_SIZE) this.#send(false);
    }
  }

  #send(end: boolean): void {
    this.#worker.postMessage({ slot: this.#slot ?? -1, length: this.#filled, end } satisfies ToWorker);
    this.#slot = undefined;
    this.#filled = 0;
  }

  #receive(msg: FromWorker): void {
    if (this.#state === "failed") return;
    if (msg.error !== undefined) return this.#fail(new Error(msg.error));
    try {
      if (msg.output) {
        const [start, length] = msg.output;
        const first = Math.min(length, OUTPUT_RING_SIZE - start);
        this.#onData(new Uint8Array(this.#ring, start, first));
        if (first < length) this.#onData(new Uint8Array(this.#ring, 0, length - first));
        Atomics.add(this.#ringFree, 0, length);
        Atomics.notify(this.#ringFree, 0);
      }
    } catch (e) {
      return this.#fail(e);
    }
    if (msg.consumed !== undefined) {
      this.#freeSlots.push(msg.consumed);
      this.#sendOverflow();
    }
    if (msg.done) this.#state = "done"; // the worker closes its port and exits by itself
    this.#wakeUp();
  }

  #sendOverflow(): void {
    const pending = this.#overflow;
    this.#overflow = [];
    for (const chunk of pending) this.#copyIn(chunk);
  }

  #fail(e: unknown): void {
    if (this.#state === "done" || this.#state === "failed") return;
    this.#state = "failed";
    this.#error = e;
    Atomics.add(this.#ringFree, 0, OUTPUT_RING_SIZE); // a worker waiting for ring space wakes up and is ended
    Atomics.notify(this.#ringFree, 0);
    void this.#worker.terminate();
    this.#wakeUp();
  }

  #check(): void {
    if (this.#state === "failed") throw this.#error;
  }

  #sleep(): Promise<void> {
    this.#worker.ref();
    return new Promise((resolve) => (this.#wake = resolve));
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    this.#worker.unref();
    wake?.();
  }
}
