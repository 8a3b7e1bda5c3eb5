// The one list of what is secret by name: the settings whose values are secrets (their environment variables are
// kept from child processes, their values redacted and never echoed) and the field names whose string values are
// masked in JSON output and in text that looks like JSON. Values known at run time are masked by value as well
// (ui/redact.ts SecretRegistry); this list covers what the run was never told about.

/**
 * Settings holding secrets: HEX_API_KEY/HEXPM_API_KEY, HEX_OTP, HEX_LOCAL_PASSWORD (env names: the settings table,
 * config/settings.ts, which checks that these are its keys).
 */
export const SECRET_SETTINGS = ["api_key", "otp", "local_password"] as const;

/** Field names whose string value is a secret wherever they appear (any case; `_`/`-` ignored: apiKey = api_key). */
export const SECRET_FIELDS: readonly string[] = [
  ...SECRET_SETTINGS,
  "secret",
  "password",
  "access_token",
  "refresh_token",
  "token",
  "client_secret",
  "device_code",
  "auth_key",
  "repo_key",
];

const normalize = (name: string) => name.toLowerCase().replace(/[_-]/g, "");
const SECRET_FIELD_SET = new Set(SECRET_FIELDS.map(normalize));

export function isSecretSetting(key: string): boolean {
  return (SECRET_SETTINGS as readonly string[]).includes(key);
}

/** `access_token`, `accessToken`, `ACCESS-TOKEN`: true. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD_SET.has(normalize(name));
}
