// Pure readers for the response headers the client acts on: www-authenticate, x-hex-message, retry timing.

/** Response header values as the transport gives them; names are lowercase. */
export type HeaderMap = Record<string, string | string[] | undefined>;

export function header(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(", ") : v;
}

export interface WwwAuthenticate {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="hex", error="totp_required"` (one challenge; hex.pm sends one). */
export function parseWwwAuthenticate(value: string | undefined): WwwAuthenticate | undefined {
  if (!value) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? "").replace(/\\(.)/g, "$1");
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export type HexMessageLevel = "warn" | "fatal";

export interface HexMessage {
  message: string;
  level: HexMessageLevel;
}

// C0/C1 controls and ANSI escape sequences: a server must not be able to drive the user's terminal.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(ANSI, "").replace(CONTROL, "");
}

/** Parses `x-hex-message: "text"; level=warn|fatal` (an unquoted value is taken whole, level warn). */
export function parseHexMessage(value: string | undefined): HexMessage | undefined {
  if (!value) return undefined;
  const m = /^\s*"((?:[^"\\]|\\.)*)"\s*(?:;\s*level\s*=\s*"?(\w+)"?)?/.exec(value);
  const text = m ? m[1]!.replace(/\\(.)/g, "$1") : value;
  const message = stripControl(text).trim();
  if (!message) return undefined;
  return { message, level: m?.[2]?.toLowerCase() === "fatal" ? "fatal" : "warn" };
}

/**
 * How long the server asks us to wait, in ms: `Retry-After` (seconds or HTTP date), else
 * `x-ratelimit-reset` (unix seconds, hex.pm's only hint). Undefined when neither is usable.
 */
export function serverWaitMs(headers: HeaderMap, now: number): number | undefined {
  const retryAfter = header(headers, "retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = header(headers, "x-ratelimit-reset")?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}
