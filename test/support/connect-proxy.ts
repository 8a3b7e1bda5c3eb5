// A real HTTP CONNECT proxy on 127.0.0.1 for proxy tests: it records each tunnel (target, Proxy-Authorization)
// and pipes bytes both ways.
import { createServer } from "node:http";
import { connect as netConnect, type AddressInfo } from "node:net";

export interface ConnectProxy {
  /** The tunnels opened so far, in order. */
  tunnels: { target: string; auth?: string }[];
  /** The proxy's URL with `userinfo` (already URL-encoded, e.g. "bob:p%40ss") in front of the host. */
  url(userinfo?: string): string;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: ConnectProxy["tunnels"] = [];
  const proxy = createServer();
  proxy.on("connect", (req, socket, head) => {
    tunnels.push({ target: req.url ?? "", auth: req.headers["proxy-authorization"] });
    const [host, port] = (req.url ?? "").split(":");
    const upstream = netConnect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const port = (proxy.address() as AddressInfo).port;
  return {
    tunnels,
    url: (userinfo) => `http://${userinfo ? `${userinfo}@` : ""}127.0.0.1:${port}`,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
