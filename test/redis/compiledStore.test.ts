import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePolicies, RedisCompiledStore, type CompiledPolicies } from "../../src/org/index.js";
import { OWNER_TAG_RULE } from "../support/customRules.js";
import { freePort, redisUnavailable, startRedis, type RedisServer } from "./redisServer.js";

const unavailable = redisUnavailable();
const keyOf = (digit: string) => "sha256:" + digit.repeat(64);

describe.skipIf(unavailable !== undefined)("RedisCompiledStore on a real Redis", () => {
  let redis: RedisServer;
  let raw: Redis;
  let compiled: CompiledPolicies;
  const stores: RedisCompiledStore[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
    const outcome = await compilePolicies(keyOf("a"), "acme/.github:tollgate/policies", {
      sources: [{ path: "tollgate/policies/owner_tag.rego", text: OWNER_TAG_RULE }],
      bundles: [],
      errors: [],
    });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    compiled = outcome.policies;
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    raw?.disconnect();
    await redis?.stop();
  });

  /** A replica's store: its own connection, the test's Redis and a prefix of its own. */
  function replicas(count: number, options: { maxEntries?: number; maxEntryBytes?: number } = {}) {
    const prefix = `c${++prefixes}-${process.pid}`;
    const warnings: { fields: object; message: string }[] = [];
    const log = { warn: (fields: object, message: string) => warnings.push({ fields, message }) };
    const made = Array.from(
      { length: count },
      () => new RedisCompiledStore({ redisUrl: redis.url, prefix, log, ...options }),
    );
    stores.push(...made);
    return {
      stores: made,
      warnings,
      entryKey: (key: string) => `${prefix}:tollgate:compiled:${key}`,
    };
  }

  it("gives another replica what one stored, with a TTL", async () => {
    const {
      stores: [one, other],
      warnings,
      entryKey,
    } = replicas(2);
    expect(await other!.get(compiled.key)).toBeUndefined();
    await one!.put(compiled);
    expect(await other!.get(compiled.key)).toEqual(compiled);
    const ttl = await raw.pttl(entryKey(compiled.key));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600_000);
    expect(warnings).toEqual([]);
  });

  it("ignores and logs an entry whose bytes do not match their digest, or are not an entry", async () => {
    const {
      stores: [store],
      warnings,
      entryKey,
    } = replicas(1);
    await store!.put(compiled);
    const stored = (await raw.getBuffer(entryKey(compiled.key)))!;
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0x01;
    for (const [bytes, problem] of [
      [flipped, /digest/],
      [Buffer.from("planted"), /not a tollgate-compiled/],
    ] as const) {
      await raw.set(entryKey(compiled.key), bytes);
      warnings.length = 0;
      expect(await store!.get(compiled.key)).toBeUndefined();
      expect(warnings).toEqual([
        {
          fields: { key: compiled.key, problem: expect.stringMatching(problem) },
          message: "compiled policy cache entry ignored",
        },
      ]);
    }
  });

  it("keeps the most recently used entries within its bound, and none too large", async () => {
    const {
      stores: [store],
      entryKey,
    } = replicas(1, { maxEntries: 2 });
    const keys = ["1", "2", "3"].map(keyOf);
    await store!.put({ ...compiled, key: keys[0]! });
    await store!.put({ ...compiled, key: keys[1]! });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // A read makes the older one the more recently used.
    expect(await store!.get(keys[0]!)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store!.put({ ...compiled, key: keys[2]! });
    const present = await Promise.all(keys.map((key) => raw.exists(entryKey(key))));
    expect(present).toEqual([1, 0, 1]);

    const {
      stores: [small],
      entryKey: smallKey,
    } = replicas(1, { maxEntryBytes: 1000 });
    await small!.put(compiled);
    expect(await raw.exists(smallKey(compiled.key))).toBe(0);
  });

  it("is a miss, logged, when Redis does not answer", async () => {
    const warnings: unknown[] = [];
    const store = new RedisCompiledStore({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      timeoutMs: 200,
      log: { warn: (fields: object, message: string) => warnings.push({ fields, message }) },
    });
    stores.push(store);
    expect(await store.get(compiled.key)).toBeUndefined();
    await store.put(compiled);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: "compiled policy cache unreadable" }),
        expect.objectContaining({ message: "compiled policy cache not written" }),
      ]),
    );
  });
});
