// A transport whose implementation is imported on its first request: building a client costs nothing,
// and a run that never sends a request never loads undici.
import type { HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";

export function defaultTransport(opts: TransportOptions): HttpTransport {
  let inner: Promise<HttpTransport> | undefined;
  let used = false;
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      used = true;
      inner ??= import("./undici.js").then((m) => new m.UndiciTransport(opts));
      return (await inner).request(req);
    },
    async close(): Promise<void> {
      if (used && inner) await (await inner).close();
    },
  };
}
