// The package checks run before anything is built: the union of what `mix hex.build`/`mix hex.publish` and
// rebar3_hex refuse or warn about, plus the rules hex.pm applies on publish that no client checks locally
// (name format and reserved names, version limits, SPDX ids, link URLs, requirement syntax, dependency
// repositories, metadata size). Every problem is reported at once, one readable line each.
//
// Two kinds of rule, because `build` must accept what the official clients build:
// - client rules: where `mix hex.build` / `rebar3 hex build` (or hex_core's tarball writer) stop; errors always;
// - server rules: what hex.pm refuses when a release is published (Hexpm.Repository.Package, PackageMetadata,
//   ReleaseMetadata, Release.validate_version, Requirement). At `build` they are warnings ("hex.pm will refuse
//   this at publish: ..."); at `publish` to hex.pm (or hexpm:ORG) errors, found before any credential is asked;
//   for any other server warnings, and that server answers for itself.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { encodeMetadataConfig } from "../erlang/metadata-config.js";
import { METADATA_MAX_SIZE, TARBALL_MAX_UNCOMPRESSED_SIZE } from "../bytes.js";
import { HextsError } from "../errors.js";
import { graphemeCount } from "../text.js";
import { HEXPM, isHexpmFamily, targetRepo, type RepoRef } from "../repository.js";
import type { MetadataValue, Problem, ProjectPackage } from "./types.js";
import { licenseHint, isValidLicense } from "./checks-license.js";
import { parseVersion, requirementIsPrerelease, requirementProblem, versionProblem } from "./checks-version.js";
import { plannedTarSize } from "./contents.js";

/** The repository a package is built for: checks depend on it (hex.pm's public repository is the strictest). */
export type PackageTarget = RepoRef;
export { HEXPM };

/** `build` reports hex.pm's server rules as warnings; `publish` enforces them where the server does. */
export type CheckStage = "build" | "publish";

/** The target from `--repo` and `--organization` (repository.ts: one rule for every layer). */
export function packageTarget(opts: { repo?: string; organization?: string } = {}): PackageTarget {
  return targetRepo(opts);
}

/**
 * The repository a project's package goes to: the one the flags name (--repo, --organization) when either is given,
 * else the project's own organization (mix's `package: [organization: "acme"]`), else hexpm.
 */
export function projectTarget(
  project: Pick<ProjectPackage, "hexConfig">,
  flags: { repo?: string; organization?: string },
): PackageTarget {
  if (flags.repo !== undefined || flags.organization !== undefined) return packageTarget(flags);
  const own = project.hexConfig.organization;
  return typeof own === "string" && own !== "hexpm" ? packageTarget({ organization: own }) : packageTarget();
}

export const isPublicHexpm = (target: PackageTarget) => target.repository === "hexpm";

/** hex.pm's reserved package names (Hexpm.Repository.Package). */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(
  [
    "eex elixir elixirc ex_unit iex logger mix",
    "otp asn1 common_test compiler crypto debugger dialyzer diameter edoc eldap erl_docgen erl_interface erts et " +
      "eunit ftp hipe",
    "inets jinterface kernel megaco mnesia observer odbc os_mon parsetools public_key reltool runtime_tools sasl " +
      "snmp ssh",
    "ssl stdlib syntax_tools toolbar tools typer wx xmerl",
    "tftp httpc httpd",
    "erlang typer to_erl run_erl escript erlc erl epmd dialyzer ct_run rebar rebar3 hex hexpm mix_hex",
    "net http net_http gen_http",
    "nul con prn aux com1 com2 com3 com4 com5 com6 com7 com8 com9 lpt1 lpt2 lpt3 lpt4 lpt5 lpt6 lpt7 lpt8 lpt9",
    "package organization www myapp lock locked all assets",
    "api docs preview search staging stats static",
  ].flatMap((line) => line.split(" ")),
);

export const DESCRIPTION_MAX_LENGTH = 300;
/** A file hex's clients write when unpacking; mix refuses to package one. */
const RESERVED_FILE = "hex_metadata.config";

const isString = (v: MetadataValue | undefined): v is string => typeof v === "string";
const isStringList = (v: MetadataValue | undefined): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string");
const isObject = (v: MetadataValue | undefined): v is { [key: string]: MetadataValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && typeof v !== "bigint";
const quote = (s: string) => JSON.stringify(s);

/** True when hex.pm accepts `url` as a link: an http or https URL with a host. */
export function isValidLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
}

/** Which hex.pm repositories a server rule applies to: the public one only (repository id 1), or every one. */
type ServerScope = "public" | "hexpm";

class Collector {
  readonly problems: Problem[] = [];
  constructor(
    readonly target: PackageTarget,
    readonly stage: CheckStage,
  ) {}
  /** A client rule: the official client stops here too. */
  error(message: string): void {
    this.problems.push({ severity: "error", message });
  }
  warn(message: string): void {
    this.problems.push({ severity: "warning", message });
  }
  /** True when the rule's server is the target (hex.pm, or for "hexpm" scope one of its organizations too). */
  enforced(scope: ServerScope): boolean {
    return scope === "public" ? isPublicHexpm(this.target) : isHexpmFamily(this.target);
  }
  /**
   * A server rule: an error at publish to a hex.pm repository that enforces it; at build a warning saying so;
   * for other servers a plain warning (their rules are theirs).
   */
  server(scope: ServerScope, message: string): void {
    if (!this.enforced(scope)) return this.warn(message);
    if (this.stage === "publish") return this.error(message);
    this.warn(`hex.pm will refuse this at publish: ${message}`);
  }
  /** A rule the official client applies when it publishes (rebar3 hex publish), not when it builds. */
  atPublish(message: string): void {
    if (this.stage === "publish") this.error(message);
    else this.warn(`${message}; publishing will refuse it`);
  }
}

function checkName(c: Collector, meta: ProjectPackage["metadata"]): void {
  const name = meta.name;
  if (name === undefined) return; // reported with the missing fields
  if (!isString(name)) return c.error(`name must be a string, got ${typeof name}`);
  if ([...name].length < 2)
    c.server("hexpm", `Package name ${quote(name)} is too short: hex.pm requires at least 2 characters`);
  else if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    c.server(
      "hexpm",
      `Package name ${quote(name)} is invalid: it must start with a lowercase letter and hold only lowercase ` +
        "letters, digits and _",
    );
  } else if (RESERVED_NAMES.has(name))
    c.server("hexpm", `Package name ${quote(name)} is reserved by hex.pm; publish under another name`);
}

function checkVersion(c: Collector, meta: ProjectPackage["metadata"]): void {
  const version = meta.version;
  if (version === undefined) return;
  if (!isString(version)) return c.error(`version must be a string, got ${typeof version}`);
  if (version === "") return; // the reader said why there is no version
  const problem = versionProblem(version);
  if (!problem) return;
  // Not SemVer at all: rebar3 hex publish refuses it itself (and mix cannot load such a project). Build
  // metadata and the size limits are hex.pm's own rules (Hexpm.Version.validate).
  if (parseVersion(version) === undefined) c.atPublish(`Version ${quote(version)} ${problem}`);
  else c.server("hexpm", `Version ${quote(version)} ${problem}`);
}

/** Present and, for text, not blank (Ecto's validate_required). */
function present(v: MetadataValue | undefined): boolean {
  return v !== undefined && !(typeof v === "string" && v.trim() === "");
}

function checkFields(c: Collector, pkg: ProjectPackage): void {
  const meta = pkg.metadata;
  // mix's reader already ran Hex's own print_info checks (missing fields, description length, licenses,
  // hex_metadata.config, empty file list) with mix's messages; the other readers did not.
  if (pkg.tool !== "mix") {
    const missing = ["app", "name", "files", "version", "build_tools"].filter((f) => !present(meta[f]));
    if (missing.length > 0) c.error(`Missing metadata fields: ${missing.join(", ")}`);
    const soft = ["description", "licenses"].filter((f) => !present(meta[f]));
    if (soft.length > 0)
      c.server(
        "public",
        `Missing metadata fields: ${soft.join(", ")}${c.enforced("public") ? " (hex.pm requires them)" : ""}`,
      );
    if (!present(meta.links)) c.warn("Missing metadata fields: links (mix hex.build requires them for hex.pm)");
    // (a string of at most 300 UTF-16 units has at most 300 graphemes: no need to load the segmenter)
    if (
      isString(meta.description) &&
      meta.description.length > DESCRIPTION_MAX_LENGTH &&
      graphemeCount(meta.description) > DESCRIPTION_MAX_LENGTH
    ) {
      // mix hex.build's own limit; rebar3_hex and hex.pm do not check it.
      c.warn(
        `Package description is too long (exceeds ${DESCRIPTION_MAX_LENGTH} characters); mix hex.build would refuse it`,
      );
    }
    if (Array.isArray(meta.licenses) && meta.licenses.length === 0) c.warn("You have not included any licenses");
    if (pkg.files.some((f) => f.path === RESERVED_FILE)) c.error(`Do not include this file: ${RESERVED_FILE}`);
    if (pkg.files.length === 0 && present(meta.files))
      c.server("hexpm", "No files to package: the file list is empty (hex.pm: package can't be empty)");
  }
  if (meta.description !== undefined && !isString(meta.description)) c.error("description must be a string");
  if (meta.app !== undefined && !isString(meta.app)) c.error("app must be a string");
  if (meta.build_tools !== undefined) {
    if (!isStringList(meta.build_tools)) c.error("build_tools must be a list of strings");
    else if (meta.build_tools.length === 0) c.server("hexpm", "build_tools must not be empty (hex.pm: can't be blank)");
  }
}

function checkLicenses(c: Collector, meta: ProjectPackage["metadata"]): void {
  const licenses = meta.licenses;
  if (licenses === undefined) return;
  if (!isStringList(licenses)) return c.error("licenses must be a list of strings");
  const invalid = licenses.filter((l) => !isValidLicense(l));
  if (invalid.length === 0) return;
  const listed = invalid.map((l) => {
    const hint = licenseHint(l);
    return hint ? `${quote(l)} (${hint})` : quote(l);
  });
  // mix hex.build and rebar3 hex publish only warn; hex.pm's public repository refuses them.
  c.server(
    "public",
    `The following licenses are not recognized by SPDX: ${listed.join(", ")}; ` +
      "Valid license identifiers are available from https://spdx.org/licenses",
  );
}

function checkLinks(c: Collector, meta: ProjectPackage["metadata"]): void {
  const links = meta.links;
  if (links === undefined) return;
  if (Array.isArray(links) && links.length === 0) return; // an empty proplist
  if (!isObject(links)) return c.error("links must be a map of names to URLs");
  for (const [label, url] of Object.entries(links)) {
    if (!isString(url)) c.error(`Link ${quote(label)} must be a URL string`);
    else if (!isValidLink(url))
      c.server("hexpm", `Link ${quote(label)} is not an http(s) URL with a host: ${quote(url)} (hex.pm: invalid link)`);
  }
}

function checkRequirements(c: Collector, pkg: ProjectPackage): void {
  const target = c.target;
  const prerelease: string[] = [];
  for (const r of pkg.requirements) {
    const problem = requirementProblem(r.requirement);
    if (problem) c.server("hexpm", `Dependency ${r.name}: ${problem}`);
    else if (requirementIsPrerelease(r.requirement)) prerelease.push(`${r.name} ${r.requirement}`);
    const repo = r.repository ?? "hexpm";
    if (isHexpmFamily(target) && repo !== "hexpm" && repo !== target.organization) {
      const allowed = target.organization ? `"hexpm" or ${quote(target.organization)}` : `"hexpm"`;
      c.server(
        "hexpm",
        `Dependency ${r.name} is from repository ${quote(repo)}, but a package in ${target.repository} can only ` +
          `depend on packages in ${allowed}`,
      );
    }
  }
  if (prerelease.length > 0) {
    c.warn(
      `The following pre-release dependencies were found: ${prerelease.join(", ")}. In the future packages with ` +
        "pre-release dependencies will be considered unstable and will be prevented from being published; " +
        "upgrade these dependencies as soon as possible",
    );
  }
  const elixir = pkg.metadata.elixir;
  if (elixir !== undefined) {
    if (!isString(elixir)) c.error("elixir must be a requirement string");
    else {
      const problem = requirementProblem(elixir);
      if (problem) c.server("hexpm", `elixir: ${problem}`);
    }
  }
}

const roundUp = (n: number) => Math.ceil(n / 512) * 512;

/** An upper bound of the contents tar's size (a PAX header allowed for every entry); cheap, unlike the exact size. */
function roughTarSize(files: ProjectPackage["files"]): number {
  let size = 1024;
  for (const f of files) {
    const data = f.kind === "file" ? f.size : f.kind === "memory" ? f.contents.length : 0;
    const names = 4 * (f.path.length + (f.kind === "symlink" ? f.target.length : 0)) + 100;
    size += 2 * 512 + roundUp(names) + roundUp(data);
  }
  return size;
}

/** metadata.config's bytes for a package, or why it cannot be written. Encoded once per build and shared. */
export type EncodedMetadata = { bytes: Uint8Array } | { error: string };

export function encodePackageMetadata(pkg: ProjectPackage): EncodedMetadata {
  try {
    return { bytes: encodeMetadataConfig(pkg.metadata) };
  } catch (e) {
    if (!(e instanceof HextsError)) throw e;
    return { error: e.message };
  }
}

function checkSizes(c: Collector, pkg: ProjectPackage, metadata: EncodedMetadata): void {
  if ("error" in metadata) c.error(`The metadata cannot be written as metadata.config: ${metadata.error}`);
  // hex_core refuses to create such a tarball (too_big_metadata), so the official clients stop here too.
  else if (metadata.bytes.length > METADATA_MAX_SIZE)
    c.error(`metadata.config is ${metadata.bytes.length} bytes, above hex.pm's limit of ${METADATA_MAX_SIZE} bytes`);
  const planned = roughTarSize(pkg.files) > TARBALL_MAX_UNCOMPRESSED_SIZE ? plannedTarSize(pkg.files) : 0;
  if (planned > TARBALL_MAX_UNCOMPRESSED_SIZE) {
    c.error(
      `The package contents are ${planned} bytes uncompressed, above hex.pm's limit of ` +
        `${TARBALL_MAX_UNCOMPRESSED_SIZE} bytes`,
    );
  }
}

/**
 * Every problem with `pkg` as a release for `target`: the reader's own problems first (with file and line),
 * then the checks. The package must not be built (`build`) or published (`publish`) when any has severity
 * "error". The stage decides how hex.pm's server rules count (see the top of this file). `metadata` is the
 * package's metadata.config as the build will write it (encodePackageMetadata), when the caller has it already.
 */
export function checkPackage(
  pkg: ProjectPackage,
  target: PackageTarget = HEXPM,
  stage: CheckStage = "publish",
  metadata: EncodedMetadata = encodePackageMetadata(pkg),
): Problem[] {
  const c = new Collector(target, stage);
  checkFields(c, pkg);
  checkName(c, pkg.metadata);
  checkVersion(c, pkg.metadata);
  checkLicenses(c, pkg.metadata);
  checkLinks(c, pkg.metadata);
  checkRequirements(c, pkg);
  checkSizes(c, pkg, metadata);
  if (pkg.tool === "rebar3" && existsSync(join(pkg.root, "_checkouts"))) {
    c.warn("_checkouts directory found; this might interfere with publishing");
  }
  const seen = new Set<string>();
  return [...pkg.problems, ...c.problems].filter((p) => {
    const key = `${p.severity}\0${formatProblem(p)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const hasErrors = (problems: readonly Problem[]) => problems.some((p) => p.severity === "error");

/** One line: `error: FILE:LINE: message` (the location only when the message does not already name it). */
export function formatProblem(p: Problem): string {
  const message = p.message.replace(/\s*\n\s*/g, " ").trim();
  let where = "";
  if (p.file !== undefined && (p.line !== undefined || !message.includes(p.file))) {
    where = `${p.file}${p.line !== undefined ? `:${p.line}${p.column !== undefined ? `:${p.column}` : ""}` : ""}: `;
  }
  return `${p.severity}: ${where}${message}`;
}

/** PACKAGE_INVALID carrying every problem (errors and warnings) as one line each. */
export function problemsError(problems: readonly Problem[], what = "package"): HextsError {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const counts =
    `${errors} error${errors === 1 ? "" : "s"}` +
    `${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`;
  return new HextsError("PACKAGE_INVALID", `Stopping ${what} build due to errors (${counts}); nothing was written`, {
    lines: problems.map(formatProblem),
    details: { problems: problems.map((p) => ({ ...p, text: formatProblem(p) })) },
  });
}
