// Compiled custom policies in Redis (with REDIS_URL), shared by every replica: one string per
// content key holding the encoded entry (MAC included, trust.ts), with a TTL renewed on use, and a
// sorted set of keys by last use that keeps at most `maxEntries` of them; beside them one string
// per folder's last good version, without a TTL (it is written when the version in force changes,
// and must outlast any quiet spell), the `maxLastGood` most recently written kept. A Redis that
// does not answer within `timeoutMs` is a miss, so a cache outage costs compiles, never checks.
import type { KeyObject } from "node:crypto";
import type { Redis } from "ioredis";
import { connectRedis } from "../../queue/index.js";
import type { CompiledPolicies } from "../compile.js";
import { decodeCompiled, encodeCompiled } from "./codec.js";
import {
  compiledSlot,
  lastGoodSlot,
  slotName,
  type CacheLog,
  type CompiledStore,
} from "./types.js";

export interface RedisStoreOptions {
  redisUrl: string;
  /** Authenticates entries (`cacheKeyOfApp`); one written with another key is a miss. */
  macKey: KeyObject;
  /** Separates deployments (and tests) sharing one Redis, as the queue's prefix does. */
  prefix?: string;
  /** Entries kept (least recently used go first); default 128. */
  maxEntries?: number;
  /** A larger entry is not stored; default 8 MiB (about 1 MB for a 500-rule folder). */
  maxEntryBytes?: number;
  /** Since last use; default 7 days. */
  ttlMs?: number;
  /** Last good versions kept (least recently written go first), one per folder; default 256. */
  maxLastGood?: number;
  /** Per command; default 2 s. */
  timeoutMs?: number;
  log: CacheLog;
}

/**
 * Stores an entry, marks its use, and drops the least recently used beyond the bound. A TTL of 0
 * is none.
 */
const PUT_SCRIPT = `
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
if ttl > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - ttl)
end
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('DEL', unpack(oldest))
  redis.call('ZREM', KEYS[2], unpack(oldest))
end
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
`;

export class RedisCompiledStore implements CompiledStore {
  private readonly redis: Redis;
  private readonly settings: Required<Omit<RedisStoreOptions, "redisUrl" | "macKey" | "log">>;

  constructor(private readonly options: RedisStoreOptions) {
    this.settings = {
      prefix: options.prefix ?? "tollgate",
      maxEntries: options.maxEntries ?? 128,
      maxEntryBytes: options.maxEntryBytes ?? 8 * 1024 * 1024,
      ttlMs: options.ttlMs ?? 7 * 24 * 3600_000,
      timeoutMs: options.timeoutMs ?? 2000,
      maxLastGood: options.maxLastGood ?? 256,
    };
    this.redis = connectRedis(options.redisUrl);
    this.redis.on("error", (error: Error) =>
      options.log.warn({ error: error.message }, "compiled policy cache: Redis connection error"),
    );
  }

  async get(key: string): Promise<CompiledPolicies | undefined> {
    const entryKey = this.entryKey(key);
    const policies = await this.read(entryKey, compiledSlot(key), { key }, key);
    if (!policies) return undefined;
    const { ttlMs } = this.settings;
    await this.bounded(
      this.redis
        .multi()
        .pexpire(entryKey, ttlMs)
        .zadd(this.indexKey(), Date.now(), entryKey)
        .pexpire(this.indexKey(), ttlMs)
        .exec(),
    ).catch(() => undefined);
    return policies;
  }

  async put(policies: CompiledPolicies): Promise<void> {
    const bytes = encodeCompiled(policies, compiledSlot(policies.key), this.options.macKey);
    if (bytes.byteLength > this.settings.maxEntryBytes) return;
    const { ttlMs, maxEntries } = this.settings;
    await this.write(this.entryKey(policies.key), this.indexKey(), bytes, ttlMs, maxEntries, {
      key: policies.key,
    });
  }

  async getLastGood(origin: string): Promise<CompiledPolicies | undefined> {
    const slot = lastGoodSlot(origin);
    return this.read(this.lastGoodKey(slot), slot, { origin });
  }

  async putLastGood(origin: string, policies: CompiledPolicies): Promise<void> {
    const slot = lastGoodSlot(origin);
    const bytes = encodeCompiled(policies, slot, this.options.macKey);
    if (bytes.byteLength > this.settings.maxEntryBytes) return;
    await this.write(
      this.lastGoodKey(slot),
      this.lastGoodIndexKey(),
      bytes,
      0,
      this.settings.maxLastGood,
      { origin },
    );
  }

  /** `named`: what a warning names the entry by (its key, or the folder's origin). */
  private async read(
    redisKey: string,
    slot: string,
    named: { key: string } | { origin: string },
    key?: string,
  ): Promise<CompiledPolicies | undefined> {
    let bytes: Buffer | null;
    try {
      bytes = await this.bounded(this.redis.getBuffer(redisKey));
    } catch (error) {
      this.options.log.warn(
        { ...named, error: describe(error) },
        "compiled policy cache unreadable",
      );
      return undefined;
    }
    if (!bytes) return undefined;
    const decoded = decodeCompiled(bytes, slot, this.options.macKey, key);
    if (!decoded.ok) {
      this.options.log.warn(
        { ...named, problem: decoded.problem },
        "compiled policy cache entry ignored",
      );
      return undefined;
    }
    return decoded.policies;
  }

  private async write(
    redisKey: string,
    indexKey: string,
    bytes: Uint8Array,
    ttlMs: number,
    maxKept: number,
    named: { key: string } | { origin: string },
  ): Promise<void> {
    try {
      await this.bounded(
        this.redis.eval(
          PUT_SCRIPT,
          2,
          redisKey,
          indexKey,
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          ttlMs,
          Date.now(),
          maxKept,
        ),
      );
    } catch (error) {
      this.options.log.warn(
        { ...named, error: describe(error) },
        "compiled policy cache not written",
      );
    }
  }

  /** Nothing is left to flush: each write was awaited, and a lost one costs only a compile. */
  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private entryKey(key: string): string {
    return `${this.settings.prefix}:tollgate:compiled:${key}`;
  }

  private indexKey(): string {
    return `${this.settings.prefix}:tollgate:compiled-by-use`;
  }

  private lastGoodKey(slot: string): string {
    return `${this.settings.prefix}:tollgate:last-good:${slotName(slot)}`;
  }

  private lastGoodIndexKey(): string {
    return `${this.settings.prefix}:tollgate:last-good-by-write`;
  }

  private bounded<T>(operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.settings.timeoutMs} ms`)),
        this.settings.timeoutMs,
      );
    });
    return Promise.race([operation, deadline]).finally(() => clearTimeout(timer));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
