// Compiled custom policies in a local folder (TOLLGATE_CACHE_DIR), one file per content key, so a
// restarted process or another one on the same host skips the compile. Writes go to a temporary
// file renamed into place (readers see a whole entry or none); the folder keeps the most recently
// used entries within a count and a byte bound; files it cannot read as an entry are logged and
// ignored. A folder anyone may write to is refused: its entries could be planted.
import { randomBytes } from "node:crypto";
import {
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import type { CompiledPolicies } from "../compile.js";
import { decodeCompiled, encodeCompiled } from "./codec.js";
import type { CacheLog, CompiledStore } from "./types.js";

export interface DiskStoreOptions {
  dir: string;
  /** Entries kept (least recently used go first); default 128. */
  maxEntries?: number;
  /** Bytes kept in all; default 512 MiB (an entry is about 1 MB for a 500-rule folder). */
  maxBytes?: number;
  log: CacheLog;
}

const ENTRY = /^[0-9a-f]{64}\.compiled$/;
const TEMPORARY = /\.tmp$/;
/** A temporary file this old was left by a writer that died. */
const ABANDONED_MS = 10 * 60_000;

export class DiskCompiledStore implements CompiledStore {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private usable: Promise<boolean> | undefined;

  constructor(private readonly options: DiskStoreOptions) {
    this.maxEntries = options.maxEntries ?? 128;
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async get(key: string): Promise<CompiledPolicies | undefined> {
    const file = this.fileOf(key);
    if (!file || !(await this.ready())) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.options.log.warn({ file, error: describe(error) }, "compiled policy cache unreadable");
      return undefined;
    }
    const decoded = decodeCompiled(bytes, key);
    if (!decoded.ok) {
      this.options.log.warn(
        { file, problem: decoded.problem },
        "compiled policy cache entry ignored",
      );
      return undefined;
    }
    // Its modification time is its last use, which eviction goes by.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return decoded.policies;
  }

  async put(policies: CompiledPolicies): Promise<void> {
    const file = this.fileOf(policies.key);
    if (!file || !(await this.ready())) return;
    const bytes = encodeCompiled(policies);
    if (bytes.byteLength > this.maxBytes) return;
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, bytes, { mode: 0o600, flag: "wx" });
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      this.options.log.warn({ file, error: describe(error) }, "compiled policy cache not written");
      return;
    }
    await this.evict().catch((error: unknown) =>
      this.options.log.warn({ error: describe(error) }, "compiled policy cache not trimmed"),
    );
  }

  /** Keep the most recently used entries within both bounds; remove abandoned temporary files. */
  private async evict(): Promise<void> {
    const { dir } = this.options;
    const entries: { file: string; size: number; usedMs: number }[] = [];
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (ENTRY.test(name)) entries.push({ file, size: info.size, usedMs: info.mtimeMs });
      else if (TEMPORARY.test(name) && Date.now() - info.mtimeMs > ABANDONED_MS)
        await unlink(file).catch(() => undefined);
    }
    entries.sort((a, b) => b.usedMs - a.usedMs);
    let kept = 0;
    let bytes = 0;
    for (const entry of entries) {
      if (kept < this.maxEntries && bytes + entry.size <= this.maxBytes) {
        kept++;
        bytes += entry.size;
        continue;
      }
      // Another writer may have removed it first.
      await unlink(entry.file).catch(() => undefined);
    }
  }

  private fileOf(key: string): string | undefined {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(key)?.[1];
    return hex ? path.join(this.options.dir, `${hex}.compiled`) : undefined;
  }

  /** Creates the folder (owner only) once; false, logged, when it cannot be used. */
  private ready(): Promise<boolean> {
    this.usable ??= (async () => {
      const { dir, log } = this.options;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const info = await stat(dir);
        if (!info.isDirectory()) throw new Error("not a directory");
        if ((info.mode & 0o002) !== 0)
          throw new Error("anyone may write to it, so its entries could be planted");
        return true;
      } catch (error) {
        log.warn({ dir, error: describe(error) }, "TOLLGATE_CACHE_DIR not used");
        return false;
      }
    })();
    return this.usable;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
