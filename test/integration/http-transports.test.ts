// Both transports of the seam (node:http, the default; undici, for library callers who pass it in) against real
// local servers, with the same expectations: bodies and headers, upload progress, the inactivity timeout,
// cancellation, proxies (CONNECT, proxy credentials, NO_PROXY), HTTPS with a CA file or unsafe HTTPS, and the error
// codes api/errors.ts maps. HTTPS cases make a throwaway self-signed certificate with `openssl` (skipped without it).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transportCode, transportKind } from "../../src/api/errors.js";
import { defaultTransport, undiciTransport, type HttpTransport, type TransportOptions } from "../../src/http/index.js";
import { NodeHttpTransport } from "../../src/http/node.js";
import { proxyFor } from "../../src/http/tls.js";
import { UndiciTransport } from "../../src/http/undici.js";
import { startConnectProxy } from "../support/connect-proxy.js";

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

async function listen(server: Server, handler: Handler): Promise<string> {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const echo: Handler = (req, body, res) => {
  res.setHeader("content-type", "application/json");
  res.setHeader("x-seen", String(req.headers["x-test"] ?? ""));
  res.end(
    JSON.stringify({
      method: req.method,
      url: req.url,
      length: body.length,
      sha: body.length ? body.subarray(0, 4).toString("hex") : "",
    }),
  );
};

const kinds: [string, (o: TransportOptions) => HttpTransport][] = [
  ["undici", (o) => new UndiciTransport(o)],
  ["node:http", (o) => new NodeHttpTransport(o)],
];
const base: TransportOptions = { connectTimeoutMs: 5_000 };

let tmp: string;
let cert: { key: string; cert: string; path: string } | undefined;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), "hexts-transports-"));
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(tmp, "key.pem"),
      "-out",
      join(tmp, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  if (r.status === 0)
    cert = {
      key: readFileSync(join(tmp, "key.pem"), "utf8"),
      cert: readFileSync(join(tmp, "cert.pem"), "utf8"),
      path: join(tmp, "cert.pem"),
    };
});
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const [name, make] of kinds) {
  describe(`${name} transport`, () => {
    test("GET, POST with a body, HEAD: status, headers and body", async () => {
      const server = createServer();
      const host = await listen(server, echo);
      const t = make(base);
      try {
        const get = await t.request({
          method: "GET",
          url: `http://${host}/a?b=1`,
          headers: { "x-test": "yes" },
          timeoutMs: 5_000,
        });
        assert.equal(get.status, 200);
        assert.equal(get.headers["x-seen"], "yes");
        assert.deepEqual(JSON.parse(Buffer.from(get.body).toString()), {
          method: "GET",
          url: "/a?b=1",
          length: 0,
          sha: "",
        });
        const body = Buffer.from("hello world");
        const post = await t.request({
          method: "POST",
          url: `http://${host}/p`,
          headers: { "content-type": "text/plain" },
          body,
          timeoutMs: 5_000,
        });
        assert.equal(JSON.parse(Buffer.from(post.body).toString()).length, body.length);
        const head = await t.request({ method: "HEAD", url: `http://${host}/h`, headers: {}, timeoutMs: 5_000 });
        assert.equal(head.body.length, 0);
      } finally {
        await t.close();
        await stop(server);
      }
    });

    test("an upload reports progress up to the whole body, which arrives intact", async () => {
      const server = createServer();
      const host = await listen(server, echo);
      const t = make(base);
      try {
        const body = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 256);
        const seen: [number, number][] = [];
        const res = await t.request({
          method: "POST",
          url: `http://${host}/upload`,
          headers: { "content-type": "application/octet-stream", "content-length": String(body.length) },
          body,
          timeoutMs: 5_000,
          onProgress: (sent, total) => seen.push([sent, total]),
        });
        assert.equal(JSON.parse(Buffer.from(res.body).toString()).length, body.length);
        assert.deepEqual(seen[0], [0, body.length]);
        assert.deepEqual(seen.at(-1), [body.length, body.length]);
        assert.ok(seen.every(([s], i) => i === 0 || s >= seen[i - 1]![0]));
      } finally {
        await t.close();
        await stop(server);
      }
    });

    test("a server that never answers: a timeout error after timeoutMs", async () => {
      const server = createServer();
      const host = await listen(server, () => undefined);
      const t = make(base);
      try {
        const started = Date.now();
        await assert.rejects(
          t.request({ method: "GET", url: `http://${host}/slow`, headers: {}, timeoutMs: 300 }),
          (e: unknown) => transportKind(transportCode(e)) === "timeout",
        );
        assert.ok(Date.now() - started < 4_000);
      } finally {
        await t.close();
        await stop(server);
      }
    });

    test("the signal cancels a request in flight", async () => {
      const server = createServer();
      const host = await listen(server, () => undefined);
      const t = make(base);
      try {
        const ctl = new AbortController();
        setTimeout(() => ctl.abort(), 100);
        await assert.rejects(
          t.request({ method: "GET", url: `http://${host}/slow`, headers: {}, timeoutMs: 10_000, signal: ctl.signal }),
        );
        assert.ok(ctl.signal.aborted);
      } finally {
        await t.close();
        await stop(server);
      }
    });

    test("connection refused carries ECONNREFUSED", async () => {
      const server = createServer();
      const host = await listen(server, echo);
      await stop(server);
      const t = make(base);
      await assert.rejects(
        t.request({ method: "GET", url: `http://${host}/`, headers: {}, timeoutMs: 2_000 }),
        (e: unknown) => transportCode(e) === "ECONNREFUSED",
      );
      await t.close();
    });

    test("a proxy from the options is used through CONNECT with its credentials; NO_PROXY bypasses it", async () => {
      const server = createServer();
      const host = await listen(server, echo);
      const proxy = await startConnectProxy();
      const tunnels = proxy.tunnels;
      const proxyUrl = proxy.url("bob:p%40ss");
      const via = make({ ...base, proxy: { httpProxy: proxyUrl } });
      const bypass = make({ ...base, proxy: { httpProxy: proxyUrl, noProxy: "localhost, 127.0.0.1" } });
      try {
        const res = await via.request({
          method: "POST",
          url: `http://${host}/x`,
          headers: {},
          body: Buffer.from("abc"),
          timeoutMs: 5_000,
        });
        assert.equal(JSON.parse(Buffer.from(res.body).toString()).length, 3);
        assert.deepEqual(tunnels, [{ target: host, auth: `Basic ${Buffer.from("bob:p@ss").toString("base64")}` }]);
        await bypass.request({ method: "GET", url: `http://${host}/y`, headers: {}, timeoutMs: 5_000 });
        assert.equal(tunnels.length, 1);
      } finally {
        await via.close();
        await bypass.close();
        await proxy.close();
        await stop(server);
      }
    });

    test(
      "HTTPS: refused without the CA, accepted with the CA file, or with unsafe HTTPS",
      { skip: !cert && "openssl not available" },
      async () => {
        const server = createHttpsServer({ key: cert!.key, cert: cert!.cert }) as unknown as Server;
        const host = await listen(server, echo);
        const plain = make(base);
        const withCa = make({ ...base, caCertsPath: cert!.path });
        const unsafe = make({ ...base, unsafeHttps: true });
        try {
          await assert.rejects(
            plain.request({ method: "GET", url: `https://${host}/`, headers: {}, timeoutMs: 5_000 }),
            (e: unknown) => transportKind(transportCode(e)) === "tls",
          );
          assert.equal(
            (await withCa.request({ method: "GET", url: `https://${host}/`, headers: {}, timeoutMs: 5_000 })).status,
            200,
          );
          const up = await unsafe.request({
            method: "POST",
            url: `https://${host}/`,
            headers: {},
            body: new Uint8Array(200_000),
            timeoutMs: 5_000,
            onProgress: () => undefined,
          });
          assert.equal(JSON.parse(Buffer.from(up.body).toString()).length, 200_000);
        } finally {
          await plain.close();
          await withCa.close();
          await unsafe.close();
          await stop(server);
        }
      },
    );
  });
}

describe("the default transport", () => {
  for (const [name, lazy] of [
    ["default (node:http)", defaultTransport],
    ["undiciTransport", undiciTransport],
  ] as const)
    test(`${name}: loaded on first use, serves small and large requests, closes`, async () => {
      const server = createServer();
      const host = await listen(server, echo);
      const t = lazy(base);
      try {
        assert.equal(
          (await t.request({ method: "GET", url: `http://${host}/`, headers: {}, timeoutMs: 5_000 })).status,
          200,
        );
        const res = await t.request({
          method: "POST",
          url: `http://${host}/`,
          headers: {},
          body: new Uint8Array(70_000),
          timeoutMs: 5_000,
        });
        assert.equal(JSON.parse(Buffer.from(res.body).toString()).length, 70_000);
      } finally {
        await t.close();
        await stop(server);
      }
    });

  test("NO_PROXY matching follows undici's: exact hosts, .domain and *.domain suffixes, ports, *", () => {
    const p = { httpProxy: "http://p:1", httpsProxy: "http://s:2" };
    const cases: [string, string | undefined, string | undefined][] = [
      ["http://a.example/", undefined, "http://p:1"],
      ["https://a.example/", undefined, "http://s:2"],
      ["http://a.example/", "a.example", undefined],
      ["http://b.a.example/", "a.example", "http://p:1"],
      ["http://b.a.example/", ".a.example", undefined],
      ["http://b.a.example/", "*.a.example", undefined],
      ["http://a.example:8080/", "a.example:8080", undefined],
      ["http://a.example:8081/", "a.example:8080", "http://p:1"],
      ["http://anything/", "*", undefined],
    ];
    for (const [url, noProxy, want] of cases)
      assert.equal(proxyFor(new URL(url), { ...p, noProxy }), want, `${url} ${noProxy}`);
    assert.equal(proxyFor(new URL("https://x/"), { httpProxy: "http://p:1" }), "http://p:1");
  });
});
