// Each file of the project is stat'ed once and each project file read once per run (issue 12): the settings'
// project layer and the build pipeline share one read. Measured in the real process, a preload counting the
// file system calls per path (test/support/count-fs.cjs).
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { gitProject, mixProject, rebar3Project, world, type World } from "./publish-support.js";

const preload = resolve(import.meta.dirname, "../support/count-fs.cjs");

interface Counts {
  stats: Record<string, number>;
  reads: Record<string, number>;
}

async function counted(w: World, args: string[], dir: string, env: Record<string, string | undefined> = {}) {
  const root = realpathSync(dir);
  const out = join(w.tmp, `counts-${Math.random().toString(36).slice(2)}.json`);
  const r = await w.hexts(args, dir, {
    NODE_OPTIONS: `--require ${preload}`,
    COUNT_FS_ROOT: root,
    COUNT_FS_OUT: out,
    ...env,
  });
  assert.equal(r.code, 0, r.stderr);
  const counts = JSON.parse(readFileSync(out, "utf8")) as Counts;
  const rel = (m: Record<string, number>) =>
    Object.fromEntries(Object.entries(m).map(([p, n]) => [p.slice(root.length + 1) || ".", n]));
  return { stats: rel(counts.stats), reads: rel(counts.reads) };
}

/** The paths counted more than once. */
const repeated = (m: Record<string, number>) => Object.entries(m).filter(([, n]) => n > 1);

test("build: a rebar3 project with {hex, [...]} settings is read once, each file stat'ed once", async (t) => {
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "demo"), {
    hexConfig: "{doc, edoc}",
    extra: { "priv/data/a.txt": "a\n", "include/demo.hrl": "-define(X, 1).\n" },
  });
  const { stats, reads } = await counted(w, ["build", "package", "-o", join(w.tmp, "demo.tar")], dir);
  assert.deepEqual(repeated(stats), []);
  assert.deepEqual(repeated(reads), []);
  // The walk did run: the files are there, stat'ed once.
  for (const p of ["rebar.config", "src/demo.app.src", "src/demo.erl", "priv/data/a.txt", "include/demo.hrl"])
    assert.equal(stats[p], 1, `${p} stat'ed ${stats[p] ?? 0} times`);
  assert.equal(reads["rebar.config"], 1);
  assert.equal(reads["src/demo.app.src"], 1);
});

test("publish --dry-run: a mix project's mix.exs is read once and its files stat'ed once", async (t) => {
  const w = await world(t);
  const dir = mixProject(join(w.tmp, "mixdemo"));
  const { stats, reads } = await counted(w, ["publish", "package", "--dry-run", "--yes"], dir);
  assert.deepEqual(repeated(stats), []);
  assert.deepEqual(repeated(reads), []);
  assert.equal(reads["mix.exs"], 1);
  assert.equal(stats["mix.exs"], 1);
});

test("cut --dry-run: the project is read once for the settings, the cut and its checks", async (t) => {
  const w = await world(t);
  const { dir } = gitProject(w);
  const { stats, reads } = await counted(w, ["cut", "-i", "patch", "--dry-run", "--no-push"], dir);
  // Excluding .git (git runs as its own process; hexts does not stat it) the project's files are stat'ed once.
  assert.deepEqual(repeated(stats), []);
  // rebar.config once; the .app.src twice: once by the reader, once as the version file's own bytes (the
  // byte-exact rewrite starts from them).
  assert.equal(reads["rebar.config"], 1);
  assert.ok((reads["src/demo.app.src"] ?? 0) <= 2, `src/demo.app.src read ${reads["src/demo.app.src"]} times`);
});
