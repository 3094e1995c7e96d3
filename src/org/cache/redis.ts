// Compiled custom policies in Redis (with REDIS_URL), shared by every replica: one string per
// content key holding the encoded entry (digest included), with a TTL renewed on use, and a sorted
// set of keys by last use that keeps at most `maxEntries` of them. A Redis that does not answer
// within `timeoutMs` is a miss, so a cache outage costs compiles, never checks.
import type { Redis } from "ioredis";
import { connectRedis } from "../../queue/index.js";
import type { CompiledPolicies } from "../compile.js";
import { decodeCompiled, encodeCompiled } from "./codec.js";
import type { CacheLog, CompiledStore } from "./types.js";

export interface RedisStoreOptions {
  redisUrl: string;
  /** Separates deployments (and tests) sharing one Redis, as the queue's prefix does. */
  prefix?: string;
  /** Entries kept (least recently used go first); default 128. */
  maxEntries?: number;
  /** A larger entry is not stored; default 8 MiB (about 1 MB for a 500-rule folder). */
  maxEntryBytes?: number;
  /** Since last use; default 7 days. */
  ttlMs?: number;
  /** Per command; default 2 s. */
  timeoutMs?: number;
  log: CacheLog;
}

/** Stores an entry, marks its use, and drops the least recently used beyond the bound. */
const PUT_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('DEL', unpack(oldest))
  redis.call('ZREM', KEYS[2], unpack(oldest))
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
`;

export class RedisCompiledStore implements CompiledStore {
  private readonly redis: Redis;
  private readonly settings: Required<Omit<RedisStoreOptions, "redisUrl" | "log">>;

  constructor(private readonly options: RedisStoreOptions) {
    this.settings = {
      prefix: options.prefix ?? "tollgate",
      maxEntries: options.maxEntries ?? 128,
      maxEntryBytes: options.maxEntryBytes ?? 8 * 1024 * 1024,
      ttlMs: options.ttlMs ?? 7 * 24 * 3600_000,
      timeoutMs: options.timeoutMs ?? 2000,
    };
    this.redis = connectRedis(options.redisUrl);
    this.redis.on("error", (error: Error) =>
      options.log.warn({ error: error.message }, "compiled policy cache: Redis connection error"),
    );
  }

  async get(key: string): Promise<CompiledPolicies | undefined> {
    const entryKey = this.entryKey(key);
    let bytes: Buffer | null;
    try {
      bytes = await this.bounded(this.redis.getBuffer(entryKey));
    } catch (error) {
      this.options.log.warn({ key, error: describe(error) }, "compiled policy cache unreadable");
      return undefined;
    }
    if (!bytes) return undefined;
    const decoded = decodeCompiled(bytes, key);
    if (!decoded.ok) {
      this.options.log.warn(
        { key, problem: decoded.problem },
        "compiled policy cache entry ignored",
      );
      return undefined;
    }
    const { ttlMs } = this.settings;
    await this.bounded(
      this.redis
        .multi()
        .pexpire(entryKey, ttlMs)
        .zadd(this.indexKey(), Date.now(), entryKey)
        .pexpire(this.indexKey(), ttlMs)
        .exec(),
    ).catch(() => undefined);
    return decoded.policies;
  }

  async put(policies: CompiledPolicies): Promise<void> {
    const bytes = encodeCompiled(policies);
    if (bytes.byteLength > this.settings.maxEntryBytes) return;
    const { ttlMs, maxEntries } = this.settings;
    try {
      await this.bounded(
        this.redis.eval(
          PUT_SCRIPT,
          2,
          this.entryKey(policies.key),
          this.indexKey(),
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          ttlMs,
          Date.now(),
          maxEntries,
        ),
      );
    } catch (error) {
      this.options.log.warn(
        { key: policies.key, error: describe(error) },
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
