// `hexts publish --revert VERSION` (the release, and the package with its last release) and
// `hexts publish docs --revert VERSION` (only the docs). Confirmed on a terminal; without one, --yes is required.
import type { Context } from "../context.js";
import { HextsError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import { openSession, serverLabel } from "../session.js";
import { explainRevertError, type ReleaseRef } from "./errors.js";
import { assertVersion } from "./next-version.js";

export interface RevertOptions {
  version: string;
  docs: boolean;
  dryRun?: boolean;
  app?: string;
  metadata?: string;
  organization?: string;
  repo?: string;
}

export interface RevertResult {
  action: "revert";
  what: "release" | "docs";
  name: string;
  version: string;
  repository: string;
  organization?: string;
  dryRun: boolean;
  /** The release was the package's last one, so the package is gone too. */
  packageRemoved?: boolean;
  /** The local git tag deleted on request (rebar3 offers it). */
  tagDeleted?: string;
}

export async function revertFlow(ctx: Context, o: RevertOptions): Promise<RevertResult> {
  const version = assertVersion(o.version, "--revert");
  const { resolve } = await import("node:path");
  const { organizationToRead, readProjectOnce } = await import("../project-read.js");
  const { projectTarget } = await import("../../package/checks.js");
  // Only the package name is needed: the checks a publish runs do not apply to a revert.
  const project = await readProjectOnce(ctx, ctx.cwd, {
    app: o.app,
    metadataFile: o.metadata === undefined ? undefined : resolve(ctx.cwd, o.metadata),
    organization: organizationToRead(ctx, o.organization),
  });
  const target = projectTarget(project, { repo: o.repo ?? ctx.repo?.repository, organization: o.organization });
  const ref: ReleaseRef = {
    name: project.name,
    version,
    organization: target.organization,
    repository: target.repository,
  };
  const label = `${ref.organization ? `${ref.organization}/` : ""}${ref.name} ${version}`;
  const what = o.docs ? "docs" : "release";
  const result: RevertResult = {
    action: "revert",
    what,
    name: ref.name,
    version,
    repository: target.repository,
    ...(target.organization ? { organization: target.organization } : {}),
    dryRun: o.dryRun === true,
  };
  const session = await openSession(ctx, { repo: target });
  const where = serverLabel(session.repository);
  const description = o.docs
    ? `the docs of ${label} from ${where}`
    : `${label} from ${where} (reverting its last release removes the package)`;
  if (o.dryRun) {
    ctx.out.info(`Dry run: would revert ${description}`);
    return result;
  }
  await session.authed();
  // Destructive: confirmed on a terminal, and without one only with --yes (as `owner remove`).
  if (!(await ctx.prompt.confirm(`Revert ${description}?`, { default: false }))) {
    throw new HextsError("CANCELLED", `cancelled: ${label} was not reverted`);
  }
  const api = await import("../../api/index.js");
  // Whether this is the package's last release, when the server can say (an optional read: MiniRepo has none).
  let lastRelease: boolean | undefined;
  if (!o.docs) {
    try {
      const found = await api.getPackage(await session.authed(), ref.name);
      const versions = (found.releases ?? []).map((r) => r.version);
      lastRelease = versions.length === 1 && versions[0] === version;
    } catch (e) {
      if (!api.isApiError(e) || e.code === "CANCELLED") throw e;
      ctx.out.debug(`could not read ${ref.name} before reverting (${e.message}); going on`);
    }
  }
  try {
    if (o.docs) await session.write((client, otp) => api.deleteDocs(client, ref.name, version, { otp }));
    else await session.write((client, otp) => api.deleteRelease(client, ref.name, version, { otp }));
  } catch (e) {
    throw explainRevertError(e, { ...ref, repository: where }, o.docs);
  }
  if (!o.docs) {
    if (lastRelease) result.packageRemoved = true;
    const tag = await offerTagDeletion(ctx, version);
    if (tag) result.tagDeleted = tag;
  }
  return result;
}

/** rebar3_hex asks whether to delete the local tag vVERSION too (default no); only on a terminal. */
async function offerTagDeletion(ctx: Context, version: string): Promise<string | undefined> {
  if (!ctx.prompt.interactive) return undefined;
  const { Git } = await import("../../git/git.js");
  const git = new Git(ctx.cwd, { env: ctx.env, signal: ctx.signal });
  try {
    await git.topLevel();
  } catch {
    return undefined;
  }
  for (const tag of [`v${version}`, version]) {
    if (!(await git.tagExists(tag))) continue;
    if (!(await ctx.prompt.confirm(`Also delete the local git tag ${tag}?`, { default: false }))) return undefined;
    await git.run(["tag", "-d", tag]);
    return tag;
  }
  return undefined;
}

export function renderRevert(r: RevertResult, out: Output): void {
  const label = `${r.organization ? `${r.organization}/` : ""}${r.name} ${r.version}`;
  if (r.dryRun)
    return out.result(`Dry run: ${r.what === "docs" ? `the docs of ${label} were` : `${label} was`} not reverted`);
  out.result(r.what === "docs" ? `Reverted the docs of ${label}` : `Reverted ${label}`);
  if (r.packageRemoved) out.result(`${r.name} had no other release, so the package was removed`);
  if (r.tagDeleted) out.result(`Deleted the local git tag ${r.tagDeleted}`);
}
