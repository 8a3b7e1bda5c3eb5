// Reads a rebar3 project statically, as `rebar3 hex build` (rebar3 3.19, rebar3_hex 7.2.0) would package it:
// src/APP.app.src for the metadata, rebar.config for the deps' requirement text and `{hex, [...]}`, the root
// rebar.lock for the requirements themselves, and rebar3_hex's file selection.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { formatAppSrc, writeTerm } from "../../erlang/pretty.js";
import { parseTerms } from "../../erlang/reader.js";
import { Atom, Charlist, Tuple, listItems, proplistGet, type Term } from "../../erlang/terms.js";
import { HextsError } from "../../errors.js";
import { chooseApp } from "./choose-app.js";
import { GlobError, wildcard } from "../glob.js";
import type { MetadataValue, Problem, ProjectPackage, Requirement } from "../types.js";
import { selectRebar3Paths, toPackageFiles } from "./files.js";
import { CURRENT_LOCK_VERSION, parseLock, type Lock } from "./lock.js";
import { nameOf, termToPlain } from "../../erlang/plain.js";
import { appDetail, applicationTerm, binarify, linksOf, stringList } from "./terms.js";
import { resolveVsn, type VsnSpec } from "./vsn.js";

export interface Rebar3App {
  name: string;
  /** Absolute app directory. */
  dir: string;
  /** The app resource file, relative to `dir` (`src/NAME.app.src`, or `.app.src.script`). */
  appSrc: string;
}

const DEFAULT_PROJECT_APP_DIRS = ["apps/*", "lib/*", "."];
const LOCK_EMPTY = new TextEncoder().encode("[].\n");

/** What of rebar.config matters for a package: a script's result is compared on these only. */
const PACKAGE_CONFIG_KEYS = ["deps", "hex", "project_app_dirs"];

const scriptCache = new Map<string, Promise<{ terms: Term[]; note?: string }>>();

/**
 * The terms of DIR/rebar.config ([] when there is none), or what DIR/rebar.config.script makes of them, as
 * rebar_config:consult/1 reads it; syntax errors name the file relative to `root`. A note about how a script was
 * evaluated goes to `notes`.
 */
async function readConfig(dir: string, root = dir, notes?: string[]): Promise<Term[]> {
  const file = join(dir, "rebar.config");
  const script = `${file}.script`;
  if (existsSync(script)) {
    const st = statSync(script);
    const key = `${script}\0${st.mtimeMs}\0${st.size}`;
    let run = scriptCache.get(key);
    if (!run) {
      const { evaluateConfigScript } = await import("../erlang-script/index.js");
      run = evaluateConfigScript({
        root,
        script,
        fingerprint: (terms) =>
          PACKAGE_CONFIG_KEYS.map((k) => writeTerm((proplistGet(terms, k) ?? new Atom("undefined")) as Term)).join(
            "\n",
          ),
      });
      scriptCache.set(key, run);
      run.catch(() => scriptCache.delete(key));
    }
    const result = await run;
    if (result.note && notes && !notes.includes(result.note)) notes.push(result.note);
    return result.terms;
  }
  const bytes = await readIfExists(file);
  return bytes === undefined ? [] : parseTerms(bytes, relative(root, file));
}

/** A file's bytes, or undefined when there is none (one open instead of a check and then a read). */
async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * The project apps rebar3 would find: `project_app_dirs` (default apps/*, lib/*, .) holding src/*.app.src.
 * `rootConfig`: DIR's rebar.config terms when the caller has read them already.
 */
export async function listRebar3Apps(dir: string, rootConfig?: Term[]): Promise<Rebar3App[]> {
  const root = resolve(dir);
  const config = rootConfig ?? (await readConfig(root));
  const patterns = stringList(proplistGet(config, "project_app_dirs")) ?? DEFAULT_PROJECT_APP_DIRS;
  const apps = new Map<string, Rebar3App>();
  for (const pattern of patterns) {
    let matches: string[];
    try {
      matches = wildcard(pattern, root);
    } catch (e) {
      if (!(e instanceof GlobError)) throw e;
      throw new HextsError(
        "PROJECT_INVALID",
        `project_app_dirs entry ${JSON.stringify(pattern)} in rebar.config cannot be used: ${e.message}`,
      );
    }
    for (const match of matches) {
      const appDir = resolve(root, match);
      const resources = wildcard("src/*.app.src", appDir);
      const scripts = wildcard("src/*.app.src.script", appDir);
      for (const appSrc of resources.length > 0 ? resources : scripts) {
        const name = basename(appSrc).replace(/\.app\.src(\.script)?$/, "");
        if (!apps.has(appDir + "\0" + name)) apps.set(appDir + "\0" + name, { name, dir: appDir, appSrc });
      }
    }
  }
  return [...apps.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function vsnSpec(t: Term | undefined): VsnSpec | undefined {
  if (t === undefined) return undefined;
  if (t instanceof Atom) {
    if (t.name === "git" || t.name === "semver") return { kind: "git" };
    return { kind: "unknown", text: t.name };
  }
  if (t instanceof Tuple && t.items.length === 2 && t.items[0] instanceof Atom) {
    const [tag, arg] = [t.items[0].name, t.items[1]!];
    if (tag === "git" && arg instanceof Atom && (arg.name === "short" || arg.name === "long"))
      return { kind: "gitRef", length: arg.name };
    const text = nameOf(arg);
    if (tag === "cmd" && text !== undefined) return { kind: "cmd", command: text };
    if (tag === "file" && text !== undefined) return { kind: "file", path: text };
    return { kind: "unknown", text: `{${tag}, ...}` };
  }
  const text = nameOf(t);
  if (text === undefined) return { kind: "unknown", text: "(not a string)" };
  // A string naming a version control system (list_to_existing_atom in rebar3_hex) means that VCS.
  if (text === "git" || text === "semver") return { kind: "git" };
  return { kind: "plain", value: text };
}

/** lists:keyreplace(Key, 1, List, {Key, Value}): only an existing entry is replaced. */
function keyReplace(list: Term[], key: string, value: Term): Term[] {
  const at = list.findIndex(
    (p) => p instanceof Tuple && p.items.length >= 1 && p.items[0] instanceof Atom && p.items[0].name === key,
  );
  return at < 0 ? list : list.map((p, i) => (i === at ? new Tuple([new Atom(key), value]) : p));
}

/** Names of the deps a rebar.config lists (`name`, `{name, ...}`). */
function depNames(config: Term[]): string[] {
  return (listItems(proplistGet(config, "deps")) ?? []).flatMap((d) => {
    const name = d instanceof Tuple ? nameOf(d.items[0]) : nameOf(d);
    return name === undefined ? [] : [name];
  });
}

/** rebar3_hex_build:update_versions/2: the app's own rebar.config string requirement, else "~>" ++ locked. */
function requirementFor(pkg: string, locked: string, appConfig: Term[]): string {
  for (const d of listItems(proplistGet(appConfig, "deps")) ?? []) {
    if (!(d instanceof Tuple) || !(d.items[0] instanceof Atom) || d.items[0].name !== pkg) continue;
    if (d.items.length === 2) {
      const v = d.items[1]!;
      if (v instanceof Uint8Array || v instanceof Charlist || Array.isArray(v)) {
        const text = nameOf(v);
        if (text !== undefined) return text;
      }
    }
    break;
  }
  return `~>${locked}`;
}

export interface ReadRebar3Options {
  app?: string;
}

export async function readRebar3Project(dir: string, opts: ReadRebar3Options = {}): Promise<ProjectPackage> {
  const root = resolve(dir);
  const problems: Problem[] = [];
  const notes: string[] = [];
  const rootConfig = await readConfig(root, root, notes);

  const apps = await listRebar3Apps(root, rootConfig);
  if (apps.length === 0) {
    throw new HextsError(
      "PROJECT_INVALID",
      `No src/APP.app.src found in ${root} (nor in apps/* or lib/*); this is not a rebar3 application`,
    );
  }
  const chosen = chooseApp(apps, opts.app, root);
  const appDir = chosen.dir;
  const appSrcFile = relative(root, join(appDir, chosen.appSrc)) || chosen.appSrc;
  if (chosen.appSrc.endsWith(".script")) {
    // rebar3_hex re-reads src/APP.app.src itself (rebar3_hex_file:update_app_src/2 consults the plain file), so
    // `rebar3 hex build` fails on an app that has only the script.
    throw new HextsError(
      "PROJECT_INVALID",
      `${appSrcFile} has no ${appSrcFile.replace(/\.script$/, "")} beside it; rebar3 hex build reads that file for ` +
        "the package metadata (the script only changes what rebar3 compiles), so add it",
      { details: { file: appSrcFile } },
    );
  }

  // src/APP.app.src: exactly one {application, Name, Details} term.
  const appTerms = parseTerms(await readFile(join(appDir, chosen.appSrc)), appSrcFile);
  const { name: appName, details } = applicationTerm(appTerms, appSrcFile, { atomName: true });
  const app = appName.name;
  if (app !== chosen.name) {
    problems.push({
      severity: "warning",
      file: appSrcFile,
      message: `${appSrcFile} defines application ${app}; rebar3 expects src/${app}.app.src`,
    });
  }

  // Version: rebar3 reads the application through src/APP.app.src.script when there is one (the vsn rebar3_hex
  // packages comes from there); every other field comes from the plain file, which rebar3_hex re-reads.
  let vsnTerm = proplistGet(details, "vsn");
  const appScript = join(appDir, `${chosen.appSrc}.script`);
  if (existsSync(appScript)) {
    const { evaluateConfigScript } = await import("../erlang-script/index.js");
    const vsnOf = (terms: Term[]) => {
      const t = terms[0];
      return t instanceof Tuple && t.items.length === 3 ? proplistGet(t.items[2], "vsn") : undefined;
    };
    const result = await evaluateConfigScript({
      root,
      script: appScript,
      fingerprint: (terms) => writeTerm((vsnOf(terms) ?? []) as Term),
    });
    if (result.note) notes.push(result.note);
    const scripted = vsnOf(result.terms);
    if (scripted === undefined) {
      problems.push({
        severity: "error",
        file: `${appSrcFile}.script`,
        message: `${appSrcFile}.script does not return an {application, Name, [...]} term with a vsn`,
      });
    } else vsnTerm = scripted;
  }
  const spec = vsnSpec(vsnTerm);
  let version = "";
  if (!spec) problems.push({ severity: "error", file: appSrcFile, message: `${appSrcFile} has no vsn` });
  else {
    const resolved = await resolveVsn(spec, appDir, appSrcFile);
    version = resolved.version;
    problems.push(...resolved.problems);
    if (spec.kind !== "plain" && version.includes("+")) {
      problems.push({
        severity: "warning",
        file: appSrcFile,
        message:
          `vsn resolved to ${version} from git; Hex refuses versions with +build metadata, ` +
          `so tag the HEAD commit (e.g. v${version.split("+")[0]})`,
      });
    }
  }

  // Configuration of the app itself (the root's for a single-app project).
  const appConfig = appDir === root ? rootConfig : await readConfig(appDir, root, notes);

  // Dependencies: level-0 entries of the umbrella-wide lock.
  const lockPath = join(root, "rebar.lock");
  const configDeps = new Set(depNames(rootConfig));
  for (const a of apps)
    if (a.dir !== root)
      for (const n of depNames(a.dir === appDir ? appConfig : await readConfig(a.dir, root))) configDeps.add(n);
  let lock: Lock = { entries: [] };
  const virtualFiles = new Map<string, Uint8Array>();
  const lockBytes = await readIfExists(lockPath);
  if (lockBytes !== undefined) lock = parseLock(lockBytes, "rebar.lock");
  else if (configDeps.size > 0) {
    problems.push({
      severity: "error",
      file: "rebar.lock",
      message:
        `rebar.lock is missing, so the locked versions of ${[...configDeps].join(", ")} are unknown; ` +
        "run `rebar3 lock`",
    });
  } else if (appDir === root) {
    virtualFiles.set("rebar.lock", LOCK_EMPTY); // what rebar3's lock step writes before rebar3_hex packages it
  }
  const topLevel = lock.entries.filter((e) => e.level === 0);
  const nonHex = topLevel.filter((e) => e.type !== "pkg").map((e) => e.app);
  if (nonHex.length > 0) {
    problems.push({
      severity: "error",
      file: "rebar.lock",
      message:
        "Some dependencies are not Hex packages, and only Hex packages can be dependencies of a package: " +
        `${nonHex.join(", ")}`,
    });
  }
  const locked = new Set(topLevel.map((e) => e.app));
  const unlocked = [...configDeps].filter((n) => !locked.has(n));
  if (lockBytes !== undefined && unlocked.length > 0) {
    problems.push({
      severity: "error",
      file: "rebar.lock",
      message: `rebar.lock does not lock ${unlocked.join(", ")}; run \`rebar3 lock\``,
    });
  }
  const stale = topLevel.filter((e) => !configDeps.has(e.app)).map((e) => e.app);
  if (stale.length > 0) {
    problems.push({
      severity: "warning",
      file: "rebar.lock",
      message:
        `rebar.lock locks ${stale.join(", ")}, which no rebar.config names; ` +
        "rebar3 would drop it — run `rebar3 lock`",
    });
  }
  if (topLevel.some((e) => e.type === "pkg") && lock.formatVersion !== CURRENT_LOCK_VERSION) {
    problems.push({
      severity: "warning",
      file: "rebar.lock",
      message:
        `rebar.lock is in an older format; rebar3 3.19 rewrites it as version ${CURRENT_LOCK_VERSION} ` +
        "(with package hashes) before packaging — run `rebar3 lock`",
    });
  }
  const requirements: Requirement[] = topLevel
    .filter((e) => e.type === "pkg")
    .map((e) => ({
      name: e.pkg!,
      app: e.app,
      optional: false,
      requirement: requirementFor(e.pkg!, e.version!, appConfig),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Files.
  const listField = (key: string, legacy?: string): string[] => {
    const primary = proplistGet(details, key);
    const fallback = legacy === undefined ? undefined : proplistGet(details, legacy);
    const value = primary ?? fallback;
    if (value === undefined) return [];
    const list = stringList(value);
    if (!list) {
      problems.push({
        severity: "error",
        file: appSrcFile,
        message: `${primary !== undefined ? key : legacy} in ${appSrcFile} must be a list of strings`,
      });
      return [];
    }
    return list;
  };
  for (const [old, now] of [
    ["include_files", "include_paths"],
    ["exclude_regexps", "exclude_patterns"],
  ] as const) {
    if (proplistGet(details, old) !== undefined) {
      problems.push({
        severity: "warning",
        file: appSrcFile,
        message: `${old} in ${appSrcFile} is deprecated; use ${now}`,
      });
    }
  }
  const filesTerm = proplistGet(details, "files");
  const files = filesTerm === undefined ? undefined : stringList(filesTerm);
  if (filesTerm !== undefined && !files)
    problems.push({ severity: "error", file: appSrcFile, message: `files in ${appSrcFile} must be a list of strings` });

  const printed = new Tuple([new Atom("application"), new Atom(app), keyReplace(details, "vsn", Charlist.of(version))]);
  const appSrc = { path: `src/${app}.app.src`, contents: new TextEncoder().encode(formatAppSrc(printed)) };
  const paths = selectRebar3Paths(
    appDir,
    {
      files,
      includePaths: listField("include_paths", "include_files"),
      excludePaths: listField("exclude_paths", "exclude_files"),
      excludePatterns: listField("exclude_patterns", "exclude_regexps"),
      appSrc,
      virtualFiles,
      specFile: appSrcFile,
    },
    problems,
  );
  const packageFiles = toPackageFiles(paths, root, problems);

  // Metadata, as rebar3_hex_build:create_package/2 assembles it.
  const field = (key: string, fallback: MetadataValue, convert: (t: Term) => MetadataValue = binarify): MetadataValue =>
    appDetail(details, key, appSrcFile, problems, convert) ?? fallback;
  const pkgName = field("pkg_name", app);
  const name = typeof pkgName === "string" ? pkgName : app;
  const optional: [string, MetadataValue][] = [
    ["app", app],
    ["description", field("description", [])],
    ["files", packageFiles.map((f) => f.path)],
    ["licenses", field("licenses", [])],
    ["links", field("links", {}, linksOf)],
    ["build_tools", field("build_tools", ["rebar3"])],
  ];
  const metadata: { [key: string]: MetadataValue } = {
    name,
    version,
    requirements: Object.fromEntries(
      requirements.map((r) => [r.name, { app: r.app, optional: false, requirement: r.requirement }]),
    ),
  };
  for (const [key, value] of optional) if (!(Array.isArray(value) && value.length === 0)) metadata[key] = value;

  const hex = proplistGet(rootConfig, "hex");
  const hexConfig = hex === undefined ? {} : (termToPlain(hex) as Record<string, unknown>);

  return {
    tool: "rebar3",
    root,
    appDir,
    app,
    name,
    version,
    metadata,
    requirements,
    files: packageFiles,
    hexConfig:
      typeof hexConfig === "object" && hexConfig !== null && !Array.isArray(hexConfig)
        ? hexConfig
        : { value: hexConfig },
    problems,
    defaultOutput: `_build/default/lib/${app}/hex/${name}-${version}.tar`,
    ...(notes.length > 0 ? { notes } : {}),
    versionFile: join(appDir, chosen.appSrc),
  };
}
