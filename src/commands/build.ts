// `hexts build [package|docs]`: the publish pipeline stopped before upload (mix hex.build, rebar3 hex build).
// Reads the project, runs every check, builds the tarballs in memory, then writes them (or unpacks them).
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import type { BuildPlan, BuildWhat, PackageSummary, PipelineEvent } from "../build/pipeline.js";
import { BUILD_DOCS_ADVICE, packageSummaryLines } from "./shared.js";
import { readProjectOnce } from "./project-read.js";
import type { Output } from "../ui/output.js";

export const BuildInput = z.object({
  what: z.enum(["package", "docs"]).optional(),
  output: z.string().min(1).optional(),
  unpack: z.boolean().optional(),
  app: z.string().min(1).optional(),
  metadata: z.string().min(1).optional(),
  docDir: z.string().min(1).optional(),
  organization: z.string().min(1).optional(),
  buildTool: z.enum(["rebar3", "mix", "make"]).optional(),
  fileOrder: z.enum(["sorted", "filesystem"]).optional(),
});
export type BuildInputValue = z.output<typeof BuildInput>;

export type DocsOutcome =
  | { status: "built"; dir: string; checksum: string; size: number; files: string[]; output: string; unpacked: boolean }
  | { status: "missing"; dir?: string; reason: string }
  | { status: "skipped" };

export interface BuildResult extends PackageSummary {
  /**
   * The package tarball's SHA-256 (what hex.pm and the clients show) and its CHECKSUM entry; absent for `build docs`.
   */
  outerChecksum?: string;
  innerChecksum?: string;
  /** Where the package tarball was written (or unpacked, with `unpacked`), absolute. */
  output?: string;
  size?: number;
  unpacked: boolean;
  warnings: string[];
  /** Facts about how the project was read (the build tool chosen among several, a script run by real Erlang). */
  notes: string[];
  docs: DocsOutcome;
}

/** `-o` names a directory (rebar3's meaning) when it ends with a slash or is an existing directory. */
function isDirectoryLike(path: string, raw: string): boolean {
  return /[/\\]$/.test(raw) || (existsSync(path) && statSync(path).isDirectory());
}

interface Outputs {
  package?: string;
  docs?: string;
}

/** mix/rebar3 defaults beside the project's default output; `-o` as a file (mix) or a directory (rebar3). */
function outputsFor(plan: BuildPlan, what: BuildWhat, input: BuildInputValue, cwd: string): Outputs {
  const { name, version } = plan.summary;
  const base = dirname(join(plan.project.root, plan.project.defaultOutput));
  const pkgName = input.unpack ? `${name}-${version}` : `${name}-${version}.tar`;
  const docsName = input.unpack ? `${name}-${version}-docs` : `${name}-${version}-docs.tar`;
  const out: Outputs = {};
  const given = input.output === undefined ? undefined : resolve(cwd, input.output);
  const asDir = given !== undefined && isDirectoryLike(given, input.output!);
  if (what !== "docs")
    out.package = given === undefined ? join(base, pkgName) : asDir && !input.unpack ? join(given, pkgName) : given;
  if (what !== "package" && plan.docs.status === "built") {
    if (given === undefined) out.docs = join(base, docsName);
    else if (what === "docs") out.docs = asDir && !input.unpack ? join(given, docsName) : given;
    else if (input.unpack) out.docs = `${given}-docs`;
    else out.docs = join(asDir ? given : dirname(given), docsName);
  }
  return out;
}

/** A one-line progress display on an interactive stderr; debug lines otherwise. */
function progressReporter(out: Output) {
  let last = 0;
  let drawn = false;
  return {
    onProgress(e: PipelineEvent) {
      if (e.step === "read") return out.debug(`reading the project in ${e.dir}`);
      if (e.step === "checked") return out.debug(`checks: ${e.problems.length} problem(s)`);
      const p = e.progress;
      if (!out.interactiveStderr) {
        if (p.files === p.totalFiles) out.debug(`${e.step}: ${p.files} entries, ${p.bytes} bytes`);
        return;
      }
      const now = Date.now();
      if (now - last < 100 && p.files !== p.totalFiles) return;
      last = now;
      drawn = true;
      const mb = (n: number) => (n / 1048576).toFixed(1);
      out.writeErr(
        `\r\x1b[2KBuilding ${e.step}: ${p.files}/${p.totalFiles} files, ${mb(p.bytes)}/${mb(p.totalBytes)} MB`,
      );
    },
    done() {
      if (drawn) out.writeErr("\r\x1b[2K");
    },
  };
}

export async function build(ctx: Context, input: BuildInputValue): Promise<BuildResult> {
  const { buildPlan, unpackDocsTo, unpackPackageTo, writeTarballFile } = await import("../build/pipeline.js");
  const what: BuildWhat = input.what ?? "both";
  const progress = progressReporter(ctx.out);
  let plan: BuildPlan;
  try {
    plan = await buildPlan({
      dir: ctx.cwd,
      cwd: ctx.cwd,
      app: input.app,
      chooseApp: ctx.prompt.interactive
        ? (apps) =>
            ctx.prompt.select(
              "Which application do you want to build?",
              apps.map((a) => ({ name: a.name, message: `${a.name} (${relative(ctx.cwd, a.dir) || "."})` })),
              { supply: "--app APP" },
            )
        : undefined,
      metadataFile: input.metadata,
      repo: ctx.repo?.repository,
      organization: input.organization,
      what,
      stage: "build",
      buildTool: input.buildTool,
      fileOrder: input.fileOrder,
      docDir: input.docDir,
      onProgress: progress.onProgress,
      signal: ctx.signal,
      readProject: (dir, opts) => readProjectOnce(ctx, dir, opts),
    });
  } finally {
    progress.done();
  }

  // Everything is built and checked; only now is anything written.
  const outputs = outputsFor(plan, what, input, ctx.cwd);
  const unpacked = input.unpack === true;
  if (plan.package && outputs.package) {
    if (unpacked) await unpackPackageTo(plan.package.tarball, outputs.package);
    else await writeTarballFile(outputs.package, plan.package.tarball);
  }
  let docs: DocsOutcome;
  if (plan.docs.status === "built") {
    const output = outputs.docs!;
    if (unpacked) await unpackDocsTo(plan.docs.tarball, output);
    else await writeTarballFile(output, plan.docs.tarball);
    const { dir, checksum, size, files } = plan.docs;
    docs = { status: "built", dir, checksum, size, files, output, unpacked };
  } else docs = plan.docs;

  return {
    ...plan.summary,
    ...(plan.package
      ? {
          outerChecksum: plan.package.outerChecksum,
          innerChecksum: plan.package.innerChecksum,
          output: outputs.package,
          size: plan.package.size,
        }
      : {}),
    unpacked,
    // The prefix is for lines on a terminal; in the result (and so under --json) a warning is its text alone.
    warnings: plan.warnings
      .map((w) => w.replace(/^warning: /, ""))
      .map((w) => (plan.docs.status === "missing" && w === plan.docs.reason ? `${w} or ${BUILD_DOCS_ADVICE}` : w)),
    notes: plan.notes,
    docs,
  };
}

/** The path as the user would type it from here: relative when inside the current directory. */
function shown(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** The package as mix hex.build prints it (rebar3_hex's fields included): dependencies, then metadata. */
export function renderPackageSummary(s: PackageSummary, out: Output): void {
  out.result(`Building ${s.name} ${s.version}${s.repository !== "hexpm" ? ` for ${s.repository}` : ""}`);
  for (const line of packageSummaryLines(s)) out.result(line);
}

export function renderBuild(r: BuildResult, out: Output): void {
  for (const n of r.notes) out.info(n);
  renderPackageSummary(r, out);
  for (const w of r.warnings) out.warn(w);
  if (r.outerChecksum !== undefined) {
    out.result(`Package checksum: ${r.outerChecksum}`);
    out.result(`${r.unpacked ? "Unpacked to" : "Saved to"} ${shown(r.output!)}`);
  }
  if (r.docs.status === "built") {
    out.result(`Docs checksum: ${r.docs.checksum}`);
    out.result(
      `${r.docs.unpacked ? "Docs unpacked to" : "Docs saved to"} ${shown(r.docs.output)} (${r.docs.files.length} ` +
        `files from ${shown(r.docs.dir)})`,
    );
  }
}

export const subcommands = {
  build: defineSubcommand({ input: BuildInput, run: build, render: renderBuild }),
} satisfies Subcommands;
