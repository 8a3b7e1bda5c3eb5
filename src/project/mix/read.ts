// Reads a mix project statically (no Elixir) into the package model, the way `mix hex.build` of
// Hex 2.5.1 derives it: Mix.Tasks.Hex.Build.prepare_package/0, meta_for/3, package/2 and print_info/4.
import { readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { HextsError } from "../../errors.js";
import { graphemeCount } from "../../text.js";
import { byCodePoint, wildcard } from "../glob.js";
import { compilePcre, elixirRegexOptions, PcreError } from "../pcre.js";
import type { MetadataValue, Problem, ProjectPackage } from "../types.js";
import { ConvertError, nameText, toMetadata, toPlain } from "./convert.js";
import { mixRequirements } from "./deps.js";
import { childProcessEnv } from "../../config/child-env.js";
import { MixEvalLimit, MixModule, type MixHost } from "./evaluator.js";
import { selectFiles, type FileOrder, type FileSelection, type PathFilter } from "./files.js";
import { parseElixir } from "./parser.js";
import { ElixirSyntaxError } from "./tokenizer.js";
import { elixirTrim, findUnknown, inspect, isNil, kwGet, toPairs, truthy, type Unknown, type Value } from "./values.js";

export interface ReadMixOptions {
  /** In an umbrella project, the app under `apps_path` to read (Hex itself refuses umbrellas). */
  app?: string;
  /** The organization the package is for (`--organization`); defaults to `package: [organization: ...]`. */
  organization?: string;
  /** How directories are walked (see FileOrder): "sorted" by default. */
  fileOrder?: FileOrder;
  /** The environment System.get_env and Mix.env read (hexts's own credentials are left out). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** `dir/mix.exs` as the caller already read it (project detection looks for `apps_path:`), so it is read once. */
  source?: string;
}

/** Named in every "cannot be evaluated" error: the way out when hexts cannot read a project. */
export const METADATA_HINT = "describe the package in a JSON file and pass --metadata FILE (format in hexts's README)";

const errorFields = ["app", "name", "files", "version", "build_tools"];
const warnFields = ["description", "licenses", "links"];
const metaFields = [...errorFields, ...warnFields, "elixir", "extra"];
const rootFields = ["app", "version", "elixir", "description"];
const maxDescription = 300;
const buildToolFiles: Array<[string, string]> = [
  ["mix.exs", "mix"],
  ["rebar", "rebar3"],
  ["rebar.lock", "rebar3"],
  ["rebar.config", "rebar3"],
  ["rebar.config.script", "rebar3"],
  ["erlang.mk", "make"],
  ["Makefile", "make"],
  ["Makefile.win", "make"],
];

/**
 * Reads `dir/mix.exs` and the files it selects. Throws HextsError for what stops reading altogether (no
 * mix.exs, a syntax error, no Mix.Project module, an umbrella without `app`); everything else, including
 * values that cannot be evaluated statically, is reported in `problems` — callers must not build when one
 * has severity "error".
 */
/** How many ways hexts evaluates a mix.exs whose conditions it cannot evaluate (each such condition doubles them). */
const MAX_BRANCH_RUNS = 16;

/**
 * Reads `dir/mix.exs` and the files it selects. Throws HextsError for what stops reading altogether (no
 * mix.exs, a syntax error, no Mix.Project module, an umbrella without `app`); everything else, including
 * values that cannot be evaluated statically, is reported in `problems` — callers must not build when one
 * has severity "error".
 *
 * A condition hexts cannot evaluate (the Elixir version, say) is decided both ways: when every branch gives the
 * same package (a test-only dependency), that package is built; otherwise the error names the condition.
 */
export async function readMixProject(dir: string, opts: ReadMixOptions = {}): Promise<ProjectPackage> {
  const root = resolve(dir);
  const env = childProcessEnv(opts.env ?? process.env);
  const runs: { choices: boolean[]; decided: Array<Unknown & { file: string }>; pkg: ProjectPackage }[] = [];
  const queue: boolean[][] = [[]];
  const reads: Reads = { sources: new Map(), selections: new Map() };
  if (opts.source !== undefined) reads.sources.set(join(root, "mix.exs"), Promise.resolve(opts.source));
  while (queue.length > 0 && runs.length < MAX_BRANCH_RUNS) {
    const decisions = queue.shift()!;
    const host: MixHost = { root, env, decisions, decided: [] };
    const pkg = await readOnce(root, opts, host, reads);
    const decided = host.decided!;
    const choices = decided.map((_, i) => decisions[i] ?? true);
    for (let i = decisions.length; i < decided.length; i++) queue.push([...choices.slice(0, i), false]);
    runs.push({ choices, decided, pkg });
  }
  const first = runs[0]!;
  const firstKey = packageKey(first.pkg);
  const differing = runs.find((r) => packageKey(r.pkg) !== firstKey);
  if (!differing && queue.length === 0) return withMetadataHint(first.pkg);
  const at = differing
    ? (first.decided[first.choices.findIndex((c, i) => differing.choices[i] !== c)] ?? first.decided[0]!)
    : first.decided[0]!;
  const why = differing
    ? `the package depends on a condition hexts cannot evaluate (${at.why}): ` +
      "its branches give different package metadata"
    : `more than ${Math.log2(MAX_BRANCH_RUNS)} conditions hexts cannot evaluate (the first: ${at.why})`;
  throw new HextsError("PROJECT_INVALID", `${at.file}:${at.line}:${at.col}: ${why}; ${METADATA_HINT}`, {
    details: { file: at.file, line: at.line, column: at.col, reason: "undecidable_condition" },
  });
}

/** Names the way out (--metadata) in each error about a value hexts cannot evaluate. */
function withMetadataHint(pkg: ProjectPackage): ProjectPackage {
  for (const p of pkg.problems)
    if (p.severity === "error" && /cannot be evaluated/.test(p.message) && !p.message.includes("--metadata"))
      p.message += `; ${METADATA_HINT}`;
  return pkg;
}

const withBigints = (_k: string, v: unknown) => (typeof v === "bigint" ? `${v}n` : v);

/** What must be the same for two evaluations to build the same package. */
function packageKey(pkg: ProjectPackage): string {
  return JSON.stringify(
    {
      metadata: pkg.metadata,
      requirements: pkg.requirements,
      files: pkg.files.map((f) => f.path),
      problems: pkg.problems.filter((p) => p.severity === "error").map((p) => p.message),
    },
    withBigints,
  );
}

/** What the evaluations of one project share: each mix.exs is read, and each file selection walked, once. */
interface Reads {
  sources: Map<string, Promise<string>>;
  selections: Map<string, FileSelection>;
}

async function readOnce(root: string, opts: ReadMixOptions, host: MixHost, reads: Reads): Promise<ProjectPackage> {
  const top = await loadProject(root, "mix.exs", host, reads);
  let appDir = root;
  let project = top;
  const appsPath = kwGet(top.config, "apps_path");
  if (appsPath !== undefined && !isNil(appsPath)) {
    const apps = await umbrellaApps(root, top, appsPath);
    if (!opts.app)
      throw new HextsError(
        "USAGE",
        `${root} is an umbrella project and Hex does not publish umbrellas; choose one of its apps with --app <app> ` +
          `(${apps.join(", ") || "no apps found"})`,
        { details: { apps } },
      );
    if (!apps.includes(opts.app))
      throw new HextsError(
        "USAGE",
        `no app ${JSON.stringify(opts.app)} in this umbrella (apps: ${apps.join(", ") || "none"})`,
        { details: { apps } },
      );
    appDir = join(root, (appsPath as { v: string }).v, opts.app);
    project = await loadProject(appDir, relative(root, join(appDir, "mix.exs")).split(sep).join("/"), host, reads);
    const nested = kwGet(project.config, "apps_path");
    if (nested !== undefined && !isNil(nested))
      throw new HextsError("PROJECT_INVALID", `${project.file} is itself an umbrella project`);
  } else if (opts.app) {
    const app = kwGet(top.config, "app");
    if (app && app.t === "atom" && app.v !== opts.app)
      throw new HextsError(
        "USAGE",
        `--app ${opts.app} does not match this project's app (${app.v}); --app is for umbrella projects`,
      );
  }
  return buildPackage(project, root, appDir, reads, opts.organization, opts.fileOrder);
}

interface Loaded {
  config: Value;
  file: string;
}

async function loadProject(dir: string, file: string, host: MixHost, reads: Reads): Promise<Loaded> {
  const path = join(dir, "mix.exs");
  let reading = reads.sources.get(path);
  if (!reading) reads.sources.set(path, (reading = readFile(path, "utf8")));
  let source: string;
  try {
    source = await reading;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HextsError(
      "PROJECT_INVALID",
      code === "ENOENT" ? `no mix.exs in ${dir}` : `cannot read ${file}: ${code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  let module: MixModule | undefined;
  try {
    module = MixModule.find(parseElixir(source), dir, { ...host, file });
  } catch (e) {
    if (e instanceof MixEvalLimit)
      throw new HextsError("PROJECT_INVALID", `${file}:${e.line}:${e.col}: ${e.what}; ${METADATA_HINT}`, {
        details: { file, line: e.line, column: e.col, reason: "eval_limit" },
      });
    if (!(e instanceof ElixirSyntaxError)) throw e;
    throw new HextsError("PROJECT_INVALID", `${file}:${e.line}:${e.col}: ${e.message}`, {
      details: { file, line: e.line, column: e.col },
    });
  }
  if (!module)
    throw new HextsError("PROJECT_INVALID", `${file} has no module that does \`use Mix.Project\``, {
      details: { file },
    });
  if (!module.has("project", 0))
    throw new HextsError("PROJECT_INVALID", `${file} defines no project/0 function`, { details: { file } });
  try {
    return { config: module.call("project", [], { line: 1, col: 1 }), file };
  } catch (e) {
    if (!(e instanceof MixEvalLimit)) throw e;
    throw new HextsError("PROJECT_INVALID", `${file}:${e.line}:${e.col}: ${e.what}; ${METADATA_HINT}`, {
      details: { file, line: e.line, column: e.col, reason: "eval_limit" },
    });
  }
}

async function umbrellaApps(root: string, top: Loaded, appsPath: Value): Promise<string[]> {
  if (appsPath.t !== "bin") {
    const u = findUnknown(appsPath);
    throw new HextsError(
      "PROJECT_INVALID",
      `${top.file}: apps_path ` +
        `${u ? `cannot be evaluated statically: ${u.why}` : `must be a string, got ${inspect(appsPath)}`}`,
      {
        details: { file: top.file, line: u?.line },
      },
    );
  }
  const listed = kwGet(top.config, "apps");
  if (listed && listed.t === "list" && listed.v.every((a) => a.t === "atom"))
    return listed.v.map((a) => (a as { v: string }).v);
  // Mix.Project.apps_paths/1 globs `*/mix.exs` there with Path.wildcard, which skips names starting with a dot.
  const names = wildcard("*/mix.exs", join(root, appsPath.v), { matchDot: false }).map((f) =>
    f.slice(0, -"/mix.exs".length),
  );
  return names.sort(byCodePoint);
}

function buildPackage(
  { config, file }: Loaded,
  root: string,
  appDir: string,
  reads: Reads,
  orgOption: string | undefined,
  fileOrder: FileOrder = "sorted",
): ProjectPackage {
  const problems: Problem[] = [];
  const at = (u?: { line: number; col: number }) => (u ? { line: u.line, column: u.col } : {});
  const error = (message: string, u?: { line: number; col: number }) =>
    problems.push({ severity: "error", message, file, ...at(u) });
  const warn = (message: string, u?: { line: number; col: number }) =>
    problems.push({ severity: "warning", message, file, ...at(u) });

  // project/0 must give a keyword list; an entry we cannot see could hide any key.
  const entries = projectEntries(config, error);
  const first = (key: string): Value | undefined => entries.find(([k]) => k === key)?.[1];
  const last = (key: string): Value | undefined => entries.findLast(([k]) => k === key)?.[1];

  // package: keyword list or map, Map.new'ed (later keys win)
  let pkgPairs: Array<[string, Value]> = [];
  const pkgValue = first("package");
  if (pkgValue !== undefined && truthy(pkgValue) !== false) {
    const pairs = pkgValue.t === "unknown" ? undefined : toPairs(pkgValue);
    if (pairs) pkgPairs = pairs;
    else {
      const u = findUnknown(pkgValue);
      error(
        u
          ? `package: cannot be evaluated statically: ${u.why}`
          : `package: expected a keyword list, got ${inspect(pkgValue)}`,
        u,
      );
    }
  }
  const pkg = new Map(pkgPairs);
  if (pkg.has("organisation")) error("Invalid Hex package config :organisation, use spelling :organization");
  for (const key of ["organisation", "organization", "files", "build_tools", "licenses", "links", "extra"])
    if (entries.some(([k]) => k === key))
      warn(`Mix project configuration :${key} belongs under the :package key, did you misplace it?`);

  const orgValue = pkg.get("organization");
  pkg.delete("organization");
  let organization = orgOption;
  if (organization === undefined && orgValue !== undefined && truthy(orgValue)) {
    organization = nameText(orgValue);
    if (organization === undefined)
      error(
        "package: organization " +
          (orgValue.t === "unknown"
            ? `cannot be evaluated statically: ${orgValue.why}`
            : `must be a string, got ${inspect(orgValue)}`),
        findUnknown(orgValue),
      );
  }

  // meta = Keyword.take(config, root fields) merged with the package config
  const meta = new Map<string, Value>();
  for (const key of rootFields) {
    const v = last(key);
    if (v !== undefined) meta.set(key, v);
  }
  for (const [k, v] of pkg) meta.set(k, v);
  for (const [k, v] of pkg) {
    const u = findUnknown(v);
    if (u && !metaFields.includes(k) && !["files", "exclude_patterns"].includes(k))
      warn(`package: ${k} cannot be evaluated statically (${u.why}); Hex does not publish it, so it is ignored`, u);
  }

  // files
  const exclude = excludeFilters(meta.get("exclude_patterns"), error);
  const filesValue = meta.get("files");
  let configured: string[] | undefined;
  let selectable = true;
  if (filesValue !== undefined && truthy(filesValue) !== false) {
    configured =
      filesValue.t === "list"
        ? filesValue.v.map(nameTextOrUndefined).filter((x): x is string => x !== undefined)
        : undefined;
    if (!configured || filesValue.t !== "list" || configured.length !== filesValue.v.length) {
      const u = findUnknown(filesValue);
      error(
        u
          ? `package: files cannot be evaluated statically: ${u.why}`
          : `package: files must be a list of strings, got ${inspect(filesValue)}`,
        u,
      );
      selectable = false;
    }
  }
  let selection: FileSelection = { paths: [], files: [], problems: [] };
  if (selectable) {
    const key = JSON.stringify([appDir, configured, meta.get("exclude_patterns"), fileOrder], withBigints);
    const known = reads.selections.get(key);
    if (known) selection = known;
    else reads.selections.set(key, (selection = selectFiles(appDir, configured, exclude, file, fileOrder)));
  }
  problems.push(...selection.problems);

  // the metadata map
  const metadata: { [key: string]: MetadataValue } = {};
  const put = (key: string, v: Value) => {
    try {
      const c = toMetadata(v);
      metadata[key] = c.value;
      if (c.reordered)
        warn(
          `package: ${key} is written with its keys sorted; mix keeps a keyword list in its written order, ` +
            "so the tarball checksum will differ from mix's (use a map)",
        );
      if (v.t === "atom" && v.v === "nil") warn(`${key} is nil; Hex writes it as the string "nil"`);
    } catch (e) {
      if (!(e instanceof ConvertError)) throw e;
      error(`${key}: ${e.message}`, e.at);
    }
  };
  for (const key of metaFields) {
    if (key === "files" || key === "name" || key === "build_tools" || key === "description") continue;
    const v = meta.get(key);
    if (v !== undefined) put(key, v);
  }
  metadata.files = selection.paths;
  const description = meta.get("description");
  if (description !== undefined) {
    if (truthy(description) && description.t === "bin") put("description", { t: "bin", v: elixirTrim(description.v) });
    else if (truthy(description) && description.t !== "unknown")
      error(`description must be a string, got ${inspect(description)}`);
    else put("description", description);
  }
  const nameValue = [meta.get("name"), first("app")].find((v) => v !== undefined && truthy(v) !== false);
  if (nameValue !== undefined) {
    const u = findUnknown(nameValue);
    const text = u ? undefined : nameText(nameValue);
    if (text !== undefined) metadata.name = text;
    else
      error(
        u
          ? `name cannot be evaluated statically: ${u.why}`
          : `name must be an atom or a string, got ${inspect(nameValue)}`,
        u,
      );
  }
  const tools = meta.get("build_tools");
  if (tools !== undefined && truthy(tools) !== false) put("build_tools", tools);
  else metadata.build_tools = guessBuildTools(selection.paths);

  const deps = mixRequirements(first("deps"), file);
  problems.push(...deps.problems);
  metadata.requirements = deps.requirements.map((r) => ({
    app: r.app,
    name: r.name,
    optional: r.optional,
    repository: r.repository!,
    requirement: r.requirement,
  }));

  // print_info's checks
  const hexpm = organization === undefined || organization === "hexpm";
  const missing = (fields: string[]) =>
    fields.filter(
      (f) => !(f in metadata) && !problems.some((p) => p.severity === "error" && p.message.startsWith(`${f}:`)),
    );
  if (hexpm) {
    const gone = missing([...errorFields, ...warnFields]);
    if (gone.length > 0) error(`Missing metadata fields: ${gone.join(", ")}`);
  } else {
    const soft = missing(warnFields);
    if (soft.length > 0) warn(`Missing metadata fields: ${soft.join(", ")}`);
    const hard = missing(errorFields);
    if (hard.length > 0) error(`Missing metadata fields: ${hard.join(", ")}`);
  }
  if (typeof metadata.description === "string" && graphemeCount(metadata.description) > maxDescription)
    error(`Package description is too long (exceeds ${maxDescription} characters)`);
  if (hexpm && Array.isArray(metadata.licenses) && metadata.licenses.length === 0)
    warn("You have not included any licenses");

  const hexConfig = hexSettings(first("hex"), warn);
  if (organization !== undefined) hexConfig.organization = organization;

  const name = typeof metadata.name === "string" ? metadata.name : "";
  const version = typeof metadata.version === "string" ? metadata.version : "";
  const appRel = relative(root, appDir).split(sep).join("/");
  return {
    tool: "mix",
    root,
    appDir,
    app: typeof metadata.app === "string" ? metadata.app : "",
    name,
    version,
    metadata,
    requirements: deps.requirements,
    files: selection.files,
    hexConfig,
    problems,
    defaultOutput: (appRel ? `${appRel}/` : "") + `${name}-${version}.tar`,
  };
}

/** The `{key, value}` entries of project/0's keyword list. */
function projectEntries(
  config: Value,
  error: (m: string, u?: { line: number; col: number }) => void,
): Array<[string, Value]> {
  if (config.t === "unknown") {
    error(`project/0 cannot be evaluated statically: ${config.why}`, config);
    return [];
  }
  if (config.t !== "list") {
    error(`project/0 must return a keyword list, got ${inspect(config)}`);
    return [];
  }
  const out: Array<[string, Value]> = [];
  for (const item of config.v) {
    if (item.t === "tuple" && item.v.length === 2 && item.v[0]!.t === "atom") out.push([item.v[0]!.v, item.v[1]!]);
    else {
      const u = findUnknown(item);
      error(
        u
          ? `project/0 has an entry that cannot be evaluated statically: ${u.why}`
          : `project/0 has an entry that is not a keyword pair: ${inspect(item)}`,
        u,
      );
    }
  }
  return out;
}

function excludeFilters(
  v: Value | undefined,
  error: (m: string, u?: { line: number; col: number }) => void,
): PathFilter[] {
  if (v === undefined || truthy(v) === false) return [];
  const u = findUnknown(v);
  if (u || v.t !== "list") {
    error(
      u
        ? `package: exclude_patterns cannot be evaluated statically: ${u.why}`
        : `package: exclude_patterns must be a list, got ${inspect(v)}`,
      u,
    );
    return [];
  }
  const out: PathFilter[] = [];
  for (const p of v.v) {
    if (p.t === "bin")
      out.push({ test: (path) => path.includes(p.v) }); // `path =~ "text"` is String.contains?
    else if (p.t === "regex") {
      try {
        // `path =~ regex` on the path relative to the project
        out.push(compilePcre(p.source, elixirRegexOptions(p.mods)));
      } catch (e) {
        if (!(e instanceof PcreError)) throw e;
        error(`package: exclude_patterns: ~r/${p.source}/${p.mods} cannot be used: ${e.message}`);
      }
    } else error(`package: exclude_patterns entries must be regexes or strings, got ${inspect(p)}`);
  }
  return out;
}

function guessBuildTools(paths: string[]): string[] {
  const top = new Set(paths.filter((p) => !p.includes("/")));
  const tools = [...new Set(buildToolFiles.filter(([f]) => top.has(f)).map(([, t]) => t))];
  return tools.length > 0 ? tools : ["mix"];
}

function hexSettings(
  v: Value | undefined,
  warn: (m: string, u?: { line: number; col: number }) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v === undefined || isNil(v)) return out;
  const pairs = v.t === "unknown" ? undefined : toPairs(v);
  if (!pairs) {
    const u = findUnknown(v);
    warn(
      u
        ? `hex: cannot be evaluated statically (${u.why}); its settings are ignored`
        : `hex: expected a keyword list, got ${inspect(v)}`,
      u,
    );
    return out;
  }
  for (const [k, x] of pairs) {
    try {
      out[k] = toPlain(x);
    } catch (e) {
      if (!(e instanceof ConvertError)) throw e;
      warn(`hex: ${k} ${e.message}; the setting is ignored`, e.at);
    }
  }
  return out;
}

/** A `files` entry: Path.join/2 takes strings and charlists. */
function nameTextOrUndefined(v: Value): string | undefined {
  return v.t === "bin" || v.t === "list" ? nameText(v) : undefined;
}
