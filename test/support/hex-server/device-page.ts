// /oauth/device: a bare page where a person running `npm run hex-server` approves a device code with a
// username and password (hex.pm's real page needs a browser login). Tests use `approveDevice` instead.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Core } from "./context.js";
import { readBody } from "./http.js";
import { approveDeviceCode } from "./oauth.js";
import { sha256Hex } from "./state.js";

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
    else if (!user || user.passwordHash === null || user.passwordHash !== sha256Hex(form.get("password") ?? "")) message = "Wrong username or password.";
    else if (form.get("action") === "deny") {
      device.status = "denied";
      message = "Denied.";
    } else {
      try {
        approveDeviceCode(core, device, user, device.scopes);
        message = `Approved: ${device.scopes.join(" ")}. You can close this page.`;
      } catch (error) {
        message = `Not approved: ${(error as Error).message}.`;
      }
    }
  }
  const html = `<!doctype html><title>Hex test server: device login</title>
<h1>Device login</h1><p>${escapeHtml(message)}</p>
<form method="post"><label>Code <input name="user_code" value="${escapeHtml(userCode)}"></label><br>
<label>Username <input name="username"></label><br><label>Password <input name="password" type="password"></label><br>
<button name="action" value="approve">Approve</button> <button name="action" value="deny">Deny</button></form>`;
  res.statusCode = 200;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.end(html);
}
