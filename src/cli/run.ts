// The shared runner: lazily import the task's module, validate input with its zod schema, run, render.
import type { Command } from "commander";
import { HextsError, notImplemented } from "../errors.js";
import type { CommandModule } from "./command.js";
import { createContext, type Context, type GlobalFlags } from "./context.js";
import { renderError, renderSuccess } from "./exit.js";

/** Static import() calls so the bundler gives every task its own chunk. */
export const loaders: Record<string, () => Promise<CommandModule>> = {
  user: () => import("../commands/user.js"),
  organization: () => import("../commands/organization.js"),
  owner: () => import("../commands/owner.js"),
  publish: () => import("../commands/publish.js"),
  build: () => import("../commands/build.js"),
  cut: () => import("../commands/cut.js"),
  retire: () => import("../commands/retire.js"),
  search: () => import("../commands/search.js"),
  config: () => import("../commands/config.js"),
  audit: () => import("../commands/audit.js"),
  outdated: () => import("../commands/outdated.js"),
  info: () => import("../commands/info.js"),
  package: () => import("../commands/package.js"),
};

export function globalFlagsOf(cmd: Command): GlobalFlags {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  return {
    repo: typeof o.repo === "string" ? o.repo : undefined,
    otp: typeof o.otp === "string" ? o.otp : undefined,
    json: o.json === true,
    yes: o.yes === true,
    verbose: o.verbose === true,
    color: o.color !== false,
  };
}

/** Set by main.ts: the outcome of the one command that ran. */
export let runExitCode = 0;

export async function runSubcommand(cmd: Command, task: string, sub: string, args: Record<string, unknown>, ctxOverride?: Context): Promise<number> {
  const flags = globalFlagsOf(cmd);
  const interrupt = new AbortController();
  const ctx = ctxOverride ?? createContext({ flags, signal: interrupt.signal });
  const stopOnCtrlC = onCtrlC(interrupt);
  let code = 0;
  try {
    const load = loaders[task];
    if (!load) throw notImplemented(task);
    const mod = await load();
    const spec = mod.subcommands[sub];
    if (!spec) throw notImplemented(sub === task ? task : `${task} ${sub}`);
    const raw = { ...(cmd.opts() as Record<string, unknown>), ...args };
    const parsed = spec.input.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      throw new HextsError("USAGE", `${where}${issue?.message ?? "invalid input"}`);
    }
    const result = await spec.run(ctx, parsed.data);
    renderSuccess(result, ctx.out, spec.render, spec.revealsSecret === true);
    code = spec.exitCode ? spec.exitCode(result) : 0;
  } catch (e) {
    code = renderError(e, ctx.out);
  } finally {
    stopOnCtrlC();
    await ctx.dispose();
  }
  runExitCode = code;
  return code;
}

/**
 * Ctrl-C aborts the run's signal, so requests stop and the command fails with CANCELLED (exit 130) after
 * cleaning up; a command that does not stop within 3 s, or a second Ctrl-C, ends the process at once.
 */
function onCtrlC(interrupt: AbortController): () => void {
  const handler = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new HextsError("CANCELLED", "cancelled"));
    setTimeout(() => process.exit(130), 3000).unref();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}
