// `hexts repo add|list|show|remove` and `-r NAME` through the spawned CLI against a MiniRepo-like server (the
// reference self-hosted server): the repository is configured once, then every task reaches it by name alone,
// with no HEX_API_URL or HEX_API_KEY in the environment. Repositories declared in rebar.config and in rebar3's
// global config are selected the same way; a project file never supplies a key unless project settings are trusted.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runHexts } from "../support/cli.js";
import { startMiniRepo, type MiniRepo } from "../support/hex-server/mini-repo.js";
import { rebar3Project, world, type World } from "./publish-support.js";

const TOKEN = "mini-secret-token-123";

async function miniWorld(t: { after(fn: () => unknown): void }): Promise<{ w: World; mini: MiniRepo; dir: string }> {
  const w = await world(t);
  const mini = await startMiniRepo({ repository: "acme_repo", authToken: TOKEN });
  t.after(() => mini.close());
  const dir = rebar3Project(join(w.tmp, "demo"));
  return { w, mini, dir };
}

/** The home's environment without the world's HEX_API_URL: the repository alone must say where to go. */
function envOf(w: World): Record<string, string | undefined> {
  return { ...w.home.env, HEX_API_URL: undefined };
}

test("repo add downloads the key, stores the auth key 0600, never prints it; -r NAME reaches the server", async (t) => {
  const { w, mini, dir } = await miniWorld(t);
  const env = envOf(w);
  const hexts = (args: string[], input?: string) => runHexts(args, { cwd: dir, env, input, timeoutMs: 60_000 });

  // Non-interactive without a way to trust the downloaded key: fails at once, naming the flags.
  const refused = await hexts(["repo", "add", "acme_repo", mini.repoUrl, "--api-url", mini.apiUrl]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /--fetch-public-key FINGERPRINT/);
  assert.match(refused.stderr, /--public-key FILE/);

  // A wrong fingerprint is refused; nothing is stored.
  const wrong = await hexts([
    "repo",
    "add",
    "acme_repo",
    mini.repoUrl,
    "--fetch-public-key",
    "SHA256:O1LOYhHFW4kcrblKAxROaDEzLD8bn1seWbe5tq8TRsk",
  ]);
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stderr, /refusing it/);
  const none = await hexts(["repo", "list", "--json"]);
  assert.equal(none.code, 0, none.stderr);
  assert.deepEqual(JSON.parse(none.stdout).data.repositories, []);

  const added = await hexts(
    ["repo", "add", "acme_repo", mini.repoUrl, "--api-url", mini.apiUrl, "--auth-key", "-", "--yes"],
    TOKEN,
  );
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout, `Added repository acme_repo (${mini.repoUrl})\n`);
  const fingerprint = /fingerprint (SHA256:[A-Za-z0-9+/]{43})/.exec(added.stderr)?.[1];
  assert.ok(fingerprint, added.stderr);
  const configFile = join(w.home.env.HEX_HOME, "hexts.json");
  assert.equal(statSync(configFile).mode & 0o777, 0o600);
  const stored = JSON.parse(readFileSync(configFile, "utf8")).repos.acme_repo;
  assert.equal(stored.public_key, mini.publicKey());
  assert.equal(stored.api_url, mini.apiUrl);

  const shown = await hexts(["repo", "show", "acme_repo"]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^Auth key: +set$/m);
  const listed = await hexts(["repo", "list", "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  const doc = JSON.parse(listed.stdout);
  assert.deepEqual(doc.data.repositories, [
    {
      name: "acme_repo",
      url: mini.repoUrl,
      apiUrl: mini.apiUrl,
      publicKeyFingerprint: fingerprint,
      authKey: true,
      source: "hexts",
      file: configFile,
    },
  ]);

  // Every task reaches the repository by name: the API for writes, the signed registry for reads.
  const published = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(published.code, 0, published.stderr);
  assert.deepEqual(mini.releases(), ["demo 1.2.3"]);
  const retired = await hexts(["retire", "demo", "1.2.3", "security", "--message", "leaks a key", "-r", "acme_repo"]);
  assert.equal(retired.code, 0, retired.stderr);
  assert.deepEqual(mini.releases(), ["demo 1.2.3 (retired: security)"]);
  const fetched = await hexts(["package", "fetch", "demo", "1.2.3", "-r", "acme_repo", "--output", "out"]);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.ok(existsSync(join(dir, "out", "demo-1.2.3.tar")), fetched.stdout);
  // The stored key went with every request, as `authorization`, and appears in no output.
  const authorized = mini.requests.filter((r) => r.headers.authorization === TOKEN).map((r) => `${r.method} ${r.path}`);
  assert.ok(authorized.includes("POST /api/repos/acme_repo/publish"), authorized.join("\n"));
  assert.ok(
    authorized.some((p) => p.startsWith("GET /repos/acme_repo/")),
    authorized.join("\n"),
  );
  for (const r of [added, shown, listed, published, retired, fetched]) {
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TOKEN));
    assert.doesNotMatch(r.stdout + r.stderr, /hexpm\b(?!:)/, "never named hexpm");
  }

  const removed = await hexts(["repo", "remove", "acme_repo"]);
  assert.equal(removed.code, 0, removed.stderr);
  const gone = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(gone.code, 2, gone.stderr);
  assert.match(gone.stderr, /unknown repository "acme_repo"/);
  const again = await hexts(["repo", "remove", "acme_repo"]);
  assert.equal(again.code, 1, again.stderr);
});

test("repo add: names, URLs and keys are checked before anything is stored", async (t) => {
  const { w, mini, dir } = await miniWorld(t);
  const env = envOf(w);
  const hexts = (args: string[]) => runHexts(args, { cwd: dir, env, timeoutMs: 60_000 });
  writeFileSync(join(w.tmp, "key.pem"), mini.publicKey());
  writeFileSync(join(w.tmp, "junk.pem"), "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n");

  const cases: [string[], number, RegExp][] = [
    [["repo", "add", "hexpm", mini.repoUrl], 2, /hexpm is the built-in repository/],
    [["repo", "add", "hexpm:acme", mini.repoUrl], 2, /organization on hex\.pm.*hexts organization auth acme/],
    [["repo", "add", "bad/name", mini.repoUrl], 2, /invalid repository name/],
    [["repo", "add", "acme_repo", "ftp://example.com"], 2, /http:\/\/ or https:\/\//],
    [
      ["repo", "add", "acme_repo", mini.repoUrl, "--public-key", join(w.tmp, "junk.pem")],
      2,
      /not a PEM RSA public key/,
    ],
    [["repo", "add", "acme_repo", mini.repoUrl, "--public-key", join(w.tmp, "missing.pem")], 2, /cannot read it/],
    [["repo", "add", "acme_repo", `${mini.url}/nowhere`, "--yes"], 1, /answered HTTP 404/],
    [
      ["repo", "add", "acme_repo", "http://127.0.0.1:9", "--yes"],
      4,
      /cannot download http:\/\/127\.0\.0\.1:9\/public_key/,
    ],
    [["repo", "show", "nothing"], 1, /no repository named nothing/],
  ];
  for (const [args, code, message] of cases) {
    const r = await hexts(args);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  }
  assert.equal(existsSync(join(w.home.env.HEX_HOME, "hexts.json")), false, "nothing was written");

  // A key given as a file is used as is, and the repository has no API until --api-url is given.
  const added = await hexts(["repo", "add", "acme_repo", mini.repoUrl, "--public-key", join(w.tmp, "key.pem")]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stderr, /No API URL/);
  const publish = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(publish.code, 2, publish.stderr);
  assert.match(publish.stderr, /repository acme_repo has no API configured/);
});

test("repos from rebar.config and rebar3's global config: selected with -r, project keys need trust", async (t) => {
  const { w, mini, dir } = await miniWorld(t);
  const env = envOf(w);
  const key = JSON.stringify(mini.publicKey());
  const declaration = (extra: string) =>
    `{repos, [#{name => <<"acme_repo">>, repo_url => <<"${mini.repoUrl}">>, api_url => <<"${mini.apiUrl}">>, ` +
    `repo_public_key => <<${key}>>${extra}}]}`;
  rebar3Project(dir, { hexConfig: declaration(`, api_key => <<"${TOKEN}">>, repo_key => <<"${TOKEN}">>`) });
  const hexts = (args: string[], more: Record<string, string> = {}) =>
    runHexts(args, { cwd: dir, env: { ...env, ...more }, timeoutMs: 60_000 });

  // Untrusted project: the repository is used with a line naming the file, but its keys are not.
  const untrusted = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(untrusted.code, 3, untrusted.stderr);
  assert.match(
    untrusted.stderr,
    /using repository acme_repo \(http:\/\/127\.0\.0\.1:\d+\/repos\/acme_repo\) from the project's rebar\.config/,
  );
  // The fact from the config layer, then the CLI's advice for that kind of warning.
  const ignored =
    "ignoring api_key and repo_key of repository acme_repo from the project's rebar.config: a project file " +
    "cannot supply keys unless project settings are trusted (HEX_TRUST_PROJECT=1, or the trust_project setting); " +
    "trust them with `hexts config trust_project true`, or use `hexts repo add` instead\n";
  assert.ok(untrusted.stderr.includes(ignored), untrusted.stderr);
  assert.equal(mini.requests.filter((r) => r.headers.authorization !== undefined).length, 0, "no key was sent");
  assert.deepEqual(mini.releases(), []);
  // HEX_API_KEY is not handed to a server a project file chose either.
  const withEnvKey = await hexts(["publish", "package", "--yes", "-r", "acme_repo"], { HEX_API_KEY: TOKEN });
  assert.equal(withEnvKey.code, 3, withEnvKey.stderr);
  assert.equal(mini.requests.filter((r) => r.headers.authorization !== undefined).length, 0, "no key was sent");

  const listed = await hexts(["repo", "list"]);
  assert.equal(listed.code, 0, listed.stderr);
  // Its keys are declared (so "set"), though not used until project settings are trusted.
  assert.match(listed.stdout, /^acme_repo .* set +rebar\.config$/m);

  // Trusted project settings: its keys are used.
  const trusted = await hexts(["publish", "package", "--yes", "-r", "acme_repo"], { HEX_TRUST_PROJECT: "1" });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.deepEqual(mini.releases(), ["demo 1.2.3"]);

  // rebar3's global config is the user's own: its keys are used without trust, and it wins over the project's.
  rebar3Project(dir, { vsn: '"1.2.4"', hexConfig: declaration("") });
  const globalDir = join(w.home.dir, ".config", "rebar3");
  mkdirSync(globalDir, { recursive: true });
  writeFileSync(
    join(globalDir, "rebar.config"),
    `{hex, [${declaration(`, api_key => <<"${TOKEN}">>, repo_key => <<"${TOKEN}">>`)}]}.\n`,
  );
  const global = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(global.code, 0, global.stderr);
  assert.match(global.stderr, new RegExp(`using repository acme_repo .* from ${globalDir}/rebar\\.config`));
  assert.deepEqual(mini.releases(), ["demo 1.2.3", "demo 1.2.4"]);
  const fetched = await hexts(["package", "fetch", "demo", "1.2.4", "-r", "acme_repo", "--output", "out"]);
  assert.equal(fetched.code, 0, fetched.stderr);
  for (const r of [untrusted, withEnvKey, listed, trusted, global, fetched])
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TOKEN));
});

test("-r NAME sends every API task to that repo's server (self-hosted hexpm), whatever HEX_API_URL says", async (t) => {
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "demo"));
  writeFileSync(join(w.tmp, "key.pem"), w.server.registryPublicKey!());
  // HEX_API_URL points at nothing: only the repository's own api_url may be used.
  const env = { ...w.home.env, HEX_API_URL: "http://127.0.0.1:9/api" };
  const hexts = (args: string[], input?: string) => runHexts(args, { cwd: dir, env, input, timeoutMs: 60_000 });
  const added = await hexts(
    [
      "repo",
      "add",
      "selfhosted",
      w.server.repoUrl,
      "--public-key",
      join(w.tmp, "key.pem"),
      "--api-url",
      w.server.apiUrl,
      "--auth-key",
      "-",
    ],
    w.ana.apiKey,
  );
  assert.equal(added.code, 0, added.stderr);

  const runs = {
    whoami: await hexts(["user", "whoami", "-r", "selfhosted"]),
    publish: await hexts(["publish", "package", "--yes", "-r", "selfhosted"]),
    owners: await hexts(["owner", "list", "demo", "-r", "selfhosted"]),
    search: await hexts(["search", "demo", "-r", "selfhosted"]),
    info: await hexts(["info", "demo", "-r", "selfhosted"]),
    keys: await hexts(["user", "key", "list", "-r", "selfhosted"]),
    retire: await hexts(["retire", "demo", "1.2.3", "deprecated", "--message", "use demo2", "-r", "selfhosted"]),
  };
  for (const [name, r] of Object.entries(runs)) {
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(w.ana.apiKey), name);
    assert.doesNotMatch(r.stdout + r.stderr, /127\.0\.0\.1:9\b/, `${name} never went to HEX_API_URL`);
  }
  assert.match(runs.whoami.stdout, /ana/);
  assert.match(runs.owners.stdout, /ana/);
  assert.match(runs.search.stdout, /demo/);
  assert.match(runs.info.stdout, /demo/);
  const paths = w.server.requests.map((r) => `${r.method} ${r.path}`);
  for (const p of [
    "GET /api/users/me",
    "POST /api/packages/demo/releases",
    "GET /api/packages/demo/owners",
    "GET /api/packages",
    "GET /api/keys",
    "POST /api/packages/demo/releases/1.2.3/retire",
  ])
    assert.ok(paths.includes(p), `${p} in\n${paths.join("\n")}`);
});

test("repo set changes what is given and keeps the rest; a stored auth key does not follow a new URL", async (t) => {
  const { w, mini, dir } = await miniWorld(t);
  const moved = await startMiniRepo({ repository: "acme_repo", authToken: "moved-secret-token-456" });
  t.after(() => moved.close());
  const env = envOf(w);
  const hexts = (args: string[], input?: string) => runHexts(args, { cwd: dir, env, input, timeoutMs: 60_000 });
  writeFileSync(join(w.tmp, "old.pem"), mini.publicKey());
  writeFileSync(join(w.tmp, "new.pem"), moved.publicKey());
  const added = await hexts(
    ["repo", "add", "acme_repo", mini.repoUrl, "--public-key", join(w.tmp, "old.pem"), "--api-url", mini.apiUrl],
    undefined,
  );
  assert.equal(added.code, 0, added.stderr);
  const keyed = await hexts(["repo", "set", "acme_repo", "--auth-key", "-"], TOKEN);
  assert.equal(keyed.code, 0, keyed.stderr);
  assert.equal(keyed.stdout, "Updated repository acme_repo: authKey\n");

  // Refused before anything changes: nothing to set, a repository hexts did not add, the built-in one.
  const refusals: [string[], number, RegExp][] = [
    [["repo", "set", "acme_repo"], 2, /give what to change: --url URL, --public-key FILE/],
    [["repo", "set", "nowhere", "--url", moved.repoUrl], 1, /no repository named nowhere is configured/],
    [["repo", "set", "hexpm", "--url", moved.repoUrl], 2, /hexpm is the built-in repository.*mirror_url/],
    [["repo", "set", "acme_repo", "--url", "ftp://example.com"], 2, /--url must be an http:\/\/ or https:\/\/ URL/],
  ];
  for (const [args, code, message] of refusals) {
    const r = await hexts(args);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }

  // The server moved: new URLs and its key. The stored auth key stays bound to the old server, and says so.
  const set = await hexts([
    "repo",
    "set",
    "acme_repo",
    "--url",
    moved.repoUrl,
    "--api-url",
    moved.apiUrl,
    "--public-key",
    join(w.tmp, "new.pem"),
  ]);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, "Updated repository acme_repo: url, publicKey, apiUrl\n");
  const oldOrigin = new URL(mini.url).origin;
  const newOrigin = new URL(moved.url).origin;
  assert.ok(
    set.stderr.includes(
      `the stored auth key of acme_repo is not sent to ${newOrigin}: it stays bound to ${oldOrigin}, ` +
        "where it was stored for",
    ),
    set.stderr,
  );
  assert.match(set.stderr, /hexts repo set acme_repo --auth-key -/);
  const shown = JSON.parse((await hexts(["repo", "show", "acme_repo", "--json"])).stdout).data.repository;
  assert.equal(shown.url, moved.repoUrl);
  assert.equal(shown.apiUrl, moved.apiUrl);
  assert.equal(shown.authKey, true);

  const refused = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.equal(moved.requests.filter((r) => r.headers.authorization !== undefined).length, 0, "old key not sent");
  assert.deepEqual(moved.releases(), []);

  // Given again, the key goes to the new server, and publishing there works.
  const rekeyed = await hexts(["repo", "set", "acme_repo", "--auth-key", "-"], moved.authToken);
  assert.equal(rekeyed.code, 0, rekeyed.stderr);
  assert.doesNotMatch(rekeyed.stderr, /not sent to/);
  const published = await hexts(["publish", "package", "--yes", "-r", "acme_repo"]);
  assert.equal(published.code, 0, published.stderr);
  assert.deepEqual(moved.releases(), ["demo 1.2.3"]);
  assert.deepEqual(mini.releases(), []);
  assert.equal(statSync(join(w.home.env.HEX_HOME, "hexts.json")).mode & 0o777, 0o600);
  for (const r of [keyed, set, refused, rekeyed, published])
    assert.doesNotMatch(r.stdout + r.stderr, /mini-secret-token|moved-secret-token/, "no key in any output");
});
