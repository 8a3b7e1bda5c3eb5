// The whole command surface: names, arguments, flags and help text. No heavy imports here:
// each action only loads its task module (cli/run.ts) when that command runs.
import { Command, CommanderError, Option } from "commander";
import { hextsVersion } from "../version.js";
import { declareUser } from "./surface/user.js";
import { declareOrganization } from "./surface/organization.js";
import { declareOwner } from "./surface/owner.js";
import { declarePackageTasks } from "./surface/package.js";
import { declareRetire, declareSearch } from "./surface/retire-search.js";
import { declareConfig } from "./surface/config.js";
import { declareRegistryTasks } from "./surface/registry.js";

export type Act = (task: string, sub: string, mapArgs?: (...args: any[]) => Record<string, unknown>) => (...args: any[]) => Promise<void>;

/** Builds the action handler for one subcommand: positional args are mapped to named input fields. */
export const act: Act = (task, sub, mapArgs) =>
  async (...args: any[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    const { runSubcommand } = await import("./run.js");
    await runSubcommand(cmd, task, sub, mapArgs ? mapArgs(...positional) : {});
  };

export function buildProgram(): Command {
  const program = new Command("hexts")
    .description("Hex package manager client for Node.js: accounts, keys, building and publishing Erlang/Elixir/Gleam packages")
    .version(hextsVersion(), "-v, --version", "print the hexts version")
    .option("-r, --repo <repo>", "repository to work with: hexpm, hexpm:ORG or a configured repository name")
    .option("--json", "print exactly one JSON document on stdout (never prompts)")
    .option("-y, --yes", "answer yes to confirmations; never prompt")
    .option("--otp <code>", "two-factor code for writes made with an OAuth login (or HEX_OTP)")
    .option("--verbose", "show debug lines and stack traces")
    .option("--no-color", "disable colour (also NO_COLOR)")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 failed, 2 usage, 3 authentication, 4 network/server, 5 docs failed after publish,
70 internal error, 130 cancelled. Environment: HEX_API_KEY, HEX_API_URL, HEX_HOME, HEX_OTP, CI, NO_COLOR (see README).`,
    );

  declareUser(program, act);
  declareOrganization(program, act);
  declareOwner(program, act);
  declarePackageTasks(program, act);
  declareRetire(program, act);
  declareSearch(program, act);
  declareRegistryTasks(program, act);
  declareConfig(program, act);
  return program;
}

/** Parses argv and runs one command; returns the exit code. Usage errors exit 2 with one line. */
export async function runCli(argv: string[]): Promise<number> {
  argv = normaliseArgv(argv);
  const program = buildProgram();
  const json = argv.includes("--json");
  const applyTo = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({ outputError: () => {} });
    for (const sub of cmd.commands) applyTo(sub);
  };
  applyTo(program);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.help") return 2; // a task named without its subcommand: help went to stderr
      const message = e.message.replace(/^error:\s*/, "");
      if (json) process.stdout.write(JSON.stringify({ ok: false, error: { code: "USAGE", message } }) + "\n");
      else process.stderr.write(`hexts: ${message}\n(run \`hexts --help\` for usage)\n`);
      return 2;
    }
    throw e;
  }
  const { runExitCode } = await import("./run.js");
  return runExitCode;
}

/** `hexts cut --version X` (rebar3/mix spelling) would otherwise hit the program's own --version. */
export function normaliseArgv(argv: string[]): string[] {
  const task = argv.find((a) => !a.startsWith("-"));
  if (task !== "cut") return argv;
  const at = argv.indexOf("cut");
  return argv.map((a, i) => (i > at && a === "--version" ? "--set-version" : i > at && a.startsWith("--version=") ? a.replace("--version=", "--set-version=") : a));
}

export { Option };
