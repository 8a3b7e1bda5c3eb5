// The settings table: precedence flag > env > project > user > default, coercion, and errors that name
// where a bad value came from. One line per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import {
  SETTINGS,
  SETTING_KEYS,
  configHome,
  describeSource,
  resolveLayers,
  userSettingValue,
  type SettingKey,
  type SettingLayers,
} from "../../src/config/settings.js";
import { isSecretSetting } from "../../src/secret-names.js";

const HOME = "/tmp/hexts-home-for-tests";
const base = { HEX_HOME: HOME };
const cwd = "/home/ana/proj";

type Case = [name: string, key: SettingKey, layers: Partial<SettingLayers>, value: unknown, source: string];

const cases: Case[] = [
  ["default api_url", "api_url", {}, "https://hex.pm/api", "(default)"],
  [
    "user config beats default",
    "api_url",
    { user: { api_url: "https://u.example/api" } },
    "https://u.example/api",
    "(user config)",
  ],
  [
    "project beats user",
    "api_url",
    { project: { api_url: "https://p.example/api" }, user: { api_url: "https://u.example/api" } },
    "https://p.example/api",
    "(project config)",
  ],
  [
    "env beats project",
    "api_url",
    { env: { HEX_API_URL: "https://e.example/api" }, project: { api_url: "https://p.example/api" } },
    "https://e.example/api",
    "(using HEX_API_URL)",
  ],
  [
    "flag beats env",
    "api_url",
    { flags: { api_url: "https://f.example/api" }, env: { HEX_API_URL: "https://e.example/api" } },
    "https://f.example/api",
    "(using --api-url)",
  ],
  [
    "HEX_API alias",
    "api_url",
    { env: { HEX_API: "https://alias.example/api" } },
    "https://alias.example/api",
    "(using HEX_API)",
  ],
  [
    "HEX_API_URL beats HEX_API",
    "api_url",
    { env: { HEX_API: "https://b.example/api", HEX_API_URL: "https://a.example/api" } },
    "https://a.example/api",
    "(using HEX_API_URL)",
  ],
  [
    "trailing slashes stripped",
    "api_url",
    { env: { HEX_API_URL: "http://127.0.0.1:4000/api//" } },
    "http://127.0.0.1:4000/api",
    "(using HEX_API_URL)",
  ],
  [
    "empty env string is unset",
    "api_url",
    { env: { HEX_API_URL: "" }, user: { api_url: "https://u.example/api" } },
    "https://u.example/api",
    "(user config)",
  ],
  ["api_key unset", "api_key", {}, undefined, "(not set)"],
  ["HEX_API_KEY", "api_key", { env: { HEX_API_KEY: "k1k1k1k1" } }, "k1k1k1k1", "(using HEX_API_KEY)"],
  ["HEXPM_API_KEY alias", "api_key", { env: { HEXPM_API_KEY: "k2k2k2k2" } }, "k2k2k2k2", "(using HEXPM_API_KEY)"],
  [
    "HEX_API_KEY beats alias",
    "api_key",
    { env: { HEXPM_API_KEY: "k2k2k2k2", HEX_API_KEY: "k1k1k1k1" } },
    "k1k1k1k1",
    "(using HEX_API_KEY)",
  ],
  ["api_key from project", "api_key", { project: { api_key: "pkpkpkpk" } }, "pkpkpkpk", "(project config)"],
  ["api_key never from user settings", "api_key", { user: { api_key: "ukukukuk" } }, undefined, "(not set)"],
  ["http_timeout default 15", "http_timeout", {}, 15, "(default)"],
  ["http_timeout env string", "http_timeout", { env: { HEX_HTTP_TIMEOUT: "60" } }, 60, "(using HEX_HTTP_TIMEOUT)"],
  ["http_timeout decimal", "http_timeout", { env: { HEX_HTTP_TIMEOUT: "2.5" } }, 2.5, "(using HEX_HTTP_TIMEOUT)"],
  ["http_timeout user number", "http_timeout", { user: { http_timeout: 30 } }, 30, "(user config)"],
  ["http_timeout project string", "http_timeout", { project: { http_timeout: "45" } }, 45, "(project config)"],
  ["http_timeout project Erlang integer", "http_timeout", { project: { http_timeout: 90n } }, 90, "(project config)"],
  ["unsafe_https default", "unsafe_https", {}, false, "(default)"],
  ["unsafe_https 1", "unsafe_https", { env: { HEX_UNSAFE_HTTPS: "1" } }, true, "(using HEX_UNSAFE_HTTPS)"],
  ["unsafe_https 0", "unsafe_https", { env: { HEX_UNSAFE_HTTPS: "0" } }, false, "(using HEX_UNSAFE_HTTPS)"],
  ["unsafe_https true", "unsafe_https", { env: { HEX_UNSAFE_HTTPS: "true" } }, true, "(using HEX_UNSAFE_HTTPS)"],
  ["unsafe_https TRUE", "unsafe_https", { env: { HEX_UNSAFE_HTTPS: "TRUE" } }, true, "(using HEX_UNSAFE_HTTPS)"],
  ["unsafe_https false", "unsafe_https", { env: { HEX_UNSAFE_HTTPS: "false" } }, false, "(using HEX_UNSAFE_HTTPS)"],
  ["unsafe_https FALSE", "unsafe_https", { env: { HEX_UNSAFE_HTTPS: "FALSE" } }, false, "(using HEX_UNSAFE_HTTPS)"],
  [
    "unsafe_https empty = false, beats user",
    "unsafe_https",
    { env: { HEX_UNSAFE_HTTPS: "" }, user: { unsafe_https: true } },
    false,
    "(using HEX_UNSAFE_HTTPS)",
  ],
  ["unsafe_https user boolean", "unsafe_https", { user: { unsafe_https: true } }, true, "(user config)"],
  [
    "mirror_url HEX_MIRROR",
    "mirror_url",
    { env: { HEX_MIRROR: "https://m.example/" } },
    "https://m.example",
    "(using HEX_MIRROR)",
  ],
  [
    "mirror_url HEX_MIRROR_URL alias",
    "mirror_url",
    { env: { HEX_MIRROR_URL: "https://m2.example" } },
    "https://m2.example",
    "(using HEX_MIRROR_URL)",
  ],
  ["oauth_client_id default", "oauth_client_id", {}, "hexts", "(default)"],
  [
    "oauth_client_id env",
    "oauth_client_id",
    { env: { HEX_OAUTH_CLIENT_ID: "abc-123" } },
    "abc-123",
    "(using HEX_OAUTH_CLIENT_ID)",
  ],
  [
    "cacerts_path env",
    "cacerts_path",
    { env: { HEX_CACERTS_PATH: "/etc/ca.pem" } },
    "/etc/ca.pem",
    "(using HEX_CACERTS_PATH)",
  ],
  ["otp from flag", "otp", { flags: { otp: "123456" }, env: { HEX_OTP: "654321" } }, "123456", "(using --otp)"],
  ["otp from env", "otp", { env: { HEX_OTP: "654321" } }, "654321", "(using HEX_OTP)"],
  ["otp never from project", "otp", { project: { otp: "111111" } }, undefined, "(not set)"],
  [
    "http_proxy upper case",
    "http_proxy",
    { env: { HTTP_PROXY: "http://proxy:3128" } },
    "http://proxy:3128",
    "(using HTTP_PROXY)",
  ],
  [
    "http_proxy lower case wins",
    "http_proxy",
    { env: { HTTP_PROXY: "http://upper:1", http_proxy: "http://lower:2" } },
    "http://lower:2",
    "(using http_proxy)",
  ],
  [
    "https_proxy lower case",
    "https_proxy",
    { env: { https_proxy: "http://p:8080" } },
    "http://p:8080",
    "(using https_proxy)",
  ],
  ["no_proxy upper case", "no_proxy", { env: { NO_PROXY: "localhost,.corp" } }, "localhost,.corp", "(using NO_PROXY)"],
  ["no_proxy user config", "no_proxy", { user: { no_proxy: "127.0.0.1" } }, "127.0.0.1", "(user config)"],
  ["ci default", "ci", {}, false, "(default)"],
  ["ci true", "ci", { env: { CI: "true" } }, true, "(using CI)"],
  ["ci woodpecker", "ci", { env: { CI: "woodpecker" } }, true, "(using CI)"],
  ["ci 0", "ci", { env: { CI: "0" } }, false, "(using CI)"],
  ["ci empty", "ci", { env: { CI: "" } }, false, "(using CI)"],
  ["no_color set", "no_color", { env: { NO_COLOR: "1" } }, true, "(using NO_COLOR)"],
  ["no_color flag", "no_color", { flags: { no_color: true } }, true, "(using --no-color)"],
  [
    "local_password env",
    "local_password",
    { env: { HEX_LOCAL_PASSWORD: "sekrit-pw" } },
    "sekrit-pw",
    "(using HEX_LOCAL_PASSWORD)",
  ],
  ["home from HEX_HOME", "home", {}, HOME, "(using HEX_HOME)"],
  [
    "relative HEX_HOME resolved against cwd",
    "home",
    { env: { HEX_HOME: "rel/hex" } },
    "/home/ana/proj/rel/hex",
    "(using HEX_HOME)",
  ],
  [
    "unknown project keys ignored",
    "api_url",
    { project: { doc: "ex_doc", repos: [] } },
    "https://hex.pm/api",
    "(default)",
  ],
];

for (const [name, key, layers, value, source] of cases) {
  test(`settings: ${name}`, () => {
    const r = resolveLayers({ cwd, ...layers, env: { ...base, ...layers.env } });
    assert.deepEqual(r.values[key], value);
    assert.equal(describeSource(r.sources[key]), source);
  });
}

type Bad = [name: string, layers: Partial<SettingLayers>, code: string, message: RegExp];
const bad: Bad[] = [
  [
    "boolean word",
    { env: { HEX_UNSAFE_HTTPS: "yes" } },
    "USAGE",
    /^HEX_UNSAFE_HTTPS: expected 1, 0, true or false \(got "yes"\)$/,
  ],
  ["timeout text", { env: { HEX_HTTP_TIMEOUT: "soon" } }, "USAGE", /^HEX_HTTP_TIMEOUT: expected a number of seconds/],
  [
    "timeout zero",
    { env: { HEX_HTTP_TIMEOUT: "0" } },
    "USAGE",
    /^HEX_HTTP_TIMEOUT: expected a number of seconds greater than 0/,
  ],
  [
    "api url scheme",
    { env: { HEX_API_URL: "ftp://x" } },
    "USAGE",
    /^HEX_API_URL: expected an http:\/\/ or https:\/\/ URL/,
  ],
  ["flag value", { flags: { http_timeout: "x" } }, "USAGE", /^--http-timeout: /],
  [
    "otp shape, no value shown",
    { env: { HEX_OTP: "12ab56" } },
    "USAGE",
    /^HEX_OTP: expected the 6-digit code from your authenticator app$/,
  ],
  ["project value", { project: { unsafe_https: "maybe" } }, "PROJECT_INVALID", /^project config unsafe_https: /],
  [
    "user value names the file",
    { user: { http_timeout: "x" }, userFile: "/h/hexts.json" },
    "CONFIG_INVALID",
    /^config file \/h\/hexts.json: settings.http_timeout: /,
  ],
];
for (const [name, layers, code, message] of bad) {
  test(`settings error: ${name}`, () => {
    assert.throws(
      () => resolveLayers({ cwd, ...layers, env: { ...base, ...layers.env } }),
      (e: unknown) => e instanceof HextsError && e.code === code && message.test(e.message),
    );
  });
}

test("settings: a secret's bad value is never echoed", () => {
  assert.throws(
    () => resolveLayers({ cwd, env: { ...base, HEX_API_KEY: " " } }),
    (e: unknown) => e instanceof HextsError && !e.message.includes("got"),
  );
});

test("settings: every key resolves, and the table names env vars only here", () => {
  const r = resolveLayers({ cwd, env: base });
  assert.deepEqual(Object.keys(r.values).sort(), [...SETTING_KEYS].sort());
  for (const key of SETTING_KEYS) assert.ok(SETTINGS[key].env.length > 0, key);
  // the variables are all declared
  const envs = SETTING_KEYS.flatMap((k) => SETTINGS[k].env);
  for (const v of [
    "HEX_API_KEY",
    "HEXPM_API_KEY",
    "HEX_API_URL",
    "HEX_API",
    "HEX_HOME",
    "HEX_OTP",
    "HEX_UNSAFE_HTTPS",
    "HEX_CACERTS_PATH",
    "HEX_HTTP_TIMEOUT",
    "HEX_MIRROR",
    "HEX_MIRROR_URL",
    "HEX_OAUTH_CLIENT_ID",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    "CI",
    "NO_COLOR",
    "HEX_LOCAL_PASSWORD",
  ]) {
    assert.ok(envs.includes(v), v);
  }
});

test("settings: secrets are marked secret", () => {
  assert.deepEqual(SETTING_KEYS.filter(isSecretSetting).sort(), ["api_key", "local_password", "otp"]);
});

type SetCase = [key: string, raw: string, ok: unknown | RegExp];
const sets: SetCase[] = [
  ["http_timeout", "30", 30],
  ["unsafe_https", "true", true],
  ["api_url", "https://hex.example/api/", "https://hex.example/api"],
  ["http_timeout", "-1", /^http_timeout: expected a number of seconds/],
  ["bogus", "1", /^unknown config key "bogus" \(known keys: api_key, api_url, /],
  // The library states the fact; the CLI adds how to supply it (cli/advice.ts, tested in config-cli).
  ["api_key", "x", /^api_key cannot be set in the config file: it is a credential$/],
  ["home", "/x", /^home cannot be set in the config file/],
  ["otp", "123456", /^otp cannot be set in the config file: codes change every 30 seconds$/],
];
for (const [key, raw, ok] of sets) {
  test(`userSettingValue ${key} ${raw}`, () => {
    if (ok instanceof RegExp) {
      assert.throws(
        () => userSettingValue(key, raw),
        (e: unknown) =>
          e instanceof HextsError &&
          e.code === "USAGE" &&
          ok.test(e.message) &&
          !e.message.includes("\n") &&
          !/hexts |--otp/.test(e.message),
      );
    } else {
      assert.deepEqual(userSettingValue(key, raw).value, ok);
    }
  });
}

test("configHome: HEX_HOME wins, otherwise the env-paths config dir named hexts", () => {
  assert.equal(configHome({ HEX_HOME: "/a/b" }, cwd), "/a/b");
  const fallback = configHome({}, cwd);
  assert.match(fallback, /hexts$/);
  assert.doesNotMatch(fallback, /hexts-nodejs/);
});
