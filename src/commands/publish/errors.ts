// The server's answers to a publish, revert or docs upload, explained in the user's terms with the fix.
import { getPackage, isApiError, type ApiError, type HexClient } from "../../api/index.js";
import { transportCode, transportKind } from "../../api/errors.js";
import { HextsError, isHextsError, type ErrorCode } from "../../errors.js";

export interface ReleaseRef {
  name: string;
  version: string;
  /** The organization of `hexpm:ORG`. */
  organization?: string;
  /** `hexpm`, `hexpm:acme` or a custom repository name. */
  repository: string;
}

const label = (r: ReleaseRef) => `${r.organization ? `${r.organization}/` : ""}${r.name} ${r.version}`;

function wrap(e: ApiError, code: ErrorCode, message: string, lines?: string[]): HextsError {
  return new HextsError(code, message, { status: e.status, details: e.details, cause: e, lines: lines ?? e.lines });
}

/** The 422 `errors.inserted_at` text, if any. */
function insertedAt(e: ApiError): string | undefined {
  const errors = e.errors;
  if (!errors || typeof errors !== "object") return undefined;
  const v = (errors as Record<string, unknown>).inserted_at;
  return typeof v === "string" ? v : undefined;
}

const WINDOW =
  "A release can be replaced or reverted within one hour of its publication, or within 24 hours of the package's " +
  "first release (organization packages: always).";

/** The package page on the Hex website for an API URL (`https://hex.pm/api` -> `https://hex.pm/packages/...`). */
export function packagePageUrl(apiUrl: string, r: ReleaseRef): string {
  const base = apiUrl.replace(/\/+$/, "").replace(/\/api$/, "");
  return (
    `${base}/packages/${r.organization ? `${r.organization}/` : ""}` +
    `${encodeURIComponent(r.name)}/${encodeURIComponent(r.version)}`
  );
}

/** Explains a failed package upload. `client` is used for one read (does the package exist?) after a 403. */
export async function explainPublishError(
  e: unknown,
  r: ReleaseRef,
  o: { client?: HexClient; apiUrl: string; uploadStarted?: boolean; timeoutMs?: number },
): Promise<unknown> {
  const what = label(r);
  if (isHextsError(e) && e.code === "CANCELLED" && o.uploadStarted) {
    return new HextsError(
      "CANCELLED",
      `cancelled during the upload of ${what}, so whether it was published is unknown. ` +
        `Check ${packagePageUrl(o.apiUrl, r)} or run \`hexts search ${r.name}\` before trying again`,
      { cause: e },
    );
  }
  if (!isApiError(e)) return e;
  const kind = e.code === "NETWORK" || e.code === "TIMEOUT" ? transportKind(transportCode(e.cause)) : undefined;
  if (kind === "not-sent") {
    const how = e.code === "TIMEOUT" ? "timed out connecting to" : "could not connect to";
    return wrap(
      e,
      e.code,
      `${how} ${o.apiUrl} (${transportCode(e.cause)}): nothing was sent, so ${what} was not published. ` +
        "Check the API URL (HEX_API_URL), your network and proxy settings, then publish again",
      [],
    );
  }
  if (e.code === "TIMEOUT") {
    const after = o.timeoutMs === undefined ? "" : ` after ${Math.round(o.timeoutMs / 1000)} s`;
    return wrap(
      e,
      e.code,
      `the upload of ${what} timed out${after} waiting for the server's answer (raise http_timeout or ` +
        "HEX_HTTP_TIMEOUT, in seconds, for a slow server), so whether it was published is unknown. " +
        `Check ${packagePageUrl(o.apiUrl, r)} or run \`hexts search ${r.name}\` before trying again; if it is there, ` +
        "nothing more is needed (or publish again with --replace)",
      [],
    );
  }
  if (e.code === "NETWORK") {
    return wrap(
      e,
      e.code,
      `the upload of ${what} was interrupted, so whether it was published is unknown. ` +
        `Check ${packagePageUrl(o.apiUrl, r)} or run \`hexts search ${r.name}\` before trying again; if it is there, ` +
        "nothing more is needed (or publish again with --replace)",
    );
  }
  if (e.status === 422) {
    const at = insertedAt(e);
    if (at?.includes("--replace")) {
      return wrap(
        e,
        "CONFLICT",
        `${what} is already published; to overwrite it, publish again with --replace. ${WINDOW}`,
        [],
      );
    }
    if (at?.includes("one hour")) {
      return wrap(
        e,
        "VALIDATION_FAILED",
        `${what} can no longer be replaced: it was published too long ago. ${WINDOW} Publish a new version instead ` +
          "(e.g. `hexts cut --increment patch`)",
        [],
      );
    }
    return wrap(
      e,
      "VALIDATION_FAILED",
      `the server rejected ${what}${e.serverMessage ? ` (${e.serverMessage})` : ""}:`,
      e.lines.length ? e.lines : ["(no details given)"],
    );
  }
  if (e.status === 403 && e.code === "FORBIDDEN") {
    // mix hex.publish: a 403 on an existing name means someone else owns it.
    let exists = false;
    if (o.client) {
      try {
        await getPackage(o.client, r.name);
        exists = true;
      } catch {
        exists = false;
      }
    }
    if (exists) {
      return wrap(
        e,
        "FORBIDDEN",
        `the package ${r.organization ? `${r.organization}/` : ""}${r.name} already exists in ${r.repository} and ` +
          `you are not allowed to publish it: ask one of its owners to add you (\`hexts owner add ${r.name} YOU\`), ` +
          "or choose another package name",
        [],
      );
    }
    if (r.organization) {
      return wrap(
        e,
        "FORBIDDEN",
        `you cannot publish to the organization ${r.organization}: check that you are a member with write access and ` +
          `that its billing is active${e.serverMessage ? ` (${e.serverMessage})` : ""}`,
        [],
      );
    }
    return e;
  }
  if (e.code === "FORBIDDEN" && e.status === 401) {
    return wrap(
      e,
      "FORBIDDEN",
      `${e.message} Publishing needs the api:write permission (a key limited to one package can only publish new ` +
        "versions of it, not create it).",
      [],
    );
  }
  if (e.status === 404 && r.organization) {
    return wrap(e, "NOT_FOUND", `the organization ${r.organization} does not exist, or you are not a member of it`, []);
  }
  return e;
}

/** Explains a failed revert (the release or its docs). */
export function explainRevertError(e: unknown, r: ReleaseRef, docs: boolean): unknown {
  if (!isApiError(e)) return e;
  const what = label(r);
  if (e.status === 404)
    return wrap(e, "NOT_FOUND", `${what} does not exist in ${r.repository}, so there is nothing to revert`, []);
  if (e.status === 422) {
    const at = insertedAt(e);
    if (at?.includes("one hour"))
      return wrap(
        e,
        "VALIDATION_FAILED",
        `${what} can no longer be reverted: it was published too long ago. ${WINDOW} Retire it instead ` +
          `(\`hexts retire ${r.name} ${r.version} REASON --message TEXT\`)`,
        [],
      );
    return wrap(
      e,
      "VALIDATION_FAILED",
      `the server refused to revert ${docs ? `the docs of ${what}` : what}` +
        `${e.serverMessage ? ` (${e.serverMessage})` : ""}:`,
      e.lines.length ? e.lines : ["(no details given)"],
    );
  }
  return e;
}
