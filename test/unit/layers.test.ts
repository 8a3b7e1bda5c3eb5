// The code's shape, checked (issue 12; README "Development"): each folder of src/ imports only from the folders
// below it, and no files import each other in a circle. Read from the source text: every `import ... from`,
// `export ... from` and `import("...")` of a relative path, type-only imports included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const src = resolve(import.meta.dirname, "../../src");

/** Top to bottom; folders on one line sit side by side and do not import each other. */
const LAYERS: string[][] = [
  ["index.ts", "cli"],
  ["commands"],
  ["build"],
  ["project"],
  ["registry", "git"],
  ["package", "api", "config"],
  ["http", "erlang", "ui"],
  ["(root)"], // errors.ts, repository.ts, credential.ts, secret-names.ts, bytes.ts, text.ts, version.ts, ...
];
const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The folder under src/ a file is in; files directly in src/ are "(root)", except the library entry. */
function layerOf(file: string): string {
  const rel = relative(src, file);
  if (rel === "index.ts") return "index.ts";
  return rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : "(root)";
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^"';]*?\sfrom\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
  }
  return out;
}

const all = files(src);
const graph = new Map(all.map((f) => [f, importsOf(f).filter((t) => all.includes(t))]));

test("the import reader sees the imports (a sanity check on the pattern)", () => {
  const run = graph.get(join(src, "cli/run.ts"))!.map((f) => relative(src, f));
  assert.ok(run.includes("commands/context.ts"), run.join(", "));
  assert.ok(run.includes("cli/help.ts"), run.join(", "));
  // dynamic imports count too
  const settings = graph.get(join(src, "commands/run-settings.ts"))!.map((f) => relative(src, f));
  assert.ok(settings.includes("commands/project-settings.ts"), settings.join(", "));
  assert.ok(settings.includes("config/settings.ts"), settings.join(", "));
});

test("every folder of src/ is placed in a layer, and imports only from the layers below it", () => {
  const unplaced = [...new Set(all.map(layerOf))].filter((l) => !rank.has(l));
  assert.deepEqual(unplaced, [], "folders with no place in LAYERS (add them where they belong)");
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    for (const to of targets) {
      const b = layerOf(to);
      if (a === b) continue;
      if (rank.get(b)! <= rank.get(a)!) wrong.push(`${relative(src, from)} -> ${relative(src, to)}`);
    }
  }
  assert.deepEqual(wrong, [], "imports that go up or sideways");
});

test("no files import each other in a circle", () => {
  const state = new Map<string, "open" | "done">();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") {
        circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(src, f)).join(" -> "));
      } else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(file, "done");
  };
  for (const f of all) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(circles, []);
});
