import { Command, Option } from "commander";
import type { Act } from "./act.js";

const loadOwner = () => import("../../commands/owner.js");

export function declareOwner(program: Command, act: Act): void {
  const owner = program.command("owner").description("manage package owners");
  const orgOption = () =>
    new Option(
      "--organization <org>",
      "the package lives in this organization's repository (same as --repo hexpm:ORG)",
    );

  owner
    .command("add")
    .description("add an owner to a package")
    .argument("<package>")
    .argument("<user>", "username or email")
    .addOption(new Option("-l, --level <level>", "ownership level").choices(["full", "maintainer"]).default("full"))
    .option("--transfer", "make USER the only owner (same as `owner transfer`)")
    .addOption(orgOption())
    .action(act(loadOwner, "add", (pkg: string, user: string) => ({ package: pkg, user })));

  owner
    .command("transfer")
    .description(
      "transfer a package to USER (or an organization), removing every other owner (asks first; --yes to skip)",
    )
    .argument("<package>")
    .argument("<user>", "username, email or organization")
    .addOption(orgOption())
    .action(act(loadOwner, "transfer", (pkg: string, user: string) => ({ package: pkg, user })));

  owner
    .command("remove")
    .description("remove an owner from a package (asks first; --yes to skip)")
    .argument("<package>")
    .argument("<user>", "username or email")
    .addOption(orgOption())
    .action(act(loadOwner, "remove", (pkg: string, user: string) => ({ package: pkg, user })));

  owner
    .command("list")
    .description("list the owners of a package (`owner list packages`: the packages you own)")
    .argument("<package>")
    .addOption(orgOption())
    .action(act(loadOwner, "list", (pkg: string) => ({ package: pkg })));

  owner
    .command("packages")
    .description("list the packages you own, with their repository (same as `owner list packages`)")
    .addOption(new Option("--organization <org>", "only the packages in this organization's repository"))
    .action(act(loadOwner, "packages"));
}
