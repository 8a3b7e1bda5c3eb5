// A tarball whose metadata.config hex_core cannot read is rejected with hex_core's own verdict kept in details.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { unpackPackageTarball } from "../../src/package/tarball.js";
import { HextsError } from "../../src/errors.js";
import { readVectorJson, vectorPath, vectorsSkip } from "../support/vectors.js";

const cases = [
  "metadata_empty",
  "metadata_illegal_atom",
  "metadata_not_key_value",
  "metadata_syntax_error",
  "metadata_trailing_backslash",
];

for (const id of cases) {
  test(`${id}: rejected with hex_core's reason tag`, { skip: vectorsSkip }, async () => {
    const vector = readVectorJson(`tarballs_negative/${id}.json`);
    const bytes = readFileSync(vectorPath(`tarballs_negative/${id}.tar`));
    await assert.rejects(unpackPackageTarball(bytes), (e: unknown) => {
      assert.ok(e instanceof HextsError);
      assert.equal(e.code, "TARBALL_INVALID");
      const details = e.details as { reason: string; reasonTag?: string };
      assert.equal(details.reason, "metadata_invalid");
      assert.equal(details.reasonTag, vector.unpack_memory.reason_tag);
      return true;
    });
  });
}
