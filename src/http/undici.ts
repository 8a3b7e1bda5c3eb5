// The default transport: undici with proxies, a custom CA and unsafe HTTPS. Loaded on the first request
// (see lazy.ts), never at import time of the API client, so --help and offline commands never load undici.
import { Readable } from "node:stream";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import { tlsOptions } from "./tls.js";
import { UPLOAD_CHUNK, readBodyCapped } from "./body.js";
import type { HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";

export function createDispatcher(o: TransportOptions): Dispatcher {
  const tls = tlsOptions(o);
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

async function* chunked(
  body: Uint8Array,
  onProgress?: (sent: number, total: number) => void,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  onProgress?.(0, body.byteLength);
  while (sent < body.byteLength) {
    const chunk = body.subarray(sent, Math.min(sent + UPLOAD_CHUNK, body.byteLength));
    yield chunk;
    sent += chunk.byteLength;
    onProgress?.(sent, body.byteLength);
  }
}

function bodyOf(req: HttpRequest): Buffer | Readable | undefined {
  const b = req.body;
  if (b === undefined) return undefined;
  if (b instanceof Uint8Array) {
    // Small bodies (JSON) go whole; uploads go as a byte stream with a one-chunk buffer, so progress
    // follows what the socket accepts.
    if (!req.onProgress) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return Readable.from(chunked(b, req.onProgress), { objectMode: false, highWaterMark: UPLOAD_CHUNK });
  }
  return Readable.from(b, { objectMode: false, highWaterMark: UPLOAD_CHUNK });
}

export class UndiciTransport implements HttpTransport {
  private dispatcher?: Dispatcher;

  constructor(private readonly opts: TransportOptions) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.dispatcher ??= createDispatcher(this.opts);
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: bodyOf(req),
      signal: req.signal,
      dispatcher: this.dispatcher,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const body = await readBodyCapped(res.body, {
      url: req.url,
      limit: req.maxResponseBytes,
      contentLength: res.headers["content-length"],
      stop: () => res.body.destroy(),
    });
    return { status: res.statusCode, headers: res.headers, body };
  }

  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    await d?.close();
  }
}
