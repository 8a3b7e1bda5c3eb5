// Drives the built CLI through a real pseudo-terminal (node-pty), for prompt tests.
import { createRequire } from "node:module";
import { binPath, baseEnv } from "./cli.js";
import { repoRoot } from "./vectors.js";

const require = createRequire(import.meta.url);
const pty = require("node-pty") as typeof import("node-pty");

export interface PtySession {
  /** Everything the terminal showed so far, ANSI escapes removed. */
  readonly screen: string;
  /** Waits until the screen (after `from`) matches; rejects on timeout with the screen in the message. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  write(text: string): void;
  /** Types a line and presses Enter. */
  line(text: string): void;
  exited: Promise<{ exitCode: number; signal?: number }>;
  kill(): void;
}

export function stripAnsi(s: string): string {
  // CSI sequences, OSC sequences, and lone escapes
  return s
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\x1b\][^\x07]*(\x07|\x1b\\)/g, "")
    .replace(/\x1b[()][0-9A-B]/g, "")
    .replace(/\x1b[=>78]/g, "");
}

export function spawnPty(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; cols?: number } = {},
): PtySession {
  const env = baseEnv({ TERM: "xterm-256color", ...opts.env });
  const term = pty.spawn(process.execPath, [binPath, ...args], {
    name: "xterm-256color",
    cols: opts.cols ?? 120,
    rows: 40,
    cwd: opts.cwd ?? repoRoot,
    env,
  });
  let raw = "";
  const waiters = new Set<() => void>();
  term.onData((d) => {
    raw += d;
    for (const w of waiters) w();
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => term.onExit((e) => resolve(e)));
  let consumed = 0;
  const session: PtySession = {
    get screen() {
      return stripAnsi(raw);
    },
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const s = stripAnsi(raw);
          const rest = s.slice(consumed);
          const m = typeof pattern === "string" ? (rest.includes(pattern) ? pattern : null) : rest.match(pattern)?.[0];
          if (m !== null && m !== undefined) {
            consumed += rest.indexOf(m) + m.length;
            cleanup();
            resolve(s);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${String(pattern)}; screen:\n${stripAnsi(raw)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      });
    },
    write: (t) => term.write(t),
    line: (t) => term.write(t + "\r"),
    exited,
    kill: () => term.kill(),
  };
  return session;
}
