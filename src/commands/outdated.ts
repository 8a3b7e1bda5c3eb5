// `hexts outdated [APP]`: for each locked Hex dependency, the locked version, the latest version that meets
// every requirement on it (the project's and other locked packages'), and the latest overall, from the
// signed registry. As `mix hex.outdated`: top-level dependencies unless --all; pre-releases only with --pre
// or when the locked version is one; exit 1 when anything is outdated (--within-requirements: only when an
// update is possible without changing a requirement).
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError, isHextsError } from "../errors.js";
import type { LockedPackage } from "../project/lockfiles.js";
import type { RegistryPackage } from "../registry/index.js";
import type { Output } from "../ui/output.js";
import { locateLocked, readLocks } from "./audit.js";
import { mapLimit } from "./registry-session.js";

export const OutdatedInput = z.object({
  app: z.string().min(1).optional(),
  all: z.boolean().default(false),
  pre: z.boolean().default(false),
  withinRequirements: z.boolean().default(false),
});

export type OutdatedStatus = "up-to-date" | "update-possible" | "update-not-possible";

export interface RequirementSource {
  /** `mix.exs` / `rebar.config`, or the locked package that requires it. */
  source: string;
  requirement: string;
  /** Whether the latest version meets it. */
  latestMeets: boolean;
}

export interface OutdatedPackage {
  app: string;
  package: string;
  repository: string;
  current: string;
  /** Highest version meeting every requirement (null: none does). */
  latestMatching: string | null;
  latest: string;
  status: OutdatedStatus;
  topLevel: boolean;
  requirements: RequirementSource[];
}

export interface OutdatedResult {
  lockFiles: string[];
  packages: OutdatedPackage[];
  /** Set when one app was asked for. */
  app?: string;
  withinRequirements: boolean;
}

/** The project's own dependency requirements, by app name (none when the project cannot be read statically). */
async function projectRequirements(ctx: Context): Promise<{ file: string; byApp: Map<string, string> } | undefined> {
  try {
    const { organizationToRead, readProjectOnce } = await import("./project-read.js");
    const project = await readProjectOnce(ctx, ctx.cwd, { organization: organizationToRead(ctx, undefined) });
    return {
      file: project.tool === "mix" ? "mix.exs" : "rebar.config",
      byApp: new Map(project.requirements.map((r) => [r.app, r.requirement])),
    };
  } catch (e) {
    if (!isHextsError(e)) throw e;
    ctx.out.debug(`reading the project for its requirements failed: ${e.message}`);
    return undefined;
  }
}

const compare = async () => await import("../registry/requirement.js");

export async function outdated(ctx: Context, input: z.output<typeof OutdatedInput>): Promise<OutdatedResult> {
  const { compareVersions, highestVersion, isPrerelease, matchesRequirement } = await compare();
  const locks = await readLocks(ctx);
  const project = await projectRequirements(ctx);
  const byApp = new Map(locks.packages.map((l) => [l.app, l]));
  if (input.app !== undefined && !byApp.has(input.app))
    throw new HextsError("NOT_FOUND", `dependency ${input.app} is not locked as a Hex package`);

  // Every locked package's registry entry: versions, and the requirements locked releases put on others.
  const located = await mapLimit(locks.packages, 8, async (l) => {
    const where = await locateLocked(ctx, l);
    if (!where.pkg)
      throw new HextsError("NOT_FOUND", where.problem ?? `${l.package} was not found in ${where.repository}`);
    return [l.app, where] as const;
  });
  const registryOf = new Map(located.map(([app, w]) => [app, w.pkg!] as [string, RegistryPackage]));
  const repositoryOf = new Map(located.map(([app, w]) => [app, w.repository]));

  const requirementsOn = (target: LockedPackage): { source: string; requirement: string }[] => {
    const out: { source: string; requirement: string }[] = [];
    const own = project?.byApp.get(target.app);
    if (own !== undefined) out.push({ source: project!.file, requirement: own });
    for (const parent of locks.packages) {
      if (parent === target) continue;
      const deps =
        parent.dependencies?.map((d) => ({ app: d.app, requirement: d.requirement })) ??
        registryOf
          .get(parent.app)
          ?.releases.find((r) => r.version === parent.version)
          ?.dependencies.map((d) => ({ app: d.app, requirement: d.requirement })) ??
        [];
      for (const d of deps)
        if (d.app === target.app && d.requirement) out.push({ source: parent.app, requirement: d.requirement });
    }
    return out;
  };

  const isTopLevel = (l: LockedPackage) =>
    project ? project.byApp.has(l.app) : l.level === undefined || l.level === 0;
  const shown = locks.packages
    .filter((l) => (input.app !== undefined ? l.app === input.app : input.all || isTopLevel(l)))
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));

  const packages = shown.map((l): OutdatedPackage => {
    const versions = registryOf.get(l.app)!.releases.map((r) => r.version);
    const pre = input.pre || isPrerelease(l.version);
    const latest = highestVersion(versions, { pre }) ?? l.version;
    const reqs = requirementsOn(l);
    const latestMatching = highestVersion(versions, { pre, requirements: reqs.map((r) => r.requirement) }) ?? null;
    const outdatedNow = (compareVersions(l.version, latest) ?? 0) < 0;
    const latestMeetsAll = reqs.every((r) => matchesRequirement(latest, r.requirement));
    return {
      app: l.app,
      package: l.package,
      repository: repositoryOf.get(l.app)!,
      current: l.version,
      latestMatching,
      latest,
      status: !outdatedNow ? "up-to-date" : latestMeetsAll ? "update-possible" : "update-not-possible",
      topLevel: isTopLevel(l),
      requirements: reqs.map((r) => ({ ...r, latestMeets: matchesRequirement(latest, r.requirement) })),
    };
  });
  const result: OutdatedResult = { lockFiles: locks.files, packages, withinRequirements: input.withinRequirements };
  if (input.app !== undefined) result.app = input.app;
  return result;
}

function exitCode(r: OutdatedResult): number {
  const outdatedAny = r.packages.some((p) => p.status !== "up-to-date");
  if (!outdatedAny) return 0;
  if (r.withinRequirements) return r.packages.some((p) => p.status === "update-possible") ? 1 : 0;
  return 1;
}

const STATUS_TEXT: Record<OutdatedStatus, string> = {
  "up-to-date": "Up-to-date",
  "update-possible": "Update possible",
  "update-not-possible": "Update not possible",
};

function render(r: OutdatedResult, out: Output): void {
  if (r.app !== undefined) {
    const p = r.packages[0]!;
    if (p.status === "up-to-date") out.result(`Current version ${p.current} of ${p.app} is up to date`);
    else out.result(`There is a newer version of ${p.app}: ${p.latest} > ${p.current}`);
    out.result();
    if (p.requirements.length === 0) out.result("Nothing in the project or the lock places a requirement on it.");
    else {
      out.table(
        ["Source", "Requirement", "Up-to-date"],
        p.requirements.map((q) => [
          q.source,
          q.requirement,
          q.latestMeets ? out.style("green", "Yes") : out.style("red", "No"),
        ]),
      );
      out.result();
      out.result("Up-to-date says whether the requirement accepts the latest version.");
    }
    return;
  }
  if (r.packages.length === 0) {
    out.result("No Hex dependencies");
    return;
  }
  const color = (s: OutdatedStatus) => (s === "up-to-date" ? "green" : s === "update-possible" ? "yellow" : "red");
  out.table(
    ["Dependency", "Current", "Latest matching", "Latest", "Status"],
    r.packages.map((p) => [
      p.repository === "hexpm" ? p.app : `${p.app} (${p.repository})`,
      p.current,
      p.latestMatching ?? "-",
      p.latest,
      out.style(color(p.status), STATUS_TEXT[p.status]),
    ]),
  );
  out.result();
  out.result("Run `hexts outdated APP` to see the requirements on one dependency.");
}

export const subcommands = {
  outdated: defineSubcommand({ input: OutdatedInput, run: outdated, render, exitCode }),
} satisfies Subcommands;
