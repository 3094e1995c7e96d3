// Compiled custom policies in a local folder (TOLLGATE_CACHE_DIR), one file per content key and
// one per folder's last good version, so a restarted process or another one on the same host skips
// the compile and keeps enforcing what last compiled. Writes go to a temporary file renamed into
// place (readers see a whole entry or none); the folder keeps the most recently used entries within
// a count and a byte bound, and the most recently written last good versions within a count; files
// it cannot read as an authentic entry (trust.ts) are logged and ignored. A folder anyone may write
// to is refused: its entries could be deleted or replaced.
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
import type { KeyObject } from "node:crypto";
import type { CompiledPolicies } from "../compile.js";
import { decodeCompiled, encodeCompiled } from "./codec.js";
import {
  compiledSlot,
  lastGoodSlot,
  slotName,
  type CacheLog,
  type CompiledStore,
} from "./types.js";

export interface DiskStoreOptions {
  dir: string;
  /** Authenticates entries (`cacheKeyOfApp`); one written with another key is a miss. */
  macKey: KeyObject;
  /** Entries kept (least recently used go first); default 128. */
  maxEntries?: number;
  /** Bytes kept by those entries; default 512 MiB (an entry is about 1 MB for a 500-rule folder). */
  maxBytes?: number;
  /** Last good versions kept (least recently written go first), one per folder; default 256. */
  maxLastGood?: number;
  log: CacheLog;
}

const ENTRY = /^[0-9a-f]{64}\.compiled$/;
const LAST_GOOD = /^[0-9a-f]{64}\.last-good$/;
const TEMPORARY = /\.tmp$/;
/** A temporary file this old was left by a writer that died. */
const ABANDONED_MS = 10 * 60_000;

export class DiskCompiledStore implements CompiledStore {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxLastGood: number;
  private usable: Promise<boolean> | undefined;

  constructor(private readonly options: DiskStoreOptions) {
    this.maxEntries = options.maxEntries ?? 128;
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    this.maxLastGood = options.maxLastGood ?? 256;
  }

  async get(key: string): Promise<CompiledPolicies | undefined> {
    const file = this.fileOf(key);
    if (!file) return undefined;
    const policies = await this.read(file, compiledSlot(key), { key }, key);
    if (policies) {
      // Its modification time is its last use, which eviction goes by.
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
    }
    return policies;
  }

  async put(policies: CompiledPolicies): Promise<void> {
    const file = this.fileOf(policies.key);
    if (!file) return;
    const bytes = encodeCompiled(policies, compiledSlot(policies.key), this.options.macKey);
    if (bytes.byteLength <= this.maxBytes) await this.write(file, bytes);
  }

  async getLastGood(origin: string): Promise<CompiledPolicies | undefined> {
    const slot = lastGoodSlot(origin);
    return this.read(this.lastGoodFileOf(slot), slot, { origin });
  }

  async putLastGood(origin: string, policies: CompiledPolicies): Promise<void> {
    const slot = lastGoodSlot(origin);
    await this.write(
      this.lastGoodFileOf(slot),
      encodeCompiled(policies, slot, this.options.macKey),
    );
  }

  /** `named`: what the warning names the entry by (its key, or the folder's origin). */
  private async read(
    file: string,
    slot: string,
    named: { key: string } | { origin: string },
    key?: string,
  ): Promise<CompiledPolicies | undefined> {
    if (!(await this.ready())) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.options.log.warn(
          { ...named, file, error: describe(error) },
          "compiled policy cache unreadable",
        );
      return undefined;
    }
    const decoded = decodeCompiled(bytes, slot, this.options.macKey, key);
    if (!decoded.ok) {
      this.options.log.warn(
        { ...named, file, problem: decoded.problem },
        "compiled policy cache entry ignored",
      );
      return undefined;
    }
    return decoded.policies;
  }

  private async write(file: string, bytes: Uint8Array): Promise<void> {
    if (!(await this.ready())) return;
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

  /**
   * Keep the most recently used entries within both bounds, and the most recently written last
   * good versions within theirs; remove abandoned temporary files.
   */
  private async evict(): Promise<void> {
    const { dir } = this.options;
    const entries: Kept[] = [];
    const lastGood: Kept[] = [];
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const kept = { file, size: info.size, usedMs: info.mtimeMs };
      if (ENTRY.test(name)) entries.push(kept);
      else if (LAST_GOOD.test(name)) lastGood.push(kept);
      else if (TEMPORARY.test(name) && Date.now() - info.mtimeMs > ABANDONED_MS)
        await unlink(file).catch(() => undefined);
    }
    await removeBeyond(entries, this.maxEntries, this.maxBytes);
    await removeBeyond(lastGood, this.maxLastGood, Number.POSITIVE_INFINITY);
  }

  private fileOf(key: string): string | undefined {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(key)?.[1];
    return hex ? path.join(this.options.dir, `${hex}.compiled`) : undefined;
  }

  private lastGoodFileOf(slot: string): string {
    return path.join(this.options.dir, `${slotName(slot)}.last-good`);
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

interface Kept {
  file: string;
  size: number;
  usedMs: number;
}

/** Removes all but the most recently used files within both bounds. */
async function removeBeyond(files: Kept[], maxCount: number, maxBytes: number): Promise<void> {
  files.sort((a, b) => b.usedMs - a.usedMs);
  let kept = 0;
  let bytes = 0;
  for (const entry of files) {
    if (kept < maxCount && bytes + entry.size <= maxBytes) {
      kept++;
      bytes += entry.size;
      continue;
    }
    // Another writer may have removed it first.
    await unlink(entry.file).catch(() => undefined);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
