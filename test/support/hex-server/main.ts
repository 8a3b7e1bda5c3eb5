// `npm run hex-server [-- --port N] [--no-basic-auth]`: the test server for trying hexts by hand.
import { startHexServer } from "./index.js";

const args = process.argv.slice(2);
let port = 0;
let basicAuth = true;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--port" || arg.startsWith("--port=")) {
    const value = arg.includes("=") ? arg.slice("--port=".length) : args[++i];
    port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`hex-server: --port wants a number from 0 to 65535, got ${value}`);
      process.exit(2);
    }
  } else if (arg === "--no-basic-auth") {
    basicAuth = false;
  } else {
    console.error(`hex-server: unknown argument ${arg}\nusage: npm run hex-server -- [--port N] [--no-basic-auth]`);
    process.exit(2);
  }
}

const server = await startHexServer({ seed: true, basicAuth, port });
const seeded = server.seeded!;
console.log(`Hex test server running (state in memory; Ctrl-C stops it)
  URL:          ${server.url}
  API URL:      ${server.apiUrl}
  Repository:   ${server.repoUrl}
  User:         ${seeded.user.username} (password: ${seeded.user.password}, email: ${seeded.user.email})
  API key:      ${seeded.user.apiKey}
  Organization: ${seeded.organization} (${seeded.user.username} is admin)
  Basic auth:   ${basicAuth ? "on" : "off"}

  export HEX_API_URL=${server.apiUrl}`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
