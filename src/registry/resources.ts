// Registry resources (HEX_PROTOCOL.md §7.2): gunzip, decode `Signed`, verify the RSASSA-PKCS1-v1_5/SHA-512
// signature over the payload, decode the payload, and check that it describes the repository (and package)
// that was asked for. Pure functions over bytes; the client fetches them.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { HextsError } from "../errors.js";
import {
  ADVISORY_SEVERITIES,
  RETIREMENT_REASONS,
  decodeMessage,
  has,
  type MessageName,
  type RawMessage,
} from "./proto.js";

/** Upper bound for an uncompressed registry resource (hex.pm's /versions is a few MiB). */
export const REGISTRY_MAX_UNCOMPRESSED = 256 * 1024 * 1024;

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface RegistryNames {
  repository: string;
  packages: { name: string; updatedAt?: Timestamp }[];
}

export interface RegistryVersions {
  repository: string;
  packages: {
    name: string;
    /** Ascending SemVer order, as hex.pm writes them. */
    versions: string[];
    /** The retired versions (from the 0-based `retired` indexes). */
    retired: string[];
    /** Versions that have security advisories. */
    withAdvisories: string[];
  }[];
}

export type RetirementReason = (typeof RETIREMENT_REASONS)[number];
export type AdvisorySeverity = (typeof ADVISORY_SEVERITIES)[number];

export interface RegistryRetirement {
  /** A reason this client does not know is kept as its number. */
  reason: RetirementReason | number;
  message?: string;
}

export interface RegistryDependency {
  package: string;
  requirement: string;
  optional: boolean;
  /** The OTP application name (the package name when the registry leaves it out). */
  app: string;
  /** The repository the dependency lives in (the package's own when the registry leaves it out). */
  repository: string;
}

export interface RegistryAdvisory {
  id: string;
  summary: string;
  htmlUrl: string;
  apiUrl: string;
  severity?: AdvisorySeverity | number;
  cvssScore?: number;
  aliases: string[];
}

export interface RegistryRelease {
  version: string;
  /** SHA-256 of VERSION ‖ metadata.config ‖ contents.tar.gz, lowercase hex. */
  innerChecksum: string;
  /** SHA-256 of the whole tarball, lowercase hex; absent for releases published before hex.pm recorded it. */
  outerChecksum?: string;
  dependencies: RegistryDependency[];
  retired?: RegistryRetirement;
  /** The advisories of this release (resolved from `advisory_indexes`). */
  advisories: RegistryAdvisory[];
  publishedAt?: Timestamp;
}

export interface RegistryPackage {
  repository: string;
  name: string;
  /** Ascending SemVer order, as hex.pm writes them. */
  releases: RegistryRelease[];
  advisories: RegistryAdvisory[];
}

export type RegistryProblem =
  | "not_gzip"
  | "corrupt_gzip"
  | "too_big"
  | "bad_protobuf"
  | "no_signature"
  | "bad_signature"
  | "bad_repo_name"
  | "bad_public_key";

/** A registry resource that is damaged, unsigned, mis-signed or for another repository/package. */
export function registryInvalid(
  reason: RegistryProblem,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): HextsError {
  return new HextsError("REGISTRY_INVALID", message, { details: { reason, ...details }, cause });
}

export interface UnpackRegistryOptions {
  /** The repository's public key (PEM, SPKI or PKCS#1, or a KeyObject). */
  publicKey: string | KeyObject;
  /** The name the payload must carry: `hexpm`, an organization (`acme`), or a custom repository's name. */
  repository: string;
  /** Check the signature (default true; `HEX_UNSAFE_REGISTRY` turns it off). */
  verify?: boolean;
  /** Check the repository/package names (default true; `HEX_NO_VERIFY_REPO_ORIGIN` turns it off). */
  verifyOrigin?: boolean;
  /**
   * `repository` is a name the user configured (a custom repository, not hexpm or an organization): a payload for
   * another repository may then mean it was configured under another name than its server's.
   */
  configuredName?: boolean;
  /** What the resource is, for messages (`/packages/alpha of hexpm`). */
  label?: string;
  maxUncompressedSize?: number;
}

const pemCache = new Map<string, KeyObject>();

/** Parses a PEM public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`) once; a bad key is a clear error. */
export function registryPublicKey(key: string | KeyObject): KeyObject {
  if (typeof key !== "string") return key;
  let parsed = pemCache.get(key);
  if (!parsed) {
    try {
      parsed = createPublicKey(key);
    } catch (e) {
      throw registryInvalid("bad_public_key", "The repository's public key is not a PEM RSA public key", {}, e);
    }
    if (parsed.asymmetricKeyType !== "rsa")
      throw registryInvalid("bad_public_key", "The repository's public key is not an RSA key");
    pemCache.set(key, parsed);
  }
  return parsed;
}

function decode(name: MessageName, bytes: Uint8Array, label: string): RawMessage {
  try {
    return decodeMessage(name, bytes);
  } catch (e) {
    throw registryInvalid(
      "bad_protobuf",
      `${label} is not a valid registry ${name} message: ${(e as Error).message}`,
      {},
      e,
    );
  }
}

/** gunzip + Signed + signature: the verified payload bytes of a registry resource. */
export function verifiedPayload(body: Uint8Array, opts: UnpackRegistryOptions): Uint8Array {
  const label = opts.label ?? "the registry resource";
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    throw registryInvalid("not_gzip", `${label} is not gzip-compressed, as registry resources are`);
  }
  const max = opts.maxUncompressedSize ?? REGISTRY_MAX_UNCOMPRESSED;
  let signedBytes: Uint8Array;
  try {
    signedBytes = gunzipSync(body, { maxOutputLength: max });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw registryInvalid("too_big", `${label} is larger than ${max} bytes uncompressed`, { limit: max }, e);
    throw registryInvalid("corrupt_gzip", `${label} cannot be decompressed: ${(e as Error).message}`, {}, e);
  }
  const signed = decode("Signed", signedBytes, label);
  const payload = signed.payload as Uint8Array;
  if (opts.verify === false) return payload;
  if (!has(signed, "signature")) throw registryInvalid("no_signature", `${label} is not signed`);
  const key = registryPublicKey(opts.publicKey);
  let ok = false;
  try {
    ok = verify("sha512", payload, key, signed.signature as Uint8Array);
  } catch {
    ok = false;
  }
  if (!ok)
    throw registryInvalid(
      "bad_signature",
      `${label} has a bad signature: it was altered, or signed with another key than the repository's`,
    );
  return payload;
}

function checkOrigin(opts: UnpackRegistryOptions, label: string, found: string, expected: string, what: string): void {
  if (opts.verifyOrigin === false || found === expected) return;
  const error = registryInvalid(
    "bad_repo_name",
    `${label} is for ${what} ${JSON.stringify(found)}, not ${JSON.stringify(expected)}: ` +
      `a mirror or proxy served another ${what}'s data`,
    { expected, found },
  );
  // A custom repository configured under another name than its server's: the CLI says which name to use.
  if (what !== "repository" || opts.configuredName !== true) throw error;
  throw new HextsError(error.code, error.message, { details: error.details, kind: "registry-other-repository" });
}

const list = (m: RawMessage, field: string): RawMessage[] => (m[field] as RawMessage[] | undefined) ?? [];
const text = (m: RawMessage, field: string): string | undefined => (has(m, field) ? (m[field] as string) : undefined);
function checksum(bytes: Uint8Array, label: string): string {
  if (bytes.length !== 32)
    throw registryInvalid("bad_protobuf", `${label} carries a checksum of ${bytes.length} bytes instead of 32`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function timestamp(m: RawMessage, field: string): Timestamp | undefined {
  if (!has(m, field)) return undefined;
  const t = m[field] as RawMessage;
  const seconds = t.seconds as number | { toNumber(): number };
  return { seconds: typeof seconds === "number" ? seconds : seconds.toNumber(), nanos: t.nanos as number };
}

function enumName<T extends string>(names: readonly T[], value: number): T | number {
  return names[value] ?? value;
}

function pick<T>(items: readonly T[], indexes: readonly number[], label: string): T[] {
  return indexes.map((i) => {
    const item = items[i];
    if (item === undefined)
      throw registryInvalid("bad_protobuf", `${label} refers to entry ${i}, which does not exist`);
    return item;
  });
}

/** The verified, decoded message of a signed resource, checked to come from the expected repository. */
function verifiedMessage(
  name: MessageName,
  body: Uint8Array,
  opts: UnpackRegistryOptions,
  defaultLabel: string,
): { m: RawMessage; label: string } {
  const label = opts.label ?? defaultLabel;
  const m = decode(name, verifiedPayload(body, { ...opts, label }), label);
  checkOrigin(opts, label, m.repository as string, opts.repository, "repository");
  return { m, label };
}

export function unpackNames(body: Uint8Array, opts: UnpackRegistryOptions): RegistryNames {
  const { m } = verifiedMessage("Names", body, opts, `/names of ${opts.repository}`);
  return {
    repository: m.repository as string,
    packages: list(m, "packages").map((p) => {
      const updatedAt = timestamp(p, "updated_at");
      return updatedAt ? { name: p.name as string, updatedAt } : { name: p.name as string };
    }),
  };
}

export function unpackVersions(body: Uint8Array, opts: UnpackRegistryOptions): RegistryVersions {
  const { m, label } = verifiedMessage("Versions", body, opts, `/versions of ${opts.repository}`);
  return {
    repository: m.repository as string,
    packages: list(m, "packages").map((p) => {
      const versions = (p.versions as string[] | undefined) ?? [];
      const of = (field: string) =>
        pick(versions, (p[field] as number[] | undefined) ?? [], `${label} (${p.name as string})`);
      return { name: p.name as string, versions, retired: of("retired"), withAdvisories: of("with_advisories") };
    }),
  };
}

function advisory(a: RawMessage): RegistryAdvisory {
  const out: RegistryAdvisory = {
    id: a.id as string,
    summary: a.summary as string,
    htmlUrl: a.html_url as string,
    apiUrl: a.api_url as string,
    aliases: (a.aliases as string[] | undefined) ?? [],
  };
  if (has(a, "severity")) out.severity = enumName(ADVISORY_SEVERITIES, a.severity as number);
  if (has(a, "cvss_score")) out.cvssScore = a.cvss_score as number;
  return out;
}

export function unpackPackage(body: Uint8Array, name: string, opts: UnpackRegistryOptions): RegistryPackage {
  const { m, label } = verifiedMessage("Package", body, opts, `/packages/${name} of ${opts.repository}`);
  checkOrigin(opts, label, m.name as string, name, "package");
  const repository = m.repository as string;
  const advisories = list(m, "advisories").map(advisory);
  const releases = list(m, "releases").map((r): RegistryRelease => {
    const release: RegistryRelease = {
      version: r.version as string,
      innerChecksum: checksum(r.inner_checksum as Uint8Array, `${label} (${r.version as string})`),
      dependencies: list(r, "dependencies").map((d) => ({
        package: d.package as string,
        requirement: d.requirement as string,
        optional: has(d, "optional") ? (d.optional as boolean) : false,
        app: text(d, "app") ?? (d.package as string),
        repository: text(d, "repository") ?? repository,
      })),
      advisories: pick(
        advisories,
        (r.advisory_indexes as number[] | undefined) ?? [],
        `${label} (${r.version as string})`,
      ),
    };
    if (has(r, "outer_checksum"))
      release.outerChecksum = checksum(r.outer_checksum as Uint8Array, `${label} (${r.version as string})`);
    if (has(r, "retired")) {
      const s = r.retired as RawMessage;
      release.retired = { reason: enumName(RETIREMENT_REASONS, s.reason as number) };
      const message = text(s, "message");
      if (message !== undefined) release.retired.message = message;
    }
    const publishedAt = timestamp(r, "published_at");
    if (publishedAt) release.publishedAt = publishedAt;
    return release;
  });
  return { repository, name: m.name as string, releases, advisories };
}
