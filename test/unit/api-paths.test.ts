// Pure helpers of the API client: organization prefixes, path segments, URL joining, User-Agent, header parsing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formSeg, isOAuthPath, joinUrl, orgPrefix, organizationOf, repoPrefix, seg } from "../../src/api/paths.js";
import { userAgent } from "../../src/api/user-agent.js";
import { parseHexMessage, parseWwwAuthenticate } from "../../src/api/headers.js";
import { proxyFromEnv } from "../../src/api/proxy.js";
import { HextsError } from "../../src/errors.js";
import { organizationRepo, parseRepo, type RepoRef } from "../../src/repository.js";

// The prefixes come from the client's repository, parsed once at the edge (`--repo`, `--organization`).
const prefixes: [string, RepoRef, string, string][] = [
  ["no --repo", parseRepo(undefined), "", ""],
  ["--repo ''", parseRepo(""), "", ""],
  ["--repo hexpm", parseRepo("hexpm"), "", ""],
  ["--repo hexpm:acme", parseRepo("hexpm:acme"), "repos/acme/", "orgs/acme/"],
  ["--organization acme", organizationRepo("acme"), "repos/acme/", "orgs/acme/"],
  ["--organization hexpm:my_org2", organizationRepo("hexpm:my_org2"), "repos/my_org2/", "orgs/my_org2/"],
  ["a configured repository", parseRepo("mycompany"), "", ""],
];
for (const [label, repo, repoP, orgP] of prefixes) {
  test(`prefixes of ${label}: "${repoP}" / "${orgP}"`, () => {
    assert.equal(repoPrefix(repo), repoP);
    assert.equal(orgPrefix(repo), orgP);
  });
}

for (const bad of ["Acme", "hexpm:", "acme/x", "a b", "hexpm:ACME", "../x"]) {
  test(`organizationOf rejects ${JSON.stringify(bad)}`, () => {
    assert.throws(
      () => organizationOf(bad),
      (e: unknown) => e instanceof HextsError && e.code === "USAGE",
    );
  });
}

const segments: [string, string][] = [
  ["plug", "plug"],
  ["1.0.0+build.1", "1.0.0%2Bbuild.1"],
  ["ana+hex@x.io", "ana%2Bhex%40x.io"],
  ["a/b", "a%2Fb"],
  ["with space", "with%20space"],
];
for (const [input, out] of segments) test(`seg(${input}) = ${out}`, () => assert.equal(seg(input), out));
const formSegments: [string, string][] = [
  ["ana", "ana"],
  ["ana+hex@x.io", "ana%252Bhex%2540x.io"],
  ["with space", "with%2520space"],
];
for (const [input, out] of formSegments) {
  test(`formSeg(${input}) = ${out}, which percent-decoding then form-decoding turns back into the input`, () => {
    assert.equal(formSeg(input), out);
    assert.equal(decodeURIComponent(decodeURIComponent(out).replace(/\+/g, " ")), input);
  });
}
for (const bad of ["", ".", ".."])
  test(`seg rejects ${JSON.stringify(bad)}`, () => assert.throws(() => seg(bad), HextsError));

const joins: [string, string, Record<string, string | number | boolean | undefined> | undefined, string][] = [
  ["https://hex.pm/api", "packages/foo", undefined, "https://hex.pm/api/packages/foo"],
  ["https://hex.pm/api/", "packages/foo", undefined, "https://hex.pm/api/packages/foo"],
  [
    "https://hex.pm/api//",
    "/packages",
    { search: "a b", page: 2, sort: undefined },
    "https://hex.pm/api/packages?search=a+b&page=2",
  ],
  [
    "http://127.0.0.1:4000/api",
    "repos/acme/publish",
    { replace: false },
    "http://127.0.0.1:4000/api/repos/acme/publish?replace=false",
  ],
];
for (const [base, path, query, out] of joins)
  test(`joinUrl(${base}, ${path})`, () => assert.equal(joinUrl(base, path, query), out));

const oauth: [string, boolean][] = [
  ["oauth/token", true],
  ["/oauth/device_authorization", true],
  ["oauth", true],
  ["oauthx/token", false],
  ["users/oauth", false],
  ["keys", false],
];
for (const [path, yes] of oauth) test(`isOAuthPath(${path}) = ${yes}`, () => assert.equal(isOAuthPath(path), yes));

const agents: [Parameters<typeof userAgent>[0], string][] = [
  [{ version: "0.1.0", nodeVersion: "v20.18.1", platform: "linux" }, "hexts/0.1.0 (node/20.18.1) (linux)"],
  [
    { version: "0.1.0", nodeVersion: "22.1.0", platform: "darwin", ci: true },
    "hexts/0.1.0 (node/22.1.0) (darwin) (CI)",
  ],
  [
    { version: "1.2.3", nodeVersion: "v20.0.0", platform: "win32", ci: false, extra: "gleam/1.0" },
    "hexts/1.2.3 (node/20.0.0) (win32) gleam/1.0",
  ],
  [
    { version: "1.2.3", nodeVersion: "v20.0.0", platform: "linux", extra: "x\r\ny" },
    "hexts/1.2.3 (node/20.0.0) (linux) x y",
  ],
];
for (const [parts, out] of agents) test(`userAgent -> ${out}`, () => assert.equal(userAgent(parts), out));

const challenges: [string | undefined, ReturnType<typeof parseWwwAuthenticate>][] = [
  [undefined, undefined],
  ["Basic realm=hex", { scheme: "basic", params: { realm: "hex" } }],
  ['Bearer realm="hex", error="totp_required"', { scheme: "bearer", params: { realm: "hex", error: "totp_required" } }],
  ['Bearer realm="hex",error="invalid_totp"', { scheme: "bearer", params: { realm: "hex", error: "invalid_totp" } }],
  ['Bearer realm="hex"', { scheme: "bearer", params: { realm: "hex" } }],
];
for (const [value, out] of challenges)
  test(`parseWwwAuthenticate(${value})`, () => assert.deepEqual(parseWwwAuthenticate(value), out));

const messages: [string | undefined, ReturnType<typeof parseHexMessage>][] = [
  [undefined, undefined],
  ['"Hex 2.0 is deprecated"; level=warn', { message: "Hex 2.0 is deprecated", level: "warn" }],
  ['"Stop now"; level=fatal', { message: "Stop now", level: "fatal" }],
  ['"quoted \\"word\\""', { message: 'quoted "word"', level: "warn" }],
  ["plain text", { message: "plain text", level: "warn" }],
  ['"\u001b[2Jcleared\u0007"; level=warn', { message: "cleared", level: "warn" }],
  ['""', undefined],
];
for (const [value, out] of messages)
  test(`parseHexMessage(${JSON.stringify(value)})`, () => assert.deepEqual(parseHexMessage(value), out));

test("proxyFromEnv reads both cases, lowercase first, and ignores empty values", () => {
  assert.deepEqual(proxyFromEnv({}), { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined });
  assert.deepEqual(proxyFromEnv({ HTTP_PROXY: "http://a:1", https_proxy: "http://b:2", NO_PROXY: "localhost" }), {
    httpProxy: "http://a:1",
    httpsProxy: "http://b:2",
    noProxy: "localhost",
  });
  assert.equal(proxyFromEnv({ http_proxy: "http://low:1", HTTP_PROXY: "http://up:1" }).httpProxy, "http://low:1");
  assert.equal(proxyFromEnv({ http_proxy: "", HTTP_PROXY: "http://up:1" }).httpProxy, "http://up:1");
});
