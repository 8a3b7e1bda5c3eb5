// The start of every end-to-end world: a local Hex server and a temporary home, both removed when the test ends.
import { tempHome } from "./cli.js";
import { startHexServer, type HexServer, type HexServerOptions } from "./hex-server/index.js";

export type Cleanup = { after(fn: () => unknown): void };

export async function serverAndHome(
  t: Cleanup,
  opts: HexServerOptions = {},
  homePrefix?: string,
): Promise<{ server: HexServer; home: ReturnType<typeof tempHome> }> {
  const server = await startHexServer(opts);
  const home = tempHome(homePrefix);
  t.after(async () => {
    await server.close();
    home.cleanup();
  });
  return { server, home };
}
