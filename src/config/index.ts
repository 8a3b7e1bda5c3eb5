// The config layer's public pieces (re-exported by the library entry).
export type { ConfigContext, ConfigPrompter } from "./context.js";
export {
  SETTINGS,
  SETTING_KEYS,
  DEFAULT_API_URL,
  CONFIG_FILE_NAME,
  resolveSettings,
  resolveLayers,
  describeSource,
  configHome,
  configFilePath,
  userConfigStore,
  isSettingKey,
} from "./settings.js";
export type {
  SettingKey,
  SettingValues,
  SettingSource,
  SettingDef,
  ResolvedSettings,
  ResolveOptions,
  SettingLayers,
} from "./settings.js";
export { ConfigStore, CONFIG_FILE_MODE } from "./store.js";
export type { ConfigUpdate, ConfigStoreOptions } from "./store.js";
export type { ConfigFile, StoredCredential, RepoEntry, Sealed } from "./schema.js";
export { CONFIG_VERSION } from "./schema.js";
export { DEFAULT_KDF } from "./secrets.js";
export type { KdfParams } from "./secrets.js";
export {
  storeCredential,
  loadCredential,
  deleteCredential,
  listCredentials,
  hasLocalPassword,
  setLocalPassword,
  provideLocalPassword,
  forgetStoredSecrets,
  unlock,
  storeOrganization,
  removeOrganization,
  listOrganizations,
  loadOrganizationKey,
  loadRepositoryKey,
  loadRepositoryKeyFor,
  originOf,
  storeRepository,
  updateRepository,
  removeRepository,
  normalizeApiUrl,
  organizationRepoName,
} from "./credentials.js";
export type {
  Credential,
  LoginCredential,
  CredentialSummary,
  KeyDestination,
  OrganizationEntry,
  RepositoryInput,
  RepositoryChanges,
  RepositoryKeyOutcome,
} from "./credentials.js";
export { resolveRepository, apiCredential, authorizationHeader, HEXPM_PUBLIC_KEY, HEXPM_REPO_URL } from "./repos.js";
export type { Repository, RepositoryOptions, UsableCredential } from "./repos.js";
