// `npm run hex-server [-- --port N] [--no-basic-auth] [--mini-repo] [--oauth-clients IDS]`: the test server for
// trying hexts, and the official clients (mix hex, rebar3_hex: they speak Erlang's term format, which it answers), by
// hand.
import { startHexServer } from "./index.js";
import { startMiniRepo, type MiniRepo } from "./mini-repo.js";

/** The OAuth client id mix hex uses for its device login, so `mix hex.user auth` works against this server. */
const MIX_OAUTH_CLIENT = "78ea6566-89fd-481e-a1d6-7d9d78eacca8";

const args = process.argv.slice(2);
let port = 0;
let basicAuth = true;
let miniRepo = false;
/** `--oauth-clients ""` refuses every device login with invalid_client, as hex.pm refuses unregistered clients. */
let oauthClients = ["hexts", MIX_OAUTH_CLIENT];
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
  } else if (arg === "--mini-repo") {
    miniRepo = true;
  } else if (arg === "--oauth-clients" || arg.startsWith("--oauth-clients=")) {
    const value = (arg.includes("=") ? arg.slice("--oauth-clients=".length) : args[++i]) ?? "";
    oauthClients = value.split(",").filter(Boolean);
  } else {
    console.error(
      `hex-server: unknown argument ${arg}\n` +
        "usage: npm run hex-server -- [--port N] [--no-basic-auth] [--mini-repo] [--oauth-clients ID,ID]",
    );
    process.exit(2);
  }
}

const server = await startHexServer({ seed: true, basicAuth, port, oauthClients });
const seeded = server.seeded!;
const tfa = server.addUser({
  username: "demo2fa",
  email: "demo2fa@example.com",
  password: "demo-password",
  twoFactor: true,
});
server.addOrganization({ name: "acme2fa", admin: "demo2fa" });
const otpauth = `otpauth://totp/hex-test:${tfa.username}?secret=${tfa.totpSecret}&issuer=hex-test`;
console.log(`Hex test server running (state in memory; Ctrl-C stops it)
  URL:          ${server.url}
  API URL:      ${server.apiUrl}   (JSON, or Erlang's term format when accept asks for it)
  Repository:   ${server.repoUrl}   (public key: ${server.repoUrl}/public_key)
  User:         ${seeded.user.username} (password: ${seeded.user.password}, email: ${seeded.user.email})
  API key:      ${seeded.user.apiKey}
  Organization: ${seeded.organization} (${seeded.user.username} is admin)
  2FA user:     ${tfa.username} (password: ${tfa.password}, API key: ${tfa.apiKey})
                TOTP secret ${tfa.totpSecret} (${otpauth})
                current codes: ${server.url}/dev/totp
  Device login: ${server.url}/oauth/device (grant all or only some scopes, e.g. read-only)
  Verify email: ${server.url}/email/verify?username=NAME (accounts made with POST /users start unverified)
  OAuth clients: ${oauthClients.join(", ") || "none (device logins get invalid_client)"}
  Basic auth:   ${basicAuth ? "on" : "off"}

  export HEX_API_URL=${server.apiUrl}`);

let mini: MiniRepo | undefined;
if (miniRepo) {
  mini = await startMiniRepo({ repository: "test_repo" });
  console.log(`
MiniRepo-like server (term format only; publish, retire, revert, docs; no package reads)
  API URL:      ${mini.apiUrl}   (API key: ${mini.authToken})
  Repository:   ${mini.repoUrl}   (public key: ${mini.repoUrl}/public_key; registry signed as "${mini.repository}")`);
}

const stop = async () => {
  await mini?.close();
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
