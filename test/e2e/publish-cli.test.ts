// `hexts publish` end to end, not interactive: the built CLI against the local Hex server with real projects on disk.
// Every flag, every failure path the issue names, and the server's log proving replace=false by default and
// that nothing is ever uploaded twice. Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { buildTarball } from "../support/hex-server/index.js";
import { runHexts, toolsPath } from "../support/cli.js";
import {
  failDocsUpload,
  fakeTool,
  isDocsUpload,
  isWrite,
  jsonDoc,
  mixProject,
  oauthLogin,
  projectWithDocs,
  publishes,
  rebar3Project,
  release,
  world,
  writeFiles,
} from "./publish-support.js";

const PublishDoc = z.object({
  ok: z.literal(true),
  data: z.object({
    name: z.string(),
    version: z.string(),
    app: z.string(),
    repository: z.string(),
    organization: z.string().optional(),
    apiUrl: z.string(),
    dryRun: z.boolean(),
    package: z
      .object({
        published: z.boolean(),
        replaced: z.boolean().optional(),
        checksum: z.string().regex(/^[0-9a-f]{64}$/),
        size: z.number(),
        htmlUrl: z.string().optional(),
        url: z.string().optional(),
      })
      .optional(),
    docs: z.discriminatedUnion("status", [
      z.object({
        status: z.literal("published"),
        url: z.string().optional(),
        checksum: z.string(),
        size: z.number(),
        dir: z.string(),
      }),
      z.object({ status: z.literal("built"), checksum: z.string(), size: z.number(), dir: z.string() }),
      z.object({ status: z.literal("skipped") }),
      z.object({ status: z.literal("none"), reason: z.string() }),
      z.object({
        status: z.literal("failed"),
        code: z.literal("DOCS_FAILED"),
        error: z.object({ code: z.string(), message: z.string() }),
        retry: z.string(),
      }),
    ]),
    warnings: z.array(z.string()),
  }),
});
const ErrorDoc = z.object({
  ok: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
    status: z.number().optional(),
    lines: z.array(z.string()).optional(),
  }),
});

test("publish --yes: package then docs, replace=false sent, URLs and the outer checksum printed", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const r = await w.hexts(["publish", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(r.code, 0, r.stderr);
  const stored = release(w, "demo", "1.2.3")!;
  assert.ok(stored, "the release is on the server");
  assert.equal(stored.hasDocs, true);
  assert.equal(
    r.stdout,
    `Package published to ${w.server.url}/packages/demo/1.2.3 (${stored.outerChecksum})\n` +
      `Docs published, available soon at ${w.server.url}/docs/demo/1.2.3/\n`,
  );
  // The summary, the target and the progress go to stderr, in that order.
  const order = [
    "Publishing demo 1.2.3",
    "  Files:",
    "    src/demo.app.src",
    "  Licenses: Apache-2.0",
    `Publishing to the server at ${w.server.apiUrl}`,
    "Uploading demo 1.2.3:",
    "Uploading docs for demo 1.2.3:",
  ];
  let at = -1;
  for (const line of order) {
    const next = r.stderr.indexOf(line, at + 1);
    assert.ok(next > at, `${JSON.stringify(line)} after the previous lines in:\n${r.stderr}`);
    at = next;
  }
  const posts = publishes(w.server);
  assert.equal(posts.length, 1);
  assert.equal(posts[0]!.path, "/api/packages/demo/releases");
  assert.deepEqual(
    posts[0]!.query,
    { replace: "false" },
    "replace=false is sent explicitly (the server's default is true)",
  );
  assert.equal(posts[0]!.headers["content-type"], "application/octet-stream");
  assert.equal(posts[0]!.headers.expect, undefined);
  assert.equal(w.server.requests.filter(isDocsUpload).length, 1);
  assert.ok(!r.stderr.includes(w.ana.apiKey) && !r.stdout.includes(w.ana.apiKey), "the key is never printed");
});

test("--dry-run runs every local step, asks for no credential and sends nothing", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const r = await runHexts(["publish", "--dry-run", "--doc-dir", "doc"], { cwd: dir, env: w.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      /^Dry run: demo 1\.2\.3 was not published \(package checksum [0-9a-f]{64}, [\d.]+ KB\)\n/.source +
        /Docs would be published \(checksum [0-9a-f]{64}, \d+ B\)\n$/.source,
    ),
  );
  assert.match(r.stderr, /Publishing to the server at .* \(dry run: nothing will be uploaded\)/);
  assert.equal(w.server.requests.length, 0, "no request at all");

  const json = PublishDoc.parse(jsonDoc(await runHexts(["publish", "--dry-run", "--json"], { cwd: dir, env: w.env })));
  assert.equal(json.data.dryRun, true);
  assert.equal(json.data.package?.published, false);
  assert.equal(json.data.docs.status, "none", "no --doc-dir and no generator configured: no docs");
  assert.equal(w.server.requests.length, 0);
});

test("failing checks stop the run before any credential is asked or request made", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w, "bad", { licenses: '"Not-A-License"', description: "" });
  writeFiles(dir, { "rebar.config": "{deps, [jsx]}.\n" });
  const r = await runHexts(["publish", "--yes"], { cwd: dir, env: w.env }); // no credential at all
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Stopping package build due to errors/);
  assert.match(r.stderr, /Not-A-License/);
  assert.doesNotMatch(r.stderr, /logged in|hexts user auth/);
  assert.equal(w.server.requests.length, 0);

  const json = ErrorDoc.parse(jsonDoc(await runHexts(["publish", "--yes", "--json"], { cwd: dir, env: w.env })));
  assert.equal(json.error.code, "PACKAGE_INVALID");
});

test("no credentials, a bad key or a key without write permission: exit 3 after checks, nothing stored", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const none = await runHexts(["publish", "--yes"], { cwd: dir, env: w.env });
  assert.equal(none.code, 3, none.stderr);
  assert.match(none.stderr, /not logged in to .*: run `hexts user auth`, or set HEX_API_KEY/);
  assert.match(none.stderr, /Publishing demo 1\.2\.3/, "the summary came first");
  assert.equal(publishes(w.server).length, 0);

  const bad = await w.hexts(["publish", "--yes"], dir, { HEX_API_KEY: "0".repeat(32) });
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /rejected your API key/);

  const readOnly = w.server.addKey({
    owner: { user: "ana" },
    name: "read-only",
    permissions: [{ domain: "api", resource: "read" }],
  });
  const ro = await w.hexts(["publish", "--yes", "--json"], dir, { HEX_API_KEY: readOnly });
  assert.equal(ro.code, 3);
  const doc = ErrorDoc.parse(jsonDoc(ro));
  assert.equal(doc.error.code, "FORBIDDEN");
  assert.match(doc.error.message, /api:write/);
  assert.equal(release(w, "demo", "1.2.3"), undefined);
});

test("non-interactive without --yes: the confirmation cannot be asked, nothing is uploaded", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const r = await w.hexts(["publish"], dir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /confirmation required \(Proceed\); this run cannot prompt, so pass --yes/);
  assert.equal(w.server.requests.filter(isWrite).length, 0);
});

test("an existing release: refused without --replace, replaced with it, then the window closes", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  assert.equal((await w.hexts(["publish", "package", "--yes"], dir)).code, 0);

  const again = await w.hexts(["publish", "package", "--yes"], dir);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /demo 1\.2\.3 is already published; to overwrite it, publish again with --replace/);
  assert.match(again.stderr, /within one hour of its publication, or within 24 hours of the package's first release/);

  writeFiles(dir, { "README.md": "# demo, improved\n" });
  const replaced = await w.hexts(["publish", "package", "--yes", "--replace"], dir);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.match(replaced.stdout, /^Package replaced at .*\/packages\/demo\/1\.2\.3 \([0-9a-f]{64}\)$/m);
  assert.deepEqual(
    publishes(w.server).map((p) => [p.query.replace, p.status]),
    [
      ["false", 201],
      ["false", 422],
      ["true", 200],
    ],
  );

  w.server.advanceClock(25 * 3600 * 1000);
  const late = await w.hexts(["publish", "package", "--yes", "--replace", "--json"], dir);
  assert.equal(late.code, 1);
  const doc = ErrorDoc.parse(jsonDoc(late));
  assert.equal(doc.error.code, "VALIDATION_FAILED");
  assert.match(doc.error.message, /can no longer be replaced: it was published too long ago/);
  assert.match(doc.error.message, /hexts cut --increment patch/);
});

test("422 field errors are listed one per line", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  writeFiles(dir, {
    "rebar.config": "{deps, [nosuch]}.\n",
    "rebar.lock":
      '{"1.2.0",\n[{<<"nosuch">>,{pkg,<<"nosuch">>,<<"1.0.0">>},0}]}.\n[\n{pkg_hash,[]},\n{pkg_hash_ext,[]}\n].\n',
  });
  const r = await w.hexts(["publish", "package", "--yes"], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /hexts: the server rejected demo 1\.2\.3 \(Validation error\(s\)\):\n  requirements\.nosuch: .+/,
  );
  assert.equal(release(w, "demo", "1.2.3"), undefined);
});

test("a name someone else owns: explained, with how to get access", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "zed" });
  w.server.addRelease({ owner: "zed", tarball: buildTarball({ name: "demo", version: "0.1.0" }) });
  const dir = projectWithDocs(w);
  const r = await w.hexts(["publish", "package", "--yes"], dir);
  assert.equal(r.code, 3, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      /the package demo already exists in the server at http:\/\/127\.0\.0\.1:\d+\/api /.source +
        /and you are not allowed to publish it: ask one of its owners to add you/.source,
    ),
  );
});

test("a connection cut mid-upload: outcome unknown, how to check, and no second upload", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  w.server.fault({ method: "POST", path: "/api/packages/demo/releases", fault: { kind: "reset-mid-body" } });
  const r = await w.hexts(["publish", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(r.code, 4, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      /the upload of demo 1\.2\.3 was interrupted, so whether it was published is unknown\. /.source +
        /Check http:\/\/127\.0\.0\.1:\d+\/packages\/demo\/1\.2\.3 or run `hexts search demo` before trying again/
          .source,
    ),
  );
  assert.equal(publishes(w.server).length, 1, "the upload is never repeated by hexts");
  assert.equal(w.server.requests.filter(isDocsUpload).length, 0, "no docs for a package in doubt");
});

test("docs failing after the package: exit 5, the package URL, and `publish docs` retries them alone", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  failDocsUpload(w, "demo", "1.2.3");
  const r = await w.hexts(["publish", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stdout, /^Package published to .*\/packages\/demo\/1\.2\.3 \([0-9a-f]{64}\)\n$/);
  assert.match(r.stderr, /the package is published, but its docs are not: The Hex server failed/);
  assert.match(r.stderr, /Publish the docs alone with: hexts publish docs --doc-dir doc/);
  assert.equal(release(w, "demo", "1.2.3")!.hasDocs, false);

  const retry = await w.hexts(["publish", "docs", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(retry.code, 0, retry.stderr);
  assert.match(retry.stdout, /^Docs published, available soon at /);
  assert.equal(release(w, "demo", "1.2.3")!.hasDocs, true);
  assert.equal(publishes(w.server).length, 1, "publish docs does not upload the package");

  // --json: ok with the docs failure inside, exit 5.
  const dir2 = projectWithDocs(w, "other");
  w.server.fault({
    method: "POST",
    path: "/api/packages/other/releases/1.2.3/docs",
    fault: {
      kind: "status",
      status: 422,
      body: { status: 422, message: "Validation error(s)", errors: { tar: "too big" } },
    },
  });
  const json = await w.hexts(["publish", "--yes", "--doc-dir", "doc", "--json"], dir2);
  assert.equal(json.code, 5);
  const doc = PublishDoc.parse(jsonDoc(json));
  assert.equal(doc.data.package?.published, true);
  assert.equal(doc.data.docs.status, "failed");
  if (doc.data.docs.status === "failed") {
    assert.equal(doc.data.docs.error.code, "VALIDATION_FAILED");
    assert.match(doc.data.docs.error.message, /tar: too big/);
  }
});

test("publish package skips the docs; publish docs needs the release and sends only the docs", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const docsFirst = await w.hexts(["publish", "docs", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(docsFirst.code, 1, docsFirst.stderr);
  assert.match(
    docsFirst.stderr,
    new RegExp(
      /release demo 1\.2\.3 does not exist in the server at http:\/\/127\.0\.0\.1:\d+\/api /.source +
        /\(publish the package before its docs\)/.source,
      "i",
    ),
  );

  const pkg = await w.hexts(["publish", "package", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(pkg.code, 0, pkg.stderr);
  assert.match(pkg.stderr, /`package` given: the docs are not published/);
  assert.equal(w.server.requests.filter(isDocsUpload).length, 1, "only the refused docs-first attempt");

  const docs = await w.hexts(["publish", "docs", "--yes", "--doc-dir", "doc"], dir);
  assert.equal(docs.code, 0, docs.stderr);
  assert.match(docs.stderr, /^Publishing docs for demo 1\.2\.3$/m);
  assert.equal(publishes(w.server).length, 1);

  const noDocs = await w.hexts(["publish", "docs", "--yes"], dir);
  assert.equal(noDocs.code, 1);
  assert.match(noDocs.stderr, /no docs to publish: No doc generator is configured/);

  const noIndex = projectWithDocs(w, "noindex");
  const bad = await w.hexts(["publish", "--yes", "--doc-dir", "src"], noIndex);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /the docs in src cannot be published: The docs have no index\.html at the top level; nothing was uploaded/,
  );
  assert.equal(release(w, "noindex", "1.2.3"), undefined, "docs are checked before the package is uploaded");
});

test("the configured doc generator runs when installed (rebar3 edoc), and a failing one stops the run", async (t) => {
  const w = await world(t);
  const bin = join(w.tmp, "bin");
  fakeTool(bin, "rebar3", 'echo "rebar3 $*" >&2\nmkdir -p doc\necho "<h1>$1</h1>" > doc/index.html');
  const dir = rebar3Project(join(w.tmp, "gen"), { name: "gen", hexConfig: "{doc, edoc}" });
  const path = `${bin}:${toolsPath()}`;
  const r = await w.hexts(["publish", "--yes"], dir, { PATH: path });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Generating docs: rebar3 edoc\nrebar3 edoc\n/);
  assert.match(r.stdout, /Docs published/);
  assert.equal(release(w, "gen", "1.2.3")!.hasDocs, true);

  // Without the tool on PATH: said first, then the package alone.
  const dir2 = rebar3Project(join(w.tmp, "gen2"), { name: "gen2", hexConfig: "{doc, ex_doc}" });
  const missing = await w.hexts(["publish", "--yes"], dir2, { PATH: toolsPath() });
  assert.equal(missing.code, 0, missing.stderr);
  assert.match(
    missing.stderr,
    new RegExp(
      /This project's docs are made with `rebar3 ex_doc`, but rebar3 is not on PATH, /.source +
        /so the package will be published WITHOUT docs/.source,
    ),
  );
  assert.match(missing.stdout, /Published without docs/);

  fakeTool(bin, "rebar3", 'echo "ex_doc: compile error" >&2\nexit 3');
  const dir3 = rebar3Project(join(w.tmp, "gen3"), { name: "gen3", hexConfig: "{doc, ex_doc}" });
  const failed = await w.hexts(["publish", "--yes"], dir3, { PATH: path });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /ex_doc: compile error/);
  assert.match(
    failed.stderr,
    /`rebar3 ex_doc` failed \(exit code 3\), so there are no docs to publish and nothing was uploaded/,
  );
  assert.equal(release(w, "gen3", "1.2.3"), undefined);
});

test("--organization publishes to the organization's repository and says so", async (t) => {
  const w = await world(t);
  w.server.addOrganization({ name: "acme", admin: "ana" });
  const dir = projectWithDocs(w, "secret");
  const r = await w.hexts(["publish", "--yes", "--organization", "acme", "--doc-dir", "doc"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Publishing to the private repository of organization acme \(hexpm:acme\) at /);
  assert.doesNotMatch(r.stderr, /Code of Conduct/);
  assert.equal(publishes(w.server)[0]!.path, "/api/repos/acme/packages/secret/releases");
  assert.equal(w.server.requests.filter(isDocsUpload)[0]!.path, "/api/repos/acme/packages/secret/releases/1.2.3/docs");
  assert.ok(release(w, "secret", "1.2.3", "acme"));

  const viaRepo = projectWithDocs(w, "secret2");
  const r2 = await w.hexts(["publish", "package", "--yes", "-r", "hexpm:acme"], viaRepo);
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(release(w, "secret2", "1.2.3", "acme"));
});

test("--revert VERSION and docs --revert VERSION; the window applies to releases, not docs", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  assert.equal((await w.hexts(["publish", "--yes", "--doc-dir", "doc"], dir)).code, 0);
  writeFiles(dir, {
    [`src/demo.app.src`]: (await import("node:fs"))
      .readFileSync(join(dir, "src/demo.app.src"), "utf8")
      .replace('"1.2.3"', '"1.2.4"'),
  });
  assert.equal((await w.hexts(["publish", "--yes", "--doc-dir", "doc"], dir)).code, 0);

  // Destructive: without a terminal, nothing is reverted unless --yes is given.
  for (const args of [
    ["publish", "docs", "--revert", "1.2.4"],
    ["publish", "--revert", "1.2.4"],
    ["publish", "--revert", "1.2.4", "--json"],
  ]) {
    const unconfirmed = await w.hexts(args, dir);
    assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
    assert.match(
      args.includes("--json") ? unconfirmed.stdout : unconfirmed.stderr,
      /confirmation required \(Revert .*demo 1\.2\.4.*pass --yes/,
    );
  }
  assert.equal(w.server.requests.filter((r) => r.method === "DELETE").length, 0, "nothing was deleted");
  assert.equal(release(w, "demo", "1.2.4")!.hasDocs, true);

  const docs = await w.hexts(["publish", "docs", "--revert", "1.2.4", "--yes"], dir);
  assert.equal(docs.code, 0, docs.stderr);
  assert.equal(docs.stdout, "Reverted the docs of demo 1.2.4\n");
  assert.equal(release(w, "demo", "1.2.4")!.hasDocs, false);

  const rel = await w.hexts(["publish", "--revert", "1.2.4", "--yes"], dir);
  assert.equal(rel.code, 0, rel.stderr);
  assert.equal(rel.stdout, "Reverted demo 1.2.4\n");
  assert.equal(release(w, "demo", "1.2.4"), undefined);

  const missing = await w.hexts(["publish", "--revert", "9.9.9", "--yes"], dir);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /demo 9\.9\.9 does not exist in the server at http:\/\/127\.0\.0\.1:\d+\/api, so there is nothing to revert/,
  );
  assert.equal((await w.hexts(["publish", "--revert", "not-a-version"], dir)).code, 2);

  const dry = await w.hexts(["publish", "--revert", "1.2.3", "--dry-run"], dir);
  assert.equal(dry.stdout, "Dry run: demo 1.2.3 was not reverted\n");

  const last = await w.hexts(["publish", "--revert", "1.2.3", "--json", "--yes"], dir);
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(jsonDoc(last).data, {
    action: "revert",
    what: "release",
    name: "demo",
    version: "1.2.3",
    repository: "hexpm",
    dryRun: false,
    packageRemoved: true,
  });

  const old = projectWithDocs(w, "old");
  assert.equal((await w.hexts(["publish", "--yes", "--doc-dir", "doc"], old)).code, 0);
  w.server.advanceClock(25 * 3600 * 1000);
  const late = await w.hexts(["publish", "--revert", "1.2.3", "--yes"], old);
  assert.equal(late.code, 1);
  assert.match(
    late.stderr,
    /old 1\.2\.3 can no longer be reverted: it was published too long ago\..*Retire it instead/,
  );
  const lateDocs = await w.hexts(["publish", "docs", "--revert", "1.2.3", "--yes"], old);
  assert.equal(lateDocs.code, 0, "docs can be removed at any time");
});

test("x-hex-message from the server is shown; the error keeps its own exit code", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  w.server.fault({
    method: "POST",
    path: "/api/packages/demo/releases",
    fault: {
      kind: "status",
      status: 503,
      body: { status: 503, message: "Maintenance" },
      headers: { "x-hex-message": '"Publishing is paused for maintenance until 12:00 UTC"; level=warn' },
    },
  });
  const r = await w.hexts(["publish", "package", "--yes"], dir);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /warning: API warning: Publishing is paused for maintenance until 12:00 UTC/);
  assert.match(r.stderr, /The Hex server failed on POST .* \(HTTP 503 Maintenance\)/);
  assert.equal(publishes(w.server).length, 1, "a refused POST is not repeated");
});

test("--json success document, --no-progress, and stdout carrying only results", async (t) => {
  const w = await world(t);
  const dir = projectWithDocs(w);
  const r = await w.hexts(["publish", "--yes", "--json", "--doc-dir", "doc"], dir);
  assert.equal(r.code, 0, r.stderr);
  const doc = PublishDoc.parse(jsonDoc(r));
  assert.equal(doc.data.package?.checksum, release(w, "demo", "1.2.3")!.outerChecksum);
  assert.equal(doc.data.docs.status, "published");
  assert.doesNotMatch(r.stderr, /Uploading/, "no progress in JSON mode");

  const dir2 = projectWithDocs(w, "quiet");
  const quiet = await w.hexts(["publish", "--yes", "--no-progress", "--doc-dir", "doc"], dir2);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /Uploading/);
  assert.match(quiet.stdout, /^Package published to/);
});

test("mix projects run `mix docs` when mix is installed; the docs land in doc/", async (t) => {
  const w = await world(t);
  const bin = fakeTool(
    join(w.tmp, "bin"),
    "mix",
    'echo "mix $*" >&2\nmkdir -p doc\necho "<h1>mix docs</h1>" > doc/index.html',
  );
  const dir = mixProject(join(w.tmp, "mixdocs"), { name: "mixdocs" });
  const r = await w.hexts(["publish", "--yes"], dir, { PATH: `${bin}:${toolsPath()}` });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Generating docs: mix docs\nmix docs\n/);
  assert.ok(release(w, "mixdocs", "0.4.0")?.hasDocs);
});

test("an OAuth login without two-factor authentication: TWO_FACTOR_DISABLED, with the way out", async (t) => {
  const w = await world(t);
  w.server.addUser({ username: "no2fa", twoFactor: true });
  await oauthLogin(w, "no2fa");
  w.state.findUser("no2fa")!.tfaSecret = null; // two-factor switched off after logging in
  const dir = projectWithDocs(w);
  const r = await runHexts(["publish", "package", "--yes", "--json", "--otp", "123456"], { cwd: dir, env: w.env });
  assert.equal(r.code, 3, r.stderr);
  const doc = ErrorDoc.parse(jsonDoc(r));
  assert.equal(doc.error.code, "TWO_FACTOR_DISABLED");
  assert.match(doc.error.message, /Enable two-factor authentication .* or use an API key \(HEX_API_KEY\)/);
  assert.equal(release(w, "demo", "1.2.3"), undefined);
});

test("an umbrella needs --app; --metadata FILE describes projects hexts cannot read", async (t) => {
  const w = await world(t);
  const root = join(w.tmp, "umbrella");
  writeFiles(root, { "rebar.config": "{deps, []}.\n", "rebar.lock": "[].\n", "README.md": "# umbrella\n" });
  rebar3Project(join(root, "apps", "alpha"), { name: "alpha" });
  rebar3Project(join(root, "apps", "beta"), { name: "beta" });
  const none = await w.hexts(["publish", "package", "--yes"], root);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /several apps \(alpha, beta\); choose the one to package with --app/);
  const beta = await w.hexts(["publish", "package", "--yes", "-a", "beta"], root);
  assert.equal(beta.code, 0, beta.stderr);
  assert.ok(release(w, "beta", "1.2.3"));
  assert.equal(release(w, "alpha", "1.2.3"), undefined);

  // A script the built-in evaluator cannot run, and no Erlang on PATH (node itself is found by absolute path).
  const scripted = rebar3Project(join(w.tmp, "scripted"), {
    name: "scripted",
    extra: { "rebar.config.script": "CONFIG ++ [{n, erlang:phash2(x)}].\n" },
  });
  const refused = await w.hexts(["publish", "package", "--yes"], scripted, { PATH: "/nonexistent" });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /rebar\.config\.script:1:16: calls erlang:phash2\/1, .*--metadata FILE/);
  writeFiles(scripted, {
    "meta.json": JSON.stringify({
      app: "scripted",
      version: "0.9.0",
      description: "From JSON",
      licenses: ["MIT"],
      links: { Source: "https://example.com/s" },
      files: ["src", "README.md"],
    }),
  });
  const viaJson = await w.hexts(["publish", "package", "--yes", "--metadata", "meta.json"], scripted);
  assert.equal(viaJson.code, 0, viaJson.stderr);
  assert.ok(release(w, "scripted", "0.9.0"));
});
