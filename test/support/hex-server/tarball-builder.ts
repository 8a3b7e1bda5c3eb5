// Builds package tarballs for tests of the server (and for seeding it), independent of src/package:
// the outer tar, CHECKSUM and metadata.config as the Hex format wants them. Not byte-identical to
// hex_core (no pretty-printing, Node's gzip); the server accepts any valid tarball.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { writeTar, type TarInput } from "./tar.js";

export type MetaTerm = string | number | boolean | MetaTerm[] | { [key: string]: MetaTerm };

export interface TarballInput {
  name: string;
  version: string;
  /** Defaults: app = name, description, licenses ["MIT"], build_tools ["mix"], files from `files`, requirements []. */
  metadata?: Record<string, MetaTerm | undefined>;
  /** Contents; default one lib file. */
  files?: Record<string, string | Buffer>;
  /** Raw overrides for negative tests. */
  raw?: {
    version?: string;
    checksum?: string;
    metadataConfig?: string | Buffer;
    contents?: Buffer;
    extraMembers?: TarInput[];
    omit?: string[];
  };
}

/** Erlang term text for metadata.config: binaries for strings, kvlists for objects. */
export function termText(value: MetaTerm): string {
  if (typeof value === "string") {
    const escaped = value
      .replace(/[\\"]/g, (c) => `\\${c}`)
      .replace(/\n/g, "\\n")
      .replace(/\t/g, "\\t")
      .replace(/\r/g, "\\r");
    return /^[\x20-\x7e\n\t\r]*$/.test(value) ? `<<"${escaped}">>` : `<<"${escaped}"/utf8>>`;
  }
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(termText).join(",")}]`;
  return `[${Object.entries(value)
    .map(([k, v]) => `{${termText(k)},${termText(v)}}`)
    .join(",")}]`;
}

export function metadataConfig(metadata: Record<string, MetaTerm | undefined>): string {
  return Object.entries(metadata)
    .filter((entry): entry is [string, MetaTerm] => entry[1] !== undefined)
    .map(([k, v]) => `{${termText(k)},${termText(v)}}.\n`)
    .join("");
}

export function buildTarball(input: TarballInput): Buffer {
  const files = input.files ?? { [`lib/${input.name}.ex`]: `defmodule ${input.name} do\nend\n` };
  const contentsTar = writeTar(Object.entries(files).map(([name, data]) => ({ name, data: Buffer.from(data) })));
  const contents = input.raw?.contents ?? gzipSync(contentsTar);
  const metadata: Record<string, MetaTerm | undefined> = {
    name: input.name,
    version: input.version,
    app: input.name,
    description: `The ${input.name} package`,
    licenses: ["MIT"],
    build_tools: ["mix"],
    files: Object.keys(files),
    requirements: [],
    ...input.metadata,
  };
  const metadataBytes = Buffer.from(input.raw?.metadataConfig ?? metadataConfig(metadata));
  const version = Buffer.from(input.raw?.version ?? "3");
  const checksum =
    input.raw?.checksum ??
    createHash("sha256").update(version).update(metadataBytes).update(contents).digest("hex").toUpperCase();
  const members: TarInput[] = [
    { name: "VERSION", data: version },
    { name: "CHECKSUM", data: Buffer.from(checksum) },
    { name: "metadata.config", data: metadataBytes },
    { name: "contents.tar.gz", data: contents },
    ...(input.raw?.extraMembers ?? []),
  ].filter((m) => !input.raw?.omit?.includes(m.name));
  return writeTar(members);
}

/** A docs tarball (gzipped tar) with an index.html. */
export function buildDocsTarball(files: Record<string, string | Buffer> = { "index.html": "<html></html>" }): Buffer {
  return gzipSync(writeTar(Object.entries(files).map(([name, data]) => ({ name, data: Buffer.from(data) }))));
}
