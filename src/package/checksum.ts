// SHA-256 checksums of package tarballs (HEX_PROTOCOL.md §5.1): inner over VERSION ‖ metadata.config ‖
// contents.tar.gz, outer over the whole tarball. Lowercase hex in our API; the CHECKSUM entry is uppercase.
import { createHash } from "node:crypto";

export function sha256Hex(...parts: Uint8Array[]): string {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p);
  return hash.digest("hex");
}

export function innerChecksum(version: Uint8Array, metadataConfig: Uint8Array, contentsTarGz: Uint8Array): string {
  return sha256Hex(version, metadataConfig, contentsTarGz);
}

/** A 64-digit hex SHA-256 (either case), normalised to lowercase; undefined when malformed. */
export function parseChecksumHex(text: string): string | undefined {
  return /^[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : undefined;
}
