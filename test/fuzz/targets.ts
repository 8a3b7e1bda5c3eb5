// What the fuzzer feeds each reader (issue 11 §3): generated inputs (token soups, blown-up constructs) and
// mutations of real seeds (the repository's fixtures and, when present, the shared vectors). A reader passes an
// input when it returns or throws a typed HextsError; anything else (RangeError, TypeError, a crash) is a bug.
import fc from "fast-check";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { HextsError } from "../../src/errors.js";
import { secretEnvNames } from "../../src/config/child-env.js";
import { parseTerms } from "../../src/erlang/reader.js";
import { unpackPackageTarball } from "../../src/package/tarball.js";
import { TarWriter, concatBytes } from "../../src/package/tar.js";
import { sha256Hex } from "../../src/package/checksum.js";
import { readRebar3Project } from "../../src/project/rebar3/index.js";
import { readMixProject } from "../../src/project/mix/index.js";
import { repoRoot, vectorsDir } from "../support/vectors.js";
import { SCRIPT_TOKENS, generateScript } from "./erlang-script.js";

export type Input = string | Uint8Array | { [file: string]: string };

export interface Target {
  name: string;
  /** Inputs: a few generated kinds and mutated seeds, mixed. */
  arbitrary(): fc.Arbitrary<Input>;
  /** Feeds one input; resolves when the reader returned or threw a typed error, rejects otherwise. */
  run(input: Input, scratch: string): Promise<void>;
}

/** Typed: a HextsError other than INTERNAL. Everything else is what the fuzzer looks for. */
export function isTyped(e: unknown): boolean {
  return e instanceof HextsError && e.code !== "INTERNAL";
}

// ---------------------------------------------------------------- seeds

function filesNamed(dir: string, test: (name: string) => boolean, out: string[] = [], depth = 0): string[] {
  if (depth > 6) return out;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    if (name === "node_modules" || name === "_build" || name === "deps" || name.startsWith(".")) continue;
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) filesNamed(path, test, out, depth + 1);
    else if (st?.isFile() && test(name) && st.size < 64 * 1024) out.push(path);
  }
  return out;
}

const seedRoots = () => [join(repoRoot, "test", "fixtures"), join(vectorsDir, "projects")];
const seedTexts = (test: (name: string) => boolean): string[] => {
  const texts = seedRoots()
    .flatMap((root) => filesNamed(root, test))
    .map((f) => readFileSync(f, "utf8"));
  return texts.length > 0 ? texts : ['{a, [b, "c", <<1,2>>, #{d => 1.5}]}.'];
};

// ---------------------------------------------------------------- mutation

const MUTATION_BITS = [
  "\0",
  "\n",
  ".",
  ",",
  "{",
  "}",
  "[",
  "]",
  "<<",
  ">>",
  '"',
  "'",
  "\\",
  "#",
  "%",
  ":",
  "do",
  "end",
  "é",
  "\u{1F600}",
];

/** A seed changed in a few places: a character replaced, a slice deleted, duplicated or moved, or a token inserted. */
function mutated(seeds: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(
    fc.nat(),
    fc.nat(64),
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom(...MUTATION_BITS),
    fc.nat(20),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
    let s = seed;
    for (const [at, len, kind, bit, times] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === 0) s = s.slice(0, i) + bit + s.slice(i + 1);
      else if (kind === 1) s = s.slice(0, i) + s.slice(i + len);
      else if (kind === 2) s = s.slice(0, i) + s.slice(i, i + len).repeat(Math.min(times, 8) + 1) + s.slice(i);
      else if (kind === 3) s = s.slice(0, i) + bit.repeat(times + 1) + s.slice(i);
      else if (kind === 4) s = s.slice(i) + s.slice(0, i);
      else s = s.slice(0, i);
    }
    return s;
  });
}

/** A small deterministic PRNG (mulberry32): fast-check's own arrays cost milliseconds per input here. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Token soup: a random sequence of the reader's own tokens. */
const soup = (tokens: string[], maxLength = 80) =>
  fc.tuple(fc.integer(), fc.nat(maxLength)).map(([seed, n]) => {
    const next = prng(seed);
    let out = "";
    for (let i = 0; i < n; i++) out += tokens[Math.floor(next() * tokens.length)];
    return out;
  });

/** One construct repeated up to tens of thousands of times, inside a valid-looking frame: the limits' territory. */
const blowUp = (frames: [string, string, string][]) =>
  fc
    .tuple(fc.constantFrom(...frames), fc.integer({ min: 1, max: 6_000 }))
    .map(([[head, unit, tail], n]) => head + unit.repeat(n) + tail);

// ---------------------------------------------------------------- Erlang terms

const TERM_TOKENS = [
  "{",
  "}",
  "[",
  "]",
  "<<",
  ">>",
  ",",
  ".",
  " ",
  "\n",
  "|",
  "#{",
  "=>",
  ":=",
  ":",
  "/",
  "-",
  "+",
  "#",
  "(",
  ")",
  "a",
  "atom",
  "'quoted atom'",
  "'\\x{1F600}'",
  "Var",
  "_",
  "true",
  "end",
  "0",
  "123",
  "16#ff",
  "2#101",
  "36#zz",
  "1.5",
  "1.0e-3",
  "$a",
  "$\\n",
  "$\\x{41}",
  '"str"',
  '"\\x{10FFFF}"',
  '"\\^A"',
  '"\\777"',
  "%c\n",
  "utf8",
  "little",
  "unit:8",
  "binary",
  "float",
  "0:4294967296",
  "1:3",
  "-1:64",
  "16#",
  "1_000",
  "é",
  "\u00ff",
  "\\",
];
const TERM_FRAMES: [string, string, string][] = [
  ["", "[", ""],
  ["x(", "{", "}"],
  ["<<", "<<", ">>"],
  ["{a, 16#", "ffff", "}."],
  ["", "9999", "."],
  ['"', "a", '".'],
  ["'", "q", "'."],
  ["", "a", "."],
  ["<<", "0:65536,", "1>>."],
  ["#{", "a => #{", "}."],
  ["[", "1,", "2]."],
  ["", "%\n", "a."],
  ["<<0:", "9", ">>."],
];

function termInputs(seeds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: mutated(seeds) },
    { weight: 3, arbitrary: soup(TERM_TOKENS) },
    { weight: 1, arbitrary: blowUp(TERM_FRAMES) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  );
}

// ---------------------------------------------------------------- Elixir (mix.exs)

const EX_TOKENS = [
  "defmodule P.MixProject do\n",
  "use Mix.Project\n",
  "def project do\n",
  "defp deps do\n",
  "end\n",
  "do",
  "end",
  " ",
  "\n",
  "[",
  "]",
  "{",
  "}",
  "%{",
  "(",
  ")",
  ",",
  ":",
  "::",
  "app: :p",
  'version: "1.0.0"',
  "deps: deps()",
  "package: [",
  "files: [",
  'licenses: ["MIT"]',
  "@version",
  '@version "0.1.0"',
  "fn x -> x end",
  "&(&1)",
  "|>",
  "<>",
  "++",
  "--",
  "..",
  "=",
  "==",
  "if",
  "else",
  "case",
  "cond",
  "->",
  "~r/a+/",
  "~w(a b)",
  "~s[x]",
  '"#{@version}"',
  '"""\nheredoc\n"""',
  "'chars'",
  "?a",
  "0b1",
  "0x1F",
  "0o7",
  "1_000",
  "1.5e3",
  "0b0b",
  "nil",
  "true",
  ":atom",
  ':"quoted"',
  "Mix.env()",
  'System.get_env("X")',
  'File.read!("VERSION")',
  "String.trim(",
  "Enum.map(",
  "x",
  "y",
  "_",
  "#",
  "\\",
  "é",
  "\u{1F600}",
];
const EX_FRAMES: [string, string, string][] = [
  [
    'defmodule P.MixProject do\nuse Mix.Project\ndef project do\n[app: :p, version: "1.0.0", x: ',
    "[",
    "]]\nend\nend\n",
  ],
  [
    "defmodule P.MixProject do\nuse Mix.Project\ndef project do\n[app: :p, version: ",
    '"a" <> ',
    '"1.0.0"]\nend\nend\n',
  ],
  [
    'defmodule P.MixProject do\nuse Mix.Project\ndef project do\n[app: :p, version: "1.0.0", x: ',
    "{",
    "}]\nend\nend\n",
  ],
  ['defmodule P.MixProject do\nuse Mix.Project\ndef project do\n[app: :p, version: "1.0.0", x: ', "9", "]\nend\nend\n"],
  [
    'defmodule P.MixProject do\nuse Mix.Project\ndef project do\n[app: :p, version: "1.0.0", x: "',
    "#{",
    '"]\nend\nend\n',
  ],
  ["", "(", ""],
];

function mixInputs(seeds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: mutated(seeds) },
    { weight: 2, arbitrary: soup(EX_TOKENS, 120) },
    { weight: 1, arbitrary: blowUp(EX_FRAMES) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  );
}

// ---------------------------------------------------------------- package tarballs

const META = '{<<"name">>,<<"pkg">>}.\n{<<"version">>,<<"1.0.0">>}.\n{<<"build_tools">>,[<<"mix">>]}.\n';
const PATH_PARTS = [
  "a",
  "b",
  "..",
  ".",
  "",
  "lib",
  "x.ex",
  "é",
  "e\u0301",
  "\\",
  "C:",
  "/",
  "d/up",
  "esc",
  "very".repeat(30),
];

type Member = { kind: "file" | "dir" | "symlink"; path: string; target: string; mode: number; size: number };
const member: fc.Arbitrary<Member> = fc.record({
  kind: fc.constantFrom("file" as const, "file" as const, "dir" as const, "symlink" as const),
  path: fc.array(fc.constantFrom(...PATH_PARTS), { minLength: 1, maxLength: 5 }).map((p) => p.join("/")),
  target: fc.array(fc.constantFrom(...PATH_PARTS), { minLength: 1, maxLength: 4 }).map((p) => p.join("/")),
  mode: fc.constantFrom(0o644, 0o755, 0o4755, 0o7777, 0o100644, 0o120777, 0o40755),
  size: fc.nat(700),
});

const tarOf = (members: Member[]): Uint8Array => {
  const chunks: Uint8Array[] = [];
  const w = new TarWriter((c) => chunks.push(c));
  for (const m of members) {
    try {
      if (m.kind === "dir") w.addDirectory(m.path, m.mode);
      else if (m.kind === "symlink") w.addSymlink(m.path, m.target, m.mode);
      else w.addFile(m.path, new Uint8Array(m.size).fill(97), m.mode);
    } catch {
      // a path the writer cannot encode: leave it out
    }
  }
  w.finish();
  return concatBytes(chunks);
};

/** An outer tarball whose CHECKSUM matches, so the reader gets past it to the metadata and the contents. */
const outerOf = (meta: Uint8Array, gz: Uint8Array, version = "3"): Uint8Array => {
  const v = Buffer.from(version);
  const chunks: Uint8Array[] = [];
  const w = new TarWriter((c) => chunks.push(c));
  w.addFile("VERSION", v);
  w.addFile("CHECKSUM", Buffer.from(sha256Hex(v, meta, gz).toUpperCase()));
  w.addFile("metadata.config", meta);
  w.addFile("contents.tar.gz", gz);
  w.finish();
  return concatBytes(chunks);
};

/** Byte-level damage: flips, cuts, duplicated or appended slices. */
function damaged(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.nat(255), fc.nat(1500));
  return fc.tuple(bytes, fc.array(edit, { maxLength: 4 })).map(([b, edits]) => {
    let out = Buffer.from(b);
    for (const [at, kind, value, len] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 0) out[i] = value;
      else if (kind === 1) out = out.subarray(0, i);
      else if (kind === 2) out = Buffer.concat([out.subarray(0, i), out.subarray(i, i + len), out.subarray(i)]);
      else out = Buffer.concat([out, Buffer.alloc(Math.min(len, 600), value)]);
    }
    return new Uint8Array(out);
  });
}

function tarballInputs(termSeeds: string[], vectorTarballs: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const metadata = fc.oneof(
    { weight: 3, arbitrary: fc.constant(META) },
    { weight: 2, arbitrary: termInputs([META, ...termSeeds]) },
  );
  const contentsTar = fc.oneof(
    fc.array(member, { maxLength: 8 }).map(tarOf),
    damaged(fc.array(member, { maxLength: 4 }).map(tarOf)),
  );
  const gz = fc.oneof(
    { weight: 4, arbitrary: contentsTar.map((t) => new Uint8Array(gzipSync(t))) },
    { weight: 1, arbitrary: damaged(contentsTar.map((t) => new Uint8Array(gzipSync(t)))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(contentsTar, contentsTar)
        .map(([a, b]) => new Uint8Array(Buffer.concat([gzipSync(a), gzipSync(b)]))),
    },
  );
  const consistent = fc.tuple(metadata, gz).map(([m, g]) => outerOf(Buffer.from(m), g));
  const seeds = vectorTarballs.length > 0 ? vectorTarballs : [outerOf(Buffer.from(META), gzipSync(tarOf([])))];
  return fc.oneof(
    { weight: 5, arbitrary: consistent },
    { weight: 2, arbitrary: damaged(consistent) },
    { weight: 2, arbitrary: damaged(fc.constantFrom(...seeds)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3000 }) },
  );
}

// ----------------------------------------------------------- Erlang scripts (rebar.config.script, .app.src.script)

/** Generated scripts (see erlang-script.ts), the same mutated, real scripts mutated, and token soups. */
function scriptInputs(seeds: string[], kind: "rebar" | "app"): fc.Arbitrary<string> {
  const generated = fc.integer().map((seed) => generateScript(seed, kind));
  return fc.oneof(
    { weight: 6, arbitrary: generated },
    { weight: 2, arbitrary: fc.integer().chain((seed) => mutated([generateScript(seed, kind)])) },
    { weight: 1, arbitrary: mutated(seeds) },
    { weight: 1, arbitrary: soup(SCRIPT_TOKENS, 120) },
  );
}

/** What must never come out of a project read: the file beside the project and hexts's secrets in the environment. */
const OUTSIDE_MARKER = "HEXTS-FUZZ-OUTSIDE-7f3a";
const SECRET_MARKER = "HEXTS-FUZZ-SECRET-91c2";
/** The variables hexts treats as secrets (the settings table's, as child processes are kept from them). */
const SECRET_ENV = [...secretEnvNames()];

/**
 * Reads of file contents and directory listings made while `watching` is set, outside the allowed roots: the
 * project itself and this checkout (modules load from there). A spy on node:fs, installed once per worker.
 */
const readsOutside: string[] = [];
let watching: string[] | undefined;
function watchReads(): void {
  if ((globalThis as { hextsFuzzWatch?: boolean }).hextsFuzzWatch) return;
  (globalThis as { hextsFuzzWatch?: boolean }).hextsFuzzWatch = true;
  const require = createRequire(import.meta.url);
  const check = (p: unknown) => {
    if (!watching || typeof p === "number") return;
    const text = p instanceof URL ? p.pathname : Buffer.isBuffer(p) ? p.toString() : String(p);
    let real = resolve(text);
    try {
      real = realpathSync(real);
    } catch {
      // a path that does not exist reads nothing, but is judged by its name
    }
    if (!watching.some((root) => real === root || real.startsWith(root + sep))) readsOutside.push(real);
  };
  for (const [mod, names] of [
    ["node:fs", ["readFileSync", "openSync", "readdirSync", "opendirSync", "readFile", "open", "readdir", "opendir"]],
    ["node:fs/promises", ["readFile", "open", "readdir", "opendir"]],
  ] as const) {
    const target = require(mod) as Record<string, (...args: unknown[]) => unknown>;
    for (const name of names) {
      const original = target[name]!;
      target[name] = function (this: unknown, ...args: unknown[]) {
        check(args[0]);
        return original.apply(this, args);
      };
    }
  }
  syncBuiltinESMExports();
}

/**
 * A rebar3 project at SCRATCH/p with `files` written into it, a file beside it (outside the project) that scripts
 * try to reach directly, through `..`, a symlink to it and a symlink to the parent directory.
 */
function writeScriptProject(scratch: string, files: Record<string, string>): string {
  const dir = join(realpathSync(scratch), "p");
  writeFileSync(join(scratch, "outside.config"), `{secret, "${OUTSIDE_MARKER}"}.\n`);
  writeProject(dir, {
    "rebar.config": "{deps, []}.\n{erl_opts, [debug_info]}.\n",
    "src/fuzz.app.src": '{application, fuzz, [{vsn, "1.0.0"}, {description, "d"}, {applications, [kernel]}]}.\n',
    "src/fuzz.erl": "-module(fuzz).\n",
    VERSION: "1.2.3\n",
    ...files,
  });
  symlinkSync(join("..", "outside.config"), join(dir, "link.config"));
  symlinkSync("..", join(dir, "updir"));
  return dir;
}

/** Reads the project with the evaluator watched: a typed result or error, no read outside, no marker in either. */
async function readScriptProject(dir: string): Promise<void> {
  watchReads();
  for (const name of SECRET_ENV) process.env[name] = SECRET_MARKER; // this worker's own environment
  // The built-in evaluator only: real Erlang (when installed) is the user's fallback, not what is fuzzed here.
  process.env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((d) => !statSync(join(d, "erl"), { throwIfNoEntry: false }))
    .join(":");
  readsOutside.length = 0;
  watching = [dir, repoRoot];
  let shown: string;
  try {
    shown = JSON.stringify(await readRebar3Project(dir), (_k, v: unknown) =>
      typeof v === "bigint" ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v,
    );
  } catch (e) {
    if (!isTyped(e)) throw e;
    shown = `${(e as Error).message} ${JSON.stringify((e as HextsError).details ?? {})}`;
  } finally {
    watching = undefined;
  }
  if (readsOutside.length > 0) throw new Error(`read outside the project: ${[...new Set(readsOutside)].join(", ")}`);
  for (const marker of [OUTSIDE_MARKER, SECRET_MARKER])
    if (shown.includes(marker)) throw new Error(`${marker} came back in ${shown.slice(0, 200)}`);
}

// ---------------------------------------------------------------- the targets

const asText = (input: Input) => input as string;

async function typedOnly(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isTyped(e)) throw e;
  }
}

function writeProject(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export function targets(): Target[] {
  const termSeeds = seedTexts(
    (n) =>
      n === "rebar.config" ||
      n.endsWith(".app.src") ||
      n === "rebar.lock" ||
      n.endsWith(".app") ||
      n.endsWith(".config"),
  );
  const appSeeds = seedTexts((n) => n.endsWith(".app.src"));
  const rebarSeeds = seedTexts((n) => n === "rebar.config");
  const mixSeeds = seedTexts((n) => n === "mix.exs");
  const scriptSeeds = seedTexts((n) => n.endsWith(".script"));
  const vectorTarballs = filesNamed(
    join(vectorsDir, "tarballs"),
    (n) => n.endsWith(".tar") && n !== "contents.tar",
  ).map((f) => new Uint8Array(readFileSync(f)));
  return [
    {
      name: "term",
      arbitrary: () => termInputs(termSeeds),
      run: (input) => typedOnly(() => parseTerms(asText(input), "fuzz.config")),
    },
    {
      name: "rebar3",
      arbitrary: () =>
        fc
          .record({
            "rebar.config": fc.oneof(fc.constantFrom(...rebarSeeds), termInputs(rebarSeeds)),
            "src/fuzz.app.src": termInputs(appSeeds),
          })
          .map((files) => ({ ...files, "src/fuzz.erl": "-module(fuzz).\n" })),
      run: (input, scratch) => {
        writeProject(scratch, input as Record<string, string>);
        return typedOnly(() => readRebar3Project(scratch));
      },
    },
    {
      name: "mix",
      arbitrary: () => mixInputs(mixSeeds),
      run: (input, scratch) => {
        writeProject(scratch, { "mix.exs": asText(input), "lib/p.ex": "defmodule P do\nend\n" });
        return typedOnly(() => readMixProject(scratch));
      },
    },
    {
      name: "rebar-script",
      arbitrary: () => scriptInputs(scriptSeeds, "rebar"),
      run: (input, scratch) => readScriptProject(writeScriptProject(scratch, { "rebar.config.script": asText(input) })),
    },
    {
      name: "app-script",
      arbitrary: () => scriptInputs(scriptSeeds, "app"),
      run: (input, scratch) =>
        readScriptProject(writeScriptProject(scratch, { "src/fuzz.app.src.script": asText(input) })),
    },
    {
      name: "tarball",
      arbitrary: () => tarballInputs(termSeeds, vectorTarballs),
      run: (input) => typedOnly(() => unpackPackageTarball(input as Uint8Array)),
    },
  ];
}

/** A short, printable view of an input for reports. */
export function preview(input: Input, max = 300): string {
  const text =
    typeof input === "string"
      ? input
      : input instanceof Uint8Array
        ? `<${input.length} bytes> ${Buffer.from(input.subarray(0, 64)).toString("hex")}`
        : JSON.stringify(input);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
