// Signed registry resources (§7): /names, /versions, /packages/NAME as gzip(Signed(payload)), protobuf
// written by hand, signed RSASSA-PKCS1-v1_5/SHA-512 with a key pair made when first needed.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { gzipSync } from "node:zlib";
import semver from "semver";
import type { Core } from "./context.js";
import type { Package, Release } from "./state.js";

// ---- protobuf (proto2 wire format: varints, length-delimited fields) ----

function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

const key = (field: number, wire: number): Buffer => varint((field << 3) | wire);
const bytesField = (field: number, data: Buffer | string): Buffer => {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
  return Buffer.concat([key(field, 2), varint(buf.length), buf]);
};
const intField = (field: number, value: number | bigint): Buffer => Buffer.concat([key(field, 0), varint(value)]);
const packed = (field: number, values: number[]): Buffer =>
  values.length === 0 ? Buffer.alloc(0) : bytesField(field, Buffer.concat(values.map(varint)));

function timestamp(ms: number): Buffer {
  return Buffer.concat([intField(1, Math.floor(ms / 1000)), intField(2, (ms % 1000) * 1_000_000)]);
}

const REASONS: Record<string, number> = { other: 0, invalid: 1, security: 2, deprecated: 3, renamed: 4 };

const ascending = (pkg: Package): Release[] => [...pkg.releases].sort((a, b) => semver.compare(a.version, b.version));

export function encodeNames(repository: string, packages: Package[]): Buffer {
  const entries = packages.map((p) =>
    bytesField(1, Buffer.concat([bytesField(1, p.name), bytesField(3, timestamp(p.updatedAt))])),
  );
  return Buffer.concat([...entries, bytesField(2, repository)]);
}

export function encodeVersions(repository: string, packages: Package[]): Buffer {
  const entries = packages.map((p) => {
    const releases = ascending(p);
    const retired = releases.flatMap((r, i) => (r.retirement ? [i] : []));
    return bytesField(
      1,
      Buffer.concat([bytesField(1, p.name), ...releases.map((r) => bytesField(2, r.version)), packed(3, retired)]),
    );
  });
  return Buffer.concat([...entries, bytesField(2, repository)]);
}

export function encodePackage(repository: string, pkg: Package): Buffer {
  const releases = ascending(pkg).map((r) => {
    const deps = r.requirements.map((q) =>
      bytesField(
        3,
        Buffer.concat([
          bytesField(1, q.name),
          bytesField(2, q.requirement),
          q.optional ? intField(3, 1) : Buffer.alloc(0),
          q.app !== q.name ? bytesField(4, q.app) : Buffer.alloc(0),
          q.repository !== repository ? bytesField(5, q.repository) : Buffer.alloc(0),
        ]),
      ),
    );
    const retired = r.retirement
      ? bytesField(
          4,
          Buffer.concat([
            intField(1, REASONS[r.retirement.reason] ?? 0),
            r.retirement.message ? bytesField(2, r.retirement.message) : Buffer.alloc(0),
          ]),
        )
      : Buffer.alloc(0);
    return bytesField(
      1,
      Buffer.concat([
        bytesField(1, r.version),
        bytesField(2, Buffer.from(r.innerChecksum, "hex")),
        ...deps,
        retired,
        bytesField(5, Buffer.from(r.outerChecksum, "hex")),
        bytesField(7, timestamp(r.insertedAt)),
      ]),
    );
  });
  return Buffer.concat([...releases, bytesField(2, pkg.name), bytesField(3, repository)]);
}

// ---- signing ----

export class RegistrySigner {
  private keys: { privateKey: KeyObject; publicPem: string } | null = null;

  private ensure() {
    if (!this.keys) {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      this.keys = { privateKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
    }
    return this.keys;
  }

  get publicKeyPem(): string {
    return this.ensure().publicPem;
  }

  /** gzip(Signed{payload, signature}) */
  signAndGzip(payload: Buffer): Buffer {
    const signature = sign("sha512", payload, this.ensure().privateKey);
    return gzipSync(Buffer.concat([bytesField(1, payload), bytesField(2, signature)]));
  }
}

/** The registry resource at `resource` ("names", "versions", "packages/NAME") of a repository, or null. */
export function registryResource(
  core: Core,
  signer: RegistrySigner,
  repository: string,
  resource: string[],
): Buffer | null {
  const packages = core.state
    .packagesIn([repository])
    .filter((p) => p.releases.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (resource.length === 1 && resource[0] === "names") return signer.signAndGzip(encodeNames(repository, packages));
  if (resource.length === 1 && resource[0] === "versions")
    return signer.signAndGzip(encodeVersions(repository, packages));
  if (resource.length === 2 && resource[0] === "packages") {
    const pkg = packages.find((p) => p.name === resource[1]);
    return pkg ? signer.signAndGzip(encodePackage(repository, pkg)) : null;
  }
  return null;
}
