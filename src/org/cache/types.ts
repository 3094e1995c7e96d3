import { createHash } from "node:crypto";
import { compilerVersion, type CompiledPolicies } from "../compile.js";

/**
 * Compiled custom policies kept beyond this process: by content key (`policiesKey`), and the last
 * version of each folder that compiled on its default branch. No method throws: an entry that is
 * missing, unreadable or not authentic is a miss, and a failed write is logged, so a cache problem
 * costs a compile (or the fallback to a last good version) and never a check.
 */
export interface CompiledStore {
  get(key: string): Promise<CompiledPolicies | undefined>;
  put(policies: CompiledPolicies): Promise<void>;
  /** The version of `origin`'s folder last kept as good, compiled by this Tollgate. */
  getLastGood(origin: string): Promise<CompiledPolicies | undefined>;
  putLastGood(origin: string, policies: CompiledPolicies): Promise<void>;
  close?(): Promise<void>;
}

export interface CacheLog {
  warn(fields: object, message: string): void;
}

/** Where a compiled version is kept; its entry's MAC is bound to it. */
export const compiledSlot = (key: string): string => `compiled:${key}`;

/**
 * Where a folder's last good version is kept. The compiler is part of it: an upgrade starts
 * without one, since an older build was compiled against other helpers and reserved rule ids.
 */
export const lastGoodSlot = (origin: string): string => `last-good:${compilerVersion()}:${origin}`;

/** A slot as a file or Redis key name: hex, whatever the origin holds. */
export const slotName = (slot: string): string => createHash("sha256").update(slot).digest("hex");
