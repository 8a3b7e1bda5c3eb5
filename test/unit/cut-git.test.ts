// The git layer of `hexts cut`: how commands are shown, and the queries against a real temporary repository.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HextsError } from "../../src/errors.js";
import { Git, formatGitCommand } from "../../src/git/git.js";

test("formatGitCommand quotes only what a shell would split", () => {
  const cases: [string[], string][] = [
    [["tag", "-a", "v1.2.3", "-m", "v1.2.3"], "git tag -a v1.2.3 -m v1.2.3"],
    [["commit", "-m", "two words"], "git commit -m 'two words'"],
    [["commit", "-m", "it's"], "git commit -m 'it'\\''s'"],
    [["push", "origin", "refs/heads/main:refs/heads/main"], "git push origin refs/heads/main:refs/heads/main"],
    [["add", "--", "src/a b.erl"], "git add -- 'src/a b.erl'"],
  ];
  for (const [args, want] of cases) assert.equal(formatGitCommand(args), want);
});

test("Git: top level, changes, head, branch, upstream, tags, tracked files, failures with git's reason", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "hexts-git-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(dir, ".gitconfig"),
    HOME: dir,
  };
  writeFileSync(join(dir, ".gitconfig"), "[user]\n\tname = T\n\temail = t@example.com\n");
  const repo = join(dir, "repo");
  const sh = (...args: string[]) => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" });
  sh("init", "-q", "-b", "main", repo);
  const git = new Git(repo, { env });

  await assert.rejects(
    new Git(dir, { env }).topLevel(),
    (e: unknown) => e instanceof HextsError && e.code === "GIT" && /is not inside a git work tree/.test(e.message),
  );
  assert.equal(await git.head(), undefined, "no commit yet");
  writeFileSync(join(repo, "a.txt"), "a\n");
  assert.deepEqual(await git.changes(), ["?? a.txt"]);
  assert.equal(await git.tracked("a.txt"), false);
  await git.run(["add", "a.txt"]);
  await git.run(["commit", "-q", "-m", "one"]);
  assert.deepEqual(await git.changes(), []);
  assert.match((await git.head())!, /^[0-9a-f]{40}$/);
  assert.equal(await git.branch(), "main");
  assert.equal(await git.upstream("main"), undefined);
  await git.run(["config", "branch.main.remote", "origin"]);
  await git.run(["config", "branch.main.merge", "refs/heads/trunk"]);
  assert.deepEqual(await git.upstream("main"), { remote: "origin", ref: "refs/heads/trunk" });
  assert.equal(await git.tracked("a.txt"), true);
  assert.equal(await git.tagExists("v1"), false);
  await git.run(["tag", "-a", "v1", "-m", "v1"]);
  assert.equal(await git.tagExists("v1"), true);
  await git.run(["checkout", "-q", "--detach"]);
  assert.equal(await git.branch(), undefined);
  await assert.rejects(
    git.run(["tag", "-a", "v1", "-m", "again"]),
    (e: unknown) =>
      e instanceof HextsError &&
      e.code === "GIT" &&
      /^`git tag -a v1 -m again` failed: fatal: tag 'v1' already exists$/.test(e.message),
  );
});
