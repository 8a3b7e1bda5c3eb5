// The slice of the run's Context that the config layer uses. commands/context.ts's Context satisfies it
// structurally, so this layer never imports commands, cli or ui. It carries no command-line flags: callers
// pass what they mean (a repository, setting flags) explicitly.
import type { WarningKind } from "../errors.js";

export interface ConfigPrompter {
  readonly interactive: boolean;
  /** Hidden input; a non-interactive prompter throws INPUT_REQUIRED naming `supply`. */
  secret(message: string, opts: { supply: string }): Promise<string>;
}

export interface ConfigContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly out: {
    readonly secrets: { add(value: string | undefined | null): void };
    /** A `--verbose` line (e.g. why a stored key is not sent). */
    debug?(text: string): void;
    /** Lines for the user on stderr (where a setting came from, what was ignored); optional for library callers. */
    info?(text: string): void;
    /** `kind` says what the warning is about, so the CLI can add its advice (cli/advice.ts). */
    warn?(text: string, kind?: WarningKind): void;
  };
  readonly prompt: ConfigPrompter;
  /** Per-run cache (see commands/context.ts). */
  memo<T>(key: string, build: () => T): T;
}
