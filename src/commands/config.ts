// `hexts config [KEY [VALUE]] [--delete]` (as `mix hex.config`): list every setting with its value and source,
// print one, set one in the user config (validated), or remove one. Secrets are shown as ***.
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import { isSecretSetting } from "../secret-names.js";
import type { Output } from "../ui/output.js";
import {
  SETTINGS,
  SETTING_KEYS,
  describeSource,
  isSettingKey,
  unknownSettingError,
  userConfigStore,
  userSettingValue,
  type SettingKey,
  type SettingSource,
} from "../config/settings.js";

export const ConfigInput = z.object({
  key: z.string().min(1).optional(),
  value: z.string().optional(),
  delete: z.boolean().optional(),
});
export type ConfigInput = z.infer<typeof ConfigInput>;

const MASK = "***";

export interface SettingView {
  key: SettingKey;
  /** The value; `***` for a secret that is set; null when unset. */
  value: string | number | boolean | null;
  source: SettingSource;
  secret: boolean;
  description: string;
}

export type ConfigResult =
  | { action: "list"; file: string; settings: SettingView[] }
  | { action: "get"; file: string; setting: SettingView }
  | { action: "set"; file: string; key: SettingKey; value: unknown; overriddenBy?: string }
  | { action: "delete"; file: string; key: SettingKey; deleted: boolean; overriddenBy?: string };

/** The environment variable that would win over the user config for this key, if one is set. */
function envOverride(ctx: Context, key: SettingKey): string | undefined {
  return SETTINGS[key].env.find((name) => ctx.env[name] !== undefined && ctx.env[name] !== "");
}

function settableKey(key: string): SettingKey {
  if (!isSettingKey(key)) throw unknownSettingError(key);
  const def = SETTINGS[key];
  if (!def.user)
    throw new HextsError("USAGE", `${key} is not stored in the config file: ${def.notStored ?? "it cannot be set"}`, {
      kind: "setting-not-stored",
      details: { key },
    });
  return key;
}

export async function config(ctx: Context, input: ConfigInput): Promise<ConfigResult> {
  const { key, value } = input;
  if (input.delete && key === undefined) throw new HextsError("USAGE", "--delete needs the KEY to remove");
  if (input.delete && value !== undefined)
    throw new HextsError("USAGE", "give either KEY VALUE to set, or KEY --delete to remove, not both");
  if (key !== undefined && !isSettingKey(key)) throw unknownSettingError(key);
  const store = userConfigStore(ctx);

  if (key !== undefined && value !== undefined) {
    const set = userSettingValue(key, value);
    await store.update((cfg) => {
      cfg.settings[set.key] = set.value;
    });
    return { action: "set", file: store.file, key: set.key, value: set.value, overriddenBy: envOverride(ctx, set.key) };
  }
  if (key !== undefined && input.delete) {
    const k = settableKey(key);
    let deleted = false;
    await store.update((cfg) => {
      deleted = Object.hasOwn(cfg.settings, k);
      delete cfg.settings[k];
    });
    return { action: "delete", file: store.file, key: k, deleted, overriddenBy: envOverride(ctx, k) };
  }

  const settings = ctx.settings;
  const view = (k: SettingKey): SettingView => {
    const v = settings.values[k];
    const secret = isSecretSetting(k);
    return {
      key: k,
      value: v === undefined ? null : secret ? MASK : (v as string | number | boolean),
      source: settings.sources[k],
      secret,
      description: SETTINGS[k].description,
    };
  };
  if (key !== undefined) return { action: "get", file: settings.file, setting: view(key as SettingKey) };
  return { action: "list", file: settings.file, settings: SETTING_KEYS.map(view) };
}

function shown(v: SettingView): string {
  if (v.value === null) return "(not set)";
  if (v.secret || typeof v.value !== "string") return String(v.value);
  return JSON.stringify(v.value);
}

export function render(result: ConfigResult, out: Output): void {
  switch (result.action) {
    case "list":
      for (const s of result.settings) {
        out.result(s.value === null ? `${s.key}: (not set)` : `${s.key}: ${shown(s)} ${describeSource(s.source)}`);
      }
      out.info(out.style("dim", `user config: ${result.file}`, "stderr"));
      break;
    case "get":
      if (result.setting.value === null) out.info(`${result.setting.key} is not set`);
      else out.result(String(result.setting.value));
      break;
    case "set":
      out.result(`${result.key} = ${JSON.stringify(result.value)} (saved in ${result.file})`);
      if (result.overriddenBy)
        out.warn(`${result.overriddenBy} is set in the environment and takes precedence over this value`);
      break;
    case "delete":
      out.result(
        result.deleted ? `removed ${result.key} from ${result.file}` : `${result.key} was not set in ${result.file}`,
      );
      if (result.overriddenBy) out.warn(`${result.overriddenBy} is still set in the environment`);
      break;
  }
}

export const subcommands = {
  config: defineSubcommand({ input: ConfigInput, run: config, render }),
} satisfies Subcommands;
