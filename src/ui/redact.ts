// Every line hexts prints passes through here, so secrets never reach a terminal or a log.

const MASK = "***";

/** A registry of secret values known during one run (API keys, tokens, passwords, OTPs). */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary text; real secrets are longer than this.
    if (value && value.length >= 4) this.values.add(value);
  }

  redact(text: string): string {
    let out = redactPatterns(text);
    for (const v of this.values) {
      if (out.includes(v)) out = out.split(v).join(MASK);
    }
    return out;
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
      // JSON-ish secret fields
      .replace(
        /("(?:secret|api_key|password|access_token|refresh_token|token|client_secret|device_code)"\s*:\s*")[^"]*(")/gi,
        `$1${MASK}$2`,
      )
  );
}
