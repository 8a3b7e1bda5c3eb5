// The user config file (hexts.json): its shape, validated with zod on every read.
// Unknown fields are kept (loose objects) so a file touched by a newer hexts keeps what it does not know.
import { z } from "zod";

export const CONFIG_VERSION = 1;

/** A secret sealed with the local password (see secrets.ts). Versioned so the format can change. */
export const SealedSchema = z.object({
  v: z.literal(1),
  kdf: z.literal("scrypt"),
  // Bounded so an edited file cannot make scrypt allocate without limit.
  n: z
    .number()
    .int()
    .min(2)
    .max(2 ** 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string(),
  nonce: z.string(),
  ct: z.string(),
  tag: z.string(),
});
export type Sealed = z.infer<typeof SealedSchema>;

/** A stored secret: plain text when no local password is set, otherwise sealed. */
export const StoredSecretSchema = z.union([z.string(), SealedSchema]);
export type StoredSecret = z.infer<typeof StoredSecretSchema>;

/** `hexpm` (overrides of the built-in entry), `hexpm:ORG` (organization key) or a custom repository. */
export const RepoEntrySchema = z.looseObject({
  url: z.string().optional(),
  api_url: z.string().optional(),
  public_key: z.string().optional(),
  auth_key: StoredSecretSchema.optional(),
  /**
   * The origins (scheme://host[:port]) the auth_key was stored for: it is sent to the API and to repository
   * downloads only there. Entries written before these existed: hex.pm's (hexpm, hexpm:ORG) or the entry's own URLs.
   * An empty api_origin: the key is sent to no API (`repo set` gave the repository an API after the key was stored).
   */
  api_origin: z.string().optional(),
  repo_origin: z.string().optional(),
});
export type RepoEntry = z.infer<typeof RepoEntrySchema>;

export const StoredKeyCredentialSchema = z.looseObject({
  type: z.literal("key"),
  key: StoredSecretSchema,
  username: z.string().optional(),
  key_name: z.string().optional(),
  /** True when hexts created the key (password login): `user deauth` revokes only those on the server. */
  generated: z.boolean().optional(),
});

export const StoredOAuthCredentialSchema = z.looseObject({
  type: z.literal("oauth"),
  access_token: StoredSecretSchema,
  refresh_token: StoredSecretSchema.optional(),
  /** Unix seconds. */
  expires_at: z.number(),
  username: z.string().optional(),
});

/** One credential per API URL. */
export const StoredCredentialSchema = z.discriminatedUnion("type", [
  StoredKeyCredentialSchema,
  StoredOAuthCredentialSchema,
]);
export type StoredCredential = z.infer<typeof StoredCredentialSchema>;

export const ConfigFileSchema = z.looseObject({
  version: z.literal(CONFIG_VERSION),
  /** Plain settings set with `hexts config KEY VALUE` (never secrets). */
  settings: z.record(z.string(), z.unknown()).default(() => ({})),
  repos: z.record(z.string(), RepoEntrySchema).default(() => ({})),
  /** Keyed by API URL without a trailing slash. */
  credentials: z.record(z.string(), StoredCredentialSchema).default(() => ({})),
  /** Present when the user chose a local password: every stored secret is then sealed. */
  local_password: z.object({ check: SealedSchema }).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export function emptyConfig(): ConfigFile {
  return { version: CONFIG_VERSION, settings: {}, repos: {}, credentials: {} };
}
