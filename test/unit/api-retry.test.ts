// Retry policy decisions: what is repeated, after how long, and what never is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffMs, defaultRetryPolicy, retryDecision, type AttemptOutcome } from "../../src/api/retry.js";
import { serverWaitMs } from "../../src/api/headers.js";

const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxWaitMs: 10_000 };
const now = 1_700_000_000_000;
const status = (s: number, headers: Record<string, string> = {}): AttemptOutcome => ({ status: s, headers });
const conn = (code?: string): AttemptOutcome => ({ transportCode: code });

// attempt, idempotent, outcome, random, expected (false = no retry, number = delay)
const table: [string, number, boolean, AttemptOutcome, number, false | number][] = [
  ["503 read, first attempt, no jitter", 1, true, status(503), 0, 50],
  ["503 read, first attempt, full jitter", 1, true, status(503), 0.999, 100],
  ["502 read, second attempt doubles", 2, true, status(502), 0, 100],
  ["504 read, last attempt", 3, true, status(504), 0, false],
  ["503 write (POST)", 1, false, status(503), 0, false],
  ["500 read is not retried", 1, true, status(500), 0, false],
  ["404 read is not retried", 1, true, status(404), 0, false],
  ["401 read is not retried", 1, true, status(401), 0, false],
  ["429 with reset in 3 s", 1, true, status(429, { "x-ratelimit-reset": String(now / 1000 + 3) }), 0, 3_000],
  ["429 with Retry-After 2", 1, true, status(429, { "retry-after": "2" }), 0, 2_000],
  [
    "429 Retry-After wins over reset",
    1,
    true,
    status(429, { "retry-after": "1", "x-ratelimit-reset": String(now / 1000 + 9) }),
    0,
    1_000,
  ],
  ["429 reset beyond the cap", 1, true, status(429, { "x-ratelimit-reset": String(now / 1000 + 60) }), 0, false],
  ["429 without hints backs off", 1, true, status(429), 0, 50],
  ["429 write", 1, false, status(429, { "retry-after": "1" }), 0, false],
  ["503 with Retry-After date", 1, true, status(503, { "retry-after": new Date(now + 4_000).toUTCString() }), 0, 4_000],
  ["reset connection, read", 1, true, conn("ECONNRESET"), 0, 50],
  ["undici socket error, read", 2, true, conn("UND_ERR_SOCKET"), 0, 100],
  ["refused, read", 1, true, conn("ECONNREFUSED"), 0, 50],
  ["unknown failure, read", 1, true, conn(undefined), 0, 50],
  ["connect timeout, read", 1, true, conn("UND_ERR_CONNECT_TIMEOUT"), 0, 50],
  ["headers timeout, read", 1, true, conn("UND_ERR_HEADERS_TIMEOUT"), 0, false],
  ["body timeout, read", 1, true, conn("UND_ERR_BODY_TIMEOUT"), 0, false],
  ["TLS failure, read", 1, true, conn("CERT_HAS_EXPIRED"), 0, false],
  ["unknown host, read", 1, true, conn("ENOTFOUND"), 0, false],
  ["reset connection, write", 1, false, conn("ECONNRESET"), 0, false],
  ["refused, write", 1, false, conn("ECONNREFUSED"), 0, false],
  ["reset, attempts exhausted", 3, true, conn("ECONNRESET"), 0, false],
];

for (const [name, attempt, idempotent, outcome, random, expected] of table) {
  test(`retryDecision: ${name}`, () => {
    const d = retryDecision({ attempt, idempotent, outcome, policy, now, random });
    if (expected === false) assert.equal(d.retry, false, d.reason);
    else {
      assert.equal(d.retry, true, d.reason);
      if (d.retry) assert.ok(Math.abs(d.delayMs - expected) <= 1, `delay ${d.delayMs} vs ${expected}`);
    }
  });
}

test("backoff grows exponentially, stays within [step/2, step] and is capped", () => {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    assert.equal(backoffMs(attempt, policy, 0), step / 2);
    assert.equal(backoffMs(attempt, policy, 1), step);
  }
  assert.equal(backoffMs(20, policy, 1), policy.maxDelayMs);
});

test("the default policy is bounded: 3 attempts, waits of at most a minute", () => {
  assert.equal(defaultRetryPolicy.maxAttempts, 3);
  assert.ok(defaultRetryPolicy.maxWaitMs <= 60_000);
});

const waits: [Record<string, string>, number | undefined][] = [
  [{}, undefined],
  [{ "retry-after": "5" }, 5_000],
  [{ "retry-after": "garbage" }, undefined],
  [{ "x-ratelimit-reset": String(now / 1000 + 12) }, 12_000],
  [{ "x-ratelimit-reset": String(now / 1000 - 5) }, 0],
];
for (const [headers, ms] of waits) {
  test(`serverWaitMs(${JSON.stringify(headers)}) = ${ms}`, () => assert.equal(serverWaitMs(headers, now), ms));
}
