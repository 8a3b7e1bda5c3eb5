// Spawns the built CLI (bin/hexts.js) as a real process with an isolated HOME/HEX_HOME.
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { repoRoot } from "./vectors.js";

export const binPath = join(repoRoot, "bin", "hexts.js");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** A fresh home for one test: HOME, XDG dirs and HEX_HOME all point inside it. */
export function tempHome(prefix = "hexts-home-"): { dir: string; env: Record<string, string>; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    env: {
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, ".config"),
      XDG_DATA_HOME: join(dir, ".local/share"),
      XDG_CACHE_HOME: join(dir, ".cache"),
      HEX_HOME: join(dir, "hex"),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Programs a spawned CLI (and the fake tools tests write) may use; Erlang, rebar3, Elixir and mix are not among
 * them.
 */
const TOOLS = [
  "git",
  "sh",
  "mkdir",
  "cat",
  "cp",
  "rm",
  "ls",
  "env",
  "touch",
  "printf",
  "sleep",
  "dirname",
  "sed",
  "grep",
  "tr",
];
let toolsDir: string | undefined;

/**
 * A PATH holding only links to the programs in TOOLS, so tests behave the same whether or not the machine has
 * Erlang, rebar3, Elixir or mix installed (a test that wants one puts its own directory in front).
 */
export function toolsPath(): string {
  if (toolsDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "hexts-tools-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    for (const tool of TOOLS) {
      for (const d of (process.env.PATH ?? "/usr/bin:/bin").split(delimiter)) {
        try {
          accessSync(join(d, tool), constants.X_OK);
          symlinkSync(join(d, tool), join(dir, tool));
          break;
        } catch {
          // not in this directory
        }
      }
    }
    toolsDir = dir;
  }
  return toolsDir;
}

/** Environment for a spawned CLI: PATH = toolsPath(), CI unset unless given, no colour forcing. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: toolsPath(), LANG: "C.UTF-8" };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function runHexts(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: baseEnv(opts.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
