// Faults between hexts and a server, and what the user is told: a refused connection means nothing was sent; the
// upload timeout follows HEX_HTTP_TIMEOUT; rate limits say what they wait for; an oversized answer is refused
// without reading it into memory; server text reaches the terminal without escape sequences or control characters.
// Build first: node scripts/build.mjs --no-types
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { runHexts } from "../support/cli.js";
import { publishes, rebar3Project, release, world } from "./publish-support.js";

/** A loopback HTTP server answering every request with `handler`; closed after the test. */
async function rawServer(
  t: { after(fn: () => unknown): void },
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; apiUrl: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => server.close(r)));
  t.after(() => server.closeAllConnections());
  const port = (server.address() as { port: number }).port;
  return { server, apiUrl: `http://127.0.0.1:${port}/api` };
}

/** A port nothing listens on: one a server held a moment ago. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test("publish to a server refusing the connection: could not connect, nothing was sent, not 'unknown'", async (t) => {
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "demo"), { name: "demo" });
  const port = await closedPort();
  const r = await w.hexts(["publish", "package", "--yes"], dir, { HEX_API_URL: `http://127.0.0.1:${port}/api` });
  assert.equal(r.code, 4, r.stderr);
  const last = r.stderr.trimEnd().split("\n").pop()!;
  assert.match(
    last,
    new RegExp(
      `^hexts: could not connect to http://127\\.0\\.0\\.1:${port}/api \\(ECONNREFUSED\\): ` +
        "nothing was sent, so demo 1\\.2\\.3 was not published",
    ),
  );
  assert.doesNotMatch(r.stderr, /unknown|may or may not/);
});

test("the upload timeout follows HEX_HTTP_TIMEOUT and the message says it timed out", async (t) => {
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "slow"), { name: "slow" });
  w.server.fault({ method: "POST", path: "/api/packages/slow/releases", fault: { kind: "slow", delayMs: 15_000 } });
  const started = Date.now();
  const r = await w.hexts(["publish", "package", "--yes"], dir, { HEX_HTTP_TIMEOUT: "1" });
  const took = Date.now() - started;
  assert.equal(r.code, 4, `exit ${r.code} after ${took} ms\n${r.stderr}`);
  assert.ok(took < 12_000, `gave up after ${took} ms, not after HEX_HTTP_TIMEOUT=1 s`);
  assert.match(
    r.stderr,
    /hexts: the upload of slow 1\.2\.3 timed out after 1 s .*HEX_HTTP_TIMEOUT.*whether it was published is unknown/,
  );
  assert.equal(publishes(w.server).length, 1, "sent once");
});

test("a rate limit says on stderr what it waits for, with and without --json", async (t) => {
  const w = await world(t);
  for (const json of [false, true]) {
    w.server.fault({ method: "GET", path: "/api/users/me", fault: { kind: "rate-limit", resetInSeconds: 1 } });
    const r = await runHexts([...(json ? ["--json"] : []), "user", "whoami"], {
      env: { ...w.env, HEX_API_KEY: w.ana.apiKey },
      cwd: w.tmp,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        /waiting \d+(\.\d)? s before trying GET http:\/\/127\.0\.0\.1:\d+\/api\/users\/me again \(attempt 2\): /
          .source + /the server is rate limiting requests \(429\)/.source,
      ),
    );
    if (json) assert.equal(JSON.parse(r.stdout).ok, true);
  }
});

test("an answer over the size cap is refused without reading it whole (declared or streamed), exit 4", async (t) => {
  let streamed = 0;
  const { apiUrl } = await rawServer(t, (req, res) => {
    if (req.url?.includes("declared")) {
      // Claims 700 MB and sends a little: refused on the header alone.
      res.writeHead(200, { "content-type": "application/json", "content-length": String(700 * 1024 * 1024) });
      res.write('{"username":"');
      return;
    }
    // 700 MB of JSON, streamed without a length, for as long as the client reads.
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    res.write('{"username":"');
    const pump = () => {
      while (streamed < 700 * 1024 * 1024) {
        streamed += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end('"}');
    };
    res.on("close", () => (streamed = Math.min(streamed, Number.MAX_SAFE_INTEGER)));
    pump();
  });
  for (const [url, declared] of [
    [`${apiUrl}`, false],
    [`${apiUrl}/declared`, true],
  ] as const) {
    const r = await runHexts(["user", "whoami"], {
      env: {
        HEX_API_URL: url,
        HEX_API_KEY: "0123456789abcdef0123456789abcdef",
        HOME: "/nonexistent",
        HEX_HOME: "/nonexistent/hex",
      },
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        /hexts: the answer from http:\/\/127\.0\.0\.1:\d+\/api\/.*/.source +
          /(over|larger than) the 16 MB hexts accepts; it stopped reading/.source,
      ),
    );
    if (!declared) assert.ok(streamed < 200 * 1024 * 1024, `the server got to send ${streamed} bytes`);
  }
});

// x-hex-message is covered in the api unit tests.
test("server text (descriptions, usernames, messages) reaches the terminal without escapes or controls", async (t) => {
  const w = await world(t);
  const evil = "\u001b]0;pwned\u0007\u001b[2J\u001b[1;31mred\u001b[0m\rover\u0008\u009b31m";
  w.server.fault({
    method: "GET",
    path: "/api/packages",
    fault: {
      kind: "status",
      status: 200,
      body: [
        {
          name: `pkg${evil}`,
          repository: "hexpm",
          meta: { description: `desc ${evil}` },
          latest_version: "1.0.0",
          releases: [{ version: "1.0.0" }],
          html_url: `https://example.com/${evil}`,
          url: "https://example.com/api/packages/pkg",
          inserted_at: "2026-01-01T00:00:00Z",
          updated_at: "2026-01-01T00:00:00Z",
        },
      ],
    },
  });
  const search = await w.hexts(["search", "pkg"], w.tmp);
  w.server.fault({
    method: "GET",
    path: "/api/users/me",
    fault: {
      kind: "status",
      status: 200,
      body: {
        username: `ana${evil}`,
        url: "https://example.com/api/users/ana",
        inserted_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        organizations: [{ name: `acme${evil}`, role: "admin" }],
      },
    },
  });
  const who = await w.hexts(["user", "whoami"], w.tmp);
  assert.equal(who.code, 0, who.stderr);
  w.server.fault({
    method: "GET",
    path: "/api/users/me",
    fault: { kind: "status", status: 403, body: { status: 403, message: `denied ${evil}` } },
  });
  const denied = await w.hexts(["user", "whoami"], w.tmp);
  for (const r of [search, who, denied]) {
    const all = r.stdout + r.stderr;
    assert.doesNotMatch(
      all,
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/,
      `control characters reached the terminal: ${JSON.stringify(all)}`,
    );
  }
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, /desc /);
  assert.match(who.stdout, /^ana/);
  assert.equal(denied.code, 3);
});

test("an oversized answer to an upload is refused the same way (every transport reads through the cap)", async (t) => {
  // The upload transport reads the answer through the same cap.
  const w = await world(t);
  const dir = rebar3Project(join(w.tmp, "big"), { name: "big" });
  w.server.fault({
    method: "POST",
    path: "/api/packages/big/releases",
    fault: { kind: "status", status: 201, body: { version: "1.2.3", padding: "x".repeat(17 * 1024 * 1024) } },
  });
  const r = await w.hexts(["publish", "package", "--yes"], dir);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /over the 16 MB hexts accepts/);
  assert.equal(release(w, "big", "1.2.3"), undefined, "the fault answered instead of the server");
});
