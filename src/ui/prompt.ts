// The prompt interface. On a non-interactive run (no TTY, CI, --yes, --json) it never asks:
// it fails at once, naming the flag or environment variable that supplies the answer.
// enquirer is loaded only when a question is really asked.
import { HextsError } from "../errors.js";
import type { Output } from "./output.js";

export interface AskOptions {
  /** How to give the answer without a prompt, e.g. "--key-name NAME" or "HEX_OTP". */
  supply: string;
  default?: string;
}

export interface Prompter {
  readonly interactive: boolean;
  input(message: string, opts: AskOptions): Promise<string>;
  /** Hidden input: nothing is echoed. */
  secret(message: string, opts: AskOptions): Promise<string>;
  /** With --yes, returns true without asking. Non-interactive without --yes fails naming `--yes`. */
  confirm(message: string, opts?: { default?: boolean; supply?: string }): Promise<boolean>;
  select<T extends string>(message: string, choices: { name: T; message?: string }[], opts: AskOptions): Promise<T>;
}

export interface PrompterOptions {
  interactive: boolean;
  yes: boolean;
  out: Output;
  stdin?: NodeJS.ReadStream;
}

export function isTruthyEnv(v: string | undefined): boolean {
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** Whether this run may ask questions: TTYs on both ends, not CI, not --yes, not --json. */
export function canPrompt(
  env: NodeJS.ProcessEnv,
  flags: { yes?: boolean; json?: boolean },
  stdin: { isTTY?: boolean } = process.stdin,
  stderr: { isTTY?: boolean } = process.stderr,
): boolean {
  if (flags.yes || flags.json) return false;
  if (isTruthyEnv(env.CI)) return false;
  return stdin.isTTY === true && stderr.isTTY === true;
}

function inputRequired(message: string, supply: string): HextsError {
  const what = message.replace(/[:?]\s*$/, "").trim();
  return new HextsError("INPUT_REQUIRED", `${what} is required; this run cannot prompt, so give it with ${supply}`);
}

export function createPrompter(opts: PrompterOptions): Prompter {
  const { out } = opts;
  const stdin = opts.stdin ?? process.stdin;

  async function ask<T>(question: Record<string, unknown>): Promise<T> {
    const { default: Enquirer } = await import("enquirer");
    try {
      const answers = (await Enquirer.prompt({
        ...question,
        name: "value",
        stdin,
        stdout: out.stderr,
      } as never)) as { value: T };
      return answers.value;
    } catch (e) {
      // enquirer rejects with an empty string (or nothing) when the user presses Ctrl-C / Esc.
      if (e === "" || e === undefined || (e instanceof Error && e.message === "")) {
        throw new HextsError("CANCELLED", "cancelled");
      }
      throw e;
    }
  }

  return {
    interactive: opts.interactive,

    async input(message, o) {
      if (!opts.interactive) {
        if (o.default !== undefined && opts.yes) return o.default;
        throw inputRequired(message, o.supply);
      }
      return String(await ask<string>({ type: "input", message, initial: o.default }));
    },

    async secret(message, o) {
      if (!opts.interactive) throw inputRequired(message, o.supply);
      const value = String(await ask<string>({ type: "invisible", message }));
      out.secrets.add(value);
      return value;
    },

    async confirm(message, o = {}) {
      if (opts.yes) return true;
      if (!opts.interactive) {
        throw new HextsError(
          "INPUT_REQUIRED",
          `confirmation required (${message.replace(/\?\s*$/, "")}); this run cannot prompt, ` +
            `so pass ${o.supply ?? "--yes"}`,
        );
      }
      return Boolean(await ask<boolean>({ type: "confirm", message, initial: o.default ?? true }));
    },

    async select(message, choices, o) {
      if (!opts.interactive) throw inputRequired(message, o.supply);
      return ask({
        type: "select",
        message,
        choices: choices.map((c) => ({ name: c.name, message: c.message ?? c.name })),
      });
    },
  };
}
