// The library as an npm consumer uses it: `import ... from "hexts"` resolves through package.json
// `exports` to the built bundle, and its pieces work against the local Hex server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHexServer } from "../support/hex-server/index.js";
import { buildTarball } from "../support/hex-server/tarball-builder.js";

// A dynamic import by package name, so this really goes through `exports` -> dist/index.js.
const lib = await import("hexts" as string);

test("the entry exports the client, tarball, project, term and config pieces", () => {
  for (const name of [
    "HexClient",
    "getMe",
    "createKey",
    "publishRelease",
    "OtpSession",
    "startDeviceAuthorization",
    "createPackageTarball",
    "buildPackageTarball",
    "unpackPackageTarball",
    "buildDocsTarball",
    "readProject",
    "listApps",
    "parseTerms",
    "encodeMetadataConfig",
    "decodeMetadataConfig",
    "formatAppSrc",
    "resolveSettings",
    "storeCredential",
    "HextsError",
    "ExitCode",
    "hextsVersion",
  ]) {
    assert.ok(name in lib, `${name} is not exported`);
  }
});

test("createPackageTarball reproduces the golden vector of HEX_PROTOCOL §5.8", async () => {
  const { createPackageTarball, unpackPackageTarball } = lib;
  const result = await createPackageTarball({ build_tool: "rebar3", name: "foo", version: "1.0.0" }, [
    { path: "empty", type: "dir", mode: 0o40755 },
    { path: "src", type: "dir", mode: 0o40755 },
    { path: "src/foo.erl", contents: new TextEncoder().encode("-module(foo).") },
  ]);
  assert.equal(result.innerChecksum, "f7220964ab6bc70b6e793b11c580152e738ef5ebc7e9c5228c6765600fc5879a");
  assert.equal(result.outerChecksum, "3ded88f7bac738294907aceed89fe63c9914713f988e608f2b17d7ae6eac8446");
  const unpacked = await unpackPackageTarball(result.tarball);
  assert.equal(unpacked.outerChecksum, result.outerChecksum);
});

test("HexClient talks to a Hex server and returns typed data", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  const client = new lib.HexClient({ apiUrl: server.apiUrl, credential: { type: "key", key: ana.apiKey } });
  try {
    const me = await lib.getMe(client);
    assert.equal(me.username, "ana");
    await assert.rejects(
      lib.getMe(client.with({ credential: { type: "key", key: "0".repeat(32) } })),
      (e: any) => e instanceof lib.HextsError && e.code === "NOT_AUTHENTICATED",
    );
    // Library errors state the fact and a typed kind; advice naming hexts commands is the CLI's (cli/advice.ts).
    for (const [c, kind] of [
      [client.with({ credential: { type: "key", key: "0".repeat(32) } }), "key-rejected"],
      [client.with({ credential: undefined }), "login-required"],
    ] as const) {
      await assert.rejects(lib.getMe(c), (e: any) => {
        assert.equal(e.kind, kind);
        assert.doesNotMatch(e.message, /hexts |--otp/, e.message);
        return true;
      });
    }
  } finally {
    await client.close();
  }
  const ua = server.requests.find((r) => r.path === "/api/users/me")?.headers["user-agent"];
  assert.match(String(ua), /^hexts\/\d+\.\d+\.\d+ \(node\/\d+/);
});

test("a HexClient works in one repository: hexpm:ORG puts resource paths under repos/ORG and orgs/ORG", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  server.addOrganization({ name: "acme", admin: "ana" });
  server.addRelease({ repository: "acme", owner: "ana", tarball: buildTarball({ name: "secret", version: "0.1.0" }) });
  const client = new lib.HexClient({
    apiUrl: server.apiUrl,
    credential: { type: "key", key: ana.apiKey },
    repo: "hexpm:acme",
  });
  try {
    assert.deepEqual(client.repo, { repository: "hexpm:acme", organization: "acme" });
    assert.equal((await lib.getPackage(client, "secret")).repository, "acme");
    assert.deepEqual(
      (await lib.listMembers(client)).map((m: { username: string }) => m.username),
      ["ana"],
    );
    // The same connections and login, for the public repository: no such package there.
    const hexpm = client.with({ repo: lib.HEXPM });
    await assert.rejects(lib.getPackage(hexpm, "secret"), (e: any) => e.code === "NOT_FOUND");
    assert.throws(
      () => client.with({ repo: "hexpm:Not Valid" }),
      (e: any) => e.code === "USAGE",
    );
  } finally {
    await client.close();
  }
  const paths = server.requests.map((r) => r.path);
  assert.ok(paths.includes("/api/repos/acme/packages/secret"));
  assert.ok(paths.includes("/api/orgs/acme/members"));
  assert.ok(paths.includes("/api/packages/secret"));
});
