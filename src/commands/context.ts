// One Context per run, passed explicitly to every command function.
// Settings, the API client and other heavy pieces are built on first use by the modules that own them
// (config/settings.ts, api/client.ts) through `ctx.memo`, so --help and offline commands load none of them.
import { Output } from "../ui/output.js";
import { canPrompt, createPrompter, type Prompter } from "../ui/prompt.js";

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
  readonly flags: GlobalFlags;
  readonly out: Output;
  readonly prompt: Prompter;
  readonly stdin: NodeJS.ReadStream;
  readonly signal: AbortSignal;
  /** Per-run cache for lazily built pieces (settings, api client); key by module name. */
  memo<T>(key: string, build: () => T): T;
  /** Registers cleanup (closing HTTP agents, releasing locks) run once at the end of the run. */
  defer(fn: () => unknown): void;
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
}

export function createContext(opts: ContextOptions): Context {
  const env = opts.env ?? process.env;
  const flags = opts.flags;
  const stdin = opts.stdin ?? process.stdin;
  const out = opts.out ?? new Output({ json: flags.json, verbose: flags.verbose, noColor: !flags.color, env });
  const interactive = opts.interactive ?? canPrompt(env, flags, stdin, out.stderr);
  const prompt = opts.prompt ?? createPrompter({ interactive, yes: flags.yes, out, stdin });
  const cache = new Map<string, unknown>();
  const cleanups: (() => unknown)[] = [];
  return {
    cwd: opts.cwd ?? process.cwd(),
    env,
    flags,
    out,
    prompt,
    stdin,
    signal: opts.signal ?? new AbortController().signal,
    memo<T>(key: string, build: () => T): T {
      if (!cache.has(key)) cache.set(key, build());
      return cache.get(key) as T;
    },
    defer(fn) {
      cleanups.push(fn);
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
}
