// Reads an Erlang.mk project statically, the way erlang.mk's own plugins/hex.mk (`make hex-tarball-create`)
// packages it: name, version and description from the Makefile (PROJECT, PROJECT_VERSION, PROJECT_DESCRIPTION)
// with ebin/APP.app as the compiled truth, requirements from DEPS + `dep_NAME = hex VERSION [PKG]`, build tools
// `make` and `rebar3`, and hex.mk's default HEX_TARBALL_FILES list (files only, no directory entries).
import { existsSync, readdirSync, lstatSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { parseTerms } from "../erlang/reader.js";
import { proplistGet, type Term } from "../erlang/terms.js";
import { HextsError } from "../errors.js";
import { matchComponent, wildcard } from "./glob.js";
import { compareStrings, toPackageFiles, type PathEntry } from "./rebar3/files.js";
import { nameOf } from "../erlang/plain.js";
import { Unrepresentable, appDetail, applicationTerm, binarify, linksOf } from "./rebar3/terms.js";
import type { MetadataValue, Problem, ProjectPackage, Requirement } from "./types.js";

/** A variable as far as a static read of the Makefile can tell. */
interface MakeVar {
  value: string;
  line: number;
}

/**
 * The simple variable assignments of a Makefile (`=`, `:=`, `::=`, `?=`, `+=`, `override`/`export` prefixes,
 * backslash continuations, `#` comments) and `define NAME ... endef` blocks (the value is the lines in between,
 * as make keeps them). Recipes and conditionals are skipped: values set inside `ifeq`/`ifdef` are read as if the
 * condition held.
 */
export function parseMakefileVars(text: string): Map<string, MakeVar> {
  const vars = new Map<string, MakeVar>();
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let inDefine = 0;
  let defining: { name: string; line: number; body: string[]; op: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!;
    if (defining) {
      // Inside a define: lines are kept verbatim (no comment stripping, no continuation joining); nested
      // define/endef pairs are counted as make does.
      const word = line.trim();
      if (/^define(\s|$)/.test(word)) inDefine++;
      else if (/^endef(\s|$)/.test(word)) {
        if (--inDefine === 0) {
          const value = defining.body.join("\n");
          const prev = vars.get(defining.name);
          if (!(defining.op === "?=" && prev)) {
            vars.set(defining.name, {
              value: defining.op === "+=" && prev ? `${prev.value} ${value}` : value,
              line: defining.line,
            });
          }
          defining = undefined;
          continue;
        }
      }
      defining.body.push(line);
      continue;
    }
    while (line.endsWith("\\") && i + 1 < lines.length)
      line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trimStart()}`;
    if (line.startsWith("\t")) continue; // a recipe line
    const code = stripComment(line).replace(/\\#/g, "#").trim();
    const def = /^(?:(?:override|export)\s+)*define\s+([A-Za-z0-9_.\-]+)\s*(=|:=|::=|\?=|\+=)?\s*$/.exec(code);
    if (def) {
      inDefine = 1;
      defining = { name: def[1]!, line: lineNo, body: [], op: def[2] ?? "=" };
      continue;
    }
    const m = /^(?:(?:override|export|private)\s+)*([A-Za-z0-9_.\-]+)\s*(\?=|::=|:=|\+=|!=|=)\s*(.*)$/.exec(code);
    if (!m) continue;
    const [, name, op, value] = m as unknown as [string, string, string, string];
    const prev = vars.get(name);
    if (op === "?=" && prev) continue;
    if (op === "!=") vars.set(name, { value: "$(shell !=)", line: lineNo });
    else if (op === "+=" && prev) vars.set(name, { value: `${prev.value} ${value}`.trim(), line: lineNo });
    else vars.set(name, { value, line: lineNo });
  }
  return vars;
}

function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === "#") return line.slice(0, i);
  }
  return line;
}

/** Expands `$(VAR)` / `${VAR}` references; undefined when a function call or unknown construct remains. */
export function expandMakeVar(
  name: string,
  vars: Map<string, MakeVar>,
  seen: Set<string> = new Set(),
): string | undefined {
  const v = vars.get(name);
  if (!v) return "";
  if (seen.has(name)) return undefined;
  const inner = new Set(seen).add(name);
  let out = "";
  const s = v.value;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "$") {
      out += s[i];
      continue;
    }
    const next = s[i + 1];
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    if (next === "(" || next === "{") {
      const close = next === "(" ? ")" : "}";
      const end = s.indexOf(close, i + 2);
      if (end < 0) return undefined;
      const ref = s.slice(i + 2, end);
      if (!/^[A-Za-z0-9_.\-]+$/.test(ref)) return undefined; // a function such as $(shell ...) or $(wildcard ...)
      const sub = expandMakeVar(ref, vars, inner);
      if (sub === undefined) return undefined;
      out += sub;
      i = end;
      continue;
    }
    return undefined; // $X single-letter references are not used for these variables
  }
  return out.trim();
}

const words = (s: string) => s.split(/\s+/).filter((w) => w !== "");

/** `find DIR -type f -name PATTERN`, sorted bytewise (hex.mk's core_find). */
function findFiles(root: string, dir: string, pattern: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(join(root, rel));
    } catch {
      return;
    }
    for (const name of names) {
      const child = `${rel}/${name}`;
      const st = lstatSync(join(root, child));
      if (st.isDirectory()) walk(child);
      else if (st.isFile() && matchComponent(pattern, name)) out.push(child);
    }
  };
  if (existsSync(join(root, dir))) walk(dir);
  return out.sort(compareStrings);
}

/** hex.mk's default HEX_TARBALL_FILES, in its order. */
export function erlangMkDefaultFiles(root: string, project: string): string[] {
  const glob = (p: string) => wildcard(p, root).filter((f) => lstatSync(join(root, f)).isFile());
  return [
    ...glob("early-plugins.mk"),
    ...glob(`ebin/${project}.app`),
    ...glob(`ebin/${project}.appup`),
    ...glob("erlang.mk"),
    ...findFiles(root, "include", "*.hrl"),
    ...glob("LICENSE*"),
    ...glob("Makefile"),
    ...glob("plugins.mk"),
    ...findFiles(root, "priv", "*"),
    ...glob("README*"),
    ...glob("rebar.config"),
    ...findFiles(root, "src", "*"),
  ];
}

export async function readErlangMkProject(dir: string): Promise<ProjectPackage> {
  const root = resolve(dir);
  const problems: Problem[] = [];
  const makefile = join(root, "Makefile");
  if (!existsSync(makefile))
    throw new HextsError("PROJECT_INVALID", `No Makefile in ${root}; this is not an Erlang.mk project`);
  const vars = parseMakefileVars(await readFile(makefile, "utf8"));
  const known = (name: string): string | undefined => {
    const value = expandMakeVar(name, vars);
    if (value === undefined) {
      problems.push({
        severity: "error",
        file: "Makefile",
        line: vars.get(name)?.line,
        message:
          `${name} in the Makefile uses make functions that hexts cannot evaluate statically; ` +
          "set it to plain text or pass --metadata FILE",
      });
    }
    return value || undefined;
  };

  // The application: ebin/$(PROJECT).app, or the only ebin/*.app.
  const apps = wildcard("ebin/*.app", root);
  let project = known("PROJECT");
  if (!project && apps.length === 1) project = basename(apps[0]!, ".app");
  if (!project) {
    throw new HextsError(
      "PROJECT_INVALID",
      `Cannot tell the application of the Erlang.mk project in ${root}: set PROJECT in the Makefile`,
    );
  }
  const appFile = `ebin/${project}.app`;
  if (!existsSync(join(root, appFile))) {
    throw new HextsError(
      "PROJECT_INVALID",
      `${appFile} is missing: run \`make app\` first (erlang.mk packages the compiled .app file)`,
      {
        details: { file: appFile },
      },
    );
  }
  const { name, details } = applicationTerm(parseTerms(await readFile(join(root, appFile)), appFile), appFile);
  const appName = nameOf(name);
  if (appName !== project)
    problems.push({
      severity: "error",
      file: appFile,
      message: `${appFile} defines application ${appName}, but PROJECT is ${project}`,
    });

  const appVsn = nameOf(proplistGet(details, "vsn"));
  const version = known("PROJECT_VERSION") ?? appVsn ?? "";
  if (!version)
    problems.push({
      severity: "error",
      file: "Makefile",
      message: "No version: set PROJECT_VERSION in the Makefile (and run `make app`)",
    });
  else if (appVsn !== undefined && appVsn !== version) {
    problems.push({
      severity: "warning",
      file: appFile,
      message: `${appFile} has vsn ${appVsn} but PROJECT_VERSION is ${version}; run \`make app\``,
    });
  }
  const description = known("PROJECT_DESCRIPTION") ?? nameOf(proplistGet(details, "description")) ?? "";

  // Requirements: DEPS with `dep_NAME = hex VERSION [PKG]`.
  const requirements: Requirement[] = [];
  const notHex: string[] = [];
  for (const dep of words(known("DEPS") ?? "")) {
    const spec = words(expandMakeVar(`dep_${dep}`, vars) ?? "");
    if (spec[0] === "hex" && spec[1])
      requirements.push({ name: spec[2] ?? dep, app: dep, optional: false, requirement: spec[1] });
    else
      notHex.push(
        spec.length === 0
          ? `${dep} (no dep_${dep} line: erlang.mk would take it from its package index)`
          : `${dep} (${spec[0]})`,
      );
  }
  if (notHex.length > 0) {
    problems.push({
      severity: "error",
      file: "Makefile",
      message:
        "Only Hex packages can be dependencies of a package; declare them as `dep_NAME = hex VERSION`: " +
        `${notHex.join(", ")}`,
    });
  }

  // Files: HEX_TARBALL_FILES when the Makefile sets it to plain paths, else hex.mk's default list.
  let fileList: string[];
  if (vars.has("HEX_TARBALL_FILES")) {
    const value = known("HEX_TARBALL_FILES");
    fileList = value === undefined ? [] : words(value);
    for (const f of fileList) {
      if (
        !existsSync(join(root, f)) &&
        !(f === `ebin/${project}.appup` && existsSync(join(root, `src/${project}.appup`)))
      )
        problems.push({
          severity: "error",
          file: "Makefile",
          message: `HEX_TARBALL_FILES names ${f}, which does not exist`,
        });
    }
  } else fileList = erlangMkDefaultFiles(root, project);
  // `make app` (which hex-tarball-create runs first) copies src/APP.appup to ebin/; from a clean checkout the
  // copy does not exist yet, so package the source under the name the copy would have.
  const appup = `ebin/${project}.appup`;
  const appupSource = existsSync(join(root, appup))
    ? undefined
    : existsSync(join(root, `src/${project}.appup`))
      ? join(root, `src/${project}.appup`)
      : undefined;
  if (appupSource && !vars.has("HEX_TARBALL_FILES") && !fileList.includes(appup)) {
    const at = fileList.indexOf(appFile);
    fileList.splice(at < 0 ? 0 : at + 1, 0, appup);
  }
  const entries: PathEntry[] = fileList.map((rel) => ({
    rel,
    abs: rel === appup && appupSource ? appupSource : join(root, rel),
  }));
  const files = toPackageFiles(entries, root, problems);

  const metadata: { [key: string]: MetadataValue } = {
    app: project,
    build_tools: ["make", "rebar3"],
    description,
    files: files.map((f) => f.path),
    name: project,
    requirements: Object.fromEntries(
      requirements.map((r) => [r.name, { app: r.app, optional: false, requirement: r.requirement }]),
    ),
    version,
  };
  // Licenses and links: from the .app when given there (rebar3 style), or HEX_TARBALL_EXTRA_METADATA.
  const extra = extraMetadata(vars, problems);
  const fromApp = (key: string, convert: (t: Term) => MetadataValue) =>
    appDetail(details, key, appFile, problems, convert);
  const licenses = fromApp("licenses", binarify);
  const links = fromApp("links", linksOf);
  if (licenses !== undefined) metadata.licenses = licenses;
  if (links !== undefined) metadata.links = links;
  Object.assign(metadata, extra);

  return {
    tool: "make",
    root,
    appDir: root,
    app: project,
    name: typeof metadata.name === "string" ? metadata.name : project,
    version: typeof metadata.version === "string" ? metadata.version : version,
    metadata,
    requirements,
    files,
    hexConfig: {},
    problems,
    defaultOutput: `.erlang.mk/${project}.tar`,
  };
}

/** HEX_TARBALL_EXTRA_METADATA (`#{licenses => [...], links => #{...}}`), when it is a plain map literal. */
function extraMetadata(vars: Map<string, MakeVar>, problems: Problem[]): { [key: string]: MetadataValue } {
  if (!vars.has("HEX_TARBALL_EXTRA_METADATA")) return {};
  const text = expandMakeVar("HEX_TARBALL_EXTRA_METADATA", vars);
  const line = vars.get("HEX_TARBALL_EXTRA_METADATA")?.line;
  if (!text) return {};
  try {
    const [map] = parseTerms(`${text}.`, "Makefile");
    const value = map === undefined ? undefined : binarify(map);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch (e) {
    if (!(e instanceof HextsError) && !(e instanceof Unrepresentable)) throw e;
  }
  problems.push({
    severity: "error",
    file: "Makefile",
    line,
    message: "HEX_TARBALL_EXTRA_METADATA is not a plain #{...} map that hexts can read; pass --metadata FILE",
  });
  return {};
}
