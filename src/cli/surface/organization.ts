import { Command, Option } from "commander";
import type { Act } from "./act.js";

const loadOrganization = () => import("../../commands/organization.js");

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function declareOrganization(program: Command, act: Act): void {
  const org = program
    .command("organization")
    .alias("org")
    .description(
      "Hex organizations: authorize this machine, list, manage organization keys (ORG may be written ORG or hexpm:ORG)",
    );

  org
    .command("auth")
    .description("authorize an organization on this machine with a new or given repository key")
    .argument("<org>", "organization, ORG or hexpm:ORG")
    .option("-k, --key <key>", "an existing organization key (checked against the server)")
    .option("--key-name <name>", "name of the generated key (default: hostname)")
    .action(act(loadOrganization, "auth", (org: string) => ({ org })));

  org
    .command("deauth")
    .description("remove an authorized organization from this machine")
    .argument("<org>", "organization, ORG or hexpm:ORG")
    .action(act(loadOrganization, "deauth", (org: string) => ({ org })));

  org
    .command("list")
    .description("list organizations authorized on this machine")
    .action(act(loadOrganization, "list"));

  org
    .command("key")
    .description("manage keys owned by an organization: generate, list, revoke")
    .argument("<org>", "organization, ORG or hexpm:ORG")
    .argument("<action>", "generate | list | revoke")
    .argument("[name]", "key name (revoke)")
    .option("--key-name <name>", "name of the new key (generate)")
    .addOption(
      new Option(
        "--permission <permission>",
        "permission of the new key, repeatable (default: repository:ORG)",
      ).argParser(collect),
    )
    .option("--all", "revoke every key of the organization (revoke)")
    .action(act(loadOrganization, "key", (org: string, action: string, name?: string) => ({ org, action, name })));
}
