// Helpers every command shares: the error fields of a step that failed inside a result (publish, cut), the package
// summary the official clients print before building or publishing, and grapheme counting (src/text.ts).
import type { PackageSummary } from "../build/pipeline.js";
import { HextsError, isHextsError } from "../errors.js";
import type { ApiError } from "../api/index.js";
import type { ResolvedSettings } from "../config/index.js";

export { graphemeCount } from "../text.js";

/**
 * What `hexts build` adds after the library's "generate them first (mix docs, ...)" when there are no docs: to
 * its warning (commands/build.ts) and to the error of `hexts build docs` (cli/advice.ts "docs-missing").
 */
export const BUILD_DOCS_ADVICE = "point to them with --doc-dir DIR; `hexts build package` builds the package alone";

/** The code and one-line message of an error, for a result that records a failed step instead of throwing. */
export function errorInfo(e: unknown): { code: string; message: string } {
  return isHextsError(e)
    ? { code: e.code, message: [e.message, ...e.lines].join(" ") }
    : { code: "INTERNAL", message: e instanceof Error ? e.message : String(e) };
}

/** The package as mix hex.build / hex.publish print it (rebar3_hex's fields included): dependencies, then metadata. */
export function packageSummaryLines(s: PackageSummary): string[] {
  const lines: string[] = [];
  if (s.requirements.length > 0) {
    lines.push("  Dependencies:");
    for (const r of s.requirements) {
      const app = r.app !== r.name ? ` (app: ${r.app})` : "";
      const repo = r.repository !== undefined && r.repository !== "hexpm" ? ` (repo: ${r.repository})` : "";
      lines.push(`    ${r.name} ${r.requirement}${app}${repo}${r.optional ? " (optional)" : ""}`);
    }
  }
  if (s.organization) lines.push(`  Organization: ${s.organization}`);
  lines.push(`  App: ${s.app}`, `  Name: ${s.name}`);
  lines.push(s.files.length === 0 ? "  Files: (none)" : "  Files:");
  for (const f of s.files) lines.push(`    ${f}`);
  lines.push(`  Version: ${s.version}`, `  Build tools: ${s.buildTools.join(", ")}`);
  if (s.description !== undefined) lines.push(`  Description: ${s.description.replace(/\n/g, "\n    ")}`);
  if (s.licenses.length > 0) lines.push(`  Licenses: ${s.licenses.join(", ")}`);
  const links = Object.entries(s.links);
  if (links.length > 0) {
    lines.push("  Links:");
    for (const [label, url] of links) lines.push(`    ${label}: ${url}`);
  }
  if (s.elixir !== undefined) lines.push(`  Elixir: ${s.elixir}`);
  return lines;
}

/** A task's own error for an API failure: the task's code and words, the server's status and details kept. */
export function fromApi(e: ApiError, code: HextsError["code"], message: string): HextsError {
  return new HextsError(code, message, { status: e.status, details: e.details, cause: e });
}

/** The connection settings of a run, as `defaultTransport` takes them (API and registry clients alike). */
export function transportOptions(v: ResolvedSettings["values"]) {
  return {
    proxy: { httpProxy: v.http_proxy, httpsProxy: v.https_proxy, noProxy: v.no_proxy },
    unsafeHttps: v.unsafe_https,
    caCertsPath: v.cacerts_path,
    connectTimeoutMs: v.http_timeout * 1000,
  };
}
