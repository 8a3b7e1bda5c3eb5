// PCRE (Erlang `re`, Elixir `Regex`) translated to JavaScript. Each case is what PCRE does with the subject:
// re:run(Subject, Pattern) as rebar3_hex calls it (no options, Latin-1), and `path =~ ~r/source/mods` as mix does.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compilePcre, elixirRegexOptions, PcreError } from "../../src/project/pcre.js";

const refusedWith = (reason: RegExp) => (e: unknown) => e instanceof PcreError && reason.test(e.message);

describe("Erlang re:run(Subject, Pattern), no options", () => {
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
    ["(?m)^$", "a\n", false], // multiline ^ does not match after a final newline
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
    ["[\\1]", "\u0001", true], // octal inside a class
    ["[\\8]", "8", true],
    ["[a-\\Ez]", "m", true], // \E is ignored, even inside a range
    ["(?i)\\.bak$", "X.BAK", true],
    ["(?i)[a-c]x", "BX", true],
    ["(?i)[^a]", "A", false],
    ["(?i)é", "É", false], // PCRE's default tables fold ASCII only
    ["é", "/p/café", true], // Latin-1 on both sides
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
    ["\\c;", "{", true],
    ["(a)\\11", "a\t", true], // more digits than groups: an octal escape
    ["(?#a comment)a", "a", true],
    ["(?x) a b # comment\n c", "abc", true],
    ["(?x)a\\ b", "a b", true],
    ["a{,2}", "a{,2}", true], // not a quantifier in PCRE
    ["\\d{2}", "a12", true],
    ["x{2,3}?y", "xxy", true],
    ["\\.", ".", true],
    ["\\/", "/", true],
    ["a|b", "b", true],
    ["(?:ab)+$", "abab", true],
    ["(?=a)a", "a", true],
    ["(?<!a)b", "ab", false],
    ["\\bword\\b", "a word.", true],
    ["\\N", "\n", false],
  ];
  for (const [pattern, subject, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? "matches" : "does not match"} ${JSON.stringify(subject)}`, () =>
      assert.equal(compilePcre(pattern).test(subject), expected));
  }
});

describe("Erlang re: refused patterns", () => {
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
    ["\\p{L}", /\\p is only supported with the u modifier/],
    ["\\G", /\\G/],
    ["a\\Kb", /\\K/],
    ["\\x{100}", /above \\xff/],
    ["\\777", /above \\xff/],
    ["ā", /not a Latin-1 character/], // re:compile of a charlist above 255 without `unicode` is badarg
    ["(a)\\2", /non-existent group 2/],
    ["*a", /nothing to repeat/],
    ["(?U)a", /option/],
    ["[a", /missing terminating \]/],
    ["(a", /missing \)/],
    ["(?#a", /missing \)/],
    ["a)", /unmatched \)/],
    // Back references rule out linear-time matching (issue 11 §3): refused, with or without (?i).
    ["(a)\\1", /back references are not supported/],
    ["(a)\\g{1}", /back references are not supported/],
    ["(a)\\g{-1}", /back references are not supported/],
    ["(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", /back references are not supported/],
    ["(?P<n>x)(?P=n)", /back references are not supported/],
    ["(?<n>x)\\k<n>", /back references are not supported/],
    ["(?'n'x)\\k{n}", /back references are not supported/],
    ["(?i)(a)\\1", /back references are not supported/],
    ["(?i)(?<n>a)\\k<n>", /back references are not supported/],
    ["a$(?<=a)", /lookbehind together with lookahead/], // needs both directions
    ["[z-a]", /out of order/],
    ["a\\", /ends with a backslash/],
    ["\\N{U+41}", /\\N\{name\}/],
    ["\\i", /unknown escape \\i/], // a literal `i` in PCRE1 (OTP < 28), an error in PCRE2
    ["\\L", /unknown escape/],
    ["\\c\u00e9", /printable ASCII/],
    ["[\\R]", /inside a character class/],
    ["[a-\\Qz\\E]", /\\Q/],
  ];
  for (const [pattern, reason] of cases) {
    it(`refuses ${JSON.stringify(pattern)}`, () => assert.throws(() => compilePcre(pattern), refusedWith(reason)));
  }
});

describe("Elixir ~r/source/mods =~ relative path", () => {
  const cases: [source: string, mods: string, path: string, expected: boolean][] = [
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
    ["é", "i", "\u3a40", false], // bytes C3 A9 vs E3 A9 80: no Latin-1 folding of bytes (0xC3 is not 0xE3)
    ["^lib/.*_test\\.exs$", "", "lib/a/b_test.exs", true],
    ["\\s", "", "a\u00a0b", false], // PCRE \s is ASCII without u
    ["\\s", "u", "a\u00a0b", true],
    ["\\w+\\.ex$", "", "é.ex", false], // é is two non-word bytes
    ["\\w+\\.ex$", "u", "é.ex", true],
    ["^.\\.txt$", "", "é.txt", false], // . matches one byte
    ["^.\\.txt$", "u", "é.txt", true],
    ["^é+$", "", "éé", false], // without u, + repeats the last byte of é only
    ["^é+$", "u", "éé", true],
    ["café", "", "priv/café.txt", true],
    ["caf[é]", "", "priv/cafe\u0301.txt", false],
    ["\\d", "u", "\u0663", true], // ARABIC-INDIC DIGIT THREE is \p{Nd}
    ["\\d", "", "\u0663", false],
    ["\\x{e9}", "u", "é", true],
    ["\\x{1F600}", "u", "\u{1f600}", true],
    ["\\p{Lu}\\P{L}", "u", "É1", true],
    ["[\\p{L}\\d]+$", "u", "αβ3", true],
    ["(?i)É", "u", "é", true], // with u, caseless is Unicode
    ["É", "iu", "é", true],
    ["[[:digit:]]{3}", "", "v123", true],
    ["[[:^alpha:]]", "", "a1", true],
    ["[[:alpha:]_]+\\d", "", "__9", true],
    ["[[:xdigit:]]+$", "u", "beef", true],
    ["\\Qa.b\\E$", "", "xa.b", true],
    ["\\Qa.b\\E$", "", "xacb", false],
    ["(?P<ext>ex)s?$", "", "a.exs", true],
    ["(?i)readme", "", "README.md", true],
    ["a(?i)b", "", "aB", true],
    ["x{2,}", "", "axxb", true],
    ["a{,2}", "", "a{,2}", true], // not a quantifier in PCRE: literal
    ["\\/tmp\\/", "", "a/tmp/b", true],
    ["#", "x", "a#b", true], // extended: a comment, so the pattern is empty
    ["a b", "x", "ab", true],
    ["\\x41\\x{42}\\101", "", "ABA", true],
    ["\\bfoo\\b", "", "a/foo/b", true],
    ["\\h", "", "a\tb", true],
  ];
  for (const [source, mods, path, expected] of cases) {
    it(`~r/${source}/${mods} ${expected ? "matches" : "does not match"} ${JSON.stringify(path)}`, () => {
      assert.equal(compilePcre(source, elixirRegexOptions(mods)).test(path), expected);
    });
  }
});

describe("Elixir ~r: refused", () => {
  const cases: [source: string, mods: string, reason: RegExp][] = [
    ["a++", "", /possessive/],
    ["(?>a)", "", /atomic group/],
    ["(?(1)a|b)", "", /conditional/],
    ["(?R)", "", /recursion/],
    ["a(?i)b", "u", /only supported at the start/],
    ["(?i:a)", "u", /only supported at the start/],
    ["\\G", "", /\\G/],
    ["\\p{L}", "", /\\p is only supported with the u modifier/],
    ["\\p{Greek}", "u", /Unicode property/],
    ["[\\p{Greek}]", "u", /Unicode property/],
    ["\\p{Lu}", "iu", /caseless/], // PCRE1 ignores caseless here, PCRE2 and JS do not
    ["[[:^alpha:]]", "u", /POSIX class \[:alpha:\] with the u modifier/],
    ["[\\W]", "u", /inside \[\.\.\.\]/],
    ["(a)\\1", "i", /back references are not supported/],
    ["(a)\\1", "", /back references are not supported/],
    ["\\bé", "u", /Unicode word boundaries/],
    ["a", "U", /ungreedy/],
    ["a", "f", /firstline/],
    ["a", "q", /unknown regex modifier/],
    ["\\i", "", /unknown escape/],
    ["(a", "", /missing \)/],
    ["[a", "", /missing terminating \]/],
    ["*a", "", /nothing to repeat/],
    ["\\x{100}", "", /above \\xff/],
    ["\\x{d800}", "u", /not a valid Unicode code point/],
  ];
  for (const [source, mods, reason] of cases) {
    it(`~r/${source}/${mods} is refused`, () =>
      assert.throws(() => compilePcre(source, elixirRegexOptions(mods)), refusedWith(reason)));
  }
});

it("keeps the pattern as written", () => {
  assert.equal(compilePcre("\\.o$").source, "\\.o$");
  assert.equal(compilePcre("é", elixirRegexOptions("")).source, "é");
});
