// The run's settings, resolved once before any command code runs: flag > env > project > user > default, the
// project layer read for the project the command works on. Apart from context.ts, which only holds them, so the
// Context does not depend on how projects are read.
import type { ResolvedSettings } from "../config/settings.js";
import { attachSettings, createContext, type Context, type ContextOptions, type GlobalFlags } from "./context.js";
import type { ProjectSelection } from "./project-settings.js";

/**
 * Resolves the run's settings once (flag > env > project > user > default), freezes them and puts them on the
 * Context. `project` says which project the command works on (`--app`, `--build-tool`, `--metadata`), so the
 * project layer is the one that command reads. The runner calls this before any command code runs.
 */
export async function resolveRunSettings(
  ctx: Context,
  flags: Pick<GlobalFlags, "otp" | "color">,
  project?: ProjectSelection,
): Promise<ResolvedSettings> {
  void ctx.repo; // a bad --repo fails here, before any command code
  const [{ resolveSettings }, { projectHexConfig }] = await Promise.all([
    import("../config/settings.js"),
    import("./project-settings.js"),
  ]);
  const settings = await resolveSettings(ctx, {
    flags: { otp: flags.otp, no_color: flags.color ? undefined : true },
    project: await projectHexConfig(ctx, project),
  });
  attachSettings(ctx, settings);
  return settings;
}

/** createContext + resolveRunSettings: a ready Context for in-process command tests and library callers. */
export async function prepareContext(opts: ContextOptions & { project?: ProjectSelection }): Promise<Context> {
  const ctx = createContext(opts);
  if (!opts.settings) await resolveRunSettings(ctx, opts.flags, opts.project);
  return ctx;
}
