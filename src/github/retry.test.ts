import { generateKeyPairSync } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  boundRateLimitWaits,
  BoundedRetryOctokit,
  pausedInstallations,
  type RetryClock,
} from "./retry.js";

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
  it("retries a 502 with doubling backoff only while the 30 s deadline leaves room, then says so", async () => {
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
    expect(String(failure)).toContain("gave up after 5 attempts in 15 s");
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

const SECONDARY = {
  message:
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  documentation_url:
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
};

/** A client on the instant clock whose rate-limit warnings are kept, not printed. */
function rateLimitedClient(throttle: { enabled: boolean } = { enabled: false }) {
  const clock = instantClock();
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const api = new BoundedRetryOctokit({ auth: "token", retryClock: clock, throttle, log });
  return { api, clock, warnings };
}

describe("boundedRetry on rate limits", () => {
  it("waits as long as a secondary limit's retry-after asks, then sends the request again", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra/git/trees/abc")
      .query(true)
      .times(2)
      .reply(() => {
        attempts += 1;
        return attempts === 1 ? [403, SECONDARY, { "retry-after": "30" }] : [200, { tree: [] }];
      });
    // Throttling on, as in the server: its own retry of the limit would not go through the clock.
    const { api, clock, warnings } = rateLimitedClient({ enabled: true });
    const { data } = await api.rest.git.getTree({
      owner: "acme",
      repo: "infra",
      tree_sha: "abc",
      recursive: "1",
    });
    expect(data).toEqual({ tree: [] });
    expect([attempts, clock.waits]).toEqual([2, [30_000]]);
    expect(warnings).toEqual([
      "GitHub rate limit on GET /repos/acme/infra/git/trees/abc: waiting 30 s as it asks",
    ]);
  });

  it("waits a minute on a secondary limit naming no wait, doubles it, and gives up past its budget", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra/git/blobs/abc")
      .times(5)
      .reply(() => {
        attempts += 1;
        return [403, SECONDARY];
      });
    const { api, clock } = rateLimitedClient();
    const failure: unknown = await api.rest.git
      .getBlob({ owner: "acme", repo: "infra", file_sha: "abc" })
      .catch((e: unknown) => e);
    // A minute, then the second wait (2 minutes) would pass the 2-minute budget: not begun.
    expect([attempts, clock.waits]).toEqual([2, [60_000]]);
    expect(failure).toMatchObject({ status: 403 });
    expect(String(failure)).toContain(
      "GitHub's rate limit asks to wait 120 s more, after waiting 60 s already: past the 120 s a request waits on rate limits",
    );
  });

  it("does not wait for an exhausted quota's reset an hour away, and fails at once saying so", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra/pulls/12/files")
      .query(true)
      .reply(() => {
        attempts += 1;
        const reset = String(Math.ceil(Date.now() / 1000) + 3600);
        return [
          403,
          { message: "API rate limit exceeded for installation ID 42." },
          { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
        ];
      });
    const { api, clock } = rateLimitedClient();
    const failure: unknown = await api.rest.pulls
      .listFiles({ owner: "acme", repo: "infra", pull_number: 12 })
      .catch((e: unknown) => e);
    expect([attempts, clock.waits]).toEqual([1, []]);
    expect(failure).toMatchObject({ status: 403 });
    expect(String(failure)).toMatch(/rate limit asks to wait 3\d\d\d s more: past the 120 s/);
  });

  it("stops waiting on a rate limit at once when the caller aborts (the wall clock here)", async () => {
    nock(GITHUB).get("/repos/acme/infra").reply(403, SECONDARY, { "retry-after": "60" });
    const stop = new AbortController();
    // Aborted once the 60 s wait has begun (its warning is logged just before), not at a fixed
    // time, which under load could fall while the request is still in flight.
    const api = new BoundedRetryOctokit({
      auth: "token",
      throttle: { enabled: false },
      log: {
        debug() {},
        info() {},
        warn: () => setTimeout(() => stop.abort(new Error("superseded")), 20),
        error() {},
      },
    });
    const started = Date.now();
    const waiting = api.rest.repos.get({
      owner: "acme",
      repo: "infra",
      request: { signal: stop.signal },
    });
    await expect(waiting).rejects.toThrow("superseded");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("holds an installation's other requests until the wait GitHub asked of one, instead of each being refused", async () => {
    nock(GITHUB)
      .post("/app/installations/42/access_tokens")
      .times(4)
      .reply(201, { token: "t", expires_at: "2099-01-01T00:00:00Z" });
    nock(GITHUB).get("/repos/acme/infra").reply(403, SECONDARY, { "retry-after": "30" });
    let otherRequests = 0;
    nock(GITHUB)
      .get("/repos/acme/web")
      .times(2)
      .reply(() => {
        otherRequests += 1;
        return [200, { name: "web" }];
      });
    nock(GITHUB).get("/repos/acme/infra").reply(200, { name: "infra" });
    // Time moves only when the test says: the first request's wait holds while the second starts.
    let now = 0;
    const sleeps: { ms: number; done: () => void }[] = [];
    const clock: RetryClock = {
      now: () => now,
      sleep: (ms) => new Promise<void>((done) => sleeps.push({ ms, done })),
    };
    // Two clients of one installation, as two jobs' webhooks get.
    const client = () =>
      new BoundedRetryOctokit({
        auth: { appId: 1, privateKey, installationId: 42 },
        retryClock: clock,
        throttle: { enabled: false },
        log: { debug() {}, info() {}, warn() {}, error() {} },
      });
    const first = client().rest.repos.get({ owner: "acme", repo: "infra" });
    while (sleeps.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = client().rest.repos.get({ owner: "acme", repo: "web" });
    while (sleeps.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect([sleeps.map((sleep) => sleep.ms), otherRequests]).toEqual([[30_000, 30_000], 0]);
    now = 30_000;
    for (const sleep of sleeps) sleep.done();
    expect((await first).data).toEqual({ name: "infra" });
    expect((await second).data).toEqual({ name: "web" });
    expect(otherRequests).toBe(1);
  });

  it("does not hold a request of another replica, which is refused once itself and waits as GitHub asks", async () => {
    nock(GITHUB)
      .post("/app/installations/42/access_tokens")
      .times(4)
      .reply(201, { token: "t", expires_at: "2099-01-01T00:00:00Z" });
    const refused: string[] = [];
    const answered: string[] = [];
    for (const repo of ["infra", "web"]) {
      nock(GITHUB)
        .get(`/repos/acme/${repo}`)
        .reply(() => {
          refused.push(repo);
          return [403, SECONDARY, { "retry-after": "30" }];
        });
      nock(GITHUB)
        .get(`/repos/acme/${repo}`)
        .reply(() => {
          answered.push(repo);
          return [200, { name: repo }];
        });
    }
    // A clock per process, as each replica has its own: the pause is kept per process.
    const client = (clock: RetryClock) =>
      new BoundedRetryOctokit({
        auth: { appId: 1, privateKey, installationId: 42 },
        retryClock: clock,
        throttle: { enabled: false },
        log: { debug() {}, info() {}, warn() {}, error() {} },
      });
    const [first, second] = [instantClock(), instantClock()];
    await client(first).rest.repos.get({ owner: "acme", repo: "infra" });
    expect(pausedInstallations(second)).toEqual([]);
    expect((await client(second).rest.repos.get({ owner: "acme", repo: "web" })).data).toEqual({
      name: "web",
    });
    // Nothing lost: one more refusal, then the same wait GitHub asked of the first replica.
    expect([refused, answered, first.waits, second.waits]).toEqual([
      ["infra", "web"],
      ["infra", "web"],
      [30_000],
      [30_000],
    ]);
  });

  it("forgets an installation's pause once it has passed, on the next request of any installation", async () => {
    nock(GITHUB)
      .post(/\/app\/installations\/(42|43)\/access_tokens/)
      .times(3)
      .reply(201, { token: "t", expires_at: "2099-01-01T00:00:00Z" });
    nock(GITHUB).get("/repos/acme/infra").reply(403, SECONDARY, { "retry-after": "30" });
    nock(GITHUB).get("/repos/acme/infra").reply(200, { name: "infra" });
    nock(GITHUB).get("/repos/beta/web").reply(200, { name: "web" });
    // Time moves only when the test says: the wait asked of installation 42 is still ahead.
    let now = 0;
    const clock: RetryClock = { now: () => now, sleep: async () => undefined };
    const client = (installationId: number) =>
      new BoundedRetryOctokit({
        auth: { appId: 1, privateKey, installationId },
        retryClock: clock,
        throttle: { enabled: false },
        log: { debug() {}, info() {}, warn() {}, error() {} },
      });
    await client(42).rest.repos.get({ owner: "acme", repo: "infra" });
    expect(pausedInstallations(clock)).toEqual(["42"]);
    now = 30_001;
    await client(43).rest.repos.get({ owner: "beta", repo: "web" });
    expect(pausedInstallations(clock)).toEqual([]);
  });

  it("fails a request at once, saying so, when a wait would end past its scan's rate-limit time", async () => {
    const limited = () => [403, SECONDARY, { "retry-after": "50" }] as const;
    nock(GITHUB)
      .get("/repos/acme/infra")
      .times(2)
      .reply(...limited());
    nock(GITHUB).get("/repos/acme/infra").reply(200, { name: "infra" });
    nock(GITHUB)
      .get("/repos/acme/infra")
      .reply(...limited());
    const { api, clock } = rateLimitedClient();
    const scan = new AbortController();
    boundRateLimitWaits(scan.signal, 120_000);
    const get = () =>
      api.rest.repos
        .get({ owner: "acme", repo: "infra", request: { signal: scan.signal } })
        .catch((e: unknown) => e);
    // One request waits 50 s and is refused again (waits 50 s more): 100 s of the scan's 120.
    expect(await get()).toMatchObject({ data: { name: "infra" } });
    expect(clock.waits).toEqual([50_000, 50_000]);
    const failure = await get();
    expect(clock.waits).toEqual([50_000, 50_000]);
    expect(failure).toMatchObject({ status: 403 });
    expect(String(failure)).toContain(
      "GitHub's rate limit asks to wait 50 s more: past the 120 s the scan may wait on rate limits",
    );
  });

  it("takes a 403 that is no rate limit (a missing permission) as final", async () => {
    let attempts = 0;
    nock(GITHUB)
      .get("/repos/acme/infra")
      .times(3)
      .reply(() => {
        attempts += 1;
        return [403, { message: "Resource not accessible by integration" }];
      });
    const { api, clock } = rateLimitedClient();
    await expect(api.rest.repos.get({ owner: "acme", repo: "infra" })).rejects.toMatchObject({
      status: 403,
    });
    expect([attempts, clock.waits]).toEqual([1, []]);
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
  // Real sockets, but only the attempt timeout is real time; backoff runs on the instant clock. At
  // 50 ms a loaded machine aborted an attempt before the server had counted its request (4 of 5).
  const attemptTimeouts = { requestMs: 250, graphqlMs: 250 };

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
        retryBudget: { totalMs: 2000 },
        attemptTimeouts,
      });
      const failure: unknown = await api
        .graphql("query { viewer { login } }")
        .catch((e: unknown) => e);
      // Attempts at 0 and 1 s of the budget; a third would start at 3 s, past its 2 s.
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

/**
 * A GitHub reached through `fetch` that never answers: each call is noted and waits until its
 * signal aborts. No sockets, so fake timers decide every time below and figures are exact.
 */
function silentFetch(answer?: (method: string, path: string) => Response | undefined) {
  const sent: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = `${init?.method ?? "GET"} ${new URL(input instanceof Request ? input.url : input).pathname}`;
    sent.push(request);
    const [method = "", path = ""] = request.split(" ");
    const answered = answer?.(method, path);
    if (answered) return Promise.resolve(answered);
    return new Promise((_resolve, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true }),
    );
  };
  return { sent, fetch };
}

/** Runs timers until `work` settles; the virtual milliseconds it took and how it ended. */
async function onFakeTime<T>(work: Promise<T>): Promise<{ ms: number; outcome: T | unknown }> {
  const started = Date.now();
  let outcome: { value: T | unknown } | undefined;
  void work.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { value: error }),
  );
  for (let step = 0; outcome === undefined; step++) {
    if (step > 100) throw new Error("the request never settled");
    await vi.advanceTimersToNextTimerAsync();
  }
  return { ms: Date.now() - started, outcome: outcome.value };
}

describe("boundedRetry's deadline per request", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const fakeTime = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });

  it("gives a GitHub that never answers 30 s: a timed-out attempt, then one cut to the 9 s left", async () => {
    fakeTime();
    const github = silentFetch();
    const api = new BoundedRetryOctokit({
      auth: "token",
      request: { fetch: github.fetch },
      throttle: { enabled: false },
    });
    const { ms, outcome } = await onFakeTime(api.rest.repos.get({ owner: "acme", repo: "infra" }));
    // Counted from the first failure, the budget allowed attempts at 0, 21 and 43 s: 63 s in all.
    expect(ms).toBe(30_000);
    expect(github.sent).toEqual(["GET /repos/acme/infra", "GET /repos/acme/infra"]);
    expect(outcome).toMatchObject({ status: 500 });
    expect(String(outcome)).toContain("no complete answer within 9 s");
    expect(String(outcome)).toContain("gave up after 2 attempts in 30 s");
  });

  it("counts from the token request a first attempt waited on, and cuts a retry waiting for one", async () => {
    fakeTime();
    const github = silentFetch();
    const api = new BoundedRetryOctokit({
      auth: {
        appId: 1,
        installationId: 7001,
        createJwt: async () => ({ jwt: "app-jwt", expiresAt: "2099-01-01T00:00:00Z" }),
      },
      request: { fetch: github.fetch },
      throttle: { enabled: false },
    });
    const { ms, outcome } = await onFakeTime(
      api.rest.checks.create({ owner: "acme", repo: "infra", name: "Tollgate", head_sha: "a" }),
    );
    expect(ms).toBe(30_000);
    expect(github.sent).toEqual([
      "POST /app/installations/7001/access_tokens",
      "POST /app/installations/7001/access_tokens",
    ]);
    expect(outcome).toMatchObject({ status: 500 });
    // Never sent: the message names its route, waiting for a token.
    expect(String(outcome)).toContain("POST /repos/{owner}/{repo}/check-runs timed out");
  });

  it("lets a first GraphQL attempt use its whole 60 s, the last one as it ends past the deadline", async () => {
    fakeTime();
    const github = silentFetch();
    const api = new BoundedRetryOctokit({
      auth: "token",
      request: { fetch: github.fetch },
      throttle: { enabled: false },
    });
    const { ms, outcome } = await onFakeTime(api.graphql("query { viewer { login } }"));
    expect(ms).toBe(60_000);
    expect(github.sent).toEqual(["POST /graphql"]);
    expect(String(outcome)).toContain("no complete answer within 60 s");
  });

  it("starts no retry with less than 5 s left: a 502 after 26 s is not tried again", async () => {
    fakeTime();
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 26_000));
      return Response.json({ message: "Bad Gateway" }, { status: 502 });
    };
    const api = new BoundedRetryOctokit({
      auth: "token",
      request: { fetch },
      throttle: { enabled: false },
    });
    const { ms, outcome } = await onFakeTime(api.rest.repos.get({ owner: "acme", repo: "infra" }));
    expect(calls).toBe(1);
    expect(ms).toBe(26_000);
    expect(outcome).toMatchObject({ status: 502 });
  });
});

describe("boundedRetry's look before retrying a write", () => {
  const created = () => Response.json({ message: "Bad Gateway" }, { status: 502 });

  it("ends the request with what the look finds, writing once", async () => {
    const github = silentFetch(created);
    const looks: AbortSignal[] = [];
    const api = new BoundedRetryOctokit({
      auth: "token",
      request: { fetch: github.fetch },
      retryClock: instantClock(),
      throttle: { enabled: false },
    });
    const { data } = await api.rest.checks.create({
      owner: "acme",
      repo: "infra",
      name: "Tollgate",
      head_sha: "a",
      request: {
        recover: async (signal: AbortSignal) => {
          looks.push(signal);
          return { status: 200, url: "", headers: {}, data: { id: 501 } };
        },
      },
    });
    expect(data).toEqual({ id: 501 });
    expect(github.sent).toEqual(["POST /repos/acme/infra/check-runs"]);
    expect(looks).toHaveLength(1);
  });

  it("retries the write when the look finds nothing or fails, within the same deadline", async () => {
    const github = silentFetch(created);
    let looks = 0;
    const clock = instantClock();
    const api = new BoundedRetryOctokit({
      auth: "token",
      request: { fetch: github.fetch },
      retryClock: clock,
      throttle: { enabled: false },
    });
    const failure: unknown = await api.rest.checks
      .create({
        owner: "acme",
        repo: "infra",
        name: "Tollgate",
        head_sha: "a",
        request: {
          recover: async () => {
            looks += 1;
            if (looks % 2 === 0) throw new Error("GitHub is down");
            return undefined;
          },
        },
      })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 502 });
    expect(github.sent.length).toBe(5);
    expect(looks).toBe(4);
    expect(clock.waits).toEqual([1000, 2000, 4000, 8000]);
  });
});
