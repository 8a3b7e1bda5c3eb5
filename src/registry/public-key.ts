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

/**
 * GETs `<repoUrl>/public_key` and returns the PEM only when its fingerprint equals `fingerprint` (the
 * repository's operator publishes it; the download itself proves nothing).
 */
export async function fetchRepositoryPublicKey(
  repoUrl: string,
  fingerprint: string,
  opts: { transport: HttpTransport; userAgent: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<string> {
  const url = `${repoUrl.replace(/\/+$/, "")}/public_key`;
  const res = await opts.transport.request({
    method: "GET",
    url,
    headers: { "user-agent": opts.userAgent },
    timeoutMs: opts.timeoutMs ?? 15_000,
    signal: opts.signal,
  });
  if (res.status !== 200)
    throw new HextsError(
      res.status === 404 ? "NOT_FOUND" : "PROTOCOL",
      `${url} answered HTTP ${res.status}; the repository publishes no public key there`,
      { status: res.status },
    );
  const pem = new TextDecoder().decode(res.body);
  const actual = publicKeyFingerprint(pem);
  if (actual !== fingerprint.trim()) {
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
