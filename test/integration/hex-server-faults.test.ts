// The local Hex server's test hooks: recorded requests, injected faults, rate limiting.
import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { startHexServer } from "../support/hex-server/index.js";
import { call } from "../support/hex-server/test-client.js";

test("every request is recorded with method, path, query, lowercased headers, body size and status", async () => {
  await using server = await startHexServer();
  const ana = server.addUser({ username: "ana" });
  await call(server, "/packages?search=foo&page=2", { auth: ana.apiKey });
  await call(server, "/keys", { auth: ana.apiKey, body: { name: "x" } });
  const [list, create] = server.requests;
  assert.deepEqual(
    [list!.method, list!.path, list!.query, list!.status],
    ["GET", "/api/packages", { search: "foo", page: "2" }, 200],
  );
  assert.equal(list!.headers["user-agent"], "hexts-test/0 (node)");
  assert.equal(list!.headers.authorization, ana.apiKey);
  assert.deepEqual(
    [create!.method, create!.status, create!.bodySize],
    ["POST", 201, JSON.stringify({ name: "x" }).length],
  );
  assert.equal(typeof create!.at, "number");
});

test("status, rate-limit and slow faults answer the next matching requests, `times` of them", async () => {
  await using server = await startHexServer();
  server.fault({ path: "/api/packages", times: 2, fault: { kind: "status", status: 503 } });
  const first = await call(server, "/packages");
  assert.deepEqual([first.status, first.body], [503, { status: 503, message: null }]);
  assert.equal((await call(server, "/packages")).status, 503);
  assert.equal((await call(server, "/packages")).status, 200, "the fault is used up");

  server.fault({
    method: "GET",
    path: /^\/api\/users\//,
    fault: { kind: "status", status: 500, body: { oops: true }, headers: { "x-test": "1" } },
  });
  const custom = await call(server, "/users/nobody");
  assert.deepEqual([custom.status, custom.body, custom.headers.get("x-test")], [500, { oops: true }, "1"]);

  server.fault({ fault: { kind: "rate-limit", resetInSeconds: 30 } });
  const limited = await call(server, "/packages");
  assert.equal(limited.status, 429);
  assert.match(limited.body.message, /^API rate limit exceeded for IP 127\.0\.0\.1$/);
  assert.equal(limited.headers.get("x-ratelimit-remaining"), "0");
  const reset = Number(limited.headers.get("x-ratelimit-reset"));
  assert.ok(Math.abs(reset - (Math.floor(Date.now() / 1000) + 30)) <= 2);

  server.fault({ fault: { kind: "slow", delayMs: 300 } });
  const started = Date.now();
  assert.equal((await call(server, "/packages")).status, 200);
  assert.ok(Date.now() - started >= 280);
  await assert.rejects(
    (async () => {
      server.fault({ fault: { kind: "slow", delayMs: 2000 } });
      await fetch(`${server.apiUrl}/packages`, { signal: AbortSignal.timeout(200) });
    })(),
    /abort|timeout/i,
  );
});

test("reset destroys the connection; reset-mid-body cuts an upload after its first bytes", async () => {
  await using server = await startHexServer();
  server.fault({ path: "/api/packages", fault: { kind: "reset" } });
  await assert.rejects(fetch(`${server.apiUrl}/packages`), /fetch failed/);
  assert.equal((await call(server, "/packages")).status, 200);

  server.fault({ method: "POST", fault: { kind: "reset-mid-body" } });
  const error = await new Promise<Error | null>((resolve) => {
    const req = request(
      `${server.apiUrl}/publish`,
      { method: "POST", headers: { "user-agent": "t", "content-type": "application/octet-stream" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(null));
      },
    );
    req.on("error", resolve);
    req.write(Buffer.alloc(64 * 1024));
    setTimeout(() => req.end(Buffer.alloc(64 * 1024)), 100);
  });
  assert.ok(error, "the client sees the connection die");
  const recorded = server.requests.at(-1)!;
  assert.equal(recorded.status, 0);
  assert.ok(recorded.bodySize > 0 && recorded.bodySize < 128 * 1024);
});

test("rate limiting (when on): x-ratelimit-* on every /api answer, 429 past 100 anonymous requests/min", async () => {
  await using server = await startHexServer({ rateLimit: true });
  const ana = server.addUser({ username: "ana" });
  let last = await call(server, "/packages");
  assert.equal(last.headers.get("x-ratelimit-limit"), "100");
  assert.equal(last.headers.get("x-ratelimit-remaining"), "99");
  const reset = Number(last.headers.get("x-ratelimit-reset"));
  assert.equal(reset % 60, 0, "windows are fixed minutes");
  for (let i = 0; i < 99; i++) last = await call(server, "/packages");
  assert.deepEqual([last.status, last.headers.get("x-ratelimit-remaining")], [200, "0"]);
  const limited = await call(server, "/packages");
  assert.deepEqual([limited.status, limited.body.message], [429, "API rate limit exceeded for IP 127.0.0.1"]);
  assert.equal(limited.headers.get("retry-after"), null);

  const authed = await call(server, "/packages", { auth: ana.apiKey });
  assert.deepEqual(
    [authed.status, authed.headers.get("x-ratelimit-limit"), authed.headers.get("x-ratelimit-remaining")],
    [200, "500", "499"],
  );
  server.advanceClock(60_000);
  assert.equal((await call(server, "/packages")).status, 200, "a new window");
  const noLimit = await startHexServer();
  assert.equal((await call(noLimit, "/packages")).headers.get("x-ratelimit-limit"), null);
  await noLimit.close();
});
