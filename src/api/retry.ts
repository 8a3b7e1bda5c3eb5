// When to repeat a request, and after how long. Pure (clock and randomness are passed in) so tests drive it.
import { transportKind } from "./errors.js";
import { serverWaitMs, type HeaderMap } from "./headers.js";

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  maxAttempts: number;
  /** First backoff step; doubles per attempt. */
  baseDelayMs: number;
  /** Cap of one backoff step. */
  maxDelayMs: number;
  /** Longest server-requested wait (429 reset, Retry-After) we sit through; beyond it we fail instead. */
  maxWaitMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  maxWaitMs: 60_000,
};

export type AttemptOutcome = { status: number; headers: HeaderMap } | { transportCode: string | undefined };

export interface RetryInput {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** GET/HEAD, or a PUT/DELETE the caller marked idempotent. */
  idempotent: boolean;
  outcome: AttemptOutcome;
  policy: RetryPolicy;
  now: number;
  /** A number in [0, 1). */
  random: number;
}

export type RetryDecision = { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Connection failures worth another try (a DNS name that does not exist is not). */
const PERMANENT_CODES = new Set(["ENOTFOUND"]);

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (step / 2) * random);
}

export function retryDecision(input: RetryInput): RetryDecision {
  const { attempt, policy, outcome, random } = input;
  if (!input.idempotent) return { retry: false, reason: "not idempotent" };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: "attempts exhausted" };

  if ("status" in outcome) {
    if (!RETRY_STATUSES.has(outcome.status)) return { retry: false, reason: `status ${outcome.status}` };
    const wait = serverWaitMs(outcome.headers, input.now);
    if (wait !== undefined) {
      if (wait > policy.maxWaitMs) return { retry: false, reason: `server asks to wait ${Math.ceil(wait / 1000)} s` };
      // A little jitter so parallel clients do not return in the same millisecond.
      return {
        retry: true,
        delayMs: Math.round(wait + 250 * random),
        reason: `status ${outcome.status}, server asked to wait`,
      };
    }
    return { retry: true, delayMs: backoffMs(attempt, policy, random), reason: `status ${outcome.status}` };
  }

  const code = outcome.transportCode;
  const kind = transportKind(code);
  if (kind === "tls") return { retry: false, reason: "TLS failure" };
  // A read that timed out waiting for the answer would only time out again, multiplying the wait.
  if (kind === "timeout" && code !== "UND_ERR_CONNECT_TIMEOUT") return { retry: false, reason: "timed out" };
  if (code && PERMANENT_CODES.has(code)) return { retry: false, reason: code };
  return { retry: true, delayMs: backoffMs(attempt, policy, random), reason: code ?? "connection failed" };
}

/** Retries worth telling the user about as they happen (not only with --verbose): rate limits and long waits. */
export function retryIsNotable(info: { reason: string; delayMs: number }): boolean {
  return info.delayMs >= 1000 || /\b429\b/.test(info.reason);
}

/** `waiting 30 s before trying GET https://hex.pm/api/users/me again: the server is rate limiting requests (429)` */
export function describeRetry(info: {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}): string {
  const secs =
    info.delayMs < 1000
      ? `${Math.max(1, Math.round(info.delayMs / 100)) / 10} s`
      : `${Math.round(info.delayMs / 1000)} s`;
  const status = /^status (\d+)/.exec(info.reason)?.[1];
  const why =
    status === "429"
      ? "the server is rate limiting requests (429)" +
        `${/asked to wait/.test(info.reason) ? " and said when to come back" : ""}`
      : status
        ? `the server answered ${status}`
        : `the connection failed (${info.reason})`;
  return `waiting ${secs} before trying ${info.method} ${info.url} again (attempt ${info.attempt}): ${why}`;
}
