// Elixir values to the plain data of metadata.config (hex_tarball's binarify: atoms other than true/false
// become binaries, maps become sorted proplists) and of `hexConfig`.
import type { MetadataValue } from "../types.js";
import { byCodePoint } from "../glob.js";
import { inspect, type Value } from "./values.js";

export class ConvertError extends Error {
  constructor(
    message: string,
    readonly at?: { line: number; col: number },
  ) {
    super(message);
  }
}

export interface Converted {
  value: MetadataValue;
  /** Set when the bytes will differ from mix's: a keyword list is written sorted, mix keeps its order. */
  reordered: boolean;
}

/** Converts a term for metadata.config; throws ConvertError for what hex_core cannot carry or we cannot know. */
export function toMetadata(v: Value): Converted {
  let reordered = false;
  const conv = (x: Value): MetadataValue => {
    switch (x.t) {
      case "bin":
        return x.v;
      case "atom":
        return x.v === "true" ? true : x.v === "false" ? false : x.v;
      case "int":
        return x.v >= BigInt(Number.MIN_SAFE_INTEGER) && x.v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x.v) : x.v;
      case "float":
        throw new ConvertError(`the float ${x.v} cannot be published (hex_core's metadata reader rejects floats)`);
      case "regex":
        throw new ConvertError(`a regex (${inspect(x)}) cannot be written to metadata`);
      case "tuple":
        throw new ConvertError(
          `the tuple ${inspect(x)} cannot be written to metadata (only key-value pairs inside a list)`,
        );
      case "unknown":
        throw new ConvertError(`cannot be evaluated statically: ${x.why}`, x);
      case "list": {
        const pairs =
          x.v.length > 0 &&
          x.v.every((i) => i.t === "tuple" && i.v.length === 2 && (i.v[0]!.t === "atom" || i.v[0]!.t === "bin"));
        if (!pairs) return x.v.map(conv);
        const keys = x.v.map((i) => ((i as { v: Value[] }).v[0] as { v: string }).v);
        if (new Set(keys).size !== keys.length)
          throw new ConvertError(`the key-value list ${inspect(x)} repeats a key`);
        if (keys.some((k, i) => i > 0 && byCodePoint(keys[i - 1]!, k) > 0)) reordered = true;
        return objectOf(x.v.map((i) => (i as { v: Value[] }).v as [Value, Value]));
      }
      case "map": {
        const keyTypes = new Set(x.v.map(([k]) => k.t));
        if (keyTypes.has("atom") && keyTypes.has("bin")) reordered = true; // Erlang sorts atoms before binaries
        return objectOf(x.v);
      }
    }
  };
  const objectOf = (entries: Array<[Value, Value]>): { [key: string]: MetadataValue } => {
    const out: { [key: string]: MetadataValue } = {};
    for (const [k, val] of entries) {
      if (k.t === "unknown") throw new ConvertError(`cannot be evaluated statically: ${k.why}`, k);
      if (k.t !== "atom" && k.t !== "bin")
        throw new ConvertError(`the key ${inspect(k)} is neither an atom nor a string`);
      out[k.v] = conv(val);
    }
    return out;
  };
  return { value: conv(v), reordered };
}

/** `to_string/1` of an atom, binary or charlist (names, repositories). */
export function nameText(v: Value): string | undefined {
  if (v.t === "bin" || v.t === "atom") return v.v;
  if (v.t === "list" && v.v.every((c) => c.t === "int"))
    return String.fromCodePoint(...v.v.map((c) => Number((c as { v: bigint }).v)));
  return undefined;
}

/** Plain JSON-like data for `hexConfig` (keyword lists and maps become objects). */
export function toPlain(v: Value): unknown {
  switch (v.t) {
    case "bin":
      return v.v;
    case "atom":
      return v.v === "true" ? true : v.v === "false" ? false : v.v === "nil" ? null : v.v;
    case "int":
      return Number(v.v);
    case "float":
      return v.v;
    case "regex":
      return { regex: v.source, modifiers: v.mods };
    case "unknown":
      throw new ConvertError(`cannot be evaluated statically: ${v.why}`, v);
    case "tuple":
      return v.v.map(toPlain);
    case "list": {
      const pairs = v.v.length > 0 && v.v.every((i) => i.t === "tuple" && i.v.length === 2 && i.v[0]!.t === "atom");
      if (!pairs) return v.v.map(toPlain);
      return Object.fromEntries(
        v.v.map((i) => [((i as { v: Value[] }).v[0] as { v: string }).v, toPlain((i as { v: Value[] }).v[1]!)]),
      );
    }
    case "map":
      return Object.fromEntries(v.v.map(([k, x]) => [k.t === "atom" || k.t === "bin" ? k.v : inspect(k), toPlain(x)]));
  }
}
