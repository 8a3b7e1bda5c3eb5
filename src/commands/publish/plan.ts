// The plan of a publish, as a value: from the checked project, the built package, the server's API URL, where the
// docs come from and the run's options, what will be shown, built and uploaded, and which questions come before.
// Pure: no files, no network, no prompts, no output. executePublish (flow.ts) carries the plan out.
import { HextsError } from "../../errors.js";
import { isHexpmApi } from "../../repository.js";
import type { CheckedProject, PackageSummary, PackageTarget } from "../../build/pipeline.js";
import { DOCS_HOW, type DocsSource } from "./docs.js";
import type { ReleaseRef } from "./errors.js";
import { formatBytes } from "./progress.js";

export interface PublishOptions {
  /** `publish package` / `publish docs`; undefined: both. */
  what?: "package" | "docs";
  dryRun?: boolean;
  replace?: boolean;
  /** Upload progress (default true). */
  progress?: boolean;
  app?: string;
  metadata?: string;
  /** `--build-tool`: which tool's files to read when the directory holds several. */
  buildTool?: "rebar3" | "mix" | "make";
  docDir?: string;
  organization?: string;
  /** `-r/--repo` (defaults to the global flag). */
  repo?: string;
}

/** What `cut` needs to know from inside the flow. */
export interface PublishHooks {
  /** The version the project must be at (cut checks its own rewrite took effect). */
  expectVersion?: string;
  /** Extra words for the Proceed question, e.g. what cut already did. */
  proceedNote?: string;
}

export interface PublishPlanInput {
  options: PublishOptions;
  hooks?: PublishHooks;
  /** The project as read and checked (every check passed; warnings in `problems`). */
  checked: Pick<CheckedProject, "summary" | "target" | "problems"> & { project: { notes?: string[] } };
  /** The package tarball's size and outer checksum; absent for `publish docs`. */
  package?: { size: number; outerChecksum: string };
  /** The API the release goes to. */
  apiUrl: string;
  /** Where the docs come from (docsSource); absent for `publish package`. */
  docs?: DocsSource;
  /** Whether the run may ask questions, and `--yes`. */
  interactive: boolean;
  yes: boolean;
}

/** How the docs are obtained, and what is said about them before anything is uploaded. */
export type DocsStep =
  /** `publish package`: `note` says so. */
  | { kind: "skipped"; note: string }
  /** No docs source: the package goes without docs, after `warning`. */
  | { kind: "none"; reason: string; warning: string }
  /** `publish docs` with no docs source: the run fails with `message` (after the summary). */
  | { kind: "missing"; message: string }
  /** Run the project's generator (`line` announces it), then pack its output. */
  | { kind: "generate"; source: Extract<DocsSource, { kind: "generate" }>; line: string }
  /** Pack an existing directory (`--doc-dir`). */
  | { kind: "dir"; dir: string };

/** The questions asked before the first upload (none with --dry-run). */
export interface PublishConfirmations {
  /** mix's owner choice for a new public package (asked only if the user belongs to organizations). */
  ownerChoice: boolean;
  /** The Proceed question (--yes answers it). */
  proceed: string;
}

/** What every publish result starts with: the release and where it goes. */
export interface PublishRelease {
  name: string;
  version: string;
  app: string;
  repository: string;
  organization?: string;
  apiUrl: string;
  warnings: string[];
}

export interface PublishPlan {
  ref: ReleaseRef;
  /** `publish docs`. */
  docsOnly: boolean;
  dryRun: boolean;
  replace: boolean;
  progress: boolean;
  /** The reader's one-line facts, shown first. */
  notes: string[];
  heading: string;
  /** The package summary shown under the heading; absent for `publish docs`. */
  summary?: PackageSummary;
  warnings: string[];
  /** The package tarball's line ("Package: 12 KB, checksum ..."); absent for `publish docs`. */
  packageLine?: string;
  /** The code of conduct reminder, for hexpm. */
  codeOfConduct?: string;
  /** "Publishing to ..." */
  targetLine: string;
  docs: DocsStep;
  confirmations?: PublishConfirmations;
  /** The command that publishes the docs alone, offered when their upload fails after the package's. */
  docsRetry: string;
  /** The fields every result starts with. */
  result: PublishRelease;
}

const CODE_OF_CONDUCT = "https://hex.pm/policies/codeofconduct";

/** "public repository hexpm at URL", the organization's private repository, a custom one, or another server. */
export function targetLine(target: PackageTarget, apiUrl: string): string {
  if (target.organization)
    return `the private repository of organization ${target.organization} (${target.repository}) at ${apiUrl}`;
  if (target.repository === "hexpm")
    return isHexpmApi(apiUrl) ? `public repository hexpm at ${apiUrl}` : `the server at ${apiUrl}`;
  return `repository ${target.repository} at ${apiUrl}`;
}

function docsStep(o: PublishOptions, docs: DocsSource | undefined): DocsStep {
  if (o.what === "package" || docs === undefined)
    return { kind: "skipped", note: "`package` given: the docs are not published" };
  switch (docs.kind) {
    case "none":
      if (o.what === "docs")
        return { kind: "missing", message: `no docs to publish: ${docs.reason}; generate them and pass --doc-dir DIR` };
      return {
        kind: "none",
        reason: `${docs.reason}; ${DOCS_HOW}`,
        warning:
          `${docs.reason}, so the package ${o.dryRun ? "would be" : "will be"} published WITHOUT docs; ` +
          `to publish docs, ${DOCS_HOW}`,
      };
    case "generate":
      return { kind: "generate", source: docs, line: `Generating docs: ${[docs.command, ...docs.args].join(" ")}` };
    case "dir":
      return { kind: "dir", dir: docs.dir };
  }
}

/**
 * The plan of one publish. Throws PROJECT_INVALID when the project is not at the version `cut` just wrote
 * (nothing is shown or uploaded then).
 */
export function planPublish(input: PublishPlanInput): PublishPlan {
  const { options: o, hooks = {}, checked } = input;
  const { summary, target } = checked;
  if (hooks.expectVersion !== undefined && summary.version !== hooks.expectVersion) {
    throw new HextsError(
      "PROJECT_INVALID",
      `the project reads as version ${summary.version} after the change, not ${hooks.expectVersion}; ` +
        "nothing was uploaded",
    );
  }
  const docsOnly = o.what === "docs";
  const dryRun = o.dryRun === true;
  const warnings = checked.problems.filter((p) => p.severity === "warning").map((p) => p.message);
  const pkg = docsOnly ? undefined : input.package;
  const org = target.organization;
  return {
    ref: { name: summary.name, version: summary.version, organization: org, repository: target.repository },
    docsOnly,
    dryRun,
    replace: o.replace === true,
    progress: o.progress !== false,
    notes: checked.project.notes ?? [],
    heading: `Publishing ${docsOnly ? "docs for " : ""}${summary.name} ${summary.version}`,
    ...(docsOnly ? {} : { summary }),
    warnings,
    ...(pkg ? { packageLine: `Package: ${formatBytes(pkg.size)}, checksum ${pkg.outerChecksum}` } : {}),
    ...(target.repository === "hexpm"
      ? { codeOfConduct: `Before publishing, please read the Code of Conduct: ${CODE_OF_CONDUCT}` }
      : {}),
    targetLine:
      `Publishing to ${targetLine(target, input.apiUrl)}` + `${dryRun ? " (dry run: nothing will be uploaded)" : ""}`,
    docs: docsStep(o, input.docs),
    ...(dryRun
      ? {}
      : {
          confirmations: {
            ownerChoice: !docsOnly && target.repository === "hexpm" && input.interactive && !input.yes,
            proceed: `Proceed${hooks.proceedNote ? ` (${hooks.proceedNote})` : ""}?`,
          },
        }),
    docsRetry:
      `hexts publish docs${o.app ? ` --app ${o.app}` : ""}${org ? ` --organization ${org}` : ""}` +
      `${o.docDir ? ` --doc-dir ${o.docDir}` : ""}`,
    result: {
      name: summary.name,
      version: summary.version,
      app: summary.app,
      repository: target.repository,
      ...(org ? { organization: org } : {}),
      apiUrl: input.apiUrl,
      warnings,
    },
  };
}
