// What a project reader (rebar3, Erlang.mk, mix, --metadata JSON) produces: everything the
// build step needs, with no Erlang or Elixir installed.

export type { BuildTool, MetadataValue, Requirement, PackageFile, Problem, ProjectPackage } from "../package/types.js";
