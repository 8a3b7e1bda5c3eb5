import { Command, Option } from "commander";
import type { Act } from "./act.js";

const loadUser = () => import("../../commands/user.js");

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function declareUser(program: Command, act: Act): void {
  const user = program.command("user").description("Hex user tasks: register, log in, manage your API keys");

  user
    .command("register")
    .description("register a new user account on the Hex server")
    .option("--username <name>", "username (asked when omitted)")
    .option("--email <email>", "email address (asked when omitted)")
    .option("--full-name <name>", "full name (optional)")
    .option("--password-stdin", "read the password from standard input instead of a prompt")
    .action(act(loadUser, "register"));

  user.command("whoami").description("print the user the stored credentials belong to").action(act(loadUser, "whoami"));

  user
    .command("auth")
    .description(
      "log in and store credentials: OAuth device flow (hex.pm), an API key, " +
        "or username and password (servers that allow it)",
    )
    .option("--oauth", "log in with the OAuth device flow (the default for hex.pm)")
    .option(
      "-k, --key [KEY]",
      "use an API key made on the server's dashboard (asked hidden, or read from stdin when piped)",
    )
    .option("--password", "log in with username and password (self-hosted servers that still allow it)")
    .option("-u, --username <name>", "username or email for --password")
    .option("--password-stdin", "read the password from standard input")
    .option("--key-name <name>", "name of the keys created on the server (default: this machine's hostname)")
    .option("--no-browser", "do not open a browser for the OAuth device flow")
    .option("--local-password-stdin", "read the local password that encrypts stored credentials from standard input")
    .option("--no-local-password", "store credentials unencrypted without asking for a local password")
    .action(act(loadUser, "auth"));

  user
    .command("deauth")
    .description("revoke what can be revoked on the server, then forget stored credentials")
    .action(act(loadUser, "deauth"));

  user
    .command("key")
    .description("manage your API keys: generate, list, revoke, fetch")
    .argument("<action>", "generate | list | revoke | fetch")
    .argument("[name]", "key name (revoke, fetch)")
    .option("--key-name <name>", "name of the new key (generate; default: hostname)")
    .addOption(
      new Option(
        "--permission <permission>",
        "permission of the new key, repeatable: api, api:read, api:write, repository:ORG, repositories, package:NAME",
      ).argParser(collect),
    )
    .option("--expires <duration>", "revoke the new key automatically after DURATION (e.g. 30d, 12h) or at an ISO date")
    .option("--all", "revoke every key (revoke)")
    .action(act(loadUser, "key", (action: string, name?: string) => ({ action, name })));

  user
    .command("reset_password")
    .alias("reset-password")
    .description("reset your account password (account) or the local password protecting stored credentials (local)")
    .argument("<which>", "account | local")
    .option("-u, --username <name>", "account: the username or email whose password to reset (asked when omitted)")
    .option("--local-password-stdin", "local: read the new local password from standard input")
    .action(act(loadUser, "reset_password", (which: string) => ({ which })));
}
