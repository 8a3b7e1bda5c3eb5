// `hexts package fetch NAME VERSION [--unpack] [-o DIR]` and `hexts package diff NAME V1 V2` (also `V1..V2`),
// as `mix hex.package`: the tarball comes from the repository, and its SHA-256 must match the signed
// registry's checksum before it is written or unpacked (mix checks after unpacking; we check first).
// `diff` prints a unified diff of the two releases' files (hex_metadata.config included), and exits 1 when
// they differ, as the `git diff --no-index` mix runs does.
import { z } from "zod";
import { defineSubcommand, type Subcommands } from "./task.js";
import type { Context } from "./context.js";
import { HextsError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { openRegistry } from "./registry-session.js";

export const FetchInput = z.object({
  package: z.string().min(1),
  version: z.string().min(1),
  unpack: z.boolean().default(false),
  output: z.string().min(1).optional(),
  organization: z.string().min(1).optional(),
});

export interface FetchResult {
  package: string;
  version: string;
  repository: string;
  /** SHA-256 of the tarball, which matched the registry's. */
  checksum: string;
  /** The .tar written, or the directory unpacked into; null when the tarball went to stdout (`-o -`). */
  path: string | null;
  unpacked: boolean;
  /** With --unpack: the files written, relative to `path`. */
  files?: string[];
}

export async function fetchPackage(ctx: Context, input: z.output<typeof FetchInput>): Promise<FetchResult> {
  if (input.output === "-" && input.unpack)
    throw new HextsError("USAGE", "cannot unpack the package while the output is stdout (-o -)");
  if (input.output === "-" && ctx.out.json)
    throw new HextsError("USAGE", "-o - writes the tarball to stdout, which --json needs for its document");
  const registry = await openRegistry(ctx, { organization: input.organization });
  const fetched = await registry.getTarball(input.package, input.version);
  const base: Omit<FetchResult, "path" | "unpacked"> = {
    package: input.package,
    version: input.version,
    repository: registry.repository.name,
    checksum: fetched.outerChecksum,
  };
  if (input.output === "-") {
    await new Promise<void>((resolve, reject) =>
      ctx.out.stdout.write(fetched.tarball, (e) => (e ? reject(e) : resolve())),
    );
    return { ...base, path: null, unpacked: false };
  }
  const { mkdir } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  const dir = resolve(ctx.cwd, input.output ?? ".");
  await mkdir(dir, { recursive: true });
  const stem = join(dir, `${input.package}-${input.version}`);
  const pipeline = await import("../build/pipeline.js");
  if (input.unpack) {
    // Verified against the registry above; the unpacker checks it again along with every inner rule.
    const files = await pipeline.unpackPackageTo(fetched.tarball, stem);
    return { ...base, path: stem, unpacked: true, files };
  }
  const { unpackPackageTarball } = await import("../package/tarball.js");
  await unpackPackageTarball(fetched.tarball, { expectedOuterChecksum: fetched.release.outerChecksum });
  await pipeline.writeTarballFile(`${stem}.tar`, fetched.tarball);
  return { ...base, path: `${stem}.tar`, unpacked: false };
}

function renderFetch(r: FetchResult, out: Output): void {
  if (r.path === null) return;
  out.result(
    r.unpacked
      ? `${r.package} v${r.version} extracted to ${r.path}`
      : `${r.package} v${r.version} downloaded to ${r.path}`,
  );
  out.info(`checksum ${r.checksum} (matches the registry)`);
}

export const DiffInput = z
  .object({
    package: z.string().min(1),
    versions: z.array(z.string().min(1)).min(1).max(2),
    organization: z.string().min(1).optional(),
  })
  .transform((v, ctx) => {
    const pair = v.versions.length === 2 ? v.versions : v.versions[0]!.split("..");
    if (pair.length !== 2 || !pair[0] || !pair[1]) {
      ctx.addIssue({
        code: "custom",
        message: `give two versions (\`hexts package diff ${v.package} 1.0.0 1.1.0\` or 1.0.0..1.1.0)`,
      });
      return z.NEVER;
    }
    return { package: v.package, from: pair[0], to: pair[1], organization: v.organization };
  });

export interface DiffResult {
  package: string;
  from: string;
  to: string;
  repository: string;
  /** Paths whose contents differ, were added or removed. */
  changed: { path: string; change: "added" | "removed" | "modified" }[];
  /** The unified diff (git style headers, a/ and b/ prefixes). */
  diff: string;
}

const MAX_DIFF_LINES = 200_000;

function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export async function diffPackage(ctx: Context, input: z.output<typeof DiffInput>): Promise<DiffResult> {
  const registry = await openRegistry(ctx, { organization: input.organization });
  const { unpackPackageTarball } = await import("../package/tarball.js");
  const { createTwoFilesPatch } = await import("diff");
  const files = async (version: string) => {
    const fetched = await registry.getTarball(input.package, version);
    const unpacked = await unpackPackageTarball(fetched.tarball, { expectedOuterChecksum: fetched.outerChecksum });
    const map = new Map<string, Uint8Array>([["hex_metadata.config", unpacked.metadataConfig]]);
    for (const f of unpacked.files) {
      if (f.type === "file") map.set(f.path, f.contents);
      else if (f.type === "symlink") map.set(f.path, new TextEncoder().encode(`symlink -> ${f.linkTarget}\n`));
    }
    return map;
  };
  const [a, b] = await Promise.all([files(input.from), files(input.to)]);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changed: DiffResult["changed"] = [];
  const parts: string[] = [];
  const decoder = new TextDecoder();
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (x && y && Buffer.compare(x, y) === 0) continue;
    changed.push({ path, change: !x ? "added" : !y ? "removed" : "modified" });
    const header = `diff --git a/${path} b/${path}\n`;
    if ((x && !isText(x)) || (y && !isText(y))) {
      parts.push(
        `${header}Binary files ${x ? `a/${path}` : "/dev/null"} and ${y ? `b/${path}` : "/dev/null"} differ\n`,
      );
      continue;
    }
    const oldText = x ? decoder.decode(x) : "";
    const newText = y ? decoder.decode(y) : "";
    if (oldText.split("\n").length + newText.split("\n").length > MAX_DIFF_LINES) {
      parts.push(
        `${header}Files ${x ? `a/${path}` : "/dev/null"} and ${y ? `b/${path}` : "/dev/null"} ` +
          "differ (too large to show)\n",
      );
      continue;
    }
    const patch = createTwoFilesPatch(
      x ? `a/${path}` : "/dev/null",
      y ? `b/${path}` : "/dev/null",
      oldText,
      newText,
      undefined,
      undefined,
      { context: 3 },
    );
    // drop jsdiff's "Index"/"====" preamble; keep the ---/+++ headers and hunks
    parts.push(header + patch.replace(/^(Index:[^\n]*\n)?=+\n/, ""));
  }
  return {
    package: input.package,
    from: input.from,
    to: input.to,
    repository: registry.repository.name,
    changed,
    diff: parts.join(""),
  };
}

function renderDiff(r: DiffResult, out: Output): void {
  if (r.changed.length === 0) {
    out.info(`${r.package} ${r.from} and ${r.to} have the same files`);
    return;
  }
  out.stdout.write(out.secrets.redact(r.diff));
}

export const subcommands = {
  fetch: defineSubcommand({ input: FetchInput, run: fetchPackage, render: renderFetch }),
  diff: defineSubcommand({
    input: DiffInput,
    run: diffPackage,
    render: renderDiff,
    exitCode: (r) => (r.changed.length > 0 ? 1 : 0),
  }),
} satisfies Subcommands;
