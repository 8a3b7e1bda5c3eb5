// The transport seam (hex_core's hex_http behaviour): one request in, status + headers + body bytes out.
// It knows nothing of Hex: no base URL, auth, retries or decoding. api/http.ts (the Hex API client) and
// registry/ (repo.hex.pm reads) sit on it; undici.ts is the default implementation, and a second one
// (node:http for uploads) can be passed in through the same interface.

/** Response header values; names are lowercase. */
export type HttpHeaders = Record<string, string | string[] | undefined>;

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL. */
  url: string;
  /** Request headers, lowercase names. The transport adds none of its own beyond what HTTP requires. */
  headers: Record<string, string>;
  /**
   * Bytes (sent with the given content-length) or a stream of bytes. With bytes and `onProgress`, the
   * transport reports how much the socket has accepted.
   */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
  /** Longest wait for the response headers, and between two body chunks. */
  timeoutMs: number;
  /** Upload progress: bytes handed to the socket so far, and the total. */
  onProgress?: (sent: number, total: number) => void;
  /**
   * The largest response body accepted (default DEFAULT_MAX_RESPONSE_BYTES, http/body.ts); beyond it the transport
   * stops reading and fails with PROTOCOL. Every transport reads bodies through readBodyCapped.
   */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: HttpHeaders;
  /** The whole body (empty for HEAD). */
  body: Uint8Array;
}

/**
 * Sends one request, without following redirects. Connection failures reject with the underlying error
 * (its `code`, e.g. ECONNREFUSED or UND_ERR_HEADERS_TIMEOUT, is what api/errors.ts maps to a user message).
 */
export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Closes the connections this transport opened. */
  close(): Promise<void>;
}

/** What a default transport is built from: network settings, never read from the environment here. */
export interface TransportOptions {
  /** Proxies, e.g. from `proxyFromEnv(env)` (api/proxy.ts). */
  proxy?: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
  /** Skip TLS certificate verification (HEX_UNSAFE_HTTPS). */
  unsafeHttps?: boolean;
  /** CA bundle PEM file that replaces the default trust store (HEX_CACERTS_PATH). */
  caCertsPath?: string;
  /** Connect timeout. */
  connectTimeoutMs: number;
}
