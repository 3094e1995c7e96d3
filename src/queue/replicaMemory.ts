// What one replica learnt that every other must act on alike: the settings files each repository
// last served valid (`LastValidSettings`), applied while GitHub cannot answer. In process without
// REDIS_URL; in Redis with it, beside the queue, so a fresh replica, or one that never read a file,
// applies what another read instead of the built-in defaults.
import type { Redis } from "ioredis";
import { storedJson } from "./payload.js";

/** JSON values by name, each kept until replaced or for a bounded time; undefined when none is. */
export interface ReplicaMemory {
  remember(name: string, value: unknown): Promise<void>;
  recall(name: string): Promise<unknown>;
}

/**
 * How long a value outlives its last write: a repository whose file GitHub has not served for this
 * long is one whose settings no replica should guess at.
 */
const REMEMBERED_TTL_SECONDS = 30 * 24 * 3600;

/** The values every replica remembered, in the queue's Redis under its prefix. */
export class RedisReplicaMemory implements ReplicaMemory {
  constructor(
    private readonly redis: Redis,
    /** Names a key of the deployment's (`key("remembered", name)`). */
    private readonly key: (...parts: string[]) => string,
  ) {}

  async remember(name: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.redis.set(this.key("remembered", name), text, "EX", REMEMBERED_TTL_SECONDS);
  }

  async recall(name: string): Promise<unknown> {
    const text = await this.redis.get(this.key("remembered", name));
    return text === null ? undefined : storedJson(text);
  }
}
