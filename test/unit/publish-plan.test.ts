// planPublish without a server, files or prompts: from a checked project, the package's size and checksum, the API
// URL, the docs source and the run's options, what publish will show, build, upload and ask. One line per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HextsError } from "../../src/errors.js";
import { planPublish, targetLine, type PublishPlanInput } from "../../src/commands/publish/plan.js";
import type { DocsSource } from "../../src/commands/publish/docs.js";
import type { PackageSummary, PackageTarget } from "../../src/build/pipeline.js";

const HEXPM_API = "https://hex.pm/api";
const LOCAL_API = "http://127.0.0.1:4000/api";
const CHECKSUM = "ab".repeat(32);

function summary(target: PackageTarget, o: Partial<PackageSummary> = {}): PackageSummary {
  return {
    tool: "rebar3",
    name: "demo",
    version: "1.2.3",
    app: "demo",
    repository: target.repository,
    ...(target.organization ? { organization: target.organization } : {}),
    licenses: ["Apache-2.0"],
    links: {},
    buildTools: ["rebar3"],
    requirements: [],
    files: ["src/demo.app.src"],
    ...o,
  };
}

function input(o: Partial<PublishPlanInput> & { target?: PackageTarget } = {}): PublishPlanInput {
  const target = o.target ?? { repository: "hexpm" };
  return {
    options: {},
    checked: { summary: summary(target), target, problems: [], project: {} },
    package: { size: 2048, outerChecksum: CHECKSUM },
    apiUrl: LOCAL_API,
    docs: { kind: "dir", dir: "/p/doc" },
    interactive: false,
    yes: true,
    ...o,
  };
}

test("targetLine: hex.pm's public repository, another server, an organization, a configured repository", () => {
  const cases: [PackageTarget, string, string][] = [
    [{ repository: "hexpm" }, HEXPM_API, `public repository hexpm at ${HEXPM_API}`],
    [{ repository: "hexpm" }, `${HEXPM_API}/`, `public repository hexpm at ${HEXPM_API}/`],
    [{ repository: "hexpm" }, LOCAL_API, `the server at ${LOCAL_API}`],
    [
      { repository: "hexpm:acme", organization: "acme" },
      HEXPM_API,
      `the private repository of organization acme (hexpm:acme) at ${HEXPM_API}`,
    ],
    [{ repository: "mycompany" }, LOCAL_API, `repository mycompany at ${LOCAL_API}`],
  ];
  for (const [target, apiUrl, want] of cases) assert.equal(targetLine(target, apiUrl), want);
});

test("what is shown: heading, summary, warnings only, the package line, the code of conduct for hexpm", () => {
  const plan = planPublish(
    input({
      checked: {
        summary: summary({ repository: "hexpm" }),
        target: { repository: "hexpm" },
        problems: [
          { severity: "warning", message: "no links" },
          { severity: "error", message: "never shown as a warning" },
        ],
        project: { notes: ["read rebar.config"] },
      },
    }),
  );
  assert.equal(plan.heading, "Publishing demo 1.2.3");
  assert.equal(plan.summary?.name, "demo");
  assert.deepEqual(plan.notes, ["read rebar.config"]);
  assert.deepEqual(plan.warnings, ["no links"]);
  assert.equal(plan.packageLine, `Package: 2.0 KB, checksum ${CHECKSUM}`);
  assert.equal(
    plan.codeOfConduct,
    "Before publishing, please read the Code of Conduct: https://hex.pm/policies/codeofconduct",
  );
  assert.equal(plan.targetLine, `Publishing to the server at ${LOCAL_API}`);
  assert.deepEqual(plan.ref, { name: "demo", version: "1.2.3", organization: undefined, repository: "hexpm" });
  assert.deepEqual(plan.result, {
    name: "demo",
    version: "1.2.3",
    app: "demo",
    repository: "hexpm",
    apiUrl: LOCAL_API,
    warnings: ["no links"],
  });

  const org = { repository: "hexpm:acme", organization: "acme" };
  const orgPlan = planPublish(
    input({ target: org, checked: { summary: summary(org), target: org, problems: [], project: {} } }),
  );
  assert.equal(orgPlan.codeOfConduct, undefined, "no hex.pm code of conduct for a private repository");
  assert.equal(orgPlan.result.organization, "acme");

  const docsOnly = planPublish(input({ options: { what: "docs" } }));
  assert.equal(docsOnly.heading, "Publishing docs for demo 1.2.3");
  assert.equal(docsOnly.summary, undefined);
  assert.equal(docsOnly.packageLine, undefined);

  const dry = planPublish(input({ options: { dryRun: true } }));
  assert.equal(dry.targetLine, `Publishing to the server at ${LOCAL_API} (dry run: nothing will be uploaded)`);
});

test("the docs step: --doc-dir, the generator, none (package alone, warning), missing for `publish docs`", () => {
  const generate: DocsSource = { kind: "generate", command: "rebar3", args: ["ex_doc"], cwd: "/p", dir: "/p/doc" };
  const none: DocsSource = { kind: "none", reason: "No doc generator is configured" };
  const how =
    "generate the docs yourself and pass --doc-dir DIR, or publish the package alone with `hexts publish package`";
  const cases: [PublishPlanInput, unknown][] = [
    [input(), { kind: "dir", dir: "/p/doc" }],
    [input({ docs: generate }), { kind: "generate", source: generate, line: "Generating docs: rebar3 ex_doc" }],
    [
      input({ docs: none }),
      {
        kind: "none",
        reason: `No doc generator is configured; ${how}`,
        warning:
          "No doc generator is configured, so the package will be published WITHOUT docs; " + `to publish docs, ${how}`,
      },
    ],
    [
      input({ docs: none, options: { dryRun: true } }),
      {
        kind: "none",
        reason: `No doc generator is configured; ${how}`,
        warning:
          "No doc generator is configured, so the package would be published WITHOUT docs; " +
          `to publish docs, ${how}`,
      },
    ],
    [
      input({ docs: none, options: { what: "docs" } }),
      {
        kind: "missing",
        message: "no docs to publish: No doc generator is configured; generate them and pass --doc-dir DIR",
      },
    ],
    [
      input({ docs: undefined, options: { what: "package" } }),
      { kind: "skipped", note: "`package` given: the docs are not published" },
    ],
  ];
  for (const [i, [given, want]] of cases.entries()) assert.deepEqual(planPublish(given).docs, want, `case ${i}`);
});

test("the questions: none with --dry-run; owner choice only for a new hexpm package on a terminal, no --yes", () => {
  const acme = { repository: "hexpm:acme", organization: "acme" };
  const cases: [string, PublishPlanInput, unknown][] = [
    ["dry run", input({ options: { dryRun: true }, interactive: true, yes: false }), undefined],
    ["--yes", input(), { ownerChoice: false, proceed: "Proceed?" }],
    ["terminal", input({ interactive: true, yes: false }), { ownerChoice: true, proceed: "Proceed?" }],
    [
      "docs only",
      input({ options: { what: "docs" }, interactive: true, yes: false }),
      { ownerChoice: false, proceed: "Proceed?" },
    ],
    [
      "organization",
      input({
        target: acme,
        checked: { summary: summary(acme), target: acme, problems: [], project: {} },
        interactive: true,
        yes: false,
      }),
      { ownerChoice: false, proceed: "Proceed?" },
    ],
    [
      "cut's note",
      input({ hooks: { proceedNote: "the commit is made" } }),
      { ownerChoice: false, proceed: "Proceed (the commit is made)?" },
    ],
  ];
  for (const [name, given, want] of cases) assert.deepEqual(planPublish(given).confirmations, want, name);
});

test("upload options, the docs retry command carry --app, --organization, --doc-dir, --replace, --no-progress", () => {
  const acme = { repository: "hexpm:acme", organization: "acme" };
  const plan = planPublish(
    input({
      target: acme,
      checked: { summary: summary(acme), target: acme, problems: [], project: {} },
      options: { app: "demo", docDir: "doc", replace: true, progress: false, organization: "acme" },
    }),
  );
  assert.equal(plan.docsRetry, "hexts publish docs --app demo --organization acme --doc-dir doc");
  assert.equal(plan.replace, true);
  assert.equal(plan.progress, false);
  const plain = planPublish(input());
  assert.equal(plain.docsRetry, "hexts publish docs");
  assert.equal(plain.replace, false, "replace=false unless asked (hex.pm's default is true)");
  assert.equal(plain.progress, true);
});

test("cut's expected version: a project that does not read as it is refused before anything is shown", () => {
  assert.equal(planPublish(input({ hooks: { expectVersion: "1.2.3" } })).ref.version, "1.2.3");
  assert.throws(
    () => planPublish(input({ hooks: { expectVersion: "1.2.4" } })),
    (e: unknown) =>
      e instanceof HextsError &&
      e.code === "PROJECT_INVALID" &&
      e.message === "the project reads as version 1.2.3 after the change, not 1.2.4; nothing was uploaded",
  );
});
