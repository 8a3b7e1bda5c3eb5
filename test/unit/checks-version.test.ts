// Elixir's Version.parse / Version.parse_requirement as hex.pm applies them, one case per line.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  parseRequirement,
  parseVersion,
  requirementIsPrerelease,
  requirementProblem,
  versionProblem,
} from "../../src/package/checks-version.js";

describe("parseVersion (Elixir Version.parse)", () => {
  const cases: [string, boolean][] = [
    ["1.0.0", true],
    ["0.0.0", true],
    ["10.20.30", true],
    ["1.0.0-rc.1", true],
    ["1.0.0-alpha-beta.0.x", true],
    ["1.4.0-beta.2", true],
    ["1.0.0+build.7", true],
    ["1.0.0-rc.1+001", true],
    ["1.0", false],
    ["1", false],
    ["1.0.0.0", false],
    ["01.0.0", false],
    ["1.00.0", false],
    ["1.0.0-01", false],
    ["1.0.0-", false],
    ["1.0.0+", false],
    ["1.0.0-a..b", false],
    ["1.0.0-a_b", false],
    ["v1.0.0", false],
    [" 1.0.0", false],
    ["1.0.0 ", false],
    ["", false],
    ["1.0.x", false],
  ];
  for (const [text, ok] of cases)
    it(`${JSON.stringify(text)} → ${ok ? "valid" : "invalid"}`, () =>
      assert.equal(parseVersion(text) !== undefined, ok));

  it("keeps numbers beyond 2^53 exact and splits pre-release identifiers", () => {
    const v = parseVersion("123456789012345678.0.1-rc.10.x")!;
    assert.equal(v.major, 123456789012345678n);
    assert.deepEqual(v.pre, ["rc", 10n, "x"]);
  });

  it("lets the patch part go only when approximate (~>)", () => {
    assert.equal(parseVersion("1.2"), undefined);
    assert.deepEqual(parseVersion("1.2", true), { major: 1n, minor: 2n, patch: undefined, pre: [], build: [] });
  });
});

describe("versionProblem (Hexpm.Version.validate)", () => {
  const cases: [string, RegExp | undefined][] = [
    ["1.0.0", undefined],
    ["1.4.0-beta.2", undefined],
    [`99999999999999.0.0`, undefined],
    [`100000000000000.0.0`, /numeric part above 99999999999999/],
    [`1.0.0-rc.100000000000000`, /numeric part above/],
    [`1.0.0-${"a".repeat(64)}`, undefined],
    [`1.0.0-${"a".repeat(65)}`, /longer than 64/],
    ["1.0.0+build.7", /\+build metadata/],
    ["1.0", /not a valid semantic version/],
  ];
  for (const [text, problem] of cases) {
    it(`${text.slice(0, 30)} → ${problem ?? "accepted"}`, () => {
      const got = versionProblem(text);
      if (problem === undefined) assert.equal(got, undefined);
      else assert.match(got ?? "", problem);
    });
  }
});

describe("parseRequirement (Elixir Version.parse_requirement)", () => {
  const cases: [string, boolean][] = [
    ["~> 1.0", true],
    ["~>1.0", true],
    ["~>0.2.0", true],
    ["~> 1.0.0-rc.1", true],
    ["1.0.0", true],
    ["== 1.0.0", true],
    [">= 1.2.0 and < 2.0.0", true],
    ["== 1.0.0 or == 1.1.0", true],
    ["~> 1.0 or ~> 2.0", true],
    ["> 1.0.0", true],
    ["<= 1.0.0", true],
    ["!= 1.0.0", true],
    ["!1.0.0", true],
    [">= 1.0.0+build", true],
    [">=1.0.0", true],
    ["  ~>  1.0  ", true],
    [">= 1.0", false],
    ["== 1.0", false],
    ["1.0", false],
    ["~> 1", false],
    ["~> 1.4 or", false],
    ["or ~> 1.0", false],
    ["~> 1.0 and", false],
    ["~> 1.0 || ~> 2.0", false],
    [">= 1.0.0, < 2.0.0", false],
    ["~> 1.0or ~> 2.0", false],
    ["1.14 or later", false],
    ["latest", false],
    [">= >= 1.0.0", false],
    ["", false],
    ["   ", false],
    ["*", false],
  ];
  for (const [text, ok] of cases)
    it(`${JSON.stringify(text)} → ${ok ? "valid" : "invalid"}`, () =>
      assert.equal(parseRequirement(text) !== undefined, ok));

  it("reads each clause's operator and version", () => {
    const clauses = parseRequirement(">= 1.2.0 and < 2.0.0-rc.0")!;
    assert.deepEqual(
      clauses.map((c) => [c.op, c.version.major, c.version.pre]),
      [
        [">=", 1n, []],
        ["<", 2n, ["rc", 0n]],
      ],
    );
    assert.equal(parseRequirement("1.0.0")![0]!.op, "==");
  });
});

describe("requirementProblem (hex.pm validate_requirement)", () => {
  it("accepts what Elixir parses, without !=", () => {
    assert.equal(requirementProblem("~> 1.4"), undefined);
    assert.equal(requirementProblem("~>0.2.0"), undefined);
  });
  it("names the requirement when it does not parse", () => {
    assert.match(requirementProblem("~> 1.4 or")!, /^invalid requirement "~> 1.4 or"/);
  });
  it("refuses != even though Elixir parses it", () => {
    assert.match(requirementProblem("!= 1.0.0")!, /!= is not allowed in requirements/);
  });
  it("tells pre-release requirements apart", () => {
    assert.equal(requirementIsPrerelease("~>1.0.0-rc.1"), true);
    assert.equal(requirementIsPrerelease("~> 1.0"), false);
    assert.equal(requirementIsPrerelease("not a requirement"), false);
  });
});
