// A hostile mix.exs nested thousands of levels deep overflowed the parser's stack (a bare RangeError, found by the
// fuzz run); nesting is now limited and refused as a located syntax error (issue 11 §3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseElixir } from "../../src/project/mix/parser.js";
import { ElixirSyntaxError } from "../../src/project/mix/tokenizer.js";

test("mix.exs nesting: 100 levels parse; 5,000 levels of lists or parentheses are a located syntax error", () => {
  assert.doesNotThrow(() => parseElixir(`x = ${"[".repeat(100)}1${"]".repeat(100)}`));
  for (const [open, close] of [
    ["[", "]"],
    ["(", ")"],
    ["{", "}"],
  ]) {
    const source = `x = ${open!.repeat(5000)}1${close!.repeat(5000)}`;
    assert.throws(
      () => parseElixir(source),
      (e: unknown) => e instanceof ElixirSyntaxError && /nested more than 300 levels/.test(e.message),
    );
  }
});
