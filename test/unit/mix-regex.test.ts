// exclude_patterns regexes: PCRE (as Elixir's ~r compiles them) translated to JavaScript. One line per case:
// [source, modifiers, path, expected match].
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileElixirRegex, RegexError } from "../../src/project/mix/index.js";

const cases: Array<[string, string, string, boolean]> = [
  ["\\.tmp$", "", "priv/samples/scratch.tmp", true],
  ["\\.tmp$", "", "priv/samples/scratch.tmp.bak", false],
  ["\\.tmp$", "", "x.tmp\n", true], // PCRE `$` also matches before a final newline
  ["\\.tmp\\z", "", "x.tmp\n", false],
  ["^priv/", "", "lib/priv/x", false],
  ["\\Apriv", "", "priv/x", true],
  ["^b", "m", "a\nb", true],
  ["^b", "", "a\nb", false],
  ["a.c", "", "a\nc", false],
  ["a.c", "s", "a\nc", true],
  ["TMP", "i", "x.tmp", true],
  ["^lib/.*_test\\.exs$", "", "lib/a/b_test.exs", true],
  ["\\s", "", "a\u00a0b", false], // PCRE \s is ASCII without u
  ["\\s", "u", "a\u00a0b", true],
  ["\\w+\\.ex$", "", "é.ex", false], // é is two non-word bytes
  ["\\w+\\.ex$", "u", "é.ex", true],
  ["^.\\.txt$", "", "é.txt", false], // . matches one byte
  ["^.\\.txt$", "u", "é.txt", true],
  ["café", "", "priv/café.txt", true],
  ["caf[é]", "", "priv/cafe\u0301.txt", false],
  ["[[:digit:]]{3}", "", "v123", true],
  ["[[:alpha:]_]+\\d", "", "__9", true],
  ["\\Qa.b\\E$", "", "xa.b", true],
  ["\\Qa.b\\E$", "", "xacb", false],
  ["(?P<ext>ex)s?$", "", "a.exs", true],
  ["(?i)readme", "", "README.md", true],
  ["x{2,}", "", "axxb", true],
  ["a{,2}", "", "a{,2}", true], // not a quantifier in PCRE: literal
  ["\\/tmp\\/", "", "a/tmp/b", true],
  ["#", "x", "a#b", true], // extended: a comment, so the pattern is empty
  ["a b", "x", "ab", true],
  ["\\x41\\x{42}\\101", "", "ABA", true],
  ["(a)\\1", "", "xaa", true],
  ["\\bfoo\\b", "", "a/foo/b", true],
  ["\\h", "", "a\tb", true],
];

for (const [source, mods, path, expected] of cases) {
  test(`~r/${source}/${mods} ${expected ? "matches" : "does not match"} ${JSON.stringify(path)}`, () => {
    assert.equal(compileElixirRegex(source, mods).test(path), expected);
  });
}

const refused: Array<[string, string, RegExp]> = [
  ["a++", "", /possessive/],
  ["(?>a)", "", /atomic group/],
  ["(?(1)a|b)", "", /conditional/],
  ["(?R)", "", /recursion/],
  ["a(?i)b", "", /inline options/],
  ["\\G", "", /\\G/],
  ["\\p{L}", "", /\\p without the u modifier/],
  ["\\p{Greek}", "u", /Unicode property/],
  ["[[:^alpha:]]", "", /negated POSIX/],
  ["a", "U", /ungreedy/],
  ["a", "f", /firstline/],
  ["\\i", "", /unknown escape/],
  ["(a", "", /unclosed group/],
  ["[a", "", /unterminated/],
  ["*a", "", /nothing to repeat/],
  ["\\x{100}", "", /above \\xff/],
];

for (const [source, mods, message] of refused) {
  test(`~r/${source}/${mods} is refused`, () => {
    assert.throws(() => compileElixirRegex(source, mods), (e: unknown) => e instanceof RegexError && message.test(e.message));
  });
}
