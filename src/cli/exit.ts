// Turns an outcome into what the user sees and the process exit code. The only process.exit is in main.ts.
import { ExitCode, HextsError, isHextsError } from "../errors.js";
import { stripTerminalControls } from "../terminal-text.js";
import type { Output } from "../ui/output.js";
import { messageWithAdvice } from "./advice.js";

export function toHextsError(e: unknown): HextsError {
  if (isHextsError(e)) return e;
  if (e instanceof Error && (e as NodeJS.ErrnoException).code === "EPIPE") {
    return new HextsError("IO", "output closed early (broken pipe)", { cause: e });
  }
  const fsError = fileSystemError(e);
  if (fsError) return fsError;
  const message = e instanceof Error ? e.message : String(e);
  return new HextsError(
    "INTERNAL",
    `internal error: ${message} (please report it at https://github.com/hexts/hexts/issues; ` +
      "run with --verbose for details)",
    { cause: e },
  );
}

const FS_REASONS: Record<string, string> = {
  ENOTDIR: "not a directory",
  EEXIST: "a file with that name is in the way",
  EISDIR: "it is a directory",
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

/**
 * A file-system failure that reached the top (a path given by the user that cannot be used as asked, `-o file/x.tar`,
 * `--doc-dir file`): exit 1 naming the path, not an internal error.
 */
function fileSystemError(e: unknown): HextsError | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, path, dest } = e as NodeJS.ErrnoException & { dest?: string };
  const reason = code === undefined ? undefined : FS_REASONS[code];
  if (reason === undefined || typeof path !== "string") return undefined;
  return new HextsError("IO", `cannot use ${path}${dest ? ` (-> ${dest})` : ""}: ${reason}`, { cause: e });
}

/** Renders the error once (one line on stderr, or one JSON document on stdout) and returns the exit code. */
export function renderError(e: unknown, out: Output): number {
  const err = toHextsError(e);
  // The library's fact, then what to do about it in hexts commands (cli/advice.ts).
  const message = messageWithAdvice(err);
  if (out.json) {
    const error: Record<string, unknown> = { code: err.code, message: out.secrets.redact(message) };
    if (err.kind !== undefined) error.kind = err.kind;
    if (err.status !== undefined) error.status = err.status;
    if (err.lines.length) error.lines = err.lines.map((l) => out.secrets.redact(l));
    if (err.details !== undefined)
      error.details = out.secrets.redactDeep(JSON.parse(JSON.stringify(err.details)) as unknown);
    out.stdout.write(JSON.stringify({ ok: false, error }) + "\n");
  } else {
    // Messages may quote a server or a project file: no escape sequences or control characters reach the terminal.
    out.writeErr(`${out.style("red", "hexts:", "stderr")} ${stripTerminalControls(message)}\n`);
    for (const l of err.lines) out.writeErr(`  ${stripTerminalControls(l)}\n`);
  }
  if (out.verbose) {
    const cause = err.code === "INTERNAL" ? err.cause : err;
    const stack = cause instanceof Error ? cause.stack : undefined;
    if (stack) out.writeErr(stack + "\n");
    let c = err.cause;
    while (c instanceof Error && c !== cause) {
      out.writeErr(`caused by: ${c.stack ?? c.message}\n`);
      c = c.cause;
    }
  }
  return err.exitCode ?? ExitCode.FAILED;
}

export function renderSuccess(
  data: unknown,
  out: Output,
  render?: (d: any, out: Output) => void,
  revealsSecret = false,
): void {
  if (out.json) {
    const plain = JSON.parse(JSON.stringify({ ok: true, data: data ?? null })) as unknown;
    out.stdout.write(JSON.stringify(revealsSecret ? plain : out.secrets.redactDeep(plain)) + "\n");
  } else if (render) {
    render(data, out);
  }
}
