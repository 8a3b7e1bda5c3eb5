// The optional local password that seals stored credentials: opened before a login (so nobody waits on a browser
// only to be asked later), offered when none is set, and changed by `reset_password local`.
import type { Context } from "../context.js";
import { HextsError } from "../../errors.js";
import { hasLocalPassword, setLocalPassword, unlock, userConfigStore } from "../../config/index.js";
import { envSetting } from "../../config/settings.js";
import { readStdinSecret } from "./stdin.js";

export interface LocalPasswordOptions {
  /** `--no-local-password`: store unencrypted without asking. */
  skip: boolean;
  /** `--local-password-stdin`. */
  fromStdin: boolean;
}

export interface VaultOutcome {
  /** Stored secrets are sealed with a local password. */
  encrypted: boolean;
  /** The config file, for the "stored unencrypted" note. */
  file: string;
}

const MAX_TRIES = 3;

/** Asks a new password twice (hidden) until both match; empty is returned as "" when allowed. */
export async function askNewPassword(
  ctx: Context,
  labels: { first: string; confirm: string; supply: string },
  allowEmpty: boolean,
): Promise<string> {
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const first = await ctx.prompt.secret(labels.first, { supply: labels.supply });
    if (first === "") {
      if (allowEmpty) return "";
      ctx.out.warn("the password cannot be empty");
      continue;
    }
    ctx.out.secrets.add(first);
    const again = await ctx.prompt.secret(labels.confirm, { supply: labels.supply });
    if (again === first) return first;
    ctx.out.warn(
      attempt < MAX_TRIES ? "the two passwords do not match, please try again" : "the two passwords do not match",
    );
  }
  throw new HextsError("USAGE", `the passwords did not match (${MAX_TRIES} tries); nothing was changed`);
}

/** Opens an existing local password now (asking once, or HEX_LOCAL_PASSWORD), so later writes do not ask. */
export async function openVault(ctx: Context): Promise<boolean> {
  if (!(await hasLocalPassword(ctx))) return false;
  await unlock(ctx, await userConfigStore(ctx).read());
  return true;
}

/**
 * Before storing new credentials: keep the local password in place, or offer to set one (hidden, confirmed),
 * take it from stdin or HEX_LOCAL_PASSWORD, or leave the store unencrypted with a one-line warning.
 */
export async function prepareVault(ctx: Context, o: LocalPasswordOptions): Promise<VaultOutcome> {
  const file = userConfigStore(ctx).file;
  if (await openVault(ctx)) return { encrypted: true, file };
  let password = "";
  if (o.fromStdin) {
    password = await readStdinSecret(ctx, { what: "local password", flag: "--local-password-stdin" });
  } else if (!o.skip) {
    const fromEnv = envSetting(ctx.env, "local_password");
    if (fromEnv) password = fromEnv.value;
    else if (ctx.prompt.interactive) {
      ctx.out.info(
        "Choose a local password to encrypt the stored credentials on this machine (empty: store them unencrypted).",
      );
      password = await askNewPassword(
        ctx,
        {
          first: "Local password:",
          confirm: "Local password (confirm):",
          supply: "--local-password-stdin or HEX_LOCAL_PASSWORD",
        },
        true,
      );
    }
  }
  if (password === "") {
    ctx.out.warn(
      `credentials are stored unencrypted in ${file} (readable only by you); ` +
        "add a local password with `hexts user reset_password local`",
    );
    return { encrypted: false, file };
  }
  await setLocalPassword(ctx, password);
  return { encrypted: true, file };
}
