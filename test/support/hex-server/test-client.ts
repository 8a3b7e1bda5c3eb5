// A thin fetch wrapper for tests of the server itself (plain Node fetch, as any client would talk to it).
import { request } from "node:http";
import type { HexServer } from "./types.js";

export interface CallOptions {
  method?: string;
  /** Authorization header value (API key, `Bearer ...`, `Basic ...`). */
  auth?: string;
  /** JSON body (objects) or raw bytes (uploads). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when not JSON, or null when empty. */
  body: any;
}

export async function call(server: HexServer, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  // (fetch always sends a User-Agent; use `raw` to leave it out.)
  headers["user-agent"] ??= "hexts-test/0 (node)";
  if (opts.auth !== undefined) headers.authorization = opts.auth;
  let body: string | Uint8Array | undefined;
  if (opts.body instanceof Uint8Array) {
    body = opts.body;
    headers["content-type"] ??= "application/octet-stream";
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const url = path.startsWith("http") ? path : `${server.apiUrl}${path}`;
  const res = await fetch(url, {
    method: opts.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
    redirect: "manual",
  });
  const text = await res.text();
  let parsed: unknown = null;
  if (text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** Form-encoded POST (the OAuth endpoints' documented encoding). */
export async function form(server: HexServer, path: string, fields: Record<string, string>): Promise<CallResult> {
  return call(server, path, {
    body: new TextEncoder().encode(new URLSearchParams(fields).toString()),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

export interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** Whether the server answered 100 Continue before the final status. */
  continued: boolean;
}

/**
 * A node:http request, for what fetch cannot do: no User-Agent at all, `Expect: 100-continue`
 * (the body is sent only after the server's 100), or a body that the server may refuse early.
 */
export function raw(
  server: HexServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(path.startsWith("http") ? path : `${server.apiUrl}${path}`);
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body && headers["content-length"] === undefined) headers["content-length"] = String(opts.body.length);
    const expectContinue = headers.expect === "100-continue";
    let continued = false;
    const req = request(url, { method: opts.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text === "" ? null : text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, continued });
      });
    });
    req.on("error", reject);
    if (expectContinue) {
      req.on("continue", () => {
        continued = true;
        req.end(opts.body);
      });
      req.flushHeaders();
    } else {
      req.end(opts.body);
    }
  });
}
