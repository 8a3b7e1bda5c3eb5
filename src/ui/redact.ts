// Every line hexts prints passes through here, so secrets never reach a terminal or a log.
import { isSecretField } from "../secret-names.js";

const MASK = "***";

/** The forms a secret takes once escaped or encoded: JSON strings (also nested), URLs and forms, base64. */
function encodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const url = encodeURIComponent(value);
  const b64 = Buffer.from(value, "utf8").toString("base64");
  return [
    value,
    json,
    JSON.stringify(json).slice(1, -1),
    url,
    url.replace(/%20/g, "+"),
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    b64,
    b64.replace(/=+$/, ""),
    Buffer.from(value, "utf8").toString("base64url"),
  ];
}

/** A registry of secret values known during one run (API keys, tokens, passwords, OTPs). */
export class SecretRegistry {
  private readonly values = new Set<string>();
  /** Every registered form, longest first so a longer form is masked whole before a shorter one inside it. */
  private forms: string[] = [];

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary text; real secrets are longer than this.
    if (!value || value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
    const known = new Set(this.forms);
    for (const form of encodings(value)) if (form.length >= 4) known.add(form);
    this.forms = [...known].sort((a, b) => b.length - a.length);
  }

  /** A username and password sent as HTTP Basic authentication: the password and the header's base64 value. */
  addBasic(username: string, password: string): void {
    this.add(password);
    this.add(`${username}:${password}`);
  }

  /** Masks every known secret (in each of its forms), then whatever looks like a credential. */
  redact(text: string): string {
    let out = text;
    for (const v of this.forms) {
      if (out.includes(v)) out = out.split(v).join(MASK);
    }
    return redactPatterns(out);
  }

  /**
   * The same for a value about to be written as JSON: every string in it (keys included) is redacted, so the
   * document stays valid JSON whatever the secrets contain.
   */
  redactDeep<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.redact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
        return Object.fromEntries(
          Object.entries(v).map(([k, x]) => [
            this.redact(k),
            typeof x === "string" && isSecretField(k) ? MASK : walk(x),
          ]),
        );
      }
      return v;
    };
    return walk(value) as T;
  }
}

/** Masks things that look like credentials even when we were not told about them. */
export function redactPatterns(text: string): string {
  return (
    text
      // authorization headers and values
      .replace(/(authorization["']?\s*[:=]\s*["']?)(Bearer\s+|Basic\s+)?[^\s"',}]+/gi, `$1$2${MASK}`)
      .replace(/(x-hex-otp["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, `$1${MASK}`)
      // URL userinfo: scheme://user:pass@host
      .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${MASK}@`)
      // JSON-ish secret fields (the names: secret-names.ts)
      .replace(
        /("([A-Za-z_-]+)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g,
        (all, open: string, name: string, _v, close: string) => (isSecretField(name) ? `${open}${MASK}${close}` : all),
      )
  );
}
