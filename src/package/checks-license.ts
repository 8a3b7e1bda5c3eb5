// License identifiers as hex.pm accepts them (hex_core's hex_licenses:valid/1): an SPDX license id, case as in
// the SPDX list (deprecated ids included), or `LicenseRef-` followed by letters, digits, `.` and `-`.
// The list comes from the maintained `spdx-license-ids` package.
import { createRequire } from "node:module";

let ids: Set<string> | undefined;
let byLowerCase: Map<string, string> | undefined;

function spdxIds(): Set<string> {
  if (!ids) {
    const require = createRequire(import.meta.url);
    const current = require("spdx-license-ids/index.json") as string[];
    const deprecated = require("spdx-license-ids/deprecated.json") as string[];
    ids = new Set([...current, ...deprecated]);
  }
  return ids;
}

const LICENSE_REF = /^LicenseRef-[A-Za-z0-9.-]+$/;

export function isValidLicense(id: string): boolean {
  return spdxIds().has(id) || LICENSE_REF.test(id);
}

/** A short hint for an id hex.pm refuses: the right case, or how to write an SPDX expression. */
export function licenseHint(id: string): string | undefined {
  if (!byLowerCase) byLowerCase = new Map([...spdxIds()].map((l) => [l.toLowerCase(), l]));
  const trimmed = id.trim();
  const sameIgnoringCase = byLowerCase.get(trimmed.toLowerCase());
  if (sameIgnoringCase !== undefined && sameIgnoringCase !== id)
    return `did you mean ${JSON.stringify(sameIgnoringCase)}?`;
  if (/\s(OR|AND|WITH)\s|[()]/i.test(trimmed)) {
    return "an SPDX expression is not accepted: list each license id as its own entry";
  }
  if (/^licenseref-/i.test(trimmed)) return "write LicenseRef- followed by letters, digits, . and - only";
  return undefined;
}
