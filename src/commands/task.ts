// The shape of a task module (src/commands/<task>.ts): one zod input schema and one async function
// per subcommand, plus a small human renderer. Functions return data; the runner (cli/run.ts) renders it.
//
// Adding a task (e.g. `hexts audit`):
//   1. src/commands/audit.ts: the functions, and `export const subcommands = { audit: defineSubcommand(...) }
//      satisfies Subcommands;` (a task with several subcommands has one entry per subcommand);
//   2. src/cli/surface/audit.ts: `declareAudit(program, act)`, its arguments, flags and help text, each
//      action `act(() => import("../../commands/audit.js"), "audit", mapArgs)` (a typed import: the
//      subcommand name is checked against the module's `subcommands`);
//   3. one line in TASKS in src/cli/program.ts.
import type { z } from "zod";
import type { Context } from "./context.js";
import type { Output } from "../ui/output.js";

export interface Subcommand<S extends z.ZodType = z.ZodType, R = unknown> {
  input: S;
  run(ctx: Context, input: z.output<S>): Promise<R>;
  /** Human rendering of the result on stdout (and stderr for notes). JSON mode prints the result itself. */
  render?(result: R, out: Output): void;
  /** Exit code for a successful-but-partial result (e.g. docs failed after the package was published). */
  exitCode?(result: R): number;
  /** The result deliberately carries a new secret the user asked for (`key generate`): skip pattern redaction. */
  revealsSecret?: boolean;
}

export function defineSubcommand<S extends z.ZodType, R>(spec: Subcommand<S, R>): Subcommand<S, R> {
  return spec;
}

/** A task module's subcommands, by name. */
export type Subcommands = Record<string, Subcommand<any, any>>;

/** What a task module exports. */
export interface TaskModule<S extends Subcommands = Subcommands> {
  subcommands: S;
}
