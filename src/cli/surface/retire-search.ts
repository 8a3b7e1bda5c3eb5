import { Command, Option } from "commander";
import type { Act } from "./act.js";

const loadRetire = () => import("../../commands/retire.js");
const loadSearch = () => import("../../commands/search.js");

export function declareRetire(program: Command, act: Act): void {
  program
    .command("retire")
    .description("retire a release (reasons: renamed, deprecated, security, invalid, other), or --unretire it")
    .argument("<package>")
    .argument("[version]", "the release to retire (omit with --all)")
    .argument("[reason]", "renamed | deprecated | security | invalid | other")
    .option("-m, --message <message>", "why, up to 140 characters (required to retire)")
    .option("--unretire", "unretire the release")
    .option(
      "--all",
      "retire every release of the package that is not retired yet (`retire PACKAGE --all REASON -m MSG`)",
    )
    .option("--replace", "change the reason and message of releases that are already retired")
    .option("--organization <org>", "the package lives in this organization's repository")
    .action(
      act(loadRetire, "retire", (pkg: string, a?: string, b?: string) => ({
        package: pkg,
        args: [a, b].filter((x) => x !== undefined),
      })),
    );
}

export function declareSearch(program: Command, act: Act): void {
  program
    .command("search")
    .description("search packages on hexpm and the organizations you can read")
    .argument("<term>")
    .addOption(
      new Option("--sort <order>", "sort order")
        .choices(["downloads", "recent_downloads", "total_downloads", "name", "inserted_at", "updated_at"])
        .default("downloads"),
    )
    .option("--page <n>", "page of results (100 per page)", "1")
    .option("--organization <org>", "search only this organization's repository")
    .action(act(loadSearch, "search", (term: string) => ({ term })));
}
