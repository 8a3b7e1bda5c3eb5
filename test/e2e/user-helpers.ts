// Shared by the `hexts user` / `hexts organization` end-to-end tests: a server with a temp home, a streaming spawn
// of the built CLI (for the OAuth device flow, where the test acts on what the CLI printed), and assertions on
// output shape and secrets.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { baseEnv, binPath, runHexts, tempHome, type RunResult } from "../support/cli.js";
import { type HexServer, type HexServerOptions } from "../support/hex-server/index.js";
import { serverAndHome } from "../support/world.js";
import type { State } from "../support/hex-server/state.js";
import { form } from "../support/hex-server/test-client.js";
import { repoRoot } from "../support/vectors.js";
import { createContext } from "../../src/commands/context.js";
import { storeCredential } from "../../src/config/index.js";

export interface World {
  server: HexServer;
  state: State;
  home: ReturnType<typeof tempHome>;
  /** HOME/HEX_HOME plus HEX_API_URL of the server; BROWSER=none so nothing is ever opened. */
  env: Record<string, string>;
  /** Runs the built CLI in this world (no TTY). */
  hexts(args: string[], o?: { env?: Record<string, string | undefined>; input?: string }): Promise<RunResult>;
  /** The parsed config file (hexts.json). */
  config(): { credentials: Record<string, any>; repos: Record<string, any>; local_password?: unknown };
  configMode(): number;
}

export async function world(t: { after(fn: () => unknown): void }, opts: HexServerOptions = {}): Promise<World> {
  const { server, home } = await serverAndHome(t, opts, "hexts-user-");
  const env = { ...home.env, HEX_API_URL: server.apiUrl, BROWSER: "none" };
  const file = join(home.env.HEX_HOME, "hexts.json");
  return {
    server,
    state: server.state as State,
    home,
    env,
    hexts: (args, o = {}) => runHexts(args, { env: { ...env, ...o.env }, cwd: home.dir, input: o.input }),
    config: () => JSON.parse(readFileSync(file, "utf8")),
    configMode: () => statSync(file).mode & 0o777,
  };
}

export const ErrorDoc = z.object({
  ok: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
    status: z.number().optional(),
    lines: z.array(z.string()).optional(),
  }),
});

/** Exactly one JSON document on stdout, parsed with `schema`. */
export function json<S extends z.ZodType>(schema: S, r: RunResult): z.output<S> {
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `exactly one JSON document on stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return schema.parse(JSON.parse(lines[0]!));
}

/** A failure: the exit code, nothing on stdout, and one line on stderr matching `pattern`. */
export function fails(r: RunResult, exit: number, pattern: RegExp): void {
  assert.equal(r.code, exit, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.stdout, "", "nothing on stdout");
  const last = r.stderr
    .trimEnd()
    .split("\n")
    .filter((l) => l.startsWith("hexts:"));
  assert.equal(last.length, 1, `one error line:\n${r.stderr}`);
  assert.match(last[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

/** Same failure under --json: one document with the code, exit code as given. */
export function failsJson(r: RunResult, exit: number, code: string): z.output<typeof ErrorDoc> {
  assert.equal(r.code, exit, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const doc = json(ErrorDoc, r);
  assert.equal(doc.error.code, code, doc.error.message);
  return doc;
}

export function noSecrets(text: string, secrets: (string | undefined)[]): void {
  for (const s of secrets) if (s) assert.ok(!text.includes(s), `a secret appears in the output:\n${text}`);
}

/** The recorded API requests (method + path), optionally only those matching. */
export function requests(server: HexServer, filter?: { method?: string; path?: string | RegExp }) {
  return server.requests.filter(
    (r) =>
      (filter?.method === undefined || r.method === filter.method) &&
      (filter?.path === undefined ||
        (typeof filter.path === "string" ? r.path === filter.path : filter.path.test(r.path))),
  );
}

export interface Streaming {
  /** Resolves with stderr so far once it matches. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<RunResult>;
  kill(): void;
}

/** Spawns the built CLI without a TTY and lets the test react to its stderr while it runs (OAuth device flow). */
export function startHexts(
  args: string[],
  o: { env: Record<string, string | undefined>; cwd?: string; input?: string },
): Streaming {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: o.cwd ?? repoRoot,
    env: baseEnv(o.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
    for (const l of listeners) l();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      for (const l of listeners) l();
      resolve({ code, signal, stdout, stderr });
    });
  });
  child.stdin.end(o.input ?? "");
  return {
    waitForStderr(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = stderr.match(pattern);
          if (m) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`exited (${child.exitCode}) before ${pattern}; stderr:\n${stderr}\nstdout:\n${stdout}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; stderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    done,
    kill: () => child.kill("SIGKILL"),
  };
}

/** `ABCD-EFGH` as printed -> `ABCDEFGH` as the server knows it. */
export const USER_CODE = /\n  ([23456789BCDFGHJKLMNPQRSTVWXYZ]{4})-([23456789BCDFGHJKLMNPQRSTVWXYZ]{4})\n/;
export const userCodeOf = (m: RegExpMatchArray) => `${m[1]}${m[2]}`;

/** Stores an OAuth token pair the server issued to `username` (as a device login would), unencrypted. */
export async function storeOAuthLogin(
  w: World,
  username: string,
  scope = "api repositories",
): Promise<{ access: string; refresh: string }> {
  const start = await form(w.server, "/oauth/device_authorization", { client_id: "hexts", scope });
  w.server.approveDevice(start.body.user_code, username);
  const token = await form(w.server, "/oauth/token", {
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    device_code: start.body.device_code,
    client_id: "hexts",
  });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  const ctx = createContext({
    flags: { json: true, yes: false, verbose: false, color: false },
    env: w.env,
    cwd: w.home.dir,
    interactive: false,
  });
  const expiresAt = Math.floor(Date.now() / 1000) + 1800;
  await storeCredential(ctx, w.server.apiUrl, {
    type: "oauth",
    accessToken: token.body.access_token,
    refreshToken: token.body.refresh_token,
    expiresAt,
    username,
  });
  return { access: token.body.access_token, refresh: token.body.refresh_token };
}

/** The exit code of a pseudo-terminal session, killing it (and failing) if it does not end in time. */
export async function exitOf(
  s: { exited: Promise<{ exitCode: number }>; kill(): void; screen: string },
  ms = 30_000,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      s.kill();
      reject(new Error(`the session did not end within ${ms} ms; screen:\n${s.screen}`));
    }, ms);
  });
  try {
    return (await Promise.race([s.exited, timeout])).exitCode;
  } finally {
    clearTimeout(timer);
  }
}
