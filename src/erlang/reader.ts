// Reader for Erlang text terms (.app.src, rebar.config, rebar.lock, metadata.config, hex.config).
// Work in progress: the signature is final, the body lands in the next commit.
import { notImplemented } from "../errors.js";
import type { Term } from "./terms.js";

/** Parses every `.`-terminated term of an Erlang term file. Throws HextsError("TERM_SYNTAX"). */
export function parseTerms(text: string | Uint8Array, file?: string): Term[] {
  void text;
  void file;
  throw notImplemented("parseTerms");
}
