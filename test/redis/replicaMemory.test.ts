// The settings one replica last read valid, kept in Redis and recalled by another: with several
// replicas, each must apply the same settings while GitHub cannot answer.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettingsFile } from "../../src/config/index.js";
import { InstallationSight, LastValidSettings, type GitHubApi } from "../../src/github/index.js";
import { RedisReplicaMemory } from "../../src/queue/index.js";
import { redisUnavailable, startRedis, type RedisServer } from "./redisServer.js";

const unavailable = redisUnavailable();

describe.skipIf(unavailable !== undefined)("RedisReplicaMemory on a real Redis", () => {
  let redis: RedisServer;
  const connections: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const connection of connections) connection.disconnect();
    await redis?.stop();
  });

  /** A replica's memory: its own connection, the deployment's prefix. */
  function replica() {
    const connection = new Redis(redis.url);
    connections.push(connection);
    const key = (...parts: string[]) => ["memory", "tollgate", ...parts].join(":");
    return { memory: new RedisReplicaMemory(connection, key), connection, key };
  }

  it("gives a fresh replica the settings file another last read valid, for a month", async () => {
    const [reading, fresh] = [replica(), replica()];
    const parsed = parseSettingsFile("fail_on: all\non_error: neutral\n", "acme/.github");
    if (!parsed.ok) throw new Error("the settings do not parse");
    const readAt = new Date("2026-11-28T05:00:00.000Z");
    await new LastValidSettings(10, reading.memory).remember(
      { owner: "Acme", repo: ".github" },
      parsed.parsed,
      readAt,
    );
    expect(
      await new LastValidSettings(10, fresh.memory).recall({ owner: "acme", repo: ".github" }),
    ).toEqual({ parsed: parsed.parsed, readAt });
    expect(await new LastValidSettings(10, fresh.memory).recall({ owner: "acme", repo: "x" })).toBe(
      undefined,
    );
    expect(
      await reading.connection.ttl(reading.key("remembered", "settings:acme/.github")),
    ).toBeGreaterThan(29 * 24 * 3600);
  });

  it("forgets a file another replica found deleted (404), though this one read it valid", async () => {
    const [reading, deleting] = [replica(), replica()];
    const parsed = parseSettingsFile("fail_on: all\n", "acme/.github");
    if (!parsed.ok) throw new Error("the settings do not parse");
    const repository = { owner: "acme", repo: "deleted" };
    const remembered = new LastValidSettings(10, reading.memory);
    await remembered.remember(repository, parsed.parsed, new Date("2026-11-28T05:00:00.000Z"));
    const deletedAt = new Date("2026-11-28T05:01:00.000Z");
    await new LastValidSettings(10, deleting.memory).remember(repository, null, deletedAt);
    expect(await remembered.recall(repository)).toEqual({ parsed: null, readAt: deletedAt });
  });

  it("has a replica whose clock runs behind make every other ask again whether .github is seen", async () => {
    const [here, behind] = [replica(), replica()];
    let selection = "selected";
    let asks = 0;
    const api = {
      rest: {
        apps: {
          listReposAccessibleToInstallation: async () => {
            asks += 1;
            return { data: { repository_selection: selection } };
          },
        },
        repos: {
          get: () => Promise.reject(Object.assign(new Error("Not Found"), { status: 404 })),
        },
      },
    } as unknown as GitHubApi;
    const now = Date.now();
    const sight = new InstallationSight(undefined, () => now, undefined, here.memory);
    const other = new InstallationSight(undefined, () => now - 3_600_000, undefined, behind.memory);
    expect(await sight.hidesOrganizationRepository(api, "acme")).toBe(true);
    expect(await sight.hidesOrganizationRepository(api, "acme")).toBe(true);
    expect(asks).toBe(1);
    selection = "all";
    await other.forget("acme");
    expect(await sight.hidesOrganizationRepository(api, "acme")).toBe(false);
    expect(asks).toBe(2);
  });
});
