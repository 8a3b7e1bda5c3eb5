// The glue every networked task shares: which repository, which credential, one API client per run,
// OAuth refresh before expiry (and once after a plain 401), and one two-factor code for the whole command.
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import { isBuiltInRepoName, isHexpmApi, targetRepo, type RepoRef } from "../repository.js";
import type { HexClient } from "../api/index.js";
import type { Repository, ResolvedSettings, UsableCredential } from "../config/index.js";

/** Refresh an OAuth access token when fewer than this many seconds remain (hex_core's rule). */
const REFRESH_MARGIN_S = 300;

export interface SessionOptions {
  /** The repository (defaults to the run's `--repo`, then hexpm). */
  repo?: RepoRef;
  /** `--organization ORG` (rebar3/mix spelling of `--repo hexpm:ORG`). */
  organization?: string;
}

export interface Session {
  readonly settings: ResolvedSettings;
  readonly repository: Repository;
  /** The organization of the repository (`acme` for `hexpm:acme`), for `repos/ORG` paths. */
  readonly organization?: string;
  /** A client that sends no credential (public reads, OAuth endpoints). */
  anonymous(): Promise<HexClient>;
  /** A client with the run's credential; `required` fails with a hint to log in when there is none. */
  authed(opts?: { required?: boolean }): Promise<HexClient>;
  /** The credential in use, without its secret, for messages (`--verbose`). */
  credentialInfo(): Promise<{ kind: UsableCredential["type"]; source: string; username?: string } | undefined>;
  /**
   * Runs a write that may need a two-factor code: `--otp`/HEX_OTP first, then a hidden prompt on a TTY (3 tries).
   * One accepted code is reused for every later write of the run.
   */
  write<T>(fn: (client: HexClient, otp: string | undefined) => Promise<T>): Promise<T>;
  /**
   * With an OAuth login on a terminal and no code given, asks for the two-factor code now (hex.pm wants one for every
   * OAuth write), through the same route as write(): before a large upload, so the tarball is not sent twice.
   */
  otpAhead(): Promise<void>;
}

/**
 * How messages name the server a run talks to: the configured repository name (`hexpm`, `hexpm:acme`,
 * `mycompany`), except that hexpm's name is only used for hex.pm's own API: with HEX_API_URL pointing at
 * another server, it is `the server at URL`.
 */
export function serverLabel(repo: Pick<Repository, "name" | "organization" | "apiUrl">): string {
  const hexpmFamily = isBuiltInRepoName(repo.name);
  if (hexpmFamily && repo.apiUrl !== undefined && !isHexpmApi(repo.apiUrl)) {
    return repo.organization
      ? `repository ${repo.organization} of the server at ${repo.apiUrl}`
      : `the server at ${repo.apiUrl}`;
  }
  return repo.name;
}

function apiUrlOf(repo: Repository): string {
  if (!repo.apiUrl) {
    throw new HextsError("USAGE", `repository ${repo.name} has no API configured; set its api_url or use --repo hexpm`);
  }
  return repo.apiUrl;
}

/** Opens (once per run and repository) the session for the current command. */
export function openSession(ctx: Context, opts: SessionOptions = {}): Promise<Session> {
  const target = targetRepo({ repo: opts.repo ?? ctx.repo, organization: opts.organization });
  // The run's settings are fixed, so the repository alone identifies a session.
  return ctx.memo(`session:${target.repository}`, () => buildSession(ctx, target));
}

async function buildSession(ctx: Context, target: RepoRef): Promise<Session> {
  const config = await import("../config/index.js");
  const api = await import("../api/index.js");
  const settings = ctx.settings;
  const { resolveRunRepository } = await import("./project-settings.js");
  const repository = await resolveRunRepository(ctx, { repo: target });
  const values = settings.values;
  const apiUrl = apiUrlOf(repository);
  const otpSetting = values.otp;
  if (otpSetting) ctx.out.secrets.add(otpSetting);

  const base = new api.HexClient({
    apiUrl,
    repo: target,
    timeoutMs: values.http_timeout * 1000,
    ci: values.ci,
    proxy: { httpProxy: values.http_proxy, httpsProxy: values.https_proxy, noProxy: values.no_proxy },
    unsafeHttps: values.unsafe_https,
    unsafeHttpsSource: settingOrigin(settings.sources.unsafe_https, ctx.cwd),
    caCertsPath: values.cacerts_path,
    signal: ctx.signal,
    onWarning: (w) =>
      w.level === "fatal" ? ctx.out.warn(`API error: ${w.message}`) : ctx.out.warn(`API warning: ${w.message}`),
    // Rate limits and long waits are said as they happen (stderr, also with --json); short retries only with --verbose.
    onRetry: (r) =>
      api.retryIsNotable(r) ? ctx.out.writeErr(`${api.describeRetry(r)}\n`) : ctx.out.debug(api.describeRetry(r)),
  });
  ctx.defer(() => base.close());

  let current: Promise<UsableCredential | undefined> | undefined;
  const credential = () => (current ??= freshCredential());

  async function freshCredential(): Promise<UsableCredential | undefined> {
    const c = await repository.credentials.api();
    if (c?.type !== "oauth") return c;
    // A token without a known expiry is used until the server refuses it (then refreshed once, see below).
    if (c.expiresAt === undefined) return c;
    const remaining = c.expiresAt - Date.now() / 1000;
    if (remaining >= REFRESH_MARGIN_S) return c;
    return (await refresh(c)) ?? (remaining > 0 ? c : undefined);
  }

  /** Swaps a near-expiry or rejected OAuth token for a new pair and stores it; undefined when that fails. */
  async function refresh(c: Extract<UsableCredential, { type: "oauth" }>): Promise<UsableCredential | undefined> {
    if (!c.refreshToken) return undefined;
    try {
      const token = await api.refreshToken(base.with({ credential: undefined }), {
        clientId: values.oauth_client_id,
        refreshToken: c.refreshToken,
        signal: ctx.signal,
      });
      ctx.out.secrets.add(token.access_token);
      ctx.out.secrets.add(token.refresh_token);
      const next = {
        type: "oauth" as const,
        accessToken: token.access_token,
        refreshToken: token.refresh_token ?? c.refreshToken,
        expiresAt: token.expires_at,
        username: c.username,
      };
      await config.storeCredential(ctx, apiUrl, next);
      ctx.out.debug("renewed the OAuth access token");
      return { ...next, source: c.source };
    } catch (e) {
      ctx.out.warn(
        `your login could not be renewed (${e instanceof Error ? e.message : String(e)}); ` +
          "run `hexts user auth` to log in again",
      );
      return undefined;
    }
  }

  async function clientFor(c: UsableCredential | undefined, otp?: string): Promise<HexClient> {
    return base.with({ credential: c, otp });
  }

  /** A plain 401 on an OAuth token may be an expired token (hex.pm does not say): refresh once and retry. */
  async function withRefreshOn401<T>(fn: (client: HexClient) => Promise<T>, otp?: string): Promise<T> {
    const c = await credential();
    try {
      return await fn(await clientFor(c, otp));
    } catch (e) {
      if (c?.type !== "oauth" || !(e instanceof HextsError) || e.code !== "NOT_AUTHENTICATED") throw e;
      const renewed = await refresh(c);
      if (!renewed) throw e;
      current = Promise.resolve(renewed);
      return fn(await clientFor(renewed, otp));
    }
  }

  const otpSession = new api.OtpSession({
    otp: otpSetting,
    askOtp: ctx.prompt.interactive
      ? async (attempt, reason) => {
          if (reason === "invalid") ctx.out.warn("that two-factor code was not accepted");
          const code = await ctx.prompt.secret(
            attempt === 1 ? "Two-factor authentication code:" : "Two-factor authentication code (try again):",
            { supply: "--otp CODE or HEX_OTP" },
          );
          ctx.out.secrets.add(code);
          return code;
        }
      : undefined,
  });

  const notLoggedIn = () =>
    new HextsError(
      "NOT_AUTHENTICATED",
      `not logged in to ${apiUrl}: run \`hexts user auth\`, or set HEX_API_KEY` +
        `${repository.organization ? ` (or \`hexts organization auth ${repository.organization}\`)` : ""}`,
    );

  return {
    settings,
    repository,
    organization: repository.organization,
    anonymous: async () => base,
    async authed(o = {}) {
      const c = await credential();
      if (!c && o.required !== false) throw notLoggedIn();
      return clientFor(c, otpSession.code);
    },
    async credentialInfo() {
      const c = await credential();
      return c && { kind: c.type, source: c.source, username: c.username };
    },
    async write(fn) {
      if (!(await credential())) throw notLoggedIn();
      return otpSession.run((otp) => withRefreshOn401((client) => fn(client, otp), otp));
    },
    async otpAhead() {
      if ((await credential())?.type === "oauth") await otpSession.ahead();
    },
  };
}

/**
 * Where a setting really came from, for warnings: `HEX_UNSAFE_HTTPS`, `--flag`, `user config FILE`, the project file.
 */
function settingOrigin(source: import("../config/index.js").SettingSource, cwd: string): string {
  switch (source.kind) {
    case "env":
    case "flag":
      return source.name;
    case "user":
      return `user config ${source.file ?? ""}`.trim();
    case "project":
      return `project config in ${cwd} (rebar.config or mix.exs), trusted with trust_project`;
    default:
      return source.kind;
  }
}
