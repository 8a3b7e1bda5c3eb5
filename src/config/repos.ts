// Repository resolution (`hexpm`, `hexpm:ORG`, custom names) and the usable credential for a run,
// in the order the official clients use (HEX_PROTOCOL §3.6, §8.1).
import { HextsError } from "../errors.js";
import type { ConfigContext } from "./context.js";
import { isBuiltInRepoName, targetRepo, type RepoRef } from "../repository.js";
import type { LoginCredential } from "../credential.js";
import { loadCredential, loadRepositoryKeyFor, normalizeApiUrl, vaultState } from "./credentials.js";
import { globalRebar3Repos, rebar3Repos, type Rebar3Repo } from "./rebar3-repos.js";
import {
  resolveSettings,
  userConfigStore,
  type ResolvedSettings,
  type ResolveOptions,
  type SettingSource,
} from "./settings.js";

export const HEXPM_REPO_URL = "https://repo.hex.pm";

/** hex.pm's registry signing key (HEX_PROTOCOL §7.5), unchanged since 2016. */
export const HEXPM_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApqREcFDt5vV21JVe2QNB
Edvzk6w36aNFhVGWN5toNJRjRJ6m4hIuG4KaXtDWVLjnvct6MYMfqhC79HAGwyF+
IqR6Q6a5bbFSsImgBJwz1oadoVKD6ZNetAuCIK84cjMrEFRkELtEIPNHblCzUkkM
3rS9+DPlnfG8hBvGi6tvQIuZmXGCxF/73hU0/MyGhbmEjIKRtG6b0sJYKelRLTPW
XgK7s5pESgiwf2YC/2MGDXjAJfpfCd0RpLdvd4eRiXtVlE9qO9bND94E7PgQ/xqZ
J1i2xWFndWa6nfFnRxZmCStCOZWYYPlaxr+FZceFbpMwzTNs4g3d4tLNUcbKAIH4
0wIDAQAB
-----END PUBLIC KEY-----
`;

/** How a repository declared in the project's own rebar.config is named in messages. */
const PROJECT_REBAR_CONFIG = "rebar.config";

/**
 * Says (once per run) that a repository comes from a rebar3 config file: always for the project's rebar.config,
 * with what was ignored from it when project settings are not trusted.
 */
function announceDeclared(ctx: ConfigContext, repo: Rebar3Repo, fromProject: boolean, trusted: boolean): void {
  ctx.memo(`config/repo-announced:${repo.name}`, () => {
    const where = repo.file === PROJECT_REBAR_CONFIG ? `the project's ${repo.file}` : repo.file;
    ctx.out.info?.(`using repository ${repo.name} (${repo.repoUrl ?? HEXPM_REPO_URL}) from ${where}`);
    const keys = [repo.apiKey && "api_key", repo.repoKey && "repo_key"].filter(Boolean).join(" and ");
    if (fromProject && keys && !trusted)
      ctx.out.warn?.(
        `ignoring ${keys} of repository ${repo.name} from ${where}: a project file cannot supply keys unless ` +
          "project settings are trusted (HEX_TRUST_PROJECT=1, or the trust_project setting)",
        "project-repository-keys-ignored",
      );
    return true;
  });
}

/** A credential ready to send, with where it came from (for `--verbose` and errors; never the secret). */
export type UsableCredential = LoginCredential & { source: string };

export interface Repository {
  /** `hexpm`, `hexpm:acme`, or a custom repository's name. */
  name: string;
  /** Set for `hexpm:ORG`: API paths take the `repos/ORG` / `orgs/ORG` prefixes. */
  organization?: string;
  /** API base; undefined for a custom repository configured without one. */
  apiUrl?: string;
  /** Registry and tarball base (an organization's is `<hexpm url>/repos/ORG`). */
  repoUrl: string;
  /** PEM key that verifies registry payloads. */
  publicKey: string;
  /** Name the registry payloads carry (`hexpm`, the organization, or the custom name). */
  originName: string;
  /** False for an untrusted mirror: no credential is ever sent to `repoUrl`. */
  trusted: boolean;
  /** Decrypted on demand (asking for the local password at most once per run), memoised per run. */
  credentials: {
    /** For API calls: explicit api_key > this repository's key > the parent's key > the stored login. */
    api(): Promise<UsableCredential | undefined>;
    /** For registry/tarball downloads: this repository's key > the parent's key > the stored login (hexpm only). */
    repository(): Promise<UsableCredential | undefined>;
  };
}

export interface RepositoryOptions extends ResolveOptions {
  /** `--repo`: `hexpm`, `hexpm:ORG` or a configured name (parsed, or as written); default `hexpm`. */
  repo?: RepoRef | string;
  /** `--organization ORG` (rebar3/mix spelling), same as `--repo hexpm:ORG`. */
  organization?: string;
  /** The run's settings; resolved from `flags`/`project` when omitted. */
  settings?: ResolvedSettings;
}

/** The Authorization header value for a credential (HEX_PROTOCOL §3.1): built in one place, src/credential.ts. */
export { authorizationHeader } from "../credential.js";

function sourceLabel(source: SettingSource): string {
  return source.kind === "env" || source.kind === "flag" ? source.name : `${source.kind} config api_key`;
}

/** Resolves the repository this run works with. Throws USAGE for an unknown custom repository name. */
export async function resolveRepository(ctx: ConfigContext, opts: RepositoryOptions = {}): Promise<Repository> {
  const name = targetRepo({ repo: opts.repo, organization: opts.organization }).repository;
  const settings = opts.settings ?? (await resolveSettings(ctx, { flags: opts.flags, project: opts.project }));
  const config = await userConfigStore(ctx).read();
  const hexpm = config.repos.hexpm ?? {};
  const mirror = settings.values.mirror_url;
  const hexpmUrl = mirror ?? normalizeApiUrl(hexpm.url ?? HEXPM_REPO_URL);
  const hexpmKey = hexpm.public_key ?? HEXPM_PUBLIC_KEY;
  const apiKey = settings.values.api_key;
  const apiKeySource = sourceLabel(settings.sources.api_key);
  const projectApi =
    settings.sources.api_url.kind === "project" && !settings.values.trust_project && isBuiltInRepoName(name);

  let base: Omit<Repository, "credentials">;
  let parent: string | undefined;
  /** A repository declared in rebar3's global config or the project's rebar.config (not `hexts repo add`). */
  let declared: Rebar3Repo | undefined;
  let fromProject = false;
  if (isBuiltInRepoName(name)) {
    const organization = name === "hexpm" ? undefined : name.slice("hexpm:".length);
    base = {
      name,
      organization,
      apiUrl: settings.values.api_url,
      repoUrl: organization ? `${hexpmUrl}/repos/${organization}` : hexpmUrl,
      publicKey: hexpmKey,
      originName: organization ?? "hexpm",
      trusted: mirror === undefined,
    };
    parent = organization ? "hexpm" : undefined;
  } else {
    const entry = config.repos[name];
    if (entry?.url && entry.public_key) {
      base = {
        name,
        apiUrl: entry.api_url === undefined ? undefined : normalizeApiUrl(entry.api_url),
        repoUrl: normalizeApiUrl(entry.url),
        publicKey: entry.public_key,
        originName: name,
        trusted: true,
      };
    } else {
      const global = await globalRebar3Repos(ctx);
      const project = rebar3Repos(opts.project, PROJECT_REBAR_CONFIG);
      declared = global.find((r) => r.name === name) ?? project.find((r) => r.name === name);
      if (!declared) {
        const known = [
          ...Object.keys(config.repos).filter((n) => !isBuiltInRepoName(n)),
          ...[...global, ...project].map((r) => r.name),
        ];
        const hint = /^[a-z0-9_]+$/.test(name) ? ` (for the organization, use hexpm:${name})` : "";
        throw new HextsError(
          "USAGE",
          `unknown repository "${name}"${hint}; known: ${["hexpm", "hexpm:ORG", ...new Set(known)].join(", ")}`,
        );
      }
      fromProject = declared.file === PROJECT_REBAR_CONFIG;
      base = {
        name,
        apiUrl: declared.apiUrl === undefined ? undefined : normalizeApiUrl(declared.apiUrl),
        // rebar3's defaults (r3_hex_core:default_config/0) for what the declaration leaves out; the API URL has
        // none here: a repository without api_url is never published to hex.pm by accident.
        repoUrl: normalizeApiUrl(declared.repoUrl ?? HEXPM_REPO_URL),
        publicKey: declared.publicKey ?? HEXPM_PUBLIC_KEY,
        originName: name,
        trusted: true,
      };
      announceDeclared(ctx, declared, fromProject, settings.values.trust_project);
    }
  }

  const hexpmFamily = name === "hexpm" || parent === "hexpm";
  const memo = vaultState(ctx).usable;
  const once = (kind: string, build: () => Promise<UsableCredential | undefined>) => () => {
    const key = `${kind}:${name}:${base.apiUrl ?? ""}:${base.repoUrl}`;
    let p = memo.get(key) as Promise<UsableCredential | undefined> | undefined;
    if (!p) {
      p = build();
      memo.set(key, p);
      p.catch(() => memo.delete(key));
    }
    return p;
  };
  // A stored repository key goes only to the origin it was stored for (issue 11): never to another HEX_API_URL.
  const repoKey = async (repoName: string, use: "api" | "repository"): Promise<UsableCredential | undefined> => {
    const destination = use === "api" ? base.apiUrl : base.repoUrl;
    const found = await loadRepositoryKeyFor(ctx, repoName, use, destination);
    if (found === undefined) return undefined;
    if ("refused" in found) {
      ctx.out.debug?.(
        `not sending the key of repository ${repoName} to ${destination ?? "an unset URL"}: ` +
          `it was stored for ${found.refused ?? "no API"}`,
      );
      return undefined;
    }
    return { type: "key", key: found.key, source: `key of repository ${repoName}` };
  };
  const trustProject = settings.values.trust_project === true;
  /** The key a rebar3 declaration carries (`api_key` for the API, `repo_key` for downloads). */
  const declaredKey = (kind: "api" | "repository"): UsableCredential | undefined => {
    const key = kind === "api" ? declared?.apiKey : declared?.repoKey;
    if (key === undefined || declared === undefined) return undefined;
    ctx.out.secrets.add(key);
    return {
      type: "key",
      key,
      source: `${kind === "api" ? "api_key" : "repo_key"} of repository ${name} in ${declared.file}`,
    };
  };
  const storedLogin = async (): Promise<UsableCredential | undefined> => {
    if (!base.apiUrl) return undefined;
    const c = await loadCredential(ctx, base.apiUrl);
    return c && { ...c, source: `stored login for ${base.apiUrl}` };
  };

  return {
    ...base,
    credentials: {
      api: once("api", async () => {
        // An API URL set by a project file gets only a login stored for that very URL: not HEX_API_KEY, not the
        // organization or repository keys the user stored for hex.pm (unless project settings are trusted).
        // The same holds for a repository the project's rebar.config declares.
        if (projectApi || (fromProject && !trustProject)) return storedLogin();
        if (apiKey !== undefined) return { type: "key", key: apiKey, source: apiKeySource };
        return (
          declaredKey("api") ??
          (await repoKey(name, "api")) ??
          (parent ? await repoKey(parent, "api") : undefined) ??
          (await storedLogin())
        );
      }),
      repository: once("repository", async () => {
        if (!base.trusted) return undefined;
        if (declared) return fromProject && !trustProject ? undefined : declaredKey("repository");
        return (
          (await repoKey(name, "repository")) ??
          (parent ? await repoKey(parent, "repository") : undefined) ??
          (hexpmFamily ? await storedLogin() : undefined)
        );
      }),
    },
  };
}

/** Shorthand: the API credential for the run's repository (undefined: offer `hexts user auth`). */
export async function apiCredential(
  ctx: ConfigContext,
  opts: RepositoryOptions = {},
): Promise<UsableCredential | undefined> {
  return (await resolveRepository(ctx, opts)).credentials.api();
}
