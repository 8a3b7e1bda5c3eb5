// Decoding a response body by its content-type. Hex servers answer in JSON or in Erlang's term format
// (application/vnd.hex+erlang): hex.pm when asked, MiniRepo-style servers always, whatever `accept` said.
// This is the one place that chooses the decoder. Every string a server sends (descriptions, usernames,
// messages) leaves here without terminal escape sequences or control characters.
// hexts asks for JSON and sends JSON bodies, except retire's, sent in the term format (retirements.ts).
import { decodeExternalTerm, ETF_MAX_INFLATED_SIZE, externalTermToJson } from "../erlang/etf.js";
import { stripTerminalControls, stripTerminalControlsDeep } from "../terminal-text.js";

const ERLANG = "application/vnd.hex+erlang";

/** A body whose content-type promised a format it is not in: kept apart so no caller mistakes it for data. */
export class UnreadableBody {
  constructor(
    readonly contentType: string,
    readonly reason: string,
  ) {}
}

/**
 * The body as a value: parsed JSON, the JSON view of an Erlang term (maps become objects, binaries
 * strings, nil null; see externalTermToJson), the text when it is neither, undefined when empty, or an
 * UnreadableBody when it is not what its content-type says.
 */
export function decodeBody(contentType: string | undefined, bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  // Without a content-type, a term is recognised by its version byte.
  if (type === ERLANG || (type === "" && bytes[0] === 131)) {
    try {
      return stripTerminalControlsDeep(
        externalTermToJson(decodeExternalTerm(bytes, { maxInflatedSize: ETF_MAX_INFLATED_SIZE })),
      );
    } catch (e) {
      if (type === "") return textOrJson(bytes, type);
      return new UnreadableBody(type, (e as Error).message);
    }
  }
  return textOrJson(bytes, type);
}

function textOrJson(bytes: Uint8Array, type: string): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (type.includes("json") || /^\s*[[{]/.test(text)) {
    try {
      return stripTerminalControlsDeep(JSON.parse(text) as unknown);
    } catch {
      return stripTerminalControls(text);
    }
  }
  return stripTerminalControls(text);
}

/**
 * The 2xx reply of a write as a map, when it is one. A write's 2xx is a success whatever its body (hex.pm answers
 * the resource, MiniRepo a minimal map or nothing), so callers read only the fields they show, each on its own.
 */
export function replyMap(body: unknown): Record<string, unknown> | undefined {
  return typeof body === "object" && body !== null && !Array.isArray(body) && !(body instanceof UnreadableBody)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** A non-empty text field of a reply map, else undefined. */
export function replyText(reply: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = reply?.[field];
  return typeof value === "string" && value !== "" ? value : undefined;
}
