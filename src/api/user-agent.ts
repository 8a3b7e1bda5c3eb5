// The User-Agent hex.pm requires on every /api request (HEX_PROTOCOL.md §2.1).
import { hextsVersion } from "../version.js";

export interface UserAgentParts {
  version: string;
  nodeVersion: string;
  platform: string;
  ci?: boolean;
  /** Appended as is, e.g. a tool that embeds hexts: `mytool/1.2.0`. */
  extra?: string;
}

/** `hexts/0.1.0 (node/20.18.1) (linux) (CI) extra` */
export function userAgent(p: UserAgentParts): string {
  const node = p.nodeVersion.replace(/^v/, "");
  const parts = [`hexts/${p.version}`, `(node/${node})`, `(${p.platform})`];
  if (p.ci) parts.push("(CI)");
  const extra = p.extra?.replace(/[\r\n]+/g, " ").trim();
  if (extra) parts.push(extra);
  return parts.join(" ");
}

/** This process's User-Agent: hexts's version, the running Node and platform; `ci` and `extra` from the caller. */
export function hextsUserAgent(p: Pick<UserAgentParts, "ci" | "extra"> = {}): string {
  return userAgent({ version: hextsVersion(), nodeVersion: process.versions.node, platform: process.platform, ...p });
}
