// A small path router: "/api/packages/:name" patterns, matched segment by segment (percent-decoded).
import type { Ctx } from "./context.js";

export type Handler = (ctx: Ctx) => Promise<void> | void;

export interface RouteOptions {
  /** Publish/docs uploads: the raw body is read by the handler, not parsed. */
  upload?: boolean;
}

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
  options: RouteOptions;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
  options: RouteOptions;
}

export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): void {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, options });
  }

  /** Registers the route both bare and under the repository prefix `/repos/:repository`. */
  addRepo(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): void {
    this.add(method, `/api${pattern}`, handler, options);
    this.add(method, `/api/repos/:repository${pattern}`, handler, options);
  }

  match(method: string, path: string): RouteMatch | null {
    const parts = path.split("/").filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method && !(method === "HEAD" && route.method === "GET")) continue;
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const want = route.segments[i]!;
        let got: string;
        try {
          got = decodeURIComponent(parts[i]!);
        } catch {
          return null;
        }
        if (want.startsWith(":")) params[want.slice(1)] = got;
        else ok = want === got;
      }
      if (ok) return { handler: route.handler, params, options: route.options };
    }
    return null;
  }
}
