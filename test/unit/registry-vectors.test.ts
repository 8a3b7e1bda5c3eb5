// The registry decoder against hex_core 0.19.0's signed payloads (vectors/registry): every payload decodes to
// what hex_core decoded, with both public key formats; the origin checks give hex_core's verdicts; every
// negative resource is refused with a clear error (also where hex_core crashes).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { isHextsError } from "../../src/errors.js";
import {
  unpackNames,
  unpackPackage,
  unpackVersions,
  type RegistryPackage,
  type RegistryVersions,
} from "../../src/registry/resources.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

const skip = vectorsSkip;
const index = skip ? { payloads: [], negative: [] } : readVectorJson("registry", "index.json");
const key = (name: string) => (skip ? "" : readFileSync(vectorPath("registry", "keys", name), "utf8"));
const spki = key("test_public_key.pem");
const pkcs1 = key("test_public_key_pkcs1.pem");
const other = key("other_public_key.pem");
const body = (file: string) => readFileSync(vectorPath("registry", file));

/** Our decoded shape, written the way the vectors write hex_core's (proto field names, enum names). */
function asVector(resource: string, decoded: any): unknown {
  const ts = (t: any) => (t ? { seconds: t.seconds, nanos: t.nanos } : undefined);
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  if (resource === "names")
    return {
      repository: decoded.repository,
      packages: decoded.packages.map((p: any) => clean({ name: p.name, updated_at: ts(p.updatedAt) })),
    };
  if (resource === "versions") {
    const v = decoded as RegistryVersions;
    return {
      repository: v.repository,
      packages: v.packages.map((p) => ({
        name: p.name,
        versions: p.versions,
        retired: p.retired.map((r) => p.versions.indexOf(r)),
        with_advisories: p.withAdvisories.map((r) => p.versions.indexOf(r)),
      })),
    };
  }
  const p = decoded as RegistryPackage;
  const advisory = (a: RegistryPackage["advisories"][number]) =>
    clean({
      id: a.id,
      summary: a.summary,
      severity: typeof a.severity === "string" ? `SEVERITY_${a.severity.toUpperCase()}` : a.severity,
      cvss_score: a.cvssScore,
      html_url: a.htmlUrl,
      api_url: a.apiUrl,
      aliases: a.aliases,
    });
  return {
    repository: p.repository,
    name: p.name,
    releases: p.releases.map((r) =>
      clean({
        version: r.version,
        published_at: ts(r.publishedAt),
        retired:
          r.retired &&
          clean({ reason: `RETIRED_${String(r.retired.reason).toUpperCase()}`, message: r.retired.message }),
        inner_checksum: r.innerChecksum,
        outer_checksum: r.outerChecksum,
        dependencies: r.dependencies.map((d) =>
          clean({
            package: d.package,
            requirement: d.requirement,
            optional: d.optional || undefined,
            app: d.app === d.package ? undefined : d.app,
            repository: d.repository === p.repository ? undefined : d.repository,
          }),
        ),
        advisory_indexes: r.advisories.map((a) => p.advisories.indexOf(a)),
      }),
    ),
    advisories: p.advisories.map(advisory),
  };
}

function unpack(
  resource: string,
  bytes: Uint8Array,
  repository: string,
  name: string | undefined,
  publicKey: string,
  verifyOrigin = true,
) {
  const opts = { publicKey, repository, verifyOrigin };
  if (resource === "names") return unpackNames(bytes, opts);
  if (resource === "versions") return unpackVersions(bytes, opts);
  return unpackPackage(bytes, name!, opts);
}

/** Sorts object keys recursively, so comparisons ignore key order. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as any)[k])]),
    );
  return v;
}

const nameOf = (p: any): string | undefined => (p.resource === "package" ? p.decoded.name : undefined);

test("every signed payload decodes to what hex_core decoded, with the SPKI and the PKCS#1 key", { skip }, () => {
  assert.ok(index.payloads.length >= 10);
  for (const p of index.payloads) {
    for (const publicKey of [spki, pkcs1]) {
      const decoded = unpack(p.resource, body(p.file), p.repository, nameOf(p), publicKey);
      // `optional: false` sent explicitly means the same as leaving it out
      const expected = JSON.parse(JSON.stringify(p.decoded), (k, v) =>
        k === "optional" && v === false ? undefined : v,
      );
      assert.deepEqual(sorted(asVector(p.resource, decoded)), sorted(expected), p.file);
    }
  }
});

test("origin checks give hex_core's verdicts: wrong repository or package name, other key", { skip }, () => {
  for (const p of index.payloads) {
    const bytes = body(p.file);
    const wrong = (fn: () => unknown, reason: string, what: string) =>
      assert.throws(
        fn,
        (e: unknown) => isHextsError(e) && e.code === "REGISTRY_INVALID" && (e.details as any).reason === reason,
        `${p.file}: ${what}`,
      );
    wrong(() => unpack(p.resource, bytes, "some_other_repo", nameOf(p), spki), "bad_repo_name", "wrong repository");
    wrong(() => unpack(p.resource, bytes, p.repository, nameOf(p), other), "bad_signature", "other key");
    if (p.resource === "package")
      wrong(
        () => unpack(p.resource, bytes, p.repository, `not_${nameOf(p)}`, spki),
        "bad_repo_name",
        "wrong package name",
      );
    // HEX_NO_VERIFY_REPO_ORIGIN: hex_core's no_verify accepts another repository's name
    assert.doesNotThrow(() => unpack(p.resource, bytes, "some_other_repo", "whatever", spki, false), p.file);
  }
});

const negativeReason: Record<string, string> = {
  names_payload_tampered: "bad_signature",
  versions_signed_by_other_key: "bad_signature",
  names_for_other_repository: "bad_repo_name",
  package_name_mismatch: "bad_repo_name",
  package_for_other_repository: "bad_repo_name",
  signed_without_signature: "no_signature",
  signature_truncated: "bad_signature",
  not_gzipped: "not_gzip",
  gzip_truncated: "corrupt_gzip",
};

test("every negative resource is refused with a one-line REGISTRY_INVALID error", { skip }, () => {
  assert.equal(index.negative.length, Object.keys(negativeReason).length);
  for (const n of index.negative) {
    const expected = negativeReason[n.id];
    assert.ok(expected, `unknown negative case ${n.id}`);
    const name = n.resource === "package" ? "alpha" : undefined;
    assert.throws(
      () => unpack(n.resource, body(n.file), n.expected_repository, name, spki),
      (e: unknown) =>
        isHextsError(e) &&
        e.code === "REGISTRY_INVALID" &&
        (e.details as any).reason === expected &&
        !e.message.includes("\n"),
      n.id,
    );
  }
});

test("the signature can be skipped (HEX_UNSAFE_REGISTRY) but the origin check still applies", { skip }, () => {
  const tampered = body("negative/names_payload_tampered.bin");
  assert.throws(() => unpackNames(tampered, { publicKey: spki, repository: "hexpm" }));
  // unverified, the flipped bit is just data
  const names = unpackNames(body("negative/signed_without_signature.bin"), {
    publicKey: spki,
    repository: "hexpm",
    verify: false,
  });
  assert.equal(names.repository, "hexpm");
  assert.throws(
    () =>
      unpackNames(body("negative/names_for_other_repository.bin"), {
        publicKey: other,
        repository: "hexpm",
        verify: false,
      }),
    /evilrepo/,
  );
});

test("malformed inputs are clean errors, not crashes", () => {
  const bad = (bytes: Uint8Array, reason: string) =>
    assert.throws(
      () => unpackNames(bytes, { publicKey: spki || "x", repository: "hexpm" }),
      (e: unknown) => isHextsError(e) && (e.details as any).reason === reason,
    );
  bad(new Uint8Array(0), "not_gzip");
  bad(gzipSync(Buffer.from([0x0a, 0xff])), "bad_protobuf");
  bad(gzipSync(Buffer.alloc(0)), "bad_protobuf"); // required payload missing
  bad(gzipSync(Buffer.from([0x0a, 0x00])), skip ? "bad_public_key" : "no_signature");
  assert.throws(
    () =>
      unpackNames(gzipSync(Buffer.from([0x0a, 0x00, 0x12, 0x01, 0x00])), {
        publicKey: "not a key",
        repository: "hexpm",
      }),
    /not a PEM RSA public key/,
  );
  assert.throws(
    () =>
      unpackNames(gzipSync(Buffer.alloc(2048)), {
        publicKey: spki || "x",
        repository: "hexpm",
        maxUncompressedSize: 1024,
      }),
    (e: unknown) => isHextsError(e) && (e.details as any).reason === "too_big",
  );
});

test("unknown fields skipped, unknown enum values kept as numbers, repeated indexes read packed or not", async () => {
  const { generateKeyPairSync, sign } = await import("node:crypto");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return Buffer.from(out);
  };
  const field = (id: number, data: Buffer | string) => {
    const b = Buffer.from(data);
    return Buffer.concat([varint((id << 3) | 2), varint(b.length), b]);
  };
  const int = (id: number, n: number) => Buffer.concat([varint(id << 3), varint(n)]);
  const signedGz = (payload: Buffer) =>
    gzipSync(Buffer.concat([field(1, payload), field(2, sign("sha512", payload, privateKey))]));

  const release = Buffer.concat([
    field(1, "1.0.0"),
    field(2, Buffer.alloc(32, 1)),
    field(4, Buffer.concat([int(1, 9), field(2, "why")])),
    field(99, "future"),
  ]);
  const pkg = unpackPackage(
    signedGz(Buffer.concat([field(1, release), field(2, "foo"), field(3, "hexpm"), int(15, 7)])),
    "foo",
    { publicKey: pem, repository: "hexpm" },
  );
  assert.deepEqual(pkg.releases[0]!.retired, { reason: 9, message: "why" });
  assert.equal(pkg.releases[0]!.outerChecksum, undefined);

  // retired as two unpacked varints, with_advisories packed
  const entry = Buffer.concat([
    field(1, "bar"),
    field(2, "0.1.0"),
    field(2, "0.2.0"),
    field(2, "0.3.0"),
    int(3, 0),
    int(3, 2),
    field(5, Buffer.from([1])),
  ]);
  const versions = unpackVersions(signedGz(Buffer.concat([field(1, entry), field(2, "hexpm")])), {
    publicKey: pem,
    repository: "hexpm",
  });
  assert.deepEqual(versions.packages[0], {
    name: "bar",
    versions: ["0.1.0", "0.2.0", "0.3.0"],
    retired: ["0.1.0", "0.3.0"],
    withAdvisories: ["0.2.0"],
  });

  // a checksum that is not 32 bytes, and an index past the versions list, are refused
  const short = Buffer.concat([field(1, "1.0.0"), field(2, Buffer.alloc(31))]);
  assert.throws(
    () =>
      unpackPackage(signedGz(Buffer.concat([field(1, short), field(2, "foo"), field(3, "hexpm")])), "foo", {
        publicKey: pem,
        repository: "hexpm",
      }),
    /32/,
  );
  const past = Buffer.concat([field(1, "bar"), field(2, "0.1.0"), int(3, 5)]);
  assert.throws(
    () =>
      unpackVersions(signedGz(Buffer.concat([field(1, past), field(2, "hexpm")])), {
        publicKey: pem,
        repository: "hexpm",
      }),
    /entry 5/,
  );
});
