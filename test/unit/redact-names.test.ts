// One list of secret names (src/secret-names.ts): field names in any spelling are masked in JSON documents and in
// JSON-looking text, and the secret settings' environment variables are kept from child processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { childProcessEnv } from "../../src/config/child-env.js";
import { SECRET_SETTINGS, isSecretField } from "../../src/secret-names.js";
import { SecretRegistry, redactPatterns } from "../../src/ui/redact.js";

test("secret field names match in snake_case, camelCase and kebab-case; ordinary names do not", () => {
  for (const name of ["access_token", "accessToken", "refreshToken", "API_KEY", "apiKey", "local_password", "otp"])
    assert.ok(isSecretField(name), name);
  for (const name of ["keyName", "username", "source", "kind", "apiUrl", "tokens_left"])
    assert.ok(!isSecretField(name), name);
});

test("redactDeep masks secret fields of a camelCase document; redactPatterns masks them in text", () => {
  const doc = {
    data: { accessToken: "tok-1234", localPassword: "pw-5678", keyName: "laptop", nested: [{ otp: "123456" }] },
  };
  assert.deepEqual(new SecretRegistry().redactDeep(doc), {
    data: { accessToken: "***", localPassword: "***", keyName: "laptop", nested: [{ otp: "***" }] },
  });
  assert.equal(
    redactPatterns('{"refreshToken": "r-9\\"x", "apiUrl": "https://hex.pm/api", "client_secret":"c"}'),
    '{"refreshToken": "***", "apiUrl": "https://hex.pm/api", "client_secret":"***"}',
  );
});

test("every secret setting's environment variables are kept from child processes", () => {
  const env = childProcessEnv({
    HEX_API_KEY: "a",
    HEXPM_API_KEY: "b",
    HEX_OTP: "c",
    HEX_LOCAL_PASSWORD: "d",
    PATH: "/bin",
  });
  assert.deepEqual(env, { PATH: "/bin" });
  assert.deepEqual([...SECRET_SETTINGS].sort(), ["api_key", "local_password", "otp"]);
});
