// Choosing the application to package in a project with several (`--app`).
import { HextsError } from "../../errors.js";

/** Picks the app to package: `--app`, or the only one. */
export function chooseApp<T extends { name: string }>(apps: readonly T[], app: string | undefined, root: string): T {
  if (app !== undefined) {
    const found = apps.filter((a) => a.name === app);
    if (found.length === 1) return found[0]!;
    throw new HextsError(
      "USAGE",
      `App ${app} given with --app is not in the project at ${root}; its apps are: ` +
        `${apps.map((a) => a.name).join(", ")}`,
      {
        details: { apps: apps.map((a) => a.name) },
      },
    );
  }
  if (apps.length === 1) return apps[0]!;
  throw new HextsError(
    "INPUT_REQUIRED",
    `This project has several apps (${apps.map((a) => a.name).join(", ")}); choose the one to package with --app`,
    { details: { apps: apps.map((a) => a.name) } },
  );
}
