// Decoding a response body by its content-type. Hex servers answer in JSON or in Erlang's term format
// (application/vnd.hex+erlang); this is the one place that chooses the decoder. Every string a server sends
// (descriptions, usernames, messages) leaves here without terminal escape sequences or control characters.
import { stripTerminalControls, stripTerminalControlsDeep } from "../terminal-text.js";

/**
 * The body as a value: parsed JSON, the text when it is not JSON, or undefined when empty.
 * JSON only for now; ETF (application/vnd.hex+erlang) decoding goes here.
 */
export function decodeBody(contentType: string | undefined, bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if ((contentType ?? "").includes("json") || /^\s*[[{]/.test(text)) {
    try {
      return stripTerminalControlsDeep(JSON.parse(text) as unknown);
    } catch {
      return stripTerminalControls(text);
    }
  }
  return stripTerminalControls(text);
}
