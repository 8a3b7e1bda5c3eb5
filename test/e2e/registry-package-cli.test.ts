// `hexts package fetch|diff` end to end against the local Hex server, with a tampered tarball.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { z } from "zod";
import { json } from "../support/assertions.js";
import { world } from "./registry-support.js";

test("package fetch: the tarball, verified; --unpack; a tampered tarball is refused, nothing written", async (t) => {
  const w = await world(t);
  const res = await w.run(["package", "fetch", "alpha", "1.1.0", "-o", "out"]);
  assert.equal(res.code, 0, res.stderr);
  const tar = readFileSync(join(w.project, "out", "alpha-1.1.0.tar"));
  assert.equal(createHash("sha256").update(tar).digest("hex"), w.release("alpha", "1.1.0").outerChecksum);
  assert.match(res.stdout, /alpha v1\.1\.0 downloaded to .*alpha-1\.1\.0\.tar/);
  const unpacked = await w.run(["package", "fetch", "alpha", "1.1.0", "--unpack", "-o", "src"]);
  assert.equal(unpacked.code, 0, unpacked.stderr);
  assert.equal(readFileSync(join(w.project, "src", "alpha-1.1.0", "README.md"), "utf8"), "# Alpha\n");
  assert.ok(existsSync(join(w.project, "src", "alpha-1.1.0", "hex_metadata.config")));
  const org = await w.run(["package", "fetch", "secret", "1.0.0", "--organization", "acme", "--json"]);
  assert.equal(org.code, 0, org.stdout);

  const release = w.release("alpha", "0.9.0");
  release.tarball = Buffer.concat([release.tarball, Buffer.alloc(1024)]);
  const bad = await w.run(["package", "fetch", "alpha", "0.9.0", "--unpack", "-o", "bad"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^hexts: The tarball of alpha 0\.9\.0 .* does not match the registry's outer checksum/);
  assert.ok(!existsSync(join(w.project, "bad")) || readdirSync(join(w.project, "bad")).length === 0);
  const missing = await w.run(["package", "fetch", "alpha", "9.9.9"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /alpha has no release 9\.9\.9 in hexpm/);
});

test("package diff: a unified diff of two releases (exit 1), V1..V2 accepted, identical releases exit 0", async (t) => {
  const w = await world(t);
  const res = await w.run(["package", "diff", "alpha", "1.0.0", "1.1.0"]);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stdout, /^diff --git a\/README\.md b\/README\.md\n--- \/dev\/null\n\+\+\+ b\/README\.md/m);
  assert.match(
    res.stdout,
    new RegExp(
      /--- a\/lib\/alpha\.ex\n\+\+\+ b\/lib\/alpha\.ex\n@@ -1,3 \+1,3 @@\n/.source +
        / defmodule Alpha do\n-  def v, do: 2\n\+  def v, do: 3\n end/.source,
    ),
  );
  assert.match(res.stdout, /diff --git a\/hex_metadata\.config/);
  const range = json(
    z.object({
      ok: z.literal(true),
      data: z.object({
        from: z.string(),
        to: z.string(),
        changed: z.array(z.object({ path: z.string(), change: z.string() })),
      }),
    }),
    await w.run(["package", "diff", "alpha", "1.0.0..1.1.0", "--json"]),
  );
  assert.deepEqual(
    range.data.changed.map((c) => `${c.change} ${c.path}`),
    ["added README.md", "modified hex_metadata.config", "modified lib/alpha.ex"],
  );
  const same = await w.run(["package", "diff", "alpha", "1.1.0", "1.1.0"]);
  assert.equal(same.code, 0);
  assert.equal(same.stdout, "");
});

test("package fetch -o - writes the verified tarball to stdout and nothing else", async (t) => {
  const w = await world(t);
  const { spawn } = await import("node:child_process");
  const { binPath, baseEnv } = await import("../support/cli.js");
  const child = spawn(process.execPath, [binPath, "package", "fetch", "alpha", "1.1.0", "-o", "-"], {
    cwd: w.project,
    env: baseEnv({ ...w.home.env, HEX_API_URL: w.server.apiUrl }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  assert.equal(code, 0);
  assert.deepEqual(Buffer.concat(chunks), w.release("alpha", "1.1.0").tarball);
  assert.equal(readdirSync(w.project).length, 0, "nothing written to disk");
});
