// The option parsing behind `hexts user` / `hexts organization` (permissions, expiry, user codes, the browser
// opener) as one-line table cases, and the command functions run in-process with a real Context against the local
// server, with the prompt interface scripted (the one fake the project allows) where a question is asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HextsError } from "../../src/errors.js";
import type { Prompter } from "../../src/ui/prompt.js";
import { parseExpires, parsePermission, permissionLabel, shortTime } from "../../src/commands/auth/keys.js";
import { formatUserCode } from "../../src/commands/auth/login.js";
import { browserOpener } from "../../src/commands/auth/browser.js";
import { auth, whoami } from "../../src/commands/user.js";
import { list as listOrganizations, organizationName } from "../../src/commands/organization.js";
import { startHexServer } from "../support/hex-server/index.js";
import { commandContext, scriptedPrompter, type CommandContext } from "../support/command-context.js";

test("--permission spellings", () => {
  const cases: [string, { organization?: string } | undefined, string | RegExp][] = [
    ["api", undefined, "api"],
    ["API:Read", undefined, "api:read"],
    ["api:write", undefined, "api:write"],
    ["repositories", undefined, "repositories"],
    ["repository:acme", undefined, "repository:acme"],
    ["repository:hexpm:acme", undefined, "repository:acme"],
    ["repository", { organization: "acme" }, "repository:acme"],
    ["docs", { organization: "acme" }, "docs:acme"],
    ["package:plug", undefined, "package:plug"],
    ["repository", undefined, /repository needs an organization/],
    ["api:admin", undefined, /api takes read or write/],
    ["repositories:acme", undefined, /repositories takes no resource/],
    ["package", undefined, /package needs a package name/],
    ["api:", undefined, /nothing after the colon/],
    ["root", undefined, /unknown permission domain "root"/],
  ];
  for (const [text, opts, want] of cases) {
    if (typeof want === "string") assert.equal(permissionLabel(parsePermission(text, opts)), want, text);
    else
      assert.throws(
        () => parsePermission(text, opts),
        (e: unknown) => e instanceof HextsError && e.code === "USAGE" && want.test(e.message),
        text,
      );
  }
});

test("--expires durations and dates", () => {
  const now = Date.parse("2026-11-23T12:00:00Z");
  const cases: [string, string | RegExp][] = [
    ["30m", "2026-11-23T12:30:00.000Z"],
    ["12h", "2026-11-24T00:00:00.000Z"],
    ["30d", "2026-12-23T12:00:00.000Z"],
    ["2W", "2026-12-07T12:00:00.000Z"],
    ["2027-01-31", "2027-01-31T00:00:00.000Z"],
    ["2027-01-31T08:15:00Z", "2027-01-31T08:15:00.000Z"],
    ["2026-11-01", /not in the future/],
    ["0d", /not in the future/],
    ["tomorrow", /give a duration/],
    ["30", /give a duration/],
  ];
  for (const [text, want] of cases) {
    if (typeof want === "string") assert.equal(parseExpires(text, now), want, text);
    else
      assert.throws(
        () => parseExpires(text, now),
        (e: unknown) => e instanceof HextsError && e.code === "USAGE" && want.test(e.message),
        text,
      );
  }
});

test("user codes, times and organization names", () => {
  assert.equal(formatUserCode("BCDFGHJK"), "BCDF-GHJK");
  assert.equal(formatUserCode("BCDF-GHJK"), "BCDF-GHJK");
  assert.equal(shortTime("2026-11-23T14:20:19.123456Z"), "2026-11-23 14:20 UTC");
  assert.equal(shortTime(null), "");
  assert.equal(organizationName("acme"), "acme");
  assert.equal(organizationName("hexpm:acme_2"), "acme_2");
  for (const bad of ["Acme", "hexpm:", "other:acme", "a-b"])
    assert.throws(() => organizationName(bad), /invalid organization name/, bad);
});

test("the browser opener: platform defaults, BROWSER overrides, BROWSER=none turns it off", () => {
  const url = "https://hex.pm/oauth/device?user_code=BCDFGHJK";
  const cases: [NodeJS.ProcessEnv, NodeJS.Platform, { command: string; args: string[] } | undefined][] = [
    [{}, "linux", { command: "xdg-open", args: [url] }],
    [{}, "darwin", { command: "open", args: [url] }],
    [{ BROWSER: "firefox" }, "linux", { command: "firefox", args: [url] }],
    [{ BROWSER: "firefox --new-window:chromium" }, "linux", { command: "firefox", args: ["--new-window", url] }],
    [{ BROWSER: "lynx %s -dump" }, "linux", { command: "lynx", args: [url, "-dump"] }],
    [{ BROWSER: "none" }, "darwin", undefined],
    [{ BROWSER: "false" }, "linux", undefined],
    [{ BROWSER: "" }, "linux", { command: "xdg-open", args: [url] }],
  ];
  for (const [env, platform, want] of cases)
    assert.deepEqual(browserOpener(url, env, platform), want, `${JSON.stringify(env)} on ${platform}`);
  assert.equal(browserOpener(url, {}, "win32")!.command, "cmd");
});

// ---- the command functions in-process ----

/** A temp home and the server's URL, on the shared in-process Context (test/support/command-context.ts). */
async function contextFor(
  t: { after(fn: () => unknown): void },
  apiUrl: string,
  o: { prompt?: Prompter; env?: Record<string, string> } = {},
): Promise<CommandContext> {
  const dir = mkdtempSync(join(tmpdir(), "hexts-user-int-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { HEX_HOME: join(dir, "hex"), HEX_API_URL: apiUrl, BROWSER: "none", ...o.env };
  return commandContext(t, { cwd: dir, env, prompt: o.prompt });
}

test("auth --key in-process: the key prompt; a local password whose confirmation never matches: refused", async (t) => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const asked: string[] = [];
  const { ctx } = await contextFor(t, server.apiUrl, {
    prompt: scriptedPrompter(
      [ana.apiKey, "one-local", "two-local", "three-local", "four-local", "five-local", "six-local"],
      asked,
    ),
  });
  await assert.rejects(
    auth(ctx, { key: true, browser: true, localPassword: true }),
    (e: unknown) =>
      e instanceof HextsError && e.code === "USAGE" && /passwords did not match \(3 tries\)/.test(e.message),
  );
  assert.deepEqual(asked, [
    "API key (from your account's dashboard):",
    "Local password:",
    "Local password (confirm):",
    "Local password:",
    "Local password (confirm):",
    "Local password:",
    "Local password (confirm):",
  ]);
  assert.deepEqual(await listOrganizations(ctx), { organizations: [] });
});

test("auth --key in-process stores the login; whoami then reads it back through the session", async (t) => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  const { ctx } = await contextFor(t, server.apiUrl, { prompt: scriptedPrompter(["same-local", "same-local"], []) });
  const result = await auth(ctx, { key: ana.apiKey, browser: false, localPassword: true });
  assert.equal(result.method, "key");
  assert.equal(result.encrypted, true);
  const me = await whoami(ctx);
  assert.equal(me.username, "ana");
  assert.deepEqual(me.organizations, [{ name: "acme", role: "admin" }]);
  assert.match(me.credential!.source, /^stored login for /);
});
