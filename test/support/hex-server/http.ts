// Response helpers and the error shapes hex.pm sends (HexpmWeb.ErrorView, the OAuth view), in the
// format the request's `accept` asked for: JSON, or Erlang's term format as hex.pm's ErlangFormat
// writes it (term_to_binary of the view with atoms as binaries, nil kept).
import type { IncomingMessage, ServerResponse } from "node:http";
import { encodeExternalTerm, type EncodableTerm } from "../../../src/erlang/etf.js";

const defaultMessages: Record<number, string> = {
  400: "Bad request",
  404: "Page not found",
  408: "Request timeout",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Validation error(s)",
  500: "Internal server error",
};

/** An API error rendered as `{"status", "message", "errors"?}` (message is null where hex.pm has no default). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message?: string,
    readonly errors?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? defaultMessages[status] ?? "");
    this.hasMessage = message !== undefined || status in defaultMessages;
  }
  readonly hasMessage: boolean;

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = { status: this.status, message: this.hasMessage ? this.message : null };
    if (this.errors !== undefined) body.errors = this.errors;
    return body;
  }
}

/** An OAuth endpoint error: `{"error", "error_description"}`. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }

  get status(): number {
    return oauthStatus[this.error] ?? 400;
  }
}

const oauthStatus: Record<string, number> = { invalid_client: 401, access_denied: 403, server_error: 500 };

export const notFound = (): HttpError => new HttpError(404);
export const badRequest = (message?: string): HttpError => new HttpError(400, message);
export const validationFailed = (errors: unknown): HttpError => new HttpError(422, undefined, errors);

export function unauthorized(message: string): HttpError {
  return new HttpError(401, message, undefined, { "www-authenticate": "Basic realm=hex" });
}

export function forbidden(message: string): HttpError {
  return new HttpError(403, message);
}

export type CachePrivacy = "public" | "private";

/** The formats this server renders: hex.pm's `@accepted_formats` minus `elixir` (no official client asks for it). */
export type ReplyFormat = "json" | "erlang";

const ERLANG_TYPE = "application/vnd.hex+erlang";
const replyFormats = new WeakMap<ServerResponse, ReplyFormat>();

/** Makes every later `sendBody` on `res` answer in `format` (the pipeline's `accepts` plug decides it). */
export function setReplyFormat(res: ServerResponse, format: ReplyFormat): void {
  replyFormats.set(res, format);
}

/**
 * Phoenix's `accepts` plug over ["json", "erlang"]: no header or `*\/*` -> json; otherwise the first
 * media range with q=1 that names a format wins, else the highest q. null = nothing acceptable
 * (Phoenix answers 406). `application/vnd.hex+elixir` is not rendered here: an inferred limit.
 */
export function negotiateFormat(accept: string | undefined): ReplyFormat | null {
  if (accept === undefined || accept.trim() === "") return "json";
  const ranges = accept.split(",").map((part, index) => {
    const [type = "", ...params] = part.split(";").map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const quality = q === undefined ? 1 : Number.parseFloat(q.slice(2));
    return { type, quality: Number.isFinite(quality) ? quality : 0, index };
  });
  const formatOf = (type: string): ReplyFormat | null => {
    if (type === "application/json" || type === "application/vnd.hex+json") return "json";
    if (type === ERLANG_TYPE) return "erlang";
    if (type === "*/*" || type === "application/*") return "json";
    return null;
  };
  const exact = ranges.find((r) => r.quality === 1 && formatOf(r.type) !== null);
  if (exact) return formatOf(exact.type);
  const ranked = ranges
    .filter((r) => r.quality > 0 && formatOf(r.type) !== null)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.length > 0 ? formatOf(ranked[0]!.type) : null;
}

/** Answers `body` (a view: plain objects, arrays, strings, numbers, booleans, null) in the negotiated format. */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const format = replyFormats.get(res) ?? "json";
  const json = JSON.stringify(body);
  // Through JSON first, so that the term is exactly the JSON view (undefined fields dropped, as JSON does).
  const data =
    format === "erlang" ? Buffer.from(encodeExternalTerm(JSON.parse(json) as EncodableTerm)) : Buffer.from(json);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader(
    "content-type",
    format === "erlang" ? `${ERLANG_TYPE}; charset=utf-8` : "application/json; charset=utf-8",
  );
  res.setHeader("content-length", data.length);
  res.end(data);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("content-length", 0);
  res.end();
}

/** `api_cache/2`: cache-control and vary as hex.pm sets them on API answers. */
export function cacheHeaders(privacy: CachePrivacy): Record<string, string> {
  return { "cache-control": `${privacy}, max-age=60`, vary: "accept, accept-encoding" };
}

export class BodyTooLarge extends Error {}

/**
 * Reads a request body up to `limit` bytes. Past the limit the rest is drained and
 * discarded (so the client still reads our answer) and BodyTooLarge is thrown.
 * `onChunk` sees each chunk's length (request recording).
 */
export function readBody(req: IncomingMessage, limit: number, onChunk?: (bytes: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      onChunk?.(chunk.length);
      if (tooLarge) return;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("request aborted")));
  });
}
