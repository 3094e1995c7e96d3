// The in-process `JobQueue`: a FIFO with bounded concurrency, delivery-id deduplication over a
// bounded history (a delivery whose job failed is forgotten, so it can be redelivered),
// deduplication of the same work (`jobPlace`: a head against a base) against live work (waiting
// work only for a check queued because settings changed: running work read the old ones), and supersession
// of older work on the same `jobPlace(...).supersededOn`, as the Redis queue does (queued jobs are
// cancelled, running ones aborted).
import { forChangedSettings, jobPlace, supersededReason } from "./payload.js";
import type {
  EnqueueOutcome,
  InstallationDepths,
  JobObserver,
  JobQueue,
  QueueDepth,
  QueueJob,
} from "./types.js";

export interface InProcessQueueOptions {
  concurrency?: number;
  /** How many delivery ids to remember; older ones are forgotten first. */
  deliveryHistory?: number;
  /** Told about a job that threw; the job itself is responsible for reporting to GitHub. */
  onJobError?: (job: QueueJob, error: unknown) => void;
  observer?: JobObserver;
}

interface RunningJob {
  job: QueueJob;
  controller: AbortController;
  done: Promise<void>;
}

export class InProcessQueue implements JobQueue {
  private readonly waiting: QueueJob[] = [];
  private readonly active = new Set<RunningJob>();
  private readonly cancelling = new Set<Promise<void>>();
  private readonly seenDeliveries = new Set<string>();
  private readonly concurrency: number;
  private readonly deliveryHistory: number;
  private closed = false;
  private failures = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: InProcessQueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.deliveryHistory = Math.max(1, options.deliveryHistory ?? 10_000);
  }

  /** Jobs run from their closures in this process: nothing outlives it. */
  readonly durable = false;

  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active.size;
  }

  /** Nothing to revive: jobs carry their closures. */
  async start(): Promise<void> {}

  async depth(): Promise<QueueDepth> {
    return { waiting: this.waiting.length, running: this.active.size, failed: this.failures };
  }

  async depthByInstallation(): Promise<InstallationDepths> {
    const byInstallation = new Map<number, { waiting: number; running: number }>();
    const count = (job: QueueJob, state: "waiting" | "running") => {
      const installation = job.payload.installationId;
      if (installation === undefined) return;
      const depth = byInstallation.get(installation) ?? { waiting: 0, running: 0 };
      depth[state] += 1;
      byInstallation.set(installation, depth);
    };
    for (const running of this.active) count(running.job, "running");
    for (const job of this.waiting) count(job, "waiting");
    return { countsWaiting: true, byInstallation };
  }

  enqueue(job: QueueJob): EnqueueOutcome {
    if (this.closed) return "closed";
    if (this.seenDeliveries.has(job.deliveryId)) return "duplicate-delivery";
    this.rememberDelivery(job.deliveryId);
    const settingsChanged = forChangedSettings(job.payload);
    // Running work of a check queued for changed settings read the old ones: it is superseded.
    const live = settingsChanged
      ? this.waiting
      : [...this.waiting, ...[...this.active].map((r) => r.job)];
    const { jobId, supersededOn } = jobPlace(job.payload);
    if (live.some((other) => jobPlace(other.payload).jobId === jobId)) return "duplicate-head";
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const older = this.waiting[i];
      if (!older || jobPlace(older.payload).supersededOn !== supersededOn) continue;
      this.waiting.splice(i, 1);
      this.cancel(older, supersededReason(older.headSha, job.headSha, settingsChanged));
    }
    for (const running of this.active) {
      if (jobPlace(running.job.payload).supersededOn !== supersededOn) continue;
      const reason = supersededReason(running.job.headSha, job.headSha, settingsChanged);
      running.controller.abort(new Error(reason));
    }
    this.waiting.push(job);
    this.pump();
    return "queued";
  }

  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed = true;
    const finished = this.whenIdle();
    if (options.timeoutMs === undefined) return finished;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
    });
    const outcome = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (outcome !== "timeout") return;
    for (const job of this.waiting.splice(0))
      this.settle(job, job.cancel("the service is shutting down"));
    for (const running of this.active)
      running.controller.abort(new Error("the service is shutting down"));
    return finished;
  }

  /** Resolves once nothing is queued, running or being cancelled; the queue stays open. */
  whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.resolveIfIdle();
    });
  }

  private rememberDelivery(deliveryId: string): void {
    this.seenDeliveries.add(deliveryId);
    if (this.seenDeliveries.size > this.deliveryHistory) {
      const oldest = this.seenDeliveries.values().next().value;
      if (oldest !== undefined) this.seenDeliveries.delete(oldest);
    }
  }

  private pump(): void {
    while (this.active.size < this.concurrency) {
      const job = this.waiting.shift();
      if (!job) break;
      const controller = new AbortController();
      const running: RunningJob = { job, controller, done: Promise.resolve() };
      const started = performance.now();
      const installation = job.payload.installationId;
      running.done = this.settle(
        job,
        Promise.resolve()
          .then(() => job.run(controller.signal))
          .then(
            () => {
              const outcome = controller.signal.aborted ? "cancelled" : "completed";
              this.options.observer?.jobSettled(outcome, performance.now() - started, installation);
            },
            (error: unknown) => {
              this.options.observer?.jobSettled(
                "failed",
                performance.now() - started,
                installation,
              );
              throw error;
            },
          ),
      ).finally(() => {
        this.active.delete(running);
        this.pump();
      });
      this.active.add(running);
    }
    this.resolveIfIdle();
  }

  private cancel(job: QueueJob, reason: string): void {
    const cancelling: Promise<void> = this.settle(job, job.cancel(reason)).finally(() => {
      this.cancelling.delete(cancelling);
      this.resolveIfIdle();
    });
    this.cancelling.add(cancelling);
  }

  /**
   * A job that threw left no completed run behind: its delivery is forgotten, so GitHub's
   * redelivery of it (same `X-GitHub-Delivery`) is checked instead of dropped as a duplicate.
   */
  private settle(job: QueueJob, work: Promise<void>): Promise<void> {
    return work.catch((error: unknown) => {
      this.seenDeliveries.delete(job.deliveryId);
      this.failures += 1;
      this.options.onJobError?.(job, error);
    });
  }

  private resolveIfIdle(): void {
    const busy = this.waiting.length + this.active.size + this.cancelling.size;
    if (busy > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
