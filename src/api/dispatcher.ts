// The undici dispatcher behind HexClient: proxies from the environment, custom CA, unsafe HTTPS.
// Built on the first request, never at import time.
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "undici";

/** undici's request, re-exported so every use of undici goes through this one lazily loaded module. */
export { request };
import { HextsError } from "../errors.js";
import type { ProxySettings } from "./proxy.js";

export interface DispatcherOptions {
  proxy?: ProxySettings;
  unsafeHttps?: boolean;
  caCertsPath?: string;
  connectTimeoutMs: number;
}

export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const tls: ConnectionOptions = {};
  if (o.unsafeHttps) tls.rejectUnauthorized = false;
  if (o.caCertsPath) {
    try {
      tls.ca = readFileSync(o.caCertsPath, "utf8");
    } catch (e) {
      throw new HextsError("CONFIG_INVALID", `Cannot read the CA certificates file ${o.caCertsPath} (HEX_CACERTS_PATH): ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  const connect = { ...tls, timeout: o.connectTimeoutMs };
  const proxy = o.proxy ?? {};
  if (!proxy.httpProxy && !proxy.httpsProxy) return new Agent({ connect });
  // Explicit "" stops undici from reading process.env itself: the caller's settings are the only source.
  return new EnvHttpProxyAgent({
    httpProxy: proxy.httpProxy ?? "",
    httpsProxy: proxy.httpsProxy ?? "",
    noProxy: proxy.noProxy ?? "",
    connect,
    requestTls: tls,
  });
}
