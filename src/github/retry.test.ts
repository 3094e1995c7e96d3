import { generateKeyPairSync } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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

/** A local GitHub that accepts each request and answers only after `answerAfterMs`, if ever. */
async function slowGitHub(answerAfterMs: number | "never") {
  let attempts = 0;
  const held = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    attempts += 1;
    held.add(response);
    if (answerAfterMs !== "never")
      request.resume().on("end", () =>
        setTimeout(() => {
          held.delete(response);
          response.writeHead(200, { "content-type": "application/json" }).end('{"name":"infra"}');
        }, answerAfterMs),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    attempts: () => attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("boundedRetry's timeout per attempt", () => {
  // Real sockets, but only the attempt timeout is real time (50 ms); backoff runs on the instant clock.
  const attemptTimeouts = { requestMs: 50, graphqlMs: 50 };

  it("aborts each attempt a silent GitHub never answers, retries within the budget, then says it timed out", async () => {
    const github = await slowGitHub("never");
    try {
      const clock = instantClock();
      const api = new BoundedRetryOctokit({
        auth: "token",
        baseUrl: github.baseUrl,
        retryClock: clock,
        attemptTimeouts,
      });
      const failure: unknown = await api.rest.repos
        .get({ owner: "acme", repo: "infra" })
        .catch((e: unknown) => e);
      expect(github.attempts()).toBe(5);
      expect(clock.waits).toEqual([1000, 2000, 4000, 8000]);
      expect(failure).toMatchObject({ status: 500 });
      expect(String(failure)).toContain("GET /repos/acme/infra timed out");
      expect(String(failure)).toContain("gave up after 5 attempts");
    } finally {
      await github.close();
    }
  });

  it("times out an answer later than the attempt's deadline, GraphQL included", async () => {
    const github = await slowGitHub(500);
    try {
      const api = new BoundedRetryOctokit({
        auth: "token",
        baseUrl: github.baseUrl,
        retryClock: instantClock(),
        retryBudget: { totalMs: 1000 },
        attemptTimeouts,
      });
      const failure: unknown = await api
        .graphql("query { viewer { login } }")
        .catch((e: unknown) => e);
      // Attempts at 0 and 1 s of the budget; a third would start at 3 s, past its 1 s.
      expect(github.attempts()).toBe(2);
      expect(String(failure)).toContain("POST /graphql timed out");
    } finally {
      await github.close();
    }
  });

  it("starts an attempt's clock when it is sent, not while throttling holds it back", async () => {
    const github = await slowGitHub(0);
    try {
      // Throttling (on, as in the server) sends writes 1 s apart: the third waits 2 s in its queue,
      // which a deadline armed at the hook rather than at fetch would count against its 300 ms.
      const api = new BoundedRetryOctokit({
        auth: "token",
        baseUrl: github.baseUrl,
        retryClock: instantClock(),
        attemptTimeouts: { requestMs: 300, graphqlMs: 300 },
      });
      const updates = await Promise.all(
        [1, 2, 3].map((check_run_id) =>
          api.rest.checks.update({
            owner: "acme",
            repo: "infra",
            check_run_id,
            status: "completed",
          }),
        ),
      );
      expect(updates.map(({ data }) => data)).toEqual(Array(3).fill({ name: "infra" }));
      expect(github.attempts()).toBe(3);
    } finally {
      await github.close();
    }
  });
});
