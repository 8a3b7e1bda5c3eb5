// What one API request carries through the handlers (the Plug.Conn assigns hex.pm uses).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "./clock.js";
import type { Key, Organization, Package, Release, State, Token, User } from "./state.js";

export interface ResolvedOptions {
  basicAuth: boolean;
  oauthClients: string[];
  deviceInterval: number;
  tarballMaxSize: number;
  tarballMaxUncompressed: number;
  rateLimit: boolean;
}

export interface Core {
  state: State;
  clock: Clock;
  options: ResolvedOptions;
  url: string;
  apiUrl: string;
  repoUrl: string;
}

export type Credential = { kind: "key"; key: Key } | { kind: "token"; token: Token };

export interface AuthInfo {
  /** null for basic auth and anonymous requests. */
  credential: Credential | null;
  user: User | null;
  organization: Organization | null;
}

export interface Ctx {
  core: Core;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Path, query and decoded body parameters merged (path wins), like Phoenix's conn.params. */
  params: Record<string, unknown>;
  ip: string;
  userAgent: string;
  auth: AuthInfo;
  /** The raw upload (publish, docs), once read. */
  body: Buffer | null;
  /** Reads the upload after the early checks (Expect: 100-continue is answered here). */
  readUpload(): Promise<Buffer>;
  repository: string | null;
  organization: Organization | null;
  package: Package | null;
  release: Release | null;
}

export function param(ctx: Ctx, name: string): string | undefined {
  const value = ctx.params[name];
  return typeof value === "string" ? value : undefined;
}
