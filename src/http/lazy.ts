// The default transport: Node's own http/https (node.ts), imported on the first request, so building a client
// costs nothing and a run that never sends a request loads nothing. Measured against undici (undici.ts) on
// this seam, whole processes, paired runs: `hexts user whoami` against the local server took 0.40 s of CPU
// with node:http against 0.87 s with undici (wall 0.50×) and peaked at 62 MB against 107 MB; a publish of the
// 300-file package peaked at 70 MB. undici stays available to library callers as `UndiciTransport`.
import type { HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";

/** A transport whose implementation is imported on its first request. */
export function lazyTransport(load: () => Promise<HttpTransport>): HttpTransport {
  let inner: Promise<HttpTransport> | undefined;
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      inner ??= load();
      return (await inner).request(req);
    },
    async close(): Promise<void> {
      if (inner) await (await inner).close();
    },
  };
}

export function defaultTransport(opts: TransportOptions): HttpTransport {
  return lazyTransport(() => import("./node.js").then((m) => new m.NodeHttpTransport(opts)));
}

/** undici (undici.ts) behind the same seam, loaded on its first request. */
export function undiciTransport(opts: TransportOptions): HttpTransport {
  return lazyTransport(() => import("./undici.js").then((m) => new m.UndiciTransport(opts)));
}
