// What a package to build is: the metadata, requirements, entries and problems that a project reader
// (src/project) produces and the package layer checks and writes. It lives here so package/ never imports project/.

export type BuildTool = "rebar3" | "mix" | "make" | "metadata";

/** Plain JSON-like metadata: objects become Erlang maps (sorted), arrays lists, strings binaries, booleans atoms. */
export type MetadataValue = string | number | bigint | boolean | MetadataValue[] | { [key: string]: MetadataValue };

export interface Requirement {
  name: string;
  app: string;
  requirement: string;
  optional: boolean;
  /** Bare repository name (`hexpm`, `acme`); undefined when the client does not write one (rebar3_hex). */
  repository?: string;
}

/** One entry of the package, in the order the official client writes it. */
export type PackageFile =
  | { path: string; kind: "file"; diskPath: string; mode: number; size: number }
  | { path: string; kind: "memory"; contents: Uint8Array }
  | { path: string; kind: "dir"; diskPath: string; mode: number; empty: boolean }
  | { path: string; kind: "symlink"; diskPath: string; mode: number; target: string };

export interface Problem {
  severity: "error" | "warning";
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface ProjectPackage {
  tool: BuildTool;
  /** Project root and app directory (differs in an umbrella). */
  root: string;
  appDir: string;
  app: string;
  name: string;
  version: string;
  /** Full metadata term, exactly as it will be written to metadata.config (key order irrelevant: maps are sorted). */
  metadata: { [key: string]: MetadataValue };
  requirements: Requirement[];
  files: PackageFile[];
  /** Project-level settings found in rebar.config `{hex, [...]}` or mix.exs `hex:` (doc provider, repos...). */
  hexConfig: Record<string, unknown>;
  problems: Problem[];
  /** Where the official client writes the tarball, relative to root. */
  defaultOutput: string;
  /** One-line facts worth telling the user (which build tool was chosen, that real Erlang evaluated a script). */
  notes?: string[];
  /** The file the version was read from (absolute): rebar3's `src/APP.app.src`; `cut` rewrites it. */
  versionFile?: string;
}
