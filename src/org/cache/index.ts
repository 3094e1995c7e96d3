// Compiled custom policies kept beyond the process, so a restart or a new replica does not
// recompile what an earlier one did, and keeps enforcing a folder's last good version while its
// newest does not compile: in Redis when REDIS_URL is set (shared by every replica), otherwise in
// TOLLGATE_CACHE_DIR when set, otherwise nowhere (there is no default folder: a shared temporary
// one could lose or replace entries). Entries are keyed by `policiesKey`, which names the compiler,
// or by folder, and authenticated when read (trust.ts): the app runs only what it wrote itself.
import type { KeyObject } from "node:crypto";
import { DiskCompiledStore } from "./disk.js";
import { RedisCompiledStore } from "./redis.js";
import type { CacheLog, CompiledStore } from "./types.js";

export { decodeCompiled, encodeCompiled, type DecodedPolicies } from "./codec.js";
export { DiskCompiledStore, type DiskStoreOptions } from "./disk.js";
export { RedisCompiledStore, type RedisStoreOptions } from "./redis.js";
export { cacheKeyOf, cacheKeyOfApp, type AppSecrets } from "./trust.js";
export { compiledSlot, lastGoodSlot, type CacheLog, type CompiledStore } from "./types.js";

export function openCompiledStore(
  where: { redisUrl?: string | undefined; cacheDir?: string | undefined },
  macKey: KeyObject,
  log: CacheLog,
): CompiledStore | undefined {
  if (where.redisUrl) return new RedisCompiledStore({ redisUrl: where.redisUrl, macKey, log });
  if (where.cacheDir) return new DiskCompiledStore({ dir: where.cacheDir, macKey, log });
  return undefined;
}
