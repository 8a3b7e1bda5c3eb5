// What to do about an error, in hexts commands: the one place the CLI adds advice to the library's facts.
// The library (api/, registry/, config/, ...) states what happened and a typed `kind`; this module maps the
// kind to the next step, so library users never see CLI commands and the CLI never re-reads server English.
import type { ErrorKind, HextsError, WarningKind } from "../errors.js";
import { writeCheckLead, type WriteCheck } from "../api/errors.js";
import { BUILD_DOCS_ADVICE } from "../commands/shared.js";

const LOGIN = "run `hexts user auth` (or set HEX_API_KEY)";

type Advice =
  | {
      /** How the advice follows the fact: `: run ...`, `; run ...`, a new sentence (`. Check ...`), ` (...)`. */
      join: ": " | "; " | ". " | " ";
      text: string;
    }
  /** Words of the fact that the CLI says with a command instead (`list your keys` -> run `hexts user key list`). */
  | { replace: string; with: string };

const detail = (err: HextsError, key: string): string | undefined => {
  const v = (err.details as Record<string, unknown> | undefined)?.[key];
  return typeof v === "string" ? v : undefined;
};

/** The hexts command that shows whether an interrupted write happened, in place of the library's words. */
function checkCommand(c: WriteCheck): string | undefined {
  switch (c.look) {
    case "keys":
      return `run \`${c.organization ? `hexts organization key ${c.organization} list` : "hexts user key list"}\``;
    case "owners":
      return `run \`hexts owner list ${c.package}\``;
    case "account":
      return `run \`hexts user auth\` or ${writeCheckLead(c)}`;
    case "release":
      return c.package ? `${writeCheckLead(c)} or run \`hexts search ${c.package}\`` : undefined;
  }
}

/** How to supply the settings `hexts config KEY VALUE` refuses to store. */
const NOT_STORED_ADVICE: Record<string, string> = {
  api_key: "store a key with `hexts user auth --key`, or set HEX_API_KEY",
  otp: "pass --otp or set HEX_OTP",
};

const WARNING_ADVICE: { [K in WarningKind]: string } = {
  "project-repository-keys-ignored":
    "trust them with `hexts config trust_project true`, or use `hexts repo add` instead",
};

/** The advice the CLI adds to a library warning of this kind (Output's `warningAdvice`). */
export function warningAdvice(kind: WarningKind): string | undefined {
  return WARNING_ADVICE[kind];
}

const ADVICE: { [K in ErrorKind]?: (err: HextsError) => Advice | undefined } = {
  "login-required": () => ({ join: ": ", text: LOGIN }),
  "login-expired": () => ({ join: ". ", text: `Log in again: ${LOGIN}` }),
  "key-rejected": () => ({ join: ". ", text: "Check HEX_API_KEY, or run `hexts user auth`" }),
  "password-rejected": () => ({ join: ". ", text: `Check them, or ${LOGIN}` }),
  "permission-missing": () => ({ join: ". ", text: `Use a key with that permission, or ${LOGIN}` }),
  "password-login-disabled": () => ({
    join: ". ",
    text: "Log in with `hexts user auth --oauth`, or use an API key (`hexts user auth --key` or HEX_API_KEY)",
  }),
  "otp-required": () => ({ join: ": ", text: "pass `--otp CODE` or set HEX_OTP" }),
  "otp-invalid": () => ({ join: ": ", text: "pass a current code with `--otp CODE` or HEX_OTP" }),
  "login-again": () => ({ join: "; ", text: "run `hexts user auth` to log in again" }),
  "device-login-failed": (err) => {
    const oauthError = (err as { oauthError?: unknown }).oauthError;
    const why =
      oauthError === "expired_token" ? " and approve it sooner" : oauthError === "access_denied" ? " to retry" : "";
    return { join: "; ", text: `run \`hexts user auth\` again${why}` };
  },
  "write-outcome-unknown": (err) => {
    const check = (err.details as { check?: WriteCheck } | undefined)?.check;
    const command = check && checkCommand(check);
    return check && command ? { replace: writeCheckLead(check), with: command } : undefined;
  },
  "key-secret-unreadable": (err) => {
    const key = detail(err, "key");
    const org = detail(err, "organization");
    if (key === undefined) return undefined;
    const revoke = org ? `hexts organization key ${org} revoke ${key}` : `hexts user key revoke ${key}`;
    return { join: " ", text: `(\`${revoke}\`)` };
  },
  "setting-not-stored": (err) => {
    const text = NOT_STORED_ADVICE[detail(err, "key") ?? ""];
    return text === undefined ? undefined : { join: "; ", text };
  },
  "docs-missing": () => ({ join: " ", text: `or ${BUILD_DOCS_ADVICE}` }),
  "registry-other-repository": (err) => {
    const found = detail(err, "found");
    if (found === undefined) return undefined;
    return {
      join: " ",
      text: `(a configured repository must carry its server's name: add it again as \`hexts repo add ${found} URL\`)`,
    };
  },
  "repository-login-required": (err) => {
    const org = (err.details as { organization?: unknown } | undefined)?.organization;
    if (typeof org !== "string") return undefined;
    return {
      join: "; ",
      text:
        `run \`hexts organization auth ${org}\` or \`hexts user auth\`, ` +
        "or set HEX_API_KEY to a key that can read it",
    };
  },
};

/** The one line users see: the library's fact followed by the CLI's advice for its kind. */
export function messageWithAdvice(err: HextsError): string {
  const advice = err.kind === undefined ? undefined : ADVICE[err.kind]?.(err);
  if (!advice) return err.message;
  if ("replace" in advice) return err.message.replace(advice.replace, advice.with);
  const fact = err.message.replace(/\.$/, "");
  return `${fact}${advice.join}${advice.text}${err.message.endsWith(".") ? "." : ""}`;
}
