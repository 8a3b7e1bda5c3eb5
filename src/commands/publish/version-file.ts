// Where a project writes its version, and a rewrite of exactly that literal: every other byte of the file stays
// as it was. `.app.src`: the `{vsn, "X"}` entry of the application's list; mix.exs: the `@version "X"` module
// attribute, else the `version: "X"` keyword literal.
import { tokenize, type Token } from "../../project/mix/tokenizer.js";
import { HextsError } from "../../errors.js";

/** The version literal found in a file: byte offsets of the quoted string (quotes included). */
export interface VersionSite {
  /** `app.src`: the vsn entry; `attribute`: mix's `@version`; `keyword`: mix's `version:`. */
  kind: "app.src" | "attribute" | "keyword";
  start: number;
  end: number;
  /** The version text between the quotes. */
  version: string;
}

/** What the `vsn` entry of an .app.src holds when it is not a plain string (`git`, `{cmd, ...}`). */
export interface VcsVsn {
  kind: "vcs";
  /** The entry's source text, e.g. `git` or `{git, short}`. */
  text: string;
}

// ---------------------------------------------------------------- .app.src

interface ErlTok {
  type: "punct" | "atom" | "string" | "other";
  text: string;
  start: number;
  end: number;
}

/** A small Erlang scanner: enough to find brackets, atoms and strings while skipping comments and char literals. */
function scanErlang(text: string): ErlTok[] {
  const toks: ErlTok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "%") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c) i += text[i] === "\\" ? 2 : 1;
      if (i >= n)
        throw new HextsError(
          "TERM_SYNTAX",
          `unterminated ${c === '"' ? "string" : "quoted atom"} starting at offset ${start}`,
        );
      i++;
      toks.push({ type: c === '"' ? "string" : "atom", text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === "$") {
      // $x, $\n, $\x{41}, $\^A: skip the escape's body conservatively.
      i += 2;
      if (text[i - 1] === "\\") {
        if (text[i] === "x" && text[i + 1] === "{") i = text.indexOf("}", i) + 1 || n;
        else if (/[0-7]/.test(text[i] ?? "")) while (i < n && /[0-7]/.test(text[i]!) && i - start < 5) i++;
        else i++;
      }
      toks.push({ type: "other", text: text.slice(start, i), start, end: i });
      continue;
    }
    if ("{}[](),.|".includes(c)) {
      i++;
      toks.push({ type: "punct", text: c, start, end: i });
      continue;
    }
    if (/[a-z]/.test(c)) {
      while (i < n && /[\w@]/.test(text[i]!)) i++;
      toks.push({ type: "atom", text: text.slice(start, i), start, end: i });
      continue;
    }
    while (i < n && !/[\s%"'${}[\](),.|]/.test(text[i]!)) i++;
    if (i === start) i++;
    toks.push({ type: "other", text: text.slice(start, i), start, end: i });
  }
  return toks;
}

/** The text of an Erlang string literal without quotes, or undefined when it uses escapes (versions never do). */
function plainString(tok: ErlTok): string | undefined {
  const inner = tok.text.slice(1, -1);
  return inner.includes("\\") ? undefined : inner;
}

/**
 * Finds the `{vsn, ...}` entry of `{application, Name, [...]}`. `text` is the file decoded as Latin-1, so string
 * offsets are byte offsets. A plain string gives its site; `git`, `"git"`, `semver` or a tuple give VcsVsn.
 */
export function findAppSrcVsn(text: string, file: string): VersionSite | VcsVsn {
  const toks = scanErlang(text);
  if (toks[0]?.text !== "{" || toks[1]?.text !== "application") {
    throw new HextsError(
      "PROJECT_INVALID",
      `${file} does not start with {application, ...}; hexts cut cannot find its vsn`,
    );
  }
  const found: (VersionSite | VcsVsn)[] = [];
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.type !== "punct") continue;
    if (t.text === "{" && depth === 2 && toks[k + 1]?.text === "vsn" && toks[k + 2]?.text === ",") {
      // the value: every token up to the `}` closing this entry
      let d = 0;
      let j = k + 3;
      for (; j < toks.length; j++) {
        const v = toks[j]!;
        if (v.type === "punct" && "{[(".includes(v.text)) d++;
        else if (v.type === "punct" && "}])".includes(v.text)) {
          if (d === 0) break;
          d--;
        }
      }
      const value = toks.slice(k + 3, j);
      const only = value.length === 1 ? value[0]! : undefined;
      const str = only?.type === "string" ? plainString(only) : undefined;
      if (only?.type === "string" && str !== undefined && str !== "git" && str !== "semver") {
        found.push({ kind: "app.src", start: only.start, end: only.end, version: str });
      } else {
        const from = value[0]?.start ?? toks[k + 2]!.end;
        const to = value[value.length - 1]?.end ?? from;
        found.push({ kind: "vcs", text: text.slice(from, to).trim() });
      }
    }
    if ("{[(".includes(t.text)) depth++;
    else if ("}])".includes(t.text)) depth--;
  }
  if (found.length === 0)
    throw new HextsError("PROJECT_INVALID", `${file} has no {vsn, "X"} entry for hexts cut to change`);
  if (found.length > 1)
    throw new HextsError(
      "PROJECT_INVALID",
      `${file} has ${found.length} vsn entries; keep one and run hexts cut again`,
    );
  return found[0]!;
}

// ---------------------------------------------------------------- mix.exs

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

/** A one-piece string token's text (no interpolation, no escapes), else undefined. */
function strText(tok: Token | undefined): string | undefined {
  if (tok?.kind !== "str" || tok.heredoc || tok.parts?.length !== 1) return undefined;
  const part = tok.parts[0]!;
  return "raw" in part && !part.raw.includes("\\") ? part.raw : undefined;
}

/**
 * Finds where mix.exs sets `version` (the value mix read, so unrelated strings are never touched):
 * `@version "X"` if the module has exactly one such attribute, else exactly one `version: "X"` literal.
 * `text` is the decoded file (no BOM); offsets are string offsets.
 */
export function findMixVersion(text: string, version: string, file: string): VersionSite {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    throw new HextsError(
      "PROJECT_INVALID",
      `${file} could not be read to change its version: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const starts = lineStarts(text);
  const site = (kind: VersionSite["kind"], tok: Token): VersionSite => {
    const start = (starts[tok.line - 1] ?? 0) + tok.col - 1;
    const end = start + version.length + 2;
    if (text.slice(start, end) !== `"${version}"`) {
      throw new HextsError(
        "INTERNAL",
        `internal error: the version literal of ${file} is not where it was read (line ${tok.line})`,
      );
    }
    return { kind, start, end, version };
  };
  const attributes: VersionSite[] = [];
  const keywords: VersionSite[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (
      t.kind === "op" &&
      t.text === "@" &&
      tokens[k + 1]?.kind === "ident" &&
      tokens[k + 1]!.text === "version" &&
      strText(tokens[k + 2]) === version
    ) {
      attributes.push(site("attribute", tokens[k + 2]!));
    } else if (t.kind === "kw" && t.text === "version" && strText(tokens[k + 1]) === version) {
      keywords.push(site("keyword", tokens[k + 1]!));
    }
  }
  if (attributes.length === 1) return attributes[0]!;
  if (attributes.length === 0 && keywords.length === 1) return keywords[0]!;
  const where =
    attributes.length > 1
      ? `${attributes.length} @version "${version}" attributes`
      : keywords.length > 1
        ? `${keywords.length} version: "${version}" literals`
        : `no @version "${version}" attribute nor version: "${version}" literal`;
  throw new HextsError(
    "PROJECT_INVALID",
    `${file} has ${where}, so hexts cut cannot tell which one to change; change the version by hand, commit, ` +
      "and run `hexts publish`",
  );
}

// ---------------------------------------------------------------- rewriting

export interface VersionFile {
  /** Absolute path. */
  path: string;
  /** The file's bytes as read. */
  original: Uint8Array;
  site: VersionSite;
  /** How the bytes map to text and back: Latin-1 for .app.src (byte offsets), UTF-8 for mix.exs. */
  encoding: "latin1" | "utf8";
  /** A UTF-8 byte order mark the tokenizer does not see. */
  bom: boolean;
}

/** Decodes `bytes` and locates the version: `.app.src` (Latin-1, bytes kept exactly) or `mix.exs` (UTF-8). */
export function locateVersion(
  path: string,
  bytes: Uint8Array,
  kind: "app.src" | "mix.exs",
  currentVersion: string,
  shown = path,
): VersionFile | VcsVsn {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kind === "app.src") {
    const found = findAppSrcVsn(buf.toString("latin1"), shown);
    return found.kind === "vcs" ? found : { path, original: bytes, site: found, encoding: "latin1", bom: false };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new HextsError("PROJECT_INVALID", `${shown} is not valid UTF-8, so hexts cut will not rewrite it`);
  }
  const bom = text.startsWith("\uFEFF");
  const site = findMixVersion(bom ? text.slice(1) : text, currentVersion, shown);
  return { path, original: bytes, site, encoding: "utf8", bom };
}

/** The file's new bytes: the version literal replaced, everything else identical. */
export function rewriteVersion(file: VersionFile, newVersion: string): Uint8Array {
  if (!/^[0-9A-Za-z.+-]+$/.test(newVersion)) throw new HextsError("USAGE", `"${newVersion}" is not a version`);
  const buf = Buffer.from(file.original.buffer, file.original.byteOffset, file.original.byteLength);
  if (file.encoding === "latin1") {
    const text = buf.toString("latin1");
    return Buffer.from(text.slice(0, file.site.start) + `"${newVersion}"` + text.slice(file.site.end), "latin1");
  }
  const full = buf.toString("utf8");
  const text = file.bom ? full.slice(1) : full;
  const out = text.slice(0, file.site.start) + `"${newVersion}"` + text.slice(file.site.end);
  return Buffer.from((file.bom ? "\uFEFF" : "") + out, "utf8");
}
