// `requirements` as Mix.Tasks.Hex.Build.dependencies/0 (Hex 2.5.1) computes them: prod deps only (no
// `only:`, or `only:` including :prod), Hex packages only (`hex:` given, or none of git/github/path/
// in_umbrella), in `deps` order; a prod dep that is not a Hex package stops the build.
import type { Problem, Requirement } from "../types.js";
import { nameText } from "./convert.js";
import { findUnknown, inspect, isKeyword, isNil, kwGet, truthy, type Value } from "./values.js";

const scmKeys = ["git", "github", "path", "in_umbrella"];

export function mixRequirements(
  deps: Value | undefined,
  file: string,
): { requirements: Requirement[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const requirements: Requirement[] = [];
  const fail = (message: string, at?: { line: number; col: number }) =>
    problems.push({ severity: "error", message, file, ...(at ? { line: at.line, column: at.col } : {}) });
  if (deps === undefined || isNil(deps)) return { requirements, problems };
  if (deps.t === "unknown") {
    fail(`deps: cannot be evaluated statically: ${deps.why}`, deps);
    return { requirements, problems };
  }
  if (deps.t !== "list") {
    fail(`deps: expected a list, got ${inspect(deps)}`);
    return { requirements, problems };
  }
  const excluded: string[] = [];
  for (const dep of deps.v) {
    if (dep.t === "unknown") {
      fail(`deps: an entry cannot be evaluated statically: ${dep.why}`, dep);
      continue;
    }
    const hidden = dep.t === "tuple" ? dep.v.map(findUnknown).find((u) => u !== undefined) : undefined;
    if (hidden && dep.t === "tuple" && !(dep.v[2] && dep.v[2].t === "list")) {
      const name = dep.v[0]?.t === "atom" ? dep.v[0].v : inspect(dep.v[0] ?? dep);
      fail(`deps: ${name} cannot be evaluated statically: ${hidden.why}`, hidden);
      continue;
    }
    const norm = normalize(dep);
    if (!norm) {
      fail(`deps: invalid dependency ${inspect(dep)}`);
      continue;
    }
    const [app, req, opts] = norm;
    const optsUnknown = opts.v.find((o) => o.t === "unknown" || (o.t === "tuple" && o.v[0]?.t === "unknown"));
    if (optsUnknown) {
      fail(
        `deps: the options of ${app} cannot be evaluated statically: ${findUnknown(optsUnknown)!.why}`,
        findUnknown(optsUnknown),
      );
      continue;
    }
    if (!isKeyword(opts)) {
      fail(`deps: the options of ${app} must be a keyword list, got ${inspect(opts)}`);
      continue;
    }
    const only = kwGet(opts, "only");
    if (only !== undefined && truthy(only) !== false) {
      if (only.t === "unknown" || findUnknown(only)) {
        fail(`deps: only: of ${app} cannot be evaluated statically: ${findUnknown(only)!.why}`, findUnknown(only));
        continue;
      }
      const envs = only.t === "list" ? only.v : [only];
      if (!envs.some((e) => e.t === "atom" && e.v === "prod")) continue;
    }
    const keys = opts.v.map((o) => ((o as { v: Value[] }).v[0] as { v: string }).v);
    if (!keys.includes("hex") && scmKeys.some((k) => keys.includes(k))) {
      excluded.push(app);
      continue;
    }
    for (const key of ["override", "compile", "manager", "app"]) {
      if (keys.includes(key))
        fail(
          "Can't build package " +
            `${key === "override" ? "with overridden dependency" : `when :${key} is set for dependency`} ${app}, ` +
            `remove \`${key}${key === "override" ? ": true" : ": ..."}\``,
        );
    }
    const systemEnv = kwGet(opts, "system_env");
    if (systemEnv !== undefined && !(systemEnv.t === "list" && systemEnv.v.length === 0))
      fail(`Can't build package when :system_env is set for dependency ${app}, remove \`system_env: ...\``);

    const needed = (key: string): Value | undefined => {
      const v = kwGet(opts, key);
      const u = v && findUnknown(v);
      if (u) throw new DepError(`deps: ${key}: of ${app} cannot be evaluated statically: ${u.why}`, u);
      return v;
    };
    try {
      const hex = needed("hex");
      const repoValue = [needed("repo"), needed("organization")].find((v) => v !== undefined && truthy(v));
      const optional = needed("optional");
      const name = hex !== undefined && truthy(hex) ? nameText(hex) : app;
      if (name === undefined)
        throw new DepError(`deps: hex: of ${app} must be an atom or a string, got ${inspect(hex!)}`);
      const repo = repoValue === undefined ? "hexpm" : nameText(repoValue);
      if (repo === undefined)
        throw new DepError(`deps: the repository of ${app} must be a string, got ${inspect(repoValue!)}`);
      if (req === undefined || isNil(req))
        throw new DepError(`deps: ${app} has no version requirement (Hex would write "nil")`);
      if (req.t === "unknown")
        throw new DepError(`deps: the requirement of ${app} cannot be evaluated statically: ${req.why}`, req);
      if (req.t !== "bin") throw new DepError(`deps: the requirement of ${app} must be a string, got ${inspect(req)}`);
      const opt =
        optional === undefined || !truthy(optional)
          ? false
          : optional.t === "atom" && optional.v === "true"
            ? true
            : undefined;
      if (opt === undefined)
        throw new DepError(`deps: optional: of ${app} must be a boolean, got ${inspect(optional!)}`);
      requirements.push({
        name,
        app,
        requirement: req.v,
        optional: opt,
        repository: repo.includes(":") ? repo.slice(repo.indexOf(":") + 1) : repo,
      });
    } catch (e) {
      if (!(e instanceof DepError)) throw e;
      fail(e.message, e.at);
    }
  }
  if (excluded.length > 0)
    fail(`Dependencies excluded from the package (only Hex packages can be dependencies): ${excluded.join(", ")}`);
  return { requirements, problems };
}

class DepError extends Error {
  constructor(
    message: string,
    readonly at?: { line: number; col: number },
  ) {
    super(message);
  }
}

/** Hex.Mix.normalize_dep/1: `{app, opts}`, `{app, req}` or `{app, req, opts}` as [app, req, opts]. */
function normalize(dep: Value): [string, Value | undefined, Value & { t: "list" }] | undefined {
  if (dep.t !== "tuple" || dep.v[0]?.t !== "atom") return undefined;
  const app = dep.v[0].v;
  const [, second, third] = dep.v;
  if (dep.v.length === 2) {
    if (second!.t === "list")
      return isKeyword(second!) || second!.v.some((x) => x.t === "unknown")
        ? [app, undefined, second as Value & { t: "list" }]
        : undefined;
    return [app, second, { t: "list", v: [] }];
  }
  if (dep.v.length === 3 && third!.t === "list") return [app, second, third as Value & { t: "list" }];
  return undefined;
}
