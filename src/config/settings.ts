// The one table of settings (env var names, config key, default, coercion, secrecy) and their resolution:
// flag > environment > project config > user config > default. No other module knows env var names.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import envPaths from "env-paths";
import { z } from "zod";
import { HextsError, type ErrorCode } from "../errors.js";
import { SECRET_SETTINGS, isSecretSetting } from "../secret-names.js";
import type { ConfigContext } from "./context.js";
import { ConfigStore } from "./store.js";

export const DEFAULT_API_URL = "https://hex.pm/api";
export const CONFIG_FILE_NAME = "hexts.json";

/** Every setting's resolved value. Keys are the config keys (as `mix hex.config`). */
export interface SettingValues {
  api_key?: string;
  api_url: string;
  home: string;
  otp?: string;
  local_password?: string;
  oauth_client_id: string;
  http_timeout: number;
  unsafe_https: boolean;
  trust_project: boolean;
  cacerts_path?: string;
  mirror_url?: string;
  unsafe_registry: boolean;
  no_verify_repo_origin: boolean;
  offline: boolean;
  http_proxy?: string;
  https_proxy?: string;
  no_proxy?: string;
  ci: boolean;
  no_color: boolean;
}
export type SettingKey = keyof SettingValues;
// The secret settings named in secret-names.ts are keys of this table (a type error here otherwise).
SECRET_SETTINGS satisfies readonly SettingKey[];

/** How raw input (an env string, a JSON value, a flag) becomes a value. */
interface Kind<T> {
  schema: z.ZodType<T>;
  /** An empty env var counts as unset (strings), or as a value (booleans: empty = false). */
  emptyIsUnset: boolean;
}

export interface SettingDef<T> {
  kind: Kind<T>;
  /** Environment variables, in precedence order. */
  env: readonly string[];
  /** Read from the project config (rebar.config `{hex, [...]}`, mix.exs `hex:`). */
  project: boolean;
  /** Read from, and written to, the user config file by `hexts config KEY VALUE`. */
  user: boolean;
  default?: T | ((env: NodeJS.ProcessEnv, cwd: string) => T);
  /** The flag that sets it, for display (`--otp`). */
  flag?: string;
  /** Why `hexts config KEY VALUE` refuses it, when `user` is false. */
  notStored?: string;
  description: string;
}

const booleanWords = ["1", "0", "true", "false", "TRUE", "FALSE", ""] as const;

const text: Kind<string> = {
  schema: z.string({ error: "expected a string" }).trim().min(1, "expected a non-empty string"),
  emptyIsUnset: true,
};
const url: Kind<string> = {
  schema: z
    .string({ error: "expected a URL" })
    .trim()
    .refine((v) => /^https?:$/.test(safeUrl(v)?.protocol ?? ""), "expected an http:// or https:// URL")
    .transform((v) => v.replace(/\/+$/, "")),
  emptyIsUnset: true,
};
/** Proxy URLs: any scheme (http, https, socks...). */
const proxyUrl: Kind<string> = {
  schema: z
    .string({ error: "expected a URL" })
    .trim()
    .refine((v) => safeUrl(v) !== undefined, "expected a URL"),
  emptyIsUnset: true,
};
const strictBoolean: Kind<boolean> = {
  schema: z.union([z.boolean(), z.enum(booleanWords).transform((v) => v === "1" || v.toLowerCase() === "true")], {
    error: "expected 1, 0, true or false",
  }),
  emptyIsUnset: false,
};
/** CI and NO_COLOR: present and not empty/0/false means on (CI systems set CI=true, CI=1, CI=woodpecker...). */
const presence: Kind<boolean> = {
  schema: z.union([z.boolean(), z.string().transform((v) => v !== "" && v !== "0" && v.toLowerCase() !== "false")], {
    error: "expected a boolean",
  }),
  emptyIsUnset: false,
};
const seconds: Kind<number> = {
  schema: z
    .union(
      [
        z.number(),
        z.bigint().transform(Number),
        z
          .string()
          .trim()
          .regex(/^\d+(\.\d+)?$/)
          .transform(Number),
      ],
      {
        error: "expected a number of seconds",
      },
    )
    .pipe(z.number().finite().positive("expected a number of seconds greater than 0")),
  emptyIsUnset: true,
};
const otpCode: Kind<string> = {
  schema: z
    .string({ error: "expected a code" })
    .trim()
    .regex(/^\d{6,8}$/, "expected the 6-digit code from your authenticator app"),
  emptyIsUnset: true,
};
const directory: Kind<string> = { schema: text.schema, emptyIsUnset: true };

function safeUrl(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

/** The table. Its order is the order `hexts config` lists settings in. */
export const SETTINGS: { readonly [K in SettingKey]-?: SettingDef<NonNullable<SettingValues[K]>> } = {
  api_key: {
    kind: text,
    env: ["HEX_API_KEY", "HEXPM_API_KEY"],
    project: true,
    user: false,
    notStored: "it is a credential",
    description: "API key used for every API call instead of the stored login",
  },
  api_url: {
    kind: url,
    env: ["HEX_API_URL", "HEX_API"],
    project: true,
    user: true,
    default: DEFAULT_API_URL,
    description: "Hex API base URL",
  },
  home: {
    kind: directory,
    env: ["HEX_HOME"],
    project: false,
    user: false,
    default: () => envPaths("hexts", { suffix: "" }).config,
    notStored: "it locates the config file itself; set HEX_HOME",
    description: "directory of the hexts config file",
  },
  otp: {
    kind: otpCode,
    env: ["HEX_OTP"],
    project: false,
    user: false,
    flag: "--otp",
    notStored: "codes change every 30 seconds",
    description: "two-factor code for writes made with an OAuth login",
  },
  local_password: {
    kind: text,
    env: ["HEX_LOCAL_PASSWORD"],
    project: false,
    user: false,
    notStored: "it protects the config file; set HEX_LOCAL_PASSWORD for runs that cannot prompt",
    description: "local password that decrypts stored credentials",
  },
  oauth_client_id: {
    kind: text,
    env: ["HEX_OAUTH_CLIENT_ID"],
    project: true,
    user: true,
    default: "hexts",
    description: "OAuth client id used by `hexts user auth`",
  },
  http_timeout: {
    kind: seconds,
    env: ["HEX_HTTP_TIMEOUT"],
    project: true,
    user: true,
    default: 15,
    description: "HTTP request timeout in seconds",
  },
  trust_project: {
    kind: strictBoolean,
    env: ["HEX_TRUST_PROJECT"],
    project: false,
    user: true,
    default: false,
    description:
      "let project files (rebar.config, mix.exs) set api_key, proxies, unsafe_https and cacerts_path, " +
      "and send credentials to their api_url",
  },
  unsafe_https: {
    kind: strictBoolean,
    env: ["HEX_UNSAFE_HTTPS"],
    project: true,
    user: true,
    default: false,
    description: "skip TLS certificate verification",
  },
  cacerts_path: {
    kind: text,
    env: ["HEX_CACERTS_PATH"],
    project: true,
    user: true,
    description: "CA bundle (PEM) to trust",
  },
  unsafe_registry: {
    kind: strictBoolean,
    env: ["HEX_UNSAFE_REGISTRY"],
    project: true,
    user: true,
    default: false,
    description: "skip registry signature verification (audit, outdated, package)",
  },
  no_verify_repo_origin: {
    kind: strictBoolean,
    env: ["HEX_NO_VERIFY_REPO_ORIGIN"],
    project: true,
    user: true,
    default: false,
    description: "skip the check that registry data names the repository (and package) asked for",
  },
  offline: {
    kind: strictBoolean,
    env: ["HEX_OFFLINE"],
    project: true,
    user: true,
    default: false,
    description: "registry reads use the on-disk cache only, never the network",
  },
  mirror_url: {
    kind: url,
    env: ["HEX_MIRROR", "HEX_MIRROR_URL"],
    project: true,
    user: true,
    description: "hexpm repository mirror (untrusted: never sent credentials)",
  },
  http_proxy: {
    kind: proxyUrl,
    env: ["http_proxy", "HTTP_PROXY"],
    project: true,
    user: true,
    description: "proxy for http:// requests",
  },
  https_proxy: {
    kind: proxyUrl,
    env: ["https_proxy", "HTTPS_PROXY"],
    project: true,
    user: true,
    description: "proxy for https:// requests",
  },
  no_proxy: {
    kind: text,
    env: ["no_proxy", "NO_PROXY"],
    project: true,
    user: true,
    description: "hosts reached without a proxy (comma-separated)",
  },
  ci: {
    kind: presence,
    env: ["CI"],
    project: false,
    user: false,
    default: false,
    notStored: "set CI in the environment",
    description: "running in CI: never prompt",
  },
  no_color: {
    kind: presence,
    env: ["NO_COLOR"],
    project: false,
    user: false,
    default: false,
    flag: "--no-color",
    notStored: "set NO_COLOR or pass --no-color",
    description: "disable colour",
  },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

export type SettingSource =
  | { kind: "flag"; name: string }
  | { kind: "env"; name: string }
  | { kind: "project" }
  | { kind: "user"; file?: string }
  | { kind: "default" }
  | { kind: "unset" };

/** `(using HEX_API_URL)`, `(user config)`, ... as `mix hex.config` prints them. */
export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case "flag":
    case "env":
      return `(using ${source.name})`;
    case "project":
      return "(project config)";
    case "user":
      return "(user config)";
    case "default":
      return "(default)";
    case "unset":
      return "(not set)";
  }
}

export interface ResolvedSettings {
  readonly values: Readonly<SettingValues>;
  readonly sources: Readonly<Record<SettingKey, SettingSource>>;
  /** The user config file the user layer came from (it may not exist). */
  readonly file: string;
}

export interface SettingLayers {
  /** Command-line values, keyed by setting key; undefined means not given. */
  flags?: Partial<Record<SettingKey, unknown>>;
  env: NodeJS.ProcessEnv;
  /** Project-level hex config as the project readers produce it; unknown keys are ignored. */
  project?: Record<string, unknown>;
  /** The `settings` object of the user config file. */
  user?: Record<string, unknown>;
  /** For error messages and the `user` source. */
  userFile?: string;
  cwd: string;
}

type Layer = "flag" | "env" | "project" | "user";

const errorCodeOf: Record<Layer, ErrorCode> = {
  flag: "USAGE",
  env: "USAGE",
  project: "PROJECT_INVALID",
  user: "CONFIG_INVALID",
};

/** Coerces one raw value for a setting; throws a HextsError naming where the value came from. */
export function coerceSetting<K extends SettingKey>(
  key: K,
  raw: unknown,
  where: { layer: Layer; name: string },
): NonNullable<SettingValues[K]> {
  const def = SETTINGS[key] as SettingDef<NonNullable<SettingValues[K]>>;
  const parsed = def.kind.schema.safeParse(raw);
  if (parsed.success) return key === "home" ? (expandHome(parsed.data as string) as never) : parsed.data;
  const reason = parsed.error.issues[0]?.message ?? "invalid value";
  const shown = isSecretSetting(key) || typeof raw === "object" ? "" : ` (got ${JSON.stringify(raw)})`;
  throw new HextsError(errorCodeOf[where.layer], `${where.name}: ${reason}${shown}`);
}

function expandHome(dir: string): string {
  return dir === "~" || dir.startsWith("~/") ? join(homedir(), dir.slice(1)) : dir;
}

function envValue(env: NodeJS.ProcessEnv, def: SettingDef<unknown>): { name: string; raw: string } | undefined {
  for (const name of def.env) {
    const raw = env[name];
    if (raw === undefined || (raw === "" && def.kind.emptyIsUnset)) continue;
    return { name, raw };
  }
  return undefined;
}

/** A setting's value from the environment alone (for the few readers that need no other layer). */
export function envSetting<K extends SettingKey>(
  env: NodeJS.ProcessEnv,
  key: K,
): { name: string; value: NonNullable<SettingValues[K]> } | undefined {
  const found = envValue(env, SETTINGS[key] as SettingDef<unknown>);
  return found && { name: found.name, value: coerceSetting(key, found.raw, { layer: "env", name: found.name }) };
}

function flagName(key: SettingKey): string {
  return SETTINGS[key].flag ?? `--${key.replace(/_/g, "-")}`;
}

/** Resolves every setting from explicit layers. Pure: no file or process access beyond the defaults. */
export function resolveLayers(layers: SettingLayers): {
  values: SettingValues;
  sources: Record<SettingKey, SettingSource>;
} {
  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingKey, SettingSource>;
  for (const key of SETTING_KEYS) {
    const def = SETTINGS[key] as SettingDef<unknown>;
    let found: { value: unknown; source: SettingSource } | undefined;

    const flag = layers.flags?.[key];
    if (flag !== undefined) {
      const name = flagName(key);
      found = { value: coerceSetting(key, flag, { layer: "flag", name }), source: { kind: "flag", name } };
    }
    const fromEnv = found ? undefined : envValue(layers.env, def);
    if (fromEnv) {
      found = {
        value: coerceSetting(key, fromEnv.raw, { layer: "env", name: fromEnv.name }),
        source: { kind: "env", name: fromEnv.name },
      };
    }
    if (!found && def.project && layers.project && layers.project[key] !== undefined) {
      found = {
        value: coerceSetting(key, layers.project[key], { layer: "project", name: `project config ${key}` }),
        source: { kind: "project" },
      };
    }
    if (!found && def.user && layers.user && layers.user[key] !== undefined) {
      const name = `config file ${layers.userFile ?? CONFIG_FILE_NAME}: settings.${key}`;
      found = {
        value: coerceSetting(key, layers.user[key], { layer: "user", name }),
        source: { kind: "user", file: layers.userFile },
      };
    }
    if (!found && def.default !== undefined) {
      const value =
        typeof def.default === "function"
          ? (def.default as (env: NodeJS.ProcessEnv, cwd: string) => unknown)(layers.env, layers.cwd)
          : def.default;
      found = { value, source: { kind: "default" } };
    }
    if (key === "home" && found) found.value = resolve(layers.cwd, found.value as string);
    values[key] = found?.value;
    sources[key] = found?.source ?? { kind: "unset" };
  }
  return { values: values as unknown as SettingValues, sources };
}

/**
 * The directory holding the user config: HEX_HOME, else the OS config dir (env-paths, which reads the
 * process's own HOME/XDG_CONFIG_HOME: in-process tests set HEX_HOME).
 */
export function configHome(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, envSetting(env, "home")?.value ?? envPaths("hexts", { suffix: "" }).config);
}

export function configFilePath(env: NodeJS.ProcessEnv, cwd: string): string {
  return join(configHome(env, cwd), CONFIG_FILE_NAME);
}

/** The user config store for this run (one per run, keyed on the file): the file is read once per run. */
export function userConfigStore(ctx: Pick<ConfigContext, "env" | "cwd" | "memo">): ConfigStore {
  const file = configFilePath(ctx.env, ctx.cwd);
  return ctx.memo(`config/store:${file}`, () => new ConfigStore(file, { readOnce: true }));
}

export interface ResolveOptions {
  flags?: Partial<Record<SettingKey, unknown>>;
  project?: Record<string, unknown>;
}

/**
 * Resolves every setting for this run, memoised per run (per distinct options). Secret values found are
 * registered for redaction. Throws USAGE (bad flag/env value), PROJECT_INVALID or CONFIG_INVALID (with the path).
 */
export function resolveSettings(ctx: ConfigContext, opts: ResolveOptions = {}): Promise<ResolvedSettings> {
  const flags: Partial<Record<SettingKey, unknown>> = Object.fromEntries(
    Object.entries(opts.flags ?? {}).filter(([, v]) => v !== undefined),
  );
  const memoKey = `config/settings:${stableJson({ flags, project: opts.project ?? null })}`;
  return ctx.memo(memoKey, async () => {
    const store = userConfigStore(ctx);
    const config = await store.read();
    const { values, sources } = resolveLayers({
      flags,
      env: ctx.env,
      project: opts.project,
      user: config.settings,
      userFile: store.file,
      cwd: ctx.cwd,
    });
    for (const key of SECRET_SETTINGS) ctx.out.secrets.add(values[key] as string | undefined);
    return Object.freeze({ values: Object.freeze(values), sources: Object.freeze(sources), file: store.file });
  });
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (typeof val === "bigint") return `${val}n`; // project terms may carry Erlang integers as bigint
    return val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b)))
      : val;
  });
}

/** The error for a key that is not in the table: one line, listing the valid keys. */
export function unknownSettingError(key: string): HextsError {
  return new HextsError("USAGE", `unknown config key "${key}" (known keys: ${SETTING_KEYS.join(", ")})`);
}

/** Validates KEY VALUE for the user config; returns the coerced value to store. */
export function userSettingValue(key: string, raw: string): { key: SettingKey; value: unknown } {
  if (!isSettingKey(key)) throw unknownSettingError(key);
  const def = SETTINGS[key];
  if (!def.user)
    throw new HextsError("USAGE", `${key} cannot be set in the config file: ${def.notStored ?? "it is not stored"}`, {
      kind: "setting-not-stored",
      details: { key },
    });
  return { key, value: coerceSetting(key, raw, { layer: "flag", name: key }) };
}
