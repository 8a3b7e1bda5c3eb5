// Project-level Hex settings (`{hex, [...]}` in rebar.config, `hex:` in mix.exs) for the settings table's
// project layer. Read once per run; a directory that is not a project, or one hexts cannot read, has none.
import type { Context } from "./context.js";

export function projectHexConfig(ctx: Context): Promise<Record<string, unknown> | undefined> {
  return ctx.memo("project-hex-config", async () => {
    const { detectProject, readProject } = await import("../project/index.js");
    if (detectProject(ctx.cwd) === undefined) return undefined;
    try {
      return (await readProject(ctx.cwd)).hexConfig;
    } catch (e) {
      ctx.out.debug(`project settings not read: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  });
}
