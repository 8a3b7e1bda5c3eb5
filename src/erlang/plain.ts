// Erlang terms as plain text and plain JS values: the names and strings config files hold, and a plain view of a
// config term (rebar.config's `{hex, [...]}`, rebar3's global config) for settings. Used by project/ and config/.
import { Atom, ErlMap, Tuple, isBinary, listItems, textOf, utf8Text, type Term } from "./terms.js";

/** io_lib:printable_unicode_list/1. */
export function isPrintableUnicodeList(codes: readonly Term[]): boolean {
  return codes.every((c) => {
    if (typeof c !== "number") return false;
    if (c >= 0x20 && c <= 0x7e) return true;
    if ((c >= 0xa0 && c < 0xd800) || (c > 0xdfff && c < 0xfffe) || (c > 0xffff && c <= 0x10ffff)) return true;
    return [0x0a, 0x0d, 0x09, 0x0b, 0x08, 0x0c, 0x1b].includes(c);
  });
}

/** Text of an atom, charlist, code point list or UTF-8 binary. */
export function nameOf(t: Term | undefined): string | undefined {
  if (t instanceof Atom) return t.name;
  return textOf(t);
}

/** A plain JS view of a config term: proplists and maps become objects, atoms and text strings. */
export function termToPlain(t: Term): unknown {
  if (t instanceof Atom) return t.name === "true" ? true : t.name === "false" ? false : t.name;
  if (isBinary(t)) return utf8Text(t) ?? Array.from(t);
  if (typeof t === "number" || typeof t === "bigint") return t;
  if (t instanceof ErlMap) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of t.entries) out[String(nameOf(k) ?? termToPlain(k))] = termToPlain(v);
    return out;
  }
  if (t instanceof Tuple) return t.items.map(termToPlain);
  const items = listItems(t);
  if (items) {
    if (items.length > 0 && isPrintableUnicodeList(items)) return textOf(t);
    const isProplist =
      items.length > 0 &&
      items.every(
        (i) => i instanceof Atom || (i instanceof Tuple && i.items.length === 2 && i.items[0] instanceof Atom),
      );
    if (isProplist) {
      const out: Record<string, unknown> = {};
      for (const i of items) {
        if (i instanceof Atom) out[i.name] ??= true;
        else {
          const key = (i as Tuple).items[0] as Atom;
          if (!(key.name in out)) out[key.name] = termToPlain((i as Tuple).items[1]!);
        }
      }
      return out;
    }
    return items.map(termToPlain);
  }
  return String(t);
}
