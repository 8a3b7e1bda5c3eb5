import { Argument, Command, Option } from "commander";
import type { Act } from "./act.js";

const loadBuild = () => import("../../commands/build.js");
const loadCut = () => import("../../commands/cut.js");
const loadPublish = () => import("../../commands/publish.js");

const what = () => new Argument("[what]", "package | docs (default: both)").choices(["package", "docs"]);

export function declarePackageTasks(program: Command, act: Act): void {
  program
    .command("build")
    .description("build the package tarball (and docs tarball) locally without publishing")
    .addArgument(what())
    .option("-o, --output <path>", "output file (or directory with --unpack)")
    .option("-u, --unpack", "unpack the built tarball into a directory instead of writing the .tar")
    .option("-a, --app <app>", "which application to build in an umbrella project")
    .option("--metadata <file>", "JSON file with the package metadata, for projects hexts cannot read statically")
    .option("--doc-dir <dir>", "directory holding the generated docs (default: doc)")
    .option("--organization <org>", "build for this organization's repository")
    .addOption(
      new Option("--build-tool <tool>", "read the project as this tool does, when the directory has several").choices([
        "rebar3",
        "mix",
        "make",
      ]),
    )
    .addOption(
      new Option(
        "--file-order <order>",
        "mix: walk directories sorted (default, reproducible) or in file-system order, as mix does",
      ).choices(["sorted", "filesystem"]),
    )
    .action(act(loadBuild, "build", (what?: string) => ({ what })));

  program
    .command("publish")
    .description("publish the package and its docs (or revert a release with --revert VERSION)")
    .addArgument(what())
    .option("--dry-run", "run every local step; no credentials, no upload")
    .option("--replace", "replace an existing release (within the server's replace window)")
    .option("--revert <version>", "revert VERSION (with `docs`: only its docs)")
    .option("--organization <org>", "publish to this organization's repository (same as --repo hexpm:ORG)")
    .option("-a, --app <app>", "which application to publish in an umbrella project")
    .option("--metadata <file>", "JSON file with the package metadata, for projects hexts cannot read statically")
    .option(
      "--doc-dir <dir>",
      "directory holding the generated docs (otherwise the project's doc generator runs, if installed)",
    )
    .addOption(
      new Option("--build-tool <tool>", "read the project as this tool does, when the directory has several").choices([
        "rebar3",
        "mix",
        "make",
      ]),
    )
    .option("--no-progress", "no upload progress")
    .addHelpText(
      "after",
      `
Asks \`Proceed?\` after showing what will be published (--yes skips it). Exit code 5: the package was
published but its docs were not (publish them with \`hexts publish docs\`).`,
    )
    .action(act(loadPublish, "publish", (what?: string) => ({ what })));

  program
    .command("cut")
    .description("bump the version, commit, publish, tag and push")
    .addOption(new Option("-i, --increment <kind>", "version increment").choices(["major", "minor", "patch"]))
    .option("--pre <label>", "make a pre-release with this label (e.g. rc → 1.3.0-rc.0)")
    .option("-s, --set-version <version>", "use this exact version (also accepted as `--version X` after `cut`)")
    .addOption(new Option("--prefix-tag <bool>", "prefix tags with v").choices(["true", "false"]).default("true"))
    .option("-a, --app <app>", "which application in an umbrella project")
    .option("--dry-run", "print every git command and publish step; change nothing")
    .option("--no-push", "do not push the branch and the tag")
    .option("--replace", "replace an existing release")
    .option("--doc-dir <dir>", "directory holding the generated docs")
    .option("--organization <org>", "publish to this organization's repository")
    .option("--no-progress", "no upload progress")
    .addHelpText(
      "after",
      `
Needs a clean git work tree. Rewrites only the version in .app.src or mix.exs, commits that file, publishes,
then creates an annotated tag and pushes the branch and the tag to the branch's upstream. With \`{vsn, git}\`
the tag comes first (the version is read from it). On failure it undoes its own steps and says what it undid.`,
    )
    .action(act(loadCut, "cut"));
}
