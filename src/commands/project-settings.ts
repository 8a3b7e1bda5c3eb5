// The project layer of the settings: `{hex, [...]}` in rebar.config, `hex:` in mix.exs. This is the one place
// the project's Hex settings enter a run (commands/context.ts prepareContext), so a rule about what a project
// may set belongs here. A directory that is not a project, or one hexts cannot read, has none.
import type { Context } from "./context.js";

/** Which project a command works on, from its own flags. */
export interface ProjectSelection {
  app?: string;
  buildTool?: "rebar3" | "mix" | "make";
  metadataFile?: string;
}

export function projectHexConfig(ctx: Pick<Context, "cwd" | "out" | "memo">, selection: ProjectSelection = {}): Promise<Record<string, unknown> | undefined> {
  return ctx.memo("project-hex-config", async () => {
    if (selection.metadataFile !== undefined) return undefined;
    const { detectProject, readProject } = await import("../project/index.js");
    if (detectProject(ctx.cwd) === undefined) return undefined;
    try {
      return (await readProject(ctx.cwd, { app: selection.app, buildTool: selection.buildTool })).hexConfig;
    } catch (e) {
      ctx.out.debug(`project settings not read: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  });
}
