// Where the docs to publish come from: `--doc-dir`, else the project's own generator when its tool is installed
// (rebar3: `{hex, [{doc, ex_doc | edoc}]}` runs `rebar3 ex_doc` / `rebar3 edoc`; mix: `mix docs`), else none,
// with the reason and how to provide them.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { parseTerms } from "../../erlang/reader.js";
import { proplistGet, type Term } from "../../erlang/terms.js";
import { childProcessEnv } from "../../config/child-env.js";
import { HextsError } from "../../errors.js";
import { nameOf } from "../../erlang/plain.js";
import type { ProjectPackage } from "../../project/types.js";
import type { Output } from "../../ui/output.js";

export type DocsSource =
  | { kind: "dir"; dir: string }
  /** Run `command args` in `cwd`; the docs land in `dir` (undefined: doc/, else docs/, in the app). */
  | { kind: "generate"; command: string; args: string[]; cwd: string; dir?: string }
  | { kind: "none"; reason: string };

export const DOCS_HOW =
  "generate the docs yourself and pass --doc-dir DIR, or publish the package alone with `hexts publish package`";

/** The executable `name` on PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = join(dir, name + ext);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** rebar3_hex's doc provider: `{doc, ex_doc}` or `{doc, #{provider => ex_doc}}` in the `hex` config. */
function rebar3Provider(hexConfig: Record<string, unknown>): string | undefined {
  const doc = hexConfig.doc;
  if (typeof doc === "string") return doc;
  if (
    doc &&
    typeof doc === "object" &&
    !Array.isArray(doc) &&
    typeof (doc as Record<string, unknown>).provider === "string"
  ) {
    return (doc as Record<string, string>).provider;
  }
  return undefined;
}

function configTerms(file: string): Term[] {
  if (!existsSync(file)) return [];
  try {
    return parseTerms(readFileSync(file), file);
  } catch {
    return []; // the project reader already reported a broken rebar.config
  }
}

/** rebar3_hex's resolve_dir: `{dir, D}` in `{ex_doc, [...]}` (or `{edoc_opts, [...]}` for edoc), default doc. */
function rebar3DocDir(project: ProjectPackage, provider: string): string {
  const key = provider === "edoc" ? "edoc_opts" : provider;
  let dir = "doc";
  for (const file of [
    join(project.root, "rebar.config"),
    ...(project.appDir !== project.root ? [join(project.appDir, "rebar.config")] : []),
  ]) {
    const found = nameOf(proplistGet(proplistGet(configTerms(file), key), "dir"));
    if (found !== undefined) dir = found;
  }
  return resolve(project.appDir, dir);
}

export function docsSource(
  project: ProjectPackage,
  opts: { docDir?: string; cwd: string; env: NodeJS.ProcessEnv },
): DocsSource {
  if (opts.docDir !== undefined) return { kind: "dir", dir: resolve(opts.cwd, opts.docDir) };
  if (project.tool === "rebar3") {
    const provider = rebar3Provider(project.hexConfig);
    if (provider === undefined || !/^[a-z][a-z0-9_]*$/.test(provider)) {
      return {
        kind: "none",
        reason:
          "No doc generator is configured for this rebar3 project " +
          "(add {hex, [{doc, ex_doc}]} or {hex, [{doc, edoc}]} to rebar.config)",
      };
    }
    if (!findOnPath("rebar3", opts.env))
      return {
        kind: "none",
        reason: `This project's docs are made with \`rebar3 ${provider}\`, but rebar3 is not on PATH`,
      };
    return {
      kind: "generate",
      command: "rebar3",
      args: [provider],
      cwd: project.root,
      dir: rebar3DocDir(project, provider),
    };
  }
  if (project.tool === "mix") {
    if (!findOnPath("mix", opts.env))
      return { kind: "none", reason: "This project's docs are made with `mix docs`, but mix is not on PATH" };
    return { kind: "generate", command: "mix", args: ["docs"], cwd: project.appDir };
  }
  const what = project.tool === "make" ? "an Erlang.mk project" : "a package described with --metadata";
  return { kind: "none", reason: `hexts does not know how to generate the docs of ${what}` };
}

/**
 * Runs the generator (the project's own code: it never sees hexts secrets); its output goes to stderr (stdout is
 * for results). A failure is a FAILED error.
 */
export function runDocsGenerator(
  src: Extract<DocsSource, { kind: "generate" }>,
  o: { out: Output; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<void> {
  const shown = [src.command, ...src.args].join(" ");
  return new Promise((resolvePromise, reject) => {
    const child = spawn(src.command, src.args, {
      cwd: src.cwd,
      env: childProcessEnv(o.env),
      stdio: ["ignore", "pipe", "pipe"],
      signal: o.signal,
    });
    child.stdout.on("data", (d: Buffer) => o.out.writeErr(d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => o.out.writeErr(d.toString("utf8")));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.name === "AbortError") reject(new HextsError("CANCELLED", "cancelled", { cause: e }));
      else reject(new HextsError("FAILED", `could not run \`${shown}\`: ${e.message}; ${DOCS_HOW}`, { cause: e }));
    });
    child.on("close", (code, signal) => {
      if (code === 0) return resolvePromise();
      const how = signal ? `was killed by ${signal}` : `failed (exit code ${code})`;
      reject(
        new HextsError(
          "FAILED",
          `\`${shown}\` ${how}, so there are no docs to publish and nothing was uploaded; fix it, or ${DOCS_HOW}`,
        ),
      );
    });
  });
}
