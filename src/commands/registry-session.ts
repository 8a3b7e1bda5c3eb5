// Registry clients for a run: one per repository (`hexpm`, `hexpm:ORG`, a configured name), sharing one
// transport and one on-disk cache. Credentials come from the repository's own rules (config/repos.ts):
// none for an untrusted mirror (HEX_MIRROR).
import { join } from "node:path";
import type { Context } from "./context.js";
import { transportOptions } from "./shared.js";
import { targetRepo, type RepoRef } from "../repository.js";
import type { RegistryClient } from "../registry/index.js";

export interface RegistryOptions {
  /** `hexpm`, `hexpm:ORG` or a configured repository name; default: the run's `--repo`, then hexpm. */
  repo?: RepoRef | string;
  organization?: string;
}

/** The cache directory: HEX_HOME/cache when HEX_HOME is set, else the OS cache dir (env-paths). */
export async function registryCacheDir(ctx: Context): Promise<string> {
  const settings = ctx.settings;
  if (settings.sources.home.kind === "env") return join(settings.values.home, "cache", "registry");
  const envPaths = (await import("env-paths")).default;
  return join(envPaths("hexts", { suffix: "" }).cache, "registry");
}

/** The registry client for one repository, built once per run. */
export function openRegistry(ctx: Context, opts: RegistryOptions = {}): Promise<RegistryClient> {
  const target = targetRepo({ repo: opts.repo ?? ctx.repo, organization: opts.organization });
  return ctx.memo(`registry:${target.repository}`, () => buildRegistry(ctx, target));
}

async function buildRegistry(ctx: Context, target: RepoRef): Promise<RegistryClient> {
  const config = await import("../config/index.js");
  const { RegistryClient, diskRegistryCache } = await import("../registry/index.js");
  const { defaultTransport, hextsUserAgent } = await import("../api/index.js");
  const settings = ctx.settings;
  const v = settings.values;
  const { resolveRunRepository } = await import("./project-settings.js");
  const repository = await resolveRunRepository(ctx, { repo: target });
  const shared = ctx.memo("registry:shared", () => {
    const transport = defaultTransport(transportOptions(v));
    ctx.defer(() => transport.close());
    if (v.unsafe_registry)
      ctx.out.warn(
        "HEX_UNSAFE_REGISTRY is set: registry signatures are not checked, so a mirror or proxy can alter what you see",
      );
    if (v.no_verify_repo_origin)
      ctx.out.warn(
        "HEX_NO_VERIFY_REPO_ORIGIN is set: registry data is not checked to be for the repository and package asked for",
      );
    return { transport, cache: registryCacheDir(ctx).then(diskRegistryCache) };
  });
  return new RegistryClient({
    repository: {
      name: repository.name,
      url: repository.repoUrl,
      publicKey: repository.publicKey,
      originName: repository.originName,
      trusted: repository.trusted,
      authorization: async () => {
        const credential = await repository.credentials.repository();
        if (!credential) return undefined;
        ctx.out.debug(`${repository.name}: using the ${credential.source}`);
        const value = config.authorizationHeader(credential);
        ctx.out.secrets.add(value);
        return value;
      },
    },
    transport: shared.transport,
    userAgent: hextsUserAgent({ ci: v.ci }),
    timeoutMs: v.http_timeout * 1000,
    cache: await shared.cache,
    verify: !v.unsafe_registry,
    verifyOrigin: !v.no_verify_repo_origin,
    offline: v.offline,
    signal: ctx.signal,
    onRequest: (r) =>
      ctx.out.debug(`GET ${r.url}${r.conditional ? " (if-none-match)" : ""}${r.authorized ? " (authorized)" : ""}`),
  });
}

/** Runs `fn` over `items` with at most `limit` at a time (HEX_HTTP_CONCURRENCY's default is 8). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
