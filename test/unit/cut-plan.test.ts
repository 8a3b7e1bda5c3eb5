// cut's pure steps without git, files or a server: the preconditions checked from git's answers, and the plan (the
// exact git commands, the numbered steps, the publish options, the push question) from the facts and the version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import {
  checkCutPreconditions,
  planCut,
  tagFor,
  type CutPlanInput,
  type GitFacts,
} from "../../src/commands/cut/plan.js";

const HEAD = "1".repeat(40);
const API = "http://127.0.0.1:4000/api";
const origin = { remote: "origin", ref: "refs/heads/main" };
const clean: GitFacts = { dirty: [], head: HEAD, branch: "main", upstream: origin };
const asks = { push: true, dryRun: false, interactive: false, yes: true };

function refused(code: string, pattern: RegExp) {
  return (e: unknown) => e instanceof HextsError && e.code === code && pattern.test(e.message);
}

test("preconditions, in the order they are reported", () => {
  const cases: [string, GitFacts, typeof asks, string, RegExp][] = [
    ["dirty", { ...clean, dirty: [" M src/demo.erl"] }, asks, "GIT", /^the git work tree is not clean/],
    ["dirty before no commit", { dirty: ["?? a"] }, asks, "GIT", /not clean/],
    ["no commit", { dirty: [] }, asks, "GIT", /^the repository has no commit yet/],
    ["detached", { ...clean, branch: undefined }, asks, "GIT", /^HEAD is detached/],
    ["no upstream", { ...clean, upstream: undefined }, asks, "GIT", /^branch main has no upstream .* --no-push$/],
    ["cannot ask", clean, { ...asks, yes: false }, "INPUT_REQUIRED", /this run cannot prompt, so pass --yes/],
    ["git before asking", { ...clean, upstream: undefined }, { ...asks, yes: false }, "GIT", /has no upstream/],
  ];
  for (const [name, facts, o, code, pattern] of cases)
    assert.throws(() => checkCutPreconditions(facts, o), refused(code, pattern), name);

  const many = Array.from({ length: 12 }, (_, i) => `?? f${i}`);
  assert.throws(
    () => checkCutPreconditions({ ...clean, dirty: many }, asks),
    (e: unknown) =>
      e instanceof HextsError &&
      e.lines.length === 11 &&
      e.lines[0] === "  ?? f0" &&
      e.lines[10] === "  ... and 2 more",
  );
});

test("preconditions that pass: --no-push needs no branch or upstream; --dry-run and a terminal need no --yes", () => {
  const cases: [string, GitFacts, typeof asks, unknown][] = [
    ["all there", clean, asks, { head: HEAD, branch: "main", upstream: origin }],
    ["--no-push, detached", { dirty: [], head: HEAD }, { ...asks, push: false }, { head: HEAD }],
    ["--no-push drops the upstream", clean, { ...asks, push: false }, { head: HEAD, branch: "main" }],
    ["--dry-run", clean, { ...asks, yes: false, dryRun: true }, { head: HEAD, branch: "main", upstream: origin }],
    ["terminal", clean, { ...asks, yes: false, interactive: true }, { head: HEAD, branch: "main", upstream: origin }],
  ];
  for (const [name, facts, o, want] of cases) assert.deepEqual(checkCutPreconditions(facts, o), want, name);
});

function input(o: Partial<CutPlanInput> = {}): CutPlanInput {
  return {
    options: { dryRun: false, push: true, prefixTag: true },
    git: { head: HEAD, branch: "main", upstream: origin },
    project: { name: "demo", version: "1.2.3" },
    versionFile: "src/demo.app.src",
    to: "1.2.4",
    tagTaken: false,
    target: { repository: "hexpm" },
    apiUrl: API,
    ...o,
  };
}

test("a version file: rewrite, one-file commit, publish, tag, then the branch and tag pushes", () => {
  const plan = planCut(input({ app: "demo", options: { dryRun: false, push: true, prefixTag: true, replace: true } }));
  assert.equal(plan.tag, "v1.2.4");
  assert.equal(plan.source, "file");
  assert.equal(plan.file, "src/demo.app.src");
  assert.deepEqual(plan.commitArgs, ["commit", "--only", "-m", "v1.2.4", "--", "src/demo.app.src"]);
  assert.deepEqual(plan.tagArgs, ["tag", "-a", "v1.2.4", "-m", "v1.2.4"]);
  assert.deepEqual(plan.pushArgs, [
    ["push", "origin", "refs/heads/main:refs/heads/main"],
    ["push", "origin", "refs/tags/v1.2.4"],
  ]);
  assert.deepEqual(plan.steps, [
    'rewrite the version in src/demo.app.src: "1.2.3" -> "1.2.4"',
    "git commit --only -m v1.2.4 -- src/demo.app.src",
    `publish demo 1.2.4 to the server at ${API}`,
    "git tag -a v1.2.4 -m v1.2.4",
    "git push origin refs/heads/main:refs/heads/main",
    "git push origin refs/tags/v1.2.4",
  ]);
  assert.deepEqual(plan.lines, [
    "Cutting demo 1.2.3 -> 1.2.4 (tag v1.2.4)",
    ...plan.steps.map((s, i) => `  ${i + 1}. ${s}`),
  ]);
  assert.equal(plan.pushQuestion, "Push main and tag v1.2.4 to origin?");
  assert.deepEqual(plan.push, { remote: "origin", branch: "main" });
  assert.deepEqual(plan.publish, {
    dryRun: false,
    replace: true,
    progress: undefined,
    app: "demo",
    docDir: undefined,
    organization: undefined,
    repo: "hexpm",
  });
});

test("{vsn, git}: the tag first, no commit; --prefix-tag false, --no-push, --dry-run and an organization", () => {
  const acme = { repository: "hexpm:acme", organization: "acme" };
  const plan = planCut(
    input({
      versionFile: undefined,
      to: "2.0.0",
      target: acme,
      options: { dryRun: true, push: false, prefixTag: false },
    }),
  );
  assert.equal(plan.tag, "2.0.0");
  assert.equal(plan.source, "git");
  assert.equal(plan.file, undefined);
  assert.equal(plan.commitArgs, undefined);
  assert.deepEqual(plan.pushArgs, []);
  assert.equal(plan.pushQuestion, undefined);
  assert.deepEqual(plan.steps, [
    "git tag -a 2.0.0 -m 2.0.0",
    `publish demo 2.0.0 to the private repository of organization acme (hexpm:acme) at ${API}`,
  ]);
  assert.deepEqual(plan.lines.slice(-1), ["  (--no-push: the branch and the tag stay local)"]);
  assert.match(plan.lines[0]!, /: dry run, nothing will change$/);
  assert.equal(plan.publish.organization, "acme");
  assert.equal(plan.publish.repo, undefined, "the organization names the repository");
  assert.equal(plan.publish.dryRun, true);

  const dryFile = planCut(input({ options: { dryRun: true, push: true, prefixTag: true } }));
  assert.equal(
    dryFile.lines.at(-1),
    "Dry run: the checks below read the files as they are now (version 1.2.3); the release would be 1.2.4",
  );
});

test("the same version, or a tag that exists: refused", () => {
  assert.throws(() => planCut(input({ to: "1.2.3" })), refused("USAGE", /^demo is already at version 1\.2\.3/));
  assert.throws(
    () => planCut(input({ tagTaken: true })),
    refused("GIT", /^the git tag v1\.2\.4 already exists; delete it \(`git tag -d v1\.2\.4`\)/),
  );
  assert.deepEqual([tagFor("1.0.0", true), tagFor("1.0.0", false)], ["v1.0.0", "1.0.0"]);
});
