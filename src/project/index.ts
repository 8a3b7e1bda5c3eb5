// Project detection and the one entry point the build/publish commands use: readProject(dir, {app, metadataFile}).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HextsError } from "../errors.js";
import { chooseApp } from "./rebar3/choose-app.js";
import { isErlangMkProject } from "./erlang-mk.js";
import { wildcard } from "./glob.js";
import type { ProjectPackage } from "./types.js";

export type ProjectKind = "mix" | "rebar3" | "erlang.mk";

export interface ReadProjectOptions {
  /** Which application to package in an umbrella (`--app`). */
  app?: string;
  /** `--metadata FILE`: describe the package in JSON instead of reading the project. */
  metadataFile?: string;
  /** The organization the package is for; mix then treats hex.pm-only requirements as warnings, as `--organization` does. */
  organization?: string;
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
  const root = resolve(dir);
  const has = (name: string) => existsSync(join(root, name));
  if (has("mix.exs")) return "mix";
  if (has("rebar.config") || has("rebar.config.script")) return "rebar3";
  if (has("Makefile") && has("erlang.mk")) return "erlang.mk";
  const appSrc = ["src/*.app.src", "src/*.app.src.script", "apps/*/src/*.app.src", "lib/*/src/*.app.src"];
  if (appSrc.some((p) => wildcard(p, root).length > 0)) return "rebar3";
  if (isErlangMkProject(root)) return "erlang.mk";
  return undefined;
}

/** The umbrella directory of a mix project (`apps_path:`, default "apps"), or undefined for a single app. */
function mixAppsPath(root: string): string | undefined {
  const source = readFileSync(join(root, "mix.exs"), "utf8");
  const m = /\bapps_path:\s*"([^"]+)"/.exec(source);
  return m ? m[1] : undefined;
}

async function mixApps(root: string): Promise<AppChoice[]> {
  const appsPath = mixAppsPath(root);
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
export async function listApps(dir: string): Promise<AppChoice[]> {
  const root = resolve(dir);
  switch (detectProject(root)) {
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
  switch (detectProject(root)) {
    case "mix": {
      // The mix reader handles umbrellas itself (`apps_path`); asking for --app first keeps the error the same
      // for every build tool.
      const apps = await mixApps(root);
      if (apps.length > 0) chooseApp(apps, opts.app, root);
      const { readMixProject } = await import("./mix/index.js");
      return readMixProject(root, { app: opts.app, organization: opts.organization });
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
    default:
      throw new HextsError(
        "PROJECT_INVALID",
        `No mix.exs, rebar.config, src/*.app.src or Erlang.mk Makefile in ${root}; run hexts in a project directory, or describe the package with --metadata FILE`,
      );
  }
}
