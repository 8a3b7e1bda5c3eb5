// Finds the real Erlang tools (Debian's erlang/rebar3) on PATH for tests that use them as clients and
// oracles. hexts never needs them; tests that do skip loudly when they are absent.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Absolute path of an executable on PATH, or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `skip` option for node:test: false when every tool is on PATH, else a loud reason (printed once). */
export function toolsSkip(...names: string[]): string | false {
  const missing = names.filter((n) => !findExecutable(n));
  if (missing.length === 0) return false;
  const packages = `${missing.includes("rebar3") ? "rebar3 " : ""}erlang-base`;
  const reason = `SKIPPED: ${missing.join(", ")} not on PATH (apt-get install ${packages}; .ci/run installs them)`;
  console.error(`\n*** ${reason} ***\n`);
  return reason;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without blocking the event loop (a test's in-process server must keep answering it).
 * Killed after `timeoutMs`.
 */
export function runProcess(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 180_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
