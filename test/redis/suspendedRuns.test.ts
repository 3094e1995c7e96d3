// The runs a suspension left, noted in Redis by one replica and read by another: the replica that
// takes an unsuspension is seldom the one whose check GitHub refused.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSuspendedRuns, type SuspendedRun } from "../../src/queue/index.js";
import { redisUnavailable, startRedis, type RedisServer } from "./redisServer.js";

const unavailable = redisUnavailable();

const run = (checkRunId: number, owner = "acme"): SuspendedRun => ({
  owner,
  repo: "infra",
  pullNumber: 12,
  headSha: String(checkRunId % 10).repeat(40),
  baseSha: "b".repeat(40),
  checkRunId,
});
const ids = (runs: SuspendedRun[]) => runs.map((r) => r.checkRunId);

describe.skipIf(unavailable !== undefined)("RedisSuspendedRuns on a real Redis", () => {
  let redis: RedisServer;
  const connections: Redis[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const connection of connections) connection.disconnect();
    await redis?.stop();
  });

  /** Two replicas' stores: each its own connection, one prefix. */
  function replicas(maxPerOwner?: number) {
    const prefix = `suspended${++prefixes}`;
    const store = () => {
      const connection = new Redis(redis.url);
      connections.push(connection);
      const key = (...parts: string[]) => [prefix, "tollgate", ...parts].join(":");
      return { store: new RedisSuspendedRuns(connection, key, maxPerOwner), connection, key };
    };
    return [store(), store()] as const;
  }

  it("gives another replica the runs one noted, oldest first, until it forgets those it settled", async () => {
    const [noting, looking] = replicas();
    await noting.store.note(run(3));
    await noting.store.note(run(1, "ACME"));
    await noting.store.note(run(2, "other"));
    // Noted again (the job's last try, then its cancel): kept once, in its first place.
    await noting.store.note(run(3));
    expect(await looking.store.runsOf("Acme")).toEqual([run(3), run(1, "ACME")]);
    await looking.store.forget("acme", [3]);
    expect(ids(await noting.store.runsOf("acme"))).toEqual([1]);
    expect(ids(await noting.store.runsOf("other"))).toEqual([2]);
    // Kept a month past the last note, so an installation never unsuspended leaves nothing for good.
    expect(await noting.connection.ttl(noting.key("suspended", "acme"))).toBeGreaterThan(
      29 * 24 * 3600,
    );
  });

  it("keeps the newest runs per account past the bound, and skips a note it cannot read", async () => {
    const [first, second] = replicas(3);
    await Promise.all([1, 2, 3, 4, 5].map((id) => (id % 2 ? first : second).store.note(run(id))));
    expect(await first.store.runsOf("acme")).toHaveLength(3);
    await first.connection.hset(first.key("suspended", "acme"), "9", "{not json");
    await first.connection.zadd(first.key("suspended-order", "acme"), 0, "9");
    expect(await second.store.runsOf("acme")).toHaveLength(3);
    await second.store.forget("acme", [9, ...ids(await second.store.runsOf("acme"))]);
    expect(await first.store.runsOf("acme")).toEqual([]);
  });
});
