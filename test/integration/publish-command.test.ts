// `publish` in-process: the read, plan and execute steps and the task function, called with a real Context (a temp
// home, the real output sink captured, settings resolved as a run does) against the local Hex server. The spawned
// CLI is covered by test/e2e/publish-*.test.ts; these tests hold the steps' contract: what the plan says is what
// execute shows and sends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import { publish, renderPublishOutcome } from "../../src/commands/publish.js";
import {
  executePublish,
  planFromInputs,
  publishExitCode,
  readPublish,
  type PublishResult,
} from "../../src/commands/publish/flow.js";
import { commandContext, scriptedPrompter } from "../support/command-context.js";
import {
  failDocsUpload,
  isDocsUpload,
  isWrite,
  projectWithDocs,
  publishes,
  release,
  world,
} from "../e2e/publish-support.js";

/** Asserts that `lines` appear in `text` in this order. */
function inOrder(text: string, lines: string[]): void {
  let at = -1;
  for (const line of lines) {
    const next = text.indexOf(line, at + 1);
    assert.ok(next > at, `${JSON.stringify(line)} after the previous lines in:\n${text}`);
    at = next;
  }
}

test("read, plan, execute: nothing sent before execute; it shows the plan's lines, uploads its tarball", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const run = await commandContext(t, { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey }, yes: true });
  const { ctx } = run;

  const inputs = await readPublish(ctx, { docDir: "doc" });
  const plan = planFromInputs(ctx, { docDir: "doc" }, inputs);
  assert.equal(w.server.requests.length, 0, "reading and planning send nothing");
  assert.equal(run.stderr(), "", "and print nothing");
  assert.equal(plan.targetLine, `Publishing to the server at ${w.server.apiUrl}`);
  assert.equal(plan.docs.kind, "dir");
  assert.deepEqual(plan.confirmations, { ownerChoice: false, proceed: "Proceed?" });

  const result = await executePublish(ctx, plan, inputs);
  const stored = release(w, "demo", "1.2.3")!;
  assert.equal(stored.outerChecksum, inputs.package!.outerChecksum, "the planned tarball is the one stored");
  assert.equal(stored.hasDocs, true);
  assert.deepEqual(result.package, {
    published: true,
    replaced: false,
    checksum: stored.outerChecksum,
    size: inputs.package!.size,
    htmlUrl: `${w.server.url}/packages/demo/1.2.3`,
    url: `${w.server.apiUrl}/packages/demo/releases/1.2.3`,
  });
  assert.equal(result.docs.status, "published");
  assert.equal(publishExitCode(result), 0);
  inOrder(run.stderr(), [
    plan.heading,
    "  Files:",
    plan.packageLine!,
    plan.codeOfConduct!,
    plan.targetLine,
    "Uploading demo 1.2.3:",
    "Uploading docs for demo 1.2.3:",
  ]);
  assert.equal(run.stdout(), "", "the steps return the result; rendering it is the runner's");
  assert.deepEqual(
    publishes(w.server).map((r) => r.query),
    [{ replace: "false" }],
  );

  renderPublishOutcome(result, ctx.out);
  assert.equal(
    run.stdout(),
    `Package published to ${w.server.url}/packages/demo/1.2.3 (${stored.outerChecksum})\n` +
      `Docs published, available soon at ${w.server.url}/docs/demo/1.2.3/\n`,
  );
});

test("the task function: --dry-run without a credential sends nothing and returns the planned package", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const { ctx, stderr } = await commandContext(t, { cwd: dir, env: w.env });
  const result = (await publish(ctx, { dryRun: true })) as PublishResult;
  assert.equal(w.server.requests.length, 0);
  assert.equal(result.dryRun, true);
  assert.equal(result.package?.published, false);
  assert.match(result.package!.checksum, /^[0-9a-f]{64}$/);
  assert.equal(result.docs.status, "none", "no --doc-dir and no generator configured");
  assert.match(stderr(), /warning: No doc generator is configured .*, so the package would be published WITHOUT docs/);
  assert.match(stderr(), /\(dry run: nothing will be uploaded\)/);
});

test("cannot prompt, no --yes: the Proceed question fails the run after the checks, nothing is sent", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const { ctx } = await commandContext(t, { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey } });
  await assert.rejects(
    publish(ctx, { what: "package" }),
    (e: unknown) => e instanceof HextsError && e.code === "INPUT_REQUIRED" && /Proceed/.test(e.message),
  );
  assert.equal(w.server.requests.filter(isWrite).length, 0);
});

test("the plan's questions on a terminal: the owner choice, then Proceed; no, then yes with a transfer", async (t) => {
  const w = await world(t);
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const dir = projectWithDocs(w, "fresh");
  const env = { ...w.env, HEX_API_KEY: w.ana.apiKey };

  const declined: string[] = [];
  const no = await commandContext(t, { cwd: dir, env, prompt: scriptedPrompter(["@yourself", "n"], declined) });
  await assert.rejects(
    publish(no.ctx, { what: "package" }),
    (e: unknown) =>
      e instanceof HextsError && e.code === "CANCELLED" && e.message === "cancelled: nothing was uploaded",
  );
  assert.deepEqual(declined, ["Owner of the new package:", "Proceed?"]);
  assert.equal(w.server.requests.filter(isWrite).length, 0);

  const asked: string[] = [];
  const yes = await commandContext(t, { cwd: dir, env, prompt: scriptedPrompter(["acme", "y"], asked) });
  const result = (await publish(yes.ctx, { what: "package" })) as PublishResult;
  assert.deepEqual(asked, ["Owner of the new package:", "Proceed?"]);
  assert.deepEqual(result.owner, { organization: "acme", transferred: true });
  assert.equal(result.docs.status, "skipped");
  const owners = [...w.state.findPackage("hexpm", "fresh")!.owners].map(
    ([id, level]) => `${w.state.users.get(id)!.username}:${level}`,
  );
  assert.deepEqual(owners, ["acme:full"]);
  assert.match(yes.stderr(), /`package` given: the docs are not published/);
});

test("docs refused after the package: a failed result with the plan's retry command (exit 5), no throw", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  failDocsUpload(w, "demo", "1.2.3");
  const { ctx } = await commandContext(t, { cwd: dir, env: { ...w.env, HEX_API_KEY: w.ana.apiKey }, yes: true });
  const result = (await publish(ctx, { docDir: "doc", app: "demo" })) as PublishResult;
  assert.ok(release(w, "demo", "1.2.3"), "the package is published");
  assert.equal(result.docs.status, "failed");
  assert.equal(result.docs.status === "failed" && result.docs.retry, "hexts publish docs --app demo --doc-dir doc");
  assert.equal(publishExitCode(result), 5);
  assert.ok(w.server.requests.filter(isDocsUpload).length >= 1);
});
