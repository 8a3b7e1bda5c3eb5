// The HTTP server: request recording, fault injection, the /api pipeline (hex.pm's plug order) and /repo.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anonymous, authenticate } from "./auth.js";
import type { Core, Ctx } from "./context.js";
import { decodeExternalTerm, externalTermToJson } from "../../../src/erlang/etf.js";
import { BodyTooLarge, HttpError, OAuthError, negotiateFormat, readBody, sendBody, setReplyFormat } from "./http.js";
import { serveDevicePage, serveEmailVerify, serveTotpCodes } from "./device-page.js";
import { RegistrySigner } from "./registry.js";
import { serveRepository } from "./repo.js";
import type { Router } from "./router.js";
import type { Fault, RecordedRequest } from "./types.js";

/** hex.pm reads at most 20 MiB of an upload sent without `Expect: 100-continue` (then 413). */
export const UPLOAD_BODY_LIMIT = 20 * 1024 * 1024;
/** Plug.Parsers' default body limit for JSON and form bodies. */
const PARSED_BODY_LIMIT = 8_000_000;

interface PendingFault extends Fault {
  remaining: number;
}

export class HexHttpServer {
  readonly requests: RecordedRequest[] = [];
  private faults: PendingFault[] = [];
  private records = new WeakMap<IncomingMessage, RecordedRequest>();
  readonly signer = new RegistrySigner();
  private server: Server;

  constructor(
    private core: Core,
    private router: Router,
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error("hex-server: unexpected failure", error);
        if (!res.headersSent) sendBody(res, 500, { status: 500, message: "Internal server error" });
        else res.destroy();
      });
    };
    this.server = createServer(handler);
    // Answer `Expect: 100-continue` ourselves, after the early checks (hex.pm authorizes before reading).
    this.server.on("checkContinue", handler);
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addFault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === "string" ? f.path === path : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    if (--fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const url = new URL(rawUrl, this.core.url);
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = {
      method,
      path,
      query,
      headers: { ...req.headers },
      bodySize: 0,
      status: 0,
      at: this.core.clock.now(),
    };
    this.requests.push(record);
    res.on("finish", () => (record.status = res.statusCode));
    this.records.set(req, record);
    const expectContinue = (req.headers.expect ?? "").toLowerCase() === "100-continue";
    let continued = false;
    const sendContinue = () => {
      if (expectContinue && !continued) {
        continued = true;
        res.writeContinue();
      }
    };

    const fault = this.takeFault(method, path);
    if (fault) {
      const done = await this.applyFault(fault, req, res, sendContinue);
      if (done) return;
    }

    try {
      if (path === "/repo" || path.startsWith("/repo/")) {
        await serveRepository(this.core, this.signer, req, res, path.slice("/repo".length), method);
      } else if (path === "/oauth/device" && (method === "GET" || method === "POST")) {
        await serveDevicePage(this.core, req, res, url);
      } else if (path === "/email/verify" && method === "GET") {
        serveEmailVerify(this.core, res, url);
      } else if (path === "/dev/totp" && method === "GET") {
        serveTotpCodes(this.core, res);
      } else if (path === "/api" || path.startsWith("/api/")) {
        // The `accepts` plug (and the error renderer) answer in what `accept` asks for.
        const format = negotiateFormat(headerText(req.headers.accept));
        if (format === null) throw new HttpError(406, "Not acceptable");
        setReplyFormat(res, format);
        await this.handleApi(req, res, { rawUrl, method, path, query, sendContinue });
      } else {
        throw new HttpError(404);
      }
    } catch (error) {
      await this.finishBody(req, expectContinue && !continued);
      this.sendError(res, error);
    }
  }

  /** Returns true when the fault answered (or killed) the request. */
  private async applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    sendContinue: () => void,
  ): Promise<boolean> {
    const f = fault.fault;
    switch (f.kind) {
      case "reset":
        req.socket.destroy();
        return true;
      case "reset-mid-body":
        sendContinue();
        await new Promise<void>((resolve) => {
          req.once("data", (chunk: Buffer) => {
            this.count(req, chunk.length);
            req.socket.destroy();
            resolve();
          });
          req.once("end", () => {
            req.socket.destroy();
            resolve();
          });
          req.once("close", () => resolve());
        });
        return true;
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, f.delayMs));
        return res.destroyed;
      case "status": {
        sendContinue();
        await this.finishBody(req, false);
        const body = f.body === undefined ? new HttpError(f.status).body() : f.body;
        sendBody(res, f.status, body, f.headers ?? {});
        return true;
      }
      case "rate-limit": {
        sendContinue();
        await this.finishBody(req, false);
        const reset = Math.floor(this.core.clock.now() / 1000) + (f.resetInSeconds ?? 60);
        sendBody(
          res,
          429,
          { status: 429, message: `API rate limit exceeded for IP ${clientIp(req)}` },
          {
            "x-ratelimit-limit": "100",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String(reset),
          },
        );
        return true;
      }
    }
  }

  /** Consume what is left of the request body so the client reads our answer (not when it still waits for 100). */
  private async finishBody(req: IncomingMessage, awaitingContinue: boolean): Promise<void> {
    if (req.complete || awaitingContinue || req.destroyed) return;
    await new Promise<void>((resolve) => {
      req.on("data", (chunk: Buffer) => this.count(req, chunk.length));
      req.on("end", resolve);
      req.on("close", resolve);
    });
  }

  private count(req: IncomingMessage, bytes: number): void {
    const record = this.records.get(req);
    if (record) record.bodySize += bytes;
  }

  private read(req: IncomingMessage, limit: number): Promise<Buffer> {
    return readBody(req, limit, (bytes) => this.count(req, bytes));
  }

  private sendError(res: ServerResponse, error: unknown): void {
    if (res.headersSent || res.destroyed) return;
    if (error instanceof HttpError) {
      sendBody(res, error.status, error.body(), error.headers);
    } else if (error instanceof OAuthError) {
      sendBody(res, error.status, { error: error.error, error_description: error.description });
    } else if (error instanceof BodyTooLarge) {
      sendBody(res, 413, new HttpError(413).body(), { connection: "close" });
    } else {
      console.error("hex-server: handler failure", error);
      sendBody(res, 500, new HttpError(500).body());
    }
  }

  private async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    r: { rawUrl: string; method: string; path: string; query: Record<string, string>; sendContinue: () => void },
  ): Promise<void> {
    const route = this.router.match(r.method, r.path);
    // Phoenix answers an unknown route before any pipeline runs.
    if (!route) throw new HttpError(404);
    const upload = route.options.upload === true;

    // Plug.Parsers runs in the endpoint, before the router's pipelines.
    let bodyParams: Record<string, unknown> = {};
    if (!upload) {
      r.sendContinue();
      bodyParams = parseBody(req.headers["content-type"], await this.read(req, PARSED_BODY_LIMIT));
    }

    const ip = clientIp(req);
    const userAgent = req.headers["user-agent"];
    if (userAgent === undefined) throw new HttpError(400, "User-Agent header is required");
    const auth = authenticate(this.core, req.headers.authorization, { ip, userAgent });
    if (r.rawUrl.includes("%00")) throw new HttpError(400);
    this.rateLimit(res, auth, ip);

    const expectContinue = (req.headers.expect ?? "").toLowerCase() === "100-continue";
    let body: Buffer | null = null;
    if (upload && !expectContinue) body = await this.read(req, UPLOAD_BODY_LIMIT);

    const ctx: Ctx = {
      core: this.core,
      req,
      res,
      method: r.method,
      path: r.path,
      query: r.query,
      params: { ...r.query, ...bodyParams, ...route.params },
      ip,
      userAgent,
      auth,
      body,
      readUpload: async () => {
        if (ctx.body) return ctx.body;
        const length = req.headers["content-length"];
        if (length === undefined) throw new HttpError(411);
        if (Number.parseInt(length, 10) > this.core.options.tarballMaxSize)
          throw new HttpError(422, undefined, { tar: "too big" });
        r.sendContinue();
        ctx.body = await this.read(req, UPLOAD_BODY_LIMIT);
        return ctx.body;
      },
      repository: null,
      organization: null,
      package: null,
      release: null,
    };
    // default_repository: package routes without the repository prefix act on hexpm (not the package list).
    if (ctx.params.repository === undefined && (r.path.startsWith("/api/packages/") || r.path === "/api/publish")) {
      ctx.params.repository = "hexpm";
    }
    await route.handler(ctx);
  }

  /** Fixed 60-second windows: 100/min per IP anonymously, 500/min per user or organization. */
  private rateLimit(res: ServerResponse, auth: typeof anonymous, ip: string): void {
    if (!this.core.options.rateLimit) return;
    const [key, limit, who] = auth.user
      ? [`user:${auth.user.id}`, 500, `user ${auth.user.id}`]
      : auth.organization
        ? [`organization:${auth.organization.id}`, 500, `organization ${auth.organization.id}`]
        : [`ip:${ip}`, 100, `IP ${ip}`];
    const now = this.core.clock.now();
    const window = Math.floor(now / 60_000);
    const counters = this.core.state.rateCounters;
    const counter = counters.get(key);
    const count = counter && counter.window === window ? counter.count + 1 : 1;
    counters.set(key, { window, count });
    res.setHeader("x-ratelimit-limit", String(limit));
    res.setHeader("x-ratelimit-remaining", String(Math.max(limit - count, 0)));
    res.setHeader("x-ratelimit-reset", String((window + 1) * 60));
    if (count > limit) throw new HttpError(429, `API rate limit exceeded for ${who}`);
  }
}

const headerText = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(",") : value;

function clientIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

/**
 * JSON (`application/json`, `application/vnd.hex+json`), Erlang term format (`application/vnd.hex+erlang`,
 * what the official clients send) and form bodies; other types are left unparsed.
 */
function parseBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type === "application/vnd.hex+json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400);
    }
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    return { _json: parsed };
  }
  if (type === "application/x-www-form-urlencoded")
    return Object.fromEntries(new URLSearchParams(body.toString("utf8")));
  if (type === "application/vnd.hex+erlang") {
    const params = erlangParams(body);
    if (typeof params === "object" && params !== null && !Array.isArray(params))
      return params as Record<string, unknown>;
    return { _json: params };
  }
  if (type === "application/vnd.hex+elixir") {
    // Inferred limit of this server: hex.pm also evaluates Elixir literals; no official client sends them.
    throw new HttpError(415);
  }
  return {};
}

/**
 * HexpmWeb.ErlangFormat.decode: compressed terms (tag 80) and bytes `binary_to_term(B, [safe])` refuses are
 * a 400 (Plug.BadRequestError, rendered "Bad request"). The params a controller sees: maps with binary keys as
 * objects, binaries as strings, true/false/nil as booleans/null. Other atoms stay atoms (`{"$atom": name}`), so a
 * changeset that casts a string field refuses them as hex.pm's does (hex_core sends a member's role as an atom).
 */
function erlangParams(body: Buffer): unknown {
  if (body[0] === 131 && body[1] === 80) throw new HttpError(400);
  try {
    return externalTermToJson(decodeExternalTerm(body));
  } catch {
    throw new HttpError(400);
  }
}
