// Pages for a person running `npm run hex-server` by hand (tests use the HexServer hooks instead):
// /oauth/device approves a device code with a username and password (hex.pm's real page needs a browser
// login), granting all or only some of the requested scopes (e.g. read-only); /email/verify confirms a
// registered user's email (hex.pm mails that link); /dev/totp shows the current codes of 2FA users.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Core } from "./context.js";
import { readBody } from "./http.js";
import { approveDeviceCode } from "./oauth.js";
import { sha256Hex } from "./state.js";
import { totp } from "./totp.js";

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function serveDevicePage(core: Core, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let message = "";
  let userCode = url.searchParams.get("user_code") ?? "";
  if (req.method === "POST") {
    const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString("utf8"));
    userCode = form.get("user_code") ?? "";
    const device = core.state.findDeviceByUserCode(userCode);
    const user = core.state.findUser(form.get("username") ?? "");
    if (!device) message = "Unknown code.";
    else if (!user || user.passwordHash === null || user.passwordHash !== sha256Hex(form.get("password") ?? ""))
      message = "Wrong username or password.";
    else if (form.get("action") === "deny") {
      device.status = "denied";
      message = "Denied.";
    } else {
      // The scopes ticked on the form (the page ticks every requested one), or only the read ones.
      const ticked = form.getAll("scope").filter((s) => device.scopes.includes(s));
      const selected = form.get("action") === "read-only" ? device.scopes.filter(isReadScope) : ticked;
      try {
        approveDeviceCode(core, device, user, selected);
        message = `Approved: ${selected.join(" ")}. You can close this page.`;
      } catch (error) {
        message = `Not approved: ${(error as Error).message}.`;
      }
    }
  }
  const requested = core.state.findDeviceByUserCode(userCode)?.scopes ?? [];
  const boxes = requested
    .map(
      (s) =>
        `<label><input type="checkbox" name="scope" value="${escapeHtml(s)}" checked> ${escapeHtml(s)}</label><br>`,
    )
    .join("\n");
  const approve =
    '<button name="action" value="approve">Approve</button> ' +
    '<button name="action" value="read-only">Approve read-only</button>';
  const html = `<!doctype html><title>Hex test server: device login</title>
<h1>Device login</h1><p>${escapeHtml(message)}</p>
<form method="post"><label>Code <input name="user_code" value="${escapeHtml(userCode)}"></label><br>
<label>Username <input name="username"></label><br><label>Password <input name="password" type="password"></label><br>
${requested.length ? `<p>Grant:</p>\n${boxes}` : ""}
${approve}
<button name="action" value="deny">Deny</button></form>`;
  page(res, 200, html);
}

/** Scopes that cannot write: `api:read`, repository and docs access. */
const isReadScope = (scope: string): boolean =>
  scope === "api:read" || scope === "repositories" || scope.startsWith("repository:") || scope.startsWith("docs:");

/** GET /email/verify?username=NAME: confirms the email of an account registered through `POST /users`. */
export function serveEmailVerify(core: Core, res: ServerResponse, url: URL): void {
  const user = core.state.findUser(url.searchParams.get("username") ?? "");
  if (!user || user.organizationId !== null || user.email === null) return page(res, 404, "<p>No such user.</p>");
  user.emailVerified = true;
  page(res, 200, `<p>Email ${escapeHtml(user.email)} of ${escapeHtml(user.username)} verified.</p>`);
}

/** GET /dev/totp: the current two-factor code of every user that has two-factor authentication on. */
export function serveTotpCodes(core: Core, res: ServerResponse): void {
  const rows = [...core.state.users.values()]
    .filter((u) => u.tfaSecret !== null)
    .map((u) => `<li>${escapeHtml(u.username)}: <code>${totp(u.tfaSecret!, core.clock.now())}</code></li>`);
  page(res, 200, `<h1>Two-factor codes (valid about 30 s)</h1><ul>${rows.join("")}</ul>`);
}

function page(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(html.startsWith("<!doctype") ? html : `<!doctype html><title>Hex test server</title>${html}`);
}
