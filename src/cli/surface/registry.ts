import type { Command } from "commander";
import type { Act } from "./act.js";

const loadAudit = () => import("../../commands/audit.js");
const loadInfo = () => import("../../commands/info.js");
const loadOutdated = () => import("../../commands/outdated.js");
const loadPackage = () => import("../../commands/package.js");

/** Tasks that read a repository's signed registry: audit, outdated, info, package fetch|diff. */
export function declareRegistryTasks(program: Command, act: Act): void {
  program
    .command("audit")
    .description(
      "check locked Hex deps (mix.lock, rebar.lock) for retired releases, advisories " +
        "and checksums that differ from the registry",
    )
    .addHelpText(
      "after",
      "\nExit code 1 when any locked release is retired, has an advisory, is missing, " +
        "or its checksum differs from the signed registry.",
    )
    .action(act(loadAudit, "audit"));

  program
    .command("outdated")
    .description("show locked Hex deps with newer versions: locked, latest matching the requirements, latest")
    .argument("[app]", "show the requirements on this one dependency")
    .option("--all", "all locked packages, not only the project's own dependencies")
    .option("--pre", "include pre-releases")
    .option("--within-requirements", "exit 1 only when an update is possible without changing a requirement")
    .addHelpText("after", "\nExit code 1 when a dependency is outdated (as mix hex.outdated).")
    .action(act(loadOutdated, "outdated", (app?: string) => ({ app })));

  program
    .command("info")
    .description(
      "a package's versions, retirements, licenses and links; a release's dependencies; or, alone, " +
        "hexts's configuration",
    )
    .argument("[package]")
    .argument("[version]")
    .option("--organization <org>", "the package lives in this organization's repository")
    .action(act(loadInfo, "info", (pkg?: string, version?: string) => ({ package: pkg, version })));

  const pkg = program
    .command("package")
    .description("fetch a release tarball (checksum verified) or diff two releases");
  pkg
    .command("fetch")
    .description("download NAME-VERSION.tar, verified against the signed registry")
    .argument("<name>")
    .argument("<version>")
    .option("--unpack", "unpack into NAME-VERSION/ instead of writing the .tar")
    .option("-o, --output <dir>", "directory to write into (default: the current one; - writes the tarball to stdout)")
    .option("--organization <org>", "the package lives in this organization's repository")
    .action(act(loadPackage, "fetch", (name: string, version: string) => ({ package: name, version })));
  pkg
    .command("diff")
    .description("unified diff of two releases' files (exit 1 when they differ)")
    .argument("<name>")
    .argument("<versions...>", "V1 V2, or V1..V2")
    .option("--organization <org>", "the package lives in this organization's repository")
    .action(act(loadPackage, "diff", (name: string, versions: string[]) => ({ package: name, versions })));
}
