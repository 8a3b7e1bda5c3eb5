// The build pipeline shared by `hexts build` and `hexts publish`: read the project → run every check → build the
// package tarball and the docs tarball in memory. Nothing is written here and nothing is printed: progress goes
// to a callback, problems come back in the plan (warnings) or as one PACKAGE_INVALID error listing them all.
// The small file writers at the end (a tarball through the atomic writer, unpack into a directory) are for `build`.
import { existsSync, statSync } from "node:fs";
import { lstat, mkdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { SHARED_FILE_MODE, writeFileAtomic } from "../config/atomic.js";
import { HextsError, isHextsError } from "../errors.js";
import {
  listApps,
  readProject,
  type AppChoice,
  type BuildToolChoice,
  type ReadProjectOptions,
} from "../project/index.js";
import type { Problem, ProjectPackage } from "../project/types.js";
import {
  checkPackage,
  encodePackageMetadata,
  formatProblem,
  hasErrors,
  packageTarget,
  problemsError,
  projectTarget,
  type CheckStage,
  type PackageTarget,
} from "../package/checks.js";
import type { BuildProgress } from "../package/contents.js";
import { buildDocsTarball, unpackDocsTarball } from "../package/docs-tarball.js";
import { isInside } from "../package/paths.js";
import { buildPackageTarball, unpackPackageTarball } from "../package/tarball.js";

export type { PackageTarget } from "../package/checks.js";

/** What to build: the package, its docs, or both (`hexts build` with no argument). */
export type BuildWhat = "package" | "docs" | "both";

export interface PipelineOptions {
  /** The project directory (the root of an umbrella). */
  dir: string;
  /** `--app`: the application to package in a project with several. */
  app?: string;
  /**
   * Asked when the project has several apps and `app` is not given (the CLI offers a choice on a TTY).
   * Without it, that case fails with INPUT_REQUIRED naming `--app`.
   */
  chooseApp?: (apps: AppChoice[]) => Promise<string>;
  /** `--metadata FILE`: the package described in JSON instead of read from the project. */
  metadataFile?: string;
  /** `--repo` and `--organization`: the repository the package is for (checks depend on it). */
  repo?: string;
  /** `--build-tool`: which tool's files to read when the directory holds several. */
  buildTool?: BuildToolChoice;
  /** `--file-order` (mix): "sorted" (default) or "filesystem". */
  fileOrder?: "sorted" | "filesystem";
  /** "build" reports hex.pm's server rules as warnings; "publish" (the default) enforces them on hex.pm. */
  stage?: CheckStage;
  organization?: string;
  /** Default "both": the package, plus the docs when a docs directory exists (a warning when not). */
  what?: BuildWhat;
  /** `--doc-dir`: the generated docs (absolute, or relative to `cwd`). Default: `doc`, else `docs`, in the app. */
  docDir?: string;
  /** Resolves a relative `docDir` (default: `dir`). */
  cwd?: string;
  onProgress?: (event: PipelineEvent) => void;
  signal?: AbortSignal;
  /**
   * Reads the project (default: readProject). A command passes one that reuses the read its settings made, so
   * each file is read and stat'ed once per run.
   */
  readProject?: (dir: string, opts: ReadProjectOptions) => Promise<ProjectPackage>;
}

export type PipelineEvent =
  | { step: "read"; dir: string }
  | { step: "checked"; problems: readonly Problem[] }
  | { step: "package"; progress: BuildProgress }
  | { step: "docs"; dir: string; progress: BuildProgress };

export interface RequirementSummary {
  name: string;
  app: string;
  requirement: string;
  optional: boolean;
  /** Undefined when the client writes none (rebar3_hex): hex.pm then assumes `hexpm`. */
  repository?: string;
}

/** What the package is, in the terms the official clients print before building or publishing. */
export interface PackageSummary {
  tool: ProjectPackage["tool"];
  name: string;
  version: string;
  app: string;
  repository: string;
  organization?: string;
  description?: string;
  licenses: string[];
  links: Record<string, string>;
  buildTools: string[];
  elixir?: string;
  requirements: RequirementSummary[];
  /** Every path of the metadata `files` list, directories included, in package order. */
  files: string[];
}

export interface BuiltPackage {
  /** The whole outer tarball, as uploaded (a view: use byteOffset/byteLength). */
  tarball: Uint8Array;
  outerChecksum: string;
  innerChecksum: string;
  size: number;
  /** Size of the uncompressed contents tar. */
  contentsSize: number;
  metadataConfig: Uint8Array;
  /** Where the official client writes it: absolute. */
  defaultOutput: string;
}

export type DocsResult =
  | {
      status: "built";
      dir: string;
      tarball: Uint8Array;
      checksum: string;
      size: number;
      files: string[];
      defaultOutput: string;
    }
  | { status: "missing"; dir?: string; reason: string }
  | { status: "skipped" };

/** Everything `build` writes and `publish` uploads, plus what to show before doing it. */
export interface BuildPlan {
  project: ProjectPackage;
  target: PackageTarget;
  summary: PackageSummary;
  /** All problems found (none of them an error, or the pipeline would have thrown). */
  problems: Problem[];
  /** The warnings as one line each (`warning: ...`), docs warnings included. */
  warnings: string[];
  /** One-line facts from the reader (which build tool was chosen, a script evaluated by real Erlang). */
  notes: string[];
  /** metadata.config as checked (and, when the package is built, as its tarball holds it). */
  metadataConfig: Uint8Array;
  package?: BuiltPackage;
  docs: DocsResult;
}

export interface CheckedProject {
  project: ProjectPackage;
  target: PackageTarget;
  summary: PackageSummary;
  problems: Problem[];
  /** metadata.config, encoded once: the checks measured it and the package tarball holds these bytes. */
  metadataConfig: Uint8Array;
}

async function pickApp(root: string, opts: PipelineOptions): Promise<string | undefined> {
  if (opts.app !== undefined || opts.metadataFile !== undefined || !opts.chooseApp) return opts.app;
  const apps = await listApps(root, opts.buildTool);
  return apps.length > 1 ? opts.chooseApp(apps) : undefined;
}

async function read(
  root: string,
  app: string | undefined,
  opts: PipelineOptions,
  target: PackageTarget | undefined,
): Promise<ProjectPackage> {
  const readWith = opts.readProject ?? readProject;
  if (opts.metadataFile !== undefined)
    return readWith(root, { metadataFile: resolve(opts.cwd ?? root, opts.metadataFile) });
  return readWith(root, {
    app,
    organization: target?.organization,
    buildTool: opts.buildTool,
    fileOrder: opts.fileOrder,
  });
}

function summarize(pkg: ProjectPackage, target: PackageTarget): PackageSummary {
  const m = pkg.metadata;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const links: Record<string, string> = {};
  if (m.links && typeof m.links === "object" && !Array.isArray(m.links)) {
    for (const [k, v] of Object.entries(m.links)) if (typeof v === "string") links[k] = v;
  }
  return {
    tool: pkg.tool,
    name: pkg.name,
    version: pkg.version,
    app: pkg.app,
    repository: target.repository,
    ...(target.organization !== undefined ? { organization: target.organization } : {}),
    ...(str(m.description) !== undefined ? { description: str(m.description) } : {}),
    licenses: strings(m.licenses),
    links,
    buildTools: strings(m.build_tools),
    ...(str(m.elixir) !== undefined ? { elixir: str(m.elixir) } : {}),
    requirements: pkg.requirements.map((r) => ({
      name: r.name,
      app: r.app,
      requirement: r.requirement,
      optional: r.optional,
      ...(r.repository !== undefined ? { repository: r.repository } : {}),
    })),
    files: strings(m.files),
  };
}

/**
 * Reads the project and runs every check. Throws PACKAGE_INVALID listing every problem (errors and warnings,
 * one line each) when any is an error; otherwise returns the project with its warnings.
 */
export async function checkProject(opts: PipelineOptions): Promise<CheckedProject> {
  const root = resolve(opts.dir);
  const flags = { repo: opts.repo, organization: opts.organization };
  const app = await pickApp(root, opts);
  opts.onProgress?.({ step: "read", dir: root });
  // The flags' repository decides how the project is read (mix); the project's own applies when they name none.
  const named = flags.repo !== undefined || flags.organization !== undefined ? packageTarget(flags) : undefined;
  const project = await read(root, app, opts, named);
  const target = projectTarget(project, flags);
  const metadata = encodePackageMetadata(project);
  const problems = checkPackage(project, target, opts.stage ?? "publish", metadata);
  opts.onProgress?.({ step: "checked", problems });
  // A metadata that cannot be encoded is an error problem, so past this point it has its bytes.
  if (hasErrors(problems) || "error" in metadata) throw problemsError(problems);
  return { project, target, summary: summarize(project, target), problems, metadataConfig: metadata.bytes };
}

/** The directories searched for generated docs, in order: mix looks at doc/ then docs/, rebar3_hex at doc/. */
export function docsDirNames(tool: ProjectPackage["tool"]): string[] {
  return tool === "mix" || tool === "metadata" ? ["doc", "docs"] : ["doc"];
}

/** Where the docs are: `--doc-dir`, else the tool's default directories in the app directory. */
export function findDocsDir(
  project: ProjectPackage,
  opts: Pick<PipelineOptions, "docDir" | "cwd" | "dir">,
): { dir: string; found: boolean } {
  if (opts.docDir !== undefined) {
    const dir = resolve(opts.cwd ?? opts.dir, opts.docDir);
    return { dir, found: existsSync(dir) && statSync(dir).isDirectory() };
  }
  for (const name of docsDirNames(project.tool)) {
    const dir = join(project.appDir, name);
    if (existsSync(dir) && statSync(dir).isDirectory()) return { dir, found: true };
  }
  return { dir: join(project.appDir, "doc"), found: false };
}

/** How docs come to be (the CLI adds its own flags: cli/advice.ts "docs-missing", commands/build.ts). */
const DOCS_HINT = "generate them first (mix docs, rebar3 ex_doc or rebar3 edoc)";

/** Docs failures that only mean "no usable docs yet": a warning when docs are optional. */
const SOFT_DOCS_REASONS = new Set(["docs_dir_missing", "docs_missing_index"]);

async function buildDocs(checked: CheckedProject, opts: PipelineOptions, required: boolean): Promise<DocsResult> {
  const { project, summary } = checked;
  const { dir, found } = findDocsDir(project, opts);
  const shown = relative(opts.cwd ?? project.root, dir) || ".";
  if (!found) {
    const names = docsDirNames(project.tool)
      .map((n) => `${n}/`)
      .join(" or ");
    const where =
      opts.docDir !== undefined
        ? `the docs directory ${shown} does not exist`
        : `no ${names} directory in ${relative(opts.cwd ?? project.root, project.appDir) || "."}`;
    const reason = `Docs not built: ${where}; ${DOCS_HINT}`;
    if (required)
      throw new HextsError("PACKAGE_INVALID", `Documentation could not be found: ${where}; ${DOCS_HINT}`, {
        kind: "docs-missing",
        details: { reason: "docs_dir_missing", dir },
      });
    return { status: "missing", dir, reason };
  }
  try {
    const docs = await buildDocsTarball(dir, {
      signal: opts.signal,
      onProgress: (progress) => opts.onProgress?.({ step: "docs", dir, progress }),
    });
    const defaultOutput = join(
      project.root,
      dirname(project.defaultOutput),
      `${summary.name}-${summary.version}-docs.tar`,
    );
    return {
      status: "built",
      dir,
      tarball: docs.tarball,
      checksum: docs.checksum,
      size: docs.tarball.length,
      files: docs.files,
      defaultOutput,
    };
  } catch (e) {
    const reason = isHextsError(e) ? (e.details as { reason?: string } | undefined)?.reason : undefined;
    if (!isHextsError(e) || e.code !== "PACKAGE_INVALID") throw e;
    const what = e.message.replace(/^The docs /, "they ");
    if (!required && reason !== undefined && SOFT_DOCS_REASONS.has(reason)) {
      return { status: "missing", dir, reason: `Docs not built from ${shown}: ${what}; ${DOCS_HINT}` };
    }
    throw new HextsError("PACKAGE_INVALID", `Docs in ${shown} cannot be packaged: ${what}`, {
      details: e.details,
      cause: e,
    });
  }
}

/**
 * The whole local part of a release: read the project, check it (throwing PACKAGE_INVALID with every problem
 * when any is an error), then build the package tarball and/or the docs tarball in memory. A build failure
 * found only while compressing (over 16 MiB) is reported the same way, with the warnings found before.
 */
export async function buildPlan(opts: PipelineOptions): Promise<BuildPlan> {
  const what = opts.what ?? "both";
  const checked = await checkProject(opts);
  const { project, summary } = checked;
  const problems = [...checked.problems];

  let pkg: BuiltPackage | undefined;
  if (what !== "docs") {
    try {
      const built = await buildPackageTarball(checked.metadataConfig, project.files, {
        signal: opts.signal,
        onProgress: (progress) => opts.onProgress?.({ step: "package", progress }),
      });
      pkg = {
        tarball: built.tarball,
        outerChecksum: built.outerChecksum,
        innerChecksum: built.innerChecksum,
        size: built.tarball.length,
        contentsSize: built.contentsSize,
        metadataConfig: built.metadataConfig,
        defaultOutput: join(project.root, project.defaultOutput),
      };
    } catch (e) {
      if (isHextsError(e) && e.code === "PACKAGE_INVALID")
        throw problemsError([...problems, { severity: "error", message: e.message }]);
      throw e;
    }
  }

  const docs: DocsResult = what === "package" ? { status: "skipped" } : await buildDocs(checked, opts, what === "docs");
  if (docs.status === "missing") problems.push({ severity: "warning", message: docs.reason });
  return {
    project,
    target: checked.target,
    summary,
    problems,
    warnings: problems.filter((p) => p.severity === "warning").map(formatProblem),
    notes: project.notes ?? [],
    metadataConfig: checked.metadataConfig,
    ...(pkg ? { package: pkg } : {}),
    docs,
  };
}

// ---- writing the results (hexts build) ----

/**
 * Writes a built or downloaded tarball to `path` (0644 less the umask), creating the parent directories, through
 * the one atomic writer: a failure leaves the previous file (or none), never part of a tarball.
 */
export async function writeTarballFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes, SHARED_FILE_MODE, { umask: true });
  } catch (e) {
    throw new HextsError("IO", `Could not write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

interface UnpackEntry {
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  contents: Uint8Array;
  linkTarget?: string;
}

/** The deepest part of `path` that exists, resolved through symlinks ("" for a dangling symlink). */
async function existingRealPath(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    const real = await realpath(p).catch(() => undefined);
    if (real !== undefined) return real;
    if (
      await lstat(p).then(
        () => true,
        () => false,
      )
    )
      return ""; // exists, but does not resolve
    if (p === dirname(p)) return p;
  }
}

const refuse = (entry: string, why: string) =>
  new HextsError("IO", `Refusing to write ${JSON.stringify(entry)}: ${why}`, {
    details: { reason: "unsafe_path", path: entry },
  });

/** The absolute path of `entry` inside `root`, refusing anything that would land outside it. */
async function insidePath(root: string, entry: string): Promise<string> {
  const target = resolve(root, entry);
  if (!isInside(target, root) || target === root) throw refuse(entry, `it is outside ${root}`);
  // An existing symlink on the way (left in the directory before) must not lead outside either.
  const parent = await existingRealPath(dirname(target));
  if (!isInside(parent, root)) throw refuse(entry, `${dirname(target)} leads outside ${root} through a symlink`);
  return target;
}

async function writeEntries(dir: string, entries: readonly UnpackEntry[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const root = await realpath(dir);
  // Directories and files first, symlinks last, so no entry is ever written through a link from this archive.
  const ordered = [...entries.filter((e) => e.type !== "symlink"), ...entries.filter((e) => e.type === "symlink")];
  for (const entry of ordered) await insidePath(root, entry.path); // refuse before writing anything
  for (const entry of ordered) {
    const target = await insidePath(root, entry.path);
    if (entry.type === "dir") {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await insidePath(root, entry.path); // the parents now exist: check them again through realpath
    // Never write through what is there: a symlink, or a hard link whose other name may lie outside. Replace it.
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !existing.isDirectory()) await rm(target, { force: true });
    if (entry.type === "symlink") await symlink(entry.linkTarget!, target);
    else await writeFile(target, entry.contents, { mode: entry.mode & 0o777, flag: "wx" });
  }
}

/**
 * `--unpack`: verifies the built tarball as a download would be (unpackPackageTarball) and writes its files
 * into `dir`, plus `hex_metadata.config` (a copy of metadata.config, as the official clients write it).
 * Returns the paths written, relative to `dir`.
 */
export async function unpackPackageTo(tarball: Uint8Array, dir: string): Promise<string[]> {
  const unpacked = await unpackPackageTarball(tarball);
  const entries: UnpackEntry[] = [
    ...unpacked.files,
    { path: "hex_metadata.config", type: "file", mode: 0o644, contents: unpacked.metadataConfig },
  ];
  await writeEntries(resolve(dir), entries);
  return entries.map((e) => e.path);
}

/** `build docs --unpack`: the docs tarball's files written into `dir`. */
export async function unpackDocsTo(tarball: Uint8Array, dir: string): Promise<string[]> {
  const unpacked = unpackDocsTarball(tarball);
  await writeEntries(
    resolve(dir),
    unpacked.files.map((f) => ({ path: f.path, type: "file" as const, mode: f.mode, contents: f.contents })),
  );
  return unpacked.files.map((f) => f.path);
}
