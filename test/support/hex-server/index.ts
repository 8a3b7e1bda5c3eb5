// Entry point of the local Hex-compatible test server: `await using server = await startHexServer()`.
import { Clock } from "./clock.js";
import type { Core, ResolvedOptions } from "./context.js";
import { approveDeviceCode } from "./oauth.js";
import { HttpError } from "./http.js";
import { publishRelease } from "./publish.js";
import { Router } from "./router.js";
import { registerAccounts } from "./routes/accounts.js";
import { registerOAuth } from "./routes/oauth.js";
import { registerPackages } from "./routes/packages.js";
import { HexHttpServer } from "./server.js";
import { HEXPM, randomHex, sha256Hex, State, type Key, type Organization, type Role, type User } from "./state.js";
import { generateTotpSecret, totp } from "./totp.js";
import type { HexServer, HexServerOptions, SeededUser } from "./types.js";

export type * from "./types.js";
export { buildDocsTarball, buildTarball, metadataConfig, type TarballInput } from "./tarball-builder.js";

const MiB = 1024 * 1024;

export async function startHexServer(opts: HexServerOptions = {}): Promise<HexServer> {
  const options: ResolvedOptions = {
    basicAuth: opts.basicAuth ?? false,
    oauthClients: opts.oauthClients ?? ["hexts"],
    deviceInterval: opts.deviceInterval ?? 0,
    tarballMaxSize: opts.tarballMaxSize ?? 16 * MiB,
    tarballMaxUncompressed: opts.tarballMaxUncompressed ?? 128 * MiB,
    rateLimit: opts.rateLimit ?? false,
  };
  const clock = new Clock();
  const state = new State(clock);
  const core: Core = { state, clock, options, url: "", apiUrl: "", repoUrl: "" };
  const router = new Router();
  registerAccounts(router);
  registerOAuth(router);
  registerPackages(router);
  const http = new HexHttpServer(core, router);
  const port = await http.listen(opts.port ?? 0);
  core.url = `http://127.0.0.1:${port}`;
  core.apiUrl = `${core.url}/api`;
  core.repoUrl = `${core.url}/repo`;

  const userNamed = (username: string): User => {
    const user = state.findUser(username);
    if (!user || user.organizationId !== null) throw new Error(`hex-server: no user ${username}`);
    return user;
  };

  const addUser: HexServer["addUser"] = (u) => {
    const now = clock.now();
    const username = u.username.toLowerCase();
    if (state.findUser(username)?.username === username) throw new Error(`hex-server: user ${username} exists`);
    const password = u.password ?? `pw-${randomHex(8)}`;
    const user: User = {
      id: state.id(),
      username,
      fullName: u.fullName ?? null,
      email: (u.email ?? `${username}@example.com`).toLowerCase(),
      emailVerified: true,
      passwordHash: sha256Hex(password),
      tfaSecret: u.twoFactor ? generateTotpSecret() : null,
      organizationId: null,
      insertedAt: now,
      updatedAt: now,
    };
    state.users.set(user.id, user);
    const apiKey = addKey({ owner: { user: username }, name: "seed-api" });
    const seeded: SeededUser = { username, email: user.email!, password, apiKey };
    if (user.tfaSecret) seeded.totpSecret = user.tfaSecret;
    return seeded;
  };

  const addOrganization: HexServer["addOrganization"] = (o) => {
    if (state.findOrganization(o.name)) throw new Error(`hex-server: organization ${o.name} exists`);
    const now = clock.now();
    const members = new Map<number, Role>([[userNamed(o.admin).id, "admin"]]);
    for (const m of o.members ?? []) members.set(userNamed(m.username).id, m.role);
    const org: Organization = {
      id: state.id(),
      name: o.name,
      billingActive: o.billingActive ?? true,
      seats: o.seats ?? Math.max(members.size + 5, 10),
      members,
      userId: null,
      insertedAt: now,
      updatedAt: now,
    };
    state.organizations.set(org.id, org);
    // The organization's own user record (package ownership); none when a user already has that name.
    if (!state.findUser(o.name)) {
      const orgUser: User = {
        id: state.id(),
        username: o.name,
        fullName: null,
        email: null,
        emailVerified: false,
        passwordHash: null,
        tfaSecret: null,
        organizationId: org.id,
        insertedAt: now,
        updatedAt: now,
      };
      state.users.set(orgUser.id, orgUser);
      org.userId = orgUser.id;
    }
  };

  const addKey: HexServer["addKey"] = (k) => {
    const now = clock.now();
    const secret = randomHex(16);
    const owner =
      "user" in k.owner
        ? { userId: userNamed(k.owner.user).id, organizationId: null }
        : { userId: null, organizationId: orgNamed(k.owner.organization).id };
    const key: Key = {
      id: state.id(),
      name: k.name,
      secretHash: sha256Hex(secret),
      ...owner,
      permissions: (k.permissions ?? [{ domain: "api" }]).map((p) => ({
        domain: p.domain,
        resource: p.resource ?? null,
      })),
      revokeAt: k.revokeAt === undefined ? null : Date.parse(k.revokeAt),
      insertedAt: now,
      updatedAt: now,
      lastUse: null,
    };
    state.keys.set(key.id, key);
    return secret;
  };

  const orgNamed = (name: string): Organization => {
    const org = state.findOrganization(name);
    if (!org || org.name === HEXPM) throw new Error(`hex-server: no organization ${name}`);
    return org;
  };

  const deviceFor = (userCode: string) => {
    const device = state.findDeviceByUserCode(userCode);
    if (!device) throw new Error(`hex-server: no device code ${userCode}`);
    return device;
  };

  const server: HexServer = {
    url: core.url,
    apiUrl: core.apiUrl,
    repoUrl: core.repoUrl,
    requests: http.requests,
    addUser,
    addOrganization,
    addKey,
    addRelease(r) {
      const publisher = userNamed(r.owner);
      const repository = r.repository ?? HEXPM;
      if (repository !== HEXPM) orgNamed(repository);
      try {
        publishRelease(core, {
          repository,
          publisher,
          tarball: Buffer.from(r.tarball),
          replace: true,
          insertedAt: r.insertedAt?.getTime(),
          seeding: true,
        });
      } catch (error) {
        if (error instanceof HttpError)
          throw new Error(`hex-server: addRelease refused: ${JSON.stringify(error.body())}`);
        throw error;
      }
    },
    approveDevice(userCode, username, scopes) {
      const device = deviceFor(userCode);
      approveDeviceCode(core, device, userNamed(username), scopes ?? device.scopes);
    },
    denyDevice(userCode) {
      deviceFor(userCode).status = "denied";
    },
    slowDownDevice(userCode, polls = 1) {
      deviceFor(userCode).slowDownPolls = polls;
    },
    verifyEmail(username) {
      userNamed(username).emailVerified = true;
    },
    totp(username) {
      const secret = userNamed(username).tfaSecret;
      if (!secret) throw new Error(`hex-server: ${username} has no two-factor authentication`);
      return totp(secret, clock.now());
    },
    registryPublicKey: () => http.signer.publicKeyPem,
    advanceClock: (ms) => clock.advance(ms),
    fault: (f) => http.addFault(f),
    state,
    close: () => http.close(),
    [Symbol.asyncDispose]: () => http.close(),
  };

  if (opts.seed) {
    const user = addUser({
      username: "demo",
      email: "demo@example.com",
      password: "demo-password",
      fullName: "Demo User",
    });
    addOrganization({ name: "acme", admin: "demo" });
    server.seeded = { user, organization: "acme" };
  }
  return server;
}
