// `hexts retire`: retire or unretire one release, or retire every release of a package
// (HEX_PROTOCOL.md §4.8; mix hex.retire and rebar3 hex retire).
import { z } from "zod";
import {
  getPackage,
  getRelease,
  isApiError,
  retireAllReleases,
  retireRelease,
  unretireRelease,
  RETIRE_REASONS,
  type Retirement,
  type RetireReason,
} from "../api/index.js";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import { fromApi, graphemeCount } from "./shared.js";
import { packageLabel, parseRepo } from "../repository.js";
import { isVersion } from "../package/checks-version.js";
import type { Output } from "../ui/output.js";
import { openSession, serverLabel, type Session } from "./session.js";

/** The server's limits on a retirement message (Ecto counts graphemes). */
export const MESSAGE_MIN = 3;
export const MESSAGE_MAX = 140;

export const RetireInput = z.object({
  package: z.string().trim().min(1),
  /** The positional words after PACKAGE: `VERSION REASON`, `VERSION` (--unretire) or `REASON` (--all). */
  args: z.array(z.string()).max(2).default([]),
  message: z.string().optional(),
  unretire: z.boolean().optional(),
  all: z.boolean().optional(),
  replace: z.boolean().optional(),
  organization: z.string().min(1).optional(),
});
export type RetireInputValue = z.output<typeof RetireInput>;

export type RetirePlan =
  | { kind: "retire"; package: string; version: string; reason: RetireReason; message: string; replace: boolean }
  | { kind: "unretire"; package: string; version: string }
  | { kind: "retire-all"; package: string; reason: RetireReason; message: string; replace: boolean };

export interface RetireResult {
  action: "retire" | "unretire";
  package: string;
  repository: string;
  /** The releases concerned: retired or unretired by this run, or found already unretired (changed false). */
  versions: string[];
  reason?: RetireReason;
  message?: string;
  /** False when nothing had to change (unretiring a release that is not retired). */
  changed: boolean;
  /** Retirements this run replaced (--replace), by version. */
  replaced?: Record<string, Retirement>;
}

const usage = (message: string) => new HextsError("USAGE", message);
const SYNOPSIS =
  "expected `retire PACKAGE VERSION REASON --message MSG`, `retire PACKAGE VERSION --unretire` or " +
  "`retire PACKAGE --all REASON --message MSG`";

function checkVersion(version: string): string {
  if (!isVersion(version)) throw usage(`"${version}" is not a valid version (expected MAJOR.MINOR.PATCH, e.g. 1.0.2)`);
  return version;
}

function checkReason(word: string | undefined): RetireReason {
  const choices = "renamed, deprecated, security, invalid, other";
  if (word === undefined) throw usage(`a retirement reason is required: one of ${choices}`);
  const reason = word.toLowerCase();
  if (!(RETIRE_REASONS as readonly string[]).includes(reason))
    throw usage(`"${word}" is not a retirement reason: use one of ${choices}`);
  return reason as RetireReason;
}

function checkMessage(message: string | undefined): string {
  if (message === undefined || message.trim() === "") {
    throw usage('a message is required to retire: --message "why, and what to use instead" (3 to 140 characters)');
  }
  const n = graphemeCount(message);
  if (n < MESSAGE_MIN || n > MESSAGE_MAX)
    throw usage(`the message must be ${MESSAGE_MIN} to ${MESSAGE_MAX} characters long (it has ${n})`);
  return message;
}

/** Checks the invocation locally, before any request: what to do, or a USAGE error saying what is wrong. */
export function planRetire(input: RetireInputValue): RetirePlan {
  const { package: pkg, args } = input;
  if (input.unretire) {
    if (input.all) throw usage("--unretire works on one release: give its version instead of --all");
    if (input.message !== undefined) throw usage("--message is only for retiring, not with --unretire");
    if (input.replace) throw usage("--replace is only for retiring, not with --unretire");
    if (args.length !== 1)
      throw usage(
        args.length === 0 ? "--unretire needs the version to unretire: `retire PACKAGE VERSION --unretire`" : SYNOPSIS,
      );
    return { kind: "unretire", package: pkg, version: checkVersion(args[0]!) };
  }
  if (input.all) {
    if (args.length > 1) throw usage(`--all retires every release, so give no version: ${SYNOPSIS}`);
    return {
      kind: "retire-all",
      package: pkg,
      reason: checkReason(args[0]),
      message: checkMessage(input.message),
      replace: input.replace === true,
    };
  }
  if (args.length === 0) throw usage(`the version to retire is missing: ${SYNOPSIS}`);
  const version = checkVersion(args[0]!);
  return {
    kind: "retire",
    package: pkg,
    version,
    reason: checkReason(args[1]),
    message: checkMessage(input.message),
    replace: input.replace === true,
  };
}

// ---- running a plan ----

const describe = (r: { reason: string; message?: string | null }) =>
  r.message ? `${r.reason}: "${r.message}"` : r.reason;

/**
 * The release as the server describes it, for the checks that save a needless write (already retired, not
 * retired). Optional: a server without that endpoint (MiniRepo has no package reads), or a 404, leaves it
 * undefined and the write itself decides.
 */
async function peekRelease(ctx: Context, s: Session, pkg: string, version: string) {
  try {
    return await getRelease(await s.authed(), pkg, version);
  } catch (e) {
    if (!isApiError(e) || e.code === "CANCELLED") throw e;
    ctx.out.debug(`could not read ${packageLabel(s, pkg)} ${version} before writing (${e.message}); going on`);
    return undefined;
  }
}

/** The package's releases and retirements, when the server can say (see peekRelease). */
async function peekPackage(ctx: Context, s: Session, pkg: string) {
  try {
    return await getPackage(await s.authed(), pkg);
  } catch (e) {
    if (!isApiError(e) || e.code === "CANCELLED") throw e;
    ctx.out.debug(`could not read ${packageLabel(s, pkg)} before writing (${e.message}); going on`);
    return undefined;
  }
}

/** Maps the server's refusals of a retirement write to one clear line. */
async function retireWrite(
  s: Session,
  pkg: string,
  fn: Parameters<Session["write"]>[0],
  ctx?: Context,
  version?: string,
): Promise<void> {
  try {
    await s.write(fn);
  } catch (e) {
    if (!isApiError(e)) throw e;
    if (e.status === 404 && ctx) {
      // Which versions there are, when the server can say: the message then names them.
      const found = await peekPackage(ctx, s, pkg);
      if (!found)
        throw fromApi(
          e,
          "NOT_FOUND",
          `package ${packageLabel(s, pkg)} does not exist in ${serverLabel(s.repository)} (or you cannot see it)`,
        );
      if (version) {
        const versions = (found.releases ?? []).map((r) => r.version);
        const known = versions.length
          ? ` (its releases: ${versions.slice(0, 10).join(", ")}${versions.length > 10 ? ", ..." : ""})`
          : "";
        throw fromApi(e, "NOT_FOUND", `version ${version} of ${packageLabel(s, pkg)} does not exist${known}`);
      }
    }
    if (e.kind === "account-not-authorized") {
      throw fromApi(
        e,
        "FORBIDDEN",
        `you are not an owner of ${packageLabel(s, pkg)}, so you cannot retire or unretire its releases`,
      );
    }
    if (e.status === 404)
      throw fromApi(
        e,
        "NOT_FOUND",
        `${packageLabel(s, pkg)} or that release does not exist in ${serverLabel(s.repository)} (or you cannot see it)`,
      );
    throw e;
  }
}

/**
 * Retires or unretires one release. The release is read first (when the server can say) so that a needless write
 * is skipped (unretiring a release that is not retired) or refused (retiring a retired one without --replace).
 */
async function changeRelease(
  ctx: Context,
  s: Session,
  plan: Extract<RetirePlan, { kind: "retire" | "unretire" }>,
  base: Pick<RetireResult, "package" | "repository">,
): Promise<RetireResult> {
  const release = await peekRelease(ctx, s, plan.package, plan.version);
  const previous = release?.retirement ?? undefined;
  const result = { ...base, action: plan.kind, versions: [plan.version] };
  if (plan.kind === "unretire" && release && !previous) return { ...result, changed: false };
  if (plan.kind === "retire" && previous && !plan.replace) {
    throw new HextsError(
      "CONFLICT",
      `${packageLabel(s, plan.package)} ${plan.version} is already retired (${describe(previous)}); ` +
        "pass --replace to change its reason and message",
    );
  }
  const retirement = plan.kind === "retire" ? { reason: plan.reason, message: plan.message } : undefined;
  await retireWrite(
    s,
    plan.package,
    (client) =>
      retirement
        ? retireRelease(client, plan.package, plan.version, retirement)
        : unretireRelease(client, plan.package, plan.version),
    ctx,
    plan.version,
  );
  return { ...result, ...retirement, changed: true, ...(previous ? { replaced: { [plan.version]: previous } } : {}) };
}

export async function retire(ctx: Context, input: RetireInputValue): Promise<RetireResult> {
  const plan = planRetire(input);
  const s = await openSession(ctx, { organization: input.organization });
  const pkg = packageLabel(s, plan.package);
  const base = { package: plan.package, repository: s.repository.name };

  if (plan.kind !== "retire-all") return changeRelease(ctx, s, plan, base);
  const retirement = { reason: plan.reason, message: plan.message };
  const found = await peekPackage(ctx, s, plan.package);
  if (!found) {
    // Nothing to compare with: the server retires what it has (and says if the package does not exist).
    await retireWrite(
      s,
      plan.package,
      (client) => retireAllReleases(client, plan.package, { ...retirement, replace: plan.replace }),
      ctx,
    );
    return { ...base, action: "retire", versions: [], ...retirement, changed: true };
  }
  const retired = found.retirements ?? {};
  const versions = (found.releases ?? []).map((r) => r.version);
  if (versions.length === 0) throw new HextsError("NOT_FOUND", `${pkg} has no releases to retire`);
  const targets = plan.replace ? versions : versions.filter((v) => !retired[v]);
  if (targets.length === 0) {
    throw new HextsError(
      "CONFLICT",
      `every release of ${pkg} is already retired; pass --replace to change their reason and message`,
    );
  }
  await retireWrite(s, plan.package, (client) =>
    retireAllReleases(client, plan.package, { ...retirement, replace: plan.replace }),
  );
  const replaced = Object.fromEntries(targets.filter((v) => retired[v]).map((v) => [v, retired[v]!]));
  return {
    ...base,
    action: "retire",
    versions: targets,
    ...retirement,
    changed: true,
    ...(Object.keys(replaced).length ? { replaced } : {}),
  };
}

function render(r: RetireResult, out: Output): void {
  const pkg = packageLabel(parseRepo(r.repository), r.package);
  if (r.action === "unretire") {
    out.result(
      r.changed
        ? `${pkg} ${r.versions[0]} has been unretired`
        : `${pkg} ${r.versions[0]} is not retired; nothing to do`,
    );
    return;
  }
  const why = describe({ reason: r.reason ?? "", message: r.message });
  if (r.versions.length === 0) out.result(`The releases of ${pkg} have been retired (${why})`);
  else if (r.versions.length === 1) out.result(`${pkg} ${r.versions[0]} has been retired (${why})`);
  else out.result(`Retired ${r.versions.length} releases of ${pkg}: ${r.versions.join(", ")} (${why})`);
}

export const subcommands = {
  retire: defineSubcommand({ input: RetireInput, run: retire, render }),
} satisfies Subcommands;
