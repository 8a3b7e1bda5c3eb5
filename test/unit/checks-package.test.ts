// The package checks on hand-made packages: one rule per case, severities by target repository,
// the reader's problems carried through, and the one-line rendering.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isValidLicense, licenseHint } from "../../src/package/checks-license.js";
import {
  checkPackage,
  formatProblem,
  hasErrors,
  isValidLink,
  packageTarget,
  problemsError,
  type PackageTarget,
} from "../../src/package/checks.js";
import type { MetadataValue, Problem, ProjectPackage } from "../../src/project/types.js";
import { HextsError } from "../../src/errors.js";

/** A valid rebar3-style package; `meta` entries replace (or with undefined, remove) metadata keys. */
function pkg(meta: Record<string, MetadataValue | undefined> = {}, over: Partial<ProjectPackage> = {}): ProjectPackage {
  const metadata: Record<string, MetadataValue> = {
    app: "demo",
    name: "demo",
    version: "1.0.0",
    description: "A demo package",
    licenses: ["Apache-2.0"],
    links: { GitHub: "https://github.com/example/demo" },
    files: ["src", "src/demo.erl"],
    build_tools: ["rebar3"],
    requirements: {},
  };
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) delete metadata[k];
    else metadata[k] = v;
  }
  return {
    tool: "rebar3",
    root: "/nonexistent/demo",
    appDir: "/nonexistent/demo",
    app: "demo",
    name: typeof metadata.name === "string" ? metadata.name : "",
    version: typeof metadata.version === "string" ? metadata.version : "",
    metadata,
    requirements: [],
    files: [
      { path: "src", kind: "dir", diskPath: "/nonexistent/demo/src", mode: 0o40755, empty: false },
      { path: "src/demo.erl", kind: "memory", contents: new TextEncoder().encode("-module(demo).\n") },
    ],
    hexConfig: {},
    problems: [],
    defaultOutput: "demo-1.0.0.tar",
    ...over,
  };
}

const HEXPM: PackageTarget = { repository: "hexpm" };
const ACME: PackageTarget = { repository: "hexpm:acme", organization: "acme" };
const CUSTOM: PackageTarget = { repository: "test_repo" };
const lines = (problems: Problem[]) => problems.map(formatProblem);

describe("checkPackage: one rule per case", () => {
  const cases: [string, ProjectPackage, PackageTarget, RegExp[]][] = [
    ["a valid package", pkg(), HEXPM, []],
    ["name with capitals", pkg({ name: "Demo" }), HEXPM, [/^error: Package name "Demo" is invalid/]],
    ["name starting with a digit", pkg({ name: "1demo" }), HEXPM, [/^error: Package name "1demo" is invalid/]],
    ["name with a dash", pkg({ name: "my-pkg" }), HEXPM, [/^error: Package name "my-pkg" is invalid/]],
    ["one-letter name", pkg({ name: "d" }), HEXPM, [/^error: Package name "d" is too short/]],
    ["reserved name", pkg({ name: "stdlib" }), HEXPM, [/^error: Package name "stdlib" is reserved by hex.pm/]],
    ["reserved Windows device name", pkg({ name: "com1" }), ACME, [/^error: Package name "com1" is reserved/]],
    ["no semver", pkg({ version: "1.0" }), HEXPM, [/^error: Version "1.0" is not a valid semantic version/]],
    ["build metadata", pkg({ version: "1.0.0+abc" }), HEXPM, [/^error: Version "1.0.0\+abc" has \+build metadata/]],
    ["long pre-release", pkg({ version: `1.0.0-${"x".repeat(65)}` }), HEXPM, [/longer than 64 characters/]],
    [
      "missing description on hexpm",
      pkg({ description: undefined }),
      HEXPM,
      [/^error: Missing metadata fields: description \(hex.pm requires them\)$/],
    ],
    ["blank description on hexpm", pkg({ description: "  " }), HEXPM, [/^error: Missing metadata fields: description/]],
    [
      "missing description in an organization",
      pkg({ description: undefined }),
      ACME,
      [/^warning: Missing metadata fields: description$/],
    ],
    ["missing licenses on hexpm", pkg({ licenses: undefined }), HEXPM, [/^error: Missing metadata fields: licenses/]],
    ["empty licenses", pkg({ licenses: [] }), HEXPM, [/^warning: You have not included any licenses$/]],
    ["missing links", pkg({ links: undefined }), HEXPM, [/^warning: Missing metadata fields: links/]],
    [
      "missing app and build_tools",
      pkg({ app: undefined, build_tools: undefined }),
      CUSTOM,
      [/^error: Missing metadata fields: app, build_tools$/],
    ],
    ["empty build_tools", pkg({ build_tools: [] }), HEXPM, [/^error: build_tools must not be empty/]],
    [
      "description over 300 characters (mix's own rule)",
      pkg({ description: "é".repeat(301) }),
      HEXPM,
      [/^warning: Package description is too long \(exceeds 300 characters\); mix hex.build would refuse it$/],
    ],
    ["description of 300 characters", pkg({ description: "👍🏽".repeat(300) }), HEXPM, []],
    [
      "SPDX expression on hexpm",
      pkg({ licenses: ["MIT OR Apache-2.0"] }),
      HEXPM,
      [
        new RegExp(
          /^error: The following licenses are not recognized by SPDX: "MIT OR Apache-2.0" /.source +
            /\(an SPDX expression is not accepted/.source,
        ),
      ],
    ],
    ["wrong case on hexpm", pkg({ licenses: ["mit"] }), HEXPM, [/"mit" \(did you mean "MIT"\?\)/]],
    [
      "unknown license in an organization",
      pkg({ licenses: ["Proprietary"] }),
      ACME,
      [/^warning: The following licenses are not recognized by SPDX: "Proprietary"/],
    ],
    ["deprecated SPDX id and LicenseRef", pkg({ licenses: ["GPL-2.0", "LicenseRef-Acme-1.0"] }), HEXPM, []],
    [
      "link without a scheme",
      pkg({ links: { Home: "example.com" } }),
      HEXPM,
      [/^error: Link "Home" is not an http\(s\) URL with a host: "example.com"/],
    ],
    [
      "ftp link on hex.pm",
      pkg({ links: { Home: "ftp://example.com" } }),
      ACME,
      [/^error: Link "Home" is not an http\(s\) URL/],
    ],
    [
      "ftp link on another server",
      pkg({ links: { Home: "ftp://example.com" } }),
      CUSTOM,
      [/^warning: Link "Home" is not an http\(s\) URL/],
    ],
    ["links as a list", pkg({ links: ["https://example.com"] }), HEXPM, [/^error: links must be a map/]],
    [
      "hex_metadata.config packaged",
      pkg({}, { files: [{ path: "hex_metadata.config", kind: "memory", contents: new Uint8Array(1) }] }),
      HEXPM,
      [/^error: Do not include this file: hex_metadata.config$/],
    ],
    ["no files", pkg({ files: [] }, { files: [] }), HEXPM, [/^error: No files to package/]],
    ["bad elixir requirement", pkg({ elixir: "1.14+" }), HEXPM, [/^error: elixir: invalid requirement "1.14\+"/]],
  ];
  for (const [name, p, target, expected] of cases) {
    it(name, () => {
      const got = lines(checkPackage(p, target));
      assert.equal(got.length, expected.length, got.join("\n"));
      expected.forEach((re, i) => assert.match(got[i]!, re));
    });
  }
});

describe("checkPackage at build: hex.pm's rules are warnings, the clients' rules errors", () => {
  const cases: [string, ProjectPackage, PackageTarget, RegExp[]][] = [
    [
      "license not in SPDX",
      pkg({ licenses: ["Apache 2.0"] }),
      HEXPM,
      [
        new RegExp(
          /^warning: hex\.pm will refuse this at publish: /.source +
            /The following licenses are not recognized by SPDX: "Apache 2\.0"/.source,
        ),
      ],
    ],
    [
      "build metadata",
      pkg({ version: "3.0.0+ci.7" }),
      HEXPM,
      [/^warning: hex\.pm will refuse this at publish: Version "3\.0\.0\+ci\.7" has \+build metadata/],
    ],
    [
      "not SemVer",
      pkg({ version: "1.0" }),
      CUSTOM,
      [/^warning: Version "1\.0" is not a valid semantic version .*; publishing will refuse it$/],
    ],
    [
      "reserved name",
      pkg({ name: "mix" }),
      HEXPM,
      [/^warning: hex\.pm will refuse this at publish: Package name "mix" is reserved/],
    ],
    [
      "missing description",
      pkg({ description: undefined }),
      HEXPM,
      [/^warning: hex\.pm will refuse this at publish: Missing metadata fields: description \(hex.pm requires them\)$/],
    ],
    ["bad link on another server", pkg({ links: { Home: "x" } }), CUSTOM, [/^warning: Link "Home" is not/]],
    [
      "hex_metadata.config packaged",
      pkg({}, { files: [{ path: "hex_metadata.config", kind: "memory", contents: new Uint8Array(1) }] }),
      HEXPM,
      [/^error: Do not include this file/],
    ],
    ["missing app", pkg({ app: undefined }), HEXPM, [/^error: Missing metadata fields: app$/]],
  ];
  for (const [name, p, target, expected] of cases) {
    it(name, () => {
      const got = lines(checkPackage(p, target, "build"));
      assert.equal(got.length, expected.length, got.join("\n"));
      expected.forEach((re, i) => assert.match(got[i]!, re));
    });
  }

  it("cross-repository dependencies: a warning at build, an error at publish to hex.pm, a warning elsewhere", () => {
    const p = pkg(
      {},
      {
        requirements: [
          { name: "other", app: "other", requirement: "~> 1.0", optional: false, repository: "test_repo" },
        ],
      },
    );
    assert.match(
      lines(checkPackage(p, HEXPM, "build"))[0]!,
      /^warning: hex\.pm will refuse this at publish: Dependency other is from repository "test_repo"/,
    );
    assert.match(
      lines(checkPackage(p, HEXPM, "publish"))[0]!,
      /^error: Dependency other is from repository "test_repo"/,
    );
    assert.deepEqual(lines(checkPackage(p, CUSTOM, "publish")), []);
  });
});

describe("checkPackage: dependencies", () => {
  const withDeps = (reqs: ProjectPackage["requirements"]) => pkg({}, { requirements: reqs });
  const dep = (name: string, requirement: string, repository?: string) => ({
    name,
    app: name,
    requirement,
    optional: false,
    ...(repository ? { repository } : {}),
  });

  it("checks every requirement's syntax and forbids !=", () => {
    const got = lines(checkPackage(withDeps([dep("a", "~> 1.0"), dep("b", "~> 1.0 or"), dep("c", "!= 2.0.0")]), HEXPM));
    assert.deepEqual(got, [
      'error: Dependency b: invalid requirement "~> 1.0 or" (use e.g. "~> 1.2", ">= 1.0.0 and < 2.0.0")',
      'error: Dependency c: invalid requirement "!= 2.0.0": != is not allowed in requirements',
    ]);
  });

  it("allows only hexpm on hexpm, and hexpm or the organization in an organization", () => {
    const p = withDeps([
      dep("pub", "~> 1.0", "hexpm"),
      dep("own", "~> 1.0", "acme"),
      dep("other", "~> 1.0", "test_repo"),
      dep("plain", "~> 1.0"),
    ]);
    assert.deepEqual(lines(checkPackage(p, HEXPM)), [
      'error: Dependency own is from repository "acme", but a package in hexpm can only depend on packages in "hexpm"',
      'error: Dependency other is from repository "test_repo", but a package in hexpm can only depend on ' +
        'packages in "hexpm"',
    ]);
    assert.deepEqual(lines(checkPackage(p, ACME)), [
      'error: Dependency other is from repository "test_repo", but a package in hexpm:acme can only depend on ' +
        'packages in "hexpm" or "acme"',
    ]);
    assert.deepEqual(lines(checkPackage(p, CUSTOM)), [], "a custom repository's own rules are unknown");
  });

  it("warns about pre-release dependencies, as rebar3_hex does", () => {
    const got = lines(checkPackage(withDeps([dep("rc", "~>1.0.0-rc.1"), dep("ok", "~>1.0.0")]), HEXPM));
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^warning: The following pre-release dependencies were found: rc ~>1.0.0-rc.1\./);
  });
});

describe("checkPackage: reader problems, tool differences, sizes", () => {
  it("puts the reader's problems first and reports everything at once", () => {
    const readerProblems: Problem[] = [
      {
        severity: "error",
        message: "description: cannot be evaluated statically",
        file: "mix.exs",
        line: 8,
        column: 27,
      },
      { severity: "warning", message: "rebar.lock is in an older format", file: "rebar.lock" },
    ];
    const got = lines(checkPackage(pkg({ name: "Bad", version: "x" }, { problems: readerProblems }), HEXPM));
    assert.deepEqual(got, [
      "error: mix.exs:8:27: description: cannot be evaluated statically",
      "warning: rebar.lock is in an older format",
      'error: Package name "Bad" is invalid: it must start with a lowercase letter and hold only ' +
        "lowercase letters, digits and _",
      'error: Version "x" is not a valid semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0 or 1.0.0-rc.1)',
    ]);
  });

  it("leaves mix's own print_info checks to the mix reader (no duplicates)", () => {
    const mixPkg = pkg({ description: undefined, links: undefined, licenses: [] }, { tool: "mix" });
    assert.deepEqual(lines(checkPackage(mixPkg, HEXPM)), []);
  });

  it("refuses metadata.config over 1 MiB", () => {
    const got = lines(checkPackage(pkg({ extra: { blob: "x".repeat(1024 * 1024) } }), HEXPM));
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^error: metadata.config is \d+ bytes, above hex.pm's limit of 1048576 bytes$/);
  });

  it("refuses contents over 128 MiB uncompressed before reading a byte", () => {
    const big = pkg(
      {},
      {
        files: [
          {
            path: "priv/huge.bin",
            kind: "file",
            diskPath: "/nonexistent/huge.bin",
            mode: 0o100644,
            size: 128 * 1024 * 1024,
          },
        ],
      },
    );
    const got = lines(checkPackage(big, HEXPM));
    assert.equal(got.length, 1);
    assert.match(
      got[0]!,
      /^error: The package contents are \d+ bytes uncompressed, above hex.pm's limit of 134217728 bytes$/,
    );
  });

  it("warns about rebar3's _checkouts directory", (t) => {
    const root = mkdtempSync(join(tmpdir(), "hexts-checkouts-"));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, "_checkouts"));
    assert.deepEqual(lines(checkPackage(pkg({}, { root }), HEXPM)), [
      "warning: _checkouts directory found; this might interfere with publishing",
    ]);
  });
});

describe("packageTarget", () => {
  const cases: [{ repo?: string; organization?: string }, PackageTarget | RegExp][] = [
    [{}, { repository: "hexpm" }],
    [{ repo: "hexpm" }, { repository: "hexpm" }],
    [{ repo: "hexpm:acme" }, { repository: "hexpm:acme", organization: "acme" }],
    [{ organization: "acme" }, { repository: "hexpm:acme", organization: "acme" }],
    [
      { organization: "acme", repo: "hexpm" },
      { repository: "hexpm:acme", organization: "acme" },
    ],
    [{ organization: "hexpm:acme" }, { repository: "hexpm:acme", organization: "acme" }],
    [{ repo: "test_repo" }, { repository: "test_repo" }],
    [{ organization: "acme", repo: "hexpm:other" }, /name different repositories/],
    [{ organization: "Acme!" }, /invalid organization name/],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => {
      if (expected instanceof RegExp)
        assert.throws(
          () => packageTarget(input),
          (e: unknown) => e instanceof HextsError && e.code === "USAGE" && expected.test(e.message),
        );
      else assert.deepEqual(packageTarget(input), expected);
    });
  }
});

describe("licenses and links", () => {
  const licenses: [string, boolean][] = [
    ["MIT", true],
    ["Apache-2.0", true],
    ["AGPL-3.0", true],
    ["LicenseRef-My.Own-1", true],
    ["mit", false],
    ["MIT OR Apache-2.0", false],
    ["LicenseRef-", false],
    ["LicenseRef-a_b", false],
    ["", false],
  ];
  for (const [id, ok] of licenses)
    it(`license ${JSON.stringify(id)} → ${ok}`, () => assert.equal(isValidLicense(id), ok));
  it("hints at the listed case and at expressions", () => {
    assert.equal(licenseHint("apache-2.0"), 'did you mean "Apache-2.0"?');
    assert.match(licenseHint("(MIT AND BSD-3-Clause)")!, /SPDX expression/);
    assert.match(licenseHint("Apache-2.0 WITH LLVM-exception")!, /SPDX expression/);
    assert.equal(licenseHint("Proprietary"), undefined);
  });

  const links: [string, boolean][] = [
    ["https://github.com/x/y", true],
    ["http://example.com", true],
    ["https://example.com/café", true],
    ["github.com/x/y", false],
    ["ftp://example.com", false],
    ["https://", false],
    ["mailto:a@example.com", false],
    ["", false],
  ];
  for (const [url, ok] of links) it(`link ${JSON.stringify(url)} → ${ok}`, () => assert.equal(isValidLink(url), ok));
});

describe("formatProblem and problemsError", () => {
  it("adds the location unless the message already names the file", () => {
    assert.equal(formatProblem({ severity: "error", message: "x", file: "mix.exs", line: 3 }), "error: mix.exs:3: x");
    assert.equal(
      formatProblem({ severity: "error", message: "src/a.app.src has no vsn", file: "src/a.app.src" }),
      "error: src/a.app.src has no vsn",
    );
    assert.equal(formatProblem({ severity: "warning", message: "two\n   lines" }), "warning: two lines");
  });

  it("is PACKAGE_INVALID, exit 1, with every problem as a line", () => {
    const problems: Problem[] = [
      { severity: "error", message: "a" },
      { severity: "warning", message: "b" },
      { severity: "error", message: "c" },
    ];
    assert.equal(hasErrors(problems), true);
    const e = problemsError(problems);
    assert.equal(e.code, "PACKAGE_INVALID");
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, "Stopping package build due to errors (2 errors, 1 warning); nothing was written");
    assert.deepEqual(e.lines, ["error: a", "warning: b", "error: c"]);
  });
});
