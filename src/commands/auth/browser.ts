// Opens a URL in the user's browser for the OAuth device login. Never required: when it fails the user still has
// the printed URL. BROWSER overrides the opener (as xdg-open and most tools honour it); BROWSER=none disables it.
import { spawn } from "node:child_process";
import { childProcessEnv } from "../../config/child-env.js";

export interface Opener {
  command: string;
  args: string[];
}

const OFF = new Set(["none", "false", "0", "off", "no"]);

/** Which program opens `url` here, or undefined when opening is switched off. */
export function browserOpener(
  url: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Opener | undefined {
  const custom = env.BROWSER?.split(":")[0]?.trim();
  if (custom !== undefined && custom !== "") {
    if (OFF.has(custom.toLowerCase())) return undefined;
    const parts = custom.split(/\s+/);
    const withUrl = parts.some((p) => p.includes("%s")) ? parts.map((p) => p.replace("%s", url)) : [...parts, url];
    return { command: withUrl[0]!, args: withUrl.slice(1) };
  }
  if (platform === "darwin") return { command: "open", args: [url] };
  if (platform === "win32") return { command: "cmd", args: ["/c", "start", '""', url.replace(/&/g, "^&")] };
  return { command: "xdg-open", args: [url] };
}

/** Starts the opener detached; resolves true once it started, false when it could not (or opening is off). */
export function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const opener = browserOpener(url, env);
  if (!opener) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(opener.command, opener.args, { stdio: "ignore", detached: true, env: childProcessEnv(env) });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
