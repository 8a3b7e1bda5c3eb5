// Upload progress on stderr: a redrawn line with bytes, percentage and rate on a terminal; on other outputs one line
// when the upload starts and one when it ends. Nothing with --no-progress or --json.
import type { Output } from "../../ui/output.js";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function rate(bytes: number, ms: number): string {
  return ms <= 0 ? "" : `${formatBytes(Math.round((bytes * 1000) / ms))}/s`;
}

export interface UploadProgress {
  onProgress(sent: number, total: number): void;
  /** Ends the display: the final line on a terminal (or the plain "done" line), nothing when off. */
  finish(ok: boolean): void;
}

export function uploadProgress(
  out: Output,
  label: string,
  opts: { enabled: boolean; now?: () => number },
): UploadProgress {
  const now = opts.now ?? Date.now;
  const off = !opts.enabled || out.json;
  const tty = out.interactiveStderr;
  let started = 0;
  let lastDraw = 0;
  let sentSoFar = 0;
  let totalBytes = 0;
  let drawn = false;
  const line = (sent: number, total: number) => {
    const pct = total > 0 ? Math.floor((sent * 100) / total) : 100;
    const speed = rate(sent, now() - started);
    return `${label}: ${formatBytes(sent)} / ${formatBytes(total)} (${pct}%)${speed ? `, ${speed}` : ""}`;
  };
  return {
    onProgress(sent, total) {
      if (off) return;
      sentSoFar = sent;
      totalBytes = total;
      if (started === 0) {
        started = now();
        if (!tty) out.writeErr(`${label}: ${formatBytes(total)}...\n`);
      }
      if (!tty) return;
      const t = now();
      if (sent !== total && t - lastDraw < 100) return;
      lastDraw = t;
      drawn = true;
      out.writeErr(`\r\x1b[2K${line(sent, total)}`);
    },
    finish(ok) {
      if (off || started === 0) return;
      if (tty) {
        if (drawn) out.writeErr(ok ? `\r\x1b[2K${line(sentSoFar, totalBytes)}\n` : "\n");
      } else if (ok)
        out.writeErr(`${label}: sent ${formatBytes(totalBytes)} in ${((now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}
