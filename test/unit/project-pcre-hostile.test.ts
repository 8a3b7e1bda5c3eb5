// Patterns from hostile projects (issue 11 §3): exclude_patterns / exclude_regexps run on re2js in linear time.
// Each of these backtracked for seconds to minutes with JavaScript's RegExp; the anchors PCRE defines by what
// follows ($, multiline ^, lookahead) run on the reversed subject and keep their PCRE meaning.
import { it } from "node:test";
import assert from "node:assert/strict";
import { compilePcre, elixirRegexOptions } from "../../src/project/pcre.js";

const FAST_MS = 2000;
const cases: [pattern: string, mods: string | undefined, subject: string, expected: boolean][] = [
  ["(x+x+)+y", undefined, "x".repeat(40), false],
  ["(x+x+)+y", undefined, "x".repeat(40) + "y", true],
  ["(a|aa)+$", undefined, `${"a".repeat(5000)}b`, false],
  ["^(a+)+$", undefined, `${"a".repeat(5000)}!`, false],
  ["(.*a){20}", undefined, "a".repeat(5000), true],
  ["(.*a){20}x", undefined, "a".repeat(5000), false],
  ["(?=(a+)+b)a", undefined, "a".repeat(5000), false],
  ["(\\w+\\s?)+$", "u", `${"é ".repeat(3000)}!`, false],
  ["(x+x+)+y", "", "x".repeat(10_000), false],
];

for (const [pattern, mods, subject, expected] of cases) {
  const flags = mods !== undefined ? `/${mods}` : "";
  it(`${pattern}${flags} against ${subject.length} characters: ${expected} in linear time`, () => {
    const re = mods === undefined ? compilePcre(pattern) : compilePcre(pattern, elixirRegexOptions(mods));
    const start = performance.now();
    assert.equal(re.test(subject), expected);
    assert.ok(performance.now() - start < FAST_MS, `took ${Math.round(performance.now() - start)} ms`);
  });
}
