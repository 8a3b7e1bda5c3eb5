// Repository public keys: the SSH-style fingerprint users compare (HEX_PROTOCOL.md §7.5), and fetching a custom
// repository's /public_key checked against a fingerprint the user typed (mix's --fetch-public-key).
import { createHash } from "node:crypto";
import { HextsError } from "../errors.js";
import type { HttpTransport } from "../http/index.js";
import { registryPublicKey } from "./resources.js";

/** `SHA256:` + unpadded base64 of SHA-256 over the SSH wire encoding of the RSA key, as `ssh-keygen -l` prints. */
export function publicKeyFingerprint(pem: string): string {
  const jwk = registryPublicKey(pem).export({ format: "jwk" }) as { n: string; e: string };
  const mpint = (b64: string) => {
    const b = Buffer.from(b64, "base64url");
    return b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  };
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const wire = Buffer.concat([field(Buffer.from("ssh-rsa")), field(mpint(jwk.e)), field(mpint(jwk.n))]);
  return `SHA256:${createHash("sha256").update(wire).digest("base64").replace(/=+$/, "")}`;
}

/** A PEM public key is a few hundred bytes; a reply larger than this is not one. */
const PUBLIC_KEY_MAX_BYTES = 64 * 1024;

/**
 * GETs `<repoUrl>/public_key` and returns the PEM once it parses as an RSA public key. With `fingerprint` (the
 * repository's operator publishes it: mix's --fetch-public-key), only a key with that fingerprint is accepted; without
 * it the download proves nothing, so callers show the fingerprint for the user to compare.
 */
export async function fetchRepositoryPublicKey(
  repoUrl: string,
  fingerprint: string | undefined,
  opts: {
    transport: HttpTransport;
    userAgent: string;
    timeoutMs?: number;
    signal?: AbortSignal;
    /** The repository's auth key, for a repository that protects its files (mix sends it too). */
    authorization?: string;
  },
): Promise<string> {
  const url = `${repoUrl.replace(/\/+$/, "")}/public_key`;
  const headers: Record<string, string> = { "user-agent": opts.userAgent };
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  let res;
  try {
    res = await opts.transport.request({
      method: "GET",
      url,
      headers,
      timeoutMs: opts.timeoutMs ?? 15_000,
      signal: opts.signal,
      maxResponseBytes: PUBLIC_KEY_MAX_BYTES,
    });
  } catch (e) {
    if (e instanceof HextsError) throw e;
    const code = (e as { code?: unknown }).code;
    throw new HextsError("NETWORK", `cannot download ${url}${typeof code === "string" ? ` (${code})` : ""}`, {
      cause: e,
    });
  }
  if (res.status !== 200)
    throw new HextsError(
      res.status === 404 ? "NOT_FOUND" : res.status === 401 || res.status === 403 ? "NOT_AUTHENTICATED" : "PROTOCOL",
      `${url} answered HTTP ${res.status}; ` +
        (res.status === 401 || res.status === 403
          ? "the repository needs its auth key (--auth-key)"
          : "the repository publishes no public key there"),
      { status: res.status },
    );
  const pem = new TextDecoder().decode(res.body);
  let actual: string;
  try {
    actual = publicKeyFingerprint(pem);
  } catch {
    throw new HextsError("REGISTRY_INVALID", `${url} is not a PEM RSA public key`, {
      details: { reason: "bad_public_key" },
    });
  }
  if (fingerprint !== undefined && actual !== fingerprint.trim()) {
    throw new HextsError(
      "REGISTRY_INVALID",
      `The public key at ${url} has fingerprint ${actual}, not ${fingerprint.trim()}: refusing it`,
      {
        details: { reason: "bad_public_key", expected: fingerprint.trim(), actual },
      },
    );
  }
  return pem;
}
