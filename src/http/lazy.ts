// The default transport: each implementation is imported on its first request, so building a client costs
// nothing and a run that never sends a request loads neither. Uploads (a body with progress, or a large or
// streamed one) go through node:http (node.ts): undici costs a fixed ~55 MB of RSS on its first request,
// which a publish of any size would otherwise pay. Other requests go through undici (undici.ts).
import type { HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";

/** Bodies from this size on count as uploads. */
const UPLOAD_MIN_SIZE = 64 * 1024;

export const isUpload = (req: HttpRequest) =>
  req.body !== undefined && (req.onProgress !== undefined || !(req.body instanceof Uint8Array) || req.body.byteLength >= UPLOAD_MIN_SIZE);

function lazyTransport(load: () => Promise<HttpTransport>): HttpTransport {
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
  const undici = lazyTransport(() => import("./undici.js").then((m) => new m.UndiciTransport(opts)));
  const node = lazyTransport(() => import("./node.js").then((m) => new m.NodeHttpTransport(opts)));
  return {
    request: (req) => (isUpload(req) ? node : undici).request(req),
    async close() {
      await Promise.all([undici.close(), node.close()]);
    },
  };
}
