// The second transport: Node's own http/https modules. Uploads (publish, docs) go through it: undici costs a
// fixed ~55 MB of RSS on its first request, node:http uploading the same 13 MB tarball peaks near 58 MB in all.
// Same behaviour as undici.ts: proxies (CONNECT tunnels, proxy credentials, NO_PROXY), CA file, unsafe HTTPS,
// connect timeout, an inactivity timeout (waiting for headers, or between two body chunks either way),
// upload progress as the socket accepts bytes, cancellation through the signal; failures carry the codes
// api/errors.ts knows (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT, TLS).
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { UPLOAD_CHUNK, readBodyCapped } from "./body.js";
import { proxyFor, tlsOptions } from "./tls.js";
import type { HttpRequest, HttpResponse, HttpTransport, TransportOptions } from "./types.js";

const coded = (message: string, code: string, cause?: unknown) =>
  Object.assign(new Error(message, { cause }), { code });

export class NodeHttpTransport implements HttpTransport {
  #opts: TransportOptions;
  #tls: ConnectionOptions | undefined;
  #http: HttpAgent | undefined;
  #https: HttpsAgent | undefined;
  #tunnels = new Set<Socket>();

  constructor(opts: TransportOptions) {
    this.#opts = opts;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.#tls ??= tlsOptions(this.#opts);
    req.signal?.throwIfAborted();
    const url = new URL(req.url);
    const secure = url.protocol === "https:";
    const proxy = proxyFor(url, this.#opts.proxy);
    const socket = proxy ? await this.#tunnel(new URL(proxy), url, req) : undefined;
    const base = { method: req.method, headers: req.headers, signal: req.signal };
    const target = {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
    };
    let r: ClientRequest;
    if (socket) {
      r = (secure ? httpsRequest : httpRequest)({ ...target, ...base, agent: false, createConnection: () => socket });
    } else if (secure) {
      this.#https ??= new HttpsAgent({ keepAlive: true, ...this.#tls });
      r = httpsRequest({ ...target, ...base, agent: this.#https, servername: target.host });
    } else {
      this.#http ??= new HttpAgent({ keepAlive: true });
      r = httpRequest({ ...target, ...base, agent: this.#http });
    }
    return this.#exchange(r, req, socket !== undefined);
  }

  async close(): Promise<void> {
    this.#http?.destroy();
    this.#https?.destroy();
    for (const s of this.#tunnels) s.destroy();
    this.#http = this.#https = undefined;
    this.#tunnels.clear();
  }

  /** A CONNECT tunnel through the proxy to the target's host:port; for https the TLS session runs inside it. */
  async #tunnel(proxy: URL, url: URL, req: HttpRequest): Promise<Socket> {
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    const authority = `${url.hostname}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.username) {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers["proxy-authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
    }
    const connect = (proxy.protocol === "https:" ? httpsRequest : httpRequest)({
      host: proxy.hostname.replace(/^\[|\]$/g, ""),
      port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: authority,
      headers,
      agent: false,
      signal: req.signal,
      ...(proxy.protocol === "https:" ? this.#tls : {}),
    });
    const raw = await new Promise<Socket>((resolve, reject) => {
      const timer = setTimeout(
        () => connect.destroy(coded(`Connecting to the proxy ${proxy.host} timed out`, "UND_ERR_CONNECT_TIMEOUT")),
        this.#opts.connectTimeoutMs,
      );
      connect.once("connect", (res: IncomingMessage, socket: Socket) => {
        clearTimeout(timer);
        if (res.statusCode === 200) return resolve(socket);
        socket.destroy();
        reject(coded(`The proxy refused the tunnel to ${authority} (HTTP ${res.statusCode})`, "UND_ERR_ABORTED"));
      });
      connect.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      connect.end();
    });
    const socket =
      url.protocol === "https:" ? tlsConnect({ socket: raw, servername: url.hostname, ...this.#tls }) : raw;
    this.#tunnels.add(socket);
    socket.once("close", () => this.#tunnels.delete(socket));
    return socket;
  }

  /** Sends the body (with progress), waits for the answer and reads it whole, under the timeouts. */
  #exchange(r: ClientRequest, req: HttpRequest, tunnelled: boolean): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let answered = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const fail = (e: unknown) => {
        clearTimeout(connectTimer);
        r.destroy();
        reject(req.signal?.aborted ? (req.signal.reason ?? e) : e);
      };
      r.once("error", fail);
      // Inactivity: no byte either way for timeoutMs, while the body goes out, before the headers, between chunks.
      r.setTimeout(req.timeoutMs, () =>
        fail(coded(`No answer for ${req.timeoutMs} ms`, answered ? "UND_ERR_BODY_TIMEOUT" : "UND_ERR_HEADERS_TIMEOUT")),
      );
      r.once("socket", (socket: Socket) => {
        if (tunnelled || !socket.connecting) return;
        connectTimer = setTimeout(
          () => fail(coded(`Connecting to ${r.host} timed out`, "UND_ERR_CONNECT_TIMEOUT")),
          this.#opts.connectTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(connectTimer));
      });
      r.once("response", (res: IncomingMessage) => {
        answered = true;
        res.once("aborted", () =>
          fail(coded("The connection closed before the whole answer arrived", "UND_ERR_SOCKET")),
        );
        // Read through the shared size cap (http/body.ts), as undici.ts does.
        readBodyCapped(res, {
          url: req.url,
          limit: req.maxResponseBytes,
          contentLength: res.headers["content-length"],
          stop: () => {
            // The size error is the outcome: the socket errors that destroying the stream causes are not.
            res.removeAllListeners("aborted");
            r.removeAllListeners("error");
            r.on("error", () => {});
            res.destroy();
          },
        }).then((body) => {
          clearTimeout(connectTimer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        }, fail);
      });
      writeBody(r, req).catch(fail);
    });
  }
}

/** Writes the body in chunks, waiting for the socket to drain, reporting what it accepted; then ends. */
async function writeBody(r: ClientRequest, req: HttpRequest): Promise<void> {
  const body = req.body;
  if (body === undefined) return void r.end();
  if (body instanceof Uint8Array && !req.onProgress)
    return void r.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  const total = body instanceof Uint8Array ? body.byteLength : Number.NaN;
  let sent = 0;
  req.onProgress?.(0, total);
  const write = async (chunk: Uint8Array) => {
    const length = chunk.byteLength;
    const ok = r.write(chunk, (e) => {
      if (e) return;
      sent += length;
      req.onProgress?.(sent, total);
    });
    if (!ok) await drained(r);
  };
  if (body instanceof Uint8Array) {
    for (let at = 0; at < body.byteLength; at += UPLOAD_CHUNK) await write(body.subarray(at, at + UPLOAD_CHUNK));
  } else {
    for await (const chunk of body) await write(chunk);
  }
  r.end();
}

/** Resolves on 'drain'; rejects when the request fails or closes first. */
function drained(r: ClientRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (e?: unknown) => {
      r.off("drain", done);
      r.off("close", closed);
      r.off("error", done);
      if (e) reject(e);
      else resolve();
    };
    const closed = () => done(coded("The connection closed during the upload", "UND_ERR_SOCKET"));
    r.on("drain", done);
    r.on("close", closed);
    r.on("error", done);
  });
}
