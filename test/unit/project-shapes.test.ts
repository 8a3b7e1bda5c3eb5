// Fifteen project shapes after well-known packages: each builds (no error) to its recorded checksum, with the
// facts the official client's rules give. How the checksums were derived: test/fixtures/shapes/README.md.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlan } from "../../src/build/pipeline.js";

const SHAPES = fileURLToPath(new URL("../fixtures/shapes/", import.meta.url));

interface Shape {
  /** The package whose shape it follows, and what it exercises. */
  after: string;
  app?: string;
  tool: string;
  name: string;
  version: string;
  checksum: string;
  files?: string[];
  requirements?: string[];
  warnings?: RegExp[];
  note?: RegExp;
}

const CASES: Record<string, Shape> = {
  jsx_dual: {
    after: "jsx: a rebar3 package that also ships a small mix.exs (rebar3 builds it; mix.exs lacks package metadata)",
    tool: "rebar3",
    name: "jsx",
    version: "3.1.0",
    checksum: "35f4be82f262bae6d8a91bffb68de024ce24c140e26511a991195ff30d15eba8",
    note: /^mix\.exs and rebar\.config found; building with rebar3 /,
  },
  cowlib_erlangmk: {
    after:
      "cowlib: Erlang.mk, licenses and links in a define HEX_TARBALL_EXTRA_METADATA block, " +
      "src/cowlib.appup copied to ebin/",
    tool: "make",
    name: "cowlib",
    version: "2.13.0",
    checksum: "ff9c6c80198499fa3e7f1bb8fe41bd67457fe906969fde2e3023bfd7c4a7a83c",
    files: [
      "ebin/cowlib.app",
      "ebin/cowlib.appup",
      "erlang.mk",
      "include/cow_inline.hrl",
      "LICENSE",
      "Makefile",
      "README.asciidoc",
      "src/cow_http.erl",
      "src/cowlib.appup",
    ],
  },
  recon_script: {
    after: "recon: a rebar.config.script that returns CONFIG unchanged",
    tool: "rebar3",
    name: "recon",
    version: "2.5.6",
    checksum: "c6a61a301f49e91227abb99b5518d6705cc52c2a9d88dd215af07d8a5e1bb935",
  },
  meck_script: {
    after: "meck: a rebar.config.script adjusting erl_opts by OTP release and an environment variable",
    tool: "rebar3",
    name: "meck",
    version: "0.9.2",
    checksum: "cc617170990c16d3ada3a6266276e75af8e75f7bb110a499abf54205f6d14537",
  },
  jiffy_nif: {
    after: "jiffy: a NIF with c_src/ and a Makefile listed in files",
    tool: "rebar3",
    name: "jiffy",
    version: "1.1.2",
    checksum: "810f7071ab7c8bf6963da28285608a2324ec5adb95268c5019798f353a032748",
    // rebar3_hex sorts by full path, byte order (upper case first).
    files: [
      "LICENSE",
      "Makefile",
      "README.md",
      "c_src",
      "c_src/jiffy.c",
      "c_src/jiffy.h",
      "rebar.config",
      "src",
      "src/jiffy.app.src",
      "src/jiffy.erl",
    ],
  },
  lager_license: {
    after:
      'lager (older releases): the license written "Apache 2.0", which rebar3 hex build accepts and hex.pm refuses',
    tool: "rebar3",
    name: "lager",
    version: "3.9.2",
    checksum: "aff5708ac946752cfaaa8b43204901dc6d66d1166438235b435b2b94cb9c6956",
    warnings: [
      /^warning: hex\.pm will refuse this at publish: The following licenses are not recognized by SPDX: "Apache 2\.0"/,
    ],
  },
  pkg_name: {
    after: "pkg_name, as rebar3_hex documents it (app erlang_color published as color)",
    tool: "rebar3",
    name: "color",
    version: "1.0.0",
    checksum: "de8959930f98f19bed3910e05cf85f953aeb889ba842356a17e45dd6b46a9738",
  },
  mix_version_file: {
    after: 'sentry-elixir: @version "VERSION" |> File.read!() |> String.trim(), files: with globs',
    tool: "mix",
    name: "sentry",
    version: "1.8.0",
    checksum: "55cca159350fa5cc7c496bf5b33bc525e33d5f157152cd01adaec6270df67fd6",
    files: ["lib", "lib/sentry.ex", "mix.exs", "README.md", "VERSION"],
  },
  mix_version_branch: {
    after: "nimble_parsec: test/docs-only dependencies inside if Version.match?(System.version(), ...)",
    tool: "mix",
    name: "nimble_parsec",
    version: "1.4.0",
    checksum: "7ab3398c58537bd81eb0905fd30a3bd5ff821cf25900ce1f71a35048f2db3706",
    requirements: [],
  },
  mix_env_dep: {
    after: 'tesla: a dependency version chosen by System.get_env("...", "true") == "true", an optional dependency',
    tool: "mix",
    name: "tesla",
    version: "1.7.0",
    checksum: "667256e833370ce97386a32acb5b4283e9ce2054a0cc06db9519ff8cb8279149",
    requirements: ["mime ~> 2.0", "jason >= 1.0.0 (optional)"],
  },
  mix_unicode: {
    after: "ex_cldr: a non-ASCII description and README",
    tool: "mix",
    name: "ex_cldr",
    version: "2.37.0",
    checksum: "03492047838103c4838eee1548e34b7d5337b9a4f2c23af118d968a447e6ae0e",
  },
  mix_umbrella: {
    after: "an umbrella project (elixir-ls style): one app built with --app",
    app: "core",
    tool: "mix",
    name: "umbrella_core",
    version: "0.3.0",
    checksum: "fb33a34ddc69fe23e64c7c829bdba6f774dddd8f5890dc288fa3c7e331008f4c",
  },
  mix_org: {
    after: "a private organization package: package organization:, an organization dependency, optional and only: deps",
    tool: "mix",
    name: "acme_auth",
    version: "0.2.0",
    checksum: "ac03579ff240ce4ad42823b5ac8c286160b1cc4107c5863c83a498bb9cfb79fc",
    requirements: ["acme_core ~> 1.0 (repo: acme)", "plug ~> 1.14 (optional)"],
  },
  mix_priv_symlink: {
    after: "phoenix: files: ~w(...) with assets/js and a priv tree holding a symlink",
    tool: "mix",
    name: "phoenix",
    version: "1.7.10",
    checksum: "7a75907151d437c5864c31a76694bdb37765ebed4c6f19826ffc007d9866a3a0",
  },
  mix_build_meta: {
    after: "a CI build: version 3.0.0+ci.7 and a dependency from another repository (mix hex.build builds it)",
    tool: "mix",
    name: "ci_pkg",
    version: "3.0.0+ci.7",
    checksum: "fa93ce873842753e1d3df9ac6d21b60eec4440bb1ca6009f1829714b557e8d6c",
    warnings: [
      /hex\.pm will refuse this at publish: Version "3\.0\.0\+ci\.7" has \+build metadata/,
      /hex\.pm will refuse this at publish: Dependency erltest is from repository "test_repo"/,
    ],
  },
};

/** A checkout as git makes it: files 0644, directories 0755 (the tar headers carry the modes). */
function checkout(name: string, t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), `hexts-shape-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(SHAPES, name), dir, { recursive: true, verbatimSymlinks: true });
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        chmodSync(p, 0o755);
        walk(p);
      } else chmodSync(p, 0o644);
    }
  };
  walk(dir);
  return dir;
}

describe("project shapes after well-known packages build to their recorded checksums", () => {
  it("has at least fifteen", () => assert.ok(Object.keys(CASES).length >= 15));
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: ${c.after}`, async (t) => {
      for (const v of ["TESLA_NEW_MIME", "MECK_DEBUG"]) {
        const saved = process.env[v];
        delete process.env[v];
        t.after(() => (saved === undefined ? delete process.env[v] : (process.env[v] = saved)));
      }
      const plan = await buildPlan({ dir: checkout(name, t), what: "package", stage: "build", app: c.app });
      assert.equal(plan.project.tool, c.tool);
      assert.equal(plan.summary.name, c.name);
      assert.equal(plan.summary.version, c.version);
      if (c.files)
        assert.deepEqual(
          plan.summary.files.filter((f) => !f.endsWith("/")),
          c.files,
        );
      if (c.requirements) {
        assert.deepEqual(
          plan.summary.requirements.map(
            (r) =>
              `${r.name} ${r.requirement}` +
              `${r.repository && r.repository !== "hexpm" ? ` (repo: ${r.repository})` : ""}` +
              `${r.optional ? " (optional)" : ""}`,
          ),
          c.requirements,
        );
      }
      assert.equal(plan.warnings.length, c.warnings?.length ?? 0, plan.warnings.join("\n"));
      c.warnings?.forEach((re, i) => assert.match(plan.warnings[i]!, re));
      if (c.note) assert.match(plan.notes[0] ?? "", c.note);
      assert.equal(plan.package!.outerChecksum, c.checksum);
    });
  }
});
