// The registry client (hex_core's hex_repo): reads a repository's signed resources and tarballs over the
// transport seam, with conditional requests against an on-disk cache, and verifies everything it returns.
// Credentials go only to a trusted repository's own origin, never to a mirror or a redirect target.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { TARBALL_MAX_SIZE } from "../bytes.js";
import { HextsError } from "../errors.js";
import type { RegistryCache } from "./cache.js";
import {
  unpackNames,
  unpackPackage,
  unpackVersions,
  REGISTRY_MAX_UNCOMPRESSED,
  type RegistryNames,
  type RegistryPackage,
  type RegistryRelease,
  type RegistryVersions,
} from "./resources.js";
import {
  redactUrl,
  transportCode,
  transportKind,
  type HttpHeaders,
  type HttpResponse,
  type HttpTransport,
} from "../http/index.js";

/** hex.pm's largest accepted package tarball (the one limit, bytes.ts). */
export const REGISTRY_TARBALL_MAX_SIZE = TARBALL_MAX_SIZE;

export interface RegistryRepository {
  /** What the user calls it: `hexpm`, `hexpm:acme`, a custom repository's name (for messages). */
  name: string;
  /** Base URL of the repository (`https://repo.hex.pm`, `https://repo.hex.pm/repos/acme`, a mirror). */
  url: string;
  /** PEM public key that signs its registry. */
  publicKey: string;
  /** The repository name its payloads carry: `hexpm`, the organization, or the custom name. */
  originName: string;
  /** False for an untrusted mirror (HEX_MIRROR): no credential is ever sent. */
  trusted: boolean;
  /** The Authorization header value for this repository, if any (asked for on the first request only). */
  authorization?: () => Promise<string | undefined>;
}

export interface RegistryClientOptions {
  repository: RegistryRepository;
  transport: HttpTransport;
  userAgent: string;
  timeoutMs?: number;
  cache?: RegistryCache;
  /** Check signatures (default true; HEX_UNSAFE_REGISTRY). */
  verify?: boolean;
  /** Check payload repository/package names (default true; HEX_NO_VERIFY_REPO_ORIGIN). */
  verifyOrigin?: boolean;
  signal?: AbortSignal;
  /** Never touch the network (HEX_OFFLINE): answer from the cache, or fail. */
  offline?: boolean;
  /** Retries of a failed GET (network error, 5xx, 429). Default 2. */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a request is sent (`--verbose`): method, redacted URL, and whether credentials went along. */
  onRequest?: (info: { url: string; authorized: boolean; conditional: boolean }) => void;
}

export interface FetchedTarball {
  name: string;
  version: string;
  /** The tarball, whose SHA-256 matched the registry's checksum. */
  tarball: Uint8Array;
  /** Lowercase hex SHA-256 of `tarball`. */
  outerChecksum: string;
  release: RegistryRelease;
}

const MAX_REDIRECTS = 3;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

const header = (h: HttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

export class RegistryClient {
  readonly repository: RegistryRepository;
  private readonly o: RegistryClientOptions;
  private readonly packages = new Map<string, Promise<RegistryPackage>>();
  private auth?: Promise<string | undefined>;

  constructor(opts: RegistryClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.repository.url);
    } catch {
      throw new HextsError(
        "CONFIG_INVALID",
        `The repository URL "${redactUrl(opts.repository.url)}" of ${opts.repository.name} is not a valid URL`,
      );
    }
    if (base.protocol !== "https:" && base.protocol !== "http:") {
      throw new HextsError(
        "CONFIG_INVALID",
        `The repository URL of ${opts.repository.name} must use http or https, not ${base.protocol}`,
      );
    }
    this.repository = { ...opts.repository, url: opts.repository.url.replace(/\/+$/, "") };
    this.o = opts;
  }

  /** Every package name in the repository (public ones only, on hex.pm). */
  async getNames(): Promise<RegistryNames> {
    return unpackNames(await this.get("names", "/names"), this.unpackOptions("/names"));
  }

  /** Every package with its versions and retired versions. */
  async getVersions(): Promise<RegistryVersions> {
    return unpackVersions(await this.get("versions", "/versions"), this.unpackOptions("/versions"));
  }

  /** One package's releases, dependencies, checksums and retirements (memoised per client). */
  getPackage(name: string): Promise<RegistryPackage> {
    let p = this.packages.get(name);
    if (!p) {
      const path = `/packages/${encodeURIComponent(name)}`;
      p = this.get(`package ${name}`, path).then((body) => unpackPackage(body, name, this.unpackOptions(path)));
      this.packages.set(name, p);
      p.catch(() => this.packages.delete(name));
    }
    return p;
  }

  /** The registry entry of one release; NOT_FOUND when the package has no such version. */
  async getRelease(name: string, version: string): Promise<RegistryRelease> {
    const pkg = await this.getPackage(name);
    const release = pkg.releases.find((r) => r.version === version);
    if (!release) {
      const known = pkg.releases.map((r) => r.version);
      throw new HextsError(
        "NOT_FOUND",
        `${name} has no release ${version} in ${this.repository.name}` +
          `${known.length ? ` (it has ${shortList(known)})` : ""}`,
        {
          details: { package: name, version, repository: this.repository.name },
        },
      );
    }
    return release;
  }

  /**
   * Downloads a release tarball and checks its SHA-256 against the registry's outer checksum (or, for a
   * release published before hex.pm recorded one, the CHECKSUM inside it against the registry's inner
   * checksum) before returning it: nothing should unpack bytes that did not pass this.
   */
  async getTarball(name: string, version: string): Promise<FetchedTarball> {
    const release = await this.getRelease(name, version);
    const path = `/tarballs/${encodeURIComponent(`${name}-${version}`)}.tar`;
    const tarball = await this.get(`the tarball of ${name} ${version}`, path, REGISTRY_TARBALL_MAX_SIZE);
    const outerChecksum = createHash("sha256").update(tarball).digest("hex");
    const mismatch = (expected: string, actual: string, kind: string) =>
      new HextsError(
        "TARBALL_INVALID",
        `The tarball of ${name} ${version} from ${redactUrl(this.repository.url)} does not match the registry's ` +
          `${kind} checksum: it was altered or corrupted`,
        {
          details: { reason: "outer_checksum_mismatch", package: name, version, expected, actual },
        },
      );
    if (release.outerChecksum !== undefined) {
      if (release.outerChecksum !== outerChecksum) throw mismatch(release.outerChecksum, outerChecksum, "outer");
    } else {
      const inner = await legacyInnerChecksum(tarball);
      if (inner !== release.innerChecksum) throw mismatch(release.innerChecksum, inner ?? "(unreadable)", "inner");
    }
    return { name, version, tarball, outerChecksum, release };
  }

  private unpackOptions(path: string) {
    return {
      publicKey: this.repository.publicKey,
      repository: this.repository.originName,
      verify: this.o.verify,
      verifyOrigin: this.o.verifyOrigin,
      configuredName: this.repository.name === this.repository.originName && this.repository.name !== "hexpm",
      label: `${path} of ${this.repository.name}`,
    };
  }

  private authorization(): Promise<string | undefined> {
    if (!this.repository.trusted || !this.repository.authorization) return Promise.resolve(undefined);
    return (this.auth ??= this.repository.authorization());
  }

  /** GET with If-None-Match from the cache, retries, same-origin-only credentials; the body of a 200 or 304. */
  private async get(what: string, path: string, maxSize = REGISTRY_MAX_UNCOMPRESSED): Promise<Uint8Array> {
    const url = this.repository.url + path;
    const cached = await this.o.cache?.get(url);
    if (this.o.offline) {
      if (cached) return cached.body;
      throw new HextsError(
        "NETWORK",
        `${what} of ${this.repository.name} is not in the cache, and HEX_OFFLINE forbids downloading it`,
      );
    }
    const res = await this.send(url, cached?.etag || undefined);
    if (res.status === 304 && cached) return cached.body;
    if (res.status >= 200 && res.status < 300) {
      let body = res.body;
      if (body.length > maxSize)
        throw new HextsError("PROTOCOL", `${what} from ${redactUrl(url)} is larger than ${maxSize} bytes`);
      // A server (or proxy) that added its own Content-Encoding: gzip on top of the registry's gzip.
      if (/\bgzip\b/i.test(header(res.headers, "content-encoding") ?? "") && isGzip(body)) {
        try {
          const inner = gunzipSync(body, { maxOutputLength: maxSize });
          if (path.startsWith("/tarballs/") || isGzip(inner)) body = inner;
        } catch {
          // leave it: the resource check reports a damaged body
        }
      }
      if (this.o.cache) await this.o.cache.set(url, { etag: header(res.headers, "etag") ?? "", body });
      return body;
    }
    throw this.statusError(what, url, res.status);
  }

  private statusError(what: string, url: string, status: number): HextsError {
    const where = `${this.repository.name} (${redactUrl(url)})`;
    const org = this.repository.name.startsWith("hexpm:") ? this.repository.name.slice(6) : undefined;
    if (status === 404) {
      return new HextsError("NOT_FOUND", `${what} was not found in ${where}`, {
        status,
        details: { repository: this.repository.name },
      });
    }
    if (status === 401 || status === 403) {
      const untrusted = !this.repository.trusted;
      const hint = untrusted ? "; credentials are never sent to an untrusted mirror (HEX_MIRROR)" : "";
      // For an organization's repository the CLI adds how to log in to it (cli/advice.ts).
      return new HextsError(
        status === 401 ? "NOT_AUTHENTICATED" : "FORBIDDEN",
        `${where} refused to serve ${what} (HTTP ${status})${hint}`,
        {
          status,
          ...(org && !untrusted
            ? { kind: "repository-login-required", details: { repository: this.repository.name, organization: org } }
            : {}),
        },
      );
    }
    return new HextsError(status >= 500 ? "SERVER_ERROR" : "PROTOCOL", `${where} answered HTTP ${status} for ${what}`, {
      status,
    });
  }

  private async send(startUrl: string, etag: string | undefined): Promise<HttpResponse> {
    const retries = this.o.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse | undefined;
      let failure: unknown;
      try {
        res = await this.follow(startUrl, etag);
      } catch (e) {
        if (this.o.signal?.aborted) throw new HextsError("CANCELLED", "Cancelled.", { cause: e });
        if (e instanceof HextsError) throw e;
        failure = e;
      }
      if (res && !RETRY_STATUSES.has(res.status)) return res;
      if (attempt >= retries) {
        if (res) return res;
        throw this.transportError(startUrl, failure);
      }
      await (this.o.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))))(250 * 4 ** attempt);
      if (this.o.signal?.aborted) throw new HextsError("CANCELLED", "Cancelled.");
    }
  }

  private async follow(startUrl: string, etag: string | undefined): Promise<HttpResponse> {
    const home = new URL(this.repository.url).origin;
    let url = startUrl;
    for (let hops = 0; ; hops++) {
      const headers: Record<string, string> = { "user-agent": this.o.userAgent, accept: "application/octet-stream" };
      const own = new URL(url).origin === home;
      const authorization = own ? await this.authorization() : undefined;
      if (authorization !== undefined) {
        if (/[\r\n\0]/.test(authorization))
          throw new HextsError(
            "USAGE",
            `The credential for ${this.repository.name} contains a line break or NUL character`,
          );
        headers.authorization = authorization;
      }
      if (etag !== undefined && hops === 0) headers["if-none-match"] = etag;
      this.o.onRequest?.({
        url: redactUrl(url),
        authorized: authorization !== undefined,
        conditional: headers["if-none-match"] !== undefined,
      });
      const res = await this.o.transport.request({
        method: "GET",
        url,
        headers,
        signal: this.o.signal,
        timeoutMs: this.o.timeoutMs ?? 15_000,
      });
      const location = header(res.headers, "location");
      if ([301, 302, 303, 307, 308].includes(res.status) && location) {
        if (hops >= MAX_REDIRECTS) throw new HextsError("PROTOCOL", `Too many redirects for ${redactUrl(startUrl)}`);
        url = new URL(location, url).toString();
        etag = undefined;
        continue;
      }
      return res;
    }
  }

  private transportError(url: string, cause: unknown): HextsError {
    const code = transportCode(cause);
    const kind = transportKind(code);
    const detail = code ? ` (${code})` : "";
    const where = `${this.repository.name} at ${redactUrl(url)}`;
    if (kind === "timeout")
      return new HextsError(
        "TIMEOUT",
        `No answer from ${where}${detail}; raise HEX_HTTP_TIMEOUT (seconds) if it is slow`,
        { cause },
      );
    if (kind === "tls")
      return new HextsError(
        "TLS",
        `Secure connection to ${where} failed${detail}; a proxy that re-signs HTTPS needs HEX_CACERTS_PATH`,
        { cause },
      );
    return new HextsError(
      "NETWORK",
      `Could not reach ${where}${detail}; check the repository URL, your network and proxy settings`,
      { cause },
    );
  }
}

function shortList(items: string[]): string {
  return items.length <= 8 ? items.join(", ") : `${items.slice(0, 4).join(", ")}, ..., ${items.slice(-3).join(", ")}`;
}

/** The CHECKSUM entry of a tarball (lowercase), for legacy releases without an outer checksum. */
async function legacyInnerChecksum(tarball: Uint8Array): Promise<string | undefined> {
  const { unpackPackageTarball } = await import("../package/tarball.js");
  try {
    return (await unpackPackageTarball(tarball)).innerChecksum;
  } catch {
    return undefined;
  }
}
