// The whole command surface: names, arguments, flags and help text. No heavy imports here:
// each action only imports its task module (a typed `import()`, one chunk per task) when that command runs.
import { Command, CommanderError, Option } from "commander";
import { hextsVersion } from "../version.js";
import { helpHint, pathOf } from "./help.js";
import type { Act } from "./surface/act.js";
import { declareUser } from "./surface/user.js";
import { declareOrganization } from "./surface/organization.js";
import { declareOwner } from "./surface/owner.js";
import { declarePackageTasks } from "./surface/package.js";
import { declareRetire, declareSearch } from "./surface/retire-search.js";
import { declareConfig } from "./surface/config.js";
import { declareRegistryTasks } from "./surface/registry.js";
import { declareRepo } from "./surface/repo.js";

/** Every task, declared once (see commands/task.ts for how to add one). Order is the order in `--help`. */
const TASKS: ((program: Command, act: Act) => void)[] = [
  declareUser,
  declareOrganization,
  declareOwner,
  declarePackageTasks,
  declareRetire,
  declareSearch,
  declareRegistryTasks,
  declareRepo,
  declareConfig,
];

/** Global options that take a value: their values are never mistaken for the task name. */
const GLOBAL_VALUE_OPTIONS = new Set(["-r", "--repo", "--otp"]);

export function buildProgram(act: Act): Command {
  const program = new Command("hexts")
    .description(
      "Hex package manager client for Node.js: accounts, keys, building and publishing Erlang/Elixir/Gleam packages",
    )
    .version(hextsVersion(), "-v, --version", "print the hexts version")
    .option("-r, --repo <repo>", "repository to work with: hexpm, hexpm:ORG or a configured repository name")
    .option("--json", "print exactly one JSON document on stdout (never prompts)")
    .option("-y, --yes", "answer yes to confirmations; never prompt")
    .option("--otp <code>", "two-factor code for writes made with an OAuth login (or HEX_OTP)")
    .option("--verbose", "show debug lines and stack traces")
    .option("--no-color", "disable colour (also NO_COLOR)")
    .helpOption("-h, --help", "show help")
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 failed, 2 usage, 3 authentication, 4 network/server, 5 docs failed after publish,
70 internal error, 130 cancelled. Environment: HEX_API_KEY, HEX_API_URL, HEX_HOME, HEX_OTP, CI, NO_COLOR (see README).`,
    );
  for (const declare of TASKS) declare(program, act);
  return program;
}

/** The command words of argv (`["user", "key"]`), skipping options and the values of global options. */
export function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (GLOBAL_VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  return words;
}

/** The deepest command argv names (the program itself when none). */
function commandOf(program: Command, words: string[]): Command {
  let cmd = program;
  for (const w of words) {
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!next) break;
    cmd = next;
  }
  return cmd;
}

function usageFailure(message: string, json: boolean): number {
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: { code: "USAGE", message } }) + "\n");
  else process.stderr.write(`hexts: ${message}\n`);
  return 2;
}

/** Under --json, help and the version are one document too, so a script never has to parse text. */
function helpDocument(command: string, help: string): number {
  process.stdout.write(JSON.stringify({ ok: true, data: { command, help } }) + "\n");
  return 0;
}

/** Parses argv and runs one command; returns the exit code. Usage errors exit 2 with one line. */
export async function runCli(argv: string[]): Promise<number> {
  argv = normaliseArgv(argv);
  const json = argv.includes("--json");
  let code = 0;
  const act: Act =
    (load, sub, mapArgs) =>
    async (...args: any[]) => {
      const cmd = args[args.length - 1] as Command;
      const positional = args.slice(0, -2);
      const { runSubcommand } = await import("./run.js");
      code = await runSubcommand(cmd, load, sub, mapArgs ? mapArgs(...positional) : {});
    };
  const program = buildProgram(act);
  const words = commandWords(argv);
  const target = commandOf(program, words);

  // `hexts help [command...]`: that command's help, or a usage error for a command that does not exist.
  if (words[0] === "help") {
    const about = commandOf(program, words.slice(1));
    const known = words.length - 1 === depth(about);
    if (!known) return usageFailure(`unknown command '${words.slice(1).join(" ")}' ${helpHint(program)}`, json);
    if (json) return helpDocument(pathOf(about), about.helpInformation());
    process.stdout.write(about.helpInformation());
    return 0;
  }

  let written = "";
  const applyTo = (cmd: Command) => {
    cmd.exitOverride();
    // Under --json, what commander would print (help, the version) is kept and wrapped in one document below.
    cmd.configureOutput({
      outputError: () => {},
      ...(json ? { writeOut: (text: string) => void (written += text) } : {}),
    });
    // A task named without its subcommand (`hexts user`) is a usage error, not a page of help on stderr.
    if (cmd.commands.length > 0) {
      cmd.allowExcessArguments(true).action(() => {
        const word = cmd.args[0];
        if (word !== undefined) throw new CommanderError(2, "commander.unknownCommand", `unknown command '${word}'`);
        const subs = cmd.commands.map((c) => c.name()).join(", ");
        throw new CommanderError(
          2,
          "hexts.missingSubcommand",
          `\`${pathOf(cmd)}\` needs a ${cmd === program ? "command" : "subcommand"}: ${subs}`,
        );
      });
    }
    for (const sub of cmd.commands) applyTo(sub);
  };
  applyTo(program);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.version") {
        if (json) process.stdout.write(JSON.stringify({ ok: true, data: { version: hextsVersion() } }) + "\n");
        return 0;
      }
      if (e.code === "commander.helpDisplayed") return json ? helpDocument(pathOf(target), written) : 0;
      const message = e.message.replace(/^error:\s*/, "");
      return usageFailure(`${message} ${helpHint(target)}`, json);
    }
    throw e;
  }
  return code;
}

function depth(cmd: Command): number {
  let n = 0;
  for (let c = cmd.parent; c; c = c.parent) n++;
  return n;
}

/** `hexts cut --version X` (rebar3/mix spelling) would otherwise hit the program's own --version. */
export function normaliseArgv(argv: string[]): string[] {
  const task = commandWords(argv)[0];
  if (task !== "cut") return argv;
  const at = argv.indexOf("cut");
  return argv.map((a, i) =>
    i > at && a === "--version"
      ? "--set-version"
      : i > at && a.startsWith("--version=")
        ? a.replace("--version=", "--set-version=")
        : a,
  );
}

export { Option };
