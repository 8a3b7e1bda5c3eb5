// `hexts search TERM`: package search on hexpm and the organizations the user can read, or one organization's
// repository (HEX_PROTOCOL.md §4.4; mix hex.package search, rebar3 hex search). Never asks to log in.
import { z } from "zod";
import { isApiError, searchPackages, PAGE_SIZE, type HexClient, type Package, type PackageSort } from "../api/index.js";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError, isHextsError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { openSession, type Session } from "./session.js";

export const SORTS = ["downloads", "recent_downloads", "total_downloads", "name", "inserted_at", "updated_at"] as const;

export const SearchInput = z.object({
  term: z.string().trim().min(1, "the search term is empty"),
  sort: z.enum(SORTS).default("downloads"),
  page: z.coerce.number().int("--page must be a whole number").min(1, "--page starts at 1").default(1),
  organization: z.string().min(1).optional(),
});

export interface FoundPackage {
  name: string;
  /** `hexpm` or the organization. */
  repository: string;
  /** The latest stable release (the latest release when there is no stable one). */
  version: string | null;
  latestVersion: string | null;
  description: string;
  /** The package's web page (html_url). */
  url: string | null;
  downloads: number | null;
}

export interface SearchResult {
  term: string;
  /** The repository searched, or null for hexpm plus every organization the credential can read. */
  repository: string | null;
  sort: (typeof SORTS)[number];
  page: number;
  /** True when the search was made with the run's credential. */
  authenticated: boolean;
  packages: FoundPackage[];
  /** A full page came back: there may be more on the next one. */
  more: boolean;
}

/**
 * The run's credential when there is one; anonymous otherwise, or when the stored one cannot be opened without asking.
 */
async function searchClient(ctx: Context, s: Session): Promise<{ client: HexClient; authenticated: boolean }> {
  try {
    const info = await s.credentialInfo();
    return { client: await s.authed({ required: false }), authenticated: info !== undefined };
  } catch (e) {
    if (!isHextsError(e) || !["INPUT_REQUIRED", "LOCAL_PASSWORD_INVALID"].includes(e.code)) throw e;
    ctx.out.warn(`searching without your stored login: ${e.message}`);
    return { client: await s.anonymous(), authenticated: false };
  }
}

/** Collapses a (heredoc) description into one line. */
function oneLine(text: string | null | undefined): string {
  return (text ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
}

function found(p: Package): FoundPackage {
  return {
    name: p.name,
    repository: p.repository,
    version: p.latest_stable_version ?? p.latest_version ?? null,
    latestVersion: p.latest_version ?? null,
    description: oneLine(p.meta.description),
    url: p.html_url ?? p.url,
    downloads: p.downloads?.all ?? null,
  };
}

export async function search(ctx: Context, input: z.output<typeof SearchInput>): Promise<SearchResult> {
  const s = await openSession(ctx, { organization: input.organization });
  const { client, authenticated } = await searchClient(ctx, s);
  let packages: Package[];
  try {
    packages = await searchPackages(client, {
      search: input.term,
      sort: input.sort as PackageSort,
      page: input.page,
      perPage: PAGE_SIZE,
    });
  } catch (e) {
    if (s.organization && isApiError(e, "NOT_FOUND")) {
      const hint = authenticated
        ? ""
        : "; log in with `hexts user auth` (or set HEX_API_KEY) to search a private repository";
      throw new HextsError(
        "NOT_FOUND",
        `organization ${s.organization} does not exist or you cannot read its repository${hint}`,
        { status: e.status, details: e.details, cause: e },
      );
    }
    throw e;
  }
  return {
    term: input.term,
    repository: s.organization ? s.repository.name : s.repository.name === "hexpm" ? null : s.repository.name,
    sort: input.sort,
    page: input.page,
    authenticated,
    packages: packages.map(found),
    more: packages.length >= PAGE_SIZE,
  };
}

// ---- rendering ----

/** Cuts text to `max` characters (code points), marking the cut with "...". */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return (
    chars
      .slice(0, Math.max(0, max - 3))
      .join("")
      .trimEnd() + "..."
  );
}

/** mix and rebar3 cut descriptions at 50 characters; on a terminal the description takes the room that is left. */
const DEFAULT_DESCRIPTION = 50;
const MIN_DESCRIPTION = 20;

export function descriptionWidth(columns: number | undefined, others: number[]): number {
  if (!columns) return DEFAULT_DESCRIPTION;
  const gaps = 2 * others.length;
  return Math.max(MIN_DESCRIPTION, columns - gaps - others.reduce((a, b) => a + b, 0));
}

function render(r: SearchResult, out: Output): void {
  if (r.packages.length === 0) {
    out.result(r.page > 1 ? `No packages found on page ${r.page}` : "No packages found");
    return;
  }
  const rows = r.packages.map((p) => [
    p.repository === "hexpm" ? p.name : `${p.repository}/${p.name}`,
    p.version ?? "",
    p.description,
    p.url ?? "",
  ]);
  const width = (i: number, header: string) => Math.max(header.length, ...rows.map((row) => row[i]!.length));
  const columns = (out.stdout as { columns?: number }).columns;
  const max = descriptionWidth(out.stdout.isTTY ? columns : undefined, [
    width(0, "Name"),
    width(1, "Version"),
    width(3, "URL"),
  ]);
  out.table(
    ["Name", "Version", "Description", "URL"],
    rows.map(([name, version, description, url]) => [name!, version!, shorten(description!, max), url!]),
  );
  if (r.more) out.info(`More results may follow: --page ${r.page + 1}`);
}

export const subcommands = {
  search: defineSubcommand({ input: SearchInput, run: search, render }),
} satisfies Subcommands;
