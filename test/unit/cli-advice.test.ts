// The CLI's advice (src/cli/advice.ts): the library's fact stays free of hexts commands, the CLI line names them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorFromTransport, type WriteCheck } from "../../src/api/errors.js";
import { HextsError } from "../../src/errors.js";
import { adviceFor, messageWithAdvice } from "../../src/cli/advice.js";

const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
const cut = (check: WriteCheck) =>
  errorFromTransport({ method: "POST", url: "https://hex.pm/api/x", cause: reset, write: true, check });

test("an interrupted write: the library says what to look at, the CLI says which command shows it", () => {
  const cases: [WriteCheck, RegExp, RegExp][] = [
    [
      { look: "keys", organization: "acme", purpose: "to see which keys remain" },
      /; list the keys of acme to see which keys remain\.$/,
      /; run `hexts organization key acme list` to see which keys remain\.$/,
    ],
    [
      { look: "owners", package: "foo", purpose: 'to see whether "bob" is still an owner' },
      /; list the owners of foo to see whether "bob" is still an owner\.$/,
      /; run `hexts owner list foo` to see whether "bob" is still an owner\.$/,
    ],
    [
      { look: "release", package: "", purpose: "to see whether the release is there" },
      /; look at the package page to see whether the release is there\.$/,
      /; look at the package page to see whether the release is there\.$/,
    ],
  ];
  for (const [check, fact, line] of cases) {
    const e = cut(check);
    assert.equal(e.kind, "write-outcome-unknown");
    assert.deepEqual((e.details as { check: WriteCheck }).check, check);
    assert.match(e.message, fact);
    assert.doesNotMatch(e.message, /hexts /);
    assert.match(messageWithAdvice(e), line);
  }
});

test("a key whose secret was lost: the fact names it, the advice the revoke command; no kind, no advice", () => {
  const lost = new HextsError("PROTOCOL", "the key ci was created but its secret could not be read; revoke it", {
    kind: "key-secret-unreadable",
    details: { key: "ci" },
  });
  assert.equal(messageWithAdvice(lost), `${lost.message} (\`hexts user key revoke ci\`)`);
  const plain = new HextsError("FAILED", "something failed.");
  assert.equal(adviceFor(plain), undefined);
  assert.equal(messageWithAdvice(plain), "something failed.");
});
