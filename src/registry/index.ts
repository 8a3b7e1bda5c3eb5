// The registry client (repo.hex.pm and other Hex repositories): signed resources, verified tarballs.
export { RegistryClient, REGISTRY_TARBALL_MAX_SIZE } from "./client.js";
export type { RegistryClientOptions, RegistryRepository, FetchedTarball } from "./client.js";
export { diskRegistryCache, memoryRegistryCache } from "./cache.js";
export type { RegistryCache, CachedResponse } from "./cache.js";
export {
  unpackNames,
  unpackVersions,
  unpackPackage,
  verifiedPayload,
  registryPublicKey,
  REGISTRY_MAX_UNCOMPRESSED,
} from "./resources.js";
export type {
  RegistryNames,
  RegistryVersions,
  RegistryPackage,
  RegistryRelease,
  RegistryDependency,
  RegistryRetirement,
  RegistryAdvisory,
  RetirementReason,
  AdvisorySeverity,
  Timestamp as RegistryTimestamp,
  UnpackRegistryOptions,
  RegistryProblem,
} from "./resources.js";
export { publicKeyFingerprint, fetchRepositoryPublicKey } from "./public-key.js";
