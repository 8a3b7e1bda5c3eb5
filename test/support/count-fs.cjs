// Preload (`node --require`) for the "read once" tests: counts each stat and each read of a path under
// COUNT_FS_ROOT and writes {stats, probes, reads} ({path: n} each) to COUNT_FS_OUT when the process exits.
const fs = require("node:fs");
const fsp = require("node:fs/promises");
const { resolve } = require("node:path");
const { syncBuiltinESMExports } = require("node:module");
const root = process.env.COUNT_FS_ROOT;
const stats = {};
const probes = {};
const reads = {};
function count(into, p) {
  if (typeof p !== "string") return;
  const abs = resolve(p);
  if (root && (abs === root || abs.startsWith(`${root}/`))) into[abs] = (into[abs] ?? 0) + 1;
}
function wrap(obj, names, into) {
  for (const name of names) {
    const original = obj[name];
    obj[name] = function (p, ...rest) {
      count(into, p);
      return original.call(this, p, ...rest);
    };
  }
}
// Stats: what a path is (lstat, stat). Probes: whether it exists (existsSync, as project detection asks). Reads:
// every way its contents are opened (package files are read through an opened handle, not readFile).
wrap(fs, ["lstatSync", "statSync", "lstat", "stat"], stats);
wrap(fsp, ["lstat", "stat"], stats);
wrap(fs, ["existsSync"], probes);
wrap(fs, ["readFileSync", "readFile", "openSync", "open", "createReadStream"], reads);
wrap(fsp, ["readFile", "open"], reads);
syncBuiltinESMExports();
process.on("exit", () => {
  if (process.env.COUNT_FS_OUT) fs.writeFileSync(process.env.COUNT_FS_OUT, JSON.stringify({ stats, probes, reads }));
});
