// The golden vectors' JSON convention for Erlang terms (vectors/README.md) <-> MetaValue.
// Work in progress: the signatures are final, the bodies land in the next commit.
import { notImplemented } from "../errors.js";
import type { MetaValue } from "./terms.js";

export function fromVectorJson(json: unknown): MetaValue {
  void json;
  throw notImplemented("fromVectorJson");
}

export function toVectorJson(value: MetaValue): unknown {
  void value;
  throw notImplemented("toVectorJson");
}
