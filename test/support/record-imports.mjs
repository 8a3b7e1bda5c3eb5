// Preloaded with `node --import` to record every module the process loads (ESM and CommonJS)
// into the file named by HEXTS_RECORD_IMPORTS, one URL or path a line.
import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";

const out = process.env.HEXTS_RECORD_IMPORTS;
if (out) {
  register(new URL("./record-imports-hooks.mjs", import.meta.url), { data: { out } });
  const require = createRequire(import.meta.url);
  const Module = require("node:module");
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    appendFileSync(out, `cjs:${request}\n`);
    return load.call(this, request, parent, isMain);
  };
}
