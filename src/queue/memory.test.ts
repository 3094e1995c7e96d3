import { describe, expect, it } from "vitest";
import { InProcessQueue, type CheckJobPayload, type QueueJob } from "./index.js";

/** The in-process queue runs closures and reads the payload only for its work's identity (`jobPlace`). */
function payloadFor(
  deliveryId: string,
  pullKey = "acme/infra#1",
  headSha = "a",
  baseSha = "b",
  newest = true,
): CheckJobPayload {
  const target = { owner: "acme", repo: pullKey, pullNumber: 1, headSha, baseSha };
  return { deliveryId, target, acceptedAt: 0, ...(newest ? {} : { notNewest: true as const }) };
}

/** A job whose run waits until the test releases it, recording what happened to it. */
function job(
  deliveryId: string,
  pullKey: string,
  headSha: string,
  log: string[],
  baseSha = "b",
  newest = true,
) {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const queueJob: QueueJob = {
    deliveryId,
    pullKey,
    headSha,
    payload: payloadFor(deliveryId, pullKey, headSha, baseSha, newest),
    async run(signal) {
      log.push(`start ${deliveryId}`);
      await Promise.race([
        released,
        new Promise((resolve) => signal.addEventListener("abort", resolve)),
      ]);
      log.push(
        signal.aborted
          ? `aborted ${deliveryId}: ${(signal.reason as Error).message}`
          : `done ${deliveryId}`,
      );
    },
    async cancel(reason) {
      log.push(`cancelled ${deliveryId}: ${reason}`);
    },
  };
  return { queueJob, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("InProcessQueue", () => {
  it("drops a redelivered webhook and a second job for the same head", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue();
    const first = job("d1", "acme/infra#1", "aaa", log);
    expect(queue.enqueue(first.queueJob)).toBe("queued");
    expect(queue.enqueue(job("d1", "acme/infra#1", "bbb", log).queueJob)).toBe(
      "duplicate-delivery",
    );
    expect(queue.enqueue(job("d2", "acme/infra#1", "aaa", log).queueJob)).toBe("duplicate-head");
    first.release();
    await queue.drain();
    expect(log).toEqual(["start d1", "done d1"]);
  });

  it("lets a newer push supersede queued and running work on the same pull request", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue({ concurrency: 1 });
    const running = job("d1", "acme/infra#1", "aaa1111", log);
    const waiting = job("d2", "acme/infra#1", "bbb2222", log);
    const newest = job("d3", "acme/infra#1", "ccc3333", log);
    queue.enqueue(running.queueJob);
    await tick();
    queue.enqueue(waiting.queueJob);
    queue.enqueue(newest.queueJob);
    await tick();
    newest.release();
    await queue.drain();
    expect(log).toEqual([
      "start d1",
      "cancelled d2: superseded by a newer push (ccc3333)",
      "aborted d1: superseded by a newer push (bbb2222)",
      "start d3",
      "done d3",
    ]);
  });

  it("runs work on a head not known to be the newest beside the pull request's, superseding nothing", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue({ concurrency: 2 });
    const newest = job("d1", "acme/infra#1", "ccc3333", log);
    // An old delivery of an earlier push, redelivered while the newest head is scanned.
    const redelivered = job("d2", "acme/infra#1", "aaa1111", log, "b", false);
    queue.enqueue(newest.queueJob);
    await tick();
    expect(queue.enqueue(redelivered.queueJob)).toBe("queued");
    await tick();
    const later = job("d3", "acme/infra#1", "ddd4444", log);
    queue.enqueue(later.queueJob);
    await tick();
    redelivered.release();
    later.release();
    await queue.drain();
    expect(log).toEqual([
      "start d1",
      "start d2",
      "aborted d1: superseded by a newer push (ddd4444)",
      "start d3",
      "done d2",
      "done d3",
    ]);
  });

  it("takes the same head against another base as new work that supersedes the old", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue({ concurrency: 1 });
    const running = job("d1", "acme/infra#1", "aaa1111", log, "base-main");
    const retargeted = job("d2", "acme/infra#1", "aaa1111", log, "base-release");
    queue.enqueue(running.queueJob);
    await tick();
    expect(queue.enqueue(retargeted.queueJob)).toBe("queued");
    expect(queue.enqueue(job("d3", "acme/infra#1", "aaa1111", log, "base-release").queueJob)).toBe(
      "duplicate-head",
    );
    await tick();
    retargeted.release();
    await queue.drain();
    expect(log).toEqual([
      "start d1",
      "aborted d1: superseded by a newer scan of this commit (the pull request's base changed)",
      "start d2",
      "done d2",
    ]);
  });

  it("runs a check queued for changed settings again after one of the same head already running", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue({ concurrency: 1 });
    const running = job("d1", "acme/infra#1", "aaa1111", log);
    // A push to `.github` re-checks every open pull request while this one is mid-scan.
    const rechecked = job("d2", "acme/infra#1", "aaa1111", log);
    rechecked.queueJob.payload = {
      ...payloadFor("d2", "acme/infra#1", "aaa1111"),
      settingsChanged: true,
    };
    const again = job("d3", "acme/infra#1", "aaa1111", log);
    again.queueJob.payload = {
      ...payloadFor("d3", "acme/infra#1", "aaa1111"),
      settingsChanged: true,
    };
    queue.enqueue(running.queueJob);
    await tick();
    expect(queue.enqueue(rechecked.queueJob)).toBe("queued");
    // A second change while the first's re-check still waits: that one reads the newest settings.
    expect(queue.enqueue(again.queueJob)).toBe("duplicate-head");
    // An ordinary event of the same head is still a duplicate of the work queued.
    expect(queue.enqueue(job("d4", "acme/infra#1", "aaa1111", log).queueJob)).toBe(
      "duplicate-head",
    );
    await tick();
    rechecked.release();
    await queue.drain();
    expect(log).toEqual([
      "start d1",
      "aborted d1: superseded by a newer scan of this commit (the settings or policies it is checked under changed)",
      "start d2",
      "done d2",
    ]);
  });

  it("runs no more jobs at once than its concurrency and keeps other pull requests apart", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue({ concurrency: 2 });
    const jobs = [1, 2, 3].map((n) => job(`d${n}`, `acme/infra#${n}`, "aaa", log));
    for (const { queueJob } of jobs) queue.enqueue(queueJob);
    await tick();
    expect([queue.running, queue.queued]).toEqual([2, 1]);
    jobs[0]?.release();
    await tick();
    await tick();
    expect(log).toEqual(["start d1", "start d2", "done d1", "start d3"]);
    jobs.forEach((j) => j.release());
    await queue.drain();
  });

  it("drains gracefully, refusing new work, and aborts leftovers after a timeout", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue({ concurrency: 1 });
    queue.enqueue(job("d1", "acme/infra#1", "aaa", log).queueJob);
    queue.enqueue(job("d2", "acme/infra#2", "bbb", log).queueJob);
    const drained = queue.drain({ timeoutMs: 10 });
    expect(queue.enqueue(job("d3", "acme/infra#3", "ccc", log).queueJob)).toBe("closed");
    await drained;
    expect(log).toEqual([
      "start d1",
      "cancelled d2: the service is shutting down",
      "aborted d1: the service is shutting down",
    ]);
  });

  it("tells when it is idle without closing", async () => {
    const log: string[] = [];
    const queue = new InProcessQueue();
    const first = job("d1", "p", "a", log);
    queue.enqueue(first.queueJob);
    const idle = queue.whenIdle();
    first.release();
    await idle;
    expect(queue.enqueue(job("d2", "p", "b", log).queueJob)).toBe("queued");
    await tick();
    expect(log).toEqual(["start d1", "done d1", "start d2"]);
    await queue.drain({ timeoutMs: 1 });
  });

  it("reports a job that throws and keeps going", async () => {
    const errors: string[] = [];
    const queue = new InProcessQueue({
      onJobError: (j, e) => errors.push(`${j.deliveryId}: ${(e as Error).message}`),
    });
    const failing: QueueJob = {
      deliveryId: "d1",
      pullKey: "p",
      headSha: "a",
      payload: payloadFor("d1"),
      run: () => Promise.reject(new Error("boom")),
      cancel: async () => undefined,
    };
    queue.enqueue(failing);
    const log: string[] = [];
    const next = job("d2", "q", "b", log);
    queue.enqueue(next.queueJob);
    next.release();
    await queue.drain();
    expect(errors).toEqual(["d1: boom"]);
    expect(log).toEqual(["start d2", "done d2"]);
    expect(await queue.depth()).toEqual({ waiting: 0, running: 0, failed: 1 });
  });

  it("forgets the oldest delivery ids beyond its history", async () => {
    const queue = new InProcessQueue({ deliveryHistory: 2 });
    const log: string[] = [];
    for (const id of ["d1", "d2", "d3"]) {
      const j = job(id, `p${id}`, "a", log);
      j.release();
      queue.enqueue(j.queueJob);
    }
    await tick();
    await tick();
    const again = job("d1", "p-again", "a", log);
    again.release();
    expect(queue.enqueue(again.queueJob)).toBe("queued");
    await queue.drain();
  });
});
