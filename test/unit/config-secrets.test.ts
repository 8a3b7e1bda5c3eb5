// Sealed secrets: scrypt-derived key, AES-256-GCM, random salt per password and nonce per envelope,
// associated data binding each envelope to its field, and a password check that tells wrong from right.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_KDF, Keyring, SecretUnreadableError } from "../../src/config/secrets.js";
import { SealedSchema } from "../../src/config/schema.js";

// Cheap cost parameters keep these tests fast; the default cost is checked separately below.
const fast = { n: 2 ** 10, r: 8, p: 1 };
const aad = ["credential", "https://hex.pm/api", "alice", "key"];

test("seal then open round-trips, and the envelope is versioned and self-describing", async () => {
  const ring = Keyring.fresh("correct horse", fast);
  const sealed = await ring.seal("0123456789abcdef0123456789abcdef", aad);
  assert.ok(SealedSchema.safeParse(sealed).success);
  assert.equal(sealed.v, 1);
  assert.equal(sealed.kdf, "scrypt");
  assert.deepEqual({ n: sealed.n, r: sealed.r, p: sealed.p }, fast);
  assert.equal(Buffer.from(sealed.salt, "base64").length, 16);
  assert.equal(Buffer.from(sealed.nonce, "base64").length, 12);
  assert.equal(Buffer.from(sealed.tag, "base64").length, 16);
  assert.ok(!JSON.stringify(sealed).includes("0123456789abcdef"));
  assert.equal(await ring.open(sealed, aad), "0123456789abcdef0123456789abcdef");
});

test("each envelope gets a fresh nonce; each password a fresh salt", async () => {
  const ring = Keyring.fresh("pw-one", fast);
  const a = await ring.seal("same", aad);
  const b = await ring.seal("same", aad);
  assert.notEqual(a.nonce, b.nonce);
  assert.notEqual(a.ct, b.ct);
  assert.equal(a.salt, b.salt);
  assert.notEqual(Keyring.fresh("pw-one", fast).salt.toString("base64"), a.salt);
});

test("the associated data binds an envelope to its field and user", async () => {
  const ring = Keyring.fresh("pw", fast);
  const sealed = await ring.seal("tok-secret", aad);
  await assert.rejects(
    ring.open(sealed, ["credential", "https://hex.pm/api", "mallory", "key"]),
    SecretUnreadableError,
  );
  await assert.rejects(ring.open(sealed, ["repo", "hexpm:acme", "auth_key"]), SecretUnreadableError);
});

test("a tampered envelope does not open", async () => {
  const ring = Keyring.fresh("pw", fast);
  const sealed = await ring.seal("tok-secret", aad);
  const ct = Buffer.from(sealed.ct, "base64");
  ct[0] = (ct[0] ?? 0) ^ 1;
  await assert.rejects(ring.open({ ...sealed, ct: ct.toString("base64") }, aad), SecretUnreadableError);
});

test("the password check tells the right password from a wrong one", async () => {
  const ring = Keyring.fresh("right password", fast);
  const check = await ring.makeCheck();
  assert.ok(await Keyring.unlock("right password", check));
  assert.equal(await Keyring.unlock("wrong password", check), undefined);
  const opened = (await Keyring.unlock("right password", check))!;
  assert.equal(await opened.open(await ring.seal("v", aad), aad), "v");
});

test("a wrong password cannot open a secret sealed with the right one", async () => {
  const sealed = await Keyring.fresh("right", fast).seal("v", aad);
  const other = Keyring.fresh("wrong", fast);
  await assert.rejects(other.open(sealed, aad), SecretUnreadableError);
});

test("an empty local password is refused", () => {
  assert.throws(() => Keyring.fresh(""), /cannot be empty/);
});

test("the default cost is scrypt N=2^17, r=8, p=1 and it works", async () => {
  assert.deepEqual(DEFAULT_KDF, { n: 131072, r: 8, p: 1 });
  const ring = Keyring.fresh("default cost");
  const check = await ring.makeCheck();
  assert.equal(check.n, 131072);
  assert.ok(await Keyring.unlock("default cost", check));
});
