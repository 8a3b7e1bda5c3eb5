// Byte sizes and buffers in one place: hex.pm's package limits (HEX_PROTOCOL.md §5.1, §6), used by the builder,
// the checks, the unpacker, the registry client and the transports alike, and joining byte chunks.

export const MiB = 1024 * 1024;

/** The largest package or docs tarball hex.pm accepts (hex_core's default `tarball_max_size`). */
export const TARBALL_MAX_SIZE = 16 * MiB;
/** The largest uncompressed contents hex.pm accepts (hex_core's `tarball_max_uncompressed_size`). */
export const TARBALL_MAX_UNCOMPRESSED_SIZE = 128 * MiB;
/** The largest metadata.config hex_core writes or reads. */
export const METADATA_MAX_SIZE = MiB;

/** The chunks joined into one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
