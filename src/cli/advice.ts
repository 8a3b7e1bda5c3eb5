// What to do about an error, in hexts commands: the one place the CLI adds advice to the library's facts.
// The library (api/, registry/, config/, ...) states what happened and a typed `kind`; this module maps the
// kind to the next step, so library users never see CLI commands and the CLI never re-reads server English.
import type { ErrorKind, HextsError } from "../errors.js";

const LOGIN = "run `hexts user auth` (or set HEX_API_KEY)";

interface Advice {
  /** How the advice follows the fact: `: run ...`, `; run ...`, or a new sentence (`. Check ...`). */
  join: ": " | "; " | ". ";
  text: string;
}

const ADVICE: { [K in ErrorKind]?: (err: HextsError) => Advice | undefined } = {
  "login-required": () => ({ join: ": ", text: LOGIN }),
  "login-expired": () => ({ join: ". ", text: `Log in again: ${LOGIN}` }),
  "key-rejected": () => ({ join: ". ", text: `Check HEX_API_KEY, or ${LOGIN}` }),
  "password-rejected": () => ({ join: ". ", text: `Check them, or ${LOGIN}` }),
  "permission-missing": () => ({ join: ". ", text: `Use a key with that permission, or ${LOGIN}` }),
  "password-login-disabled": () => ({
    join: ". ",
    text: "Log in with `hexts user auth --oauth`, or use an API key (`hexts user auth --key` or HEX_API_KEY)",
  }),
  "otp-required": () => ({ join: ": ", text: "pass `--otp CODE` or set HEX_OTP" }),
  "otp-invalid": () => ({ join: ": ", text: "pass a current code with `--otp CODE` or HEX_OTP" }),
  "repository-login-required": (err) => {
    const org = (err.details as { organization?: unknown } | undefined)?.organization;
    if (typeof org !== "string") return undefined;
    return {
      join: "; ",
      text: `run \`hexts organization auth ${org}\` or \`hexts user auth\`, or set HEX_API_KEY to a key that can read it`,
    };
  },
};

/** The advice line for an error (without the fact), or undefined when the fact says it all. */
export function adviceFor(err: HextsError): string | undefined {
  return err.kind === undefined ? undefined : ADVICE[err.kind]?.(err)?.text;
}

/** The one line users see: the library's fact followed by the CLI's advice for its kind. */
export function messageWithAdvice(err: HextsError): string {
  const advice = err.kind === undefined ? undefined : ADVICE[err.kind]?.(err);
  if (!advice) return err.message;
  const fact = err.message.replace(/\.$/, "");
  return `${fact}${advice.join}${advice.text}${err.message.endsWith(".") ? "." : ""}`;
}
