// TLS and proxy choices shared by both transports (undici.ts, node.ts), so they behave the same.
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { HextsError } from "../errors.js";
import type { TransportOptions } from "./types.js";

/** `rejectUnauthorized: false` for unsafe HTTPS; `ca` from the CA bundle file (CONFIG_INVALID when unreadable). */
export function tlsOptions(o: TransportOptions): ConnectionOptions {
  const tls: ConnectionOptions = {};
  if (o.unsafeHttps) tls.rejectUnauthorized = false;
  if (o.caCertsPath) {
    try {
      tls.ca = readFileSync(o.caCertsPath, "utf8");
    } catch (e) {
      throw new HextsError(
        "CONFIG_INVALID",
        `Cannot read the CA certificates file ${o.caCertsPath} (HEX_CACERTS_PATH): ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  return tls;
}

/**
 * The proxy URL for a request to `url`, chosen as undici's EnvHttpProxyAgent does: `https:` targets use
 * httpsProxy (else httpProxy), `http:` targets httpProxy; none when a NO_PROXY entry matches: `*`, an exact
 * host name, or a `.domain` / `*.domain` suffix, each optionally with `:port`.
 */
export function proxyFor(url: URL, proxy: TransportOptions["proxy"] = {}): string | undefined {
  const chosen = url.protocol === "https:" ? proxy.httpsProxy || proxy.httpProxy : proxy.httpProxy;
  if (!chosen) return undefined;
  const host = url.host.replace(/:\d*$/, "").toLowerCase();
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const entries = (proxy.noProxy ?? "").split(/[,\s]/).filter((e) => e !== "");
  if (proxy.noProxy?.trim() === "*") return undefined;
  for (const entry of entries) {
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? parsed[1]! : entry).toLowerCase();
    if (parsed && Number(parsed[2]) !== port) continue;
    if (/^[.*]/.test(name) ? host.endsWith(name.replace(/^\*/, "")) : host === name) return undefined;
  }
  return chosen;
}
