// The golden vectors' JSON convention for Erlang terms (vectors/README.md, "JSON conventions for
// Erlang terms") <-> MetaValue. Used by tests, and by anything that takes metadata as JSON.
import { HextsError } from "../errors.js";
import { formatFloat } from "./pretty.js";
import {
  Atom,
  Charlist,
  ErlMap,
  Float,
  ImproperList,
  Tuple,
  compareTerms,
  int,
  isPlainObject,
  utf8Text,
  type MetaValue,
} from "./terms.js";

/** Converts the vectors' JSON (`$tuple`, `$atom`, `$binary_base64`, `$integer`, `$float`, `$map`) to MetaValue. */
export function fromVectorJson(json: unknown): MetaValue {
  if (typeof json === "string" || typeof json === "boolean") return json;
  if (typeof json === "number") {
    if (!Number.isInteger(json)) throw invalid(`a float must be written {"$float": "..."}, got ${json}`);
    return json;
  }
  if (Array.isArray(json)) return json.map(fromVectorJson);
  if (!isPlainObject(json)) throw invalid(`not a term: ${JSON.stringify(json)}`);
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0]!.startsWith("$")) {
    const value = json[keys[0]!] as unknown;
    switch (keys[0]) {
      case "$atom":
        return new Atom(String(value));
      case "$integer":
        return int(BigInt(String(value)));
      case "$float":
        return new Float(Number(value));
      case "$binary_base64":
        return new Uint8Array(Buffer.from(String(value), "base64"));
      case "$tuple":
        if (!Array.isArray(value)) throw invalid("$tuple needs an array");
        return new Tuple(value.map(fromVectorJson));
      case "$map":
        if (!Array.isArray(value)) throw invalid("$map needs an array of [key, value]");
        return new ErlMap(
          value.map((pair: unknown) => {
            if (!Array.isArray(pair) || pair.length !== 2) throw invalid("$map entries are [key, value]");
            return [fromVectorJson(pair[0]), fromVectorJson(pair[1])] as const;
          }),
        );
    }
  }
  return Object.fromEntries(keys.map((k) => [k, fromVectorJson(json[k])]));
}

/** Converts a MetaValue (or Term) to the vectors' JSON, for comparing with recorded results. */
export function toVectorJson(value: MetaValue): unknown {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : { $float: formatFloat(value) };
  if (typeof value === "bigint") {
    return value > -(2n ** 53n) && value < 2n ** 53n ? Number(value) : { $integer: value.toString() };
  }
  if (value instanceof Uint8Array) {
    const text = utf8Text(value);
    return text ?? { $binary_base64: Buffer.from(value).toString("base64") };
  }
  if (value instanceof Atom)
    return value.name === "true" ? true : value.name === "false" ? false : { $atom: value.name };
  if (value instanceof Float) return { $float: formatFloat(value.value) };
  if (value instanceof Charlist) return [...value.codes];
  if (Array.isArray(value)) return value.map(toVectorJson);
  if (value instanceof Tuple) return { $tuple: value.items.map(toVectorJson) };
  if (value instanceof ImproperList) throw invalid("improper lists have no vector JSON form");
  if (value instanceof ErlMap) {
    const keys = value.entries.map(([k]) =>
      typeof k === "string" ? k : k instanceof Uint8Array ? utf8Text(k) : undefined,
    );
    if (keys.every((k) => k !== undefined)) {
      return Object.fromEntries(value.entries.map(([, v], i) => [keys[i]!, toVectorJson(v)]));
    }
    const entries = [...value.entries].sort((a, b) => compareTerms(a[0], b[0], true));
    return { $map: entries.map(([k, v]) => [toVectorJson(k), toVectorJson(v)]) };
  }
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toVectorJson(v)]));
  throw invalid(`not a term: ${String(value)}`);
}

const invalid = (message: string) => new HextsError("VALIDATION_FAILED", `vector JSON: ${message}`);
