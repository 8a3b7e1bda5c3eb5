// Project detection and the one entry point the build/publish commands use: readProject(dir, {app, metadataFile}).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HextsError } from "../errors.js";
import { chooseApp } from "./rebar3/choose-app.js";
import { wildcard } from "./glob.js";
import type { ProjectPackage } from "./types.js";

export type ProjectKind = "mix" | "rebar3" | "erlang.mk";

/** `--build-tool`: the names rebar3/mix users know (make = Erlang.mk). */
export type BuildToolChoice = "rebar3" | "mix" | "make";
const KIND_OF_TOOL: Record<BuildToolChoice, ProjectKind> = { rebar3: "rebar3", mix: "mix", make: "erlang.mk" };
const TOOL_OF_KIND: Record<ProjectKind, BuildToolChoice> = { rebar3: "rebar3", mix: "mix", "erlang.mk": "make" };
/** The file that shows each build tool, as said in messages. */
const KIND_FILE: Record<ProjectKind, string> = { mix: "mix.exs", rebar3: "rebar.config", "erlang.mk": "erlang.mk" };

export interface ReadProjectOptions {
  /** Which application to package in an umbrella (`--app`). */
  app?: string;
  /** `--metadata FILE`: describe the package in JSON instead of reading the project. */
  metadataFile?: string;
  /**
   * The organization the package is for; mix then treats hex.pm-only requirements as warnings,
   * as `--organization` does.
   */
  organization?: string;
  /** `--build-tool`: read the project as this tool does, whatever else the directory holds. */
  buildTool?: BuildToolChoice;
  /** `--file-order` for mix: "sorted" (default, reproducible) or "filesystem" (readdir order, as mix walks). */
  fileOrder?: "sorted" | "filesystem";
}

export interface AppChoice {
  name: string;
  /** Absolute application directory. */
  dir: string;
}

/**
 * What builds the project in `dir`: mix.exs → mix; rebar.config → rebar3; a Makefile with erlang.mk → Erlang.mk;
 * src/*.app.src (or apps/* / lib/* apps) → rebar3; a Makefile with ebin/*.app → Erlang.mk. Undefined otherwise.
 */
export function detectProject(dir: string): ProjectKind | undefined {
  return detectProjects(dir)[0];
}

/**
 * Every build tool whose files are in `dir`, in the order hexts prefers them when each describes a complete
 * package: mix, rebar3, Erlang.mk.
 */
export function detectProjects(dir: string): ProjectKind[] {
  const root = resolve(dir);
  const has = (name: string) => existsSync(join(root, name));
  const out: ProjectKind[] = [];
  if (has("mix.exs")) out.push("mix");
  const appSrc = ["src/*.app.src", "src/*.app.src.script", "apps/*/src/*.app.src", "lib/*/src/*.app.src"];
  const makefile = has("Makefile");
  const erlangMk = makefile && has("erlang.mk");
  if (
    has("rebar.config") ||
    has("rebar.config.script") ||
    (!erlangMk && appSrc.some((p) => wildcard(p, root).length > 0))
  )
    out.push("rebar3");
  // Erlang.mk without erlang.mk beside the Makefile: a Makefile and a built ebin/*.app.
  if (erlangMk || (!out.includes("rebar3") && makefile && wildcard("ebin/*.app", root).length > 0))
    out.push("erlang.mk");
  return out;
}

/** The umbrella directory of a mix project (`apps_path:`, default "apps"), or undefined for a single app. */
function mixAppsPath(source: string): string | undefined {
  const m = /\bapps_path:\s*"([^"]+)"/.exec(source);
  return m ? m[1] : undefined;
}

async function mixApps(root: string, source = readFileSync(join(root, "mix.exs"), "utf8")): Promise<AppChoice[]> {
  const appsPath = mixAppsPath(source);
  if (appsPath === undefined) return [];
  // Mix.Project.apps_paths/1 globs `*/mix.exs` there with Path.wildcard, which skips names starting with a dot.
  return wildcard("*/mix.exs", join(root, appsPath), { matchDot: false })
    .map((f) => {
      const dir = resolve(root, appsPath, f, "..");
      return { name: dir.slice(dir.lastIndexOf("/") + 1), dir };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The applications of the project in `dir`, so the CLI can offer a choice: more than one means `--app` is needed.
 * A single-app mix project gives [] (its name is in mix.exs, read only by readProject).
 */
export async function listApps(dir: string, buildTool?: BuildToolChoice): Promise<AppChoice[]> {
  const root = resolve(dir);
  switch (buildTool ? KIND_OF_TOOL[buildTool] : detectProject(root)) {
    case "mix":
      return mixApps(root);
    case "rebar3": {
      const { listRebar3Apps } = await import("./rebar3/index.js");
      return (await listRebar3Apps(root)).map((a) => ({ name: a.name, dir: a.dir }));
    }
    case "erlang.mk": {
      const { parseMakefileVars, expandMakeVar } = await import("./erlang-mk.js");
      const project = expandMakeVar("PROJECT", parseMakefileVars(readFileSync(join(root, "Makefile"), "utf8")));
      return project ? [{ name: project, dir: root }] : [];
    }
    default:
      return [];
  }
}

/** Reads the project in `dir` (or the `--metadata` file) into the package it would build. */
export async function readProject(dir: string, opts: ReadProjectOptions = {}): Promise<ProjectPackage> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new HextsError("NOT_FOUND", `No such directory: ${root}`);
  if (opts.metadataFile !== undefined) {
    const { readMetadataFileProject } = await import("./metadata-file.js");
    return readMetadataFileProject(root, resolve(opts.metadataFile));
  }
  const found = detectProjects(root);
  if (opts.buildTool !== undefined) {
    const kind = KIND_OF_TOOL[opts.buildTool];
    if (!found.includes(kind)) {
      throw new HextsError(
        "USAGE",
        `--build-tool ${opts.buildTool} was given, but ${root} has no ` +
          `${kind === "mix" ? "mix.exs" : kind === "rebar3" ? "rebar.config or src/*.app.src" : "Erlang.mk Makefile"}`,
      );
    }
    return readKind(kind, root, opts);
  }
  if (found.length === 0) {
    throw new HextsError(
      "PROJECT_INVALID",
      `No mix.exs, rebar.config, src/*.app.src or Erlang.mk Makefile in ${root}; run hexts in a project directory, ` +
        "or describe the package with --metadata FILE",
    );
  }
  if (found.length === 1) return readKind(found[0]!, root, opts);
  return readFirstComplete(found, root, opts);
}

/**
 * Several build tools' files in one directory (a rebar3 package that also ships a small mix.exs, say): the first
 * tool whose configuration describes a complete package — it reads, and nothing in it stops a build — is used,
 * and a note says which. When none does, the first one's problems are reported.
 */
async function readFirstComplete(
  found: ProjectKind[],
  root: string,
  opts: ReadProjectOptions,
): Promise<ProjectPackage> {
  const { checkPackage, hasErrors, formatProblem } = await import("../package/checks.js");
  const failures: { kind: ProjectKind; why: string }[] = [];
  let first: ProjectPackage | undefined;
  let firstError: unknown;
  for (const kind of found) {
    let pkg: ProjectPackage;
    try {
      pkg = await readKind(kind, root, opts);
    } catch (e) {
      if (!(e instanceof HextsError) || e.code === "USAGE" || e.code === "INPUT_REQUIRED") throw e;
      if (failures.length === 0) firstError = e;
      failures.push({ kind, why: `cannot be read: ${e.message}` });
      continue;
    }
    const problems = checkPackage(pkg, { repository: "hexpm" }, "build");
    if (!hasErrors(problems)) {
      const skipped = failures.map((f) => `${KIND_FILE[f.kind]} ${f.why}`);
      const note =
        `${found.map((k) => KIND_FILE[k]).join(" and ")} found; building with ${TOOL_OF_KIND[kind]}` +
        (skipped.length > 0 ? ` (${skipped.join("; ")})` : "") +
        `; choose another with --build-tool ${found.map((k) => TOOL_OF_KIND[k]).join("|")}`;
      return { ...pkg, notes: [...(pkg.notes ?? []), note] };
    }
    if (!first && failures.length === 0) first = pkg;
    failures.push({
      kind,
      why:
        "does not describe a complete package: " +
        `${formatProblem(problems.find((p) => p.severity === "error")!).replace(/^error: /, "")}`,
    });
  }
  if (first) return first;
  throw firstError;
}

async function readKind(kind: ProjectKind, root: string, opts: ReadProjectOptions): Promise<ProjectPackage> {
  switch (kind) {
    case "mix": {
      // The mix reader handles umbrellas itself (`apps_path`); asking for --app first keeps the error the same
      // for every build tool.
      const source = readFileSync(join(root, "mix.exs"), "utf8");
      const apps = await mixApps(root, source);
      if (apps.length > 0) chooseApp(apps, opts.app, root);
      const { readMixProject } = await import("./mix/index.js");
      const { organization, fileOrder } = opts;
      return readMixProject(root, { app: opts.app, organization, fileOrder, source });
    }
    case "rebar3": {
      const { readRebar3Project } = await import("./rebar3/index.js");
      return readRebar3Project(root, { app: opts.app });
    }
    case "erlang.mk": {
      const { readErlangMkProject } = await import("./erlang-mk.js");
      const pkg = await readErlangMkProject(root);
      if (opts.app !== undefined && opts.app !== pkg.app) {
        throw new HextsError("USAGE", `--app ${opts.app} was given, but this Erlang.mk project is ${pkg.app}`);
      }
      return pkg;
    }
  }
}
