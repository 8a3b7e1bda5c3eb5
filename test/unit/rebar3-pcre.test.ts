// Erlang `re` (PCRE) exclude_patterns translated to JavaScript: each case is what re:run(Subject, Pattern) does.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { translatePcre } from "../../src/project/rebar3/pcre.js";

const matches = (pattern: string, subject: string): boolean => {
  const t = translatePcre(pattern);
  if (!t.ok) throw new Error(`refused ${pattern}: ${t.reason}`);
  return t.regex.test(subject);
};

describe("translatePcre: matches as PCRE does", () => {
  const cases: [pattern: string, subject: string, expected: boolean][] = [
    ["~$", "/p/a.erl~", true],
    ["~$", "/p/a~b", false],
    ["\\.o$", "/p/x.o", true],
    ["\\.o$", "/p/x.o\n", true], // PCRE's $ also matches before a final newline
    ["\\.o$", "/p/x.o\n\n", false],
    ["\\.o\\z", "/p/x.o\n", false],
    ["\\.o\\Z", "/p/x.o\n", true],
    ["\\.so$", "/p/libx.so", true],
    ["\\.swp$", "/p/.a.erl.swp", true],
    ["^priv", "/home/u/app/priv/a", false],
    ["\\Apriv", "priv/a", true],
    ["a.c", "a\rc", true], // . excludes only \n
    ["a.c", "a\nc", false],
    ["(?s)a.c", "a\nc", true],
    ["^b", "a\nb", false],
    ["(?m)^b", "a\nb", true],
    ["(?m)a$", "a\nb", true],
    ["a$", "a\nb", false],
    ["\\s", "\u00a0", false], // no Unicode white space without UCP
    ["\\s", "\v", true],
    ["\\h", "\u00a0", true],
    ["\\v", "\u0085", true],
    ["\\R", "\r\n", true],
    ["[]a]", "]", true],
    ["[^]a]", "]", false],
    ["[^]a]", "b", true],
    ["[a-]", "-", true],
    ["[\\d-z]", "-", true],
    ["[\\S]", " ", false],
    ["(?i)\\.bak$", "X.BAK", true],
    ["(?i)[a-c]x", "BX", true],
    ["(?i)[^a]", "A", false],
    ["(?i)é", "É", false], // PCRE's default tables fold ASCII only
    ["a(?i)b", "aB", true],
    ["a(?i)b", "AB", false],
    ["(a(?i)b)c", "aBC", false],
    ["(a(?i)b)c", "aBc", true],
    ["(?i:a)b", "AB", false],
    ["(?i-i:a)", "A", false],
    ["[[:digit:]]{2}\\.txt$", "b12.txt", true],
    ["[[:digit:]]{2}\\.txt$", "c1.txt", false],
    ["[[:^digit:]]", "123", false],
    ["[[:alpha:][:digit:]]+$", "ab12", true],
    ["\\Qa.b\\E", "axb", false],
    ["\\Qa.b\\E", "a.b", true],
    ["\\Qa.b", "a.b", true],
    ["\\x41", "A", true],
    ["\\x{42}", "B", true],
    ["\\101", "A", true],
    ["\\0", "\0", true],
    ["\\e", "\u001b", true],
    ["\\cA", "\u0001", true],
    ["(a)\\1", "aa", true],
    ["(a)\\g{1}", "aa", true],
    ["(a)\\g{-1}", "aa", true],
    ["(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", "abcdefghijj", true],
    ["(?P<n>x)(?P=n)", "xx", true],
    ["(?<n>x)\\k<n>", "xx", true],
    ["(?'n'x)\\k{n}", "xx", true],
    ["(?#a comment)a", "a", true],
    ["(?x) a b # comment\n c", "abc", true],
    ["(?x)a\\ b", "a b", true],
    ["a{,2}", "a{,2}", true], // not a quantifier in PCRE
    ["\\d{2}", "a12", true],
    ["x{2,3}?y", "xxy", true],
    ["\\.", ".", true],
    ["\\/", "/", true],
    ["\\i", "i", true], // unknown letter escapes are literals
    ["a|b", "b", true],
    ["(?:ab)+$", "abab", true],
    ["(?=a)a", "a", true],
    ["(?<!a)b", "ab", false],
    ["\\bword\\b", "a word.", true],
    ["\\N", "\n", false],
  ];
  for (const [pattern, subject, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(subject)}`, () =>
      assert.equal(matches(pattern, subject), expected));
  }
});

describe("translatePcre: refuses what JavaScript cannot do", () => {
  const cases: [pattern: string, reason: RegExp][] = [
    ["a++", /possessive/],
    ["a*+", /possessive/],
    ["(?>a)", /atomic/],
    ["(?|(a)|(b))", /branch reset/],
    ["(?(1)a|b)", /conditional/],
    ["(?R)", /recursion/],
    ["(?1)", /recursion/],
    ["(*UTF8)a", /VERB/],
    ["a(*SKIP)b", /VERB/],
    ["\\p{L}", /\\p/],
    ["\\G", /\\G/],
    ["a\\Kb", /\\K/],
    ["\\x{100}", /above \\xff/],
    ["(a)\\2", /non-existent group 2/],
    ["*a", /follows nothing/],
    ["(?U)a", /option/],
    ["[a", /missing terminating \]/],
    ["(a", /missing \)/],
    ["a)", /unmatched \)/],
    ["(?i)(a)\\1", /caseless back references/],
    ["[z-a]", /out of order/],
    ["a\\", /ends with a backslash/],
    ["\\N{U+41}", /\\N\{name\}/],
  ];
  for (const [pattern, reason] of cases) {
    it(`refuses ${JSON.stringify(pattern)}`, () => {
      const t = translatePcre(pattern);
      assert.equal(t.ok, false);
      if (!t.ok) assert.match(t.reason, reason);
    });
  }
});
