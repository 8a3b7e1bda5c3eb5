// `hexts cut` (rebar3 hex cut): bump the version, commit that one file, publish (the same flow as `publish`),
// create an annotated tag, and push the branch and the tag to the branch's upstream. With `{vsn, git}` the tag
// comes first, because the version is read from it (as rebar3 does). Every check and question comes before the
// first change; when publishing fails, cut undoes its own steps in reverse order and says what it undid.
// Three steps: readCut (git state, project, version file, the version asked), the pure checks and planCut
// (cut/plan.ts), executeCut (output, file rewrite, git, publish, undo).
import { readFile, realpath, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError, isHextsError } from "../errors.js";
import { errorInfo } from "./shared.js";
import { formatGitCommand, Git } from "../git/git.js";
import type { ProjectPackage } from "../project/types.js";
import type { Output } from "../ui/output.js";
import { incrementChoices, nextVersion, type Increment } from "./publish/next-version.js";
import { forgetProjectReads, organizationToRead, readProjectOnce } from "./project-read.js";
import { publishExitCode, publishFlow, renderPublish, type PublishResult } from "./publish/flow.js";
import { locateVersion, rewriteVersion, type VersionFile } from "./publish/version-file.js";
import type { PackageTarget } from "../package/checks.js";
import {
  checkCutPreconditions,
  planCut,
  tagFor,
  type CutPlan,
  type CutRelease,
  type GitPlanFacts,
} from "./cut/plan.js";
import { writeFileAtomic } from "../config/atomic.js";

/** Rewrites the project's version file through the one atomic writer, keeping the file's mode (and symlink). */
async function rewriteInPlace(path: string, text: string | Uint8Array): Promise<void> {
  const target = await realpath(path);
  await writeFileAtomic(target, text, (await stat(target)).mode & 0o7777);
}

const Text = z.string().min(1);

export const CutInput = z.object({
  increment: z.enum(["major", "minor", "patch"]).optional(),
  pre: Text.optional(),
  setVersion: Text.optional(),
  prefixTag: z.enum(["true", "false"]).default("true"),
  app: Text.optional(),
  dryRun: z.boolean().optional(),
  /** `--no-push` gives false. */
  push: z.boolean().optional(),
  replace: z.boolean().optional(),
  docDir: Text.optional(),
  organization: Text.optional(),
  progress: z.boolean().optional(),
});
export type CutInputValue = z.output<typeof CutInput>;

export type PushOutcome =
  | { status: "pushed"; remote: string; branch: string; tag: string }
  | { status: "skipped"; reason: string }
  | { status: "failed"; error: { code: string; message: string }; commands: string[] };

export interface CutResult extends CutRelease {
  commit?: string;
  tagged: boolean;
  /** Tagging after a successful publish failed (nothing was undone). */
  tagError?: { code: string; message: string; command: string };
  push: PushOutcome;
  dryRun: boolean;
  /** Every change, in order: what was done, or with --dry-run what would be. */
  steps: string[];
  publish: PublishResult;
}

/** One change of the run and how to take it back. */
interface Done {
  what: string;
  undo: () => Promise<string>;
}

/** The file that holds the version: src/APP.app.src of the app (rebar3), or its mix.exs. */
async function versionFileOf(project: ProjectPackage): Promise<{ path: string; kind: "app.src" | "mix.exs" }> {
  if (project.tool === "mix") return { path: join(project.appDir, "mix.exs"), kind: "mix.exs" };
  if (project.tool === "rebar3") {
    // The reader says which .app.src it took the version from.
    const path = project.versionFile;
    if (path === undefined)
      throw new HextsError("PROJECT_INVALID", `cannot find the .app.src of ${project.app} in ${project.appDir}`);
    if (path.endsWith(".script")) {
      throw new HextsError(
        "PROJECT_INVALID",
        `${relative(project.appDir, path)} is an Erlang script; hexts cut cannot change the version it computes ` +
          "(change it by hand, commit, and run `hexts publish`)",
      );
    }
    return { path, kind: "app.src" };
  }
  throw new HextsError(
    "PROJECT_INVALID",
    "hexts cut changes the version of rebar3 and mix projects; " +
      `for ${project.tool === "make" ? "an Erlang.mk project" : "this project"} change it by hand, commit, tag ` +
      "and run `hexts publish`",
  );
}

async function askVersion(ctx: Context, current: string, input: CutInputValue): Promise<string> {
  if (input.setVersion !== undefined || input.increment !== undefined || input.pre !== undefined) {
    return nextVersion(current, { increment: input.increment, pre: input.pre, set: input.setVersion });
  }
  const supply = "--increment major|minor|patch, --pre LABEL or --version X";
  const choices = incrementChoices(current);
  const OTHER = "other";
  const picked = await ctx.prompt.select<Increment | typeof OTHER>(
    `Select the version increment (current ${current}):`,
    [
      ...choices.map((c) => ({ name: c.increment, message: `${c.increment} (${c.version})` })),
      { name: OTHER, message: "other (type a version)" },
    ],
    { supply },
  );
  if (picked !== OTHER) return nextVersion(current, { increment: picked });
  return nextVersion(current, { set: (await ctx.prompt.input("New version:", { supply })).trim() });
}

/** The project as it is (no checks yet: with `{vsn, git}` the version is not final before the tag exists). */
async function readForCut(ctx: Context, input: CutInputValue): Promise<{ project: ProjectPackage; app?: string }> {
  const { listApps } = await import("../project/index.js");
  let app = input.app;
  if (app === undefined && ctx.prompt.interactive) {
    const apps = await listApps(ctx.cwd);
    if (apps.length > 1) {
      app = await ctx.prompt.select(
        "Which application do you want to cut?",
        apps.map((a) => ({ name: a.name, message: `${a.name} (${relative(ctx.cwd, a.dir) || "."})` })),
        { supply: "--app APP" },
      );
    }
  }
  const organization = organizationToRead(ctx, input.organization);
  return { project: await readProjectOnce(ctx, ctx.cwd, { app, organization }), app };
}

/** Everything cut reads before its plan: git's state, the project, its version file, and the version chosen. */
interface CutFacts {
  git: GitPlanFacts;
  project: ProjectPackage;
  app?: string;
  /** The version file, and its bytes as read; undefined with `{vsn, git}`. */
  versionFile?: VersionFile;
  fileRel: string;
  to: string;
  tagTaken: boolean;
  target: PackageTarget;
  apiUrl: string;
}

/** Reads the facts and asks the questions, in the order their failures are reported; changes nothing. */
async function readCut(ctx: Context, input: CutInputValue, git: Git): Promise<CutFacts> {
  const push = input.push !== false;
  await git.topLevel(); // a clear error outside a git work tree
  const dirty = await git.changes();
  const head = await git.head();
  const branch = await git.branch();
  const upstream = push && branch ? await git.upstream(branch) : undefined;
  const facts = checkCutPreconditions(
    { dirty, ...(head ? { head } : {}), ...(branch ? { branch } : {}), ...(upstream ? { upstream } : {}) },
    { push, dryRun: input.dryRun === true, interactive: ctx.prompt.interactive, yes: ctx.yes },
  );

  const { project, app } = await readForCut(ctx, input);
  const where = await versionFileOf(project);
  const fileRel = relative(ctx.cwd, where.path) || where.path;
  const original = await readFile(where.path);
  const located = locateVersion(where.path, original, where.kind, project.version, fileRel);
  let versionFile: VersionFile | undefined;
  if (!("site" in located)) {
    if (!/^"?(git|semver)"?$/.test(located.text)) {
      throw new HextsError(
        "PROJECT_INVALID",
        `${fileRel} has {vsn, ${located.text}}; hexts cut handles a plain version string or {vsn, git}`,
      );
    }
  } else {
    versionFile = located;
    if (!(await git.tracked(where.path)))
      throw new HextsError("GIT", `${fileRel} is not tracked by git, so hexts cut cannot commit the version change`);
    // The version is known and valid now: run every check before the first change. (With {vsn, git} the version
    // only exists once the tag does; the publish step checks it then, and a failure deletes the tag.)
    const { checkProject } = await import("../build/pipeline.js");
    await checkProject({
      dir: ctx.cwd,
      cwd: ctx.cwd,
      app,
      repo: ctx.repo?.repository,
      organization: input.organization,
      signal: ctx.signal,
      readProject: (dir, opts) => readProjectOnce(ctx, dir, opts),
    });
  }
  const { projectTarget } = await import("../package/checks.js");
  const target = projectTarget(project, { repo: ctx.repo?.repository, organization: input.organization });
  const to = await askVersion(ctx, project.version, input);
  const tagTaken = to !== project.version && (await git.tagExists(tagFor(to, input.prefixTag !== "false")));
  const session = await import("./session.js").then((m) => m.openSession(ctx, { repo: target }));
  return {
    git: facts,
    project,
    ...(app !== undefined ? { app } : {}),
    ...(versionFile ? { versionFile } : {}),
    fileRel,
    to,
    tagTaken,
    target,
    apiUrl: session.repository.apiUrl ?? "",
  };
}

export async function cut(outer: Context, input: CutInputValue): Promise<CutResult> {
  // Ctrl-C while cut changes things must not leave them half done: it aborts the step in flight, and the undo runs.
  const interrupt = new AbortController();
  const ctx: Context = { ...outer, signal: AbortSignal.any([outer.signal, interrupt.signal]) };
  // git may ask for HTTPS credentials on the terminal when we could prompt too.
  const git = new Git(ctx.cwd, { env: ctx.env, signal: ctx.signal, terminalPrompt: ctx.prompt.interactive });

  // ---- every check and question before the first change ----
  const facts = await readCut(ctx, input, git);
  const plan = planCut({
    options: {
      dryRun: input.dryRun === true,
      push: input.push !== false,
      prefixTag: input.prefixTag !== "false",
      replace: input.replace,
      progress: input.progress,
      docDir: input.docDir,
    },
    git: facts.git,
    project: facts.project,
    app: facts.app,
    versionFile: facts.versionFile ? facts.fileRel : undefined,
    to: facts.to,
    tagTaken: facts.tagTaken,
    target: facts.target,
    apiUrl: facts.apiUrl,
  });
  return executeCut(ctx, plan, { git, interrupt, versionFile: facts.versionFile });
}

/**
 * Carries out a plan: shows it; with --dry-run only runs the publish dry run; otherwise makes each change with its
 * undo (undone in reverse when publishing fails), then tags and pushes, reporting rather than undoing after the
 * release exists. `versionFile` is the file as read when the plan was made.
 */
export async function executeCut(
  ctx: Context,
  plan: CutPlan,
  o: { git: Git; interrupt: AbortController; versionFile?: VersionFile },
): Promise<CutResult> {
  const { git, versionFile } = o;
  const undoGit = new Git(ctx.cwd, { env: ctx.env, terminalPrompt: false }); // undo runs even after Ctrl-C
  for (const line of plan.lines) ctx.out.info(line);
  const base = {
    name: plan.name,
    from: plan.from,
    to: plan.to,
    tag: plan.tag,
    source: plan.source,
    ...(plan.file !== undefined ? { file: plan.file } : {}),
  };
  const { tag, tagArgs, steps } = plan;

  if (plan.dryRun) {
    const publish = await publishFlow(ctx, plan.publish);
    return { ...base, tagged: false, push: { status: "skipped", reason: "dry run" }, dryRun: true, steps, publish };
  }

  // ---- the changes, each with its undo ----
  const done: Done[] = [];
  let commit: string | undefined;
  let publish: PublishResult;
  let interrupts = 0;
  const onInterrupt = () => {
    if (++interrupts > 1) process.exit(130); // a second Ctrl-C: stop at once
    o.interrupt.abort();
  };
  process.on("SIGINT", onInterrupt);
  try {
    if (versionFile && plan.commitArgs && plan.file !== undefined) {
      const fileRel = plan.file;
      await rewriteInPlace(versionFile.path, rewriteVersion(versionFile, plan.to));
      done.push({
        what: `the version change in ${fileRel}`,
        undo: async () => {
          await rewriteInPlace(versionFile.path, versionFile.original);
          return `restored ${fileRel}`;
        },
      });
      await git.run(plan.commitArgs);
      commit = (await git.head())!;
      const reset = ["reset", "--keep", plan.head];
      done.push({
        what: `the commit ${tag}`,
        undo: async () => {
          await undoGit.run(reset);
          return `removed the commit ${tag} (${formatGitCommand(reset)})`;
        },
      });
    } else {
      await git.run(tagArgs);
      done.push({
        what: `the tag ${tag}`,
        undo: async () => {
          await undoGit.run(["tag", "-d", tag]);
          return `deleted the tag ${tag}`;
        },
      });
    }
    forgetProjectReads(ctx); // the version file or the tag changed: publish reads the project as it is now
    publish = await publishFlow(ctx, plan.publish, { expectVersion: plan.to });
  } catch (e) {
    throw await ctx.undoing(() => undoAll(e, done));
  } finally {
    process.off("SIGINT", onInterrupt);
  }

  // ---- after a published release nothing is undone: the rest is reported ----
  let tagged = plan.source === "git";
  let tagError: CutResult["tagError"];
  if (!tagged) {
    try {
      await git.run(tagArgs);
      tagged = true;
    } catch (e) {
      tagError = { ...errorInfo(e), command: formatGitCommand(tagArgs) };
    }
  }
  let push: PushOutcome;
  if (!plan.push || !plan.pushQuestion) push = { status: "skipped", reason: "--no-push" };
  else if (!tagged) push = { status: "skipped", reason: "the tag could not be created" };
  else if (!(await ctx.prompt.confirm(plan.pushQuestion, { default: true }))) {
    push = { status: "skipped", reason: "declined" };
  } else {
    push = { status: "pushed", remote: plan.push.remote, branch: plan.push.branch, tag };
    for (const [i, args] of plan.pushArgs.entries()) {
      try {
        await git.run(args);
      } catch (e) {
        push = { status: "failed", error: errorInfo(e), commands: plan.pushArgs.slice(i).map(formatGitCommand) };
        break;
      }
    }
  }
  return {
    ...base,
    ...(commit ? { commit } : {}),
    tagged,
    ...(tagError ? { tagError } : {}),
    push,
    dryRun: false,
    steps,
    publish,
  };
}

/** Undoes `done` in reverse order and returns the original error with what was undone (or could not be). */
async function undoAll(e: unknown, done: Done[]): Promise<unknown> {
  if (done.length === 0) return e;
  const lines: string[] = [];
  // A commit's undo restores its file too: skip the separate file undo after a successful reset.
  let resetOk = false;
  for (const step of [...done].reverse()) {
    if (resetOk && step.what.startsWith("the version change")) continue;
    try {
      lines.push(`undid: ${await step.undo()}`);
      if (step.what.startsWith("the commit")) resetOk = true;
    } catch (u) {
      lines.push(`could not undo ${step.what}: ${u instanceof Error ? u.message : String(u)}`);
    }
  }
  const err = isHextsError(e)
    ? e
    : new HextsError("INTERNAL", e instanceof Error ? e.message : String(e), { cause: e });
  return new HextsError(err.code, `${err.message.replace(/\.$/, "")} (hexts cut undid its changes, see below)`, {
    kind: err.kind,
    status: err.status,
    details: err.details,
    cause: err.cause ?? err,
    lines: [...err.lines, ...lines],
  });
}

export function cutExitCode(r: CutResult): number {
  const publish = publishExitCode(r.publish);
  if (publish !== 0) return publish;
  return r.push.status === "failed" || r.tagError ? 1 : 0;
}

export function renderCut(r: CutResult, out: Output): void {
  if (r.dryRun) {
    out.result(`Dry run: nothing was changed. hexts cut would, for ${r.name} ${r.from} -> ${r.to}:`);
    for (const [i, s] of r.steps.entries()) out.result(`  ${i + 1}. ${s}`);
    renderPublish(r.publish, out);
    return;
  }
  if (r.commit) out.result(`Committed ${r.file} as ${r.tag} (${r.commit.slice(0, 12)})`);
  renderPublish(r.publish, out);
  if (r.tagged) out.result(`Tagged ${r.tag}`);
  else if (r.tagError) {
    out.writeErr(
      `${out.style("red", "hexts:", "stderr")} ${r.name} ${r.to} is published, but the tag could not be created: ` +
        `${r.tagError.message}\n`,
    );
    out.writeErr(`  Create and push it yourself: ${r.tagError.command}\n`);
  }
  switch (r.push.status) {
    case "pushed":
      out.result(`Pushed ${r.push.branch} and ${r.push.tag} to ${r.push.remote}`);
      break;
    case "skipped":
      if (r.tagged) out.result(`Not pushed (${r.push.reason}): the commit and the tag ${r.tag} are local`);
      break;
    case "failed":
      out.writeErr(
        `${out.style("red", "hexts:", "stderr")} ${r.name} ${r.to} is published and tagged ${r.tag} locally, ` +
          `but pushing failed (nothing was undone): ${r.push.error.message}\n`,
      );
      out.writeErr(`  Push them yourself: ${r.push.commands.join(" && ")}\n`);
      break;
  }
}

export const subcommands = {
  cut: defineSubcommand({ input: CutInput, run: cut, render: renderCut, exitCode: cutExitCode }),
} satisfies Subcommands;
