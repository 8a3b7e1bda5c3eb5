// A small self-hosted Hex server that answers as MiniRepo (github.com/wojtekmach/mini_repo, the reference
// small server) does, for testing clients against something that is not hex.pm:
//   - the API lives at `/api/repos/REPO`; every request needs `authorization: TOKEN` (the exact token),
//     else 401 with the term `<<"unauthorized">>` in Erlang's term format;
//   - POST /api/repos/REPO/publish stores the tarball and answers 200 `#{<<"url">> => URL}` in the term
//     format (always: whatever `accept` says), or 400 `{error, Reason}`;
//   - POST|DELETE .../packages/NAME/releases/VERSION/retire answer 201 with an empty body, DELETE
//     .../releases/VERSION 204, POST .../docs 201; request bodies are read only in the term format (a retire
//     whose body lacks reason or message, e.g. a JSON one, crashes MiniRepo: 500);
//   - nothing else: no package or release GET, no /users/me, no owners, no keys (404 "not found");
//   - the repository is served at `/repos/REPO/` (names, versions, packages/NAME, tarballs), signed with
//     the repository's own name, and its public key at `/repos/REPO/public_key`.
// The release is checked as hex.pm checks one outside hexpm (publish.ts); that includes one check MiniRepo
// does not make: a dependency must be a package this server holds.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  decodeExternalTerm,
  encodeExternalTerm,
  externalTermToJson,
  type EncodableTerm,
} from "../../../src/erlang/etf.js";
import { atom, toTerm, tuple, type MetaValue } from "../../../src/erlang/terms.js";
import { Clock } from "./clock.js";
import type { Core } from "./context.js";
import { HttpError, readBody } from "./http.js";
import { publishRelease, revertRelease } from "./publish.js";
import { RegistrySigner, registryResource } from "./registry.js";
import { State, type User } from "./state.js";
import type { RecordedRequest } from "./types.js";

export interface MiniRepoOptions {
  /** The repository's name (also the origin name in its signed registry). Default "test_repo". */
  repository?: string;
  /** The API token. Default: a random one. */
  authToken?: string;
  port?: number;
}

export interface MiniRepo {
  readonly url: string;
  /** `${url}/api/repos/REPO`: what HEX_API_URL is set to for this server. */
  readonly apiUrl: string;
  /** `${url}/repos/REPO`: the repository URL. */
  readonly repoUrl: string;
  readonly repository: string;
  readonly authToken: string;
  readonly requests: RecordedRequest[];
  publicKey(): string;
  /** Names and versions held, e.g. ["foo 1.0.0"], with " (retired: reason)" for retired ones. */
  releases(): string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const ERLANG = "application/vnd.hex+erlang";
const REASONS = ["other", "invalid", "security", "deprecated", "renamed"];
const UPLOAD_LIMIT = 20 * 1024 * 1024;

export async function startMiniRepo(opts: MiniRepoOptions = {}): Promise<MiniRepo> {
  const repository = opts.repository ?? "test_repo";
  const authToken = opts.authToken ?? randomBytes(16).toString("hex");
  const clock = new Clock();
  const core: Core = {
    state: new State(clock),
    clock,
    options: {
      basicAuth: false,
      oauthClients: [],
      deviceInterval: 0,
      tarballMaxSize: 16 * 1024 * 1024,
      tarballMaxUncompressed: 128 * 1024 * 1024,
      rateLimit: false,
    },
    url: "",
    apiUrl: "",
    repoUrl: "",
  };
  const publisher: User = {
    id: core.state.id(),
    username: "mini_repo",
    fullName: null,
    email: null,
    emailVerified: true,
    passwordHash: null,
    tfaSecret: null,
    organizationId: null,
    insertedAt: clock.now(),
    updatedAt: clock.now(),
  };
  core.state.users.set(publisher.id, publisher);
  const signer = new RegistrySigner();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: new URL(req.url ?? "/", "http://x").pathname,
      query: {},
      headers: { ...req.headers },
      bodySize: 0,
      status: 0,
      at: clock.now(),
    };
    requests.push(record);
    res.on("finish", () => (record.status = res.statusCode));
    handle(req, res, record).catch((error: unknown) => {
      if (!res.headersSent) text(res, 500, `internal error: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
    const method = record.method;
    const parts = record.path
      .split("/")
      .filter(Boolean)
      .map((p) => decodeURIComponent(p));
    // Plug.Static for the repository.
    if (parts[0] === "repos" && parts[1] === repository && (method === "GET" || method === "HEAD"))
      return serveRepo(res, parts.slice(2));
    if (parts[0] !== "api") return text(res, 404, "not found");
    // MiniRepo.APIAuth: exactly the token, for every /api request.
    if (req.headers.authorization !== authToken) return erlang(res, 401, "unauthorized");
    const body = await readBody(req, UPLOAD_LIMIT, (n) => (record.bodySize += n));
    if (parts[1] !== "repos" || parts[2] === undefined) return text(res, 404, "not found");
    if (parts[2] !== repository)
      return text(
        res,
        500,
        `${JSON.stringify(parts[2])} is not allowed, allowed repos: [${JSON.stringify(repository)}]`,
      );
    const route = `${method} ${parts
      .slice(3)
      .map((p, i) => (i === 1 || i === 3 ? ":" : p))
      .join("/")}`;
    const [name, version] = [parts[4], parts[6]];
    switch (route) {
      case "POST publish":
        return publish(res, body);
      case "DELETE packages/:/releases/:":
        return revert(res, name!, version!);
      case "POST packages/:/releases/:/retire":
        return retire(res, name!, version!, params(req, body));
      case "DELETE packages/:/releases/:/retire":
        return retire(res, name!, version!, null);
      case "POST packages/:/releases/:/docs":
        return docs(res, name!, version!, body);
      default:
        return text(res, 404, "not found");
    }
  }

  function publish(res: ServerResponse, tarball: Buffer): void {
    try {
      publishRelease(core, { repository, publisher, tarball, replace: true, seeding: true });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return erlang(res, 400, tuple(atom("error"), toTerm(encodeReason(error))));
    }
    erlang(res, 200, { url: core.url });
  }

  function releaseOf(name: string, version: string) {
    const pkg = core.state.findPackage(repository, name);
    return { pkg, release: pkg?.releases.find((r) => r.version === version) };
  }

  function revert(res: ServerResponse, name: string, version: string): void {
    const { pkg, release } = releaseOf(name, version);
    if (!pkg || !release) return text(res, 400, "{:error, :not_found}");
    revertRelease(core, pkg, release);
    text(res, 204, "");
  }

  /**
   * MiniRepo's Server.retire: `Map.fetch!` of reason and message, `Map.update!` of the package: any miss crashes
   * (500).
   */
  function retire(
    res: ServerResponse,
    name: string,
    version: string,
    retirement: Record<string, unknown> | null,
  ): void {
    const { pkg, release } = releaseOf(name, version);
    if (!pkg) return text(res, 500, "internal error: KeyError");
    if (
      retirement &&
      (!("reason" in retirement) || !("message" in retirement) || !REASONS.includes(retirement.reason as string))
    ) {
      return text(res, 500, "internal error: KeyError");
    }
    if (release)
      release.retirement = retirement && {
        reason: retirement.reason as string,
        message: typeof retirement.message === "string" ? retirement.message : null,
      };
    text(res, 201, "");
  }

  function docs(res: ServerResponse, name: string, version: string, tarball: Buffer): void {
    const { release } = releaseOf(name, version);
    if (!release) return text(res, 400, "{:error, :not_found}");
    release.docs = tarball;
    release.hasDocs = true;
    text(res, 201, "");
  }

  function serveRepo(res: ServerResponse, parts: string[]): void {
    if (parts.length === 1 && parts[0] === "public_key")
      return bytes(res, "application/octet-stream", Buffer.from(signer.publicKeyPem));
    const registry = registryResource(core, signer, repository, parts);
    if (registry) return bytes(res, "application/octet-stream", registry);
    const tarball = parts.length === 2 && parts[0] === "tarballs" ? /^(.+)-([^-]+)\.tar$/.exec(parts[1]!) : null;
    const release = tarball ? releaseOf(tarball[1]!, tarball[2]!).release : undefined;
    if (release) return bytes(res, "application/octet-stream", release.tarball);
    text(res, 404, "not found");
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  core.url = `http://127.0.0.1:${port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: core.url,
    apiUrl: `${core.url}/api/repos/${repository}`,
    repoUrl: `${core.url}/repos/${repository}`,
    repository,
    authToken,
    requests,
    publicKey: () => signer.publicKeyPem,
    releases: () =>
      core.state
        .packagesIn([repository])
        .flatMap((p) =>
          p.releases.map((r) => `${p.name} ${r.version}${r.retirement ? ` (retired: ${r.retirement.reason})` : ""}`),
        )
        .sort(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** MiniRepo.HexErlangParser: bodies in the term format become params; other bodies are not parsed. */
function params(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
  if (type !== ERLANG || body.length === 0) return {};
  const value = externalTermToJson(decodeExternalTerm(body));
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** What the failed publish said, as a term: the 422's errors map. */
function encodeReason(error: HttpError): MetaValue {
  return JSON.parse(JSON.stringify(error.errors ?? error.message)) as MetaValue;
}

/** `put_resp_content_type("application/vnd.hex+erlang") |> send_resp(status, term_to_binary(term))`. */
function erlang(res: ServerResponse, status: number, term: EncodableTerm): void {
  const data = Buffer.from(encodeExternalTerm(term));
  res.statusCode = status;
  res.setHeader("content-type", `${ERLANG}; charset=utf-8`);
  res.setHeader("content-length", data.length);
  res.end(data);
}

/** `send_resp(conn, status, text)`: Plug sets no content-type of its own. */
function text(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("cache-control", "max-age=0, private, must-revalidate");
  if (status !== 204) res.setHeader("content-length", Buffer.byteLength(body));
  res.end(status === 204 ? undefined : body);
}

function bytes(res: ServerResponse, type: string, data: Buffer): void {
  res.statusCode = 200;
  res.setHeader("content-type", type);
  res.setHeader("content-length", data.length);
  res.end(data);
}
