// stripTerminalControls: what a server or a project may not send to the user's terminal. One line per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stripTerminalControls, stripTerminalControlsDeep } from "../../src/terminal-text.js";

const cases: [string, string, string, boolean?][] = [
  ["plain text unchanged", "héllo wörld", "héllo wörld"],
  ["tabs and line feeds kept", "a\tb\nc", "a\tb\nc"],
  ["carriage return removed (line overwrite)", "safe\rEVIL", "safeEVIL"],
  ["CSI clear screen", "a\u001b[2Jb", "ab"],
  ["CSI cursor move", "a\u001b[10;20Hb", "ab"],
  ["OSC window title with BEL", "a\u001b]0;pwned\u0007b", "ab"],
  ["OSC 8 hyperlink with ST", "\u001b]8;;https://evil\u001b\\click\u001b]8;;\u001b\\", "click"],
  ["C1 CSI", "a\u009b31mb", "ab"],
  ["colours removed by default", "\u001b[31mred\u001b[0m", "red"],
  ["colours kept on request", "\u001b[31mred\u001b[0m", "\u001b[31mred\u001b[0m", true],
  ["cursor moves removed even when colours are kept", "\u001b[2Ax\u001b[1m", "x\u001b[1m", true],
  ["lone escape, backspace, bell, DEL", "a\u001b\u0008\u0007\u007fb", "ab"],
];
for (const [name, input, expected, keepColors] of cases) {
  test(`stripTerminalControls: ${name}`, () => assert.equal(stripTerminalControls(input, { keepColors }), expected));
}

test("stripTerminalControlsDeep cleans every string of a decoded document, keys included", () => {
  assert.deepEqual(stripTerminalControlsDeep({ "k\u001b[2J": ["v\r", 1, null, { x: "\u0007y" }] }), {
    k: ["v", 1, null, { x: "y" }],
  });
});
