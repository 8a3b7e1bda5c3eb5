// The hexts library: the same pieces the CLI uses, for programs that talk to Hex from Node.js.
export { HextsError, ExitCode, isHextsError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export { hextsVersion } from "./version.js";
