// Docs tarballs (HEX_PROTOCOL.md §6): a reproducible gzip tar of the generated docs directory, paths relative
// to it. We follow mix (`mix hex.publish docs`): every regular file matched by `DIR/**` (so dot-files and
// dot-directories are skipped, symlinks are followed), in sorted path order, each written as a memory file
// with mode 0100644 (no directory or symlink members). rebar3_hex walks the directory from disk instead
// (disk modes, empty directories); hex.pm accepts both, and mix's form does not depend on the umask.
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { TARBALL_MAX_SIZE, TARBALL_MAX_UNCOMPRESSED_SIZE } from "../bytes.js";
import { HextsError } from "../errors.js";
import type { PackageFile } from "./types.js";
import { sha256Hex } from "./checksum.js";
import { isVersion } from "./checks-version.js";
import { CompressedTar, packageInvalid, writeEntries, type BuildTarballOptions } from "./contents.js";
import { GunzipError, gunzip } from "./gzip.js";
import { EntryTree, isInside, normalizeTarPath, safePathProblem } from "./paths.js";
import { MODE_FILE, TarReadError, readTar } from "./tar.js";

export interface DocsTarball {
  tarball: Uint8Array;
  /** SHA-256 of the tarball, lowercase hex. */
  checksum: string;
  /** Paths in the tarball, in order. */
  files: string[];
  /** Size of the uncompressed tar. */
  contentsSize: number;
}

/** A directory name that is a version (checks-version.ts's one rule, as Elixir's `Version.parse/1`). */
export const isSemverName = (name: string) => isVersion(name);

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Regular files under `dir` as mix's `Path.wildcard("DIR/**")` + `File.regular?` finds them, sorted. */
async function listDocsFiles(dir: string): Promise<PackageFile[]> {
  const root = await realpath(dir).catch((e: NodeJS.ErrnoException) => {
    throw packageInvalid("docs_dir_missing", `Docs directory not found: ${dir}`, { dir, cause: e.code });
  });
  const found: PackageFile[] = [];
  const walk = async (abs: string, ancestors: Set<string>) => {
    for (const name of await readdir(abs)) {
      if (name.startsWith(".")) continue;
      const path = join(abs, name);
      const st = await stat(path).catch(() => undefined); // a dangling symlink is not a regular file: skipped
      if (!st) continue;
      if ((await lstat(path)).isSymbolicLink()) {
        const target = await realpath(path);
        if (!isInside(target, root)) {
          const rel = relative(dir, path).split(sep).join("/");
          throw packageInvalid("unsafe_symlink", `Docs symlink ${rel} points outside the docs directory`, {
            path: rel,
          });
        }
      }
      if (st.isDirectory()) {
        const real = await realpath(path);
        if (ancestors.has(real)) continue; // a symlink loop
        await walk(path, new Set([...ancestors, real]));
      } else if (st.isFile()) {
        const rel = relative(dir, path).split(sep).join("/");
        found.push({ path: rel, kind: "file", diskPath: path, mode: MODE_FILE, size: st.size });
      }
    }
  };
  await walk(dir, new Set([root]));
  return found.sort((a, b) => byUtf8(a.path, b.path));
}

function checkDocsLayout(paths: readonly string[]): void {
  if (!paths.includes("index.html")) {
    throw packageInvalid("docs_missing_index", "The docs have no index.html at the top level", {});
  }
  for (const path of paths) {
    const top = path.split("/")[0]!;
    if (isSemverName(top)) {
      throw packageInvalid(
        "docs_version_name",
        `Top-level docs entry ${JSON.stringify(top)} looks like a version; hexdocs reserves those names`,
        {
          path: top,
        },
      );
    }
  }
}

/**
 * Builds the docs tarball for `docsDir`: index.html required at the top level, no top-level entry named
 * like a SemVer version, ≤ 16 MiB compressed and ≤ 128 MiB uncompressed (PACKAGE_INVALID otherwise).
 * Files are read one at a time and streamed through the same tar writer and gzip as package tarballs.
 */
export async function buildDocsTarball(docsDir: string, opts: BuildTarballOptions = {}): Promise<DocsTarball> {
  const files = await listDocsFiles(docsDir);
  checkDocsLayout(files.map((f) => f.path));
  const contents = new CompressedTar("docs tarball", opts);
  contents.checkPlanned(files);
  await writeEntries(contents, files, opts);
  const { gzip: tarball, contentsSize } = await contents.finish();
  return { tarball, checksum: sha256Hex(tarball), files: files.map((f) => f.path), contentsSize };
}

export interface UnpackedDocs {
  files: { path: string; mode: number; contents: Uint8Array }[];
  checksum: string;
}

const docsInvalid = (reason: string, message: string, cause?: unknown) =>
  new HextsError("TARBALL_INVALID", message, { details: { reason }, cause });

/** Reads back a docs tarball and checks what `buildDocsTarball` guarantees (for tests and `--dry-run`). */
export function unpackDocsTarball(
  bytes: Uint8Array,
  opts: { maxSize?: number; maxUncompressedSize?: number } = {},
): UnpackedDocs {
  const maxSize = opts.maxSize ?? TARBALL_MAX_SIZE;
  const maxUncompressed = opts.maxUncompressedSize ?? TARBALL_MAX_UNCOMPRESSED_SIZE;
  if (bytes.length > maxSize) throw docsInvalid("too_big", `The docs tarball is larger than ${maxSize} bytes`);
  let tar: Uint8Array;
  try {
    tar = gunzip(bytes, maxUncompressed);
  } catch (e) {
    const reason =
      e instanceof GunzipError
        ? e.reason === "too_big"
          ? "too_big_uncompressed"
          : e.reason === "not_gzip"
            ? "not_gzip"
            : "corrupt"
        : "corrupt";
    throw docsInvalid(reason, `Invalid docs tarball: ${(e as Error).message}`, e);
  }
  let members;
  try {
    members = readTar(tar);
  } catch (e) {
    if (e instanceof TarReadError) throw docsInvalid(e.reason, `Invalid docs tarball: ${e.message}`, e);
    throw e;
  }
  const files: UnpackedDocs["files"] = [];
  const tree = new EntryTree();
  for (const m of members) {
    const problem = safePathProblem(m.path);
    if (problem)
      throw docsInvalid("unsafe_path", `Unsafe path in docs tarball: ${JSON.stringify(m.path)} (${problem})`);
    // rebar3_hex's docs tarballs may hold empty directories; symlinks are never needed in docs.
    if (m.type === "symlink") throw docsInvalid("unexpected_entry", `Docs tarball entry ${m.path} is a symlink`);
    // Two names for one path (a//b and a/b, NFC), or a file below a file, as in package tarballs.
    const unsafe = tree.add({ path: normalizeTarPath(m.path), type: m.type });
    if (unsafe) throw docsInvalid(unsafe.reason, `Unsafe docs tarball: ${unsafe.message}`);
    if (m.type === "file") files.push({ path: normalizeTarPath(m.path), mode: m.mode & ~0o7000, contents: m.data });
  }
  try {
    checkDocsLayout(files.map((f) => f.path));
  } catch (e) {
    throw docsInvalid(((e as HextsError).details as { reason: string }).reason, (e as Error).message, e);
  }
  return { files, checksum: sha256Hex(bytes) };
}
