import { createHash, randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cacheKeyOf,
  compilePolicies,
  OrgPolicies,
  RedisCompiledStore,
  type CompiledPolicies,
} from "../../src/org/index.js";
import { compiledSlot, encodeCompiled, lastGoodSlot } from "../../src/org/cache/index.js";
import { FakeGitHub } from "../app/fakeGitHub.js";
import { OWNER_TAG_RULE } from "../support/customRules.js";
import { freePort, redisUnavailable, startRedis, type RedisServer } from "./redisServer.js";

const unavailable = redisUnavailable();
const keyOf = (digit: string) => "sha256:" + digit.repeat(64);
/** The replicas' key, and the one of a writer of Redis who does not have the App's secrets. */
const macKey = cacheKeyOf(randomBytes(32));
const plantersKey = cacheKeyOf(randomBytes(32));

/** What follows an entry's format and MAC lines. */
function withoutMacLine(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes);
  return buffer.subarray(buffer.indexOf("\n", buffer.indexOf("\n") + 1) + 1);
}

/** An entry as Tollgate wrote them before entries had a MAC: a sha256 digest line instead. */
function unauthenticatedEntry(policies: CompiledPolicies): Buffer {
  const payload = withoutMacLine(encodeCompiled(policies, compiledSlot(policies.key), macKey));
  const digest = "sha256:" + createHash("sha256").update(payload).digest("hex") + "\n";
  return Buffer.concat([Buffer.from("tollgate-compiled/1\n"), Buffer.from(digest), payload]);
}

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
  function replicas(
    count: number,
    options: { maxEntries?: number; maxEntryBytes?: number; maxLastGood?: number } = {},
  ) {
    const prefix = `c${++prefixes}-${process.pid}`;
    const warnings: { fields: object; message: string }[] = [];
    const log = { warn: (fields: object, message: string) => warnings.push({ fields, message }) };
    const made = Array.from(
      { length: count },
      () => new RedisCompiledStore({ redisUrl: redis.url, prefix, macKey, log, ...options }),
    );
    stores.push(...made);
    return {
      stores: made,
      warnings,
      entryKey: (key: string) => `${prefix}:tollgate:compiled:${key}`,
      lastGoodKey: (origin: string) =>
        `${prefix}:tollgate:last-good:${createHash("sha256").update(lastGoodSlot(origin)).digest("hex")}`,
      /** Another process on the same Redis and prefix, as after a restart. */
      restart: (key = macKey) => {
        const store = new RedisCompiledStore({ redisUrl: redis.url, prefix, macKey: key, log });
        stores.push(store);
        return store;
      },
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

  it("runs no entry it did not write: planted, altered, damaged or old-format ones are misses until rewritten", async () => {
    const {
      stores: [store],
      warnings,
      entryKey,
    } = replicas(1);
    await store!.put(compiled);
    const stored = (await raw.getBuffer(entryKey(compiled.key)))!;
    // A bundle that finds nothing: what a writer of Redis would want the gate to run.
    const findsNothing = { ...compiled, rules: [] };
    const lines = stored.subarray(0, stored.byteLength - withoutMacLine(stored).byteLength);
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0x01;
    for (const [bytes, problem] of [
      [flipped, /MAC does not verify/],
      [Buffer.from("planted"), /not a tollgate-compiled/],
      [
        encodeCompiled(findsNothing, compiledSlot(compiled.key), plantersKey),
        /MAC does not verify/,
      ],
      [
        Buffer.concat([
          lines,
          withoutMacLine(encodeCompiled(findsNothing, compiledSlot(compiled.key), macKey)),
        ]),
        /MAC does not verify/,
      ],
      [unauthenticatedEntry(compiled), /earlier Tollgate/],
    ] as const) {
      await raw.set(entryKey(compiled.key), Buffer.from(bytes));
      warnings.length = 0;
      expect(await store!.get(compiled.key)).toBeUndefined();
      expect(warnings).toEqual([
        {
          fields: { key: compiled.key, problem: expect.stringMatching(problem) },
          message: "compiled policy cache entry ignored",
        },
      ]);
      // The compile that follows the miss writes it again.
      await store!.put(compiled);
      expect(await store!.get(compiled.key)).toEqual(compiled);
    }
  });

  it("keeps a folder's last good version without a TTL, within its bound, for this key only", async () => {
    const origins = ["acme/.github:a", "acme/.github:b", "acme/.github:c"];
    const {
      stores: [store],
      warnings,
      lastGoodKey,
      restart,
    } = replicas(1, { maxLastGood: 2 });
    for (const origin of origins) await store!.putLastGood(origin, compiled);
    expect(await Promise.all(origins.map((o) => raw.exists(lastGoodKey(o))))).toEqual([0, 1, 1]);
    expect(await raw.pttl(lastGoodKey(origins[2]!))).toBe(-1);
    expect(await restart().getLastGood(origins[2]!)).toEqual(compiled);
    expect(warnings).toEqual([]);

    expect(await restart(plantersKey).getLastGood(origins[2]!)).toBeUndefined();
    // Another folder's last good version, copied under this one's name.
    await raw.copy(lastGoodKey(origins[1]!), lastGoodKey(origins[2]!), "REPLACE");
    expect(await restart().getLastGood(origins[2]!)).toBeUndefined();
    expect(warnings).toEqual([
      {
        fields: { origin: origins[2], problem: expect.stringMatching(/MAC does not verify/) },
        message: "compiled policy cache entry ignored",
      },
      {
        fields: { origin: origins[2], problem: expect.stringMatching(/MAC does not verify/) },
        message: "compiled policy cache entry ignored",
      },
    ]);
  });

  it("lets a restarted replica keep the last good version while the newest does not compile", async () => {
    const GOOD = "a".repeat(40);
    const BROKEN = "c".repeat(40);
    const folder = "tollgate/policies";
    const github = new FakeGitHub({
      commits: {
        [GOOD]: { [`${folder}/owner.rego`]: OWNER_TAG_RULE },
        [BROKEN]: { [`${folder}/owner.rego`]: OWNER_TAG_RULE.replace("some r in", "some r in in") },
      },
      pullFiles: [],
    });
    const api = github.client(await github.start());
    try {
      const {
        stores: [store],
        warnings,
        restart,
      } = replicas(1);
      const organization = { owner: "acme", repo: ".github" };
      const good = await new OrgPolicies({ store: store! }).resolve(
        api,
        organization,
        folder,
        GOOD,
        [],
      );
      if (!good.outcome.ok) throw new Error(JSON.stringify(good.outcome.errors));

      const restarted = new OrgPolicies({ store: restart() });
      const broken = await restarted.resolve(api, organization, folder, BROKEN, []);
      expect(broken.outcome.ok).toBe(false);
      expect(broken.lastGood).toEqual(good.outcome.policies);
      expect(warnings).toEqual([]);

      const planted = new OrgPolicies({ store: restart(plantersKey) });
      expect(
        (await planted.resolve(api, organization, folder, BROKEN, [])).lastGood,
      ).toBeUndefined();
      expect(warnings).toHaveLength(1);
    } finally {
      await github.stop();
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
      macKey,
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
