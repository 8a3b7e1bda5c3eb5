// Each file of the project is stat'ed once, asked at most once whether it exists, and its contents read once per
// run (issue 12), except the files the reader parses and the tarball then packs as they are (said below): the
// settings' project layer and the build pipeline share one read. Measured in the real process by a preload that
// counts the file system calls per path (test/support/count-fs.cjs), opens included.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { gitProject, mixProject, rebar3Project, world, type World } from "./publish-support.js";

const preload = resolve(import.meta.dirname, "../support/count-fs.cjs");

interface Counts {
  stats: Record<string, number>;
  probes: Record<string, number>;
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
  return { stats: rel(counts.stats), probes: rel(counts.probes), reads: rel(counts.reads) };
}

/** The paths counted more than once. */
const repeated = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([, n]) => n > 1)
    .sort(([a], [b]) => (a < b ? -1 : 1));

test("build: a rebar3 project with {hex, [...]} settings is read once, each file stat'ed once", async (t) => {
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "demo"), {
    hexConfig: "{doc, edoc}",
    extra: { "priv/data/a.txt": "a\n", "include/demo.hrl": "-define(X, 1).\n" },
  });
  const { stats, probes, reads } = await counted(w, ["build", "package", "-o", join(w.tmp, "demo.tar")], dir);
  assert.deepEqual(repeated(stats), []);
  assert.deepEqual(repeated(probes), [], "project detection asks once whether a file exists");
  // Each file's contents are read once (into the tarball), except the files the reader parses, which are read
  // again when packed (rebar3_hex packs rebar.config and rebar.lock as they are on disk).
  assert.deepEqual(repeated(reads), [
    ["rebar.config", 2],
    ["rebar.lock", 2],
  ]);
  // The walk did run: the files are there, stat'ed once.
  for (const p of ["rebar.config", "src/demo.app.src", "src/demo.erl", "priv/data/a.txt", "include/demo.hrl"])
    assert.equal(stats[p], 1, `${p} stat'ed ${stats[p] ?? 0} times`);
  for (const p of ["src/demo.erl", "priv/data/a.txt", "include/demo.hrl"])
    assert.equal(reads[p], 1, `${p} read ${reads[p] ?? 0} times`);
  assert.equal(reads["src/demo.app.src"], 1, "packed as rebar3_hex re-prints it, from the one read");
});

test("publish --dry-run: a mix project's mix.exs is read once and its files stat'ed once", async (t) => {
  const w = await world(t);
  const dir = mixProject(join(w.tmp, "mixdemo"));
  const { stats, probes, reads } = await counted(w, ["publish", "package", "--dry-run", "--yes"], dir);
  assert.deepEqual(repeated(stats), []);
  assert.deepEqual(repeated(probes), []);
  // mix.exs: read once to evaluate it (detection included), once more when packed.
  assert.deepEqual(repeated(reads), [["mix.exs", 2]]);
  assert.equal(stats["mix.exs"], 1);
});

test("cut --dry-run: the project is read once for the settings, the cut and its checks", async (t) => {
  const w = await world(t);
  const { dir } = gitProject(w);
  const { stats, probes, reads } = await counted(w, ["cut", "-i", "patch", "--dry-run", "--no-push"], dir);
  // Excluding .git (git runs as its own process; hexts does not stat it) the project's files are stat'ed once.
  assert.deepEqual(repeated(stats), []);
  // The package checks run twice in a dry run (before the plan, and in the publish dry run), and they ask once
  // each whether _checkouts exists.
  assert.deepEqual(repeated(probes), [["_checkouts", 2]]);
  // Read twice: the .app.src (by the reader, and as the version file's own bytes, which the byte-exact rewrite
  // starts from), and the parsed files rebar3_hex packs as they are (as in a build).
  assert.deepEqual(repeated(reads), [
    ["rebar.config", 2],
    ["rebar.lock", 2],
    ["src/demo.app.src", 2],
  ]);
});
