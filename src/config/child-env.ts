// The environment of the programs hexts starts (git in `cut`, the docs generator, the browser opener). They run
// code hexts does not control (git hooks and config, the project's mix.exs or rebar.config plugins), so they get
// the environment without the secrets the settings table marks as such (HEX_API_KEY, HEX_OTP, HEX_LOCAL_PASSWORD...).
import { SECRET_SETTINGS } from "../secret-names.js";
import { SETTINGS } from "./settings.js";

/** The environment variable names that carry hexts secrets, upper-cased. */
export function secretEnvNames(): Set<string> {
  const names = new Set<string>();
  for (const key of SECRET_SETTINGS) for (const name of SETTINGS[key].env) names.add(name.toUpperCase());
  return names;
}

/** A copy of `env` without hexts secrets (names compared case-insensitively, as Windows does). */
export function childProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const secret = secretEnvNames();
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!secret.has(name.toUpperCase())) out[name] = value;
  return out;
}
