// Output discipline: stdout carries results only; stderr carries progress, warnings, prompts and errors.
// With --json, stdout gets exactly one JSON document, written by the runner (cli/run.ts).
import { styleText } from "node:util";
import type { Writable } from "node:stream";
import { stripTerminalControls } from "../terminal-text.js";
import { SecretRegistry } from "./redact.js";
import type { WarningKind } from "../errors.js";

export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  /** Explicit --no-color; otherwise decided per stream. */
  noColor?: boolean;
  env: NodeJS.ProcessEnv;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  secrets?: SecretRegistry;
  /** The CLI's advice for a kind of warning (cli/advice.ts), added after the warning's own text. */
  warningAdvice?: (kind: WarningKind) => string | undefined;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColor = false): boolean {
  if (noColor) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly secrets: SecretRegistry;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  private readonly colorOut: boolean;
  private readonly colorErr: boolean;
  private readonly warningAdvice?: (kind: WarningKind) => string | undefined;

  constructor(opts: OutputOptions) {
    this.json = opts.json;
    this.verbose = opts.verbose;
    this.secrets = opts.secrets ?? new SecretRegistry();
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.colorOut = !opts.json && colorEnabled(this.stdout, opts.env, opts.noColor);
    this.colorErr = !opts.json && colorEnabled(this.stderr, opts.env, opts.noColor);
    this.warningAdvice = opts.warningAdvice;
  }

  /** True when progress bars and spinners may be drawn. */
  get interactiveStderr(): boolean {
    return !this.json && this.stderr.isTTY === true;
  }

  /** A result line on stdout (human mode only; JSON mode prints the result document instead). */
  result(text = ""): void {
    if (this.json) return;
    this.stdout.write(this.clean(text, "stdout") + "\n");
  }

  /** Redacted, and without escape sequences or control characters other than hexts's own colours. */
  private clean(text: string, stream: "stdout" | "stderr"): string {
    return stripTerminalControls(this.secrets.redact(text), {
      keepColors: stream === "stdout" ? this.colorOut : this.colorErr,
    });
  }

  /** Writes a value to stdout as is, bypassing redaction. Only for a secret the user asked to see once. */
  revealSecretOnce(secret: string): void {
    this.stdout.write(secret + "\n");
  }

  /** Informational line on stderr (suppressed in JSON mode). */
  info(text = ""): void {
    if (this.json) return;
    this.stderr.write(this.clean(text, "stderr") + "\n");
  }

  warn(text: string, kind?: WarningKind): void {
    const advice = kind === undefined ? undefined : this.warningAdvice?.(kind);
    const line = advice === undefined ? text : `${text}; ${advice}`;
    this.stderr.write(this.clean(`${this.style("yellow", "warning:", "stderr")} ${line}`, "stderr") + "\n");
  }

  /** Only with --verbose. */
  debug(text: string): void {
    if (!this.verbose) return;
    this.stderr.write(this.clean(`${this.style("dim", "debug:", "stderr")} ${text}`, "stderr") + "\n");
  }

  /** Raw stderr write for prompts/progress (already-safe text). */
  writeErr(text: string): void {
    this.stderr.write(this.secrets.redact(text));
  }

  style(style: Style, text: string, stream: "stdout" | "stderr" = "stdout"): string {
    const on = stream === "stdout" ? this.colorOut : this.colorErr;
    return on ? styleText(style, text) : text;
  }

  /** A plain text table on stdout; column widths fitted to content. */
  table(headers: string[], rows: string[][]): void {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd();
    this.result(this.style("bold", line(headers)));
    for (const r of rows) this.result(line(r));
  }
}
