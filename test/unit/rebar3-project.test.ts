// readRebar3Project on small fixtures: vsn from git, deps that are not Hex packages, rebar.config.script,
// a missing or old-format lock, exclude_patterns edge cases, symlinks, and the rebar3_hex details around them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { readRebar3Project } from "../../src/project/rebar3/index.js";
import type { PackageFile, ProjectPackage } from "../../src/project/types.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

function copyFixture(t: TestContext, name: string, prefix = "hexts-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const paths = (pkg: ProjectPackage) => pkg.files.map((f) => f.path);
const errors = (pkg: ProjectPackage) => pkg.problems.filter((p) => p.severity === "error");
const memoryText = (f: PackageFile | undefined) => {
  assert.ok(f && f.kind === "memory", "an in-memory entry");
  return Buffer.from(f.contents).toString("utf8");
};

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
    },
  });
}

describe("vsn from git (rebar_git_resource:make_vsn)", () => {
  function repo(t: TestContext): string {
    const dir = copyFixture(t, "rebar3-vsn-git");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "first");
    return dir;
  }
  const shortHash = (dir: string) => git(dir, "log", "-n", "1", "--pretty=format:%h");

  it("the tag on HEAD, without its v", async (t) => {
    const dir = repo(t);
    git(dir, "tag", "v0.4.0");
    const pkg = await readRebar3Project(dir);
    assert.equal(pkg.version, "0.4.0");
    assert.deepEqual(pkg.problems, []);
    assert.equal(pkg.defaultOutput, "_build/default/lib/stamp/hex/stamp-0.4.0.tar");
    assert.match(memoryText(pkg.files.find((f) => f.path === "src/stamp.app.src")), /\{vsn,"0\.4\.0"\}/);
  });

  it("commits after the tag: latest tag + build.<all commits>.ref<hash>, with a warning", async (t) => {
    const dir = repo(t);
    git(dir, "tag", "v0.4.0");
    writeFileSync(join(dir, "README.md"), "# stamp\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "second");
    writeFileSync(join(dir, "CHANGELOG.md"), "# changes\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "third");
    const pkg = await readRebar3Project(dir);
    // rebar3 counts every commit reachable from HEAD when the tag is not on HEAD (rev-list --count HEAD).
    assert.equal(pkg.version, `0.4.0+build.3.ref${shortHash(dir)}`);
    assert.equal(pkg.problems.length, 1);
    assert.equal(pkg.problems[0]!.severity, "warning");
    assert.match(pkg.problems[0]!.message, /\+build metadata/);
  });

  it("no tag at all: 0.0.0+build.N.ref<hash>", async (t) => {
    const dir = repo(t);
    const pkg = await readRebar3Project(dir);
    assert.equal(pkg.version, `0.0.0+build.1.ref${shortHash(dir)}`);
  });

  it("a tag with a path keeps its last segment", async (t) => {
    const dir = repo(t);
    git(dir, "tag", "release/stamp/1.2.3");
    const pkg = await readRebar3Project(dir);
    assert.equal(pkg.version, "1.2.3");
  });

  it("{git, short}: the abbreviated hash", async (t) => {
    const dir = repo(t);
    const src = join(dir, "src", "stamp.app.src");
    writeFileSync(src, readFileSync(src, "utf8").replace("{vsn, git}", "{vsn, {git, short}}"));
    const pkg = await readRebar3Project(dir);
    assert.equal(pkg.version, git(dir, "rev-parse", "--short", "HEAD").trim());
  });

  it("not a git repository: 0.0.0 with a warning, as rebar3 falls back", async (t) => {
    const dir = copyFixture(t, "rebar3-vsn-git");
    const pkg = await readRebar3Project(dir);
    assert.equal(pkg.version, "0.0.0");
    assert.equal(pkg.problems[0]?.severity, "warning");
  });
});

describe("other vsn forms", () => {
  async function withVsn(t: TestContext, vsn: string, extra?: (dir: string) => void) {
    const dir = copyFixture(t, "rebar3-vsn-git");
    const src = join(dir, "src", "stamp.app.src");
    writeFileSync(src, readFileSync(src, "utf8").replace("{vsn, git}", vsn));
    extra?.(dir);
    return readRebar3Project(dir);
  }
  it("{file, Path}: the trimmed file contents", async (t) => {
    const pkg = await withVsn(t, '{vsn, {file, "VERSION"}}', (dir) => writeFileSync(join(dir, "VERSION"), "  2.5.0\n"));
    assert.equal(pkg.version, "2.5.0");
  });
  it("{cmd, Shell}: refused, pointing at --metadata", async (t) => {
    const pkg = await withVsn(t, '{vsn, {cmd, "echo 1.0.0"}}');
    assert.equal(errors(pkg).length, 1);
    assert.match(errors(pkg)[0]!.message, /shell command.*--metadata/);
  });
  it('"semver" is git', async (t) => {
    const pkg = await withVsn(t, '{vsn, "semver"}');
    assert.equal(pkg.version, "0.0.0");
  });
  it("a binary vsn is plain", async (t) => {
    const pkg = await withVsn(t, '{vsn, <<"3.0.0-rc.1">>}');
    assert.equal(pkg.version, "3.0.0-rc.1");
    assert.match(memoryText(pkg.files.find((f) => f.path === "src/stamp.app.src")), /\{vsn,"3\.0\.0-rc\.1"\}/);
  });
  it("no vsn: an error", async (t) => {
    const pkg = await withVsn(t, "{vsn_missing, 1}");
    assert.match(errors(pkg)[0]!.message, /has no vsn/);
  });
});

describe("dependencies", () => {
  it("a git dependency is refused; the Hex one keeps the rebar.config requirement", async (t) => {
    const pkg = await readRebar3Project(copyFixture(t, "rebar3-gitdeps"));
    assert.equal(errors(pkg).length, 1);
    assert.match(errors(pkg)[0]!.message, /not Hex packages.*: jiffy$/);
    assert.deepEqual(pkg.requirements, [{ name: "cowlib", app: "cowlib", optional: false, requirement: "~> 2.12" }]);
    assert.deepEqual(pkg.metadata.requirements, { cowlib: { app: "cowlib", optional: false, requirement: "~> 2.12" } });
  });

  it("no rebar.lock and no deps: rebar3's `[].` lock, packaged from memory in its sorted place", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    const pkg = await readRebar3Project(dir);
    assert.deepEqual(pkg.problems, []);
    assert.deepEqual(paths(pkg), [
      "README.md",
      "rebar.config",
      "rebar.lock",
      "src",
      "src/bare.app.src",
      "src/bare.erl",
    ]);
    assert.equal(memoryText(pkg.files[2]), "[].\n");
    assert.equal(pkg.name, "bare_pkg");
    assert.equal(pkg.app, "bare");
    assert.equal(pkg.defaultOutput, "_build/default/lib/bare/hex/bare_pkg-0.0.1.tar");
    assert.deepEqual(pkg.metadata.build_tools, ["rebar3", "make"]);
    assert.deepEqual(pkg.metadata.links, { Site: "https://example.com/bare" });
    assert.deepEqual(pkg.metadata.requirements, {});
    assert.deepEqual(pkg.hexConfig, { doc: "ex_doc", repos: [{ name: "hexpm:acme" }] });
  });

  it("deps but no rebar.lock: an error asking for `rebar3 lock`", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    writeFileSync(join(dir, "rebar.config"), '{deps, [{cowlib, "2.12.1"}]}.\n');
    const pkg = await readRebar3Project(dir);
    assert.match(errors(pkg)[0]!.message, /rebar\.lock is missing.*cowlib.*rebar3 lock/);
    assert.ok(!paths(pkg).includes("rebar.lock"));
  });

  it("the old list-format lock is read, with a warning that rebar3 would rewrite it", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    writeFileSync(join(dir, "rebar.config"), "{deps, [cowlib]}.\n");
    writeFileSync(
      join(dir, "rebar.lock"),
      '[{<<"cowlib">>,{pkg,<<"cowlib">>,<<"2.12.1">>},0},\n {<<"extra">>,{pkg,<<"extra">>,<<"1.0.0">>},1}].\n',
    );
    const pkg = await readRebar3Project(dir);
    assert.deepEqual(errors(pkg), []);
    assert.match(pkg.problems.map((p) => p.message).join("\n"), /older format/);
    assert.deepEqual(pkg.requirements, [{ name: "cowlib", app: "cowlib", optional: false, requirement: "~>2.12.1" }]);
    assert.equal(pkg.files.find((f) => f.path === "rebar.lock")?.kind, "file");
  });

  it("a dep locked under another package name: requirement keyed by the package, app from the lock", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    writeFileSync(join(dir, "rebar.config"), '{deps, [{myjson, "~> 3.0", {pkg, jsx}}]}.\n');
    writeFileSync(
      join(dir, "rebar.lock"),
      '{"1.2.0",\n[{<<"myjson">>,{pkg,<<"jsx">>,<<"3.1.0">>},0}]}.\n[\n{pkg_hash,[]},\n{pkg_hash_ext,[]}\n].\n',
    );
    const pkg = await readRebar3Project(dir);
    assert.deepEqual(errors(pkg), []);
    assert.deepEqual(pkg.metadata.requirements, { jsx: { app: "myjson", optional: false, requirement: "~>3.1.0" } });
  });

  it("a config dep missing from the lock is an error; a lock entry no config names is a warning", async (t) => {
    const dir = copyFixture(t, "rebar3-gitdeps");
    writeFileSync(join(dir, "rebar.config"), '{deps, [{ranch, "2.1.0"}]}.\n');
    const pkg = await readRebar3Project(dir);
    const text = pkg.problems.map((p) => `${p.severity}: ${p.message}`).join("\n");
    assert.match(text, /error: rebar\.lock does not lock ranch/);
    assert.match(text, /warning: rebar\.lock locks cowlib, jiffy, which no rebar\.config names/);
  });
});

describe("unreadable terms", () => {
  it("a syntax error names the file, line and column", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    writeFileSync(join(dir, "rebar.config"), "{erl_opts, [debug_info]}.\n{deps, [}.\n");
    await assert.rejects(
      readRebar3Project(dir),
      (e: Error & { code?: string }) => e.code === "TERM_SYNTAX" && /^rebar\.config:2:/.test(e.message),
    );
  });
  it("an .app.src that is not one application term is refused", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    writeFileSync(join(dir, "src", "bare.app.src"), "{application, bare, []}.\n{extra, term}.\n");
    await assert.rejects(
      readRebar3Project(dir),
      /src\/bare\.app\.src must hold exactly one \{application, Name, \[\.\.\.\]\} term/,
    );
  });
});

describe("rebar.config.script", () => {
  it("is evaluated as rebar3 does (CONFIG bound, its value replaces the configuration)", async (t) => {
    const saved = process.env.WITH_JSX;
    delete process.env.WITH_JSX;
    t.after(() => (saved === undefined ? delete process.env.WITH_JSX : (process.env.WITH_JSX = saved)));
    const pkg = await readRebar3Project(copyFixture(t, "rebar3-script"));
    assert.deepEqual(errors(pkg), []);
    assert.deepEqual(pkg.requirements, []);
    assert.equal(pkg.notes, undefined, "the built-in evaluator needs no note");
    // rebar3_hex's default list packages the script itself.
    assert.ok(paths(pkg).includes("rebar.config.script"));
  });
});

describe("file selection edge cases", () => {
  it("exclude_patterns run on the absolute path; exclude_paths; include_paths put files back", async (t) => {
    const pkg = await readRebar3Project(copyFixture(t, "rebar3-excludes"));
    assert.deepEqual(pkg.problems, []);
    assert.deepEqual(paths(pkg), [
      "notes",
      "notes/drafts/d1.md", // "/notes/drafts$" removed the directory entry, not what is below it
      "notes/index.md",
      "priv", // "^priv" never matches an absolute path
      "priv/a.txt",
      "priv/c1.txt",
      "priv/old.bak", // excluded by (?i)\.BAK$, put back by include_paths
      "rebar.config",
      "rebar.lock",
      "src",
      "src/edge.app.src",
      "src/edge.erl",
    ]);
  });

  it("a PCRE $ matches before a final newline, so `odd.o\\n` is excluded as a C object", async (t) => {
    const dir = copyFixture(t, "rebar3-excludes");
    writeFileSync(join(dir, "priv", "odd.o\n"), "x");
    writeFileSync(join(dir, "priv", "odd.x\n"), "x");
    const pkg = await readRebar3Project(dir);
    assert.ok(!paths(pkg).includes("priv/odd.o\n"));
    assert.ok(paths(pkg).includes("priv/odd.x\n"));
  });

  it("a pattern matching a parent of the project excludes everything but the appended .app.src", async (t) => {
    const dir = copyFixture(t, "rebar3-excludes", "hexts-quirk-");
    const src = join(dir, "src", "edge.app.src");
    writeFileSync(src, readFileSync(src, "utf8").replace(', "^priv", ', ', "hexts-quirk-", '));
    const pkg = await readRebar3Project(dir);
    assert.deepEqual(paths(pkg), ["priv/old.bak", "src/edge.app.src"]);
  });

  it("an exclude pattern JavaScript cannot express is refused with a clear error", async (t) => {
    const dir = copyFixture(t, "rebar3-excludes");
    const src = join(dir, "src", "edge.app.src");
    writeFileSync(src, readFileSync(src, "utf8").replace(', "^priv", ', ', "\\\\.tmp++$", '));
    const pkg = await readRebar3Project(dir);
    assert.equal(errors(pkg).length, 1);
    assert.match(errors(pkg)[0]!.message, /exclude_patterns entry "\\\\\.tmp\+\+\$" cannot be used: possessive/);
  });

  it("files that are not a list of strings are an error", async (t) => {
    const dir = copyFixture(t, "rebar3-excludes");
    const src = join(dir, "src", "edge.app.src");
    writeFileSync(src, readFileSync(src, "utf8").replace('{files, ["src",', "{files, [src, {x},"));
    const pkg = await readRebar3Project(dir);
    assert.match(errors(pkg)[0]!.message, /files in src\/edge\.app\.src must be a list of strings/);
  });
});

describe("symlinks", () => {
  it("links inside the package are kept; links and sources leaving the project are refused", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    const outside = mkdtempSync(join(tmpdir(), "hexts-outside-"));
    t.after(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, "secret.txt"), "secret");
    mkdirSync(join(dir, "priv"));
    writeFileSync(join(dir, "priv", "data.txt"), "data");
    symlinkSync("data.txt", join(dir, "priv", "alias.txt"));
    symlinkSync("/etc/passwd", join(dir, "priv", "passwd"));
    symlinkSync("../../up.txt", join(dir, "priv", "up.txt"));
    symlinkSync(outside, join(dir, "ext"));
    const src = join(dir, "src", "bare.app.src");
    writeFileSync(
      src,
      readFileSync(src, "utf8").replace(
        "{pkg_name, bare_pkg},",
        '{pkg_name, bare_pkg}, {files, ["src", "priv", "ext/*"]},',
      ),
    );

    const pkg = await readRebar3Project(dir);
    assert.deepEqual(paths(pkg), [
      "priv",
      "priv/alias.txt",
      "priv/data.txt",
      "src",
      "src/bare.app.src",
      "src/bare.erl",
    ]);
    const alias = pkg.files.find((f) => f.path === "priv/alias.txt");
    assert.equal(alias?.kind, "symlink");
    assert.equal(alias?.kind === "symlink" && alias.target, "data.txt");
    const refused = errors(pkg)
      .map((p) => p.file ?? "")
      .sort();
    assert.deepEqual(refused, ["priv/passwd", "priv/up.txt", "src/bare.app.src"]);
    // The glob does not list a directory outside the project (issue 11 §3).
    assert.match(
      errors(pkg).find((p) => p.file === "src/bare.app.src")!.message,
      /"ext\/\*" cannot be used: the pattern reaches outside .* through the symlink ext/,
    );
    assert.match(errors(pkg).find((p) => p.file === "priv/passwd")!.message, /points outside the package/);
  });

  it("a pattern climbing out of the app directory is refused", async (t) => {
    const dir = copyFixture(t, "rebar3-nolock");
    const src = join(dir, "src", "bare.app.src");
    writeFileSync(join(dir, "..", `${dir.split("/").pop()}-sibling.txt`), "x");
    t.after(() => rmSync(join(dir, "..", `${dir.split("/").pop()}-sibling.txt`), { force: true }));
    writeFileSync(
      src,
      readFileSync(src, "utf8").replace(
        "{pkg_name, bare_pkg},",
        `{pkg_name, bare_pkg}, {include_paths, ["../${dir.split("/").pop()}-sibling.txt"]},`,
      ),
    );
    const pkg = await readRebar3Project(dir);
    assert.equal(errors(pkg).length, 1);
    assert.match(errors(pkg)[0]!.message, /outside the package directory|the pattern reaches outside/);
    assert.ok(paths(pkg).every((p) => !p.includes("sibling")));
  });
});
