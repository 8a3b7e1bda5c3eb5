// Building binaries from `<<...>>` segments, as Erlang's bit syntax does for literal terms
// (eval_bits): integers, floats, strings, nested binaries, utf8/16/32, endianness and units.
// Used by both term readers. Only whole-byte results are supported (no bitstrings).

/** The largest binary a term file may build (a segment or the whole `<<...>>`): 1 MiB, in bits. */
export const MAX_BINARY_BITS = 8 * 1024 * 1024;

export type SegmentType = "integer" | "float" | "binary" | "bitstring" | "utf8" | "utf16" | "utf32";
const TYPE_ALIASES: Record<string, SegmentType | undefined> = {
  integer: "integer",
  float: "float",
  binary: "binary",
  bytes: "binary",
  bitstring: "bitstring",
  bits: "bitstring",
  utf8: "utf8",
  utf16: "utf16",
  utf32: "utf32",
};
/** What follows `/` in a segment: `integer`, `utf8`, `little`, `unit:N`, ... */
export interface SegmentSpec {
  type: SegmentType | undefined;
  little: boolean;
  unit: number | undefined;
}
export const newSegmentSpec = (): SegmentSpec => ({ type: undefined, little: false, unit: undefined });

/** Adds one type specifier (not `unit:N`) to spec. Returns a problem, or undefined. */
export function applySegmentType(name: string, spec: SegmentSpec): string | undefined {
  if (name === "big" || name === "little" || name === "native") {
    spec.little = name !== "big"; // native: the little-endian machines Hex tools run on
    return undefined;
  }
  if (name === "signed" || name === "unsigned") return undefined;
  const type = TYPE_ALIASES[name];
  if (!type) return `unknown binary segment type '${name}'`;
  if (spec.type && spec.type !== type) return `conflicting binary segment types '${spec.type}' and '${name}'`;
  spec.type = type;
  return undefined;
}

/** A segment's value: a string (one segment per character), a binary, an integer or a float. */
export type SegmentValue = { codes: number[] } | { bytes: Uint8Array } | { int: bigint } | { float: number };

export class BitWriter {
  private buf = new Uint8Array(64);
  private len = 0;
  /** Bits not yet making a whole byte, most significant first. */
  private cur = 0;
  private curBits = 0;

  get bitLength(): number {
    return this.len * 8 + this.curBits;
  }

  private append(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + bytes.length));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** `bits` bits of a non-negative value as whole bytes, big-endian (bits is a multiple of 8). */
  private appendValue(value: bigint, bits: number): void {
    if (bits === 0) return;
    this.append(Buffer.from(value.toString(16).padStart(bits / 4, "0"), "hex"));
  }

  /** `n` bits of `value` (two's complement), most significant first; linear in `n` (a few bigint operations). */
  pushBits(value: bigint, n: number): void {
    if (n === 0) return;
    const total = this.curBits + n;
    const combined = (BigInt(this.cur) << BigInt(n)) | BigInt.asUintN(n, value);
    const rest = total % 8;
    this.appendValue(combined >> BigInt(rest), total - rest);
    this.cur = Number(combined & ((1n << BigInt(rest)) - 1n));
    this.curBits = rest;
  }

  pushByte(byte: number): void {
    if (this.curBits === 0) this.append(Uint8Array.of(byte));
    else this.pushBits(BigInt(byte), 8);
  }

  pushBytes(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.curBits === 0) this.append(bytes);
    else this.pushBits(BigInt(`0x${Buffer.from(bytes).toString("hex")}`), bytes.length * 8);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Appends one segment (a string segment is one segment per character). Returns a problem, or undefined. */
export function writeSegment(
  out: BitWriter,
  value: SegmentValue,
  size: bigint | undefined,
  spec: SegmentSpec,
): string | undefined {
  if (size !== undefined && size * BigInt(spec.unit ?? 1) > BigInt(MAX_BINARY_BITS)) {
    return `segment size ${size} is too large (a binary may hold at most ${MAX_BINARY_BITS / 8 / 1024} KiB)`;
  }
  if (out.bitLength > MAX_BINARY_BITS) return `binary too large (more than ${MAX_BINARY_BITS / 8 / 1024} KiB)`;
  if ("codes" in value) {
    if (size === undefined && spec.unit === undefined && (spec.type === undefined || spec.type === "integer")) {
      for (const c of value.codes) out.pushByte(c & 0xff); // the common case, without bigints
      return undefined;
    }
    for (const c of value.codes) {
      const problem = writeSegment(out, { int: BigInt(c) }, size, spec);
      if (problem) return problem;
    }
    return undefined;
  }
  const type = spec.type ?? ("bytes" in value ? "binary-default" : "float" in value ? "float-default" : "integer");
  if (type === "binary-default") return "a binary inside a binary needs the /binary type";
  if (type === "utf8" || type === "utf16" || type === "utf32") {
    if (size !== undefined || spec.unit !== undefined) return `a ${type} segment cannot have a size`;
    if (!("int" in value)) return `a ${type} segment must be an integer or a string`;
    const c = Number(value.int);
    if (value.int < 0n || value.int > 0x10ffffn || (c >= 0xd800 && c <= 0xdfff))
      return `${value.int} is not a Unicode code point`;
    out.pushBytes(encodeCodePoint(c, type, spec.little));
    return undefined;
  }
  if (type === "binary" || type === "bitstring") {
    if (!("bytes" in value)) return `a /${type} segment needs a binary value`;
    const unit = spec.unit ?? (type === "binary" ? 8 : 1);
    if (size === undefined) out.pushBytes(value.bytes);
    else {
      const bits = Number(size) * unit;
      if (bits > value.bytes.length * 8) return "the segment size is larger than the binary";
      if (bits % 8 !== 0) return "bitstrings are not supported";
      out.pushBytes(value.bytes.subarray(0, bits / 8));
    }
    return undefined;
  }
  if ("int" in value && type === "integer" && size === undefined && spec.unit === undefined) {
    out.pushByte(Number(BigInt.asUintN(8, value.int)));
    return undefined;
  }
  const bits = Number(size ?? (type === "float" || type === "float-default" ? 64n : 8n)) * (spec.unit ?? 1);
  if (type === "float" || type === "float-default") {
    if ("bytes" in value) return "a binary cannot be a float segment";
    const x = "float" in value ? value.float : Number(value.int);
    if (bits !== 64 && bits !== 32) return "float segments must be 32 or 64 bits";
    const view = new DataView(new ArrayBuffer(bits / 8));
    if (bits === 64) view.setFloat64(0, x, spec.little);
    else view.setFloat32(0, x, spec.little);
    out.pushBytes(new Uint8Array(view.buffer));
    return undefined;
  }
  if (!("int" in value))
    return "float" in value
      ? "a float segment needs the /float type"
      : "a binary inside a binary needs the /binary type";
  if (bits === 0) return undefined;
  const masked = BigInt.asUintN(bits, value.int);
  if (spec.little) {
    if (bits % 8 !== 0) return "little-endian segments must be a whole number of bytes";
    out.pushBytes(Buffer.from(masked.toString(16).padStart(bits / 4, "0"), "hex").reverse());
  } else out.pushBits(masked, bits);
  return undefined;
}

function encodeCodePoint(c: number, type: "utf8" | "utf16" | "utf32", little: boolean): Uint8Array {
  if (type === "utf8") return new TextEncoder().encode(String.fromCodePoint(c));
  const units =
    type === "utf32" ? [c] : c < 0x10000 ? [c] : [0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff)];
  const width = type === "utf32" ? 4 : 2;
  const view = new DataView(new ArrayBuffer(units.length * width));
  units.forEach((u, k) => (width === 4 ? view.setUint32(k * 4, u, little) : view.setUint16(k * 2, u, little)));
  return new Uint8Array(view.buffer);
}
