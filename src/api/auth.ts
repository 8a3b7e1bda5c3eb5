// Credential test: does this key or token grant a permission? (HEX_PROTOCOL.md §4.2, "Key test").
import { z } from "zod";
import { parseBody, type CallOptions, type HexClient } from "./http.js";

export const AuthKeySchema = z.looseObject({
  key: z.looseObject({
    name: z.string(),
    owner: z.looseObject({ type: z.enum(["user", "organization"]), name: z.string() }),
  }),
});

export type AuthCheck =
  /** An API key, and who owns it. */
  | { kind: "key"; name: string; owner: { type: "user" | "organization"; name: string } }
  /** An OAuth token (the server answers 204 without details). */
  | { kind: "oauth" };

/**
 * Checks that the credential grants `domain`/`resource` (e.g. `repository`/`acme`). A missing permission throws
 * FORBIDDEN ("key not authorized"), an owner without access FORBIDDEN (403).
 */
export async function testAuth(
  client: HexClient,
  p: { domain: string; resource?: string },
  call: CallOptions = {},
): Promise<AuthCheck> {
  const res = await client.request({ path: "auth", query: { domain: p.domain, resource: p.resource }, ...call });
  if (res.status === 204 || res.body === undefined) return { kind: "oauth" };
  const { key } = parseBody(AuthKeySchema, res, "GET");
  return { kind: "key", name: key.name, owner: { type: key.owner.type, name: key.owner.name } };
}
