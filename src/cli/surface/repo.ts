import { Command } from "commander";
import type { Act } from "./act.js";

const loadRepo = () => import("../../commands/repo.js");

/** The options `repo add` and `repo set` share. */
function withRepositoryOptions(cmd: Command): Command {
  return cmd
    .option("--public-key <file>", "PEM public key that verifies the repository's registry")
    .option(
      "--fetch-public-key <fingerprint>",
      "download URL/public_key and accept it only with this SHA256:... fingerprint",
    )
    .option("--api-url <url>", "the repository's Hex API (for publish, retire, owner... with -r NAME)")
    .option("--auth-key <key>", "key sent to the repository and its API (`-` reads it from stdin)");
}

export function declareRepo(program: Command, act: Act): void {
  const repo = program
    .command("repo")
    .description(
      "repositories besides hex.pm (self-hosted, MiniRepo): add, set, list, show, remove (as `mix hex.repo`); " +
        "`-r NAME` then selects one",
    );

  const add = repo
    .command("add")
    .description("add (or replace) a repository; without --public-key its URL/public_key is downloaded")
    .argument("<name>", "a name for it (hexpm and hexpm:ORG are built in)")
    .argument("<url>", "the repository URL (where names, versions, packages/ and tarballs/ are served)");
  withRepositoryOptions(add).action(act(loadRepo, "add", (name: string, url: string) => ({ name, url })));

  const set = repo
    .command("set")
    .description("change a repository added with `hexts repo add`: what is given changes, the rest stays")
    .argument("<name>")
    .option("--url <url>", "the repository URL");
  withRepositoryOptions(set).action(act(loadRepo, "set", (name: string) => ({ name })));

  repo
    .command("list")
    .description("list the repositories hexts knows, with where each is defined")
    .action(act(loadRepo, "list"));

  repo
    .command("show")
    .description("show one repository (its auth key only as set / not set)")
    .argument("<name>")
    .action(act(loadRepo, "show", (name: string) => ({ name })));

  repo
    .command("remove")
    .description("forget a repository added with `hexts repo add`")
    .argument("<name>")
    .action(act(loadRepo, "remove", (name: string) => ({ name })));
}
