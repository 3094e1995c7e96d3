// Check runs a suspension left in progress, noted by the replica whose completion GitHub refused and
// settled by whichever replica takes the installation's unsuspension. GitHub lists check runs per
// commit only, so these notes are the only way to find a run on a commit that heads no pull request
// now. In process without REDIS_URL; in Redis with it, beside the queue, since the unsuspension
// webhook may reach any replica and its look may run in any other, or after a restart.
import type { Redis } from "ioredis";
import { z } from "zod";
import { storedJson } from "./payload.js";

const suspendedRunSchema = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  pullNumber: z.number().int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{40}$/),
  baseSha: z.string().regex(/^[0-9a-f]{40}$/),
  checkRunId: z.number().int().positive(),
});

/** A run left in progress because GitHub refused its completion to a suspended installation. */
export type SuspendedRun = z.infer<typeof suspendedRunSchema>;

/**
 * The noted runs per account. A look reads them and forgets those it settled only once it has
 * ended: a look stopped or failed midway leaves them all for the next, and two looks at once (a
 * newer unsuspension while an older one still runs, in this replica or another) both see them.
 */
export interface SuspendedRunStore {
  note(run: SuspendedRun): Promise<void>;
  /** The runs noted for `owner` (any letter case), oldest first. */
  runsOf(owner: string): Promise<SuspendedRun[]>;
  forget(owner: string, checkRunIds: readonly number[]): Promise<void>;
}

/** Runs per account kept at most; the oldest are dropped first. */
export const MAX_SUSPENDED_RUNS = 1000;

/** The runs this process noted: what another replica (or a restart) noted is not known. */
export class InProcessSuspendedRuns implements SuspendedRunStore {
  private readonly byOwner = new Map<string, Map<number, SuspendedRun>>();

  constructor(private readonly maxPerOwner = MAX_SUSPENDED_RUNS) {}

  async note(run: SuspendedRun): Promise<void> {
    const owner = run.owner.toLowerCase();
    const runs = this.byOwner.get(owner) ?? new Map<number, SuspendedRun>();
    runs.set(run.checkRunId, run);
    for (const oldest of runs.keys()) {
      if (runs.size <= this.maxPerOwner) break;
      runs.delete(oldest);
    }
    this.byOwner.set(owner, runs);
  }

  async runsOf(owner: string): Promise<SuspendedRun[]> {
    return [...(this.byOwner.get(owner.toLowerCase())?.values() ?? [])];
  }

  async forget(owner: string, checkRunIds: readonly number[]): Promise<void> {
    const runs = this.byOwner.get(owner.toLowerCase());
    if (!runs) return;
    for (const id of checkRunIds) runs.delete(id);
    if (runs.size === 0) this.byOwner.delete(owner.toLowerCase());
  }
}

/**
 * Notes a run (a hash of runs by id, a sorted set for their order, kept on a re-note) and drops
 * the oldest past the bound, in one step so replicas noting at once keep the bound.
 */
const NOTE = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  local dropped = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
  redis.call('HDEL', KEYS[1], unpack(dropped))
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1`;

/**
 * How long an account's notes outlive its last one: an installation never unsuspended leaves
 * nothing behind for good, and GitHub gives up on a check run in progress well before.
 */
const SUSPENDED_RUNS_TTL_SECONDS = 30 * 24 * 3600;

/** The runs every replica noted, in the queue's Redis under its prefix. */
export class RedisSuspendedRuns implements SuspendedRunStore {
  constructor(
    private readonly redis: Redis,
    /** Names a key of the deployment's (`key("suspended", owner)`). */
    private readonly key: (...parts: string[]) => string,
    private readonly maxPerOwner = MAX_SUSPENDED_RUNS,
  ) {}

  async note(run: SuspendedRun): Promise<void> {
    const owner = run.owner.toLowerCase();
    await this.redis.eval(
      NOTE,
      2,
      this.key("suspended", owner),
      this.key("suspended-order", owner),
      String(run.checkRunId),
      JSON.stringify(suspendedRunSchema.parse(run)),
      String(Date.now()),
      String(this.maxPerOwner),
      String(SUSPENDED_RUNS_TTL_SECONDS),
    );
  }

  async runsOf(owner: string): Promise<SuspendedRun[]> {
    const lower = owner.toLowerCase();
    const ids: string[] = await this.redis.zrange(this.key("suspended-order", lower), "0", "-1");
    if (ids.length === 0) return [];
    const texts = await this.redis.hmget(this.key("suspended", lower), ...ids);
    return texts.flatMap((text) => {
      // Written by any replica's version: one that does not read as a run is skipped.
      const run = text === null ? undefined : suspendedRunSchema.safeParse(storedJson(text));
      return run?.success ? [run.data] : [];
    });
  }

  async forget(owner: string, checkRunIds: readonly number[]): Promise<void> {
    if (checkRunIds.length === 0) return;
    const lower = owner.toLowerCase();
    const ids = checkRunIds.map(String);
    await this.redis
      .multi()
      .hdel(this.key("suspended", lower), ...ids)
      .zrem(this.key("suspended-order", lower), ...ids)
      .exec();
  }
}
