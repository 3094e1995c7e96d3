import type { CompiledPolicies } from "../compile.js";

/**
 * Compiled custom policies kept beyond this process, by content key (`policiesKey`). Neither
 * method throws: an entry that is missing, unreadable or not intact is a miss, and a failed write
 * is logged, so a cache problem costs a compile and never a check.
 */
export interface CompiledStore {
  get(key: string): Promise<CompiledPolicies | undefined>;
  put(policies: CompiledPolicies): Promise<void>;
  close?(): Promise<void>;
}

export interface CacheLog {
  warn(fields: object, message: string): void;
}
