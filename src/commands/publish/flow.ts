// The publish flow shared by `hexts publish` and `hexts cut`:
// read project → every local check → package tarball → summary and target → docs (generated or --doc-dir) →
// credentials → owner choice (new public package, interactive) → Proceed? → upload package → upload docs →
// transfer to the chosen organization. Nothing is uploaded before every local step passed; nothing is ever sent
// twice by hexts itself (a broken upload reports an unknown outcome instead).
// Three steps: readPublish (files, checks, tarball, session), planPublish (plan.ts: pure, the PublishPlan value),
// executePublish (output, docs generation, questions, uploads).
import { relative } from "node:path";
import type { Context } from "../context.js";
import type { HexClient } from "../../api/index.js";
import { HextsError, isHextsError } from "../../errors.js";
import { errorInfo, packageSummaryLines } from "../shared.js";
import type { BuiltPackage, CheckedProject, PackageSummary } from "../../build/pipeline.js";
import type { ProjectPackage } from "../../project/types.js";
import type { ReadProjectOptions } from "../../project/index.js";
import { readProjectOnce } from "../project-read.js";
import type { Output } from "../../ui/output.js";
import { openSession, serverLabel, type Session } from "../session.js";
import { DOCS_HOW, docsSource, runDocsGenerator, type DocsSource } from "./docs.js";
import { planPublish, type PublishHooks, type PublishOptions, type PublishPlan, type PublishRelease } from "./plan.js";
import { explainPublishError, type ReleaseRef } from "./errors.js";
import { formatBytes, uploadProgress } from "./progress.js";

export type { PublishHooks, PublishOptions } from "./plan.js";

export interface PackageOutcome {
  published: boolean;
  /** True when an existing release was overwritten (--replace). */
  replaced?: boolean;
  /** The outer checksum (what hex.pm shows). */
  checksum: string;
  size: number;
  /** The release's page, and its API URL. */
  htmlUrl?: string;
  url?: string;
  /** The server answered 2xx with a body hexts could not read: published, nothing more is known. */
  replyUnreadable?: boolean;
}

export type DocsOutcome =
  | { status: "published"; url?: string; checksum: string; size: number; dir: string }
  /** --dry-run: built, not uploaded. */
  | { status: "built"; checksum: string; size: number; dir: string }
  /** `publish package`. */
  | { status: "skipped" }
  /** No docs source: the reason and how to provide docs. */
  | { status: "none"; reason: string }
  /** The package was published, its docs were not (exit 5, code DOCS_FAILED); `error` is why. */
  | { status: "failed"; code: "DOCS_FAILED"; error: { code: string; message: string }; retry: string };

export interface OwnerOutcome {
  organization: string;
  transferred: boolean;
  error?: { code: string; message: string };
}

export interface PublishResult extends PublishRelease {
  dryRun: boolean;
  /** Absent for `publish docs`. */
  package?: PackageOutcome;
  docs: DocsOutcome;
  owner?: OwnerOutcome;
}

/** The summary mix hex.publish / rebar3 hex publish print before asking, on stderr. */
export function printSummary(out: Output, s: PackageSummary, heading: string): void {
  out.info(heading);
  for (const line of packageSummaryLines(s)) out.info(line);
}

/** mix's owner prompt: a new public package, published by a member of organizations, may be given to one. */
async function chooseOwner(ctx: Context, session: Session, ref: ReleaseRef): Promise<string | undefined> {
  const { getMe, getPackage, isApiError } = await import("../../api/index.js");
  const client = await session.authed();
  let organizations: string[];
  try {
    organizations = ((await getMe(client)).organizations ?? []).map((o) => o.name);
  } catch (e) {
    // an organization key has no user: there is nobody to ask about
    ctx.out.debug(`no owner choice: ${(e as Error).message}`);
    return undefined;
  }
  if (organizations.length === 0) return undefined;
  try {
    await getPackage(client, ref.name);
    return undefined; // not a new package
  } catch (e) {
    if (!isApiError(e, "NOT_FOUND")) {
      ctx.out.debug(`no owner choice: ${(e as Error).message}`);
      return undefined; // unknown: publish as the user (mix does the same)
    }
  }
  ctx.out.info(
    `You are a member of ${organizations.length === 1 ? "an organization" : "organizations"}. ${ref.name} is a new ` +
      "package: publish it with yourself as owner, or with an organization as owner (the package stays public but is " +
      "managed by the organization).",
  );
  const YOURSELF = "@yourself";
  const choice = await ctx.prompt.select(
    "Owner of the new package:",
    [{ name: YOURSELF, message: "Yourself" }, ...organizations.map((o) => ({ name: o, message: `Organization ${o}` }))],
    { supply: "--yes (yourself as owner)" },
  );
  return choice === YOURSELF ? undefined : choice;
}

/** What the plan is made from, read from disk and the run's configuration (nothing sent yet). */
export interface PublishInputs {
  checked: CheckedProject;
  /** The package tarball; absent for `publish docs`. */
  package?: BuiltPackage;
  session: Session;
  /** Where the docs come from; absent for `publish package`. */
  docs?: DocsSource;
}

/** Reads the project, runs every check and builds the package tarball (all local), and opens the session. */
export async function readPublish(ctx: Context, o: PublishOptions): Promise<PublishInputs> {
  const { buildPlan, checkProject } = await import("../../build/pipeline.js");
  const pipelineOptions = {
    dir: ctx.cwd,
    cwd: ctx.cwd,
    app: o.app,
    chooseApp: ctx.prompt.interactive
      ? (apps: { name: string; dir: string }[]) =>
          ctx.prompt.select(
            "Which application do you want to publish?",
            apps.map((a) => ({ name: a.name, message: `${a.name} (${relative(ctx.cwd, a.dir) || "."})` })),
            { supply: "--app APP" },
          )
      : undefined,
    metadataFile: o.metadata,
    buildTool: o.buildTool,
    stage: "publish" as const,
    repo: o.repo ?? ctx.repo?.repository,
    organization: o.organization,
    signal: ctx.signal,
    readProject: (dir: string, opts: ReadProjectOptions) => readProjectOnce(ctx, dir, opts),
  };
  let pkg: BuiltPackage | undefined;
  let checked: CheckedProject;
  if (o.what === "docs") checked = await checkProject(pipelineOptions);
  else {
    const built = await buildPlan({ ...pipelineOptions, what: "package" });
    pkg = built.package;
    checked = built;
  }
  const session = await openSession(ctx, { repo: checked.target });
  const docs =
    o.what === "package" ? undefined : docsSource(checked.project, { docDir: o.docDir, cwd: ctx.cwd, env: ctx.env });
  return { checked, ...(pkg ? { package: pkg } : {}), session, ...(docs ? { docs } : {}) };
}

export async function publishFlow(ctx: Context, o: PublishOptions, hooks: PublishHooks = {}): Promise<PublishResult> {
  const inputs = await readPublish(ctx, o);
  return executePublish(ctx, planFromInputs(ctx, o, inputs, hooks), inputs);
}

/** planPublish on what readPublish read, with the run's ability to ask. */
export function planFromInputs(
  ctx: Context,
  o: PublishOptions,
  inputs: PublishInputs,
  hooks: PublishHooks = {},
): PublishPlan {
  return planPublish({
    options: o,
    hooks,
    checked: inputs.checked,
    package: inputs.package,
    apiUrl: inputs.session.repository.apiUrl ?? "",
    docs: inputs.docs,
    interactive: ctx.prompt.interactive,
    yes: ctx.yes,
  });
}

/** The docs tarball of the plan's docs step: generated, or packed from a directory; undefined when none. */
async function buildDocs(
  ctx: Context,
  plan: PublishPlan,
  project: ProjectPackage,
): Promise<{ tarball: Uint8Array; checksum: string; size: number; dir: string } | undefined> {
  const out = ctx.out;
  const step = plan.docs;
  switch (step.kind) {
    case "skipped":
      out.info(step.note);
      return undefined;
    case "missing":
      throw new HextsError("FAILED", step.message);
    case "none":
      out.warn(step.warning);
      return undefined;
  }
  let dir: string;
  if (step.kind === "generate") {
    out.info(step.line);
    await runDocsGenerator(step.source, { out, env: ctx.env, signal: ctx.signal });
    const { findDocsDir } = await import("../../build/pipeline.js");
    dir = step.source.dir ?? findDocsDir(project, { dir: project.appDir }).dir;
  } else dir = step.dir;
  const { buildDocsTarball } = await import("../../package/docs-tarball.js");
  let built;
  try {
    built = await buildDocsTarball(dir, { signal: ctx.signal });
  } catch (e) {
    if (isHextsError(e)) {
      const shown = relative(ctx.cwd, dir) || ".";
      throw new HextsError(
        e.code,
        `the docs in ${shown} cannot be published: ${e.message}; nothing was uploaded (${DOCS_HOW})`,
        { details: e.details, cause: e },
      );
    }
    throw e;
  }
  const size = built.tarball.length;
  out.info(
    `Docs: ${built.files.length} files from ${relative(ctx.cwd, dir) || "."}, ${formatBytes(size)}, ` +
      `checksum ${built.checksum}`,
  );
  return { tarball: built.tarball, checksum: built.checksum, size, dir };
}

/**
 * Carries out a plan: shows it, makes the docs, then (unless --dry-run) asks its questions and uploads the
 * package, the docs and the owner transfer. `inputs` gives the tarball, the project and the session the plan was
 * made from.
 */
export async function executePublish(
  ctx: Context,
  plan: PublishPlan,
  inputs: Pick<PublishInputs, "package" | "session"> & { checked: { project: ProjectPackage } },
): Promise<PublishResult> {
  const out = ctx.out;
  const { ref, result: base } = plan;
  const { session } = inputs;
  const pkg = plan.docsOnly ? undefined : inputs.package;

  // 1. What will be published, and where.
  for (const note of plan.notes) out.info(note);
  if (plan.summary) printSummary(out, plan.summary, plan.heading);
  else out.info(plan.heading);
  for (const w of plan.warnings) out.warn(w);
  if (plan.packageLine) out.info(plan.packageLine);
  if (plan.codeOfConduct) out.info(plan.codeOfConduct);
  out.info(plan.targetLine);

  // 2. Docs: --doc-dir, else the project's generator, else none (said before anything is uploaded).
  const docsTarball = await buildDocs(ctx, plan, inputs.checked.project);
  let docs: DocsOutcome =
    plan.docs.kind === "none"
      ? { status: "none", reason: plan.docs.reason }
      : docsTarball
        ? { status: "built", checksum: docsTarball.checksum, size: docsTarball.size, dir: docsTarball.dir }
        : { status: "skipped" };

  const pkgOutcome = (published: boolean): PackageOutcome | undefined =>
    pkg ? { published, checksum: pkg.outerChecksum, size: pkg.size } : undefined;
  if (plan.dryRun || !plan.confirmations) {
    const p = pkgOutcome(false);
    return { ...base, dryRun: true, ...(p ? { package: p } : {}), docs };
  }

  // 3. Credentials (only now), the owner of a new public package, and the confirmation.
  await session.authed();
  let owner: string | undefined;
  if (plan.confirmations.ownerChoice) owner = await chooseOwner(ctx, session, ref);
  if (!(await ctx.prompt.confirm(plan.confirmations.proceed, { default: true }))) {
    throw new HextsError("CANCELLED", `cancelled: nothing was uploaded`);
  }
  await session.otpAhead();
  const write = <T>(fn: (client: HexClient, otp: string | undefined) => Promise<T>) => session.write(fn);
  const api = await import("../../api/index.js");
  let sentBytes = 0;
  /** One progress display per attempt (a code asked again means a new upload). */
  const withProgress = async <T>(
    label: string,
    fn: (onProgress: (sent: number, total: number) => void) => Promise<T>,
  ): Promise<T> => {
    const progress = uploadProgress(out, label, { enabled: plan.progress });
    try {
      const result = await fn((sent, total) => {
        sentBytes = Math.max(sentBytes, sent);
        progress.onProgress(sent, total);
      });
      progress.finish(true);
      return result;
    } catch (e) {
      progress.finish(false);
      throw e;
    }
  };

  // 4. The package.
  let packageOutcome: PackageOutcome | undefined;
  if (pkg) {
    let result;
    try {
      result = await write((client, otp) =>
        withProgress(`Uploading ${ref.name} ${ref.version}`, (onProgress) =>
          api.publishRelease(client, pkg.tarball, { name: ref.name, replace: plan.replace, onProgress }, { otp }),
        ),
      );
    } catch (e) {
      const client = await session.authed({ required: false }).catch(() => undefined);
      throw await explainPublishError(
        e,
        { ...ref, repository: serverLabel(session.repository) },
        { client, apiUrl: base.apiUrl, uploadStarted: sentBytes > 0, timeoutMs: client?.timeoutMs },
      );
    }
    packageOutcome = {
      published: true,
      replaced: !result.created && result.replyReadable && result.release.version !== undefined,
      checksum: pkg.outerChecksum,
      size: pkg.size,
      ...(result.release.html_url ? { htmlUrl: result.release.html_url } : {}),
      ...(result.release.url ? { url: result.release.url } : {}),
      ...(result.replyReadable ? {} : { replyUnreadable: true }),
    };
    if (result.release.checksum && result.release.checksum.toLowerCase() !== pkg.outerChecksum) {
      out.warn(
        `the server reports checksum ${result.release.checksum} for ${ref.name} ${ref.version}, ` +
          `not ${pkg.outerChecksum}`,
      );
    }
  }

  // 5. The docs: after a published package, a failure is reported (exit 5), not thrown.
  if (docsTarball) {
    try {
      const res = await write((client, otp) =>
        withProgress(`Uploading docs for ${ref.name} ${ref.version}`, (onProgress) =>
          api.publishDocs(client, ref.name, ref.version, docsTarball.tarball, { onProgress }, { otp }),
        ),
      );
      const url = await docsUrl(session, ref, res.location);
      docs = {
        status: "published",
        ...(url ? { url } : {}),
        checksum: docsTarball.checksum,
        size: docsTarball.size,
        dir: docsTarball.dir,
      };
    } catch (e) {
      if (!pkg) throw e;
      docs = { status: "failed", code: "DOCS_FAILED", error: errorInfo(e), retry: plan.docsRetry };
    }
  }

  // 6. A new package given to an organization (mix: PUT owners/ORG, level full, transfer).
  let ownerOutcome: OwnerOutcome | undefined;
  if (owner) {
    out.info(`Transferring ownership of ${ref.name} to ${owner}...`);
    try {
      await write((client, otp) => api.addOwner(client, ref.name, owner, { level: "full", transfer: true }, { otp }));
      ownerOutcome = { organization: owner, transferred: true };
    } catch (e) {
      ownerOutcome = { organization: owner, transferred: false, error: errorInfo(e) };
    }
  }

  return {
    ...base,
    dryRun: false,
    ...(packageOutcome ? { package: packageOutcome } : {}),
    docs,
    ...(ownerOutcome ? { owner: ownerOutcome } : {}),
  };
}

/** Where the docs will be read: the release's docs page when the server names it, else the uploaded tarball. */
async function docsUrl(session: Session, ref: ReleaseRef, location: string | undefined): Promise<string | undefined> {
  try {
    const { getRelease } = await import("../../api/index.js");
    const release = await getRelease(await session.anonymous(), ref.name, ref.version);
    if (release.docs_html_url) return release.docs_html_url;
  } catch {
    // the docs are published; only their address is unknown
  }
  return location;
}

/** Exit code for a result: 5 when the docs failed after the package was published, 1 when the transfer failed. */
export function publishExitCode(r: PublishResult): number {
  if (r.docs.status === "failed") return 5;
  if (r.owner && !r.owner.transferred) return 1;
  return 0;
}

/** The human view: the package URL and checksum, the docs URL, and what failed with how to retry it. */
export function renderPublish(r: PublishResult, out: Output): void {
  const who = `${r.organization ? `${r.organization}/` : ""}${r.name} ${r.version}`;
  if (r.dryRun) {
    if (r.package)
      out.result(
        `Dry run: ${who} was not published (package checksum ${r.package.checksum}, ${formatBytes(r.package.size)})`,
      );
    else out.result(`Dry run: the docs of ${who} were not published`);
  } else if (r.package) {
    if (r.package.replyUnreadable)
      out.result(`Package published (the server's reply could not be read) (${r.package.checksum})`);
    else
      out.result(
        `Package ${r.package.replaced ? "replaced at" : "published to"} ` +
          `${r.package.htmlUrl ?? r.package.url ?? r.apiUrl} (${r.package.checksum})`,
      );
  }
  switch (r.docs.status) {
    case "published":
      out.result(r.docs.url ? `Docs published, available soon at ${r.docs.url}` : `Docs published for ${who}`);
      break;
    case "built":
      out.result(`Docs would be published (checksum ${r.docs.checksum}, ${formatBytes(r.docs.size)})`);
      break;
    case "none":
      out.result(r.dryRun ? "Docs: none (see the warning above)" : "Published without docs (see the warning above)");
      break;
    case "failed":
      out.writeErr(
        `${out.style("red", "hexts:", "stderr")} the package is published, but its docs are not: ` +
          `${r.docs.error.message}\n`,
      );
      out.writeErr(`  Publish the docs alone with: ${r.docs.retry}\n`);
      break;
  }
  if (r.owner?.transferred) out.result(`Ownership of ${r.name} transferred to ${r.owner.organization}`);
  else if (r.owner) {
    out.writeErr(
      `${out.style("red", "hexts:", "stderr")} ${r.name} was published with you as owner; ` +
        `transferring it to ${r.owner.organization} failed: ${r.owner.error?.message ?? "unknown error"}\n`,
    );
    out.writeErr(`  Retry with: hexts owner transfer ${r.name} ${r.owner.organization}\n`);
  }
}
