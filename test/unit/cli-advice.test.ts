// The CLI's advice (src/cli/advice.ts): the library's fact stays free of hexts commands, the CLI line names them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { errorFromTransport, type WriteCheck } from "../../src/api/errors.js";
import { HextsError } from "../../src/errors.js";
import { messageWithAdvice } from "../../src/cli/advice.js";

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
  assert.equal(messageWithAdvice(plain), "something failed.");
});

test("settings the config file does not hold: the library says why, the CLI how to supply them", async () => {
  const { userSettingValue } = await import("../../src/config/settings.js");
  const refused = (key: string, raw: string) => {
    try {
      userSettingValue(key, raw);
    } catch (e) {
      return e as HextsError;
    }
    assert.fail(`${key} was accepted`);
  };
  const apiKey = refused("api_key", "x");
  assert.equal(apiKey.kind, "setting-not-stored");
  assert.equal(apiKey.message, "api_key cannot be set in the config file: it is a credential");
  assert.equal(
    messageWithAdvice(apiKey),
    "api_key cannot be set in the config file: it is a credential; store a key with `hexts user auth --key`, " +
      "or set HEX_API_KEY",
  );
  const otp = refused("otp", "123456");
  assert.equal(
    messageWithAdvice(otp),
    "otp cannot be set in the config file: codes change every 30 seconds; pass --otp or set HEX_OTP",
  );
  // A reason that names only environment variables needs no advice.
  const home = refused("home", "/x");
  assert.equal(messageWithAdvice(home), home.message);
});

test("docs not found: the library's facts, the CLI's flags and commands", async () => {
  const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { buildPlan } = await import("../../src/build/pipeline.js");
  const dir = mkdtempSync(join(tmpdir(), "hexts-advice-"));
  try {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "rebar.config"), "{deps, []}.\n");
    writeFileSync(
      join(dir, "src", "demo.app.src"),
      '{application, demo, [{vsn, "1.0.0"}, {description, "d"}, {licenses, ["MIT"]}, {links, []}]}.\n',
    );
    const e = await buildPlan({ dir, what: "docs", stage: "build" }).then(
      () => assert.fail("built docs that are not there"),
      (err: HextsError) => err,
    );
    assert.equal(e.kind, "docs-missing");
    assert.doesNotMatch(e.message, /hexts |--doc-dir/);
    assert.match(e.message, /generate them first \(mix docs, rebar3 ex_doc or rebar3 edoc\)$/);
    assert.ok(
      messageWithAdvice(e).endsWith(
        "generate them first (mix docs, rebar3 ex_doc or rebar3 edoc) or point to them with --doc-dir DIR; " +
          "`hexts build package` builds the package alone",
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
