// The shape of a command module (src/commands/<task>.ts): one zod input schema and one async function
// per subcommand, plus a small human renderer. Functions return data; the runner renders it.
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

export type CommandModule = { subcommands: Record<string, Subcommand<any, any>> };
