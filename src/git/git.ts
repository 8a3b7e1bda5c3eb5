// The git binary, run through execFile (no shell): the few queries and changes `hexts cut` needs.
// Nothing here prints or prompts; failures are HextsError("GIT") naming the command and git's own words.
import { execFile } from "node:child_process";
import { childProcessEnv } from "../config/child-env.js";
import { HextsError } from "../errors.js";

export interface GitOptions {
  /**
   * Environment for git (default process.env), without hexts secrets (git runs hooks and configured commands).
   * LC_ALL=C is added so answers parse the same everywhere.
   */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Let git ask for credentials on the terminal (push over HTTPS). Default false: GIT_TERMINAL_PROMPT=0. */
  terminalPrompt?: boolean;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How a command reads when shown to the user: `git tag -a v1.2.3 -m 'v1.2.3'`. */
export function formatGitCommand(args: readonly string[]): string {
  return ["git", ...args].map(shellQuote).join(" ");
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The last lines git wrote on stderr (its reason), without hint lines. */
function reasonOf(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "" && !l.startsWith("hint:"));
  return lines.slice(-6).join("\n");
}

export class Git {
  constructor(
    readonly cwd: string,
    private readonly opts: GitOptions = {},
  ) {}

  /** Runs git and returns its exit code and output; throws only when git cannot be started. */
  exec(args: readonly string[]): Promise<GitResult> {
    const env: NodeJS.ProcessEnv = { ...childProcessEnv(this.opts.env ?? process.env), LC_ALL: "C" };
    if (!this.opts.terminalPrompt) env.GIT_TERMINAL_PROMPT = "0";
    return new Promise((resolve, reject) => {
      execFile(
        "git",
        [...args],
        { cwd: this.cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, signal: this.opts.signal },
        (error, stdout, stderr) => {
          if (error && typeof (error as NodeJS.ErrnoException).code === "string") {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === "ABORT_ERR") return reject(new HextsError("CANCELLED", "cancelled", { cause: error }));
            if (code === "ENOENT")
              return reject(
                new HextsError("GIT", "git is not installed (or not on PATH); hexts cut needs it", { cause: error }),
              );
            return reject(
              new HextsError("GIT", `could not run ${formatGitCommand(args)}: ${error.message}`, { cause: error }),
            );
          }
          const exit = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
          resolve({ code: Number.isInteger(exit) ? exit : 1, stdout, stderr });
        },
      );
    });
  }

  /** Runs git; a non-zero exit is a GIT error quoting the command and git's reason. */
  async run(args: readonly string[]): Promise<string> {
    const r = await this.exec(args);
    if (r.code !== 0) {
      const reason = reasonOf(r.stderr) || reasonOf(r.stdout) || `exit code ${r.code}`;
      throw new HextsError("GIT", `\`${formatGitCommand(args)}\` failed: ${reason}`, {
        details: { command: ["git", ...args], exitCode: r.code },
      });
    }
    return r.stdout;
  }

  /** The top directory of the work tree; a GIT error when `cwd` is not inside one. */
  async topLevel(): Promise<string> {
    const r = await this.exec(["rev-parse", "--show-toplevel"]);
    if (r.code !== 0)
      throw new HextsError(
        "GIT",
        `${this.cwd} is not inside a git work tree; hexts cut commits, tags and pushes with git`,
      );
    return r.stdout.trim();
  }

  /** `git status --porcelain` lines: changed, staged and untracked paths (ignored ones excluded). */
  async changes(): Promise<string[]> {
    const out = await this.run(["status", "--porcelain=v1", "--untracked-files=all"]);
    return out.split("\n").filter((l) => l !== "");
  }

  /** The commit HEAD points to, or undefined in a repository with no commit yet. */
  async head(): Promise<string | undefined> {
    const r = await this.exec(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** The checked-out branch (`main`), or undefined on a detached HEAD. */
  async branch(): Promise<string | undefined> {
    const r = await this.exec(["symbolic-ref", "--quiet", "--short", "HEAD"]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** A config value, or undefined when unset. */
  async config(key: string): Promise<string | undefined> {
    const r = await this.exec(["config", "--get", key]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** Where `branch` is tracked: its remote and the branch ref there (`origin`, `refs/heads/main`). */
  async upstream(branch: string): Promise<{ remote: string; ref: string } | undefined> {
    const remote = await this.config(`branch.${branch}.remote`);
    const ref = await this.config(`branch.${branch}.merge`);
    return remote && ref ? { remote, ref } : undefined;
  }

  async tagExists(tag: string): Promise<boolean> {
    const r = await this.exec(["rev-parse", "--verify", "--quiet", `refs/tags/${tag}`]);
    return r.code === 0;
  }

  /** Whether `path` (relative to cwd) is tracked by git. */
  async tracked(path: string): Promise<boolean> {
    const r = await this.exec(["ls-files", "--error-unmatch", "--", path]);
    return r.code === 0;
  }
}
