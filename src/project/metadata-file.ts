// `--metadata FILE`: the package described in a JSON file, for projects a static reader cannot evaluate
// (rebar.config.script, a computed mix.exs, a Makefile full of functions). It works for every project type:
//
//   {
//     "app": "my_app", "version": "1.2.0",              required
//     "name": "my_pkg",                                  default: app
//     "description": "...", "licenses": ["MIT"], "links": {"GitHub": "https://..."},
//     "files": ["src", "include", "rebar.config", "README*"],   default: the build tool's default list
//     "include_paths": [...], "exclude_paths": [...],    rebar3_hex's meaning, relative to the project
//     "exclude_patterns": ["\\.bak$"],                   JavaScript regexes, matched against relative paths
//     "requirements": {"cowboy": "~> 2.9", "acme_lib": {"requirement": "~> 1.0", "repository": "acme"}},
//     "build_tools": ["rebar3"],                         default: guessed from the project's files
//     "elixir": "~> 1.14", "extra": {...}
//   }
//
// Files are selected as rebar3_hex does (globs, recursive walk, sorted by full path, directories listed);
// a `src/APP.app.src` in the package is re-printed with the version, as rebar3_hex does.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { formatAppSrc } from "../erlang/pretty.js";
import { parseTerms } from "../erlang/reader.js";
import { Atom, Charlist, Tuple, listItems, type Term } from "../erlang/terms.js";
import { HextsError } from "../errors.js";
import { erlangMkDefaultFiles } from "./erlang-mk.js";
import { defaultFiles as mixDefaultFiles } from "./mix/files.js";
import { REBAR3_DEFAULT_FILES, compareStrings, expandPaths, toPackageFiles, type PathEntry } from "./rebar3/files.js";
import type { BuildTool, MetadataValue, Problem, ProjectPackage, Requirement } from "./types.js";

const JsonValue: z.ZodType<MetadataValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);

const RequirementDetails = z.strictObject({
  requirement: z.string().min(1),
  app: z.string().min(1).optional(),
  optional: z.boolean().optional(),
  repository: z.string().min(1).optional(),
});

const NamedRequirement = RequirementDetails.extend({ name: z.string().min(1) });

const text = z.string().min(1);

export const MetadataFileSchema = z.strictObject({
  app: text,
  version: text,
  name: text.optional(),
  description: z.string().optional(),
  licenses: z.array(text).optional(),
  links: z.record(z.string(), z.string()).optional(),
  files: z.array(text).min(1).optional(),
  include_paths: z.array(text).optional(),
  exclude_paths: z.array(text).optional(),
  exclude_patterns: z.array(text).optional(),
  requirements: z
    .union([z.record(z.string(), z.union([text, RequirementDetails])), z.array(NamedRequirement)])
    .optional(),
  build_tools: z.array(text).min(1).optional(),
  elixir: text.optional(),
  extra: z.record(z.string(), JsonValue).optional(),
});
export type MetadataFile = z.infer<typeof MetadataFileSchema>;

/** build_tools guessed from the project's top-level files, in mix's order (mix.exs, rebar, make). */
export function guessBuildTools(dir: string): string[] {
  const has = (...names: string[]) => names.some((n) => existsSync(join(dir, n)));
  const tools: string[] = [];
  if (has("mix.exs")) tools.push("mix");
  if (has("rebar", "rebar.lock", "rebar.config", "rebar.config.script")) tools.push("rebar3");
  if (has("erlang.mk", "Makefile", "Makefile.win")) tools.push("make");
  return tools;
}

function defaultFiles(dir: string, tool: string | undefined, app: string): string[] {
  if (tool === "mix") return mixDefaultFiles;
  if (tool === "make") return erlangMkDefaultFiles(dir, app);
  return REBAR3_DEFAULT_FILES;
}

function invalid(file: string, message: string, lines: string[] = []): HextsError {
  return new HextsError("PROJECT_INVALID", `${file}: ${message}`, { lines, details: { file } });
}

export async function parseMetadataFile(file: string): Promise<MetadataFile> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (e) {
    throw new HextsError("IO", `Cannot read the metadata file ${file}: ${(e as Error).message}`, {
      cause: e,
      details: { file },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw invalid(file, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = MetadataFileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `${i.path.length > 0 ? i.path.join(".") : "(top level)"}: ${i.message}`,
    );
    throw invalid(file, "not a valid package description", lines);
  }
  return parsed.data;
}

function requirementsOf(spec: MetadataFile["requirements"]): Requirement[] {
  if (!spec) return [];
  const list = Array.isArray(spec)
    ? spec
    : Object.entries(spec).map(([name, r]) => (typeof r === "string" ? { name, requirement: r } : { name, ...r }));
  return list.map((r) => ({
    name: r.name,
    app: r.app ?? r.name,
    requirement: r.requirement,
    optional: r.optional ?? false,
    ...(r.repository === undefined ? {} : { repository: r.repository }),
  }));
}

/** `src/APP.app.src` re-printed with `vsn` set to the version (rebar3_hex's rewrite), or undefined. */
async function reprintAppSrc(
  dir: string,
  app: string,
  version: string,
  problems: Problem[],
): Promise<Uint8Array | undefined> {
  const path = `src/${app}.app.src`;
  let terms: Term[];
  try {
    terms = parseTerms(await readFile(join(dir, path)), path);
  } catch (e) {
    problems.push({
      severity: "warning",
      file: path,
      message: `${path} is packaged as it is: it could not be read as a term (${(e as Error).message})`,
    });
    return undefined;
  }
  const t = terms[0];
  if (terms.length !== 1 || !(t instanceof Tuple) || t.items.length !== 3 || !listItems(t.items[2])) return undefined;
  const details = listItems(t.items[2])!.map((p) =>
    p instanceof Tuple && p.items.length === 2 && p.items[0] instanceof Atom && p.items[0].name === "vsn"
      ? new Tuple([p.items[0], Charlist.of(version)])
      : p,
  );
  return new TextEncoder().encode(formatAppSrc(new Tuple([t.items[0]!, t.items[1]!, details])));
}

/** Reads `file` and builds the package of the project in `dir` from it. */
export async function readMetadataFileProject(dir: string, file: string): Promise<ProjectPackage> {
  const root = resolve(dir);
  const spec = await parseMetadataFile(file);
  const problems: Problem[] = [];
  const name = spec.name ?? spec.app;
  const buildTools = spec.build_tools ?? guessBuildTools(root);
  if (buildTools.length === 0) {
    problems.push({
      severity: "error",
      file,
      message: "build_tools is not given and cannot be guessed (no mix.exs, rebar.config or Makefile)",
    });
  }

  const expand = (patterns: readonly string[]) => expandPaths(patterns, root, problems, { file });
  const selected = expand(spec.files ?? defaultFiles(root, buildTools[0], spec.app));
  const excluded = new Set(expand(spec.exclude_paths ?? []).map((e) => e.abs));
  const regexes: RegExp[] = [];
  for (const source of spec.exclude_patterns ?? []) {
    try {
      regexes.push(new RegExp(source));
    } catch (e) {
      problems.push({
        severity: "error",
        file,
        message:
          `exclude_patterns entry ${JSON.stringify(source)} is not a valid regular expression: ` +
          `${(e as Error).message}`,
      });
    }
  }
  const kept = selected.filter((e) => !excluded.has(e.abs) && !regexes.some((re) => re.test(e.rel)));
  const byAbs = new Map<string, PathEntry>(kept.map((e) => [e.abs, e]));
  for (const e of expand(spec.include_paths ?? [])) if (!byAbs.has(e.abs)) byAbs.set(e.abs, e);
  const paths = [...byAbs.values()].sort((a, b) => compareStrings(a.abs, b.abs));

  const appSrcAt = paths.findIndex((e) => e.rel === `src/${spec.app}.app.src`);
  if (appSrcAt >= 0) {
    const contents = await reprintAppSrc(root, spec.app, spec.version, problems);
    if (contents) paths[appSrcAt] = { ...paths[appSrcAt]!, memory: contents };
  }
  const files = toPackageFiles(paths, root, problems);
  const requirements = requirementsOf(spec.requirements);

  const metadata: { [key: string]: MetadataValue } = {
    name,
    app: spec.app,
    version: spec.version,
    files: files.map((f) => f.path),
    requirements: Object.fromEntries(
      requirements.map((r) => [
        r.name,
        {
          app: r.app,
          optional: r.optional,
          requirement: r.requirement,
          ...(r.repository === undefined ? {} : { repository: r.repository }),
        },
      ]),
    ),
    build_tools: buildTools,
  };
  if (spec.description !== undefined) metadata.description = spec.description;
  if (spec.licenses !== undefined) metadata.licenses = spec.licenses;
  if (spec.links !== undefined) metadata.links = spec.links;
  if (spec.elixir !== undefined) metadata.elixir = spec.elixir;
  if (spec.extra !== undefined) metadata.extra = spec.extra;

  const tool: BuildTool = "metadata";
  return {
    tool,
    root,
    appDir: root,
    app: spec.app,
    name,
    version: spec.version,
    metadata,
    requirements,
    files,
    hexConfig: {},
    problems,
    defaultOutput: `${name}-${spec.version}.tar`,
  };
}
