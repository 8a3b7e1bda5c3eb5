// Repositories rebar3 users declare in `{hex, [{repos, [#{name => ..., repo_url => ..., ...}]}]}`: in the
// project's rebar.config (untrusted: see config/repos.ts) or in rebar3's global config,
// `$REBAR_GLOBAL_CONFIG_DIR/.config/rebar3/rebar.config` (default: the home directory), which is the user's own.
// The keys are rebar3's (rebar_hex_repos.erl): name, repo_url, api_url, repo_public_key, repo_key, api_key,
// repo_verify, repo_organization. A name declared twice keeps the values of its first declaration.
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ConfigContext } from "./context.js";

/** One repository as rebar3 declares it; only text values are kept. */
export interface Rebar3Repo {
  name: string;
  repoUrl?: string;
  apiUrl?: string;
  publicKey?: string;
  /** `repo_key`: sent to the repository (registry and tarball downloads). */
  repoKey?: string;
  /** `api_key`: sent to the API. */
  apiKey?: string;
  /** The file the declaration came from. */
  file: string;
}

/** The global config is read whole: larger than this, it is ignored with a warning. */
const GLOBAL_CONFIG_MAX_BYTES = 1024 * 1024;

const FIELDS: Record<string, keyof Omit<Rebar3Repo, "name" | "file">> = {
  repo_url: "repoUrl",
  api_url: "apiUrl",
  repo_public_key: "publicKey",
  repo_key: "repoKey",
  api_key: "apiKey",
};

function repoEntries(hex: unknown): unknown[] {
  // `[{repos, [...]}, ...]` reads as an object; with a `{repos, replace, [...]}` in it, as a list of tuples.
  if (Array.isArray(hex)) {
    return hex.flatMap((item) =>
      Array.isArray(item) && item[0] === "repos"
        ? ((item.slice(1).find(Array.isArray) as unknown[] | undefined) ?? [])
        : [],
    );
  }
  if (hex && typeof hex === "object") {
    const repos = (hex as Record<string, unknown>).repos;
    if (Array.isArray(repos)) return repos;
  }
  return [];
}

/** The repositories of a plain `hex` config (as the project readers produce it), first declaration first. */
export function rebar3Repos(hex: unknown, file: string): Rebar3Repo[] {
  const out = new Map<string, Rebar3Repo>();
  for (const entry of repoEntries(hex)) {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) continue;
    const fields = entry as Record<string, unknown>;
    if (typeof fields.name !== "string" || fields.name === "") continue;
    const repo: Rebar3Repo = out.get(fields.name) ?? { name: fields.name, file };
    for (const [key, field] of Object.entries(FIELDS)) {
      const value = fields[key];
      if (typeof value === "string" && value !== "" && repo[field] === undefined) repo[field] = value;
    }
    out.set(repo.name, repo);
  }
  return [...out.values()];
}

/** Where rebar3 reads its global config (rebar_dir:global_config/1). */
export function rebar3GlobalConfigFile(env: NodeJS.ProcessEnv): string {
  const base = env.REBAR_GLOBAL_CONFIG_DIR || env.HOME || homedir();
  return join(base, ".config", "rebar3", "rebar.config");
}

/**
 * The repositories of rebar3's global config, read once per run. A missing file has none; one that cannot be read
 * is ignored with a warning, as rebar3 does.
 */
export function globalRebar3Repos(ctx: Pick<ConfigContext, "env" | "memo" | "out">): Promise<Rebar3Repo[]> {
  const file = rebar3GlobalConfigFile(ctx.env);
  return ctx.memo(`config/rebar3-global:${file}`, async () => {
    let bytes: Uint8Array;
    try {
      const st = await stat(file);
      if (!st.isFile()) return [];
      if (st.size > GLOBAL_CONFIG_MAX_BYTES) {
        ctx.out.warn?.(`rebar3's global config ${file} is larger than 1 MiB; its repositories are ignored`);
        return [];
      }
      bytes = await readFile(file);
    } catch {
      return [];
    }
    try {
      const [{ parseTerms }, { proplistGet }, { termToPlain }] = await Promise.all([
        import("../erlang/reader.js"),
        import("../erlang/terms.js"),
        import("../erlang/plain.js"),
      ]);
      const hex = proplistGet(parseTerms(bytes, file), "hex");
      return hex === undefined ? [] : rebar3Repos(termToPlain(hex), file);
    } catch (e) {
      ctx.out.warn?.(
        `rebar3's global config ${file} cannot be read (${e instanceof Error ? e.message : String(e)}); ` +
          "its repositories are ignored",
      );
      return [];
    }
  });
}
