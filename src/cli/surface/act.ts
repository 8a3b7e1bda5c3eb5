// The type the task declarations (cli/surface/*) build their actions with; program.ts supplies the function.
import type { TaskModule } from "../../commands/task.js";

/**
 * Builds the action of one subcommand: `load` imports the task module, `sub` names one of its subcommands
 * (checked by the compiler), and positional arguments are mapped to named input fields.
 */
export type Act = <M extends TaskModule>(
  load: () => Promise<M>,
  sub: keyof M["subcommands"] & string,
  mapArgs?: (...args: any[]) => Record<string, unknown>,
) => (...args: any[]) => Promise<void>;
