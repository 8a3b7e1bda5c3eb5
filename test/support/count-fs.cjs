// Preload (`node --require`) for the "read once" tests: counts each stat and each read of a path under
// COUNT_FS_ROOT and writes {stats: {path: n}, reads: {path: n}} to COUNT_FS_OUT when the process exits.
const fs = require("node:fs");
const fsp = require("node:fs/promises");
const { resolve } = require("node:path");
const { syncBuiltinESMExports } = require("node:module");
const root = process.env.COUNT_FS_ROOT;
const stats = {};
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
wrap(fs, ["lstatSync", "statSync", "lstat", "stat"], stats);
wrap(fsp, ["lstat", "stat"], stats);
wrap(fs, ["readFileSync", "readFile"], reads);
wrap(fsp, ["readFile"], reads);
syncBuiltinESMExports();
process.on("exit", () => {
  if (process.env.COUNT_FS_OUT) fs.writeFileSync(process.env.COUNT_FS_OUT, JSON.stringify({ stats, reads }));
});
