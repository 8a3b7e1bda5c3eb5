// The command surface as a user meets it: help lists every task, subcommand and flag; unbuilt tasks say so;
// usage errors are one line with exit 2; --json is one document; --help loads no heavy modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binPath, runHexts, tempHome } from "../support/cli.js";
import { repoRoot } from "../support/vectors.js";

const help = async (...args: string[]) => {
  const r = await runHexts([...args, "--help"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};

test("top-level help lists every task and the global flags", async () => {
  const out = await help();
  for (const task of ["user", "organization", "owner", "publish", "build", "cut", "retire", "search", "config"]) {
    assert.match(out, new RegExp(`^  ${task}\\b`, "m"), `task ${task} missing`);
  }
  for (const flag of ["--repo", "--json", "--yes", "--verbose", "--no-color", "--version", "--help", "--otp"]) {
    assert.ok(out.includes(flag), `flag ${flag} missing`);
  }
  assert.match(out, /Exit codes: 0 ok, 1 failed, 2 usage, 3 authentication, 4 network/);
});

// One line per subcommand: its help must mention each flag users know from rebar3 hex / mix hex.
const surface: [string[], string[]][] = [
  [["user"], ["register", "whoami", "auth", "deauth", "key", "reset_password"]],
  [
    ["user", "auth"],
    ["--key-name", "--key", "-k", "--oauth", "--password", "--no-browser"],
  ],
  [
    ["user", "key"],
    ["generate | list | revoke | fetch", "--key-name", "--permission", "--all", "--expires"],
  ],
  [["user", "reset_password"], ["account | local"]],
  [["organization"], ["auth", "deauth", "list", "key"]],
  [
    ["organization", "auth"],
    ["--key", "--key-name"],
  ],
  [
    ["organization", "key"],
    ["generate | list | revoke", "--key-name", "--permission", "--all"],
  ],
  [["owner"], ["add", "remove", "transfer", "list", "packages"]],
  [
    ["owner", "add"],
    ["--level", "full", "maintainer", "--transfer", "--organization"],
  ],
  [
    ["publish"],
    [
      "package",
      "docs",
      "--dry-run",
      "--replace",
      "--revert",
      "--organization",
      "-a, --app",
      "--doc-dir",
      "--no-progress",
      "-y, --yes",
      "-r, --repo",
      "--otp",
    ],
  ],
  [["build"], ["package", "docs", "-o, --output", "-u, --unpack", "-a, --app", "--metadata", "--doc-dir"]],
  [
    ["cut"],
    [
      "-i, --increment",
      "major",
      "minor",
      "patch",
      "--pre",
      "--set-version",
      "--prefix-tag",
      "-a, --app",
      "--dry-run",
      "--no-push",
    ],
  ],
  [
    ["retire"],
    ["renamed", "deprecated", "security", "invalid", "other", "-m, --message", "--unretire", "--all", "--organization"],
  ],
  [["search"], ["--sort", "--page", "--organization"]],
  [["config"], ["--delete"]],
];
for (const [cmd, expected] of surface) {
  test(`hexts ${cmd.join(" ")} --help lists ${expected.length} items`, async () => {
    const out = await help(...cmd);
    for (const e of expected) assert.ok(out.includes(e), `'${e}' missing from help of ${cmd.join(" ")}:\n${out}`);
  });
}

test("--version prints the package version", async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  const r = await runHexts(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test("an unknown command or option is a one-line usage error with exit 2", async () => {
  for (const args of [["bogus"], ["user", "whoami", "--bogus"], ["retire"], ["owner", "add", "pkg"]]) {
    const r = await runHexts(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^hexts: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});

test("--json usage errors are one JSON document on stdout", async () => {
  const r = await runHexts(["--json", "bogus"]);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.error.code, "USAGE");
});

test("`hexts cut --version X` means the release version, not the program's", async () => {
  const home = tempHome();
  try {
    const r = await runHexts(["cut", "--version", "9.9.9", "--dry-run"], { env: home.env, cwd: home.dir });
    assert.notEqual(r.stdout.trim(), JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version);
  } finally {
    home.cleanup();
  }
});

// Dependencies are bundled into dist/ (esbuild marks each bundled module with a `// node_modules/<pkg>/...`
// comment), so what a run loaded is read from the files it loaded: no heavy library may be among them.
const heavy = ["undici", "enquirer", "semver", "zod", "pako", "env-paths"];
const loadedCode = (urls: string[]) =>
  urls
    .filter((u) => u.startsWith("file://") && u.includes("/dist/"))
    .map((u) => readFileSync(new URL(u), "utf8"))
    .join("\n");

test("--help and --version load no HTTP, tar, prompt, semver or schema code", () => {
  const dir = mkdtempSync(join(tmpdir(), "hexts-imports-"));
  const record = (args: string[]) => {
    const file = join(dir, `${args.join("_")}.txt`);
    const r = spawnSync(
      process.execPath,
      ["--import", join(repoRoot, "test/support/record-imports.mjs"), binPath, ...args],
      {
        env: { ...process.env, HEXTS_RECORD_IMPORTS: file },
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  };
  // The probe can see a heavy library when one is loaded: a networked command's code does contain undici and zod.
  const all = readdirSync(join(repoRoot, "dist/chunks"))
    .map((f) => readFileSync(join(repoRoot, "dist/chunks", f), "utf8"))
    .join("\n");
  for (const lib of ["undici", "zod", "enquirer"])
    assert.ok(all.includes(`node_modules/${lib}/`), `${lib} is bundled and recognisable`);

  for (const args of [["--help"], ["--version"], ["publish", "--help"], ["user", "key", "--help"]]) {
    const urls = record(args);
    assert.ok(
      urls.some((u) => u.includes("dist/cli/main.js")),
      "the recorder works (the entry is recorded)",
    );
    const code = loadedCode(urls);
    for (const lib of heavy) {
      assert.ok(
        !urls.some((u) => u.includes(`node_modules/${lib}/`)),
        `${lib} loaded from node_modules by hexts ${args.join(" ")}`,
      );
      assert.ok(!code.includes(`node_modules/${lib}/`), `${lib} (bundled) loaded by hexts ${args.join(" ")}`);
    }
  }
});

test("no colour when stdout is not a TTY", async () => {
  const r = await runHexts(["--help"], { env: { FORCE_COLOR: undefined } });
  assert.doesNotMatch(r.stdout + r.stderr, /\x1b\[/);
});

test("global options with values before the task: the task's own --version is still the release version", async () => {
  const home = tempHome();
  try {
    const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version;
    for (const pre of [["-r", "hexpm"], ["--otp", "123456"], ["--repo=hexpm"]]) {
      const r = await runHexts([...pre, "--json", "cut", "--version", "9.9.9", "--yes"], {
        env: home.env,
        cwd: home.dir,
      });
      assert.notEqual(r.stdout.trim(), version, `${pre.join(" ")}: hexts's own version was printed`);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(JSON.parse(r.stdout).ok, false, "one JSON failure document (no project here)");
    }
  } finally {
    home.cleanup();
  }
});

test("no subcommand, an unknown command, `help bogus`: one-line usage errors naming the right help", async () => {
  const cases: [string[], RegExp][] = [
    [["user"], /^hexts: `hexts user` needs a subcommand: register, .* \(see `hexts user --help`\)$/],
    [["user", "bogus"], /^hexts: unknown command 'bogus' \(see `hexts user --help`\)$/],
    [["help", "bogus"], /^hexts: unknown command 'bogus' \(see `hexts --help`\)$/],
    [["search", "x", "--page", "abc"], /^hexts: --page must be a number \(see `hexts search --help`\)$/],
    [["search", "x", "--page", "1.5"], /^hexts: --page must be a whole number \(see `hexts search --help`\)$/],
    [
      ["package", "diff", "foo", "1.0.0"],
      /^hexts: give two versions \(`hexts package diff foo 1\.0\.0 1\.1\.0` or .*\)$/,
    ],
    [
      ["user", "key", "generate", "--key-name", ""],
      /^hexts: --key-name must not be empty \(see `hexts user key --help`\)$/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const r = await runHexts(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assert.match(r.stderr.trimEnd(), pattern);
    assert.doesNotMatch(r.stderr, /Invalid input|Too small/, "no schema-library wording");
  }
  const json = await runHexts(["user", "--json"]);
  assert.equal(json.code, 2);
  assert.equal(json.stderr, "");
  assert.equal(JSON.parse(json.stdout).error.code, "USAGE");
  const help = await runHexts(["help", "user", "key"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: hexts user key /);
});

test("global options go anywhere on the line", async () => {
  for (const args of [
    ["user", "--json", "whoami", "--bogus"],
    ["--json", "user", "whoami", "--bogus"],
    ["user", "whoami", "--bogus", "--json"],
  ]) {
    const r = await runHexts(args);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).error.code, "USAGE", args.join(" "));
  }
});
