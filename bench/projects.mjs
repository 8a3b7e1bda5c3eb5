// Deterministic generated rebar3 projects shared by bench/build.mjs and bench/publish.mjs: Erlang-looking
// source that compresses about like real code, plus incompressible binaries. Cached between runs by a marker file.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Deterministic bytes: a SHA-256 counter stream (incompressible). */
export function noise(size, seed) {
  const out = Buffer.alloc(size);
  for (let i = 0, at = 0; at < size; i++) at += createHash("sha256").update(`${seed}:${i}`).digest().copy(out, at);
  return out;
}

const WORDS = (
  "case of end when receive after fun try catch begin if let module export record spawn send self lists maps " +
  "binary atom tuple"
).split(" ");
const seedBytes = noise(8192, "templates");
/** Erlang-looking lines with varying names and numbers: compresses about like real source (4-6×). */
const TEMPLATES = Array.from({ length: 512 }, (_, i) => {
  const n = 2 + (seedBytes[i] % 6);
  const words = Array.from({ length: n }, (_, j) => WORDS[seedBytes[(i * 17 + j) % seedBytes.length] % WORDS.length]);
  return `${"    ".repeat(seedBytes[i + 600] % 4)}${words.join("_")}(`;
});

function source(size, seed) {
  const rnd = noise(Math.ceil(size / 6) + 64, seed);
  const lines = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const r = (k) => rnd[(i + k) % rnd.length];
    const template = TEMPLATES[((r(0) << 1) | (r(7) & 1)) % 512];
    const line = `${template}X${r(1) % 64}, ${(r(2) * 37) % 1000}),\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join("").slice(0, size));
}

/**
 * A rebar3 project of `files` files: src/ text (one `.app.src`), a few larger text files and some
 * incompressible binaries under priv/. Returns the regular files (what tar gets) and the total size.
 */
export function generate(dir, { files, textSize, binaryEvery, binarySize, largeEvery, largeSize, app = "bench" }) {
  const marker = join(dir, ".complete");
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  const put = (path, bytes) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), bytes);
    paths.push(path);
    total += bytes.length;
  };
  const paths = [];
  let total = 0;
  put("rebar.config", "{erl_opts, [debug_info]}.\n{deps, []}.\n");
  put("rebar.lock", "[].\n");
  put("README.md", `# ${app}\n\nGenerated for the hexts benchmarks.\n`);
  put(
    `src/${app}.app.src`,
    `{application, ${app}, [{description, "Generated benchmark package"}, {vsn, "1.0.0"}, ` +
      `{licenses, ["Apache-2.0"]}, {links, [{"Source", "https://example.test/${app}"}]}, ` +
      `{applications, [kernel, stdlib]}]}.\n`,
  );
  for (let i = paths.length; i < files; i++) {
    const kind = binaryEvery && i % binaryEvery === 0 ? "bin" : largeEvery && i % largeEvery === 1 ? "large" : "src";
    const jitter = (i * 7919) % 1000;
    if (kind === "bin") put(`priv/blobs/b${i}.bin`, noise(binarySize + jitter * 8, `b${i}`));
    else put(`src/m${i % 40}/f${i}.erl`, source((kind === "large" ? largeSize : textSize) + jitter * 4, `t${i}`));
  }
  paths.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  writeFileSync(join(dir, ".files"), paths.join("\n") + "\n");
  const info = { paths, total };
  writeFileSync(marker, JSON.stringify(info));
  return info;
}

export const PROJECTS = [
  { name: "small (12 files)", key: "small", files: 12, textSize: 3_000 },
  { name: "300 files", key: "files300", files: 300, textSize: 12_000, binaryEvery: 30, binarySize: 8_000 },
  {
    name: "2,000 files, ~60 MB",
    key: "files2000",
    files: 2000,
    textSize: 25_000,
    binaryEvery: 100,
    binarySize: 120_000,
    largeEvery: 50,
    largeSize: 180_000,
  },
];
