// `hexts build`: not built yet. Every subcommand reports that honestly instead of pretending to work.
import type { CommandModule } from "../cli/command.js";

export const subcommands: CommandModule["subcommands"] = {};
