// Static reader of mix projects (mix.exs without Elixir), as `mix hex.build` of Hex 2.5.1 sees them.
export { readMixProject, type ReadMixOptions } from "./read.js";
export { parseElixir, type Node } from "./parser.js";
export { tokenize, ElixirSyntaxError, type Token } from "./tokenizer.js";
export { MixModule } from "./evaluator.js";
export { inspect, type Value } from "./values.js";
export { selectFiles, defaultFiles } from "./files.js";
