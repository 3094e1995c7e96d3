import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QueueMetrics } from "../../src/ops/index.js";
import {
  BullQueue,
  type BullQueueOptions,
  type CheckJobPayload,
  type EnqueueOutcome,
} from "../../src/queue/index.js";
import {
  FakeChecks,
  headSha,
  jobFor,
  orgJobFor,
  payload,
  previewPayload,
  pushPayload,
  waitFor,
} from "./fakeChecks.js";
import { redisUnavailable, startRedis, type RedisServer } from "./redisServer.js";

const unavailable = redisUnavailable();

describe.skipIf(unavailable !== undefined)("BullQueue on a real Redis", () => {
  let redis: RedisServer;
  const queues: BullQueue[] = [];
  let prefixes = 0;
  let prefix = "";

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.drain({ timeoutMs: 1000 })));
  });

  /** A "replica": its own connections and worker, sharing the test's Redis and key prefix. */
  function replica(options: Partial<BullQueueOptions> = {}): BullQueue {
    const queue = new BullQueue({
      redisUrl: redis.url,
      prefix,
      lockMs: 1000,
      supersessionPollMs: 50,
      slotRetryMs: 20,
      backoffMs: 20,
      ...options,
    });
    queues.push(queue);
    return queue;
  }

  function freshPrefix() {
    prefix = `t${++prefixes}-${process.pid}`;
  }

  it("runs a burst of 200 deliveries with duplicates on two replicas: one completed check per head", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let releaseScans: () => void = () => undefined;
    const burstEnqueued = new Promise<void>((resolve) => (releaseScans = resolve));
    const runningByInstallation = new Map<number, number>();
    let mostAtOnce = 0;
    const scan = async (job: { installationId?: number }) => {
      const installation = job.installationId ?? 0;
      const now = (runningByInstallation.get(installation) ?? 0) + 1;
      runningByInstallation.set(installation, now);
      mostAtOnce = Math.max(mostAtOnce, now);
      await burstEnqueued;
      await new Promise((resolve) => setTimeout(resolve, 2));
      runningByInstallation.set(installation, (runningByInstallation.get(installation) ?? 1) - 1);
    };
    const replicas = [
      replica({ concurrency: 4, installationConcurrency: 2 }),
      replica({ concurrency: 4, installationConcurrency: 2 }),
    ];
    await replicas[0]?.start(checks.runtime("a", scan));
    await replicas[1]?.start(checks.runtime("b", scan));

    // 160 distinct deliveries for 50 pull requests (one head each, several events per head) in five
    // installations, then 40 redeliveries of ids already seen: 20% duplicates.
    const deliveries = Array.from({ length: 160 }, (_, i) =>
      payload((i % 50) + 1, 1, `delivery-${i}`, (i % 5) + 1),
    );
    for (let i = 0; i < 40; i++) deliveries.push({ ...deliveries[i * 4]!, acceptedAt: Date.now() });
    const outcomes = await Promise.all(
      deliveries.map((p, i) => replicas[i % 2]!.enqueue(jobFor(p))),
    );
    const tally = (outcome: EnqueueOutcome) => outcomes.filter((o) => o === outcome).length;
    expect([tally("queued"), tally("duplicate-head"), tally("duplicate-delivery")]).toEqual([
      50, 110, 40,
    ]);
    releaseScans();

    await waitFor(() => checks.completions.length >= 50, 30_000, "50 completed checks");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const heads = Array.from({ length: 50 }, (_, i) => headSha(i + 1, 1));
    expect(heads.map((sha) => checks.completionsOf(sha).length)).toEqual(heads.map(() => 1));
    expect(checks.completions.every((c) => c.conclusion === "success")).toBe(true);
    expect(checks.created).toHaveLength(50);
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    expect(await replicas[0]?.depth()).toEqual({ waiting: 0, running: 0, failed: 0 });
  });

  it("lets a newer push supersede running and queued work on another replica", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const holdHeadOne = async (p: { target: { headSha: string } }, signal: AbortSignal) => {
      if (p.target.headSha !== headSha(1, 1)) return;
      await new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
        void firstHeld.then(resolve);
      });
    };
    const worker = replica({ concurrency: 1 });
    const webhook = replica();
    await worker.start(checks.runtime("worker", holdHeadOne));

    expect(await webhook.enqueue(jobFor(payload(1, 1, "d1")))).toBe("queued");
    await waitFor(() => checks.created.length === 1, 10_000, "the first run to start");
    // Queued behind it on the single worker: a head of another pull request, then its newer head.
    expect(await webhook.enqueue(jobFor(payload(2, 1, "d2")))).toBe("queued");
    expect(await webhook.enqueue(jobFor(payload(2, 2, "d3")))).toBe("queued");
    // A newer push on the running pull request.
    expect(await webhook.enqueue(jobFor(payload(1, 2, "d4")))).toBe("queued");

    await waitFor(() => checks.completions.length >= 3, 15_000, "three completions");
    releaseFirst();
    expect(checks.completionsOf(headSha(1, 1))).toMatchObject([
      {
        conclusion: "cancelled",
        title: `Not scanned: superseded by a newer push (${headSha(1, 2).slice(0, 7)})`,
      },
    ]);
    expect(checks.completionsOf(headSha(1, 2))).toMatchObject([{ conclusion: "success" }]);
    expect(checks.completionsOf(headSha(2, 2))).toMatchObject([{ conclusion: "success" }]);
    // Dropped while queued: it never opened a check run, so none is left in progress.
    expect(checks.created.map((c) => c.headSha)).not.toContain(headSha(2, 1));
    expect(checks.open.size).toBe(0);
  });

  it("lets an old delivery of an older head check its commit without superseding the newest head", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let releaseNewest: () => void = () => undefined;
    const newestHeld = new Promise<void>((resolve) => (releaseNewest = resolve));
    const holdNewest = async (p: { target: { headSha: string } }, signal: AbortSignal) => {
      if (p.target.headSha !== headSha(1, 2)) return;
      await new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
        void newestHeld.then(resolve);
      });
    };
    const worker = replica({ concurrency: 2 });
    await worker.start(checks.runtime("worker", holdNewest));
    expect(await worker.enqueue(jobFor(payload(1, 2, "d1")))).toBe("queued");
    await waitFor(() => checks.created.length === 1, 10_000, "the newest head's run to start");
    const redelivered = { ...payload(1, 1, "d2"), notNewest: true as const };
    expect(await worker.enqueue(jobFor(redelivered))).toBe("queued");
    await waitFor(() => checks.completions.length >= 1, 15_000, "the older head's completion");
    // Past a supersession poll or two: the newest head's run is still going.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(checks.completionsOf(headSha(1, 2))).toEqual([]);
    releaseNewest();
    await waitFor(() => checks.completions.length >= 2, 15_000, "the newest head's completion");
    expect(checks.completionsOf(headSha(1, 1))).toMatchObject([{ conclusion: "success" }]);
    expect(checks.completionsOf(headSha(1, 2))).toMatchObject([{ conclusion: "success" }]);
    expect(checks.open.size).toBe(0);
  });

  it("queues the same head against a new base, and completes the run it supersedes", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const retargeted = "5".repeat(40);
    const holdOldBase = async (p: { target: { baseSha: string } }, signal: AbortSignal) => {
      if (p.target.baseSha === retargeted) return;
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true }),
      );
    };
    const worker = replica({ concurrency: 1 });
    await worker.start(checks.runtime("worker", holdOldBase));
    expect(await worker.enqueue(jobFor(payload(1, 1, "d1")))).toBe("queued");
    await waitFor(() => checks.created.length === 1, 10_000, "the first run to start");
    const edited = payload(1, 1, "d2");
    edited.target.baseSha = retargeted;
    expect(await worker.enqueue(jobFor(edited))).toBe("queued");
    expect(await worker.enqueue(jobFor({ ...edited, deliveryId: "d3" }))).toBe("duplicate-head");
    await waitFor(() => checks.completions.length >= 2, 15_000, "two completions");
    expect(checks.completionsOf(headSha(1, 1))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          conclusion: "cancelled",
          title:
            "Not scanned: superseded by a newer scan of this commit (the pull request's base changed)",
        }),
        expect.objectContaining({ conclusion: "success" }),
      ]),
    );
    expect(checks.open.size).toBe(0);
  });

  it("runs a check queued for changed settings again after one of the same head already running", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const scanned: CheckJobPayload[] = [];
    let abortSeen = false;
    let releaseFirst: () => void = () => undefined;
    const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));
    // The first scan, once aborted, stays active until released: the re-check waits behind it.
    const holdFirst = async (p: CheckJobPayload, signal: AbortSignal) => {
      scanned.push(p);
      if (p.settingsChanged) return;
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      abortSeen = true;
      await firstReleased;
    };
    const worker = replica({ concurrency: 1 });
    await worker.start(checks.runtime("worker", holdFirst));
    expect(await worker.enqueue(jobFor(payload(1, 1, "d1")))).toBe("queued");
    await waitFor(() => checks.created.length === 1, 10_000, "the first run to start");
    // A push to `.github` re-checks every open pull request while this one is mid-scan.
    const rechecked = { ...payload(1, 1, "d2"), settingsChanged: true as const };
    expect(await worker.enqueue(jobFor(rechecked))).toBe("queued");
    await waitFor(() => abortSeen, 10_000, "the running check to be superseded");
    // Another change while that re-check waits: it reads the newest settings when it starts.
    expect(await worker.enqueue(jobFor({ ...rechecked, deliveryId: "d3" }))).toBe("duplicate-head");
    expect(await worker.enqueue(jobFor(payload(1, 1, "d4")))).toBe("duplicate-head");
    releaseFirst();
    await waitFor(() => checks.completions.length >= 2, 15_000, "two completions");
    expect(checks.completionsOf(headSha(1, 1))).toMatchObject([
      {
        conclusion: "cancelled",
        title:
          "Not scanned: superseded by a newer scan of this commit (the settings or policies it is checked under changed)",
      },
      { conclusion: "success" },
    ]);
    expect(scanned.map((p) => p.deliveryId)).toEqual(["d1", "d2"]);
    expect(checks.open.size).toBe(0);
  });

  it("creates a check's run once its work is claimed, and un-claims the work when that fails", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const worker = replica({ concurrency: 1 });
    const opened: string[] = [];
    const openRun = (id: number | Error) => async (p: CheckJobPayload) => {
      opened.push(p.deliveryId);
      if (id instanceof Error) throw id;
      return { ...p, checkRunId: id };
    };
    const first = payload(1, 1, "d1");
    await expect(
      worker.enqueue(jobFor(first), { openRun: openRun(new Error("GitHub answered 502")) }),
    ).rejects.toThrow("GitHub answered 502");
    // GitHub's redelivery of it is queued, and an event of the same head is its duplicate.
    expect(await worker.enqueue(jobFor(first), { openRun: openRun(41) })).toBe("queued");
    expect(await worker.enqueue(jobFor(payload(1, 1, "d2")), { openRun: openRun(42) })).toBe(
      "duplicate-head",
    );
    expect(opened).toEqual(["d1", "d1"]);
    await worker.start(checks.runtime("worker"));
    await waitFor(() => checks.completions.length === 1, 10_000, "the check to complete");
    // The worker completed the run made at enqueue and created none.
    expect(checks.created).toEqual([]);
    expect(checks.completions).toMatchObject([{ checkRunId: 41, conclusion: "success" }]);
  });

  it("keeps one installation's backlog from starving another installation", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    // Installation 1's checks last until installation 2's has completed, however long enqueueing
    // and Redis take: its backlog may hold its one slot, but no worker, so that check must run and
    // complete first. (Timed 30 ms scans let a loaded machine finish five of installation 1's
    // checks before installation 2's was even enqueued.)
    let releaseBacklog: () => void = () => undefined;
    const backlogHeld = new Promise<void>((resolve) => (releaseBacklog = resolve));
    const queue = replica({ concurrency: 4, installationConcurrency: 1 });
    await queue.start(
      checks.runtime("a", async (job) => {
        if (job.installationId === 1) await backlogHeld;
      }),
    );
    // An org-wide re-run: ten pull requests of installation 1, then one of installation 2.
    for (let pull = 1; pull <= 10; pull++)
      await queue.enqueue(jobFor(payload(pull, 1, `org-${pull}`, 1)));
    await queue.enqueue(jobFor(payload(99, 1, "other", 2)));
    await waitFor(() => checks.completions.length > 0, 15_000, "installation 2's check");
    expect(checks.completions.map((c) => c.headSha)).toEqual([headSha(99, 1)]);
    // Installation 1 started one check: the other nine wait for its slot, not on a worker.
    expect(checks.created.filter((c) => c.headSha !== headSha(99, 1))).toHaveLength(1);
    releaseBacklog();
    await waitFor(() => checks.completions.length === 11, 15_000, "eleven completions");
    expect(checks.completions.every((c) => c.conclusion === "success")).toBe(true);
  });

  it("counts running jobs per installation across replicas and labels settled jobs by installation", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold = () => released;
    const metrics = new QueueMetrics();
    const accepting = replica({ takeWork: false });
    const workers = [
      replica({ concurrency: 2, installationConcurrency: 2, observer: metrics }),
      replica({ concurrency: 2, installationConcurrency: 2, observer: metrics }),
    ];
    await accepting.start(checks.runtime("accept"));
    for (const [index, worker] of workers.entries())
      await worker.start(checks.runtime(`w${index}`, hold));
    // Installation 7: two pull requests; installation 8: one. All three run at once on two replicas.
    for (const [pull, installation] of [
      [1, 7],
      [2, 7],
      [3, 8],
    ] as const)
      await accepting.enqueue(jobFor(payload(pull, 1, `d${pull}`, installation)));
    await waitFor(async () => (await accepting.depth()).running === 3, 15_000, "three running");
    // A job is active in BullMQ a moment before its worker takes the installation's slot.
    const slotsTaken = async () => {
      const { byInstallation } = await accepting.depthByInstallation();
      return [...byInstallation.values()].reduce((n, d) => n + d.running, 0) === 3;
    };
    await waitFor(slotsTaken, 15_000, "three slots taken");
    const busy = await accepting.depthByInstallation();
    expect(busy.countsWaiting).toBe(false);
    expect([...busy.byInstallation].sort()).toEqual([
      [7, { waiting: 0, running: 2 }],
      [8, { waiting: 0, running: 1 }],
    ]);
    release();
    await waitFor(() => checks.completions.length === 3, 15_000, "three completions");
    await waitFor(
      async () => (await accepting.depthByInstallation()).byInstallation.size === 0,
      15_000,
      "the slots to be released",
    );
    const text = metrics.render(await accepting.depth());
    expect(text).toContain(
      'tollgate_installation_jobs_settled_total{installation="7",outcome="completed"} 2\n',
    );
    expect(text).toContain(
      'tollgate_installation_jobs_settled_total{installation="8",outcome="completed"} 1\n',
    );
    expect(text).toContain('tollgate_installation_evaluation_seconds_count{installation="7"} 2\n');
  });

  it("retries a failing job with backoff, then completes its run saying what failed", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let attempts = 0;
    const told: string[] = [];
    const queue = replica({
      attempts: 3,
      onJobError: (job, error) => told.push(`${job.deliveryId}: ${String(error)}`),
    });
    await queue.start(
      checks.runtime("a", async () => {
        attempts += 1;
        throw new Error("GitHub answered 502");
      }),
    );
    await queue.enqueue(jobFor(payload(7, 1, "d1")));
    await waitFor(() => checks.completions.length === 1, 15_000, "the run to complete");
    expect(attempts).toBe(3);
    expect(checks.created).toHaveLength(1);
    expect(checks.completions[0]).toMatchObject({
      checkRunId: checks.created[0]?.checkRunId,
      conclusion: "cancelled",
      title: "Not scanned: the check failed 3 times, last with Error: GitHub answered 502",
    });
    expect(told).toEqual(["d1: Error: GitHub answered 502"]);
  });

  it("tells a retried job that an earlier attempt started, and a first attempt that none did", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let attempts = 0;
    const runtime = checks.runtime("a", async () => {
      if (++attempts === 1) throw new Error("GitHub answered 502");
    });
    const retried: boolean[] = [];
    const queue = replica({ attempts: 2 });
    await queue.start({
      ...runtime,
      revive: (payload, journal) => {
        retried.push(journal.retried);
        return runtime.revive(payload, journal);
      },
    });
    await queue.enqueue(jobFor(payload(8, 1, "d1")));
    await waitFor(() => checks.completions.length === 1, 15_000, "the run to complete");
    expect(retried).toEqual([false, true]);
  });

  it("tells about a job that failed for good when its run cannot be completed either", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const runtime = checks.runtime("a");
    const told: string[] = [];
    const queue = replica({
      attempts: 2,
      onJobError: (job, error) => told.push(`${job.deliveryId}: ${String(error)}`),
    });
    // GitHub unreachable: the check run is never created, and completing it fails too.
    await queue.start({
      ...runtime,
      revive: (payload, journal) => ({
        ...runtime.revive(payload, journal),
        run: async () => {
          throw new Error("connect ECONNREFUSED");
        },
        cancel: async () => {
          throw new Error("connect ECONNREFUSED");
        },
      }),
    });
    await queue.enqueue(jobFor(payload(7, 1, "d1")));
    await waitFor(async () => (await queue.depth()).failed === 1, 15_000, "the job to fail");
    expect(told).toEqual(["d1: Error: connect ECONNREFUSED", "d1: Error: connect ECONNREFUSED"]);
    expect(checks.created).toEqual([]);
    // GitHub's redelivery of d1 (the same delivery id) is work to do again, not a duplicate.
    expect(await queue.enqueue(jobFor(payload(7, 1, "d1")))).toBe("queued");
  });

  it("hands running jobs back on a drain that runs out of time; another replica completes the same run and its twins", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    checks.creationsRetried = true;
    const leaving = replica();
    await leaving.start(checks.runtime("leaving", () => new Promise<void>(() => undefined)));
    await leaving.enqueue(jobFor(payload(3, 1, "d1")));
    await waitFor(() => checks.created.length === 1, 10_000, "the run to start");
    await leaving.drain({ timeoutMs: 50 });
    queues.splice(queues.indexOf(leaving), 1);

    const staying = replica();
    await staying.start(checks.runtime("staying"));
    await waitFor(() => checks.completions.length === 1, 15_000, "the handed-back job to complete");
    expect(checks.completions[0]).toMatchObject({
      checkRunId: checks.created[0]?.checkRunId,
      replica: "staying",
      conclusion: "success",
      twinsExternalId: "3@d1",
    });
    expect(checks.created).toHaveLength(1);
  });

  it("completes the run of a replica killed mid-job (SIGKILL) after stalled-job recovery", async () => {
    freshPrefix();
    const script = fileURLToPath(new URL("./crashingReplica.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script, redis.url, prefix], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => output.includes("ready"), 20_000, "the child replica to start");
      const webhook = replica();
      expect(await webhook.enqueue(jobFor(payload(5, 1, "d1")))).toBe("queued");
      await waitFor(() => output.includes("started 501"), 10_000, "the child to take the job");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const checks = new FakeChecks();
    const survivor = replica();
    await survivor.start(checks.runtime("survivor"));
    await waitFor(() => checks.completions.length === 1, 20_000, "the stalled job to complete");
    expect(checks.completions[0]).toMatchObject({
      checkRunId: 501,
      headSha: headSha(5, 1),
      replica: "survivor",
      conclusion: "success",
    });
    expect(checks.created).toHaveLength(0);
  });

  it("runs a policy push accepted by one replica in another, once for redeliveries and a second delivery of the commit", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const webhook = replica({ takeWork: false });
    const worker = replica();
    const outcomes = [
      await webhook.enqueue(orgJobFor(pushPayload(1, "d1"))),
      await worker.enqueue(orgJobFor(pushPayload(1, "d1"))),
      await webhook.enqueue(orgJobFor(pushPayload(1, "d2"))),
    ];
    expect(outcomes).toEqual(["queued", "duplicate-delivery", "duplicate-head"]);
    await worker.start(checks.runtime("worker"));
    await waitFor(() => checks.orgTasks.length === 1, 15_000, "the push task to run");
    await waitFor(async () => (await worker.depth()).running === 0, 5000, "an idle queue");
    expect(checks.orgTasks).toEqual([
      { kind: "policy-push", deliveryId: "d1", headSha: headSha(9000, 1), replica: "worker" },
    ]);
    expect(await worker.enqueue(orgJobFor(pushPayload(2, "d3")))).toBe("queued");
    await waitFor(() => checks.orgTasks.length === 2, 15_000, "the second push to run");
    expect(checks.orgTasks[1]).toMatchObject({ headSha: headSha(9000, 2) });
  });

  it("lets a newer head's impact preview supersede a queued one, and keeps it apart from the pull request's check", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const webhook = replica({ takeWork: false });
    await webhook.enqueue(orgJobFor(previewPayload(3, 1, "d1")));
    await webhook.enqueue(jobFor(payload(3, 2, "d2")));
    await webhook.enqueue(orgJobFor(previewPayload(3, 2, "d3")));
    const worker = replica();
    await worker.start(checks.runtime("worker"));
    await waitFor(
      () => checks.orgTasks.length === 1 && checks.completions.length === 1,
      15_000,
      "the newer preview and the check to run",
    );
    await waitFor(async () => (await worker.depth()).waiting === 0, 5000, "an empty queue");
    await waitFor(async () => (await worker.depth()).running === 0, 5000, "an idle queue");
    expect(checks.orgTasks).toEqual([
      { kind: "impact-preview", deliveryId: "d3", headSha: headSha(3, 2), replica: "worker" },
    ]);
    expect(checks.completions).toMatchObject([{ headSha: headSha(3, 2), conclusion: "success" }]);
  });

  it("retries a failing organization task with backoff, then gives it up saying what failed", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    let attempts = 0;
    const queue = replica({ attempts: 2 });
    await queue.start(
      checks.runtime("a", undefined, async () => {
        attempts += 1;
        throw new Error("GitHub answered 502");
      }),
    );
    await queue.enqueue(orgJobFor(pushPayload(4, "d1")));
    await waitFor(() => checks.orgTasks.length === 1, 15_000, "the task to be given up");
    expect(attempts).toBe(2);
    expect(checks.orgTasks[0]).toMatchObject({
      kind: "policy-push",
      reason: "the policy-push failed 2 times, last with Error: GitHub answered 502",
    });
  });

  it("finishes the organization task of a replica killed mid-task (SIGKILL) after stalled-job recovery", async () => {
    freshPrefix();
    const script = fileURLToPath(new URL("./crashingReplica.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script, redis.url, prefix], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => output.includes("ready"), 20_000, "the child replica to start");
      const webhook = replica({ takeWork: false });
      expect(await webhook.enqueue(orgJobFor(pushPayload(5, "d1")))).toBe("queued");
      await waitFor(() => output.includes("started policy-push"), 10_000, "the child to take it");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const checks = new FakeChecks();
    const survivor = replica();
    await survivor.start(checks.runtime("survivor"));
    await waitFor(() => checks.orgTasks.length === 1, 20_000, "the stalled task to finish");
    expect(checks.orgTasks).toEqual([
      { kind: "policy-push", deliveryId: "d1", headSha: headSha(9000, 5), replica: "survivor" },
    ]);
  });

  it("answers a ping while Redis is up and rejects within the bound once it is gone", async () => {
    const own = await startRedis();
    const queue = new BullQueue({ redisUrl: own.url, prefix: "ping" });
    try {
      await queue.ping();
      await own.stop();
      await expect(queue.ping(300)).rejects.toThrow(
        /Redis did not answer within 300 ms|ECONNREFUSED|Connection is closed/,
      );
    } finally {
      await Promise.race([queue.drain(), new Promise((resolve) => setTimeout(resolve, 500))]);
    }
  });

  it("re-queues on start a run left in progress whose job is gone", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const first = replica({ attempts: 1 });
    // GitHub is down: the scan fails and so does completing the run, so the job fails for good.
    const runtime = checks.runtime("first", async () => {
      throw new Error("GitHub answered 502");
    });
    await first.start({
      ...runtime,
      revive: (p, journal) => ({
        ...runtime.revive(p, journal),
        cancel: () => Promise.reject(new Error("GitHub answered 502")),
      }),
    });
    await first.enqueue(jobFor(payload(4, 1, "d1")));
    await waitFor(async () => (await first.depth()).failed === 1, 15_000, "the job to fail");
    expect(checks.open.size).toBe(1);
    await first.drain();
    queues.splice(queues.indexOf(first), 1);

    const restarted = replica({ reconcileAfterMs: 0 });
    const scanned: { notNewest?: true }[] = [];
    await restarted.start(
      checks.runtime("restarted", async (p) => {
        scanned.push(p);
      }),
    );
    await waitFor(() => checks.completions.length === 1, 15_000, "the reconciled run to complete");
    // Not known to be the newest head: it must not cancel the real head's check as superseded.
    expect(scanned.map((p) => p.notNewest)).toEqual([true]);
    expect(checks.completions[0]).toMatchObject({
      checkRunId: checks.created[0]?.checkRunId,
      replica: "restarted",
      conclusion: "success",
    });
    expect(checks.open.size).toBe(0);
  });

  it("lets a later push supersede a run the reconcile re-queued on the newest head", async () => {
    freshPrefix();
    const checks = new FakeChecks();
    const first = replica({ attempts: 1 });
    const runtime = checks.runtime("first", async () => {
      throw new Error("GitHub answered 502");
    });
    await first.start({
      ...runtime,
      revive: (p, journal) => ({
        ...runtime.revive(p, journal),
        cancel: () => Promise.reject(new Error("GitHub answered 502")),
      }),
    });
    await first.enqueue(jobFor(payload(5, 1, "d1")));
    await waitFor(async () => (await first.depth()).failed === 1, 15_000, "the job to fail");
    await first.drain();
    queues.splice(queues.indexOf(first), 1);

    const restarted = replica({ reconcileAfterMs: 0 });
    // The re-queued run holds until aborted.
    let started = false;
    await restarted.start(
      checks.runtime("restarted", async (p, signal) => {
        if (p.target.headSha !== headSha(5, 1)) return;
        started = true;
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true }),
        );
      }),
    );
    await waitFor(() => started, 15_000, "the re-queued run to start");
    // It is still the newest head: past a few supersession polls it runs on.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(checks.completionsOf(headSha(5, 1))).toEqual([]);
    // The next push ends it, as it would end the newest head's first run.
    expect(await restarted.enqueue(jobFor(payload(5, 2, "d2")))).toBe("queued");
    await waitFor(() => checks.completions.length === 2, 15_000, "both completions");
    expect(checks.completionsOf(headSha(5, 1))).toMatchObject([
      {
        checkRunId: checks.created[0]?.checkRunId,
        conclusion: "cancelled",
        title: `Not scanned: superseded by a newer push (${headSha(5, 2).slice(0, 7)})`,
      },
    ]);
    expect(checks.completionsOf(headSha(5, 2))).toMatchObject([{ conclusion: "success" }]);
    expect(checks.open.size).toBe(0);
  });
});
