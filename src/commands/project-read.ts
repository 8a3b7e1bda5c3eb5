// The project, read once per run. The settings' project layer (project-settings.ts) and the command that builds,
// publishes or cuts read the same files with the same options; the second asks here and gets the first read
// (same files, each stat'ed once, mix.exs evaluated once). A command that changes a project file (cut writes the
// new version) forgets the reads, so what it reads next is the file as it is now.
import { resolve } from "node:path";
import type { ReadProjectOptions } from "../project/index.js";
import type { ProjectPackage } from "../project/types.js";
import type { Context } from "./context.js";
import { targetRepo } from "../repository.js";

type Reads = Map<string, Promise<ProjectPackage>>;

const readsOf = (ctx: Pick<Context, "memo">): Reads => ctx.memo("project-reads", (): Reads => new Map());

/** The key of a read: the directory and every option that changes what is read. */
function readKey(dir: string, opts: ReadProjectOptions): string {
  const metadataFile = opts.metadataFile === undefined ? undefined : resolve(dir, opts.metadataFile);
  return JSON.stringify([resolve(dir), metadataFile, opts.app, opts.buildTool, opts.organization, opts.fileOrder]);
}

/** readProject(dir, opts), read at most once per run for the same directory and options. */
export function readProjectOnce(
  ctx: Pick<Context, "memo">,
  dir: string,
  opts: ReadProjectOptions = {},
): Promise<ProjectPackage> {
  const reads = readsOf(ctx);
  const key = readKey(dir, opts);
  let read = reads.get(key);
  if (read === undefined) {
    read = import("../project/index.js").then(({ readProject }) => readProject(dir, opts));
    reads.set(key, read);
  }
  return read;
}

/** After a command changed a project file: later reads read the files again. */
export function forgetProjectReads(ctx: Pick<Context, "memo">): void {
  readsOf(ctx).clear();
}

/**
 * The organization a project is read for: the one `--organization` or the run's repository (`-r hexpm:ORG`)
 * names, as the build pipeline's target has it; undefined when neither names one (the project's own then applies).
 * Throws USAGE when the two name different repositories.
 */
export function organizationToRead(ctx: Pick<Context, "repo">, organization: string | undefined): string | undefined {
  return targetRepo({ repo: ctx.repo, organization }).organization;
}
