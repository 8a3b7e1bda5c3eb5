// Interim: the transport seam's shape (request -> status, headers, body bytes) until src/http/ lands on main;
// then this file goes and the registry imports ../http/index.js instead (the same interface).

export type HttpHeaders = Record<string, string | string[] | undefined>;

export interface HttpRequest {
  method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
  url: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: HttpHeaders;
  body: Uint8Array;
}

export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  proxy?: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
  unsafeHttps?: boolean;
  caCertsPath?: string;
  connectTimeoutMs: number;
}

/** undici, loaded on the first request. */
export function defaultTransport(opts: TransportOptions): HttpTransport {
  let dispatcher: import("undici").Dispatcher | undefined;
  return {
    async request(req) {
      const { createDispatcher, request } = await import("../api/dispatcher.js");
      dispatcher ??= createDispatcher(opts);
      const res = await request(req.url, { method: req.method, headers: req.headers, signal: req.signal, dispatcher, headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs });
      return { status: res.statusCode, headers: res.headers, body: new Uint8Array(await res.body.arrayBuffer()) };
    },
    async close() {
      const d = dispatcher;
      dispatcher = undefined;
      await d?.close();
    },
  };
}
