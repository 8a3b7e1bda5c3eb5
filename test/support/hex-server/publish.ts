// Publishing and reverting releases: hex.pm's Releases.publish/revert with the Package, Release,
// PackageMetadata, ReleaseMetadata and Requirement changesets' checks and messages.
import { createRequire } from "node:module";
import type { Core } from "./context.js";
import { validationFailed } from "./http.js";
import { HEXPM, type Package, type PackageMeta, type Release, type Requirement, type User } from "./state.js";
import { unpackRelease } from "./tarball.js";
import { parseVersion, validateVersion, validRequirement } from "./version.js";

const require = createRequire(import.meta.url);
const SPDX_IDS = new Set<string>([
  ...(require("spdx-license-ids") as string[]),
  ...(require("spdx-license-ids/deprecated.json") as string[]),
]);

const ONE_HOUR = 60 * 60 * 1000;
const ONE_DAY = 24 * ONE_HOUR;

const RESERVED_NAMES = new Set(
  [
    "eex elixir elixirc ex_unit iex logger mix",
    "otp asn1 common_test compiler crypto debugger dialyzer diameter edoc eldap erl_docgen erl_interface erts et",
    "eunit ftp hipe inets jinterface kernel megaco mnesia observer odbc os_mon parsetools public_key reltool",
    "runtime_tools sasl snmp ssh",
    "ssl stdlib syntax_tools toolbar tools typer wx xmerl",
    "tftp httpc httpd",
    "erlang typer to_erl run_erl escript erlc erl epmd dialyzer ct_run rebar rebar3 hex hexpm mix_hex",
    "net http net_http gen_http",
    "nul con prn aux com1 com2 com3 com4 com5 com6 com7 com8 com9 lpt1 lpt2 lpt3 lpt4 lpt5 lpt6 lpt7 lpt8 lpt9",
    "package organization www myapp lock locked all assets",
    "api docs preview search staging stats static",
  ].flatMap((line) => line.split(" ")),
);

export interface PublishInput {
  repository: string;
  publisher: User;
  tarball: Buffer;
  /** The `replace` parameter as given (absent = true; only true / "true" count as true). */
  replace: unknown;
  /** `POST packages/NAME/releases`: the NAME of the URL. */
  urlName?: string;
  /** Seeding only: backdate the release (and a new package). */
  insertedAt?: number | undefined;
  /** Seeding (`addRelease`): no mutability window or replace check. */
  seeding?: boolean;
}

export interface PublishResult {
  action: "insert" | "update";
  pkg: Package;
  release: Release;
}

/** Unpacks, validates and stores a release; throws 422 HttpErrors with hex.pm's error maps. */
export function publishRelease(core: Core, input: PublishInput): PublishResult {
  const { state, clock } = core;
  const unpacked = unpackRelease(input.tarball, core.options);
  if ("error" in unpacked) throw validationFailed({ tar: unpacked.error });
  const meta = unpacked.metadata;
  if (input.urlName !== undefined && meta.name !== input.urlName)
    throw validationFailed({ name: "metadata does not match package name" });

  const name = typeof meta.name === "string" ? meta.name : "";
  const existing = state.findPackage(input.repository, name);
  const packageErrors: Record<string, unknown> = {};
  if (!existing) {
    const nameError = packageNameError(meta.name);
    if (nameError) packageErrors.name = nameError;
  }
  const metaResult = packageMeta(meta, input.repository);
  if ("errors" in metaResult) packageErrors.meta = metaResult.errors;
  if (Object.keys(packageErrors).length > 0) throw validationFailed(packageErrors);

  const versionText = meta.version;
  const version = typeof versionText === "string" ? parseVersion(versionText) : null;
  if (!version) throw validationFailed({ version: "is invalid SemVer" });
  const versionString = versionText as string;

  const now = clock.now();
  const release = existing?.releases.find((r) => r.version === version.version);
  const errors: Record<string, unknown> = {};
  const versionError = validateVersion(version, versionString);
  if (versionError) errors.version = versionError;
  const releaseMeta = releaseMetaOf(meta);
  if ("errors" in releaseMeta) errors.meta = releaseMeta.errors;
  if (release && existing && !input.seeding) {
    if (!editable(existing, release, now))
      errors.inserted_at = "can only modify a release up to one hour after publication";
    else if (!(input.replace === undefined || input.replace === true || input.replace === "true")) {
      errors.inserted_at = "must include the --replace flag to update an existing release";
    }
  }
  const requirements = requirementsOf(core, meta.requirements, input.repository);
  if ("errors" in requirements) errors.requirements = requirements.errors;
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  if ("errors" in releaseMeta || "errors" in requirements || "errors" in metaResult) throw new Error("unreachable");

  const at = input.insertedAt ?? now;
  const pkg: Package = existing ?? {
    id: state.id(),
    repository: input.repository,
    name,
    meta: metaResult.meta,
    // A new public package gets its publisher as first (full) owner; organization packages get none.
    owners: new Map(input.repository === HEXPM ? [[input.publisher.id, "full" as const]] : []),
    releases: [],
    downloads: { all: 0, recent: 0, week: 0, day: 0 },
    insertedAt: at,
    updatedAt: at,
  };
  pkg.meta = metaResult.meta;
  pkg.updatedAt = Math.max(at, pkg.updatedAt);
  const stored: Release = {
    version: version.version,
    innerChecksum: unpacked.innerChecksum,
    outerChecksum: unpacked.outerChecksum,
    hasDocs: release?.hasDocs ?? false,
    meta: releaseMeta.meta,
    requirements: requirements.list,
    retirement: release?.retirement ?? null,
    publisherId: input.publisher.id,
    insertedAt: release?.insertedAt ?? at,
    updatedAt: now,
    tarball: input.tarball,
    docs: release?.docs ?? null,
    metadata: meta,
  };
  if (release) pkg.releases[pkg.releases.indexOf(release)] = stored;
  else pkg.releases.push(stored);
  state.packages.set(`${pkg.repository}/${pkg.name}`, pkg);
  return { action: release ? "update" : "insert", pkg, release: stored };
}

/** Release.editable?: organization releases always; on hexpm within an hour of the release or a day of the package. */
export function editable(pkg: Package, release: Release, now: number): boolean {
  return pkg.repository !== HEXPM || now - release.insertedAt <= ONE_HOUR || now - pkg.insertedAt <= ONE_DAY;
}

/** Releases.revert: window check, then the release goes (and the package with its last release, unless depended on). */
export function revertRelease(core: Core, pkg: Package, release: Release): void {
  if (!editable(pkg, release, core.clock.now())) {
    throw validationFailed({ inserted_at: "can only delete a release up to one hour after publication" });
  }
  const remaining = pkg.releases.filter((r) => r !== release);
  if (remaining.length === 0) {
    const dependedOn = [...core.state.packages.values()].some(
      (other) =>
        other !== pkg &&
        other.releases.some((r) => r.requirements.some((q) => q.name === pkg.name && q.repository === pkg.repository)),
    );
    if (dependedOn)
      throw validationFailed({ name: "you cannot delete this package because other packages depend on it" });
    core.state.packages.delete(`${pkg.repository}/${pkg.name}`);
  }
  pkg.releases = remaining;
  pkg.updatedAt = core.clock.now();
}

function packageNameError(name: unknown): string | null {
  if (name === undefined || name === null || name === "") return "can't be blank";
  if (typeof name !== "string") return "is invalid";
  if ([...name].length < 2) return "should be at least 2 character(s)";
  if (!/^[a-z][a-z0-9_]*$/.test(name)) return "has invalid format";
  if (RESERVED_NAMES.has(name)) return "is reserved";
  return null;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/**
 * PackageMetadata.changeset: description/licenses required on hexpm, links must be http(s) URLs, licenses SPDX ids
 * on hexpm.
 */
function packageMeta(
  meta: Record<string, unknown>,
  repository: string,
): { meta: PackageMeta } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const { description, licenses, links, maintainers, extra } = meta;
  if (!blank(description) && typeof description !== "string") errors.description = "expected type string";
  if (licenses !== undefined && licenses !== null && !isStringList(licenses))
    errors.licenses = "expected type list(string)";
  if (links !== undefined && links !== null && !isStringMap(links)) errors.links = "expected type map(string)";
  if (maintainers !== undefined && maintainers !== null && !isStringList(maintainers))
    errors.maintainers = "expected type list(string)";
  if (extra !== undefined && extra !== null && !isObject(extra)) errors.extra = "expected type map";
  if (repository === HEXPM) {
    if (blank(description)) errors.description ??= "can't be blank";
    if (licenses === undefined || licenses === null) errors.licenses ??= "can't be blank";
  }
  if (isStringMap(links)) {
    const bad = Object.values(links).find((url) => !validUrl(url));
    if (bad !== undefined) errors.links ??= `invalid link ${JSON.stringify(bad)}`;
  }
  if (repository === HEXPM && isStringList(licenses)) {
    const bad = licenses.find((l) => !SPDX_IDS.has(l) && !/^LicenseRef-[A-Za-z0-9.-]+$/.test(l));
    if (bad !== undefined) errors.licenses ??= `invalid license ${JSON.stringify(bad)}`;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    meta: {
      description: typeof description === "string" ? description : null,
      licenses: isStringList(licenses) ? licenses : [],
      links: isStringMap(links) ? links : {},
      maintainers: isStringList(maintainers) ? maintainers : [],
      extra: isObject(extra) ? extra : {},
    },
  };
}

function validUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** ReleaseMetadata.changeset */
function releaseMetaOf(meta: Record<string, unknown>): { meta: Release["meta"] } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const { app, build_tools: buildTools, elixir, files } = meta;
  if (blank(app)) errors.app = "can't be blank";
  else if (typeof app !== "string") errors.app = "expected type string";
  if (buildTools === undefined || buildTools === null) errors.build_tools = "can't be blank";
  else if (!isStringList(buildTools)) errors.build_tools = "expected type list(string)";
  else if (buildTools.length === 0) errors.build_tools = "can't be blank";
  if (files === undefined || files === null) errors.files = "can't be blank";
  else if (!isStringList(files)) errors.files = "expected type list(string)";
  else if (files.length === 0) errors.files = "package can't be empty";
  if (elixir !== undefined && elixir !== null) {
    if (typeof elixir !== "string") errors.elixir = "expected type string";
    else {
      const problem = requirementError(elixir);
      if (problem) errors.elixir = problem;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    meta: {
      app: app as string,
      buildTools: [...new Set(buildTools as string[])],
      elixir: typeof elixir === "string" ? elixir : null,
    },
  };
}

function requirementError(req: string): string | null {
  if (!validRequirement(req)) return `invalid requirement: ${JSON.stringify(req)}`;
  if (req.includes("!=")) return `invalid requirement: ${JSON.stringify(req)}, != is not allowed in requirements`;
  return null;
}

/** Requirement.changeset for each dependency; hex.pm reports one message per dependency name. */
function requirementsOf(core: Core, raw: unknown, repository: string): { list: Requirement[] } | { errors: unknown } {
  if (raw === undefined || raw === null) return { list: [] };
  let entries: Record<string, unknown>[];
  if (Array.isArray(raw)) entries = raw.filter(isObject);
  else if (isObject(raw))
    entries = Object.entries(raw).map(([name, value]) => (isObject(value) ? { ...value, name } : { name }));
  else return { errors: "is invalid" };
  const list: Requirement[] = [];
  const errors: Record<string, string> = {};
  for (const entry of entries) {
    const name = typeof entry.name === "string" ? entry.name : String(entry.name ?? "");
    const depRepository = typeof entry.repository === "string" ? entry.repository : HEXPM;
    const { app, requirement, optional } = entry;
    // Ecto keeps the oldest error: type errors, then the last missing field, then existence, requirement, repository.
    const typeError =
      (app !== undefined && typeof app !== "string" && "expected type string") ||
      (requirement !== undefined &&
        requirement !== null &&
        typeof requirement !== "string" &&
        "expected type string") ||
      (optional !== undefined && typeof optional !== "boolean" && "expected type boolean");
    const missing = ["name", "app", "requirement"].filter((f) => blank(entry[f])).pop();
    const error =
      typeError ||
      (missing && "can't be blank") ||
      (!core.state.findPackage(depRepository, name) &&
        `package does not exist in repository ${JSON.stringify(depRepository)}`) ||
      requirementError(requirement as string) ||
      (entry.repository !== undefined && depRepository !== HEXPM && depRepository !== repository
        ? repository === HEXPM
          ? `dependencies can only belong to public repository "hexpm", got: ${JSON.stringify(depRepository)}`
          : `dependencies can only belong to public repository "hexpm" or current repository ` +
            `${JSON.stringify(repository)}, got: ${JSON.stringify(depRepository)}`
        : null);
    if (error) errors[name] = error;
    else
      list.push({
        name,
        repository: depRepository,
        app: app as string,
        requirement: requirement as string,
        optional: optional === true,
      });
  }
  return Object.keys(errors).length > 0 ? { errors } : { list };
}
