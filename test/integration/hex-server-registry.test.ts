// The local Hex server's signed registry resources (§7): protobuf payloads, signatures, private repositories.
import assert from "node:assert/strict";
import { verify } from "node:crypto";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { buildTarball, startHexServer } from "../support/hex-server/index.js";
import { encodePackage } from "../support/hex-server/registry.js";
import type { Package } from "../support/hex-server/state.js";

/** Minimal proto2 reader for the test: field number -> list of raw values (varints as bigint, others as Buffer). */
function fields(buf: Buffer): Map<number, (bigint | Buffer)[]> {
  const out = new Map<number, (bigint | Buffer)[]>();
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const k = Number(varint());
    const [field, wire] = [k >> 3, k & 7];
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(i, i + len);
      i += len;
    } else throw new Error(`wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const str = (v: bigint | Buffer | undefined): string => (v as Buffer).toString("utf8");

test("the Package encoding reproduces the protocol digest's decode vector byte for byte", () => {
  const pkg = {
    name: "foo",
    repository: "acme",
    releases: [
      {
        version: "1.0.0",
        innerChecksum: "01".repeat(32),
        outerChecksum: "02".repeat(32),
        requirements: [{ name: "bar", repository: "hexpm", app: "bar_app", requirement: "~> 1.0", optional: true }],
        retirement: { reason: "security", message: "bad" },
        insertedAt: 1_700_000_000_000,
      },
    ],
  } as unknown as Package;
  const expected =
    "0A7F0A05312E302E30122001010101010101010101010101010101010101010101010101010101010101011A1F0A0362617212" +
    "067E3E20312E30180122076261725F6170702A05686578706D2207080212036261642A20020202020202020202020202020202" +
    "02020202020202020202020202020202023A080880E2CFAA0610001203666F6F1A0461636D65";
  assert.equal(encodePackage("acme", pkg).toString("hex").toUpperCase(), expected);
});

test("/repo/names, /versions and /packages/NAME are gzip(Signed) verifiable with /repo/public_key", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "beta", version: "1.0.0" }) });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "alpha", version: "0.2.0" }) });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "alpha", version: "0.10.0" }) });
  const pem = await (await fetch(`${server.repoUrl}/public_key`)).text();
  assert.equal(pem, server.registryPublicKey!());
  const signed = async (path: string) => {
    const res = await fetch(`${server.repoUrl}${path}`);
    assert.equal(res.status, 200, path);
    const body = fields(gunzipSync(Buffer.from(await res.arrayBuffer())));
    const payload = body.get(1)![0] as Buffer;
    assert.ok(verify("sha512", payload, pem, body.get(2)![0] as Buffer), `${path} signature`);
    return fields(payload);
  };
  const names = await signed("/names");
  assert.deepEqual(
    names.get(1)!.map((p) => str(fields(p as Buffer).get(1)![0])),
    ["alpha", "beta"],
  );
  assert.equal(str(names.get(2)![0]), "hexpm");
  const versions = await signed("/versions");
  const alpha = fields(versions.get(1)![0] as Buffer);
  assert.deepEqual(alpha.get(2)!.map(str), ["0.2.0", "0.10.0"], "versions in SemVer order");
  const pkg = await signed("/packages/alpha");
  assert.deepEqual([str(pkg.get(2)![0]), str(pkg.get(3)![0])], ["alpha", "hexpm"]);
  const release = fields(pkg.get(1)![1] as Buffer);
  const api = (await (
    await fetch(`${server.apiUrl}/packages/alpha/releases/0.10.0`, { headers: { "user-agent": "t" } })
  ).json()) as { checksum: string };
  assert.equal((release.get(5)![0] as Buffer).toString("hex"), api.checksum, "outer checksum matches the API's");
  assert.equal((await fetch(`${server.repoUrl}/packages/nope`)).status, 404);
});

test("retirements appear in /versions; organization registries need a repository credential", async () => {
  await using server = await startHexServer();
  server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.0.0" }) });
  server.addRelease({ owner: "ana", tarball: buildTarball({ name: "foo", version: "1.1.0" }) });
  const key = server.addKey({ owner: { user: "ana" }, name: "k" });
  await fetch(`${server.apiUrl}/packages/foo/releases/1.0.0/retire`, {
    method: "POST",
    headers: { "user-agent": "t", authorization: key, "content-type": "application/json" },
    body: JSON.stringify({ reason: "invalid", message: "broken" }),
  });
  const versions = fields(
    fields(gunzipSync(Buffer.from(await (await fetch(`${server.repoUrl}/versions`)).arrayBuffer()))).get(
      1,
    )![0] as Buffer,
  );
  const entry = fields(versions.get(1)![0] as Buffer);
  assert.deepEqual((entry.get(3)![0] as Buffer).toJSON().data, [0], "retired indexes (packed)");

  server.addRelease({ repository: "acme", owner: "ana", tarball: buildTarball({ name: "priv", version: "1.0.0" }) });
  assert.equal((await fetch(`${server.repoUrl}/repos/acme/names`)).status, 401);
  const repoKey = server.addKey({
    owner: { user: "ana" },
    name: "r",
    permissions: [{ domain: "repository", resource: "acme" }],
  });
  const names = await fetch(`${server.repoUrl}/repos/acme/packages/priv`, { headers: { authorization: repoKey } });
  assert.equal(names.status, 200);
  const payload = fields(fields(gunzipSync(Buffer.from(await names.arrayBuffer()))).get(1)![0] as Buffer);
  assert.equal(str(payload.get(3)![0]), "acme");
  const publicNames = fields(
    fields(gunzipSync(Buffer.from(await (await fetch(`${server.repoUrl}/names`)).arrayBuffer()))).get(1)![0] as Buffer,
  );
  assert.deepEqual(
    publicNames.get(1)!.map((p) => str(fields(p as Buffer).get(1)![0])),
    ["foo"],
    "private packages stay out of the public names",
  );
});
