// The local password question on a real pseudo-terminal: hidden input, 3 tries then exit 3, success on a
// later try, and no secret on the screen. No built command decrypts stored credentials yet (that is `hexts user`),
// so the process under test is a small program using the real Context, prompter, credential store and error
// rendering, exactly as a command would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../../src/commands/context.js";
import { Output } from "../../src/ui/output.js";
import { setLocalPassword, storeCredential } from "../../src/config/credentials.js";
import { stripAnsi } from "../support/pty.js";
import { repoRoot } from "../support/vectors.js";

const require = createRequire(import.meta.url);
const pty = require("node-pty") as typeof import("node-pty");

const API = "https://hex.pm/api";
const KEY = "c0ffee00c0ffee00c0ffee00c0ffee00";
const PASSWORD = "correct horse battery";

const src = (p: string) => JSON.stringify(join(repoRoot, "src", p));
const program = `
  const { createContext } = await import(${src("commands/context.ts")});
  const { loadCredential } = await import(${src("config/credentials.ts")});
  const { renderError } = await import(${src("cli/exit.ts")});
  const ctx = createContext({ flags: { json: false, yes: false, verbose: false, color: false }, env: process.env });
  let code = 0;
  try {
    const c = await loadCredential(ctx, ${JSON.stringify(API)});
    ctx.out.result("loaded " + c.type + " credential for " + c.username + ": " + c.key);
  } catch (e) {
    code = renderError(e, ctx.out);
  }
  process.exit(code);`;

async function sealedHome(t: { after(fn: () => void): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "hexts-pty-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { HEX_HOME: join(dir, "hex") };
  const ctx = createContext({
    flags: { json: false, yes: false, verbose: false, color: false },
    env,
    cwd: dir,
    interactive: false,
    out: new Output({ json: false, verbose: false, env }),
  });
  await storeCredential(ctx, API, { type: "key", key: KEY, username: "alice" });
  await setLocalPassword(ctx, PASSWORD, { kdf: { n: 2 ** 12, r: 8, p: 1 } });
  return dir;
}

function session(dir: string) {
  const term = pty.spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], {
    name: "xterm-256color",
    cols: 120,
    rows: 40,
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      HEX_HOME: join(dir, "hex"),
      TERM: "xterm-256color",
      LANG: "C.UTF-8",
    },
  });
  let raw = "";
  let consumed = 0;
  const listeners = new Set<() => void>();
  term.onData((d) => {
    raw += d;
    for (const l of listeners) l();
  });
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  return {
    get screen() {
      return stripAnsi(raw);
    },
    exited,
    line: (text: string) => term.write(text + "\r"),
    waitFor(pattern: string, timeoutMs = 20_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const at = stripAnsi(raw).indexOf(pattern, consumed);
          if (at < 0) return;
          consumed = at + pattern.length;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          term.kill();
          reject(new Error(`timed out waiting for ${JSON.stringify(pattern)}; screen:\n${stripAnsi(raw)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

test("a wrong local password is asked 3 times on a TTY, then exit 3; nothing secret is shown", async (t) => {
  const dir = await sealedHome(t);
  const s = session(dir);
  await s.waitFor("Local password");
  s.line("wrong-one");
  await s.waitFor("Wrong local password, try again (2 of 3)");
  s.line("wrong-two");
  await s.waitFor("Wrong local password, try again (3 of 3)");
  s.line("wrong-three");
  assert.equal(await s.exited, 3);
  assert.match(s.screen, /hexts: wrong local password \(3 tries\); the stored credentials stay encrypted/);
  for (const secret of ["wrong-one", "wrong-two", "wrong-three", KEY])
    assert.ok(!s.screen.includes(secret), `${secret} on screen:\n${s.screen}`);
});

test("the right local password on a later try opens the credential; the password is never echoed", async (t) => {
  const dir = await sealedHome(t);
  const s = session(dir);
  await s.waitFor("Local password");
  s.line("not-it");
  await s.waitFor("try again (2 of 3)");
  s.line(PASSWORD);
  assert.equal(await s.exited, 0);
  // the program prints the key on purpose: output redaction must mask it, since loading registered it
  assert.match(s.screen, /loaded key credential for alice: \*\*\*/);
  for (const secret of ["not-it", PASSWORD, KEY])
    assert.ok(!s.screen.includes(secret), `${secret} on screen:\n${s.screen}`);
});
