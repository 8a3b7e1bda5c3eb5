// metadata.config, byte for byte as hex_core writes and reads it.
// Work in progress: the signatures are final, the bodies land in the next commits.
import { notImplemented } from "../errors.js";
import type { ErlMap, MetaObject, MetaValue } from "./terms.js";

export interface DecodeMetadataOptions {
  /** hex_core's `metadata_fields` config: decode only these top-level keys. */
  fields?: readonly string[];
}

/** Encodes a metadata map (plain object or ErlMap) exactly as hex_core's `hex_tarball:create` does. */
export function encodeMetadataConfig(metadata: MetaObject | ErlMap<MetaValue>): Uint8Array {
  void metadata;
  throw notImplemented("encodeMetadataConfig");
}

/** Reads metadata.config as hex_core's unpack does, normalisation included. */
export function decodeMetadataConfig(bytes: Uint8Array, options: DecodeMetadataOptions = {}): MetaObject | ErlMap<MetaValue> {
  void bytes;
  void options;
  throw notImplemented("decodeMetadataConfig");
}
