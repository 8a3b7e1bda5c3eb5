// bin entry: compile cache on, build the commander program, run it, exit once.
import module from "node:module";
import { hextsVersion } from "../version.js";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  // The most common scripted call answers without loading the command surface.
  process.stdout.write(hextsVersion() + "\n");
} else {
  const { runCli } = await import("./program.js");
  process.exit(await runCli(argv));
}
