// `hexts config` as a user meets it, through the built binary: listing with sources, get/set/--delete,
// --json, one-line errors, a corrupt file left untouched, mode 0600, and secrets never printed.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runHexts, tempHome, type RunResult } from "../support/cli.js";

const API_KEY = "5ec2e7a91b0c4d8e9f0a1b2c3d4e5f60";
const OTP = "246810";

function setup(t: { after(fn: () => void): void }) {
  const home = tempHome();
  t.after(() => home.cleanup());
  const file = join(home.env.HEX_HOME, "hexts.json");
  const hexts = (args: string[], env: Record<string, string> = {}) => runHexts(args, { env: { ...home.env, ...env } });
  return { home, file, hexts };
}

function assertNoSecrets(r: RunResult) {
  for (const s of [API_KEY, OTP, "local-pass-word"]) {
    assert.ok(!r.stdout.includes(s), `secret in stdout:\n${r.stdout}`);
    assert.ok(!r.stderr.includes(s), `secret in stderr:\n${r.stderr}`);
  }
}

test("hexts config lists every setting with its value and source", async (t) => {
  const { hexts, home, file } = setup(t);
  const r = await hexts(["config"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines, [
    "api_key: (not set)",
    'api_url: "https://hex.pm/api" (default)',
    `home: ${JSON.stringify(home.env.HEX_HOME)} (using HEX_HOME)`,
    "otp: (not set)",
    "local_password: (not set)",
    'oauth_client_id: "hexts" (default)',
    "http_timeout: 15 (default)",
    "trust_project: false (default)",
    "unsafe_https: false (default)",
    "cacerts_path: (not set)",
    "unsafe_registry: false (default)",
    "no_verify_repo_origin: false (default)",
    "offline: false (default)",
    "mirror_url: (not set)",
    "http_proxy: (not set)",
    "https_proxy: (not set)",
    "no_proxy: (not set)",
    "ci: false (default)",
    "no_color: false (default)",
  ]);
  assert.equal(r.stderr, `user config: ${file}\n`);
  assert.equal(existsSync(file), false, "listing creates nothing");
});

test("environment values show which variable they came from; secrets show as ***", async (t) => {
  const { hexts } = setup(t);
  const env = {
    HEX_API_KEY: API_KEY,
    HEX_OTP: OTP,
    HEX_API: "http://127.0.0.1:9/api/",
    HEX_LOCAL_PASSWORD: "local-pass-word",
    https_proxy: "http://proxy.example:3128",
    CI: "true",
  };
  const r = await hexts(["config", "--verbose"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^api_key: \*\*\* \(using HEX_API_KEY\)$/m);
  assert.match(r.stdout, /^api_url: "http:\/\/127\.0\.0\.1:9\/api" \(using HEX_API\)$/m);
  assert.match(r.stdout, /^otp: \*\*\* \(using HEX_OTP\)$/m);
  assert.match(r.stdout, /^local_password: \*\*\* \(using HEX_LOCAL_PASSWORD\)$/m);
  assert.match(r.stdout, /^https_proxy: "http:\/\/proxy\.example:3128" \(using https_proxy\)$/m);
  assert.match(r.stdout, /^ci: true \(using CI\)$/m);
  assertNoSecrets(r);

  const one = await hexts(["config", "api_key"], env);
  assert.equal(one.code, 0);
  assert.equal(one.stdout, "***\n");
  assertNoSecrets(one);

  const json = await hexts(["--json", "config"], env);
  assert.equal(json.code, 0);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.ok, true);
  const apiKey = doc.data.settings.find((s: { key: string }) => s.key === "api_key");
  assert.deepEqual(
    { value: apiKey.value, source: apiKey.source, secret: apiKey.secret },
    { value: "***", source: { kind: "env", name: "HEX_API_KEY" }, secret: true },
  );
  assertNoSecrets(json);
});

test("set, get and --delete a value in the user config (0600), with the environment still winning", async (t) => {
  const { hexts, file } = setup(t);
  let r = await hexts(["config", "http_timeout", "30"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `http_timeout = 30 (saved in ${file})\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(file, "utf8")).settings, { http_timeout: 30 });

  r = await hexts(["config", "http_timeout"]);
  assert.equal(r.stdout, "30\n");
  r = await hexts(["config"]);
  assert.match(r.stdout, /^http_timeout: 30 \(user config\)$/m);

  r = await hexts(["config", "http_timeout"], { HEX_HTTP_TIMEOUT: "45" });
  assert.equal(r.stdout, "45\n");
  r = await hexts(["config", "unsafe_https", "true"], { HEX_UNSAFE_HTTPS: "0" });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /warning: HEX_UNSAFE_HTTPS is set in the environment and takes precedence over this value/);
  r = await hexts(["config", "api_url", "https://hex.example.com/api/"]);
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(readFileSync(file, "utf8")).settings.api_url, "https://hex.example.com/api");
  assert.equal(statSync(file).mode & 0o777, 0o600, "still 0600 after an update");

  r = await hexts(["config", "http_timeout", "--delete"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `removed http_timeout from ${file}\n`);
  r = await hexts(["config", "http_timeout", "--delete"]);
  assert.equal(r.stdout, `http_timeout was not set in ${file}\n`);
  r = await hexts(["config", "http_timeout"]);
  assert.equal(r.stdout, "15\n");
  r = await hexts(["config", "cacerts_path"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "cacerts_path is not set\n");
});

test("--json output is the data", async (t) => {
  const { hexts, file } = setup(t);
  let r = await hexts(["--json", "config", "http_timeout", "20"]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), { ok: true, data: { action: "set", file, key: "http_timeout", value: 20 } });
  assert.equal(r.stderr, "");
  r = await hexts(["--json", "config", "http_timeout"]);
  assert.deepEqual(JSON.parse(r.stdout).data.setting, {
    key: "http_timeout",
    value: 20,
    source: { kind: "user", file },
    secret: false,
    description: "HTTP request timeout in seconds",
  });
  r = await hexts(["--json", "config", "http_timeout", "--delete"]);
  assert.deepEqual(JSON.parse(r.stdout).data, { action: "delete", file, key: "http_timeout", deleted: true });
});

type Usage = [name: string, args: string[], env: Record<string, string>, message: RegExp];
const usage: Usage[] = [
  [
    "unknown key",
    ["config", "bogus"],
    {},
    /^hexts: unknown config key "bogus" \(known keys: api_key, api_url, home, otp, .*no_color\)$/,
  ],
  ["unknown key to set", ["config", "bogus", "1"], {}, /^hexts: unknown config key "bogus"/],
  [
    "invalid value",
    ["config", "http_timeout", "soon"],
    {},
    /^hexts: http_timeout: expected a number of seconds \(got "soon"\)$/,
  ],
  [
    "invalid boolean",
    ["config", "unsafe_https", "yes"],
    {},
    /^hexts: unsafe_https: expected 1, 0, true or false \(got "yes"\)$/,
  ],
  [
    "secret key cannot be set",
    ["config", "api_key", API_KEY],
    {},
    new RegExp(
      "^hexts: api_key cannot be set in the config file: it is a credential; " +
        "store a key with `hexts user auth --key`, or set HEX_API_KEY$",
    ),
  ],
  [
    "a two-factor code cannot be stored",
    ["config", "otp", "123456"],
    {},
    /^hexts: otp cannot be set in the config file: codes change every 30 seconds; pass --otp or set HEX_OTP$/,
  ],
  [
    "env-only key cannot be deleted",
    ["config", "home", "--delete"],
    {},
    /^hexts: home is not stored in the config file/,
  ],
  ["--delete needs a key", ["config", "--delete"], {}, /^hexts: --delete needs the KEY to remove$/],
  [
    "--delete with a value",
    ["config", "http_timeout", "3", "--delete"],
    {},
    /^hexts: give either KEY VALUE to set, or KEY --delete to remove, not both$/,
  ],
  [
    "bad environment value",
    ["config"],
    { HEX_HTTP_TIMEOUT: "abc" },
    /^hexts: HEX_HTTP_TIMEOUT: expected a number of seconds \(got "abc"\)$/,
  ],
];
for (const [name, args, env, message] of usage) {
  test(`usage error (exit 2, one line): ${name}`, async (t) => {
    const { hexts, file } = setup(t);
    const r = await hexts(args, env);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr.trimEnd(), message);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1);
    assert.equal(existsSync(file), false, "nothing written");
    assertNoSecrets(r);
    const json = await hexts(["--json", ...args], env);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stdout).error.code, "USAGE");
  });
}

test("a corrupt config: a clear error with its path (exit 1); neither reading nor writing touches it", async (t) => {
  const { hexts, file, home } = setup(t);
  mkdirSync(home.env.HEX_HOME, { recursive: true });
  const garbage = `{"version": 1, "credentials": {"https://hex.pm/api": {"type": "key", "key": "${API_KEY}"`;
  writeFileSync(file, garbage, { mode: 0o600 });
  for (const args of [
    ["config"],
    ["config", "api_url"],
    ["config", "http_timeout", "30"],
    ["config", "http_timeout", "--delete"],
  ]) {
    const r = await hexts(args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(
      r.stderr,
      `hexts: the config file ${file} is not valid JSON (line 1, column ${garbage.length + 1}); ` +
        "fix it or move it away (hexts left it untouched)\n",
    );
    assertNoSecrets(r);
    assert.equal(readFileSync(file, "utf8"), garbage);
  }
  const json = await hexts(["--json", "config"]);
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).error.code, "CONFIG_INVALID");
});

test("a config file of the wrong shape is reported with where it is wrong", async (t) => {
  const { hexts, file, home } = setup(t);
  mkdirSync(home.env.HEX_HOME, { recursive: true });
  writeFileSync(file, JSON.stringify({ version: 1, settings: { http_timeout: "later" } }));
  const r = await hexts(["config", "http_timeout"]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `^hexts: config file ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ` +
        "settings\\.http_timeout: expected a number of seconds",
    ),
  );
});
