// The project layer of the settings: `{hex, [...]}` in rebar.config, `hex:` in mix.exs. This is the one place
// the project's Hex settings enter a run (commands/run-settings.ts), so a rule about what a project
// may set belongs here. A directory that is not a project, or one hexts cannot read, has none.
import type { Repository, RepositoryOptions } from "../config/index.js";
import type { Context } from "./context.js";
import { organizationToRead, readProjectOnce } from "./project-read.js";

/**
 * Settings a project file may not set unless the user trusts project settings (HEX_TRUST_PROJECT=1, or
 * `hexts config trust_project true`): they would hand a credential to someone else or switch off its protection.
 */
const NEEDS_TRUST: Record<string, string> = {
  api_key: "supply the API key",
  http_proxy: "set a proxy",
  https_proxy: "set a proxy",
  unsafe_https: "disable TLS certificate checks",
  cacerts_path: "replace the trusted certificate authorities",
};
/** Settings a project file may set, but never silently: where requests go. */
const SHOWN = ["api_url", "mirror_url"];

async function trusted(ctx: Pick<Context, "cwd" | "env">): Promise<boolean> {
  const { envSetting, coerceSetting, userConfigStore } = await import("../config/settings.js");
  const fromEnv = envSetting(ctx.env, "trust_project");
  if (fromEnv) return fromEnv.value;
  const store = userConfigStore(ctx as never);
  const raw = (await store.read()).settings.trust_project;
  return raw === undefined
    ? false
    : coerceSetting("trust_project", raw, { layer: "user", name: `config file ${store.file}: settings.trust_project` });
}

/**
 * The project's Hex settings as the run may use them: settings that decide where credentials travel are shown
 * with the file they come from, and those that would leak or unprotect a credential are dropped, with a warning,
 * unless the user trusts project settings. (The api_url a project sets is used, but no credential except a login
 * stored for that very URL is sent to it: see config/repos.ts.)
 */
async function guardProjectSettings(
  ctx: Pick<Context, "cwd" | "env" | "out" | "memo">,
  config: Record<string, unknown>,
  file: string,
): Promise<Record<string, unknown>> {
  const present = (k: string) =>
    config[k] !== undefined && !(k === "unsafe_https" && (config[k] === false || config[k] === "false"));
  const risky = Object.keys(NEEDS_TRUST).filter(present);
  const shown = SHOWN.filter(present);
  if (risky.length === 0 && shown.length === 0) return config;
  const trust = await trusted(ctx);
  const out = { ...config };
  for (const k of shown) ctx.out.info(`using ${k} = ${String(config[k])} from ${file}`);
  for (const k of risky) {
    if (trust) {
      ctx.out.warn(`${k} from ${file} is used (project settings are trusted: HEX_TRUST_PROJECT / trust_project)`);
      continue;
    }
    delete out[k];
    ctx.out.warn(
      `ignoring ${k} from ${file}: a project file cannot ${NEEDS_TRUST[k]} unless you allow it (HEX_TRUST_PROJECT=1, ` +
        "or `hexts config trust_project true`); set it in your environment or user config instead",
    );
  }
  return out;
}

/** Which project a command works on, from its own flags. */
export interface ProjectSelection {
  app?: string;
  buildTool?: "rebar3" | "mix" | "make";
  metadataFile?: string;
  /** `--organization`: with the run's repository, the organization the project is read for. */
  organization?: string;
  /** `--file-order` (build). */
  fileOrder?: "sorted" | "filesystem";
}

/**
 * The project's Hex settings, read with the options the command will read the project with (readProjectOnce),
 * so that the command's own read is this one.
 */
export function projectHexConfig(
  ctx: Pick<Context, "cwd" | "env" | "out" | "memo" | "repo">,
  selection: ProjectSelection = {},
): Promise<Record<string, unknown> | undefined> {
  return ctx.memo("project-hex-config", async () => {
    if (selection.metadataFile !== undefined) return undefined;
    // Not a project (or not one hexts can read): no project layer; the command says why when it reads it.
    try {
      const project = await readProjectOnce(ctx, ctx.cwd, {
        app: selection.app,
        buildTool: selection.buildTool,
        organization: organizationToRead(ctx, selection.organization),
        fileOrder: selection.fileOrder,
      });
      return await guardProjectSettings(ctx, project.hexConfig, project.tool === "mix" ? "mix.exs" : "rebar.config");
    } catch (e) {
      ctx.out.debug(`project settings not read: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  });
}

/**
 * The run's view of a repository: config/repos.ts resolveRepository with the run's settings and the project layer
 * (for the repositories the project's rebar.config declares). Every command resolves repositories through this.
 */
export async function resolveRunRepository(
  ctx: Context,
  opts: Pick<RepositoryOptions, "repo" | "organization">,
): Promise<Repository> {
  const { resolveRepository } = await import("../config/index.js");
  return resolveRepository(ctx, { ...opts, settings: ctx.settings, project: await projectHexConfig(ctx) });
}
