// How a command is named in messages: its full path (`hexts user key`), and the pointer to its help that every
// usage error ends with. Used by the program (cli/program.ts) and the runner (cli/run.ts).
import type { Command } from "commander";

export function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The one-line pointer every usage error ends with: the help of the command the user was typing. */
export function helpHint(cmd: Command): string {
  return `(see \`${pathOf(cmd)} --help\`)`;
}
