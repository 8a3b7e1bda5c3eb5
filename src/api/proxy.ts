// Proxy settings from an environment (kept apart from http/undici.ts so reading them does not load undici).

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** Reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY in either case (lowercase wins, as curl does). */
export function proxyFromEnv(env: Record<string, string | undefined>): ProxySettings {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  return { httpProxy: pick("http_proxy"), httpsProxy: pick("https_proxy"), noProxy: pick("no_proxy") };
}
