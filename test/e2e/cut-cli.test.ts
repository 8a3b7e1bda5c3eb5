// `hexts cut` end to end, not interactive: a real git repository in a temp dir with a bare repository as `origin`,
// the built CLI and the local Hex server. Byte-exact version rewrites, one-file commits, annotated tags, pushes,
// dry runs that change nothing, and undo on every failure before the release exists.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, binPath, toolsPath } from "../support/cli.js";
import { findExecutable } from "../support/erlang.js";
import { buildTarball } from "../support/hex-server/index.js";
import {
  failDocsUpload,
  fakeTool,
  git,
  gitProject,
  gitRepo,
  gitState,
  isWrite,
  jsonDoc,
  mixProject,
  publishes,
  rebar3Project,
  release,
  world,
  writeFiles,
} from "./publish-support.js";

test("cut -i patch --yes: only the version literal changes; 1-file commit, publish, annotated tag, push", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  const before = readFileSync(appSrc);
  const base = git(dir, w.env, "rev-parse", "HEAD").trim();
  const r = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(r.code, 0, r.stderr);

  // Byte for byte: the file is the old one with "1.2.3" -> "1.2.4" in the vsn entry only.
  const after = readFileSync(appSrc);
  const expected = Buffer.from(before.toString("latin1").replace('{vsn,   "1.2.3"}', '{vsn,   "1.2.4"}'), "latin1");
  assert.deepEqual(after, expected);
  assert.match(after.toString(), /\{env, \[\{vsn, "not this one"\}\]\}/);

  // One commit, one file, message = tag; an annotated tag on it; both pushed.
  assert.equal(git(dir, w.env, "rev-parse", "HEAD~1").trim(), base);
  assert.equal(git(dir, w.env, "show", "--name-only", "--format=%s", "HEAD").trim(), "v1.2.4\n\nsrc/demo.app.src");
  assert.equal(git(dir, w.env, "cat-file", "-t", "v1.2.4").trim(), "tag");
  assert.equal(git(dir, w.env, "rev-parse", "v1.2.4^{commit}").trim(), git(dir, w.env, "rev-parse", "HEAD").trim());
  const remote = git(origin, w.env, "for-each-ref", "--format=%(refname) %(objectname)");
  assert.match(remote, new RegExp(`refs/heads/main ${git(dir, w.env, "rev-parse", "HEAD").trim()}`));
  assert.match(remote, /refs\/tags\/v1\.2\.4 /);
  assert.equal(git(dir, w.env, "status", "--porcelain"), "");

  // The release carries the new .app.src.
  assert.ok(release(w, "demo", "1.2.4"));
  assert.deepEqual(
    publishes(w.server).map((p) => p.query.replace),
    ["false"],
  );
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^Committed src\/demo\.app\.src as v1\.2\.4 \([0-9a-f]{12}\)$/);
  assert.match(lines[1]!, /^Package published to .*\/packages\/demo\/1\.2\.4 \([0-9a-f]{64}\)$/);
  assert.deepEqual(lines.slice(-2), ["Tagged v1.2.4", "Pushed main and v1.2.4 to origin"]);
  assert.match(r.stderr, /Cutting demo 1\.2\.3 -> 1\.2\.4 \(tag v1\.2\.4\)/);
});

test("--dry-run prints every git command and publish step, and changes nothing anywhere", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  const before = readFileSync(appSrc);
  const state = gitState(w, dir, origin);
  const r = await w.hexts(["cut", "-i", "minor", "--dry-run"], dir, { HEX_API_KEY: undefined });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n").slice(0, 7), [
    "Dry run: nothing was changed. hexts cut would, for demo 1.2.3 -> 1.3.0:",
    '  1. rewrite the version in src/demo.app.src: "1.2.3" -> "1.3.0"',
    "  2. git commit --only -m v1.3.0 -- src/demo.app.src",
    `  3. publish demo 1.3.0 to the server at ${w.server.apiUrl}`,
    "  4. git tag -a v1.3.0 -m v1.3.0",
    "  5. git push origin refs/heads/main:refs/heads/main",
    "  6. git push origin refs/tags/v1.3.0",
  ]);
  assert.match(r.stdout, /Dry run: demo 1\.2\.3 was not published \(package checksum [0-9a-f]{64}/);
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.deepEqual(readFileSync(appSrc), before);
  assert.equal(w.server.requests.length, 0);

  const json = jsonDoc(
    await w.hexts(["cut", "--version", "2.0.0", "--prefix-tag", "false", "--no-push", "--dry-run", "--json"], dir),
  );
  assert.equal(json.ok, true);
  assert.equal(json.data.to, "2.0.0");
  assert.equal(json.data.tag, "2.0.0");
  assert.deepEqual(json.data.steps, [
    'rewrite the version in src/demo.app.src: "1.2.3" -> "2.0.0"',
    "git commit --only -m 2.0.0 -- src/demo.app.src",
    `publish demo 2.0.0 to the server at ${w.server.apiUrl}`,
    "git tag -a 2.0.0 -m 2.0.0",
  ]);
  assert.deepEqual(gitState(w, dir, origin), state);
});

test("--pre, --version X (mapped to --set-version) and --prefix-tag false", async (t) => {
  const w = await world(t);
  const { dir } = gitProject(w);
  const pre = await w.hexts(["cut", "-i", "minor", "--pre", "rc", "--yes", "--no-push"], dir);
  assert.equal(pre.code, 0, pre.stderr);
  assert.ok(release(w, "demo", "1.3.0-rc.0"));
  const next = await w.hexts(["cut", "--pre", "rc", "--yes", "--no-push"], dir);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(release(w, "demo", "1.3.0-rc.1"));
  const exact = await w.hexts(["cut", "--version", "1.3.0", "--prefix-tag", "false", "--yes", "--no-push"], dir);
  assert.equal(exact.code, 0, exact.stderr);
  assert.ok(release(w, "demo", "1.3.0"));
  assert.deepEqual(git(dir, w.env, "tag", "--list").trim().split("\n"), ["1.3.0", "v1.3.0-rc.0", "v1.3.0-rc.1"]);
  assert.match(exact.stdout, /Not pushed \(--no-push\): the commit and the tag 1\.3\.0 are local/);

  const bad = await w.hexts(["cut", "--version", "1.3", "--yes"], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /the version "1\.3" is not a valid semantic version/);
  const same = await w.hexts(["cut", "--version", "1.3.0", "--prefix-tag", "false", "--yes"], dir);
  assert.equal(same.code, 2);
  assert.match(same.stderr, /demo is already at version 1\.3\.0/);
});

test("mix.exs: the @version attribute, or the version: literal, and nothing else", async (t) => {
  const w = await world(t);
  const dir = mixProject(join(w.tmp, "mixdemo"));
  gitRepo(dir, w.env);
  const before = readFileSync(join(dir, "mix.exs"), "utf8");
  const r = await w.hexts(["cut", "-i", "major", "--yes", "--no-push"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(dir, "mix.exs"), "utf8"), before.replace('@version "0.4.0"', '@version "1.0.0"'));
  assert.ok(release(w, "mixdemo", "1.0.0"));

  const lit = mixProject(join(w.tmp, "mixlit"), { name: "mixlit", attribute: false, version: "0.1.0" });
  gitRepo(lit, w.env);
  const before2 = readFileSync(join(lit, "mix.exs"), "utf8");
  const r2 = await w.hexts(["cut", "-i", "patch", "--yes", "--no-push"], lit);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(readFileSync(join(lit, "mix.exs"), "utf8"), before2.replace('version: "0.1.0"', 'version: "0.1.1"'));
});

test("a dirty work tree, no upstream, a detached HEAD or an existing tag: refused before any change", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w);
  writeFiles(dir, { "notes.txt": "scratch\n" });
  const dirty = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(dirty.code, 1);
  assert.match(dirty.stderr, /the git work tree is not clean; commit, stash or remove these changes first/);
  assert.match(dirty.stderr, /\?\? notes\.txt/);
  git(dir, w.env, "add", "notes.txt");
  git(dir, w.env, "commit", "-q", "-m", "notes");
  const state = gitState(w, dir, origin);

  git(dir, w.env, "tag", "v1.2.4");
  const tagged = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(tagged.code, 1);
  assert.match(tagged.stderr, /the git tag v1\.2\.4 already exists/);
  git(dir, w.env, "tag", "-d", "v1.2.4");

  git(dir, w.env, "branch", "--unset-upstream");
  const noUpstream = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(noUpstream.code, 1);
  assert.match(
    noUpstream.stderr,
    /branch main has no upstream to push to; set one \(`git push -u origin main`\), or pass --no-push/,
  );

  git(dir, w.env, "checkout", "-q", "--detach");
  const detached = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.match(detached.stderr, /HEAD is detached/);
  git(dir, w.env, "checkout", "-q", "main");

  const noYes = await w.hexts(["cut", "-i", "patch", "--no-push"], dir);
  assert.equal(noYes.code, 2);
  assert.match(noYes.stderr, /this run cannot prompt, so pass --yes/);
  const noIncrement = await w.hexts(["cut", "--yes", "--no-push"], dir);
  assert.equal(noIncrement.code, 2);
  assert.match(noIncrement.stderr, /--increment major\|minor\|patch, --pre LABEL or --version X/);

  assert.deepEqual({ ...gitState(w, dir, origin), remote: undefined }, { ...state, remote: undefined });
  assert.equal(w.server.requests.filter(isWrite).length, 0);
});

test("publish fails (version taken): the commit is undone and the file restored, said line by line", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  const before = readFileSync(appSrc);
  w.server.addRelease({ owner: "ana", tarball: buildTarball({ name: "demo", version: "1.2.4" }) });
  const state = gitState(w, dir, origin);
  const r = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      /demo 1\.2\.4 is already published; to overwrite it, publish again with --replace\. .* /.source +
        /\(hexts cut undid its changes, see below\)/.source,
    ),
  );
  assert.match(r.stderr, /\n  undid: removed the commit v1\.2\.4 \(git reset --keep [0-9a-f]{40}\)\n/);
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.deepEqual(readFileSync(appSrc), before);

  // Failing checks after the rewrite (a broken dependency) are undone the same way; --json keeps the lines.
  writeFiles(dir, {
    "rebar.config": "{deps, [nosuch]}.\n",
    "rebar.lock":
      '{"1.2.0",\n[{<<"nosuch">>,{pkg,<<"nosuch">>,<<"1.0.0">>},0}]}.\n[\n{pkg_hash,[]},\n{pkg_hash_ext,[]}\n].\n',
  });
  git(dir, w.env, "commit", "-q", "-am", "dep");
  const state2 = gitState(w, dir, origin);
  const json = await w.hexts(["cut", "-i", "minor", "--yes", "--json"], dir);
  assert.equal(json.code, 1);
  const doc = jsonDoc(json);
  assert.equal(doc.error.code, "VALIDATION_FAILED");
  assert.ok(doc.error.lines.some((l: string) => /^requirements\.nosuch: /.test(l)));
  assert.ok(doc.error.lines.some((l: string) => /^undid: removed the commit v1\.3\.0/.test(l)));
  assert.deepEqual(gitState(w, dir, origin), state2);
});

test("an upload cut mid-way during cut: outcome unknown, local changes undone, one upload in the log", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w);
  const state = gitState(w, dir, origin);
  w.server.fault({ method: "POST", path: "/api/packages/demo/releases", fault: { kind: "reset-mid-body" } });
  const r = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /whether it was published is unknown/);
  assert.match(r.stderr, /undid: removed the commit v1\.2\.4/);
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.equal(publishes(w.server).length, 1);
});

test("{vsn, git}: the tag comes first (the version is read from it); a failed publish deletes it", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w, "gitvsn", { vsn: "git" });
  git(dir, w.env, "tag", "-a", "v0.3.0", "-m", "v0.3.0");
  git(dir, w.env, "commit", "-q", "--allow-empty", "-m", "work");
  const r = await w.hexts(["cut", "-i", "minor", "--yes"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      /Cutting gitvsn 0\.3\.0\+build\.\d+\.ref[0-9a-f]+ -> 0\.4\.0 \(tag v0\.4\.0\)\n/.source +
        /  1\. git tag -a v0\.4\.0 -m v0\.4\.0\n  2\. publish gitvsn 0\.4\.0/.source,
    ),
  );
  assert.ok(release(w, "gitvsn", "0.4.0"));
  assert.match(git(origin, w.env, "tag", "--list"), /v0\.4\.0/);
  assert.equal(git(dir, w.env, "log", "-1", "--format=%s").trim(), "work", "no commit for {vsn, git}");

  git(dir, w.env, "commit", "-q", "--allow-empty", "-m", "more");
  w.server.fault({ method: "POST", path: "/api/packages/gitvsn/releases", fault: { kind: "status", status: 500 } });
  const state = gitState(w, dir, origin);
  const failed = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(failed.code, 4, failed.stderr);
  assert.match(failed.stderr, /undid: deleted the tag v0\.4\.1/);
  assert.deepEqual(gitState(w, dir, origin), state);
});

test("git push refused: release stays published and tagged, nothing undone; commands to finish given", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w);
  // Someone else pushed first: our branch push is not a fast-forward.
  const other = join(w.tmp, "other");
  git(w.tmp, w.env, "clone", "-q", origin, other);
  writeFiles(other, { "CHANGELOG.md": "elsewhere\n" });
  git(other, w.env, "add", "-A");
  git(other, w.env, "commit", "-q", "-m", "elsewhere");
  git(other, w.env, "push", "-q", "origin", "main");

  const r = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(release(w, "demo", "1.2.4"));
  assert.match(r.stdout, /Tagged v1\.2\.4/);
  assert.match(
    r.stderr,
    new RegExp(
      /demo 1\.2\.4 is published and tagged v1\.2\.4 locally, but pushing failed \(nothing was undone\): /.source +
        /`git push origin refs\/heads\/main:refs\/heads\/main` failed: .*rejected/.source,
      "s",
    ),
  );
  assert.match(
    r.stderr,
    /Push them yourself: git push origin refs\/heads\/main:refs\/heads\/main && git push origin refs\/tags\/v1\.2\.4/,
  );
  assert.equal(git(dir, w.env, "log", "-1", "--format=%s").trim(), "v1.2.4");
  assert.doesNotMatch(
    git(origin, w.env, "tag", "--list"),
    /v1\.2\.4/,
    "the tag is not pushed when the branch was refused",
  );
});

test("docs failing during cut: exit 5, yet the tag and the push happen (the release is public)", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w, "withdocs", { extra: { "doc/index.html": "<h1>docs</h1>\n" } });
  failDocsUpload(w, "withdocs", "1.2.4");
  const r = await w.hexts(["cut", "-i", "patch", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /Publish the docs alone with: hexts publish docs --doc-dir doc/);
  assert.match(r.stdout, /Pushed main and v1\.2\.4 to origin/);
  assert.match(git(origin, w.env, "tag", "--list"), /v1\.2\.4/);
});

test("failing local checks stop cut before the first change", async (t) => {
  const w = await world(t);
  const { dir, origin } = gitProject(w, "nolicense", { licenses: "" });
  const state = gitState(w, dir, origin);
  const r = await w.hexts(["cut", "-i", "patch", "--yes"], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Stopping package build due to errors/);
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.equal(w.server.requests.length, 0);
});

test("an umbrella app with --app, published to an organization with --organization", async (t) => {
  const w = await world(t);
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const root = join(w.tmp, "umbrella");
  writeFiles(root, { "rebar.config": "{deps, []}.\n", "rebar.lock": "[].\n", "README.md": "# umbrella\n" });
  rebar3Project(join(root, "apps", "alpha"), { name: "alpha" });
  rebar3Project(join(root, "apps", "beta"), { name: "beta", vsn: '"0.2.0"' });
  const { origin } = gitRepo(root, w.env);
  const alphaSrc = readFileSync(join(root, "apps/alpha/src/alpha.app.src"));
  const r = await w.hexts(["cut", "-a", "beta", "-i", "minor", "--organization", "acme", "--yes"], root);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(release(w, "beta", "0.3.0", "acme"));
  assert.equal(git(root, w.env, "show", "--name-only", "--format=", "HEAD").trim(), "apps/beta/src/beta.app.src");
  assert.deepEqual(readFileSync(join(root, "apps/alpha/src/alpha.app.src")), alphaSrc);
  assert.match(git(origin, w.env, "tag", "--list"), /v0\.3\.0/);
  assert.match(r.stderr, /publish beta 0\.3\.0 to the private repository of organization acme/);
});

test("--json: one document with the steps, the commit, the tag, the push and the publish result", async (t) => {
  const w = await world(t);
  const { dir } = gitProject(w);
  const r = await w.hexts(["cut", "-i", "patch", "--yes", "--json"], dir);
  assert.equal(r.code, 0, r.stderr);
  const doc = jsonDoc(r);
  assert.equal(doc.ok, true);
  assert.equal(doc.data.from, "1.2.3");
  assert.equal(doc.data.to, "1.2.4");
  assert.equal(doc.data.source, "file");
  assert.equal(doc.data.commit, git(dir, w.env, "rev-parse", "HEAD").trim());
  assert.equal(doc.data.tagged, true);
  assert.deepEqual(doc.data.push, { status: "pushed", remote: "origin", branch: "main", tag: "v1.2.4" });
  assert.equal(doc.data.publish.package.checksum, release(w, "demo", "1.2.4")!.outerChecksum);
  assert.equal(doc.data.steps.length, 6);
});

test("Ctrl-C while publishing: the undo runs to its end, even past the 3 s a cancelled run gets", async (t) => {
  const w = await world(t);
  const { dir, origin, appSrc } = gitProject(w);
  const before = readFileSync(appSrc);
  const state = gitState(w, dir, origin);
  w.server.fault({ method: "POST", path: "/api/packages/demo/releases", fault: { kind: "slow", delayMs: 20_000 } });
  // The real git, except that undoing the commit takes 4 s.
  const realGit = findExecutable("git")!;
  const bin = fakeTool(join(w.tmp, "slow-git"), "git", `[ "$1" = reset ] && sleep 4\nexec ${realGit} "$@"`);
  const child = spawn(process.execPath, [binPath, "cut", "-i", "patch", "--yes"], {
    cwd: dir,
    env: baseEnv({ ...w.env, HEX_API_KEY: w.ana.apiKey, PATH: `${bin}:${toolsPath()}` }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  for (let i = 0; i < 400 && !w.server.requests.some(isPublishRequest); i++)
    await new Promise((r) => setTimeout(r, 25));
  assert.ok(w.server.requests.some(isPublishRequest), `the publish request never came: ${stderr}`);
  child.kill("SIGINT");
  assert.equal(await closed, 130, stderr);
  assert.match(stderr, /undid: removed the commit v1\.2\.4/);
  assert.deepEqual(gitState(w, dir, origin), state);
  assert.deepEqual(readFileSync(appSrc), before);
});

const isPublishRequest = (r: { method: string; path: string }) =>
  r.method === "POST" && r.path === "/api/packages/demo/releases";
