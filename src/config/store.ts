// The user config file: validated reads, and read-modify-write updates under a cross-process lock with
// atomic replacement and mode 0600. A corrupt or unreadable file is reported with its path and never rewritten.
import { chmod, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { HextsError } from "../errors.js";
import { removeStaleTemps, writeFileAtomic } from "./atomic.js";
import { acquireLock, type LockOptions } from "./lock.js";
import { CONFIG_VERSION, ConfigFileSchema, emptyConfig, type ConfigFile } from "./schema.js";

export const CONFIG_FILE_MODE = 0o600;

export interface ConfigStoreOptions {
  lock?: LockOptions;
  /**
   * Read the file once and answer later reads from that copy, kept current by this store's own updates: one run's
   * view of its config (settings, repositories, credentials all come from the same read).
   */
  readOnce?: boolean;
}

/** What an update function may return: a new config, or nothing after mutating the draft it was given. */
export type ConfigUpdate = (draft: ConfigFile) => ConfigFile | void | Promise<ConfigFile | void>;

export class ConfigStore {
  readonly file: string;
  private readonly opts: ConfigStoreOptions;
  private current?: Promise<ConfigFile>;

  constructor(file: string, opts: ConfigStoreOptions = {}) {
    this.file = file;
    this.opts = opts;
  }

  get lockFile(): string {
    return `${this.file}.lock`;
  }

  /** The validated config; an empty one when the file does not exist yet. Each caller gets its own copy. */
  async read(): Promise<ConfigFile> {
    if (!this.opts.readOnce) return (await this.readText()).config;
    const pending = (this.current ??= this.readText().then((r) => r.config));
    try {
      return structuredClone(await pending);
    } catch (e) {
      if (this.current === pending) this.current = undefined;
      throw e;
    }
  }

  private async readText(): Promise<{ config: ConfigFile; text?: string }> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { config: emptyConfig() };
      throw new HextsError("CONFIG_INVALID", `cannot read the config file ${this.file}: ${describeFsError(code)}`, {
        cause: e,
      });
    }
    return { config: parseConfig(text, this.file), text };
  }

  /**
   * Read-modify-write under the lock: `fn` gets a private copy of the current file and returns (or mutates) the
   * new content, which is validated and written atomically with mode 0600. Nothing is written if nothing changed.
   * `fn` runs while the lock is held: it must not prompt.
   */
  async update(fn: ConfigUpdate): Promise<ConfigFile> {
    const dir = dirname(this.file);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new HextsError(
        "CONFIG_INVALID",
        `cannot create the config directory ${dir}: ${describeFsError((e as NodeJS.ErrnoException).code)}`,
        { cause: e },
      );
    }
    let lock;
    try {
      lock = await acquireLock(this.lockFile, this.opts.lock);
    } catch (e) {
      if (e instanceof HextsError) throw e;
      // The lock file could not be created: the directory is not writable (permissions, read-only file system...).
      throw new HextsError(
        "IO",
        `cannot write the config file ${this.file}: ${describeFsError((e as NodeJS.ErrnoException).code)} in ${dir}`,
        { cause: e },
      );
    }
    try {
      await removeStaleTemps(this.file);
      const { config, text } = await this.readText();
      const draft = structuredClone(config);
      const next = ConfigFileSchema.parse((await fn(draft)) ?? draft);
      const out = serialize(next);
      if (out !== text) {
        try {
          await writeFileAtomic(this.file, out, CONFIG_FILE_MODE);
        } catch (e) {
          throw new HextsError(
            "IO",
            `cannot write the config file ${this.file}: ${describeFsError((e as NodeJS.ErrnoException).code)}`,
            { cause: e },
          );
        }
      } else {
        await chmod(this.file, CONFIG_FILE_MODE).catch(() => {});
      }
      if (this.opts.readOnce) this.current = Promise.resolve(structuredClone(next));
      return next;
    } finally {
      await lock.release();
    }
  }
}

export function serialize(config: ConfigFile): string {
  return JSON.stringify(config, null, 2) + "\n";
}

/** Parses and validates the file's text. Error messages carry the path and never the file's content. */
export function parseConfig(text: string, file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HextsError(
      "CONFIG_INVALID",
      `the config file ${file} is not valid JSON${jsonErrorWhere(e, text)}; ` +
        "fix it or move it away (hexts left it untouched)",
    );
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version > CONFIG_VERSION) {
    throw new HextsError(
      "CONFIG_INVALID",
      `the config file ${file} was written by a newer hexts (format version ${version}); upgrade hexts to use it`,
    );
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.map(String).join(".")}` : "";
    throw new HextsError(
      "CONFIG_INVALID",
      `the config file ${file} is invalid${where}: ${issue?.message ?? "unexpected content"}; ` +
        "fix it or move it away (hexts left it untouched)",
    );
  }
  return parsed.data;
}

/** "(line 3, column 7)" from V8's message, without quoting the text (it may hold secrets). */
function jsonErrorWhere(e: unknown, text: string): string {
  const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
  if (!m) return text.trim() === "" ? " (the file is empty)" : "";
  const before = text.slice(0, Number(m[1]));
  const line = before.split("\n").length;
  const column = Number(m[1]) - before.lastIndexOf("\n");
  return ` (line ${line}, column ${column})`;
}

function describeFsError(code: string | undefined): string {
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a parent is not a directory";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "read-only file system";
    default:
      return code ?? "unknown error";
  }
}
