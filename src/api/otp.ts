// Two-factor codes for OAuth writes (HEX_PROTOCOL.md §3.5): the one route a code takes. The given code
// (`--otp`/HEX_OTP, one setting) is tried first; a 401 asking for a code (or refusing it) asks again, up to 3 times;
// `ahead()` asks before a large upload. A code is valid for about a minute and not single-use, so one session
// serves every request of a command.
import { ApiError, isApiError } from "./errors.js";

export type OtpReason = "required" | "invalid";

export interface OtpOptions {
  /** The code from `--otp` / HEX_OTP, tried first. */
  otp?: string;
  /** Asks the user for a code (attempt counts from 1). Absent on non-interactive runs: then the error stands. */
  askOtp?: (attempt: number, reason: OtpReason) => Promise<string>;
  /** Prompts allowed per run() (the official clients allow 3). */
  maxPrompts?: number;
}

export class OtpSession {
  /** The code that last worked (or the one given), reused for later requests. */
  code?: string;
  private readonly askOtp?: OtpOptions["askOtp"];
  private readonly maxPrompts: number;

  constructor(o: OtpOptions = {}) {
    this.code = o.otp?.trim() || undefined;
    this.askOtp = o.askOtp;
    this.maxPrompts = o.maxPrompts ?? 3;
  }

  /**
   * Asks for a code now when none is known (before a large upload, so it is not sent once just to learn that a
   * code is needed). Does nothing without a prompt (non-interactive runs) or when a code was given or accepted.
   */
  async ahead(): Promise<void> {
    if (this.code !== undefined || !this.askOtp) return;
    this.code = (await this.askOtp(1, "required")).trim() || undefined;
  }

  /** Runs `fn` with the current code; on OTP_REQUIRED / OTP_INVALID asks for a new one and runs it again. */
  async run<T>(fn: (otp: string | undefined) => Promise<T>): Promise<T> {
    for (let prompts = 0; ;) {
      try {
        return await fn(this.code);
      } catch (e) {
        if (!isApiError(e, "OTP_REQUIRED", "OTP_INVALID")) throw e;
        // The API error already names --otp and HEX_OTP: the fix for a run that cannot prompt.
        if (!this.askOtp) throw e;
        if (prompts >= this.maxPrompts) {
          throw new ApiError(
            "OTP_INVALID",
            `The two-factor authentication code was not accepted after ${this.maxPrompts} attempts. ` +
              "Check your authenticator's clock and try again.",
            { method: e.method, url: e.url, status: e.status, serverMessage: e.serverMessage },
            { cause: e },
          );
        }
        prompts++;
        this.code = undefined;
        this.code =
          (await this.askOtp(prompts, e.code === "OTP_REQUIRED" ? "required" : "invalid")).trim() || undefined;
      }
    }
  }
}

/** One-shot form of OtpSession.run. Use a shared OtpSession to reuse the accepted code across a command. */
export function otpRetry<T>(fn: (otp: string | undefined) => Promise<T>, o: OtpOptions = {}): Promise<T> {
  return new OtpSession(o).run(fn);
}
