import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { BoundedRetryOctokit, type RetryClock } from "./retry.js";

const GITHUB = "https://api.github.com";

/** A clock whose sleeps take no time, noting each wait: counts and waits are exact on any machine. */
function instantClock(): RetryClock & { waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

const privateKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

afterEach(() => {
  nock.cleanAll();
});

describe("boundedRetry", () => {
  it("retries a 502 with doubling backoff only while the 30 s budget lasts, then says so", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra")
      .times(20)
      .reply(() => {
        attempts += 1;
        return [502, { message: "Bad Gateway" }];
      });
    const clock = instantClock();
    const api = new BoundedRetryOctokit({
      auth: "token",
      retryClock: clock,
      throttle: { enabled: false },
    });
    const failure = await api.rest.repos.get({ owner: "acme", repo: "infra" }).catch((e) => e);
    expect(attempts).toBe(5);
    expect(clock.waits).toEqual([1000, 2000, 4000, 8000]);
    expect(failure).toMatchObject({ status: 502 });
    expect(String(failure)).toContain("gave up after 5 attempts, 15 s of retries");
  });

  it("does not retry what GitHub refuses for good (4xx)", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra")
      .times(5)
      .reply(() => {
        attempts += 1;
        return [404, { message: "Not Found" }];
      });
    const api = new BoundedRetryOctokit({
      auth: "token",
      retryClock: instantClock(),
      throttle: { enabled: false },
    });
    await expect(api.rest.repos.get({ owner: "acme", repo: "infra" })).rejects.toMatchObject({
      status: 404,
    });
    expect(attempts).toBe(1);
  });

  it("tries the installation token once per attempt of the request it authenticates, not nested", async () => {
    let tokenAttempts = 0;
    nock(GITHUB)
      .post("/app/installations/42/access_tokens")
      .times(50)
      .reply(() => {
        tokenAttempts += 1;
        return [502, { message: "Bad Gateway" }];
      });
    const api = new BoundedRetryOctokit({
      auth: { appId: 1, privateKey, installationId: 42 },
      retryClock: instantClock(),
      throttle: { enabled: false },
    });
    await expect(
      api.rest.checks.create({ owner: "acme", repo: "infra", name: "Tollgate", head_sha: "a" }),
    ).rejects.toMatchObject({ status: 502 });
    // Under plugin-retry each of the 4 attempts retried the token 4 times: 16 tries, minutes.
    expect(tokenAttempts).toBe(5);
  });

  it("retries a refused connection and succeeds once GitHub answers again", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra")
      .times(2)
      .reply(() => {
        attempts += 1;
        return [500, {}];
      })
      .get("/repos/acme/infra")
      .replyWithError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
      .get("/repos/acme/infra")
      .reply(() => {
        attempts += 1;
        return [200, { name: "infra" }];
      });
    const clock = instantClock();
    const api = new BoundedRetryOctokit({
      auth: "token",
      retryClock: clock,
      throttle: { enabled: false },
    });
    const { data } = await api.rest.repos.get({ owner: "acme", repo: "infra" });
    expect(data).toEqual({ name: "infra" });
    expect(attempts).toBe(3);
    expect(clock.waits).toEqual([1000, 2000, 4000]);
  });

  it("stops at once when the caller aborts (a newer push, a scan past its deadline)", async () => {
    nock(GITHUB).get("/repos/acme/infra").delay(10_000).reply(200, {}).persist();
    const clock = instantClock();
    const api = new BoundedRetryOctokit({
      auth: "token",
      retryClock: clock,
      throttle: { enabled: false },
    });
    const stop = new AbortController();
    const waiting = api.rest.repos.get({
      owner: "acme",
      repo: "infra",
      request: { signal: stop.signal },
    });
    setTimeout(() => stop.abort(new Error("superseded")), 10);
    await expect(waiting).rejects.toThrow();
    expect(clock.waits).toEqual([]);
  });
});
