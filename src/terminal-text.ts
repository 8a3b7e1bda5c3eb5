// Text that came from outside (a server's descriptions, usernames, messages; a package's metadata) must not be
// able to drive the user's terminal: escape sequences (cursor moves, window titles, hyperlinks, clearing the
// screen) and control characters (carriage returns that overwrite a line, bells, backspaces) are removed.

/** ESC sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-character escapes. */
const ESCAPES =
  /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]?/g;
/** Select Graphic Rendition (colours, bold): the only sequences hexts itself writes. */
const SGR = /^\u001b\[[0-9;]*m$/;
/** C0 and C1 controls except tab and line feed; DEL. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g;

/**
 * Removes terminal escape sequences and control characters, keeping tabs and line feeds (a carriage return before a
 * line feed goes). `keepColors` keeps SGR colour sequences (for output hexts styled itself).
 */
export function stripTerminalControls(text: string, o: { keepColors?: boolean } = {}): string {
  if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) return text;
  return text.replace(ESCAPES, (m) => (o.keepColors && SGR.test(m) ? m : "")).replace(CONTROLS, "");
}

/** The same for every string (object keys included) of a decoded JSON document. */
export function stripTerminalControlsDeep<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return stripTerminalControls(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [stripTerminalControls(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
