// One failing project per check, through the spawned CLI: exit 1 (PACKAGE_INVALID), every problem as one
// readable line, and nothing written. Also: the same problems as JSON, and warnings that let a build through.
// Needs the built CLI: `node scripts/build.mjs --no-types`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  cpSync,
  ftruncateSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { z } from "zod";
import { runHexts, tempHome } from "../support/cli.js";
import { repoRoot } from "../support/vectors.js";

const fixture = (name: string) => join(repoRoot, "test", "fixtures", name);

function copyFixture(name: string, t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), `hexts-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
}

/** Every path under `dir` with its size and mtime: any write shows up. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      out.push(`${relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

interface Case {
  fixture: string;
  args?: string[];
  /** The problem lines (after the two-space indent), in order; all of them. */
  lines: (string | RegExp)[];
  /**
   * "client": the official client stops its build here too, so `build` refuses. "server": hex.pm's rule, so `build`
   * warns ("hex.pm will refuse this at publish: ...") and `publish` refuses before asking for any credential.
   */
  rule: "client" | "server";
}

const CASES: Record<string, Case> = {
  "required fields": {
    rule: "server",
    fixture: "checks-missing-fields",
    lines: ["error: Missing metadata fields: description, licenses (hex.pm requires them)"],
  },
  "name format": {
    rule: "server",
    fixture: "checks-name-invalid",
    lines: [
      'error: Package name "MyPkg" is invalid: it must start with a lowercase letter and hold only ' +
        "lowercase letters, digits and _",
    ],
  },
  "name length": {
    rule: "server",
    fixture: "checks-metadata",
    args: ["--metadata", "variants/name-short.json"],
    lines: ['error: Package name "m" is too short: hex.pm requires at least 2 characters'],
  },
  "reserved name": {
    rule: "server",
    fixture: "checks-metadata",
    args: ["--metadata", "variants/name-reserved.json"],
    lines: ['error: Package name "mix" is reserved by hex.pm; publish under another name'],
  },
  "build metadata": {
    rule: "server",
    fixture: "checks-version-build",
    lines: ['error: Version "1.0.0+build.7" has +build metadata, which hex.pm does not allow in a release version'],
  },
  "SPDX ids on hex.pm": {
    rule: "server",
    fixture: "checks-license",
    lines: [
      'error: The following licenses are not recognized by SPDX: "MIT OR Apache-2.0" (an SPDX expression is ' +
        'not accepted: list each license id as its own entry), "apache-2.0" (did you mean "Apache-2.0"?); ' +
        "Valid license identifiers are available from https://spdx.org/licenses",
    ],
  },
  "link URLs": {
    rule: "server",
    fixture: "checks-links",
    lines: [
      'error: Link "GitHub" is not an http(s) URL with a host: "github.com/example/bad_links" (hex.pm: invalid link)',
      'error: Link "Docs" is not an http(s) URL with a host: "ftp://example.com/docs" (hex.pm: invalid link)',
    ],
  },
  "non-Hex dependencies": {
    rule: "client",
    fixture: "checks-non-hex-deps",
    lines: [
      "error: mix.exs: Dependencies excluded from the package (only Hex packages can be dependencies): local, tool",
    ],
  },
  "missing files": {
    rule: "client",
    fixture: "checks-missing-files",
    lines: ["error: mix.exs: Missing files: NOTES.md"],
  },
  "empty file list": {
    rule: "client",
    fixture: "checks-empty-files",
    lines: ["error: mix.exs: Creating tarball failed: File list was empty."],
  },
  "reserved file": {
    rule: "client",
    fixture: "checks-metadata",
    args: ["--metadata", "variants/hex-metadata-file.json"],
    lines: ["error: Do not include this file: hex_metadata.config"],
  },
  "requirement syntax, != and the elixir requirement": {
    rule: "server",
    fixture: "checks-requirement",
    lines: [
      'error: Dependency jason: invalid requirement "~> 1.4 or" (use e.g. "~> 1.2", ">= 1.0.0 and < 2.0.0")',
      'error: Dependency plug: invalid requirement "!= 1.15.0": != is not allowed in requirements',
      'error: elixir: invalid requirement "1.14 or later" (use e.g. "~> 1.2", ">= 1.0.0 and < 2.0.0")',
    ],
  },
  "dependency repository": {
    rule: "server",
    fixture: "checks-dep-repository",
    lines: [
      'error: Dependency secret_sauce is from repository "acme", but a package in hexpm can only depend on ' +
        'packages in "hexpm"',
    ],
  },
  "organization dependency outside its organization": {
    rule: "server",
    fixture: "checks-metadata",
    args: ["--metadata", "variants/org-dependency.json", "--repo", "hexpm:other"],
    lines: [
      'error: Dependency acme_util is from repository "acme", but a package in hexpm:other can only depend on ' +
        'packages in "hexpm" or "other"',
    ],
  },
  "reader problems with file and line": {
    rule: "client",
    fixture: "checks-unevaluable",
    lines: [/^error: mix\.exs:8:32: description: cannot be evaluated statically: .*--metadata/],
  },
  "every problem at once": {
    rule: "server",
    fixture: "checks-many",
    lines: [
      "error: Missing metadata fields: description (hex.pm requires them)",
      'error: Package name "Many-Bad" is invalid: it must start with a lowercase letter and hold only ' +
        "lowercase letters, digits and _",
      'error: Version "1.2" is not a valid semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0 or 1.0.0-rc.1)',
      /^error: The following licenses are not recognized by SPDX: "GPLv3"; Valid license/,
      'error: Link "Home" is not an http(s) URL with a host: "example.com/many" (hex.pm: invalid link)',
    ],
  },
};

function assertRefused(r: { code: number | null; stdout: string; stderr: string }, lines: (string | RegExp)[]): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, "");
  const [head, ...rest] = r.stderr.trimEnd().split("\n");
  const errors = lines.filter((l) =>
    typeof l === "string" ? l.startsWith("error:") : l.source.startsWith("^error:"),
  ).length;
  const warnings = lines.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const counts = `${plural(errors, "error")}${warnings ? `, ${plural(warnings, "warning")}` : ""}`;
  assert.equal(head, `hexts: Stopping package build due to errors (${counts}); nothing was written`);
  assert.equal(rest.length, lines.length, r.stderr);
  lines.forEach((expected, i) => {
    const line = rest[i]!;
    assert.ok(line.startsWith("  "), line);
    if (typeof expected === "string") assert.equal(line.slice(2), expected);
    else assert.match(line.slice(2), expected);
  });
}

/** A publish that must stop at the checks: no credentials exist and the API URL answers nothing. */
async function publishDryRun(dir: string, args: string[], t: { after(fn: () => void): void }) {
  const home = tempHome();
  t.after(home.cleanup);
  return runHexts(["publish", "package", "--dry-run", "--yes", ...args], {
    cwd: dir,
    env: { ...home.env, CI: "true", HEX_API_URL: "http://127.0.0.1:9/api" },
  });
}

describe("hexts build stops where the official client stops, and writes nothing", () => {
  for (const [name, c] of Object.entries(CASES).filter(([, c]) => c.rule === "client")) {
    it(name, async (t) => {
      const dir = copyFixture(c.fixture, t);
      const before = snapshot(dir);
      const r = await runHexts(["build", ...(c.args ?? [])], { cwd: dir });
      assertRefused(r, c.lines);
      assert.deepEqual(snapshot(dir), before, "nothing was written");
    });
  }
});

describe("hex.pm's rules: warnings at build, errors at publish before any credential", () => {
  for (const [name, c] of Object.entries(CASES).filter(([, c]) => c.rule === "server")) {
    it(name, async (t) => {
      const dir = copyFixture(c.fixture, t);
      const built = await runHexts(["build", "package", ...(c.args ?? [])], { cwd: dir });
      assert.equal(built.code, 0, built.stderr);
      assert.match(built.stdout, /^Package checksum: [0-9a-f]{64}$/m);
      const warnings = built.stderr.split("\n");
      for (const expected of c.lines) {
        const text =
          typeof expected === "string" ? expected.replace(/^error: /, "") : expected.source.replace(/^\^error: /, "");
        assert.ok(
          warnings.some(
            (w) =>
              w.startsWith("warning: ") && (typeof expected === "string" ? w.includes(text) : new RegExp(text).test(w)),
          ),
          `${text}\n---\n${built.stderr}`,
        );
      }
      const before = snapshot(dir);
      const published = await publishDryRun(dir, c.args ?? [], t);
      assertRefused(published, c.lines);
      assert.doesNotMatch(published.stderr, /auth|key|password/i, "no credential was asked for");
      assert.deepEqual(snapshot(dir), before, "nothing was written");
    });
  }

  it("at build each says hex.pm will refuse it at publish", async (t) => {
    const dir = copyFixture("checks-version-build", t);
    const r = await runHexts(["build", "package"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      'warning: hex.pm will refuse this at publish: Version "1.0.0+build.7" has +build metadata, which hex.pm ' +
        "does not allow in a release version\n",
    );
  });

  it("a non-SemVer version: a warning at build, refused at publish to any server (as rebar3 hex does)", async (t) => {
    const dir = copyFixture("checks-version-invalid", t);
    const r = await runHexts(["build", "package"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: Version "2\.1" is not a valid semantic version .*; publishing will refuse it$/m);
    const published = await publishDryRun(dir, ["--repo", "my_repo"], t);
    assert.equal(published.code, 1, published.stderr);
    assert.match(published.stderr, /^ {2}error: Version "2\.1" is not a valid semantic version/m);
  });

  it("a description over 300 characters: mix refuses it, rebar3 and hex.pm do not", async (t) => {
    const dir = copyFixture("checks-metadata", t);
    const r = await runHexts(["build", "package", "--metadata", "variants/description-long.json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^warning: Package description is too long \(exceeds 300 characters\); mix hex\.build would refuse it$/m,
    );
  });
});

describe("size limits", () => {
  const okArgs = ["build", "package", "--metadata", "variants/ok.json"];

  it("metadata.config over 1 MiB", async (t) => {
    const dir = copyFixture("checks-metadata", t);
    const meta = JSON.parse(readFileSync(join(dir, "variants", "ok.json"), "utf8"));
    meta.extra = { notes: "x".repeat(1024 * 1024) };
    writeFileSync(join(dir, "variants", "big-meta.json"), JSON.stringify(meta));
    const before = snapshot(dir);
    const r = await runHexts(["build", "package", "--metadata", "variants/big-meta.json"], { cwd: dir });
    assertRefused(r, [/^error: metadata\.config is 10\d{5} bytes, above hex\.pm's limit of 1048576 bytes$/]);
    assert.deepEqual(snapshot(dir), before);
  });

  it("contents over 128 MiB uncompressed, refused from the sizes alone", async (t) => {
    const dir = copyFixture("checks-metadata", t);
    const fd = openSync(join(dir, "priv", "huge.bin"), "w");
    ftruncateSync(fd, 128 * 1024 * 1024 + 1); // sparse: no disk space used, and never read
    closeSync(fd);
    const before = snapshot(dir);
    const r = await runHexts(okArgs, { cwd: dir });
    assertRefused(r, [
      /^error: The package contents are \d+ bytes uncompressed, above hex\.pm's limit of 134217728 bytes$/,
    ]);
    assert.deepEqual(snapshot(dir), before);
  });

  it("a tarball over 16 MiB compressed, found while compressing", async (t) => {
    const dir = copyFixture("checks-metadata", t);
    writeFileSync(join(dir, "priv", "noise.bin"), randomBytes(16 * 1024 * 1024 + 4096));
    const before = snapshot(dir);
    const r = await runHexts(okArgs, { cwd: dir, timeoutMs: 60_000 });
    assertRefused(r, ["error: The package tarball is larger than 16777216 bytes"]);
    assert.deepEqual(snapshot(dir), before);
  });
});

describe("warnings and the target repository", () => {
  it("in an organization, SPDX problems are warnings and the package is built", async (t) => {
    const dir = copyFixture("checks-license", t);
    const r = await runHexts(["build", "package", "--organization", "acme"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Building lic_demo 0\.2\.0 for hexpm:acme$/m);
    assert.match(r.stdout, /^ {2}Organization: acme$/m);
    assert.match(
      r.stderr,
      new RegExp(
        /^warning: The following licenses are not recognized by SPDX: "MIT OR Apache-2\.0" .*/.source +
          /Valid license identifiers are available from https:\/\/spdx\.org\/licenses$/.source,
        "m",
      ),
    );
    assert.ok(statSync(join(dir, "_build/default/lib/lic_demo/hex/lic_demo-0.2.0.tar")).size > 0);
  });

  it("an organization's package may depend on its own organization (mix, --organization)", async (t) => {
    const dir = copyFixture("checks-dep-repository", t);
    const r = await runHexts(["build", "package", "--organization", "acme"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {4}secret_sauce ~> 1\.0 \(repo: acme\)$/m);
    assert.ok(statSync(join(dir, "org_deps-0.1.0.tar")).size > 0);
  });

  it("a missing description is a warning outside hex.pm", async (t) => {
    const dir = copyFixture("checks-missing-fields", t);
    const r = await runHexts(["build", "package", "--repo", "hexpm:acme"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "warning: Missing metadata fields: description, licenses\n");
  });

  it("--json: the refusal as one document carrying every problem", async (t) => {
    const dir = copyFixture("checks-many", t);
    const r = await publishDryRun(dir, ["--json"], t);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "");
    const doc = z
      .object({
        ok: z.literal(false),
        error: z.object({
          code: z.literal("PACKAGE_INVALID"),
          message: z.string(),
          lines: z.array(z.string()),
          details: z.object({
            problems: z.array(
              z.object({ severity: z.enum(["error", "warning"]), message: z.string(), text: z.string() }),
            ),
          }),
        }),
      })
      .parse(JSON.parse(r.stdout));
    assert.equal(doc.error.lines.length, 5);
    assert.deepEqual(
      doc.error.details.problems.map((p) => p.text),
      doc.error.lines,
    );
    assert.ok(doc.error.details.problems.every((p) => p.severity === "error"));
  });
});
