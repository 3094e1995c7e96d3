// The `JobQueue` on Redis with BullMQ, for many replicas: any replica accepts a delivery, any worker
// runs it. Keys in Redis make a delivery and a pull request head idempotent across replicas, a
// per-pull sequence lets a newer push supersede older work, leased slots bound each installation,
// a ledger of open check runs lets a restarted worker re-queue runs a lost job left in progress, and
// the runs a suspension left are noted for whichever replica takes the unsuspension.
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import {
  checkJobPayloadSchema,
  forChangedSettings,
  isOrgTask,
  jobPayloadSchema,
  jobPlace,
  pullKeyOf,
  storedJson,
  supersededReason,
  type CheckJobPayload,
  type JobPayload,
} from "./payload.js";
import { RedisReplicaMemory } from "./replicaMemory.js";
import { RedisSuspendedRuns, type SuspendedRunStore } from "./suspendedRuns.js";
import type {
  CheckJobRuntime,
  EnqueueOptions,
  EnqueueOutcome,
  InstallationDepths,
  JobObserver,
  JobQueue,
  QueueDepth,
  QueueJob,
} from "./types.js";

export interface QueueLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface BullQueueOptions {
  redisUrl: string;
  /** Separates deployments (and tests) that share one Redis. */
  prefix?: string;
  /** Checks this replica runs at once. */
  concurrency?: number;
  /** Checks one installation runs at once across all replicas, so one org's re-run cannot starve others. */
  installationConcurrency?: number;
  /** Tries per job, with exponential backoff from `backoffMs`; after the last the run completes as failed. */
  attempts?: number;
  backoffMs?: number;
  /** A taken job's lock; a crashed replica's jobs go back to the queue about this long after it died. */
  lockMs?: number;
  /** How often running jobs look for a newer push and renew their installation slot. */
  supersessionPollMs?: number;
  /** How long a job waits for a busy installation's slot before it is tried again. */
  slotRetryMs?: number;
  /** Open check runs older than this with no live job are re-queued by `start`. */
  reconcileAfterMs?: number;
  /** How long a delivery id is remembered. */
  deliveryTtlSeconds?: number;
  /** False for a replica that only accepts webhooks and leaves the work to worker replicas. */
  takeWork?: boolean;
  /**
   * Told about a job that failed for good (its last try threw, or completing its run as failed
   * did), as InProcessQueue tells about one that threw: a job whose run was never created leaves
   * nothing else behind, and the delivery it names can be redelivered.
   */
  onJobError?: (job: QueueJob, error: unknown) => void;
  observer?: JobObserver;
  log?: QueueLog;
}

/**
 * A connection as every part of Tollgate opens one to REDIS_URL: commands wait out a reconnect
 * (which BullMQ requires) instead of failing after a few retries.
 */
export function connectRedis(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null });
}

/**
 * What the queue stores per job: the payload and its place in the push order of its
 * `supersededOn` key; for a check of a head not known to be the pull request's newest, which sits
 * on its own commit's key, also the pull request's newest sequence when it was queued, so a push
 * after it still supersedes it (`pullSequence`).
 */
const storedJobSchema = z.object({
  payload: jobPayloadSchema,
  sequence: z.number().int().positive(),
  pullSequence: z.number().int().nonnegative().optional(),
});
type StoredJob = z.infer<typeof storedJobSchema>;

interface RunningCheck {
  pullKey: string;
  headSha: string;
  sequence: number;
  /** A check on its own commit's key: the pull request's key and its newest sequence when queued. */
  pull?: { key: string; sequence: number };
  installation: string;
  controller: AbortController;
  /** Resolves when a drain runs out of time and hands the job back to the queue. */
  handBack: () => void;
}

const QUEUE_NAME = "checks";
const LIVE_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);
const PULL_MARKER_TTL_MS = 7 * 24 * 3600_000;
const HANDED_BACK = Symbol("handed back");
/** How long a head claim waits for its job to be added before another delivery may take it. */
const CLAIM_PENDING_MS = 30_000;
/** Installations whose running jobs `depthByInstallation` counts: a bound on one replica's memory and scrape cost. */
const TRACKED_INSTALLATIONS = 1000;

/**
 * Raises a pull request's newest sequence (and its head, and whether it was queued for changed
 * settings) only if higher: replicas enqueue out of order.
 */
const RAISE_NEWEST = `
local newest = tonumber(redis.call('HGET', KEYS[1], 'sequence') or '0')
if tonumber(ARGV[1]) > newest then
  redis.call('HSET', KEYS[1], 'sequence', ARGV[1], 'headSha', ARGV[2], 'settingsChanged', ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** Takes (or renews) one of an installation's leased slots unless all are held; expired leases free themselves. */
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

export class BullQueue implements JobQueue {
  readonly durable = true;
  readonly suspendedRuns: SuspendedRunStore;
  readonly replicaMemory: RedisReplicaMemory;
  private readonly redis: Redis;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private runtime: CheckJobRuntime | undefined;
  private readonly running = new Map<string, RunningCheck>();
  private poll: NodeJS.Timeout | undefined;
  private reconciling: NodeJS.Timeout | undefined;
  private closed = false;
  /** Installations this replica accepted or ran jobs for, oldest first. */
  private readonly installations = new Set<number>();
  private readonly prefix: string;
  private readonly settings: Required<
    Omit<BullQueueOptions, "redisUrl" | "prefix" | "observer" | "log" | "takeWork" | "onJobError">
  >;

  constructor(private readonly options: BullQueueOptions) {
    this.prefix = options.prefix ?? "tollgate";
    this.settings = {
      concurrency: Math.max(1, options.concurrency ?? 4),
      installationConcurrency: Math.max(1, options.installationConcurrency ?? 2),
      attempts: Math.max(1, options.attempts ?? 3),
      backoffMs: options.backoffMs ?? 5000,
      lockMs: options.lockMs ?? 30_000,
      supersessionPollMs: options.supersessionPollMs ?? 1000,
      slotRetryMs: options.slotRetryMs ?? 1000,
      reconcileAfterMs: options.reconcileAfterMs ?? 15 * 60_000,
      deliveryTtlSeconds: options.deliveryTtlSeconds ?? 3 * 24 * 3600,
    };
    this.redis = connectRedis(options.redisUrl);
    this.redis.on("error", (error: Error) =>
      this.options.log?.warn({ error: error.message }, "Redis connection error"),
    );
    this.suspendedRuns = new RedisSuspendedRuns(this.redis, (...parts) => this.key(...parts));
    this.replicaMemory = new RedisReplicaMemory(this.redis, (...parts) => this.key(...parts));
    this.queue = new Queue(QUEUE_NAME, {
      connection: { url: options.redisUrl, maxRetriesPerRequest: null },
      prefix: this.prefix,
    });
    this.queue.on("error", (error: Error) =>
      this.options.log?.warn({ error: error.message }, "queue connection error"),
    );
  }

  /**
   * With `openRun`, a check's run is created once its work is claimed, before it waits: a head's
   * older result (a green run) is no longer the newest for the time the job waits for a worker.
   */
  async enqueue(job: QueueJob, options: EnqueueOptions = {}): Promise<EnqueueOutcome> {
    if (this.closed) return "closed";
    return this.accept(job.payload, options.openRun);
  }

  private async accept(
    payload: JobPayload,
    openRun?: EnqueueOptions["openRun"],
  ): Promise<EnqueueOutcome> {
    this.track(payload.installationId);
    const delivery = this.key("delivery", payload.deliveryId);
    const ttl = this.settings.deliveryTtlSeconds;
    if ((await this.redis.set(delivery, "1", "EX", ttl, "NX")) === null)
      return "duplicate-delivery";
    try {
      return await this.addJob(payload, openRun);
    } catch (error) {
      // Not queued: forget the delivery so GitHub's redelivery of it is not dropped as a duplicate.
      await this.redis.del(delivery).catch(() => undefined);
      throw error;
    }
  }

  private async addJob(
    queued: JobPayload,
    openRun?: EnqueueOptions["openRun"],
  ): Promise<EnqueueOutcome> {
    const { supersededOn, headSha } = jobPlace(queued);
    const jobId = await this.claimWork(queued);
    if (jobId === undefined) return "duplicate-head";
    // Taken before the run is created: a newer push enqueued meanwhile still comes after.
    const sequence = await this.redis.incr(this.key("sequence", supersededOn));
    let payload = queued;
    if (openRun && !isOrgTask(queued) && queued.checkRunId === undefined) {
      try {
        payload = await openRun(queued);
      } catch (error) {
        await this.redis.del(this.key("head", jobId)).catch(() => undefined);
        throw error;
      }
      // In the ledger at once: should this replica die before adding the job, `reconcile` completes it.
      if (!isOrgTask(payload) && payload.checkRunId !== undefined)
        await this.noteOpenRun(payload, payload.checkRunId);
    }
    const stored: StoredJob = { payload, sequence };
    if (!isOrgTask(payload) && payload.notNewest) {
      const pull = this.key("newest", pullKeyOf(payload.target));
      stored.pullSequence = Number((await this.redis.hget(pull, "sequence")) ?? 0);
    }
    await this.queue.add(isOrgTask(payload) ? payload.kind : "check", stored, {
      jobId,
      attempts: this.settings.attempts,
      backoff: { type: "exponential", delay: this.settings.backoffMs },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
    await this.redis.persist(this.key("head", jobId));
    await this.redis.eval(
      RAISE_NEWEST,
      1,
      this.key("newest", supersededOn),
      sequence,
      headSha,
      PULL_MARKER_TTL_MS,
      forChangedSettings(payload) ? "1" : "0",
    );
    return "queued";
  }

  async start(runtime: CheckJobRuntime): Promise<void> {
    if (this.worker || this.options.takeWork === false) return;
    this.runtime = runtime;
    await this.reconcile(runtime);
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: { url: this.options.redisUrl, maxRetriesPerRequest: null },
      prefix: this.prefix,
      concurrency: this.settings.concurrency,
      lockDuration: this.settings.lockMs,
      stalledInterval: Math.max(100, Math.round(this.settings.lockMs / 2)),
      maxStalledCount: this.settings.attempts,
    });
    this.worker.on("error", (error) =>
      this.options.log?.error({ error: error.message }, "queue worker error"),
    );
    this.worker.on("completed", (job) => void this.releaseHead(job));
    this.worker.on("failed", (job) => {
      if (job && job.finishedOn !== undefined) void this.releaseHead(job);
    });
    this.poll = setInterval(() => void this.watchRunning(), this.settings.supersessionPollMs);
    // Also while running: a job that failed for good while GitHub was down leaves its run open.
    this.reconciling = setInterval(
      () =>
        void this.reconcile(runtime).catch((error: unknown) =>
          this.options.log?.warn({ error: describe(error) }, "could not reconcile open runs"),
        ),
      Math.max(1000, this.settings.reconcileAfterMs / 2),
    );
    await this.worker.waitUntilReady();
  }

  /**
   * Stops taking work and waits for running jobs; after `timeoutMs` the jobs still running go back
   * to the queue for another replica (their check runs stay open and are completed there).
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    if (this.reconciling) clearInterval(this.reconciling);
    if (this.worker) {
      const closing = this.worker.close();
      if (options.timeoutMs !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          closing.then(() => "closed" as const),
          new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (outcome === "timeout") for (const check of this.running.values()) check.handBack();
      }
      await closing;
    }
    await this.queue.close();
    await this.redis.quit();
  }

  async depth(): Promise<QueueDepth> {
    const counts = await this.queue.getJobCounts(
      "waiting",
      "delayed",
      "prioritized",
      "active",
      "failed",
    );
    return {
      waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      running: counts.active ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /**
   * Running jobs per installation across all replicas, read from the installations' slot leases
   * (one ZCOUNT each, pipelined) for the installations this replica has seen. Waiting jobs are not
   * counted per installation: that would mean reading every waiting job's data on each scrape.
   */
  async depthByInstallation(): Promise<InstallationDepths> {
    const installations = [...this.installations];
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const installation of installations)
      pipeline.zcount(this.key("slots", String(installation)), `(${now}`, "+inf");
    const answers = (await pipeline.exec()) ?? [];
    const byInstallation: InstallationDepths["byInstallation"] = new Map();
    installations.forEach((installation, index) => {
      const [error, running] = answers[index] ?? [];
      if (!error && typeof running === "number" && running > 0)
        byInstallation.set(installation, { waiting: 0, running });
    });
    return { countsWaiting: false, byInstallation };
  }

  private track(installation: number | undefined): void {
    if (installation === undefined) return;
    this.installations.delete(installation);
    this.installations.add(installation);
    if (this.installations.size > TRACKED_INSTALLATIONS) {
      const oldest = this.installations.values().next().value;
      if (oldest !== undefined) this.installations.delete(oldest);
    }
  }

  /** Resolves when Redis answers within `timeoutMs`; commands wait for a reconnect otherwise. */
  async ping(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const runtime = this.runtime;
    if (!runtime) throw new Error("the queue was not started");
    const parsed = storedJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.options.log?.error(
        { jobId: job.id, problem: parsed.error.issues[0]?.message },
        "dropping a job whose payload is not valid",
      );
      return;
    }
    const { payload, sequence, pullSequence } = parsed.data;
    this.track(payload.installationId);
    const pullKey = jobPlace(payload).supersededOn;
    const pull =
      !isOrgTask(payload) && pullSequence !== undefined
        ? { key: pullKeyOf(payload.target), sequence: pullSequence }
        : undefined;
    const work = isOrgTask(payload)
      ? runtime.reviveOrgTask(payload)
      : runtime.revive(payload, this.journal(job, { ...parsed.data, payload }));
    const checkRunId = isOrgTask(payload) ? undefined : payload.checkRunId;
    const started = performance.now();
    const newer = await this.supersedingHead({ pullKey, sequence, headSha: work.headSha, pull });
    if (newer !== undefined) {
      // Dropped before it started; only a retry has a check run to complete.
      if (checkRunId !== undefined)
        await work.cancel(supersededReason(work.headSha, newer.headSha, newer.settingsChanged));
      await this.forgetRun(checkRunId);
      this.options.observer?.jobSettled(
        "cancelled",
        performance.now() - started,
        payload.installationId,
      );
      return;
    }
    const installation = String(payload.installationId ?? "none");
    if (!(await this.takeSlot(installation, job.id ?? ""))) {
      await job.moveToDelayed(Date.now() + this.settings.slotRetryMs, token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    let handBack: () => void = () => undefined;
    const handedBack = new Promise<typeof HANDED_BACK>((resolve) => {
      handBack = () => resolve(HANDED_BACK);
    });
    const jobId = job.id ?? "";
    this.running.set(jobId, {
      pullKey,
      headSha: work.headSha,
      sequence,
      ...(pull ? { pull } : {}),
      installation,
      controller,
      handBack,
    });
    try {
      const result = await Promise.race([work.run(controller.signal), handedBack]);
      if (result === HANDED_BACK) {
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      await this.forgetRun(recordedCheckRun(job));
      const outcome = controller.signal.aborted ? "cancelled" : "completed";
      this.options.observer?.jobSettled(
        outcome,
        performance.now() - started,
        payload.installationId,
      );
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      if (job.attemptsMade + 1 < this.settings.attempts) throw error;
      this.options.observer?.jobSettled(
        "failed",
        performance.now() - started,
        payload.installationId,
      );
      this.options.onJobError?.(work, error);
      // The job did not do its work: GitHub's redelivery of its delivery is checked, not dropped.
      await this.redis.del(this.key("delivery", payload.deliveryId)).catch(() => undefined);
      const what = isOrgTask(payload) ? payload.kind : "check";
      try {
        await work.cancel(
          `the ${what} failed ${this.settings.attempts} times, last with ${describe(error)}`,
        );
      } catch (cancelError) {
        this.options.onJobError?.(work, cancelError);
        throw cancelError;
      }
      await this.forgetRun(recordedCheckRun(job));
    } finally {
      this.running.delete(jobId);
      await this.redis.zrem(this.key("slots", installation), jobId);
    }
  }

  /** Records the check run a check job opened, in the job and in the ledger of open runs. */
  private journal(job: Job, stored: StoredJob & { payload: CheckJobPayload }) {
    const { payload } = stored;
    return {
      // BullMQ counts every start, a stalled job's (its replica died) and a failed one's retry alike.
      retried: job.attemptsStarted > 1,
      recordCheckRun: async (checkRunId: number, twinsExternalId?: string) => {
        const recorded: CheckJobPayload = {
          ...payload,
          checkRunId,
          ...(twinsExternalId !== undefined ? { twinsExternalId } : {}),
        };
        await job.updateData({ ...stored, payload: recorded } satisfies StoredJob);
        await this.noteOpenRun(recorded, checkRunId);
      },
    };
  }

  /** The run enters the ledger of open runs, which `reconcile` reads. */
  private async noteOpenRun(payload: CheckJobPayload, checkRunId: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.key("open-runs"), Date.now(), String(checkRunId))
      .hset(this.key("open-run-payloads"), String(checkRunId), JSON.stringify(payload))
      .exec();
  }

  /** The newer work that supersedes this sequence, if a later push (or re-check) was enqueued. */
  private async newerHead(pullKey: string, sequence: number): Promise<NewerWork | undefined> {
    const [newest, headSha, settingsChanged] = await this.redis.hmget(
      this.key("newest", pullKey),
      "sequence",
      "headSha",
      "settingsChanged",
    );
    if (Number(newest ?? 0) <= sequence) return undefined;
    return { headSha: headSha ?? "a newer head", settingsChanged: settingsChanged === "1" };
  }

  /**
   * The head that supersedes a check: a newer one on its own key, or, for a check on its own
   * commit's key (`pull`), a push of another head to the pull request after it was queued. A run
   * the reconcile re-queues may be on the newest head, and the next push must still end it; one
   * on an older head is not ended by the newest head already queued before it.
   */
  private async supersedingHead(
    check: Pick<RunningCheck, "pullKey" | "sequence" | "headSha" | "pull">,
  ): Promise<NewerWork | undefined> {
    const newer = await this.newerHead(check.pullKey, check.sequence);
    if (newer !== undefined || check.pull === undefined) return newer;
    const pushed = await this.newerHead(check.pull.key, check.pull.sequence);
    return pushed?.headSha === check.headSha ? undefined : pushed;
  }

  /** Aborts running jobs a newer push superseded, and renews the installation slots of the rest. */
  private async watchRunning(): Promise<void> {
    try {
      for (const [jobId, check] of this.running) {
        if (check.controller.signal.aborted) continue;
        const newer = await this.supersedingHead(check);
        if (newer !== undefined)
          check.controller.abort(
            new Error(supersededReason(check.headSha, newer.headSha, newer.settingsChanged)),
          );
        else await this.takeSlot(check.installation, jobId);
      }
    } catch (error) {
      this.options.log?.warn({ error: describe(error) }, "could not look for newer pushes");
    }
  }

  private async takeSlot(installation: string, jobId: string): Promise<boolean> {
    const now = Date.now();
    const lease = Math.max(this.settings.lockMs, this.settings.supersessionPollMs * 3);
    const taken = await this.redis.eval(
      TAKE_SLOT,
      1,
      this.key("slots", installation),
      now,
      jobId,
      this.settings.installationConcurrency,
      now + lease,
      lease * 2,
    );
    return taken === 1;
  }

  /**
   * Claims a head for a delivery. A claim is pending (with a TTL) until its job is added, then
   * permanent until the job finishes. A permanent claim whose job is no longer live (a replica
   * died before releasing it, or the job failed) is stale and taken over, so a re-run is queued.
   */
  private async claimHead(jobId: string, deliveryId: string): Promise<boolean> {
    const claim = this.key("head", jobId);
    const claimed = await this.redis.set(claim, deliveryId, "PX", CLAIM_PENDING_MS, "NX");
    if (claimed === null && (await this.redis.pttl(claim)) > 0) return false;
    // A finished job keeps its id (a failed one stays for inspection): remove it so the add counts.
    const existing = await this.queue.getJob(jobId);
    if (existing && LIVE_STATES.has(await existing.getState())) return false;
    if (existing) await this.queue.remove(jobId);
    if (claimed === null) await this.redis.set(claim, deliveryId, "PX", CLAIM_PENDING_MS);
    return true;
  }

  /**
   * The id to add the job under, or undefined when the same work is live. A check queued because
   * settings changed joins only work still waiting (it reads them when it starts): running work
   * read the old ones, so the check is queued again under a follower's id, and supersedes it.
   */
  private async claimWork(payload: JobPayload): Promise<string | undefined> {
    const { jobId } = jobPlace(payload);
    if (await this.claimHead(jobId, payload.deliveryId)) return jobId;
    if (!forChangedSettings(payload) || !(await this.jobActive(jobId))) return undefined;
    const followerKey = this.key("follower", jobId);
    const follower = await this.redis.get(followerKey);
    if (follower !== null) {
      const queued = await this.queue.getJob(follower);
      const state = queued ? await queued.getState() : undefined;
      if (state !== undefined && state !== "active" && LIVE_STATES.has(state)) return undefined;
    }
    // BullMQ refuses a job id holding `:`; `/` and digits are what the work's own id holds.
    const followerId = `${jobId}/again-${await this.redis.incr(this.key("followers", jobId))}`;
    if (!(await this.claimHead(followerId, payload.deliveryId))) return undefined;
    await this.redis.set(followerKey, followerId, "PX", PULL_MARKER_TTL_MS);
    await this.redis.pexpire(this.key("followers", jobId), PULL_MARKER_TTL_MS);
    return followerId;
  }

  /** Whether the work, or a follower queued after it (`claimWork`), is live. */
  private async workLive(jobId: string): Promise<boolean> {
    const follower = await this.redis.get(this.key("follower", jobId));
    for (const id of follower === null ? [jobId] : [jobId, follower]) {
      const job = await this.queue.getJob(id);
      if (job && LIVE_STATES.has(await job.getState())) return true;
    }
    return false;
  }

  private async jobActive(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    return job !== undefined && (await job.getState()) === "active";
  }

  private async releaseHead(job: Job): Promise<void> {
    if (job.id !== undefined) await this.redis.del(this.key("head", job.id));
  }

  /** The run is completed (or was never created): it leaves the ledger of open runs. */
  private async forgetRun(checkRunId: number | undefined): Promise<void> {
    if (checkRunId === undefined) return;
    await this.redis
      .multi()
      .zrem(this.key("open-runs"), String(checkRunId))
      .hdel(this.key("open-run-payloads"), String(checkRunId))
      .exec();
  }

  /**
   * Runs the ledger says were opened longer than the bound ago, whose job is no longer live, and
   * that GitHub still shows in progress, are queued again to complete that same run. On start and
   * then every half bound; replicas reconciling at once queue a run once (the head claim).
   */
  private async reconcile(runtime: CheckJobRuntime): Promise<void> {
    const olderThan = Date.now() - this.settings.reconcileAfterMs;
    const stale = await this.redis.zrangebyscore(this.key("open-runs"), "-inf", olderThan);
    for (const checkRunId of stale) {
      const text = await this.redis.hget(this.key("open-run-payloads"), checkRunId);
      const parsed = checkJobPayloadSchema.safeParse(text ? storedJson(text) : undefined);
      if (!parsed.success || parsed.data.checkRunId === undefined) {
        await this.forgetRun(Number(checkRunId));
        continue;
      }
      const payload = { ...parsed.data, checkRunId: parsed.data.checkRunId };
      if (await this.workLive(jobPlace(payload).jobId)) continue;
      let inProgress: boolean;
      try {
        inProgress = await runtime.checkRunInProgress(payload);
      } catch (error) {
        this.options.log?.warn({ checkRunId, error: describe(error) }, "could not reconcile");
        continue;
      }
      if (!inProgress) {
        await this.forgetRun(payload.checkRunId);
        continue;
      }
      await this.redis.zadd(this.key("open-runs"), Date.now(), checkRunId);
      // Not known to be the pull request's newest head (a suspension may have left a run on an
      // older commit): it checks that commit alone and supersedes no other check, as resume.ts.
      const outcome = await this.accept({
        ...payload,
        deliveryId: `reconcile-${checkRunId}-${Date.now()}`,
        notNewest: true,
      });
      this.options.log?.info({ checkRunId, outcome }, "re-queued a check run left in progress");
    }
  }

  private key(...parts: string[]): string {
    return [this.prefix, "tollgate", ...parts].join(":");
  }
}

/** Work queued after a job on its key: a newer head, or the same queued again. */
interface NewerWork {
  headSha: string;
  /** Queued because settings or policies changed. */
  settingsChanged: boolean;
}

/** The check run the job recorded while it ran (`updateData`), if any. */
function recordedCheckRun(job: Job): number | undefined {
  const recorded = storedJobSchema.safeParse(job.data);
  if (!recorded.success || isOrgTask(recorded.data.payload)) return undefined;
  return recorded.data.payload.checkRunId;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);
}
