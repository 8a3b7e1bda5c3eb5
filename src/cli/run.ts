// The shared runner: import the task's module, validate input with its zod schema, run, render.
import type { Command } from "commander";
import type { z } from "zod";
import { HextsError } from "../errors.js";
import type { TaskModule } from "../commands/task.js";
import { warningAdvice } from "./advice.js";
import { createContext, type Context, type GlobalFlags } from "../commands/context.js";
import { resolveRunSettings } from "../commands/run-settings.js";
import { renderError, renderSuccess } from "./exit.js";
import { helpHint } from "./help.js";

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

/** The flag (`--page`) or argument (`<package>`) an input field came from, for usage messages. */
function fieldName(cmd: Command, field: string): string {
  const option = cmd.options.find((o) => o.attributeName() === field);
  if (option) return option.long ?? option.short ?? field;
  const argument = cmd.registeredArguments.find((a) => a.name() === field);
  return `<${argument?.name() ?? field}>`;
}

/** zod's type names in words (`--page 1.5`: "must be a whole number", not "must be a int"). */
const EXPECTED: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a text value",
  boolean: "true or false",
  array: "a list",
};

/** One schema failure, written for a person (zod's own wording never reaches the user). */
export function usageMessage(cmd: Command, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid input";
  const field = issue.path.length ? fieldName(cmd, String(issue.path[0])) : "input";
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) return `${field} is required`;
      return `${field} must be ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}`;
    case "too_small":
      if (issue.origin === "string") return `${field} must not be empty`;
      return `${field} must be at least ${String(issue.minimum)}`;
    case "too_big":
      return `${field} must be at most ${String(issue.maximum)}`;
    case "invalid_value":
      return `${field} must be one of: ${issue.values.map(String).join(", ")}`;
    default:
      // Messages the schemas write themselves ("--page must be a whole number") are already for people.
      return /^(Invalid|Too|Expected)\b/.test(issue.message)
        ? `${field} is not valid`
        : issue.message.startsWith("-") || issue.path.length === 0
          ? issue.message
          : `${field}: ${issue.message}`;
  }
}

export async function runSubcommand<M extends TaskModule>(
  cmd: Command,
  load: () => Promise<M>,
  sub: keyof M["subcommands"] & string,
  args: Record<string, unknown>,
  ctxOverride?: Context,
): Promise<number> {
  const flags = globalFlagsOf(cmd);
  const interrupt = new AbortController();
  const ctx = ctxOverride ?? createContext({ flags, signal: interrupt.signal, warningAdvice });
  const stopOnCtrlC = onCtrlC(interrupt, () => ctx.isUndoing);
  let code = 0;
  try {
    const spec = (await load()).subcommands[sub]!;
    const raw = { ...(cmd.opts() as Record<string, unknown>), ...args };
    const parsed = spec.input.safeParse(raw);
    if (!parsed.success) throw new HextsError("USAGE", `${usageMessage(cmd, parsed.error.issues[0])} ${helpHint(cmd)}`);
    // Settings once per run, before any command code (the project layer is the project this command reads).
    if (!ctxOverride) {
      const text = (v: unknown) => (typeof v === "string" ? v : undefined);
      await resolveRunSettings(ctx, flags, {
        app: text(raw.app),
        buildTool: text(raw.buildTool) as never,
        metadataFile: text(raw.metadata),
        organization: text(raw.organization),
        fileOrder: text(raw.fileOrder) as never,
      });
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
  return code;
}

/**
 * Ctrl-C aborts the run's signal, so requests stop and the command fails with CANCELLED (exit 130) after
 * cleaning up; a command that does not stop within 3 s ends the process then (one undoing its changes, when that is
 * done: ctx.undoing), and a second Ctrl-C ends it at once.
 */
function onCtrlC(interrupt: AbortController, undoing: () => boolean): () => void {
  // After the grace period the process ends, unless the command is undoing its changes (it ends when that is done).
  const end = (): void => void (undoing() ? setTimeout(end, 250).unref() : process.exit(130));
  const handler = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new HextsError("CANCELLED", "cancelled"));
    setTimeout(end, 3000).unref();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}
