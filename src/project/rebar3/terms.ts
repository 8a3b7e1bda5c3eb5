// Turning .app.src / rebar.config terms into metadata values the way rebar3_hex's binarify/1 does (the plain-JS
// view of config terms is erlang/plain.ts).
import {
  Atom,
  Charlist,
  ErlMap,
  Tuple,
  isBinary,
  isList,
  listItems,
  proplistGet,
  textOf,
  utf8Text,
  type Term,
} from "../../erlang/terms.js";
import { HextsError } from "../../errors.js";
import { isPrintableUnicodeList, nameOf } from "../../erlang/plain.js";
import type { MetadataValue, Problem } from "../types.js";

/**
 * The one `{application, Name, Details}` term of a .app or .app.src file (`Name` an atom when `atomName`);
 * anything else is PROJECT_INVALID naming `file`.
 */
export function applicationTerm(terms: Term[], file: string, opts: { atomName: true }): { name: Atom; details: Term[] };
export function applicationTerm(terms: Term[], file: string): { name: Term; details: Term[] };
export function applicationTerm(
  terms: Term[],
  file: string,
  { atomName = false } = {},
): { name: Term; details: Term[] } {
  const items = terms.length === 1 && terms[0] instanceof Tuple ? terms[0].items : [];
  const details = items.length === 3 ? listItems(items[2]) : undefined;
  const [tag, name] = items;
  if (!details || !(tag instanceof Atom) || tag.name !== "application" || (atomName && !(name instanceof Atom)))
    throw new HextsError("PROJECT_INVALID", `${file} must hold exactly one {application, Name, [...]} term`, {
      details: { file },
    });
  return { name: name!, details };
}

/** A term rebar3_hex would put in the metadata but that the metadata model cannot hold (a tuple, a float...). */
export class Unrepresentable extends Error {}

/**
 * `key` of an application's details converted for the metadata; undefined when it is absent, or when the metadata
 * cannot hold it (then an error naming `file` goes to `problems`).
 */
export function appDetail(
  details: Term,
  key: string,
  file: string,
  problems: Problem[],
  convert: (t: Term) => MetadataValue = binarify,
): MetadataValue | undefined {
  const t = proplistGet(details, key);
  if (t === undefined) return undefined;
  try {
    return convert(t);
  } catch (e) {
    if (!(e instanceof Unrepresentable)) throw e;
    problems.push({
      severity: "error",
      file,
      message: `${key} in ${file} cannot be written to the package metadata: it contains ${e.message}`,
    });
    return undefined;
  }
}

/** rebar3_hex_build:binarify/1 for the values that can appear in metadata. */
export function binarify(t: Term): MetadataValue {
  if (t instanceof Atom) return t.name === "true" ? true : t.name === "false" ? false : t.name;
  if (isList(t)) {
    const items = listItems(t)!;
    if (items.length === 0) return [];
    if (isPrintableUnicodeList(items)) return textOf(t)!;
    return items.map(binarify);
  }
  if (t instanceof ErlMap) {
    const out: { [key: string]: MetadataValue } = {};
    for (const [k, v] of t.entries) {
      const key = binarify(k);
      if (typeof key !== "string") throw new Unrepresentable("a map key that is not text");
      out[key] = binarify(v);
    }
    return out;
  }
  if (isBinary(t)) {
    const text = utf8Text(t);
    if (text === undefined) throw new Unrepresentable("a binary that is not UTF-8");
    return text;
  }
  if (typeof t === "number" || typeof t === "bigint") return t;
  throw new Unrepresentable(t instanceof Tuple ? "a tuple" : "a float or other term");
}

/** `to_map(binarify(Links))`: a map, or a list of 2-tuples (later duplicates win). */
export function linksOf(t: Term): { [key: string]: MetadataValue } {
  if (t instanceof ErlMap) {
    const m = binarify(t);
    return m as { [key: string]: MetadataValue };
  }
  const items = listItems(t);
  if (!items) throw new Unrepresentable("links is neither a list nor a map");
  const out: { [key: string]: MetadataValue } = {};
  for (const item of items) {
    if (!(item instanceof Tuple) || item.items.length !== 2)
      throw new Unrepresentable("a links entry that is not a {Name, URL} pair");
    const key = binarify(item.items[0]!);
    if (typeof key !== "string") throw new Unrepresentable("a link name that is not text");
    out[key] = binarify(item.items[1]!);
  }
  return out;
}

/** A list of path/pattern strings (`files`, `include_paths`...), or undefined when it is not one. */
export function stringList(t: Term | undefined): string[] | undefined {
  if (t instanceof Charlist) return undefined; // a single string, not a list of them
  const items = listItems(t);
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const s = nameOf(item);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}
