// Facts about transport failures and URLs that every client on the seam (api/, registry/) reports the same way.

/** Drops URL userinfo; the path and query of API URLs carry no secrets. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "***";
    u.password = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//***@");
  }
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|UNABLE_TO_VERIFY)/;
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);
/** Failures before any byte of the request left: safe to retry, even for writes nothing was sent. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** The errno-style code of a transport failure, preferring a specific cause over undici's generic socket error. */
export function transportCode(e: unknown): string | undefined {
  let fallback: string | undefined;
  for (
    let c: unknown = e, depth = 0;
    c && typeof c === "object" && depth < 5;
    c = (c as { cause?: unknown }).cause, depth++
  ) {
    const code = (c as { code?: unknown }).code;
    if (typeof code !== "string" || code === "UND_ERR") continue;
    if (code !== "UND_ERR_SOCKET") return code;
    fallback ??= code;
  }
  return fallback;
}

export type TransportKind = "timeout" | "tls" | "not-sent" | "connection";

export function transportKind(code: string | undefined): TransportKind {
  if (code && TIMEOUT_CODES.has(code)) return "timeout";
  if (code && TLS_CODES.test(code)) return "tls";
  if (code && NOT_SENT_CODES.has(code)) return "not-sent";
  return "connection";
}
