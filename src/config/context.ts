// The slice of the run's Context that the config layer uses. cli/context.ts's Context satisfies it
// structurally, so this layer never imports cli or ui.

export interface ConfigPrompter {
  readonly interactive: boolean;
  /** Hidden input; a non-interactive prompter throws INPUT_REQUIRED naming `supply`. */
  secret(message: string, opts: { supply: string }): Promise<string>;
}

export interface ConfigContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly flags?: { readonly repo?: string; readonly color?: boolean };
  readonly out: { readonly secrets: { add(value: string | undefined | null): void } };
  readonly prompt: ConfigPrompter;
  /** Per-run cache (see cli/context.ts). */
  memo<T>(key: string, build: () => T): T;
}
