// The Hex packages a project has locked: mix.lock (an Elixir map literal, read statically, never evaluated)
// and rebar.lock (both formats, with the pkg_hash / pkg_hash_ext checksums). Git and path deps are skipped.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseTerms } from "../erlang/reader.js";
import { Tuple, atomName, listItems, textOf, type Term } from "../erlang/terms.js";
import { HextsError } from "../errors.js";
import { parseElixir, type Node } from "./mix/index.js";

/** Lock files are small; anything larger is not one. */
const LOCK_MAX_SIZE = 8 * 1024 * 1024;

export interface LockedDependency {
  /** The dependency's package name (its app name when the lock does not say). */
  package: string;
  app: string;
  requirement?: string;
  optional: boolean;
}

export interface LockedPackage {
  /** The name the project uses for it (the OTP application, the lock's key). */
  app: string;
  /** The Hex package name. */
  package: string;
  version: string;
  /** `hexpm`, `hexpm:ORG`, or a custom repository name (rebar.lock records none: undefined). */
  repository?: string;
  /** SHA-256 checksums as the lock records them, lowercase hex (inner = mix's first hash / rebar's pkg_hash). */
  innerChecksum?: string;
  outerChecksum?: string;
  /** The package's own requirements as mix.lock records them (rebar.lock records none). */
  dependencies?: LockedDependency[];
  /** rebar.lock level (0 = a top-level dependency). */
  level?: number;
  file: "mix.lock" | "rebar.lock";
}

export interface ProjectLocks {
  /** The lock files that were found and read. */
  files: string[];
  packages: LockedPackage[];
}

const invalid = (file: string, what: string) =>
  new HextsError("PROJECT_INVALID", `${file}: ${what}`, { details: { file } });

async function readIfPresent(path: string): Promise<string | undefined> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) return undefined;
    size = s.size;
  } catch {
    return undefined;
  }
  if (size > LOCK_MAX_SIZE) throw invalid(path, `larger than ${LOCK_MAX_SIZE} bytes; not a lock file`);
  return readFile(path, "utf8");
}

/** Reads mix.lock and/or rebar.lock in `dir`. Neither present: an empty result. */
export async function readProjectLocks(dir: string): Promise<ProjectLocks> {
  const files: string[] = [];
  const packages: LockedPackage[] = [];
  const mix = await readIfPresent(join(dir, "mix.lock"));
  if (mix !== undefined) {
    files.push("mix.lock");
    packages.push(...parseMixLock(mix));
  }
  const rebar = await readIfPresent(join(dir, "rebar.lock"));
  if (rebar !== undefined) {
    files.push("rebar.lock");
    packages.push(...parseRebarLock(rebar));
  }
  return { files, packages };
}

// ---- mix.lock ----

function literalText(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  if (n.k === "atom") return n.v;
  if ((n.k === "str" || n.k === "qatom") && n.parts.every((p) => "raw" in p)) {
    const raw = n.parts.map((p) => (p as { raw: string }).raw).join("");
    // mix writes plain names and lowercase hex; an escape here would mean a hand-edited lock
    return raw.includes("\\") ? undefined : raw;
  }
  return undefined;
}

function keyword(n: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  if (n?.k !== "list") return out;
  for (const item of n.items) {
    if (item.k === "tuple" && item.items.length === 2) {
      const key = literalText(item.items[0]);
      if (key !== undefined) out.set(key, item.items[1]!);
    }
  }
  return out;
}

const checksumOf = (n: Node | undefined): string | undefined => {
  const t = literalText(n);
  return t !== undefined && /^[0-9a-fA-F]{64}$/.test(t) ? t.toLowerCase() : undefined;
};

/**
 * mix.lock: `%{"app": {:hex, :package, "version", "inner", managers, deps, "repo", "outer"}, ...}`;
 * older locks stop after deps (6 elements) or after the repository (7).
 */
export function parseMixLock(text: string): LockedPackage[] {
  let root: Node;
  try {
    root = parseElixir(text);
  } catch (e) {
    throw invalid("mix.lock", `cannot be read: ${(e as Error).message}`);
  }
  if (root.k === "block" && root.exprs.length === 1) root = root.exprs[0]!;
  if (root.k !== "map") throw invalid("mix.lock", "is not a map literal");
  const out: LockedPackage[] = [];
  for (const [keyNode, value] of root.entries) {
    const app = literalText(keyNode);
    if (app === undefined) throw invalid("mix.lock", "has an entry whose key is not a name");
    if (value.k !== "tuple" || literalText(value.items[0]) !== "hex") continue; // git, path, ...
    const [, pkgNode, versionNode, innerNode, , depsNode, repoNode, outerNode] = value.items;
    const pkg = literalText(pkgNode);
    const version = literalText(versionNode);
    if (pkg === undefined || version === undefined)
      throw invalid("mix.lock", `the entry of ${app} has no package name or version`);
    const locked: LockedPackage = {
      app,
      package: pkg,
      version,
      repository: literalText(repoNode) ?? "hexpm",
      file: "mix.lock",
    };
    const inner = checksumOf(innerNode);
    const outer = checksumOf(outerNode);
    if (inner) locked.innerChecksum = inner;
    if (outer) locked.outerChecksum = outer;
    if (depsNode?.k === "list") {
      locked.dependencies = depsNode.items.flatMap((d): LockedDependency[] => {
        if (d.k !== "tuple" || d.items.length < 2) return [];
        const depApp = literalText(d.items[0]);
        if (depApp === undefined) return [];
        const opts = keyword(d.items[2]);
        const requirement = literalText(d.items[1]);
        return [
          {
            app: depApp,
            package: literalText(opts.get("hex")) ?? depApp,
            ...(requirement === undefined ? {} : { requirement }),
            optional: literalText(opts.get("optional")) === "true",
          },
        ];
      });
    }
    out.push(locked);
  }
  return out;
}

// ---- rebar.lock ----

/**
 * rebar.lock: `{"1.2.0", [{<<"app">>, {pkg, <<"package">>, <<"version">>}, Level}, ...]}.` then
 * `[{pkg_hash, [{<<"app">>, <<"HEX">>}]}, {pkg_hash_ext, [...]}].`, or the beta format (a bare list).
 */
export function parseRebarLock(text: string): LockedPackage[] {
  let terms: Term[];
  try {
    terms = parseTerms(text, "rebar.lock");
  } catch (e) {
    throw invalid("rebar.lock", `cannot be read: ${(e as Error).message}`);
  }
  if (terms.length === 0) return [];
  const first = terms[0]!;
  const locks = first instanceof Tuple && first.items.length === 2 ? listItems(first.items[1]) : listItems(first);
  if (!locks) throw invalid("rebar.lock", "is not a rebar3 lock file");
  const hashes = new Map<string, Map<string, string>>();
  for (const attr of listItems(terms[1]) ?? []) {
    if (!(attr instanceof Tuple) || attr.items.length !== 2) continue;
    const kind = atomName(attr.items[0]);
    if (kind !== "pkg_hash" && kind !== "pkg_hash_ext") continue;
    const table = new Map<string, string>();
    for (const pair of listItems(attr.items[1]) ?? []) {
      if (!(pair instanceof Tuple) || pair.items.length !== 2) continue;
      const name = textOf(pair.items[0]);
      const hash = textOf(pair.items[1]);
      if (name !== undefined && hash !== undefined && /^[0-9a-fA-F]{64}$/.test(hash))
        table.set(name, hash.toLowerCase());
    }
    hashes.set(kind, table);
  }
  const out: LockedPackage[] = [];
  for (const entry of locks) {
    if (!(entry instanceof Tuple) || entry.items.length !== 3)
      throw invalid("rebar.lock", "a lock entry is not {Name, Source, Level}");
    const [nameT, source, levelT] = entry.items as [Term, Term, Term];
    const app = textOf(nameT);
    if (app === undefined) throw invalid("rebar.lock", "a lock entry has no name");
    if (!(source instanceof Tuple) || atomName(source.items[0]) !== "pkg") continue;
    const pkg = textOf(source.items[1]);
    const version = textOf(source.items[2]);
    if (pkg === undefined || version === undefined)
      throw invalid("rebar.lock", `the pkg source of ${app} has no name or version`);
    const locked: LockedPackage = { app, package: pkg, version, file: "rebar.lock" };
    const inner = hashes.get("pkg_hash")?.get(app);
    const outer = hashes.get("pkg_hash_ext")?.get(app);
    if (inner) locked.innerChecksum = inner;
    if (outer) locked.outerChecksum = outer;
    if (typeof levelT === "number") locked.level = levelT;
    out.push(locked);
  }
  return out;
}
