// bin entry: compile cache on, build the commander program, run it, exit once.
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { runCli } = await import("./program.js");
const code = await runCli(process.argv.slice(2));
process.exit(code);
