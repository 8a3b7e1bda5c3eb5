// `hexts organization` (alias `org`): authorize an organization's repository on this machine with a new or given
// key, forget it, list what is authorized here, and manage keys owned by the organization (mix hex.organization,
// rebar3 hex organization). ORG may be written `acme` or `hexpm:acme`.
import { z } from "zod";
import { createKey, isApiError, testAuth } from "../api/index.js";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import { HEXPM, organizationRepo, parseOrganization } from "../repository.js";
import {
  HEXPM_REPO_URL,
  listOrganizations,
  organizationRepoName,
  removeOrganization,
  storeOrganization,
  userConfigStore,
} from "../config/index.js";
import type { Output } from "../ui/output.js";
import { openSession } from "./session.js";
import { defaultKeyName } from "./auth/keys.js";
import {
  keyAction,
  KeyInput as UserKeyInput,
  organizationNotFound,
  renderKey,
  type KeyResult,
} from "./auth/key-actions.js";
import { openVault, prepareVault } from "./auth/local-password.js";
import { readKeyOption } from "./auth/login.js";

/** `acme` or `hexpm:acme` -> `acme` (USAGE for anything else). */
export function organizationName(raw: string): string {
  return parseOrganization(raw.trim());
}

const Org = z
  .string()
  .trim()
  .min(1)
  .transform((v, ctx) => {
    try {
      return organizationName(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
      return z.NEVER;
    }
  });

// ---- auth ----

export const AuthInput = z.object({
  org: Org,
  key: z.string().optional(),
  keyName: z.string().trim().min(1).optional(),
});

export interface OrgAuthResult {
  organization: string;
  /** `hexpm:acme` */
  repository: string;
  /** Name of the key now stored (given, or generated). */
  keyName: string | null;
  /** Who owns the stored key: the organization itself or a user. */
  keyOwner: "organization" | "user" | null;
  generated: boolean;
  encrypted: boolean;
  configFile: string;
}

export async function auth(ctx: Context, input: z.output<typeof AuthInput>): Promise<OrgAuthResult> {
  const org = input.org;
  if (input.key !== undefined && input.keyName !== undefined)
    throw new HextsError("USAGE", "--key-name names a key hexts generates; a key given with --key keeps its own name");
  const session = await openSession(ctx, { repo: HEXPM });
  const sealed = await openVault(ctx);
  let key: string;
  let keyName: string | null;
  let owner: OrgAuthResult["keyOwner"];
  if (input.key !== undefined) {
    key = await readKeyOption(ctx, input.key);
    const client = (await session.anonymous()).with({ credential: { type: "key", key } });
    try {
      const check = await testAuth(client, { domain: "repository", resource: org }, { signal: ctx.signal });
      keyName = check.kind === "key" ? check.name : null;
      owner = check.kind === "key" ? check.owner.type : null;
    } catch (e) {
      if (isApiError(e, "NOT_AUTHENTICATED", "FORBIDDEN")) {
        const why =
          e.code === "NOT_AUTHENTICATED"
            ? "the server rejected it"
            : e.status === 401
              ? `it has no permission for the repository of ${org}`
              : `its owner has no access to ${org}`;
        throw new HextsError(
          e.code,
          `this key cannot fetch from the organization ${org}: ${why}${e.serverMessage ? ` (${e.serverMessage})` : ""}`,
          { status: e.status, cause: e },
        );
      }
      throw e;
    }
    if (owner === "user")
      ctx.out.warn(
        `this key belongs to a user, not to ${org}; for CI, an organization key ` +
          `(\`hexts organization key ${org} generate\`) keeps working whoever leaves the organization`,
      );
  } else {
    const name = input.keyName ?? defaultKeyName();
    ctx.out.info(`Generating key ${name} for ${org}...`);
    const created = await session
      .write((client) =>
        createKey(
          client.with({ repo: organizationRepo(org) }),
          { name, permissions: [{ domain: "repository", resource: org }] },
          { signal: ctx.signal },
        ),
      )
      .catch((e: unknown) => {
        throw organizationNotFound(e, org);
      });
    ctx.out.secrets.add(created.secret);
    key = created.secret;
    keyName = created.name;
    owner = "organization";
  }
  const vault = sealed
    ? { encrypted: true, file: userConfigStore(ctx).file }
    : await prepareVault(ctx, { skip: false, fromStdin: false });
  // Bound to the API it was checked or made on, and to hex.pm's repository (a mirror never receives keys).
  const repo = session.repository;
  await storeOrganization(ctx, org, key, {
    apiUrl: repo.apiUrl,
    repoUrl: repo.trusted ? repo.repoUrl : HEXPM_REPO_URL,
  });
  return {
    organization: org,
    repository: `hexpm:${org}`,
    keyName,
    keyOwner: owner,
    generated: input.key === undefined,
    encrypted: vault.encrypted,
    configFile: vault.file,
  };
}

function renderAuth(r: OrgAuthResult, out: Output): void {
  out.result(
    `Authorized ${r.repository}${r.keyName ? ` with key ${r.keyName}` : ""}${r.generated ? " (generated)" : ""}.`,
  );
  out.info(
    r.encrypted ? `Stored encrypted with your local password in ${r.configFile}.` : `Stored in ${r.configFile}.`,
  );
}

// ---- deauth ----

export const DeauthInput = z.object({ org: Org });

export interface OrgDeauthResult {
  organization: string;
  repository: string;
  removed: boolean;
}

export async function deauth(ctx: Context, input: z.output<typeof DeauthInput>): Promise<OrgDeauthResult> {
  const removed = await removeOrganization(ctx, input.org);
  return { organization: input.org, repository: `hexpm:${input.org}`, removed };
}

function renderDeauth(r: OrgDeauthResult, out: Output): void {
  out.result(
    r.removed
      ? `Removed ${r.repository} from this machine.`
      : `${r.repository} was not authorized on this machine; nothing to remove.`,
  );
}

// ---- list ----

export const ListInput = z.object({});

export interface OrgListResult {
  organizations: { organization: string; repository: string; hasKey: boolean }[];
}

export async function list(ctx: Context): Promise<OrgListResult> {
  const orgs = await listOrganizations(ctx);
  return { organizations: orgs.map((o) => ({ organization: o.organization, repository: o.name, hasKey: o.hasKey })) };
}

function renderList(r: OrgListResult, out: Output): void {
  if (r.organizations.length === 0) {
    out.info(
      "No organization is authorized on this machine (`hexts organization auth ORG` adds one; " +
        "your login already reaches the organizations you belong to).",
    );
    return;
  }
  for (const o of r.organizations) out.result(o.hasKey ? o.organization : `${o.organization} (no key stored)`);
}

// ---- key ORG generate | list | revoke ----

export const KeyInput = UserKeyInput.extend({
  org: Org,
  action: z.enum(["generate", "list", "revoke"], { error: "expected generate, list or revoke" }),
});

export async function key(ctx: Context, input: z.output<typeof KeyInput>): Promise<KeyResult> {
  return keyAction(ctx, input, { organization: input.org });
}

export const subcommands = {
  auth: defineSubcommand({ input: AuthInput, run: auth, render: renderAuth }),
  deauth: defineSubcommand({ input: DeauthInput, run: deauth, render: renderDeauth }),
  list: defineSubcommand({ input: ListInput, run: list, render: renderList }),
  key: defineSubcommand({ input: KeyInput, run: key, render: renderKey, revealsSecret: true }),
} satisfies Subcommands;
