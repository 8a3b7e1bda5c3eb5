// The hexts library: the same pieces the CLI uses, for programs that talk to Hex from Node.js.
//   import { HexClient, getMe, createPackageTarball, readProject } from "hexts";

export { HextsError, ExitCode, isHextsError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export { hextsVersion } from "./version.js";

// The typed Hex HTTP API client: transport, resources, OAuth, two-factor. A client works in one repository
// (`repo: "hexpm:acme"`, default hexpm); `client.with({ repo })` gives one for another, on the same connections.
export * from "./api/index.js";
export { HEXPM, parseRepo, organizationRepo, targetRepo, packageLabel } from "./repository.js";
export type { RepoRef } from "./repository.js";
// The transport seam: node:http by default; undici behind the same interface for callers who pass it in.
export { defaultTransport, undiciTransport } from "./http/index.js";
export type {
  HttpHeaders,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  HttpTransport,
  TransportOptions,
} from "./http/index.js";

// Package and docs tarballs, byte for byte as hex_core writes them.
export {
  createPackageTarball,
  buildPackageTarball,
  unpackPackageTarball,
  METADATA_MAX_SIZE,
  TARBALL_MAX_SIZE,
  TARBALL_MAX_UNCOMPRESSED_SIZE,
} from "./package/tarball.js";
export type {
  MetadataInput,
  TarballInputFile,
  PackageTarball,
  UnpackOptions,
  UnpackedEntry,
  UnpackedPackage,
  BuildProgress,
  BuildTarballOptions,
} from "./package/tarball.js";
export { buildDocsTarball, unpackDocsTarball } from "./package/docs-tarball.js";
export type { DocsTarball, UnpackedDocs } from "./package/docs-tarball.js";

// Reading rebar3, Erlang.mk and mix projects without Erlang or Elixir.
export { readProject, listApps, detectProject } from "./project/index.js";
export type { ProjectPackage, PackageFile, Requirement, Problem, MetadataValue, BuildTool } from "./project/types.js";

// Erlang terms: the text reader, metadata.config codec and rebar3's .app.src printer.
export { parseTerms } from "./erlang/reader.js";
export { encodeMetadataConfig, decodeMetadataConfig } from "./erlang/metadata-config.js";
export { formatAppSrc, prettyTerm } from "./erlang/pretty.js";
export { Atom, Tuple, Charlist, ErlMap, Float, atom, tuple, charlist, erlMap, bin } from "./erlang/terms.js";
export type { Term } from "./erlang/terms.js";
export { Bitstring } from "./erlang/terms.js";
// Erlang's external term format (application/vnd.hex+erlang), as Hex servers and the official clients speak it.
export { decodeExternalTerm, encodeExternalTerm, externalTermToJson, ExternalTermError } from "./erlang/etf.js";
export type { DecodeExternalTermOptions, EncodableTerm, ExternalTermErrorReason, JsonValue } from "./erlang/etf.js";

// The config file and credential store (what `hexts user auth` writes).
export {
  resolveSettings,
  resolveRepository,
  ConfigStore,
  configFilePath,
  storeCredential,
  loadCredential,
  deleteCredential,
  listCredentials,
  storeOrganization,
  removeOrganization,
  listOrganizations,
  setLocalPassword,
  HEXPM_PUBLIC_KEY,
  HEXPM_REPO_URL,
  DEFAULT_API_URL,
} from "./config/index.js";
export type { ConfigContext, ResolvedSettings, Repository } from "./config/index.js";
// One credential type for the store and the client (Credential comes with the API exports above).
export type { KeyCredential, OAuthCredential, PasswordCredential, LoginCredential } from "./credential.js";
/** @deprecated the same as LoginCredential: what the store keeps per API URL. */
export type { LoginCredential as StoredCredential } from "./credential.js";

// The registry client: signed names/versions/packages resources and checksum-verified tarballs.
export * from "./registry/index.js";
export { readProjectLocks, parseMixLock, parseRebarLock } from "./project/lockfiles.js";
export type { LockedPackage, LockedDependency, ProjectLocks } from "./project/lockfiles.js";
export { matchesRequirement, highestVersion, compareVersions } from "./registry/requirement.js";
