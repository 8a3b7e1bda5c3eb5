// HexClient's transport against the local Hex server: headers, warnings, retries, no repeated writes,
// timeouts, redirects that keep credentials home, proxies, cancellation, response validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HexClient, type HexClientOptions } from "../../src/api/http.js";
import { decodeBody } from "../../src/api/body.js";
import { defaultTransport, type HttpTransport } from "../../src/http/index.js";
import { ApiError } from "../../src/api/errors.js";
import { messageWithAdvice } from "../../src/cli/advice.js";
import { getMe } from "../../src/api/users.js";
import { createKey, listKeys } from "../../src/api/keys.js";
import { startDeviceAuthorization } from "../../src/api/oauth.js";
import { hextsVersion } from "../../src/version.js";
import { HextsError } from "../../src/errors.js";
import { startConnectProxy } from "../support/connect-proxy.js";
import { startHexServer, type HexServer } from "../support/hex-server/index.js";

function client(server: HexServer, opts: Partial<HexClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = new HexClient({
    apiUrl: server.apiUrl,
    timeoutMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...opts,
  });
  return { client: c, sleeps };
}

const hits = (server: HexServer, method: string, path: string) =>
  server.requests.filter((r) => r.method === method && r.path === path);

async function withUser(fn: (server: HexServer, key: string) => Promise<void>): Promise<void> {
  await using server = await startHexServer();
  const { apiKey } = server.addUser({ username: "ana" });
  await fn(server, apiKey);
}

/** A plain loopback server standing in for "another host": records what it received. */
async function otherHost(answer: (headers: IncomingHttpHeaders) => unknown) {
  const seen: IncomingHttpHeaders[] = [];
  const srv: Server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answer(req.headers)));
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => (srv.closeAllConnections(), srv.close(() => resolve()))),
  };
}

const userJson = (username: string) => ({
  username,
  url: `x/${username}`,
  inserted_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
});

test("every request carries the user agent, Accept JSON, the raw key and the OTP header", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, {
      credential: { type: "key", key },
      otp: "123456",
      ci: true,
      userAgentExtra: "tool/1.0",
    }).client;
    const me = await getMe(c);
    assert.equal(me.username, "ana");
    const [req] = hits(server, "GET", "/api/users/me");
    assert.ok(req);
    assert.equal(
      req.headers["user-agent"],
      `hexts/${hextsVersion()} (node/${process.versions.node}) (${process.platform}) (CI) tool/1.0`,
    );
    assert.equal(req.headers.accept, "application/json");
    assert.equal(req.headers.authorization, key);
    assert.equal(req.headers["x-hex-otp"], "123456");
    assert.equal(req.headers.expect, undefined);
  });
});

test("a JSON body goes out as application/json; a bearer credential as `Bearer <token>`", async () => {
  await withUser(async (server) => {
    await using c = client(server, { credential: { type: "oauth", accessToken: "not-a-real-token" } }).client;
    await assert.rejects(
      getMe(c),
      (e: unknown) =>
        e instanceof ApiError && e.code === "NOT_AUTHENTICATED" && /expired or was revoked/.test(e.message),
    );
    assert.equal(hits(server, "GET", "/api/users/me")[0]?.headers.authorization, "Bearer not-a-real-token");
    await using k = client(server).client;
    await assert.rejects(
      createKey(k, { name: "x" }),
      (e: unknown) => e instanceof ApiError && e.code === "NOT_AUTHENTICATED" && /logged in/.test(e.message),
    );
    assert.equal(hits(server, "POST", "/api/keys")[0]?.headers["content-type"], "application/json");
  });
});

test("x-hex-message headers reach onWarning; nothing is printed", async () => {
  await withUser(async (server, key) => {
    const warnings: unknown[] = [];
    await using c = client(server, { credential: { type: "key", key }, onWarning: (w) => warnings.push(w) }).client;
    server.fault({
      method: "GET",
      path: "/api/users/me",
      fault: {
        kind: "status",
        status: 200,
        body: userJson("ana"),
        headers: { "x-hex-message": '"Upgrade \\"hexts\\" soon"; level=fatal' },
      },
    });
    await getMe(c);
    assert.deepEqual(warnings, [{ message: 'Upgrade "hexts" soon', level: "fatal" }]);
  });
});

test("reads survive connection resets, 503s and a 429 (waiting for the rate-limit reset)", async () => {
  await withUser(async (server, key) => {
    const retries: string[] = [];
    const { client: c, sleeps } = client(server, {
      credential: { type: "key", key },
      onRetry: (r) => retries.push(r.reason),
    });
    await using _ = c;
    server.fault({ method: "GET", path: "/api/users/me", times: 2, fault: { kind: "reset" } });
    assert.equal((await getMe(c)).username, "ana");
    assert.equal(hits(server, "GET", "/api/users/me").length, 3);

    server.fault({ method: "GET", path: "/api/keys", times: 2, fault: { kind: "status", status: 503 } });
    assert.ok(Array.isArray(await listKeys(c)));
    assert.equal(hits(server, "GET", "/api/keys").length, 3);

    server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "rate-limit", resetInSeconds: 1 } });
    await getMe(c);
    const rateWait = sleeps.at(-1)!;
    assert.ok(rateWait > 0 && rateWait <= 1_250, `waited ${rateWait} ms for a reset at most 1 s away`);
    assert.equal(retries.length, 5);
    assert.ok(sleeps.slice(0, 4).every((ms) => ms > 0 && ms <= 5_000));
  });
});

test("reads give up after 3 attempts with the server's failure", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, { credential: { type: "key", key } }).client;
    server.fault({ method: "GET", path: "/api/users/me", times: 5, fault: { kind: "status", status: 502 } });
    await assert.rejects(
      getMe(c),
      (e: unknown) => e instanceof ApiError && e.code === "SERVER_ERROR" && e.status === 502 && e.exitCode === 4,
    );
    assert.equal(hits(server, "GET", "/api/users/me").length, 3);
  });
});

test("a rate limit that resets too far ahead fails at once with RATE_LIMITED", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, { credential: { type: "key", key }, retry: { maxWaitMs: 5_000 } }).client;
    server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "rate-limit", resetInSeconds: 50 } });
    await assert.rejects(
      getMe(c),
      (e: unknown) => e instanceof ApiError && e.code === "RATE_LIMITED" && /Try again in \d+ s/.test(e.message),
    );
    assert.equal(hits(server, "GET", "/api/users/me").length, 1);
  });
});

test("a POST is never re-sent: a reset reports an unknown outcome and how to check", async () => {
  await withUser(async (server, key) => {
    const { client: c, sleeps } = client(server, { credential: { type: "key", key } });
    await using _ = c;
    server.fault({ method: "POST", path: "/api/keys", fault: { kind: "reset" } });
    await assert.rejects(
      createKey(c, { name: "laptop" }),
      (e: unknown) =>
        e instanceof ApiError &&
        e.code === "NETWORK" &&
        /may or may not have carried it out; list your keys to see whether/.test(e.message) &&
        e.kind === "write-outcome-unknown" &&
        /; run `hexts user key list` to see whether the key "laptop" was created/.test(messageWithAdvice(e)),
    );
    server.fault({ method: "POST", path: "/api/keys", fault: { kind: "status", status: 503 } });
    await assert.rejects(
      createKey(c, { name: "laptop" }),
      (e: unknown) => e instanceof ApiError && e.code === "SERVER_ERROR",
    );
    server.fault({ method: "POST", path: "/api/keys", fault: { kind: "rate-limit", resetInSeconds: 1 } });
    await assert.rejects(
      createKey(c, { name: "laptop" }),
      (e: unknown) => e instanceof ApiError && e.code === "RATE_LIMITED",
    );
    assert.equal(hits(server, "POST", "/api/keys").length, 3);
    assert.deepEqual(sleeps, []);
  });
});

test("a slow server times out (TIMEOUT, not retried) after the configured time", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, { credential: { type: "key", key }, timeoutMs: 200 }).client;
    server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "slow", delayMs: 1_500 } });
    const started = Date.now();
    await assert.rejects(
      getMe(c),
      (e: unknown) => e instanceof ApiError && e.code === "TIMEOUT" && /HEX_HTTP_TIMEOUT/.test(e.message),
    );
    assert.ok(Date.now() - started < 1_400, "gave up before the server answered");
    assert.equal(hits(server, "GET", "/api/users/me").length, 1);
  });
});

test("the server's 422 errors come back flattened into lines", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, { credential: { type: "key", key } }).client;
    await assert.rejects(createKey(c, { name: "old", revokeAt: "2001-01-01T00:00:00Z" }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, "VALIDATION_FAILED");
      assert.equal(e.status, 422);
      assert.deepEqual(e.lines, ["revoke_at: must be in the future"]);
      assert.deepEqual(e.errors, { revoke_at: "must be in the future" });
      return true;
    });
  });
});

test("redirects: credentials and OTP follow to the same origin only, never to another host", async () => {
  await withUser(async (server, key) => {
    await using other = await otherHost(() => userJson("elsewhere"));
    await using c = client(server, { credential: { type: "key", key }, otp: "654321" }).client;

    server.fault({
      method: "GET",
      path: "/api/users/me",
      fault: { kind: "status", status: 302, body: {}, headers: { location: `${other.url}/api/users/me` } },
    });
    assert.equal((await getMe(c)).username, "elsewhere");
    assert.equal(other.seen.length, 1);
    assert.equal(other.seen[0]!.authorization, undefined);
    assert.equal(other.seen[0]!["x-hex-otp"], undefined);
    assert.match(String(other.seen[0]!["user-agent"]), /^hexts\//);

    server.fault({
      method: "GET",
      path: "/api/users/me",
      fault: { kind: "status", status: 307, body: {}, headers: { location: "/api/users/ana" } },
    });
    assert.equal((await getMe(c)).username, "ana");
    assert.equal(hits(server, "GET", "/api/users/ana")[0]?.headers.authorization, key);
  });
});

test("a redirect loop stops after 3 hops with PROTOCOL", async () => {
  await withUser(async (server) => {
    await using c = client(server).client;
    server.fault({
      method: "GET",
      path: "/api/users/ana",
      times: 10,
      fault: { kind: "status", status: 302, body: {}, headers: { location: "/api/users/ana" } },
    });
    await assert.rejects(
      c.request({ path: "users/ana" }),
      (e: unknown) => e instanceof ApiError && e.code === "PROTOCOL" && /redirects/.test(e.message),
    );
    assert.equal(hits(server, "GET", "/api/users/ana").length, 4);
  });
});

test("/api/oauth/* never receives the client's credential", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, { credential: { type: "key", key }, otp: "111111" }).client;
    await startDeviceAuthorization(c, { clientId: "hexts", scope: "api" });
    const [req] = hits(server, "POST", "/api/oauth/device_authorization");
    assert.equal(req?.headers.authorization, undefined);
    // Even when a caller forces one on the request.
    await c.request({
      method: "POST",
      path: "oauth/revoke",
      json: { token: "x", client_id: "hexts" },
      credential: { type: "key", key },
    });
    assert.equal(hits(server, "POST", "/api/oauth/revoke")[0]?.headers.authorization, undefined);
  });
});

test("a body missing required fields is a PROTOCOL error; unknown fields pass through", async () => {
  await withUser(async (server, key) => {
    await using c = client(server, { credential: { type: "key", key } }).client;
    server.fault({
      method: "GET",
      path: "/api/users/me",
      fault: { kind: "status", status: 200, body: { username: "ana" } },
    });
    await assert.rejects(
      getMe(c),
      (e: unknown) => e instanceof ApiError && e.code === "PROTOCOL" && e.lines.some((l) => l.startsWith("url:")),
    );
    server.fault({
      method: "GET",
      path: "/api/users/me",
      fault: { kind: "status", status: 200, body: { ...userJson("ana"), shiny_new_field: 42 } },
    });
    assert.equal((await getMe(c)).shiny_new_field, 42);
  });
});

test("cancelling through the signal ends a request (and a retry wait) with CANCELLED", async () => {
  await withUser(async (server, key) => {
    const ac = new AbortController();
    await using c = new HexClient({ apiUrl: server.apiUrl, credential: { type: "key", key }, signal: ac.signal });
    server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "slow", delayMs: 2_000 } });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(getMe(c), (e: unknown) => e instanceof HextsError && e.code === "CANCELLED");

    const ac2 = new AbortController();
    await using c2 = new HexClient({
      apiUrl: server.apiUrl,
      credential: { type: "key", key },
      retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "status", status: 503 } });
    setTimeout(() => ac2.abort(), 100);
    const started = Date.now();
    await assert.rejects(
      getMe(c2, { signal: ac2.signal }),
      (e: unknown) => e instanceof HextsError && e.code === "CANCELLED",
    );
    assert.ok(Date.now() - started < 4_000);
  });
});

test("connection refused: NETWORK naming HEX_API_URL", async () => {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  await using c = new HexClient({ apiUrl: `http://127.0.0.1:${port}/api`, retry: { maxAttempts: 2, baseDelayMs: 1 } });
  await assert.rejects(
    getMe(c),
    (e: unknown) =>
      e instanceof ApiError && e.code === "NETWORK" && /ECONNREFUSED/.test(e.message) && /HEX_API_URL/.test(e.message),
  );
});

test("HTTP proxies from the settings are used (CONNECT with proxy credentials), NO_PROXY bypasses them", async () => {
  await withUser(async (server, key) => {
    const proxy = await startConnectProxy();
    const tunnels = proxy.tunnels;
    try {
      const proxyUrl = proxy.url("bob:pw");
      const target = new URL(server.url).host;
      await using viaProxy = new HexClient({
        apiUrl: server.apiUrl,
        credential: { type: "key", key },
        proxy: { httpProxy: proxyUrl },
      });
      assert.equal((await getMe(viaProxy)).username, "ana");
      assert.deepEqual(tunnels, [{ target, auth: `Basic ${Buffer.from("bob:pw").toString("base64")}` }]);

      await using bypass = new HexClient({
        apiUrl: server.apiUrl,
        credential: { type: "key", key },
        proxy: { httpProxy: proxyUrl, noProxy: "127.0.0.1" },
      });
      await getMe(bypass);
      assert.equal(tunnels.length, 1);
    } finally {
      await proxy.close();
    }
  });
});

test("HEX_UNSAFE_HTTPS warns once per client; an unreadable CA file is a CONFIG_INVALID error", async () => {
  await withUser(async (server, key) => {
    const warnings: string[] = [];
    await using c = new HexClient({
      apiUrl: server.apiUrl,
      credential: { type: "key", key },
      unsafeHttps: true,
      onWarning: (w) => warnings.push(w.message),
    });
    await getMe(c);
    await getMe(c);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /not verified/);

    await using bad = new HexClient({ apiUrl: server.apiUrl, caCertsPath: "/nonexistent/ca.pem" });
    await assert.rejects(
      getMe(bad),
      (e: unknown) => e instanceof HextsError && e.code === "CONFIG_INVALID" && /HEX_CACERTS_PATH/.test(e.message),
    );
  });
});

test("a derived client shares connections but carries its own credential", async () => {
  await withUser(async (server, key) => {
    await using anon = client(server).client;
    const authed = anon.with({ credential: { type: "key", key } });
    assert.equal((await getMe(authed)).username, "ana");
    await assert.rejects(getMe(anon), (e: unknown) => e instanceof ApiError && e.code === "NOT_AUTHENTICATED");
  });
});

test("an invalid API URL is refused before any request", () => {
  assert.throws(
    () => new HexClient({ apiUrl: "not a url" }),
    (e: unknown) => e instanceof HextsError && e.code === "CONFIG_INVALID",
  );
  assert.throws(
    () => new HexClient({ apiUrl: "ftp://hex.pm/api" }),
    (e: unknown) => e instanceof HextsError && e.code === "CONFIG_INVALID",
  );
});

test("a transport passed in carries every request (the seam), and close() leaves it open for its owner", async () => {
  await withUser(async (server, key) => {
    const inner = defaultTransport({ connectTimeoutMs: 5_000 });
    const seen: string[] = [];
    let closed = 0;
    const transport: HttpTransport = {
      async request(req) {
        seen.push(`${req.method} ${new URL(req.url).pathname}`);
        const res = await inner.request(req);
        assert.ok(res.body instanceof Uint8Array, "the transport hands back bytes");
        return res;
      },
      async close() {
        closed++;
      },
    };
    const c = client(server, { credential: { type: "key", key }, transport }).client;
    assert.equal((await getMe(c)).username, "ana");
    await c.close();
    assert.deepEqual(seen, ["GET /api/users/me"]);
    assert.equal(closed, 0);
    await inner.close();
  });
});

test("decodeBody: JSON by content-type or shape, text otherwise, nothing for an empty body", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(decodeBody("application/json; charset=utf-8", bytes('{"a":1}')), { a: 1 });
  assert.deepEqual(decodeBody(undefined, bytes(" [1]")), [1]);
  assert.equal(decodeBody("text/plain", bytes("not found")), "not found");
  assert.equal(decodeBody("application/json", bytes("{oops")), "{oops");
  assert.equal(decodeBody("application/json", new Uint8Array()), undefined);
});
