// `hexts audit`: every Hex package locked in mix.lock / rebar.lock, checked against its repository's signed
// registry: retired releases (reason and message), security advisories, and locked checksums that differ
// from the registry's (a security finding: the lock or the registry was tampered with). Exit 1 on any
// finding, as `mix hex.audit` does.
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError, isHextsError } from "../errors.js";
import type { LockedPackage } from "../project/lockfiles.js";
import type { RegistryPackage, RegistryRetirement } from "../registry/index.js";
import type { Output } from "../ui/output.js";
import { mapLimit, openRegistry } from "./registry-session.js";

export const AuditInput = z.object({});

export interface AuditedPackage {
  /** The name the project uses (lock key). */
  app: string;
  package: string;
  version: string;
  repository: string;
  lockFile: string;
}

export interface RetiredFinding extends AuditedPackage {
  reason: RegistryRetirement["reason"];
  message: string | null;
}

export interface AdvisoryFinding extends AuditedPackage {
  advisories: { id: string; summary: string; severity: string | number | null; url: string; aliases: string[] }[];
}

export interface ChecksumFinding extends AuditedPackage {
  /** Which checksum differs: `inner` (mix's first hash / rebar's pkg_hash) or `outer` (pkg_hash_ext). */
  checksum: "inner" | "outer";
  locked: string;
  registry: string;
}

export interface MissingFinding extends AuditedPackage {
  problem: string;
}

export interface AuditResult {
  lockFiles: string[];
  /** Every locked Hex package that was checked. */
  checked: number;
  retired: RetiredFinding[];
  advisories: AdvisoryFinding[];
  checksumMismatches: ChecksumFinding[];
  /** Locked releases the registry does not have (reverted, or a lock that names something else). */
  missing: MissingFinding[];
}

/**
 * Where a lock entry's release lives. mix.lock names the repository. rebar.lock does not: rebar3 looks in the
 * repositories of rebar.config's `{hex, [{repos, [...]}]}` and hexpm, so the candidates are `--repo` (default
 * hexpm), then those; the first that has the locked version with the locked checksum wins, else the first
 * that has the version (its checksums are then compared), else the first that has the package.
 */
export async function locateLocked(
  ctx: Context,
  locked: LockedPackage,
): Promise<{ repository: string; pkg?: RegistryPackage; problem?: string }> {
  const candidates = locked.repository !== undefined ? [locked.repository] : await rebarCandidates(ctx);
  let firstWithVersion: { repository: string; pkg: RegistryPackage } | undefined;
  let firstWithPackage: { repository: string; pkg: RegistryPackage } | undefined;
  for (const repository of candidates) {
    let pkg: RegistryPackage;
    try {
      pkg = await (await openRegistry(ctx, { repo: repository })).getPackage(locked.package);
    } catch (e) {
      // an organization that is only a candidate (rebar.lock) may refuse us: try the next one
      if (
        isHextsError(e) &&
        (e.code === "NOT_FOUND" ||
          (candidates.length > 1 &&
            repository !== candidates[0] &&
            ["NOT_AUTHENTICATED", "FORBIDDEN"].includes(e.code)))
      )
        continue;
      throw e;
    }
    firstWithPackage ??= { repository, pkg };
    const release = pkg.releases.find((r) => r.version === locked.version);
    if (!release) continue;
    firstWithVersion ??= { repository, pkg };
    if (!locked.innerChecksum || locked.innerChecksum === release.innerChecksum) return { repository, pkg };
  }
  const found = firstWithVersion ?? firstWithPackage;
  if (found) return found;
  return { repository: candidates[0]!, problem: `${locked.package} was not found in ${candidates.join(", ")}` };
}

async function rebarCandidates(ctx: Context): Promise<string[]> {
  return ctx.memo("audit:rebar-repos", async () => {
    const first = ctx.repo?.repository ?? "hexpm";
    const { projectHexConfig } = await import("./project-settings.js");
    const repos = (await projectHexConfig(ctx))?.repos;
    const names = Array.isArray(repos)
      ? repos.flatMap((r) =>
          r && typeof r === "object" && typeof (r as { name?: unknown }).name === "string"
            ? [(r as { name: string }).name]
            : [],
        )
      : [];
    return [...new Set([first, ...names])];
  });
}

export async function readLocks(ctx: Context): Promise<{ files: string[]; packages: LockedPackage[] }> {
  const { readProjectLocks } = await import("../project/lockfiles.js");
  const locks = await readProjectLocks(ctx.cwd);
  if (locks.files.length === 0) {
    throw new HextsError(
      "NOT_FOUND",
      `no mix.lock or rebar.lock in ${ctx.cwd}; run \`mix deps.get\` or \`rebar3 lock\` first`,
    );
  }
  return locks;
}

export async function audit(ctx: Context, _input: z.output<typeof AuditInput>): Promise<AuditResult> {
  const locks = await readLocks(ctx);
  const result: AuditResult = {
    lockFiles: locks.files,
    checked: locks.packages.length,
    retired: [],
    advisories: [],
    checksumMismatches: [],
    missing: [],
  };
  const checks = await mapLimit(locks.packages, 8, async (locked) => ({
    locked,
    ...(await locateLocked(ctx, locked)),
  }));
  for (const { locked, repository, pkg, problem } of checks) {
    const base: AuditedPackage = {
      app: locked.app,
      package: locked.package,
      version: locked.version,
      repository,
      lockFile: locked.file,
    };
    const release = pkg?.releases.find((r) => r.version === locked.version);
    if (!release) {
      result.missing.push({
        ...base,
        problem: problem ?? `${locked.package} has no release ${locked.version} in ${repository}`,
      });
      continue;
    }
    if (release.retired)
      result.retired.push({ ...base, reason: release.retired.reason, message: release.retired.message ?? null });
    if (release.advisories.length > 0) {
      result.advisories.push({
        ...base,
        advisories: release.advisories.map((a) => ({
          id: a.id,
          summary: a.summary,
          severity: a.severity ?? null,
          url: a.htmlUrl,
          aliases: a.aliases,
        })),
      });
    }
    const sums = [
      ["inner", locked.innerChecksum, release.innerChecksum],
      ["outer", locked.outerChecksum, release.outerChecksum],
    ] as const;
    for (const [checksum, lockedSum, registrySum] of sums) {
      if (lockedSum && registrySum && lockedSum !== registrySum)
        result.checksumMismatches.push({ ...base, checksum, locked: lockedSum, registry: registrySum });
    }
  }
  return result;
}

const findings = (r: AuditResult) =>
  r.retired.length + r.advisories.length + r.checksumMismatches.length + r.missing.length;

const label = (p: AuditedPackage) => (p.repository === "hexpm" ? p.package : `${p.repository}/${p.package}`);

function render(r: AuditResult, out: Output): void {
  if (findings(r) === 0) {
    out.result(
      `No retired or security advisory packages found (${r.checked} locked in ${r.lockFiles.join(", ")}); ` +
        "locked checksums match the registry",
    );
    return;
  }
  const sections: string[] = [];
  const section = (title: string, headers: string[], rows: string[][], summary: string) => {
    if (rows.length === 0) return;
    out.result(title);
    out.table(headers, rows);
    out.result();
    sections.push(summary);
  };
  section(
    out.style(
      "red",
      "Checksum mismatches (the lock and the signed registry disagree: do not fetch until you know why):",
    ),
    ["Dependency", "Version", "Checksum", "Locked", "Registry"],
    r.checksumMismatches.map((m) => [label(m), m.version, m.checksum, m.locked.slice(0, 16), m.registry.slice(0, 16)]),
    "locked checksums that differ from the registry",
  );
  section(
    "Retired:",
    ["Dependency", "Version", "Retirement reason"],
    r.retired.map((f) => [label(f), f.version, `(${String(f.reason)})${f.message ? ` ${f.message}` : ""}`]),
    "retired packages",
  );
  section(
    "Advisories:",
    ["Dependency", "Version", "Advisory", "Severity", "Summary"],
    r.advisories.flatMap((f) =>
      f.advisories.map((a) => [label(f), f.version, a.id, String(a.severity ?? ""), a.summary]),
    ),
    "packages with security advisories",
  );
  section(
    "Not in the registry:",
    ["Dependency", "Version", "Problem"],
    r.missing.map((m) => [label(m), m.version, m.problem]),
    "locked releases missing from the registry",
  );
  out.warn(`found ${sections.join(", ")}`);
}

export const subcommands = {
  audit: defineSubcommand({ input: AuditInput, run: audit, render, exitCode: (r) => (findings(r) > 0 ? 1 : 0) }),
} satisfies Subcommands;
