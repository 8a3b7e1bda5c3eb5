// `hexts info [PACKAGE [VERSION]]`, as `mix hex.info`: a package's versions (retired ones marked),
// licenses, links and a dependency snippet; a release's retirement, dependencies, checksum and publisher;
// with no argument, what hexts knows of its configuration. Packages come from the API (as mix does); a
// custom repository without an API is read from its signed registry instead (no licenses or links there).
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError, isHextsError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { parseVersion } from "../package/checks-version.js";
import { openRegistry, registryCacheDir } from "./registry-session.js";
import { openSession } from "./session.js";

export const InfoInput = z.object({
  package: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  organization: z.string().min(1).optional(),
});

export interface InfoRetirement {
  reason: string;
  message: string | null;
}

export interface PackageInfo {
  kind: "package";
  name: string;
  repository: string;
  description: string | null;
  /** Newest first. */
  versions: { version: string; retired: InfoRetirement | null }[];
  /** The newest stable release that is not retired (else the newest). */
  latest: string | null;
  licenses: string[];
  links: Record<string, string>;
  /** How to depend on it: mix and rebar3 spellings. */
  config: { mix: string; rebar3: string };
  url: string | null;
  docsUrl: string | null;
  /** `api` (hex.pm and servers with an API) or `registry` (a repository without one). */
  source: "api" | "registry";
}

export interface ReleaseInfo {
  kind: "release";
  name: string;
  version: string;
  repository: string;
  retired: InfoRetirement | null;
  dependencies: { name: string; requirement: string; app: string; optional: boolean }[];
  /** Outer checksum, lowercase hex. */
  checksum: string | null;
  publisher: string | null;
  docsUrl: string | null;
  config: { mix: string; rebar3: string };
  source: "api" | "registry";
}

export interface GeneralInfo {
  kind: "general";
  hexts: string;
  node: string;
  platform: string;
  configFile: string;
  apiUrl: string;
  repository: { name: string; url: string; trusted: boolean; publicKeyFingerprint: string };
  mirror: string | null;
  cacheDir: string;
}

export type InfoResult = PackageInfo | ReleaseInfo | GeneralInfo;

function approximate(version: string): string {
  const v = parseVersion(version);
  if (!v) return `>= 0.0.0`;
  if (v.pre.length > 0) return `~> ${v.major}.${v.minor}.${v.patch}-${v.pre.join(".")}`;
  return v.major === 0n ? `~> 0.${v.minor}.${v.patch}` : `~> ${v.major}.${v.minor}`;
}

/** `{:name, "~> 1.2"}` / `{name, "~> 1.2"}`, with `hex:`/`organization:` when needed (mix hex.info's snippet). */
export function configSnippet(
  name: string,
  app: string,
  version: string | null,
  organization?: string,
): { mix: string; rebar3: string } {
  const req = version ? approximate(version) : ">= 0.0.0";
  const atom = (a: string) => (/^[a-z_][a-zA-Z0-9_]*$/.test(a) ? `:${a}` : `:"${a}"`);
  const extras = [
    app !== name ? `hex: ${atom(name)}` : "",
    organization ? `organization: "${organization}"` : "",
  ].filter(Boolean);
  const mix = `{${atom(app)}, "${req}"${extras.map((e) => `, ${e}`).join("")}}`;
  const rebar3 = app !== name ? `{${app}, "${req}", {pkg, ${name}}}` : `{${name}, "${req}"}`;
  return { mix, rebar3 };
}

async function fingerprint(pem: string): Promise<string> {
  const { publicKeyFingerprint } = await import("../registry/index.js");
  try {
    return publicKeyFingerprint(pem);
  } catch {
    return "(not a valid RSA public key)";
  }
}

async function general(ctx: Context): Promise<GeneralInfo> {
  const config = await import("../config/index.js");
  const { hextsVersion } = await import("../version.js");
  const settings = ctx.settings;
  const { resolveRunRepository } = await import("./project-settings.js");
  const repo = await resolveRunRepository(ctx, { repo: ctx.repo });
  const cacheDir = await registryCacheDir(ctx);
  return {
    kind: "general",
    hexts: hextsVersion(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    configFile: config.configFilePath(ctx.env, ctx.cwd),
    apiUrl: settings.values.api_url,
    repository: {
      name: repo.name,
      url: repo.repoUrl,
      trusted: repo.trusted,
      publicKeyFingerprint: await fingerprint(repo.publicKey),
    },
    mirror: settings.values.mirror_url ?? null,
    cacheDir,
  };
}

const retirementOf = (r: { reason: string; message?: string | null } | null | undefined): InfoRetirement | null =>
  r ? { reason: r.reason, message: r.message ?? null } : null;

async function fromApi(ctx: Context, input: z.output<typeof InfoInput>): Promise<InfoResult> {
  const api = await import("../api/index.js");
  const s = await openSession(ctx, { organization: input.organization });
  const client = s.organization ? await s.authed() : await s.anonymous();
  const org = s.organization;
  const name = input.package!;
  try {
    if (input.version !== undefined) {
      const r = await api.getRelease(client, name, input.version);
      return {
        kind: "release",
        name,
        version: r.version,
        repository: s.repository.name,
        retired: retirementOf(r.retirement),
        dependencies: Object.entries(r.requirements ?? {}).map(([dep, q]) => ({
          name: dep,
          requirement: q.requirement,
          app: q.app ?? dep,
          optional: q.optional,
        })),
        checksum: r.checksum,
        publisher: r.publisher ? `${r.publisher.username}${r.publisher.email ? ` (${r.publisher.email})` : ""}` : null,
        docsUrl: r.has_docs ? (r.docs_html_url ?? null) : null,
        config: configSnippet(name, r.meta?.app ?? name, r.version, org),
        source: "api",
      };
    }
    const p = await api.getPackage(client, name);
    const retirements = p.retirements ?? {};
    const versions = (p.releases ?? []).map((r) => ({
      version: r.version,
      retired: retirementOf(retirements[r.version]),
    }));
    const stable = versions.find((v) => !v.retired && !v.version.includes("-"));
    const latest = stable?.version ?? versions[0]?.version ?? null;
    return {
      kind: "package",
      name: p.name,
      repository: s.repository.name,
      description: p.meta.description ?? null,
      versions,
      latest,
      licenses: p.meta.licenses ?? [],
      links: p.meta.links ?? {},
      config: configSnippet(p.name, p.name, latest, org),
      url: p.html_url ?? null,
      docsUrl: p.docs_html_url ?? null,
      source: "api",
    };
  } catch (e) {
    if (isHextsError(e) && e.code === "NOT_FOUND") {
      throw new HextsError(
        "NOT_FOUND",
        input.version ? `No release with name ${name} ${input.version}` : `No package with name ${name}`,
        { status: e.status, cause: e },
      );
    }
    throw e;
  }
}

async function fromRegistry(ctx: Context, input: z.output<typeof InfoInput>): Promise<InfoResult> {
  const registry = await openRegistry(ctx, { organization: input.organization });
  const name = input.package!;
  const pkg = await registry.getPackage(name);
  if (input.version !== undefined) {
    const r = await registry.getRelease(name, input.version);
    return {
      kind: "release",
      name,
      version: r.version,
      repository: registry.repository.name,
      retired: r.retired ? { reason: String(r.retired.reason), message: r.retired.message ?? null } : null,
      dependencies: r.dependencies.map((d) => ({
        name: d.package,
        requirement: d.requirement,
        app: d.app,
        optional: d.optional,
      })),
      checksum: r.outerChecksum ?? null,
      publisher: null,
      docsUrl: null,
      config: configSnippet(name, name, r.version),
      source: "registry",
    };
  }
  const versions = [...pkg.releases].reverse().map((r) => ({
    version: r.version,
    retired: r.retired ? { reason: String(r.retired.reason), message: r.retired.message ?? null } : null,
  }));
  const latest = versions.find((v) => !v.retired && !v.version.includes("-"))?.version ?? versions[0]?.version ?? null;
  return {
    kind: "package",
    name,
    repository: registry.repository.name,
    description: null,
    versions,
    latest,
    licenses: [],
    links: {},
    config: configSnippet(name, name, latest),
    url: null,
    docsUrl: null,
    source: "registry",
  };
}

export async function info(ctx: Context, input: z.output<typeof InfoInput>): Promise<InfoResult> {
  if (input.package === undefined) return general(ctx);
  const { resolveRunRepository } = await import("./project-settings.js");
  const repo = await resolveRunRepository(ctx, { repo: ctx.repo, organization: input.organization });
  return repo.apiUrl ? fromApi(ctx, input) : fromRegistry(ctx, input);
}

function retiredText(r: InfoRetirement): string {
  return `(${r.reason})${r.message ? ` ${r.message}` : ""}`;
}

function render(r: InfoResult, out: Output): void {
  if (r.kind === "general") {
    out.result(`hexts:       ${r.hexts}`);
    out.result(`Node.js:     ${r.node} (${r.platform})`);
    out.result(`Config file: ${r.configFile}`);
    out.result(`API:         ${r.apiUrl}`);
    out.result(
      `Repository:  ${r.repository.name} ${r.repository.url}` +
        `${r.repository.trusted ? "" : " (untrusted mirror: no credentials sent)"}`,
    );
    out.result(`Public key:  ${r.repository.publicKeyFingerprint}`);
    if (r.mirror) out.result(`Mirror:      ${r.mirror}`);
    out.result(`Cache:       ${r.cacheDir}`);
    return;
  }
  if (r.kind === "release") {
    if (r.retired) out.warn(`This version has been retired: ${retiredText(r.retired)}`);
    out.result(`${r.name} ${r.version}${r.repository === "hexpm" ? "" : ` (${r.repository})`}`);
    out.result(`Config: ${r.config.mix}`);
    out.result(`        ${r.config.rebar3} (rebar3)`);
    if (r.docsUrl) out.result(`Documentation at: ${r.docsUrl}`);
    if (r.dependencies.length > 0) {
      out.result("Dependencies:");
      for (const d of r.dependencies)
        out.result(
          `  ${d.name} ${d.requirement}${d.app !== d.name ? ` (app: ${d.app})` : ""}${d.optional ? " (optional)" : ""}`,
        );
    }
    if (r.checksum) out.result(`Checksum: ${r.checksum}`);
    if (r.publisher) out.result(`Published by: ${r.publisher}`);
    return;
  }
  out.result(`${r.description ?? "No description provided"}\n`);
  out.result(`Config: ${r.config.mix}`);
  out.result(`        ${r.config.rebar3} (rebar3)`);
  const shown = r.versions
    .slice(0, 8)
    .map((v) => (v.retired ? out.style("yellow", `${v.version} (retired)`) : v.version));
  out.result(`Releases: ${shown.join(", ")}${r.versions.length > 8 ? ", ..." : ""}\n`);
  const retired = r.versions.filter((v) => v.retired);
  if (retired.length > 0) {
    out.result("Retired:");
    for (const v of retired) out.result(`  ${v.version} ${retiredText(v.retired!)}`);
  }
  if (r.licenses.length > 0) out.result(`Licenses: ${r.licenses.join(", ")}`);
  const links = Object.entries(r.links);
  if (links.length > 0) {
    out.result("Links:");
    for (const [k, v] of links) out.result(`  ${k}: ${v}`);
  }
}

export const subcommands = {
  info: defineSubcommand({ input: InfoInput, run: info, render }),
} satisfies Subcommands;
