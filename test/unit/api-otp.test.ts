// otpRetry / OtpSession: given code first, then up to 3 prompts, one accepted code reused for the whole command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../../src/api/errors.js";
import { OtpSession, otpRetry } from "../../src/api/otp.js";
import { HextsError } from "../../src/errors.js";

const facts = { method: "POST", url: "https://hex.pm/api/keys", status: 401 };
const required = () => new ApiError("OTP_REQUIRED", "needs --otp or HEX_OTP", facts);
const invalid = () => new ApiError("OTP_INVALID", "not accepted: --otp or HEX_OTP", facts);

/** A stand-in for a write request: accepts only `good`, records the codes it saw. */
function write(good: string) {
  const seen: (string | undefined)[] = [];
  const fn = async (otp: string | undefined) => {
    seen.push(otp);
    if (otp === undefined) throw required();
    if (otp !== good) throw invalid();
    return `ok with ${otp}`;
  };
  return { fn, seen };
}

function asker(answers: string[]) {
  const asked: [number, string][] = [];
  const ask = async (attempt: number, reason: string) => {
    asked.push([attempt, reason]);
    const a = answers.shift();
    if (a === undefined) throw new Error("asked too often");
    return a;
  };
  return { ask, asked };
}

test("the provided code is tried first and no prompt happens when it works", async () => {
  const w = write("111111");
  const a = asker([]);
  assert.equal(await otpRetry(w.fn, { otp: "111111", askOtp: a.ask }), "ok with 111111");
  assert.deepEqual(w.seen, ["111111"]);
  assert.deepEqual(a.asked, []);
});

test("without a code: the request goes out once, then the user is asked (reason: required)", async () => {
  const w = write("222222");
  const a = asker([" 222222 "]);
  assert.equal(await otpRetry(w.fn, { askOtp: a.ask }), "ok with 222222");
  assert.deepEqual(w.seen, [undefined, "222222"]);
  assert.deepEqual(a.asked, [[1, "required"]]);
});

test("a wrong code leads to prompts with reason invalid, until a good one", async () => {
  const w = write("333333");
  const a = asker(["000000", "333333"]);
  assert.equal(await otpRetry(w.fn, { otp: "999999", askOtp: a.ask }), "ok with 333333");
  assert.deepEqual(w.seen, ["999999", "000000", "333333"]);
  assert.deepEqual(a.asked, [
    [1, "invalid"],
    [2, "invalid"],
  ]);
});

test("after 3 rejected prompts it fails with OTP_INVALID", async () => {
  const w = write("444444");
  const a = asker(["1", "2", "3", "4"]);
  await assert.rejects(
    otpRetry(w.fn, { askOtp: a.ask }),
    (e: unknown) => e instanceof ApiError && e.code === "OTP_INVALID" && /3 attempts/.test(e.message),
  );
  assert.equal(a.asked.length, 3);
  assert.deepEqual(w.seen, [undefined, "1", "2", "3"]);
});

test("non-interactive (no askOtp): the server's error stands, naming --otp and HEX_OTP", async () => {
  await assert.rejects(
    otpRetry(write("5").fn, {}),
    (e: unknown) =>
      e instanceof ApiError && e.code === "OTP_REQUIRED" && /--otp/.test(e.message) && /HEX_OTP/.test(e.message),
  );
  await assert.rejects(
    otpRetry(write("5").fn, { otp: "6" }),
    (e: unknown) => e instanceof ApiError && e.code === "OTP_INVALID",
  );
});

test("other errors pass through untouched and are not retried", async () => {
  let calls = 0;
  const boom = new HextsError("NOT_FOUND", "nope");
  await assert.rejects(
    otpRetry(
      async () => {
        calls++;
        throw boom;
      },
      { askOtp: async () => "1" },
    ),
    (e) => e === boom,
  );
  assert.equal(calls, 1);
});

test("one session reuses the accepted code for every later request of the command", async () => {
  const w = write("777777");
  const a = asker(["777777"]);
  const session = new OtpSession({ askOtp: a.ask });
  await session.run(w.fn); // publish
  await session.run(w.fn); // docs
  await session.run(w.fn); // owner transfer
  assert.equal(session.code, "777777");
  assert.deepEqual(w.seen, [undefined, "777777", "777777", "777777"]);
  assert.equal(a.asked.length, 1);
});

test("a prompt that throws (user cancelled) ends the run with that error", async () => {
  const cancel = new HextsError("CANCELLED", "Cancelled.");
  await assert.rejects(
    otpRetry(write("1").fn, {
      askOtp: async () => {
        throw cancel;
      },
    }),
    (e) => e === cancel,
  );
});

test("ahead() asks once before the first write; a given code or a non-interactive run asks nothing", async () => {
  const w = write("444444");
  const a = asker(["444444"]);
  const session = new OtpSession({ askOtp: a.ask });
  await session.ahead();
  await session.ahead();
  assert.equal(await session.run(w.fn), "ok with 444444");
  assert.deepEqual(w.seen, ["444444"], "the first request already carries the code");
  assert.deepEqual(a.asked, [[1, "required"]]);

  const given = asker([]);
  const withCode = new OtpSession({ otp: "555555", askOtp: given.ask });
  await withCode.ahead();
  assert.deepEqual(given.asked, []);
  assert.equal(withCode.code, "555555");

  const quiet = new OtpSession({});
  await quiet.ahead();
  assert.equal(quiet.code, undefined);
});
