// The server's in-memory model: users, organizations, keys, packages, releases, OAuth state.
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "./clock.js";

export type Role = "admin" | "write" | "read";
export type OwnerLevel = "full" | "maintainer";

export interface Permission {
  domain: string;
  resource: string | null;
}

export interface User {
  id: number;
  username: string;
  fullName: string | null;
  email: string | null;
  emailVerified: boolean;
  /** sha256 of the password; null for accounts without one (and organization users). */
  passwordHash: string | null;
  tfaSecret: string | null;
  /** Set for the user record that stands for an organization (package ownership). */
  organizationId: number | null;
  insertedAt: number;
  updatedAt: number;
}

export interface Organization {
  id: number;
  name: string;
  billingActive: boolean;
  seats: number;
  /** user id -> role */
  members: Map<number, Role>;
  /** The user record that stands for the organization (null when its name clashes with a user). */
  userId: number | null;
  insertedAt: number;
  updatedAt: number;
}

export interface KeyUse {
  usedAt: number;
  ip: string;
  userAgent: string;
}

export interface Key {
  id: number;
  name: string;
  secretHash: string;
  userId: number | null;
  organizationId: number | null;
  permissions: Permission[];
  revokeAt: number | null;
  insertedAt: number;
  updatedAt: number;
  lastUse: KeyUse | null;
}

export interface Requirement {
  name: string;
  repository: string;
  app: string;
  requirement: string;
  optional: boolean;
}

export interface Retirement {
  reason: string;
  message: string | null;
}

export interface Release {
  version: string;
  innerChecksum: string;
  outerChecksum: string;
  hasDocs: boolean;
  meta: { app: string; buildTools: string[]; elixir: string | null };
  requirements: Requirement[];
  retirement: Retirement | null;
  publisherId: number | null;
  insertedAt: number;
  updatedAt: number;
  tarball: Buffer;
  docs: Buffer | null;
  /** Full decoded metadata (for search on extra/build tools). */
  metadata: Record<string, unknown>;
}

export interface PackageMeta {
  description: string | null;
  licenses: string[];
  links: Record<string, string>;
  maintainers: string[];
  extra: Record<string, unknown>;
}

export interface Package {
  id: number;
  repository: string;
  name: string;
  meta: PackageMeta;
  /** user id -> level (organization users included) */
  owners: Map<number, OwnerLevel>;
  releases: Release[];
  downloads: { all: number; recent: number; week: number; day: number };
  insertedAt: number;
  updatedAt: number;
}

export interface Session {
  id: number;
  userId: number | null;
  organizationId: number | null;
  clientId: string;
  name: string | null;
  expiresAt: number;
  lastUsedAt: number;
  revoked: boolean;
}

export interface Token {
  id: number;
  accessToken: string;
  refreshToken: string | null;
  sessionId: number;
  userId: number | null;
  organizationId: number | null;
  clientId: string;
  /** Scopes as issued (`repositories` already expanded). */
  scopes: string[];
  /** Scopes as granted (re-expanded on every refresh). */
  grantedScopes: string[];
  grantType: string;
  grantReference: string | null;
  expiresAt: number;
  refreshExpiresAt: number | null;
  revokedAt: number | null;
}

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  name: string | null;
  expiresAt: number;
  interval: number;
  status: "pending" | "authorized" | "denied";
  /** Polls answered `slow_down` from now on (test hook). */
  slowDownPolls: number;
}

export const HEXPM = "hexpm";
export const HEXPM_ORG_ID = 1;

export function sha256Hex(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export class State {
  users = new Map<number, User>();
  organizations = new Map<number, Organization>();
  keys = new Map<number, Key>();
  packages = new Map<string, Package>();
  sessions = new Map<number, Session>();
  tokens = new Map<number, Token>();
  deviceCodes = new Map<string, DeviceCode>();
  shortUrls = new Map<string, string>();
  /** Failed TOTP attempts (timestamps) per user id and per IP. */
  totpFailures = { byUser: new Map<number, number[]>(), byIp: new Map<string, number[]>() };
  /** Fixed-window rate-limit counters: key -> {window, count}. */
  rateCounters = new Map<string, { window: number; count: number }>();
  private nextId = 100;

  constructor(readonly clock: Clock) {
    const now = clock.now();
    // hex.pm's own organization (id 1) backs the public repository; it is never listed.
    this.organizations.set(HEXPM_ORG_ID, {
      id: HEXPM_ORG_ID,
      name: HEXPM,
      billingActive: true,
      seats: 0,
      members: new Map(),
      userId: null,
      insertedAt: now,
      updatedAt: now,
    });
  }

  id(): number {
    return this.nextId++;
  }

  // ---- users ----

  /** Users.get / public_get: by username or email, case-insensitive; regular users win over organization users. */
  findUser(usernameOrEmail: string): User | undefined {
    const needle = usernameOrEmail.toLowerCase();
    let orgUser: User | undefined;
    for (const user of this.users.values()) {
      if (user.username === needle || (user.email !== null && user.email === needle)) {
        if (user.organizationId === null) return user;
        orgUser ??= user;
      }
    }
    return orgUser;
  }

  userById(id: number | null): User | undefined {
    return id === null ? undefined : this.users.get(id);
  }

  // ---- organizations ----

  findOrganization(name: string): Organization | undefined {
    for (const org of this.organizations.values()) if (org.name === name) return org;
    return undefined;
  }

  hexpmOrganization(): Organization {
    return this.organizations.get(HEXPM_ORG_ID)!;
  }

  /** Organizations the user belongs to (not hexpm), sorted by name. */
  organizationsOf(user: User): Organization[] {
    return [...this.organizations.values()].filter((o) => o.id !== HEXPM_ORG_ID && o.members.has(user.id)).sort(byName);
  }

  /** Users.all_organizations: hexpm first, then the user's organizations. */
  allOrganizations(user: User | null | undefined): Organization[] {
    return [this.hexpmOrganization(), ...(user ? this.organizationsOf(user) : [])];
  }

  /** Repository names that exist: hexpm plus one per organization. */
  repositoryExists(name: string): boolean {
    return name === HEXPM || (this.findOrganization(name) !== undefined && name !== HEXPM);
  }

  /** The organization that owns a repository (hexpm's own organization for "hexpm"). */
  repositoryOrganization(repository: string): Organization | undefined {
    return repository === HEXPM ? this.hexpmOrganization() : this.findOrganization(repository);
  }

  // ---- keys ----

  liveKeys(owner: { userId?: number; organizationId?: number }): Key[] {
    const now = this.clock.now();
    return [...this.keys.values()]
      .filter((k) =>
        owner.userId !== undefined ? k.userId === owner.userId : k.organizationId === owner.organizationId,
      )
      .filter((k) => !isRevoked(k, now))
      .sort(byName);
  }

  findKeyBySecret(secret: string): Key | undefined {
    const hash = sha256Hex(secret);
    for (const key of this.keys.values()) if (key.secretHash === hash) return key;
    return undefined;
  }

  // ---- packages ----

  findPackage(repository: string, name: string): Package | undefined {
    return this.packages.get(`${repository}/${name}`);
  }

  packagesIn(repositories: string[]): Package[] {
    const wanted = new Set(repositories);
    return [...this.packages.values()].filter((p) => wanted.has(p.repository));
  }

  // ---- OAuth ----

  findTokenByAccess(accessToken: string): Token | undefined {
    for (const token of this.tokens.values()) if (token.accessToken === accessToken) return token;
    return undefined;
  }

  findTokenByRefresh(refreshToken: string): Token | undefined {
    for (const token of this.tokens.values()) if (token.refreshToken === refreshToken) return token;
    return undefined;
  }

  findDeviceByUserCode(userCode: string): DeviceCode | undefined {
    const clean = userCode.replace(/-/g, "").toUpperCase();
    for (const device of this.deviceCodes.values()) if (device.userCode === clean) return device;
    return undefined;
  }
}

export function isRevoked(key: Key, now: number): boolean {
  return key.revokeAt !== null && key.revokeAt < now;
}

export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export const roleOrHigher: Record<Role, Role[]> = {
  read: ["read", "write", "admin"],
  write: ["write", "admin"],
  admin: ["admin"],
};

export const levelOrHigher: Record<OwnerLevel, OwnerLevel[]> = {
  maintainer: ["maintainer", "full"],
  full: ["full"],
};

/** PackageOwner.level_to_organization_role */
export const levelToRole: Record<OwnerLevel, Role> = { maintainer: "write", full: "admin" };
