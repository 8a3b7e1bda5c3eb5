// A real Context for in-process command tests: the settings resolved from a real environment (a temp home,
// HEX_API_URL of the local server), a real Output whose stdout and stderr are captured, and either the real
// prompter of a run that cannot ask, or a scripted one (the prompt interface is the one fake the project allows).
import { PassThrough } from "node:stream";
import type { Context } from "../../src/commands/context.js";
import { prepareContext } from "../../src/commands/run-settings.js";
import { Output } from "../../src/ui/output.js";
import type { Prompter } from "../../src/ui/prompt.js";
import { baseEnv } from "./cli.js";

export interface CommandContext {
  ctx: Context;
  stdout(): string;
  stderr(): string;
}

export interface CommandContextOptions {
  cwd: string;
  /** The run's environment (PATH defaults to the test tools only, as for the spawned CLI). */
  env: Record<string, string | undefined>;
  /** Answers questions; without it the run cannot prompt. */
  prompt?: Prompter;
  yes?: boolean;
  json?: boolean;
}

/** Prepares a Context as the CLI does (settings once, project layer included); disposed when the test ends. */
export async function commandContext(
  t: { after(fn: () => unknown): void },
  o: CommandContextOptions,
): Promise<CommandContext> {
  const env = baseEnv(o.env);
  let out = "";
  let err = "";
  const stdout = new PassThrough().on("data", (d) => (out += d));
  const stderr = new PassThrough().on("data", (d) => (err += d));
  const flags = { json: o.json === true, yes: o.yes === true, verbose: false, color: false };
  const ctx = await prepareContext({
    flags,
    env,
    cwd: o.cwd,
    out: new Output({ json: flags.json, verbose: false, noColor: true, env, stdout, stderr }),
    stdin: Object.assign(new PassThrough(), { isTTY: o.prompt !== undefined }) as unknown as NodeJS.ReadStream,
    prompt: o.prompt,
    interactive: o.prompt !== undefined,
  });
  t.after(() => ctx.dispose());
  return { ctx, stdout: () => out, stderr: () => err };
}

/** A prompter that answers from a script and records the questions; a question with no answer left fails. */
export function scriptedPrompter(answers: string[], asked: string[] = []): Prompter {
  const next = (message: string) => {
    asked.push(message);
    const a = answers.shift();
    if (a === undefined) throw new Error(`unexpected question: ${message}`);
    return a;
  };
  return {
    interactive: true,
    input: async (m) => next(m),
    secret: async (m) => next(m),
    confirm: async (m) => next(m) === "y",
    select: async (m) => next(m) as never,
  };
}
