// The plan of `hexts cut`, as values: from what git and the project say and the version chosen, every change in
// order (the version rewrite, the commit, the publish, the tag, the pushes), the exact git commands, and the
// questions asked. Pure: no git, no files, no prompts, no output; cut.ts reads the facts and carries the plan out.
import { HextsError } from "../../errors.js";
import { formatGitCommand } from "../../git/git.js";
import type { PackageTarget } from "../../build/pipeline.js";
import { targetLine, type PublishOptions } from "../publish/plan.js";

export interface Upstream {
  remote: string;
  /** The branch ref on the remote (`refs/heads/main`). */
  ref: string;
}

/** What git says about the work tree before cut changes anything. */
export interface GitFacts {
  /** `git status --porcelain` lines. */
  dirty: string[];
  head?: string;
  /** Undefined on a detached HEAD. */
  branch?: string;
  upstream?: Upstream;
}

export interface GitPlanFacts {
  head: string;
  branch?: string;
  upstream?: Upstream;
}

/**
 * The checks that come before anything else, in order: a clean work tree, a commit, a branch with an upstream
 * (unless --no-push), and a way to answer the questions (a terminal or --yes, unless --dry-run).
 */
export function checkCutPreconditions(
  facts: GitFacts,
  o: { push: boolean; dryRun: boolean; interactive: boolean; yes: boolean },
): GitPlanFacts {
  if (facts.dirty.length > 0) {
    const shown = facts.dirty.slice(0, 10).map((l) => `  ${l}`);
    if (facts.dirty.length > 10) shown.push(`  ... and ${facts.dirty.length - 10} more`);
    throw new HextsError(
      "GIT",
      "the git work tree is not clean; commit, stash or remove these changes first " +
        "(hexts cut commits only the version change):",
      { lines: shown },
    );
  }
  const { head, branch } = facts;
  if (!head) throw new HextsError("GIT", "the repository has no commit yet; commit the project first");
  if (o.push) {
    if (!branch)
      throw new HextsError(
        "GIT",
        "HEAD is detached, so there is no branch to push; check out a branch, or pass --no-push",
      );
    if (!facts.upstream)
      throw new HextsError(
        "GIT",
        `branch ${branch} has no upstream to push to; set one (\`git push -u origin ${branch}\`), or pass --no-push`,
      );
  }
  if (!o.dryRun && !o.interactive && !o.yes) {
    throw new HextsError(
      "INPUT_REQUIRED",
      "hexts cut asks before publishing and pushing; this run cannot prompt, " +
        "so pass --yes (or try it first with --dry-run)",
    );
  }
  return { head, ...(branch ? { branch } : {}), ...(o.push && facts.upstream ? { upstream: facts.upstream } : {}) };
}

/** The tag of a version: `vX.Y.Z`, or `X.Y.Z` with `--prefix-tag false`. */
export function tagFor(version: string, prefixTag: boolean): string {
  return prefixTag ? `v${version}` : version;
}

export interface CutOptions {
  dryRun: boolean;
  /** False with --no-push. */
  push: boolean;
  prefixTag: boolean;
  /** The publish flags cut passes on. */
  replace?: boolean;
  progress?: boolean;
  docDir?: string;
}

export interface CutPlanInput {
  options: CutOptions;
  git: GitPlanFacts;
  project: { name: string; version: string };
  /** The application chosen (`--app` or the question). */
  app?: string;
  /**
   * The file whose version literal is rewritten and committed, relative to the work tree; undefined with
   * `{vsn, git}`, where the tag carries the version.
   */
  versionFile?: string;
  to: string;
  /** Whether the new version's tag exists already. */
  tagTaken: boolean;
  target: PackageTarget;
  apiUrl: string;
}

/** What every cut result starts with: the release and how its version is recorded. */
export interface CutRelease {
  name: string;
  from: string;
  to: string;
  tag: string;
  /** `file`: the version literal was rewritten and committed; `git`: `{vsn, git}`, the tag carries the version. */
  source: "file" | "git";
  /** The rewritten file, relative to the repository. */
  file?: string;
}

export interface CutPlan extends CutRelease {
  dryRun: boolean;
  head: string;
  /** The one-file commit of the version change; absent with `{vsn, git}`. */
  commitArgs?: string[];
  tagArgs: string[];
  /** The branch push, then the tag push; empty with --no-push. */
  pushArgs: string[][];
  /** Every change, in order, as shown to the user. */
  steps: string[];
  /** Shown on stderr before anything happens: the heading, the numbered steps, and notes. */
  lines: string[];
  publish: PublishOptions;
  /** The question before pushing (after the release is published); absent with --no-push. */
  pushQuestion?: string;
  push?: { remote: string; branch: string };
}

/** The plan of one cut. Throws USAGE when the version does not change, GIT when its tag exists. */
export function planCut(input: CutPlanInput): CutPlan {
  const { options: o, project, to, target } = input;
  const current = project.version;
  if (to === current)
    throw new HextsError("USAGE", `${project.name} is already at version ${to}; choose another version`);
  const tag = tagFor(to, o.prefixTag);
  if (input.tagTaken)
    throw new HextsError(
      "GIT",
      `the git tag ${tag} already exists; delete it (\`git tag -d ${tag}\`) or choose another version`,
    );
  const { head, branch, upstream } = input.git;
  const fileRel = input.versionFile;
  const tagArgs = ["tag", "-a", tag, "-m", tag];
  const push = o.push && upstream && branch ? { remote: upstream.remote, branch } : undefined;
  const pushArgs =
    push && upstream
      ? [
          ["push", upstream.remote, `refs/heads/${push.branch}:${upstream.ref}`],
          ["push", upstream.remote, `refs/tags/${tag}`],
        ]
      : [];
  const publishStep = `publish ${project.name} ${to} to ${targetLine(target, input.apiUrl)}`;
  const commitArgs = fileRel !== undefined ? ["commit", "--only", "-m", tag, "--", fileRel] : undefined;
  const steps = commitArgs
    ? [
        `rewrite the version in ${fileRel}: "${current}" -> "${to}"`,
        formatGitCommand(commitArgs),
        publishStep,
        formatGitCommand(tagArgs),
      ]
    : [formatGitCommand(tagArgs), publishStep];
  steps.push(...pushArgs.map(formatGitCommand));
  const lines = [
    `Cutting ${project.name} ${current} -> ${to} (tag ${tag})${o.dryRun ? ": dry run, nothing will change" : ""}`,
    ...steps.map((s, i) => `  ${i + 1}. ${s}`),
  ];
  if (!o.push) lines.push("  (--no-push: the branch and the tag stay local)");
  if (o.dryRun && fileRel !== undefined)
    lines.push(
      `Dry run: the checks below read the files as they are now (version ${current}); the release would be ${to}`,
    );
  return {
    name: project.name,
    from: current,
    to,
    tag,
    source: fileRel !== undefined ? "file" : "git",
    ...(fileRel !== undefined ? { file: fileRel } : {}),
    dryRun: o.dryRun,
    head,
    ...(commitArgs ? { commitArgs } : {}),
    tagArgs,
    pushArgs,
    steps,
    lines,
    publish: {
      dryRun: o.dryRun,
      replace: o.replace,
      progress: o.progress,
      app: input.app,
      docDir: o.docDir,
      organization: target.organization,
      repo: target.organization ? undefined : target.repository,
    },
    ...(push ? { push, pushQuestion: `Push ${push.branch} and tag ${tag} to ${push.remote}?` } : {}),
  };
}
