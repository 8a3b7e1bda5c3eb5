// Reading a response body whole, bounded: a server (or anything on the way) answering with hundreds of megabytes
// must not exhaust memory. Shared by every transport so the limit holds whichever one carried the request.
import { MiB, concatBytes } from "../bytes.js";
import { HextsError } from "../errors.js";

/** The limit when the caller gives none: above any package or docs tarball hex.pm accepts. */
export const DEFAULT_MAX_RESPONSE_BYTES = 128 * MiB;

/** The size of the slices an upload body is handed to the socket in (progress is reported per slice). */
export const UPLOAD_CHUNK = 64 * 1024;

function tooLarge(url: string, limit: number, size?: number): HextsError {
  const shown = redactUserinfo(url);
  const mb = (n: number) => `${Math.round((n / MiB) * 10) / 10} MB`;
  return new HextsError(
    "PROTOCOL",
    `the answer from ${shown} is ${size === undefined ? "larger than" : `${mb(size)}, over`} the ${mb(limit)} hexts ` +
      "accepts; it stopped reading (is the URL a Hex server?)",
    { details: { reason: "response_too_large", limit, ...(size === undefined ? {} : { size }) } },
  );
}

function redactUserinfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "the server";
  }
}

/**
 * Collects `body` into one buffer, failing with PROTOCOL as soon as it exceeds `limit` bytes (or at once when the
 * declared content-length does). `stop` releases the connection (destroys the stream) on failure.
 */
export async function readBodyCapped(
  body: AsyncIterable<Uint8Array>,
  o: { url: string; limit?: number; contentLength?: string | string[]; stop(): void },
): Promise<Uint8Array> {
  const limit = o.limit ?? DEFAULT_MAX_RESPONSE_BYTES;
  const declared = Number(Array.isArray(o.contentLength) ? o.contentLength[0] : o.contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    o.stop();
    throw tooLarge(o.url, limit, declared);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      o.stop();
      throw tooLarge(o.url, limit);
    }
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}
