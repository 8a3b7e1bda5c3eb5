// The Hex API client (STYLE.md "API client habits") on the transport seam (src/http/): base URL, user agent,
// auth, OTP header, bounded retries of idempotent requests, redirects that keep credentials on their own
// origin, bodies decoded by content-type, and every non-2xx answer decoded into an ApiError.
// No settings knowledge: the CLI builds the options.
import { setTimeout as delay } from "node:timers/promises";
import type { z } from "zod";
import { HextsError } from "../errors.js";
import { defaultTransport } from "../http/lazy.js";
import type { HttpMethod, HttpTransport } from "../http/types.js";
import { HEXPM, parseRepo, type RepoRef } from "../repository.js";
import { encodeExternalTerm, type EncodableTerm } from "../erlang/etf.js";
import { decodeBody } from "./body.js";
import type { ProxySettings } from "./proxy.js";
import {
  ApiError,
  errorFromResponse,
  errorFromTransport,
  redactUrl,
  transportCode,
  type CredentialKind,
  type WriteCheck,
} from "./errors.js";
import { header, parseHexMessage, type HeaderMap, type HexMessage } from "./headers.js";
import { isOAuthPath, joinUrl } from "./paths.js";
import { defaultRetryPolicy, retryDecision, type RetryPolicy } from "./retry.js";
import { hextsUserAgent } from "./user-agent.js";
import { authorizationHeader, type Credential } from "../credential.js";

export type { Credential };

export type { HttpMethod };

export interface RetryInfo {
  method: string;
  url: string;
  /** The attempt about to be made (2 = first retry). */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HexClientOptions {
  /** API base, e.g. https://hex.pm/api (trailing slashes are ignored). */
  apiUrl: string;
  /**
   * The repository every resource call of this client works in (hex_core's `api_repository`/`api_organization`):
   * `hexpm:ORG` (or its RepoRef) puts package paths under `repos/ORG/` and key/member paths under `orgs/ORG/`.
   * Default `hexpm`.
   */
  repo?: RepoRef | string;
  credential?: Credential;
  /** Appended to the User-Agent, e.g. `mytool/1.0`. */
  userAgentExtra?: string;
  /** Per-request timeout (connect, headers, body). Default 15 s, mix's `http_timeout`. */
  timeoutMs?: number;
  /**
   * Timeout for uploads (publish, docs); default timeoutMs, as mix's `http_timeout` (the wait for the answer starts
   * once the body is sent, so a slow upload does not count against it).
   */
  uploadTimeoutMs?: number;
  /** Adds ` (CI)` to the User-Agent. */
  ci?: boolean;
  /** Proxies, e.g. from `proxyFromEnv(env)`. None when omitted (process.env is not read here). */
  proxy?: ProxySettings;
  /** Skip TLS certificate verification (HEX_UNSAFE_HTTPS); reported once through onWarning. */
  unsafeHttps?: boolean;
  /** CA bundle PEM file that replaces the default trust store (HEX_CACERTS_PATH). */
  caCertsPath?: string;
  /** Where unsafeHttps came from, for its warning (`HEX_UNSAFE_HTTPS`, `user config`, `rebar.config`). */
  unsafeHttpsSource?: string;
  /** Server `x-hex-message` headers and transport warnings. The api layer never prints. */
  onWarning?: (w: HexMessage) => void;
  /** Called before each retry (for a "retrying in N s" line). */
  onRetry?: (info: RetryInfo) => void;
  /** TOTP code sent as `x-hex-otp` with every request of this client (one code serves a whole command). */
  otp?: string;
  /**
   * Send requests through this transport instead of the default (undici, built from proxy/TLS options
   * above on the first request). The caller owns and closes it.
   */
  transport?: HttpTransport;
  /** Cancels every request of this client (e.g. the run's Ctrl-C signal). */
  signal?: AbortSignal;
  /** Largest answer accepted (default 16 MiB); a larger one is a PROTOCOL error, read no further. */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Edges replaceable in tests: waiting, randomness and the clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface RequestOptions {
  method?: HttpMethod;
  /** Relative to the API base: `packages/foo`, `repos/acme/packages/foo`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON request body. */
  json?: unknown;
  /**
   * A request body in Erlang's term format (`application/vnd.hex+erlang`), for the writes a server reads only in
   * that format (MiniRepo's retire). hex.pm reads it too: it is what the official clients send.
   */
  erlang?: EncodableTerm;
  /** A raw upload body (tarball), sent with Content-Length and no Expect header. */
  body?: Uint8Array;
  contentType?: string;
  /** Upload progress: bytes handed to the socket so far, and the total. */
  onProgress?: (sent: number, total: number) => void;
  /** Marks a PUT/DELETE safe to repeat. GET and HEAD always are; POST never is. */
  idempotent?: boolean;
  /** Overrides the client's credential for this call; `null` sends none. */
  credential?: Credential | null;
  /** Overrides the client's OTP for this call. */
  otp?: string;
  signal?: AbortSignal;
  /** Statuses besides 2xx returned to the caller instead of thrown (e.g. OAuth's 400 `authorization_pending`). */
  okStatuses?: number[];
  /** Follow redirects (GET/HEAD only, at most 3). Default true; false returns the 3xx (see okStatuses). */
  followRedirects?: boolean;
  /** Told to the user when a write fails mid-request: how to check whether it happened. */
  checkHint?: string;
  /** The same as a typed check, which the CLI can name a command for (api/errors.ts WriteCheck). */
  check?: WriteCheck;
  /** The message for a 404, naming what is missing (`package foo does not exist in hexpm`). */
  notFound?: string;
  timeoutMs?: number;
}

/** Per-call options every resource function accepts. */
export type CallOptions = Pick<RequestOptions, "signal" | "otp" | "credential">;

export interface ApiResponse {
  status: number;
  headers: HeaderMap;
  /** Parsed JSON, the text when it is not JSON, or undefined when empty. */
  body: unknown;
  /** Redacted final URL. */
  url: string;
}

const MAX_REDIRECTS = 3;
/** API answers are JSON documents of a few kilobytes (a page of 100 packages is well under 1 MB). */
const MAX_API_RESPONSE_BYTES = 16 * 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}

function cancelled(cause?: unknown): HextsError {
  return new HextsError("CANCELLED", "Cancelled.", { cause });
}

/** What derived clients share: one transport, one unsafe-HTTPS warning. */
interface Shared {
  transport: HttpTransport;
  owned: boolean;
  warnedUnsafe: boolean;
}

export class HexClient {
  readonly apiUrl: string;
  /** The repository this client's resource calls work in. */
  readonly repo: RepoRef;
  readonly userAgent: string;
  private readonly opts: HexClientOptions;
  private readonly shared: Shared;
  private readonly policy: RetryPolicy;

  constructor(opts: HexClientOptions, shared?: Shared) {
    let base: URL;
    try {
      base = new URL(opts.apiUrl);
    } catch {
      throw new HextsError(
        "CONFIG_INVALID",
        `The API URL "${redactUrl(opts.apiUrl)}" is not a valid URL (HEX_API_URL).`,
      );
    }
    if (base.protocol !== "https:" && base.protocol !== "http:") {
      throw new HextsError("CONFIG_INVALID", `The API URL must use http or https, not ${base.protocol} (HEX_API_URL).`);
    }
    this.apiUrl = opts.apiUrl.replace(/\/+$/, "");
    this.repo = typeof opts.repo === "string" ? parseRepo(opts.repo) : (opts.repo ?? HEXPM);
    this.opts = { ...opts, repo: this.repo };
    this.userAgent = hextsUserAgent({ ci: opts.ci, extra: opts.userAgentExtra });
    this.shared = shared ?? {
      transport:
        opts.transport ??
        defaultTransport({
          proxy: opts.proxy,
          unsafeHttps: opts.unsafeHttps,
          caCertsPath: opts.caCertsPath,
          connectTimeoutMs: opts.timeoutMs ?? 15_000,
        }),
      owned: !opts.transport,
      warnedUnsafe: false,
    };
    this.policy = { ...defaultRetryPolicy, ...opts.retry };
  }

  /** The credential this client sends by default. */
  get credential(): Credential | undefined {
    return this.opts.credential;
  }

  get timeoutMs(): number {
    return this.opts.timeoutMs ?? 15_000;
  }

  /** A client with other credential/OTP/repository settings sharing this one's connections. */
  with(overrides: Pick<HexClientOptions, "credential" | "otp" | "onWarning" | "onRetry" | "repo">): HexClient {
    return new HexClient({ ...this.opts, ...overrides }, this.shared);
  }

  /** The transport, once the unsafe-HTTPS warning has been given (once per client family). */
  private transport(): HttpTransport {
    if (this.opts.unsafeHttps && !this.shared.warnedUnsafe) {
      this.shared.warnedUnsafe = true;
      const by = this.opts.unsafeHttpsSource ?? "HEX_UNSAFE_HTTPS";
      this.opts.onWarning?.({
        level: "warn",
        message: `unsafe_https is on (${by}): TLS certificates are not verified, so the connection can be intercepted.`,
      });
    }
    return this.shared.transport;
  }

  /** Sends one API request (with retries where safe) and returns the decoded answer; non-2xx throws ApiError. */
  async request(o: RequestOptions): Promise<ApiResponse> {
    const method = o.method ?? "GET";
    const idempotent = method === "GET" || method === "HEAD" || o.idempotent === true;
    const signal = this.signalFor(o.signal);
    const now = this.opts.now ?? Date.now;
    const startUrl = joinUrl(this.apiUrl, o.path, o.query);
    for (let attempt = 1; ; attempt++) {
      let res: ApiResponse & { credentialSent?: CredentialKind };
      try {
        res = await this.send(method, startUrl, o, signal);
      } catch (e) {
        if (signal?.aborted) throw cancelled(e);
        if (e instanceof HextsError) throw e;
        const decision = retryDecision({
          attempt,
          idempotent,
          outcome: { transportCode: transportCode(e) },
          policy: this.policy,
          now: now(),
          random: this.rand(),
        });
        if (decision.retry) {
          await this.wait(method, startUrl, attempt + 1, decision.delayMs, decision.reason, signal);
          continue;
        }
        throw errorFromTransport({
          method,
          url: redactUrl(startUrl),
          cause: e,
          write: !idempotent,
          checkHint: o.checkHint,
          check: o.check,
          timeoutMs: this.timeoutFor(o),
        });
      }
      if ((res.status >= 200 && res.status < 300) || o.okStatuses?.includes(res.status)) return stripInternal(res);
      const decision = retryDecision({
        attempt,
        idempotent,
        outcome: { status: res.status, headers: res.headers },
        policy: this.policy,
        now: now(),
        random: this.rand(),
      });
      if (decision.retry) {
        await this.wait(method, startUrl, attempt + 1, decision.delayMs, decision.reason, signal);
        continue;
      }
      throw errorFromResponse({
        method,
        url: res.url,
        status: res.status,
        headers: res.headers,
        body: res.body,
        credential: res.credentialSent,
        now: now(),
        notFound: o.notFound,
      });
    }
  }

  /** Like request(), then validates the JSON body with `schema`; a mismatch is a PROTOCOL error. */
  async json<S extends z.ZodType>(schema: S, o: RequestOptions): Promise<z.output<S>> {
    const res = await this.request(o);
    return parseBody(schema, res, o.method ?? "GET");
  }

  /** Closes connections this client opened (not a transport the caller passed in). */
  async close(): Promise<void> {
    if (this.shared.owned) await this.shared.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private rand(): number {
    return (this.opts.random ?? Math.random)();
  }

  private timeoutFor(o: RequestOptions): number {
    if (o.timeoutMs !== undefined) return o.timeoutMs;
    if (o.body) return this.opts.uploadTimeoutMs ?? this.timeoutMs;
    return this.timeoutMs;
  }

  private signalFor(own?: AbortSignal): AbortSignal | undefined {
    const signals = [this.opts.signal, own].filter((s): s is AbortSignal => s !== undefined);
    return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
  }

  private async wait(
    method: string,
    url: string,
    attempt: number,
    delayMs: number,
    reason: string,
    signal?: AbortSignal,
  ): Promise<void> {
    this.opts.onRetry?.({ method, url: redactUrl(url), attempt, delayMs, reason });
    try {
      await (this.opts.sleep ?? defaultSleep)(delayMs, signal);
    } catch (e) {
      throw cancelled(e);
    }
    if (signal?.aborted) throw cancelled();
  }

  /** One attempt, following GET/HEAD redirects; credentials and OTP only go to the API's own origin. */
  private async send(
    method: HttpMethod,
    startUrl: string,
    o: RequestOptions,
    signal?: AbortSignal,
  ): Promise<ApiResponse & { credentialSent?: CredentialKind }> {
    const home = new URL(this.apiUrl).origin;
    const credential = isOAuthPath(o.path)
      ? undefined
      : o.credential === undefined
        ? this.opts.credential
        : (o.credential ?? undefined);
    const otp = o.otp ?? this.opts.otp;
    const timeout = this.timeoutFor(o);
    const follow = (method === "GET" || method === "HEAD") && o.followRedirects !== false;
    let url = startUrl;
    for (let hops = 0; ; hops++) {
      const own = new URL(url).origin === home;
      const headers: Record<string, string> = { "user-agent": this.userAgent, accept: "application/json" };
      const sendCredential = own && credential !== undefined;
      if (sendCredential) headers.authorization = authorizationHeader(credential);
      if (own && otp) headers["x-hex-otp"] = otp;
      let body: Uint8Array | undefined;
      if (o.body) {
        headers["content-type"] = o.contentType ?? "application/octet-stream";
        headers["content-length"] = String(o.body.byteLength);
        body = o.body;
      } else if (o.json !== undefined) {
        headers["content-type"] = "application/json";
        body = Buffer.from(JSON.stringify(o.json));
      } else if (o.erlang !== undefined) {
        headers["content-type"] = "application/vnd.hex+erlang";
        body = encodeExternalTerm(o.erlang);
      }
      const res = await this.transport().request({
        method,
        url,
        headers,
        body,
        signal,
        timeoutMs: timeout,
        onProgress: o.body ? o.onProgress : undefined,
        maxResponseBytes: this.opts.maxResponseBytes ?? MAX_API_RESPONSE_BYTES,
      });
      const decoded = method === "HEAD" ? undefined : decodeBody(header(res.headers, "content-type"), res.body);
      this.warnFrom(res.headers);
      const location = header(res.headers, "location");
      if (follow && REDIRECT_STATUSES.has(res.status) && location) {
        if (hops >= MAX_REDIRECTS) {
          throw new ApiError("PROTOCOL", `Too many redirects for ${method} ${redactUrl(startUrl)}.`, {
            method,
            url: redactUrl(startUrl),
            status: res.status,
          });
        }
        url = new URL(location, url).toString();
        continue;
      }
      return {
        status: res.status,
        headers: res.headers,
        body: decoded,
        url: redactUrl(url),
        credentialSent: sendCredential ? credential.type : undefined,
      };
    }
  }

  private warnFrom(headers: HeaderMap): void {
    const raw = headers["x-hex-message"];
    for (const value of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const m = parseHexMessage(value);
      if (m) this.opts.onWarning?.(m);
    }
  }
}

function stripInternal(r: ApiResponse & { credentialSent?: CredentialKind }): ApiResponse {
  return { status: r.status, headers: r.headers, body: r.body, url: r.url };
}

/** Validates a response body; unknown fields pass through (schemas are loose), missing ones are PROTOCOL errors. */
export function parseBody<S extends z.ZodType>(schema: S, res: ApiResponse, method: string): z.output<S> {
  const parsed = schema.safeParse(res.body);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.message}`);
  throw new ApiError(
    "PROTOCOL",
    `The server's answer to ${method} ${res.url} is not what hexts understands (is HEX_API_URL a Hex API?).`,
    { method, url: res.url, status: res.status },
    { lines },
  );
}
