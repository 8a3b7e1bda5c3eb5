// One Context per run, passed explicitly to every command function. The CLI creates it (cli/run.ts) and resolves
// the run's settings once, project layer included, before any command code runs (run-settings.ts). The API
// client and other heavy pieces are built on first use through `ctx.memo`.
import { HextsError } from "../errors.js";
import type { ResolvedSettings } from "../config/settings.js";
import { parseRepo, type RepoRef } from "../repository.js";
import { Output, type OutputOptions } from "../ui/output.js";
import { canPrompt, createPrompter, type Prompter } from "../ui/prompt.js";

/** The global options as the CLI parsed them; only this module reads them. */
export interface GlobalFlags {
  repo?: string;
  /** `--otp CODE`, a two-factor code for OAuth writes. */
  otp?: string;
  json: boolean;
  yes: boolean;
  verbose: boolean;
  color: boolean;
}

export interface Context {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * flag > environment > project > user config > default, resolved once per run and frozen. Reading it on a
   * Context that was not prepared (prepareContext) is a bug, reported as INTERNAL.
   */
  readonly settings: ResolvedSettings;
  /** `--repo`, parsed at the edge; undefined when not given (each command's default applies). */
  readonly repo?: RepoRef;
  /** `--yes`: confirmations are answered yes. */
  readonly yes: boolean;
  readonly out: Output;
  readonly prompt: Prompter;
  readonly stdin: NodeJS.ReadStream;
  readonly signal: AbortSignal;
  /** Per-run cache for lazily built pieces (api client, sessions); key by module name. */
  memo<T>(key: string, build: () => T): T;
  /** Registers cleanup (closing HTTP agents, releasing locks) run once at the end of the run. */
  defer(fn: () => unknown): void;
  /**
   * Runs `fn` (undoing changes after a failure or Ctrl-C) so that a Ctrl-C does not end the process by itself while
   * it runs: the runner's grace period after the first Ctrl-C waits for it. A second Ctrl-C still ends the run.
   */
  undoing<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether an `undoing` step is running. */
  readonly isUndoing: boolean;
  dispose(): Promise<void>;
}

export interface ContextOptions {
  flags: GlobalFlags;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  out?: Output;
  prompt?: Prompter;
  stdin?: NodeJS.ReadStream;
  signal?: AbortSignal;
  /** Overrides the TTY/CI detection (tests). */
  interactive?: boolean;
  /** Settings already resolved (tests); otherwise prepareContext resolves them. */
  settings?: ResolvedSettings;
  /** The CLI's advice for library warnings (see Output); library callers and tests go without. */
  warningAdvice?: OutputOptions["warningAdvice"];
}

const setSettings = Symbol("setSettings");

/** Puts the run's resolved settings on a Context made by createContext, once (run-settings.ts does). */
export function attachSettings(ctx: Context, settings: ResolvedSettings): void {
  (ctx as unknown as { [setSettings](s: ResolvedSettings): void })[setSettings](settings);
}

/** A Context without settings yet: enough for the config store and credentials (tests, library callers). */
export function createContext(opts: ContextOptions): Context {
  const env = opts.env ?? process.env;
  const flags = opts.flags;
  const stdin = opts.stdin ?? process.stdin;
  const out =
    opts.out ??
    new Output({
      json: flags.json,
      verbose: flags.verbose,
      noColor: !flags.color,
      env,
      warningAdvice: opts.warningAdvice,
    });
  const interactive = opts.interactive ?? canPrompt(env, flags, stdin, out.stderr);
  const prompt = opts.prompt ?? createPrompter({ interactive, yes: flags.yes, out, stdin });
  const cache = new Map<string, unknown>();
  const cleanups: (() => unknown)[] = [];
  let undoingSteps = 0;
  let settings = opts.settings;
  // A bad --repo is a usage error of the run, reported when the run starts (resolveRunSettings), not here.
  let repo: RepoRef | undefined;
  let repoError: unknown;
  try {
    repo = flags.repo === undefined ? undefined : parseRepo(flags.repo);
  } catch (e) {
    repoError = e;
  }
  const ctx = {
    cwd: opts.cwd ?? process.cwd(),
    env,
    get settings(): ResolvedSettings {
      if (!settings)
        throw new HextsError("INTERNAL", "internal error: the run's settings were read before they were resolved");
      return settings;
    },
    [setSettings](s: ResolvedSettings) {
      settings = s;
    },
    get repo(): RepoRef | undefined {
      if (repoError) throw repoError;
      return repo;
    },
    yes: flags.yes,
    out,
    prompt,
    stdin,
    signal: opts.signal ?? new AbortController().signal,
    memo<T>(key: string, build: () => T): T {
      if (!cache.has(key)) cache.set(key, build());
      return cache.get(key) as T;
    },
    defer(fn: () => unknown) {
      cleanups.push(fn);
    },
    async undoing<T>(fn: () => Promise<T>): Promise<T> {
      undoingSteps++;
      try {
        return await fn();
      } finally {
        undoingSteps--;
      }
    },
    get isUndoing() {
      return undoingSteps > 0;
    },
    async dispose() {
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          await fn();
        } catch {
          // cleanup must never mask the run's own outcome
        }
      }
    },
  };
  return ctx;
}
