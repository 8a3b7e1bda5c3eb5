// Error mapping of the API client: status + headers + body -> code and user message; 422 flattening; transport
// failures.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ApiError,
  errorFromResponse,
  errorFromTransport,
  flattenFieldErrors,
  redactUrl,
  transportCode,
  type CredentialKind,
} from "../../src/api/errors.js";
import { ExitCode, type ErrorCode } from "../../src/errors.js";
import { messageWithAdvice } from "../../src/cli/advice.js";

const url = "https://hex.pm/api/packages/foo";

type Row = [
  name: string,
  status: number,
  headers: Record<string, string>,
  body: unknown,
  credential: CredentialKind | undefined,
  code: ErrorCode,
  messageHas: RegExp,
];

const table: Row[] = [
  [
    "401 totp_required",
    401,
    { "www-authenticate": 'Bearer realm="hex", error="totp_required"' },
    { status: 401, message: "Two-factor authentication required." },
    "oauth",
    "OTP_REQUIRED",
    /--otp.*HEX_OTP/,
  ],
  [
    "401 invalid_totp",
    401,
    { "www-authenticate": 'Bearer realm="hex", error="invalid_totp"' },
    { message: "Invalid two-factor authentication code" },
    "oauth",
    "OTP_INVALID",
    /not accepted.*--otp/,
  ],
  [
    "401 basic disabled (Bearer challenge)",
    401,
    { "www-authenticate": 'Bearer realm="hex"' },
    { message: "Basic authentication is disabled. Use OAuth." },
    "basic",
    "BASIC_AUTH_DISABLED",
    /hexts user auth --oauth/,
  ],
  [
    "401 basic disabled (message only)",
    401,
    { "www-authenticate": "Basic realm=hex" },
    { message: "Basic authentication is disabled" },
    "basic",
    "BASIC_AUTH_DISABLED",
    /API key/,
  ],
  [
    "401 bad password",
    401,
    { "www-authenticate": "Basic realm=hex" },
    { message: "invalid username and password combination" },
    "basic",
    "NOT_AUTHENTICATED",
    /username and password: invalid username/,
  ],
  [
    "401 no credential",
    401,
    { "www-authenticate": "Basic realm=hex" },
    { message: "missing authentication information" },
    undefined,
    "NOT_AUTHENTICATED",
    /logged in.*hexts user auth/,
  ],
  [
    "401 bad key",
    401,
    { "www-authenticate": "Basic realm=hex" },
    { message: "invalid API key" },
    "key",
    "NOT_AUTHENTICATED",
    /API key: invalid API key.*HEX_API_KEY/,
  ],
  [
    "401 revoked token",
    401,
    { "www-authenticate": "Basic realm=hex" },
    { message: "invalid API key" },
    "oauth",
    "NOT_AUTHENTICATED",
    /expired or was revoked.*hexts user auth/,
  ],
  [
    "401 key lacks permission",
    401,
    { "www-authenticate": "Basic realm=hex" },
    { message: "key not authorized for this action" },
    "key",
    "FORBIDDEN",
    /lacks the permission/,
  ],
  [
    "403 2FA off",
    403,
    {},
    { message: "Two-factor authentication must be enabled for API write access" },
    "oauth",
    "TWO_FACTOR_DISABLED",
    /Enable two-factor.*HEX_API_KEY/,
  ],
  ["403 email", 403, {}, { message: "email not verified" }, "key", "FORBIDDEN", /not verified/],
  [
    "403 other",
    403,
    {},
    { message: "account not authorized for this action" },
    "key",
    "FORBIDDEN",
    /Not allowed: GET .*account not authorized/,
  ],
  [
    "404",
    404,
    {},
    { status: 404, message: "Page not found" },
    undefined,
    "NOT_FOUND",
    /Not found: GET https:\/\/hex.pm\/api\/packages\/foo: Page not found/,
  ],
  ["409", 409, {}, { message: "conflict" }, "key", "CONFLICT", /Conflict/],
  [
    "422",
    422,
    {},
    { message: "Validation error(s)", errors: { name: "has already been taken" } },
    "key",
    "VALIDATION_FAILED",
    /rejected GET .*Validation error/,
  ],
  [
    "429 api",
    429,
    { "x-ratelimit-reset": "1030" },
    { message: "API rate limit exceeded for IP 1.2.3.4" },
    undefined,
    "RATE_LIMITED",
    /Try again in 30 s/,
  ],
  [
    "429 otp lockout",
    429,
    {},
    { message: "Too many failed two-factor authentication attempts. Please try again later." },
    "oauth",
    "RATE_LIMITED",
    /Too many failed two-factor/,
  ],
  [
    "500",
    500,
    {},
    { message: "Internal server error" },
    undefined,
    "SERVER_ERROR",
    /HTTP 500 Internal server error.*later/,
  ],
  ["503 html", 503, {}, "<html>down</html>", undefined, "SERVER_ERROR", /HTTP 503/],
  [
    "400",
    400,
    {},
    { message: "User-Agent header is required" },
    undefined,
    "SERVER_REFUSED",
    /HTTP 400 User-Agent header is required/,
  ],
  ["413", 413, {}, { message: "Payload too large" }, "key", "SERVER_REFUSED", /too large/],
  ["304", 304, {}, undefined, undefined, "PROTOCOL", /Unexpected HTTP 304/],
];

for (const [name, status, headers, body, credential, code, messageHas] of table) {
  test(`errorFromResponse: ${name} -> ${code}`, () => {
    const e = errorFromResponse({ method: "GET", url, status, headers, body, credential, now: 1_000_000 });
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    assert.equal(e.method, "GET");
    assert.equal(e.url, url);
    // What users see: the library's fact, then the CLI's advice for its kind (cli/advice.ts).
    assert.match(messageWithAdvice(e), messageHas);
    assert.doesNotMatch(e.message, /hexts |--otp/, "the library's own message names no CLI command or flag");
  });
}

test("errorFromResponse: auth failures exit 3, server failures exit 4, rejections exit 1", () => {
  const exit = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    errorFromResponse({ method: "GET", url, status, headers, body }).exitCode;
  assert.equal(exit(401, {}), ExitCode.AUTH);
  assert.equal(exit(502, {}), ExitCode.NETWORK);
  assert.equal(exit(422, {}), ExitCode.FAILED);
});

test("errorFromResponse: a 422 carries the server message, the raw errors and flattened lines", () => {
  const errors = {
    requirements: { plug: 'package does not exist in repository "hexpm"' },
    meta: { licenses: "invalid" },
    tar: "too big",
  };
  const e = errorFromResponse({
    method: "POST",
    url,
    status: 422,
    headers: {},
    body: { status: 422, message: "Validation error(s)", errors },
  });
  assert.equal(e.serverMessage, "Validation error(s)");
  assert.deepEqual(e.errors, errors);
  assert.deepEqual(e.lines, [
    'requirements.plug: package does not exist in repository "hexpm"',
    "meta.licenses: invalid",
    "tar: too big",
  ]);
  assert.deepEqual(e.details, { method: "POST", url, serverMessage: "Validation error(s)", errors });
});

test("errorFromResponse: a 404 names what is missing when the caller says so", () => {
  const e = errorFromResponse({
    method: "GET",
    url,
    status: 404,
    headers: {},
    body: { message: "Page not found" },
    notFound: 'package "foo" does not exist in hexpm',
  });
  assert.equal(e.message, `Package "foo" does not exist in hexpm (GET ${url}).`);
});

test("errorFromResponse: control characters from the server never reach the message", () => {
  const e = errorFromResponse({
    method: "GET",
    url,
    status: 403,
    headers: {},
    body: { message: "bad\u001b[31mred\u0007" },
  });
  assert.doesNotMatch(e.message, /[\u0000-\u001f]/);
  assert.match(e.message, /badred/);
});

const flatten: [unknown, string[]][] = [
  ["plain string", ["plain string"]],
  [{ name: "has already been taken" }, ["name: has already been taken"]],
  [{ requirements: { plug: "package does not exist" } }, ["requirements.plug: package does not exist"]],
  [
    { retirement: { message: "should be at most 140 character(s)" } },
    ["retirement.message: should be at most 140 character(s)"],
  ],
  [{ a: { b: { c: "deep" } }, d: "top" }, ["a.b.c: deep", "d: top"]],
  [{ emails: ["taken", "invalid"] }, ["emails: taken", "emails: invalid"]],
  [
    { permissions: [{ resource: "you do not have access to this repository" }] },
    ["permissions.resource: you do not have access to this repository"],
  ],
  [null, []],
  [undefined, []],
  [{}, []],
];
for (const [input, lines] of flatten) {
  test(`flattenFieldErrors(${JSON.stringify(input)})`, () => assert.deepEqual(flattenFieldErrors(input), lines));
}

const transport: [name: string, cause: unknown, write: boolean, code: ErrorCode, messageHas: RegExp][] = [
  [
    "refused read",
    Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    false,
    "NETWORK",
    /Could not connect.*HEX_API_URL/,
  ],
  [
    "refused write says nothing about an unknown outcome",
    Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    true,
    "NETWORK",
    /^(?!.*may or may not).*Could not connect/,
  ],
  [
    "reset during a write",
    Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    true,
    "NETWORK",
    /may or may not have carried it out; run `hexts user key list`/,
  ],
  [
    "undici socket error during a read",
    Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    false,
    "NETWORK",
    /connection failed during GET .*\(UND_ERR_SOCKET\)\.$/,
  ],
  [
    "headers timeout",
    Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" }),
    false,
    "TIMEOUT",
    /after 15 s.*HEX_HTTP_TIMEOUT/,
  ],
  [
    "connect timeout",
    Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" }),
    true,
    "TIMEOUT",
    /^(?!.*may or may not)/,
  ],
  [
    "bad certificate",
    Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
    false,
    "TLS",
    /HEX_CACERTS_PATH.*HEX_UNSAFE_HTTPS/,
  ],
  [
    "hostname mismatch",
    Object.assign(new Error("altname"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
    false,
    "TLS",
    /Secure connection failed/,
  ],
];
for (const [name, cause, write, code, messageHas] of transport) {
  test(`errorFromTransport: ${name} -> ${code}`, () => {
    const e = errorFromTransport({
      method: write ? "POST" : "GET",
      url,
      cause,
      write,
      checkHint: "run `hexts user key list`",
      timeoutMs: 15_000,
    });
    assert.equal(e.code, code);
    assert.equal(e.cause, cause);
    assert.match(e.message, messageHas);
  });
}

test("transportCode prefers the specific cause under undici's generic socket error", () => {
  const inner = Object.assign(new Error("reset"), { code: "ECONNRESET" });
  assert.equal(
    transportCode(Object.assign(new Error("socket"), { code: "UND_ERR_SOCKET", cause: inner })),
    "ECONNRESET",
  );
  assert.equal(transportCode(Object.assign(new Error("socket"), { code: "UND_ERR_SOCKET" })), "UND_ERR_SOCKET");
  assert.equal(
    transportCode(new TypeError("fetch failed", { cause: Object.assign(new Error(), { code: "ENOTFOUND" }) })),
    "ENOTFOUND",
  );
  assert.equal(transportCode(new Error("plain")), undefined);
});

test("redactUrl hides userinfo and keeps the rest", () => {
  assert.equal(redactUrl("https://ana:s3cret@hex.example/api/keys"), "https://***@hex.example/api/keys");
  assert.equal(redactUrl("https://hex.pm/api/packages?search=a"), "https://hex.pm/api/packages?search=a");
  assert.doesNotMatch(redactUrl("not a url //ana:s3cret@x"), /s3cret/);
});
