// rebar.lock: the beta list format (`[{<<"dep">>, {pkg, <<"dep">>, <<"1.0.0">>}, 0}].`) and the versioned one
// (`{"1.2.0", [...]}.` followed by `[{pkg_hash, ...}, {pkg_hash_ext, ...}].`), as rebar_config:consult_lock_file/1
// reads them.
import { parseTerms } from "../../erlang/reader.js";
import { Atom, Tuple, listItems, textOf, type Term } from "../../erlang/terms.js";
import { HextsError } from "../../errors.js";
import { nameOf } from "../../erlang/plain.js";

export interface LockEntry {
  /** The dependency's application name (first element of the lock tuple). */
  app: string;
  /** `pkg` for Hex packages, else the source type (`git`, `git_subdir`, `hg`, ...). */
  type: string;
  /** Hex package name and locked version, for `pkg` entries. */
  pkg?: string;
  version?: string;
  level: number;
}

export interface Lock {
  /** `"1.2.0"` etc. for the versioned format, undefined for the beta list format or an empty file. */
  formatVersion?: string;
  entries: LockEntry[];
}

/** The format rebar3 3.19 writes (`?CONFIG_VERSION`). */
export const CURRENT_LOCK_VERSION = "1.2.0";

function invalid(file: string, what: string): HextsError {
  return new HextsError("PROJECT_INVALID", `${file}: ${what}; run \`rebar3 lock\` to rewrite it`, {
    details: { file },
  });
}

export function parseLock(text: string | Uint8Array, file = "rebar.lock"): Lock {
  const terms = parseTerms(text, file);
  if (terms.length === 0) return { entries: [] };
  const first = terms[0]!;
  let formatVersion: string | undefined;
  let locks: Term[] | undefined;
  if (first instanceof Tuple && first.items.length === 2 && listItems(first.items[1]) !== undefined) {
    formatVersion = textOf(first.items[0]);
    locks = listItems(first.items[1]);
    if (formatVersion === undefined) throw invalid(file, "the lock format version is not a string");
  } else if (terms.length === 1) {
    locks = listItems(first);
  }
  if (!locks) throw invalid(file, "not a rebar3 lock file");
  return { formatVersion, entries: locks.map((l) => lockEntry(l, file)) };
}

function lockEntry(t: Term, file: string): LockEntry {
  if (!(t instanceof Tuple) || t.items.length !== 3) throw invalid(file, "a lock entry is not {Name, Source, Level}");
  const [nameT, source, levelT] = t.items as [Term, Term, Term];
  const app = nameOf(nameT);
  if (app === undefined || typeof levelT !== "number") throw invalid(file, "a lock entry has no name or level");
  if (!(source instanceof Tuple) || !(source.items[0] instanceof Atom))
    throw invalid(file, `the source of ${app} is not a tuple`);
  const type = source.items[0].name;
  if (type !== "pkg") return { app, type, level: levelT };
  const pkg = nameOf(source.items[1]);
  const version = nameOf(source.items[2]);
  if (pkg === undefined || version === undefined)
    throw invalid(file, `the pkg source of ${app} has no name or version`);
  return { app, type, pkg, version, level: levelT };
}
