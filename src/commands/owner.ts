// `hexts owner`: add, transfer, remove and list package owners, and list the packages you own
// (HEX_PROTOCOL.md §4.9; mix hex.owner and rebar3 hex owner).
import { z } from "zod";
import {
  addOwner,
  getMe,
  getPackage,
  isApiError,
  listOwners,
  removeOwner,
  type ApiError,
  type Owner,
  type OwnerLevel,
} from "../api/index.js";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import { packageLabel, parseRepo } from "../repository.js";
import type { Output } from "../ui/output.js";
import { openSession, type Session } from "./session.js";
import { fromApi } from "./shared.js";

const Name = z.string().trim().min(1);
const Organization = z.string().min(1).optional();

export const AddInput = z.object({
  package: Name,
  user: Name,
  level: z.enum(["full", "maintainer"]).default("full"),
  transfer: z.boolean().optional(),
  organization: Organization,
});
export const TransferInput = z.object({ package: Name, user: Name, organization: Organization });
export const RemoveInput = z.object({ package: Name, user: Name, organization: Organization });
export const ListInput = z.object({ package: Name, organization: Organization });
export const PackagesInput = z.object({ organization: Organization });

export interface OwnerChange {
  action: "add" | "transfer" | "remove";
  package: string;
  /** `hexpm`, `hexpm:acme` or a custom repository name. */
  repository: string;
  user: string;
  level?: OwnerLevel;
  /** False when nothing had to change (the user already was the only owner). */
  changed: boolean;
  /** transfer: the owners the transfer removed. */
  removed?: string[];
}

export interface OwnerEntry {
  username: string;
  email: string | null;
  level: string;
  fullName: string | null;
  url: string | null;
}

export interface OwnerList {
  package: string;
  repository: string;
  owners: OwnerEntry[];
}

export interface OwnedPackage {
  name: string;
  repository: string;
  /** `NAME` on hexpm, `REPO/NAME` elsewhere (as mix prints it). */
  display: string;
  htmlUrl: string | null;
  url: string | null;
}

export interface OwnedPackages {
  username: string;
  packages: OwnedPackage[];
}

// ---- helpers ----

/** Finds an owner by username or email, ignoring case (the server's lookup ignores case too). */
export function findOwner(owners: OwnerEntry[], user: string): OwnerEntry | undefined {
  const want = user.toLowerCase();
  return owners.find((o) => o.username.toLowerCase() === want || (o.email !== null && o.email.toLowerCase() === want));
}

function entryOf(o: Owner): OwnerEntry {
  return {
    username: o.username,
    email: o.email ?? null,
    level: o.level,
    fullName: o.full_name ?? null,
    url: o.url ?? null,
  };
}

async function packageVisible(s: Session, pkg: string): Promise<boolean> {
  try {
    await getPackage(await s.authed({ required: false }), pkg);
    return true;
  } catch (e) {
    if (isApiError(e, "NOT_FOUND")) return false;
    throw e;
  }
}

function missingPackage(s: Session, pkg: string, e: ApiError): HextsError {
  return fromApi(
    e,
    "NOT_FOUND",
    `package ${packageLabel(s, pkg)} does not exist in ${s.repository.name} (or you cannot see it)`,
  );
}

/** The server's 422 text for the owner change, field by field. */
function validationTexts(e: ApiError): string[] {
  const errors = e.errors;
  if (typeof errors === "string") return [errors];
  if (!errors || typeof errors !== "object") return e.serverMessage ? [e.serverMessage] : [];
  return Object.values(errors as Record<string, unknown>).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

/** Turns the server's answer to an owner change into one clear line. */
async function explainOwnerError(
  s: Session,
  change: { action: OwnerChange["action"]; pkg: string; user: string },
  e: unknown,
): Promise<unknown> {
  if (!isApiError(e)) return e;
  const pkg = packageLabel(s, change.pkg);
  const user = `"${change.user}"`;
  if (e.status === 404) {
    if (!(await packageVisible(s, change.pkg))) return missingPackage(s, change.pkg, e);
    return fromApi(
      e,
      "NOT_FOUND",
      `no Hex user or organization is called ${user} (give a username or an account's email)`,
    );
  }
  if (e.kind === "account-not-authorized") {
    return fromApi(
      e,
      "FORBIDDEN",
      `you are not a full owner of ${pkg}: only full owners can add, transfer or remove owners`,
    );
  }
  if (e.status === 422) {
    const texts = validationTexts(e);
    const said = texts.join("; ").toLowerCase();
    const known: [RegExp, string][] = [
      [
        /not a member of the organization/,
        `${user} is not a member of the organization ${s.organization ?? ""}, so it cannot own ${pkg}; ` +
          "add them to the organization first",
      ],
      [
        /can only be transferred/,
        `${user} is an organization: a package can only be transferred to it ` +
          `(\`hexts owner transfer ${change.pkg} ${change.user}\`), which removes every other owner`,
      ],
      [/required to be "full" for organization/, `an organization can only own ${pkg} at level full`],
      [
        /demote the last full owner/,
        `${user} is the last full owner of ${pkg} and cannot become a maintainer; make another owner full first`,
      ],
      [/is not an owner of package/, `${user} is not an owner of ${pkg}`],
      [
        /remove last owner/,
        `${user} is the only owner of ${pkg} and cannot be removed; add another owner first, or transfer the package`,
      ],
      [
        /remove the last full owner/,
        `${user} is the last full owner of ${pkg} and cannot be removed; ` +
          `make another owner full first (\`hexts owner add ${change.pkg} USER --level full\`)`,
      ],
    ];
    const hit = known.find(([re]) => re.test(said));
    if (hit) return fromApi(e, "VALIDATION_FAILED", hit[1]);
    const verb =
      change.action === "remove"
        ? `remove ${user} from the owners of`
        : change.action === "transfer"
          ? `transfer ${pkg} to`
          : `add ${user} as an owner of`;
    const target = change.action === "transfer" ? user : pkg;
    return fromApi(
      e,
      "VALIDATION_FAILED",
      `could not ${verb} ${target}: ${texts.join("; ") || "the server rejected it"}`,
    );
  }
  return e;
}

async function ownerWrite(
  s: Session,
  change: { action: OwnerChange["action"]; pkg: string; user: string },
  fn: Parameters<Session["write"]>[0],
): Promise<void> {
  try {
    await s.write(fn);
  } catch (e) {
    throw await explainOwnerError(s, change, e);
  }
}

/**
 * The current owners, read with the run's credential (`required` before a write: no use asking to confirm without one).
 */
async function readOwners(s: Session, pkg: string, required = false): Promise<OwnerEntry[]> {
  try {
    return (await listOwners(await s.authed({ required }), pkg)).map(entryOf);
  } catch (e) {
    if (isApiError(e, "NOT_FOUND")) throw missingPackage(s, pkg, e);
    throw e;
  }
}

// ---- subcommands ----

export async function addPackageOwner(ctx: Context, input: z.output<typeof AddInput>): Promise<OwnerChange> {
  if (input.transfer) {
    if (input.level !== "full") {
      throw new HextsError(
        "USAGE",
        "--transfer makes the user the only owner, so the level must be full (drop --level maintainer)",
      );
    }
    return transferPackage(ctx, input);
  }
  const s = await openSession(ctx, { organization: input.organization });
  await ownerWrite(s, { action: "add", pkg: input.package, user: input.user }, (client) =>
    addOwner(client, input.package, input.user, { level: input.level, transfer: false }),
  );
  return {
    action: "add",
    package: input.package,
    repository: s.repository.name,
    user: input.user,
    level: input.level,
    changed: true,
  };
}

export async function transferPackage(ctx: Context, input: z.output<typeof TransferInput>): Promise<OwnerChange> {
  const s = await openSession(ctx, { organization: input.organization });
  const pkg = packageLabel(s, input.package);
  const owners = await readOwners(s, input.package, true);
  const target = findOwner(owners, input.user);
  const others = owners.filter((o) => o !== target).map((o) => o.username);
  const base = {
    action: "transfer" as const,
    package: input.package,
    repository: s.repository.name,
    user: input.user,
    level: "full" as const,
  };
  if (target?.level === "full" && others.length === 0) return { ...base, changed: false, removed: [] };
  const removing = others.length
    ? ` This removes ${others.join(", ")} as ${others.length === 1 ? "owner" : "owners"}.`
    : "";
  if (!(await ctx.prompt.confirm(`Transfer ${pkg} to ${input.user}?${removing}`, { default: false }))) {
    throw new HextsError("CANCELLED", `cancelled: ${pkg} was not transferred`);
  }
  await ownerWrite(s, { action: "transfer", pkg: input.package, user: input.user }, (client) =>
    addOwner(client, input.package, input.user, { level: "full", transfer: true }),
  );
  return { ...base, changed: true, removed: others };
}

export async function removePackageOwner(ctx: Context, input: z.output<typeof RemoveInput>): Promise<OwnerChange> {
  const s = await openSession(ctx, { organization: input.organization });
  const pkg = packageLabel(s, input.package);
  const owners = await readOwners(s, input.package, true);
  // An email may be hidden from the owner list; only a username that matches nobody is surely not an owner.
  if (!findOwner(owners, input.user) && !input.user.includes("@")) {
    const list = owners.map((o) => o.username).join(", ");
    throw new HextsError(
      "VALIDATION_FAILED",
      `"${input.user}" is not an owner of ${pkg}${list ? ` (owners: ${list})` : ""}`,
    );
  }
  if (!(await ctx.prompt.confirm(`Remove ${input.user} from the owners of ${pkg}?`, { default: false }))) {
    throw new HextsError("CANCELLED", `cancelled: ${input.user} is still an owner of ${pkg}`);
  }
  await ownerWrite(s, { action: "remove", pkg: input.package, user: input.user }, (client) =>
    removeOwner(client, input.package, input.user),
  );
  return { action: "remove", package: input.package, repository: s.repository.name, user: input.user, changed: true };
}

export async function listPackageOwners(ctx: Context, input: z.output<typeof ListInput>): Promise<OwnerList> {
  const s = await openSession(ctx, { organization: input.organization });
  return { package: input.package, repository: s.repository.name, owners: await readOwners(s, input.package) };
}

export async function listOwnedPackages(ctx: Context, input: z.output<typeof PackagesInput>): Promise<OwnedPackages> {
  const s = await openSession(ctx, { organization: input.organization });
  let me;
  try {
    me = await getMe(await s.authed());
  } catch (e) {
    if (isApiError(e, "NOT_FOUND"))
      throw fromApi(
        e,
        "FORBIDDEN",
        "the credential in use does not belong to a user (an organization key?); " +
          "log in as a user with `hexts user auth`",
      );
    throw e;
  }
  const packages = (me.packages ?? [])
    .filter((p) => !s.organization || p.repository === s.organization)
    .map((p) => ({
      name: p.name,
      repository: p.repository,
      display: p.repository === "hexpm" ? p.name : `${p.repository}/${p.name}`,
      htmlUrl: p.html_url ?? null,
      url: p.url ?? null,
    }));
  return { username: me.username, packages };
}

// ---- rendering ----

function renderChange(r: OwnerChange, out: Output): void {
  const pkg = packageLabel(parseRepo(r.repository), r.package);
  if (r.action === "add") out.result(`Added ${r.user} as an owner of ${pkg} (level ${r.level})`);
  else if (r.action === "remove") out.result(`Removed ${r.user} from the owners of ${pkg}`);
  else if (!r.changed) out.result(`${r.user} already is the only owner of ${pkg}; nothing to do`);
  else out.result(`Transferred ${pkg} to ${r.user}${r.removed?.length ? ` (removed: ${r.removed.join(", ")})` : ""}`);
}

function renderOwners(r: OwnerList, out: Output): void {
  if (r.owners.length === 0) {
    out.result(`${r.package} has no owners`);
    return;
  }
  out.table(
    ["Username", "Email", "Level"],
    r.owners.map((o) => [o.username, o.email ?? "", o.level]),
  );
}

function renderPackages(r: OwnedPackages, out: Output): void {
  if (r.packages.length === 0) {
    out.result(`${r.username} does not own any packages`);
    return;
  }
  out.table(
    ["Package", "URL"],
    r.packages.map((p) => [p.display, p.htmlUrl ?? p.url ?? ""]),
  );
}

const packagesCommand = defineSubcommand({ input: PackagesInput, run: listOwnedPackages, render: renderPackages });

export const subcommands = {
  add: defineSubcommand({ input: AddInput, run: addPackageOwner, render: renderChange }),
  transfer: defineSubcommand({ input: TransferInput, run: transferPackage, render: renderChange }),
  remove: defineSubcommand({ input: RemoveInput, run: removePackageOwner, render: renderChange }),
  // `owner list packages` is rebar3's spelling of `owner packages`.
  list: defineSubcommand({
    input: ListInput,
    run: (ctx, input): Promise<OwnerList | OwnedPackages> =>
      input.package === "packages"
        ? listOwnedPackages(ctx, { organization: input.organization })
        : listPackageOwners(ctx, input),
    render: (r: OwnerList | OwnedPackages, out) => ("owners" in r ? renderOwners(r, out) : renderPackages(r, out)),
  }),
  packages: packagesCommand,
} satisfies Subcommands;
