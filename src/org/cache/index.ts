// Compiled custom policies kept beyond the process, so a restart or a new replica does not
// recompile what an earlier one did: in Redis when REDIS_URL is set (shared by every replica),
// otherwise in TOLLGATE_CACHE_DIR when set, otherwise nowhere (there is no default folder: a
// shared temporary one could hold planted entries). Entries are keyed by `policiesKey`, which
// names the compiler, and verified against their digest when read.
import { DiskCompiledStore } from "./disk.js";
import { RedisCompiledStore } from "./redis.js";
import type { CacheLog, CompiledStore } from "./types.js";

export { decodeCompiled, encodeCompiled, type DecodedPolicies } from "./codec.js";
export { DiskCompiledStore, type DiskStoreOptions } from "./disk.js";
export { RedisCompiledStore, type RedisStoreOptions } from "./redis.js";
export type { CacheLog, CompiledStore } from "./types.js";

export function openCompiledStore(
  where: { redisUrl?: string | undefined; cacheDir?: string | undefined },
  log: CacheLog,
): CompiledStore | undefined {
  if (where.redisUrl) return new RedisCompiledStore({ redisUrl: where.redisUrl, log });
  if (where.cacheDir) return new DiskCompiledStore({ dir: where.cacheDir, log });
  return undefined;
}
