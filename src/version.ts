// The package version, inlined by the bundler; read from package.json when running from source (tests).
import { readFileSync } from "node:fs";

declare const __HEXTS_VERSION__: string | undefined;

export function hextsVersion(): string {
  if (typeof __HEXTS_VERSION__ === "string") return __HEXTS_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
