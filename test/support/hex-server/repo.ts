// The repository side under /repo: package tarballs and docs tarballs, public and per organization.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate, hasRole, isOrganization, verifyAccess } from "./auth.js";
import type { Core } from "./context.js";
import { HttpError } from "./http.js";
import { registryResource, type RegistrySigner } from "./registry.js";
import { HEXPM, type Package } from "./state.js";

/**
 * GET /names, /versions, /packages/NAME (signed registry), /tarballs/NAME-VERSION.tar,
 * /docs/NAME-VERSION.tar.gz, the same under /repos/ORG/, and /public_key.
 * Inferred (repo.hex.pm is a CDN, not described byte for byte): a missing object is a bare 404 text answer;
 * an organization path without credentials is 401, with credentials lacking access 403.
 */
export async function serveRepository(
  core: Core,
  signer: RegistrySigner,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  method: string,
): Promise<void> {
  if (method !== "GET" && method !== "HEAD") return plain(res, 405, "Method Not Allowed");
  const parts = path.split("/").filter(Boolean).map(safeDecode);
  if (parts.some((p) => p === null)) return plain(res, 404, "Not Found");
  if (parts.length === 1 && parts[0] === "public_key")
    return send(res, method, "application/x-pem-file", Buffer.from(signer.publicKeyPem), "public, max-age=3600");
  let repository = HEXPM;
  if (parts[0] === "repos" && parts.length >= 3) {
    repository = parts[1]!;
    parts.splice(0, 2);
  }
  if (parts[0] === "names" || parts[0] === "versions" || parts[0] === "packages") {
    if (repository !== HEXPM) {
      const denied = checkAccess(core, req, repository, false);
      if (denied) return plain(res, denied, denied === 401 ? "Unauthorized" : "Forbidden");
    }
    const data = registryResource(core, signer, repository, parts as string[]);
    if (!data) return plain(res, 404, "Not Found");
    // repo.hex.pm (a CDN) answers If-None-Match with 304; the signed bytes are deterministic, so their hash is the
    // ETag.
    const etag = `"${createHash("sha256").update(data).digest("hex")}"`;
    res.setHeader("etag", etag);
    if (req.headers["if-none-match"] === etag) {
      res.statusCode = 304;
      res.setHeader("cache-control", repository === HEXPM ? "public, max-age=3600" : "private, max-age=3600");
      return void res.end();
    }
    return send(
      res,
      method,
      "application/octet-stream",
      data,
      repository === HEXPM ? "public, max-age=3600" : "private, max-age=3600",
    );
  }
  if (parts.length !== 2) return plain(res, 404, "Not Found");
  const [kind, file] = parts as [string, string];
  const match =
    kind === "tarballs"
      ? /^([a-z][a-z0-9_]*)-(.+)\.tar$/.exec(file)
      : kind === "docs"
        ? /^([a-z][a-z0-9_]*)-(.+)\.tar\.gz$/.exec(file)
        : null;
  if (!match) return plain(res, 404, "Not Found");

  if (repository !== HEXPM) {
    const denied = checkAccess(core, req, repository, kind === "docs");
    if (denied) return plain(res, denied, denied === 401 ? "Unauthorized" : "Forbidden");
  }
  const pkg: Package | undefined = core.state.findPackage(repository, match[1]!);
  const release = pkg?.releases.find((r) => r.version === match[2]);
  const data = kind === "tarballs" ? release?.tarball : release?.docs;
  if (!data) return plain(res, 404, "Not Found");
  const etag = `"${release!.outerChecksum}${kind === "docs" ? "-docs" : ""}"`;
  if (req.headers["if-none-match"] === etag) {
    res.statusCode = 304;
    res.setHeader("etag", etag);
    return void res.end();
  }
  if (kind === "tarballs" && method === "GET" && pkg) {
    for (const period of ["all", "recent", "week", "day"] as const) pkg.downloads[period]++;
  }
  res.statusCode = 200;
  res.setHeader("content-type", kind === "tarballs" ? "application/octet-stream" : "application/gzip");
  res.setHeader("content-length", data.length);
  res.setHeader("cache-control", repository === HEXPM ? "public, max-age=604800" : "private, max-age=3600");
  res.setHeader("etag", etag);
  res.end(method === "HEAD" ? undefined : data);
}

function checkAccess(core: Core, req: IncomingMessage, repository: string, docs: boolean): 401 | 403 | 404 | null {
  const org = core.state.findOrganization(repository);
  if (!org) return 404;
  const header = req.headers.authorization;
  if (header === undefined || header.startsWith("Basic ")) return 401;
  let auth;
  try {
    auth = authenticate(core, header, {
      ip: req.socket.remoteAddress ?? "",
      userAgent: req.headers["user-agent"] ?? "",
    });
  } catch (error) {
    if (error instanceof HttpError) return 401;
    throw error;
  }
  const credential = auth.credential!;
  const granted =
    verifyAccess(credential, "repository", repository) || (docs && verifyAccess(credential, "docs", repository));
  if (!granted) return 403;
  const subject = auth.user ?? auth.organization!;
  const member = isOrganization(subject) ? subject.id === org.id : hasRole(org, subject, "read");
  return member ? null : 403;
}

function send(res: ServerResponse, method: string, type: string, data: Buffer, cacheControl: string): void {
  res.statusCode = 200;
  res.setHeader("content-type", type);
  res.setHeader("content-length", data.length);
  res.setHeader("cache-control", cacheControl);
  res.end(method === "HEAD" ? undefined : data);
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}
