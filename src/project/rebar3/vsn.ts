// The application version as rebar3 3.19 / rebar3_hex 7.2.0 resolve it (rebar3_hex_app:vcs_vsn/2 and
// rebar_git_resource:make_vsn/2): a plain string, `git` / "git" / `semver`, `{git, short | long}`, `{file, Path}`.
// `{cmd, Shell}` runs a shell command, which hexts does not do: it is reported instead.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { childProcessEnv } from "../../config/child-env.js";
import { HextsError } from "../../errors.js";
import type { Problem } from "../types.js";

const run = promisify(execFile);

/** What the `vsn` entry of the .app.src asks for, already decoded from the term. */
export type VsnSpec =
  | { kind: "plain"; value: string }
  | { kind: "git" }
  | { kind: "gitRef"; length: "short" | "long" }
  | { kind: "file"; path: string }
  | { kind: "cmd"; command: string }
  | { kind: "unknown"; text: string };

export interface ResolvedVsn {
  version: string;
  problems: Problem[];
}

async function git(dir: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: { ...childProcessEnv(process.env), LC_ALL: "C" },
    });
    return stdout;
  } catch {
    return undefined;
  }
}

/** rebar_string:trim/3 with a set of characters, on both ends. */
function trimChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a]!)) a++;
  while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** string:trim/1's default: Unicode white space (and the CR LF pair). */
const WHITESPACE = " \t\n\v\f\r\u0085\u200e\u200f\u2028\u2029";

// rebar_git_resource:parse_tags/1: the tag on HEAD, else `git describe`.
const HEAD_TAG = /(\(|[ \t\n\v\f\r])(HEAD[^,]*,[ \t\n\v\f\r])tag:[ \t\n\v\f\r](v?([^,)]+))/;

async function parseTags(dir: string): Promise<{ tag?: string; vsn: string }> {
  const log = await git(dir, ["-c", "color.ui=false", "log", "--oneline", "--no-walk", "--tags", "--decorate"]);
  if (log === undefined) return { vsn: "0.0.0" };
  const m = HEAD_TAG.exec(log);
  if (m) {
    // A tag such as repo_name/proj/1.2.3 gives its last segment.
    const segments = m[4]!.split("/").filter((s) => s !== "");
    return { tag: m[3]!, vsn: segments[segments.length - 1] ?? "" };
  }
  const described = await git(dir, ["describe", "--tags", "--abbrev=0"]);
  if (described === undefined) return { vsn: "0.0.0" };
  return { vsn: trimChars(described.startsWith("v") ? described.slice(1) : described, "\n") };
}

async function countCommits(dir: string, range: string): Promise<number> {
  const out = await git(dir, ["rev-list", "--count", range]);
  if (out === undefined) throw new HextsError("GIT", `vsn git: \`git rev-list --count ${range}\` failed in ${dir}`);
  const lines = out.split("\n").filter((l) => l.trim() !== "");
  const n = Number.parseInt((lines[lines.length - 1] ?? "").trim(), 10);
  if (!Number.isInteger(n))
    throw new HextsError("GIT", `vsn git: \`git rev-list --count ${range}\` gave no count in ${dir}`);
  return n;
}

/**
 * rebar_git_resource:make_vsn_/1. With HEAD tagged `vX.Y.Z`: `X.Y.Z`. Otherwise the latest tag from
 * `git describe` (or 0.0.0) plus `+build.N.refHASH`, where N counts every commit reachable from HEAD
 * (rebar3 counts from the tag only when the tag is on HEAD) and HASH is `git log --pretty=%h`.
 */
export async function gitVsn(dir: string): Promise<ResolvedVsn> {
  const head = await git(dir, ["log", "-n", "1", "--pretty=format:%h\n"]);
  if (head === undefined) {
    return {
      version: "0.0.0",
      problems: [
        {
          severity: "warning",
          message: `vsn git: could not read the git log in ${dir}; rebar3 falls back to version 0.0.0`,
        },
      ],
    };
  }
  const ref = trimChars(head, "\n");
  const { tag, vsn } = await parseTags(dir);
  const count =
    tag === undefined
      ? await countCommits(dir, "HEAD")
      : await countCommits(dir, `${tag.replace(/[ \t\n\v\f\r]/g, "")}..HEAD`);
  const version = count === 0 ? vsn : `${vsn}+build.${count}.ref${ref.replace(/[ \t\n\v\f\r]/g, "")}`;
  return { version, problems: [] };
}

/** `{vsn, {git, short}}` / `{git, long}`: the commit hash itself (rebar3 falls back to "0"). */
async function gitRef(dir: string, length: "short" | "long"): Promise<ResolvedVsn> {
  const out = await git(dir, length === "short" ? ["rev-parse", "--short", "HEAD"] : ["rev-parse", "HEAD"]);
  if (out === undefined) {
    return {
      version: "0",
      problems: [
        {
          severity: "warning",
          message: `vsn {git, ${length}}: git rev-parse failed in ${dir}; rebar3 falls back to version 0`,
        },
      ],
    };
  }
  return { version: trimChars(out, "\n"), problems: [] };
}

/** Resolves `spec` for the app in `appDir`; `file` names the .app.src in problems. */
export async function resolveVsn(spec: VsnSpec, appDir: string, file: string): Promise<ResolvedVsn> {
  switch (spec.kind) {
    case "plain":
      return { version: spec.value, problems: [] };
    case "git":
      return gitVsn(appDir);
    case "gitRef":
      return gitRef(appDir, spec.length);
    case "file": {
      try {
        return { version: trimChars(await readFile(resolve(appDir, spec.path), "utf8"), WHITESPACE), problems: [] };
      } catch (e) {
        return {
          version: "",
          problems: [
            { severity: "error", file, message: `vsn {file, ${JSON.stringify(spec.path)}}: ${(e as Error).message}` },
          ],
        };
      }
    }
    case "cmd":
      return {
        version: "",
        problems: [
          {
            severity: "error",
            file,
            message:
              `vsn {cmd, ${JSON.stringify(spec.command)}} runs a shell command, which hexts does not do; ` +
              "set a literal vsn or pass --metadata FILE with the version",
          },
        ],
      };
    case "unknown":
      return {
        version: "",
        problems: [{ severity: "error", file, message: `vsn ${spec.text} is not a version rebar3 understands` }],
      };
  }
}
