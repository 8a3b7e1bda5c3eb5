import { Command } from "commander";
import type { Act } from "./act.js";

const loadConfig = () => import("../../commands/config.js");

export function declareConfig(program: Command, act: Act): void {
  program
    .command("config")
    .description("list settings with their source, read one, set one, or --delete one (as `mix hex.config`)")
    .argument("[key]")
    .argument("[value]")
    .option("--delete", "remove KEY from the user config")
    .action(act(loadConfig, "config", (key?: string, value?: string) => ({ key, value })));
}
