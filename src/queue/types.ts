// The seam between webhook handlers and the work they start: jobs keyed for idempotency and by pull
// request, so redeliveries and repeated pushes do not scan twice and a newer push replaces older
// work. The in-process queue implements it today; a Redis/BullMQ one can later sit behind it.

export interface QueueJob {
  /** Idempotency key: the webhook delivery id (`x-github-delivery`); a second job with it is dropped. */
  deliveryId: string;
  /** The pull request the work is for (`owner/repo#12`); newer heads supersede older ones. */
  pullKey: string;
  headSha: string;
  /** Does the work; must stop soon after `signal` aborts (superseded, or drain timed out). */
  run(signal: AbortSignal): Promise<void>;
  /** Called instead of `run` when the job is dropped before it started. */
  cancel(reason: string): Promise<void>;
}

export type EnqueueOutcome =
  | "queued"
  /** This delivery id was seen before. */
  | "duplicate-delivery"
  /** The same head of the same pull request is already queued or running. */
  | "duplicate-head"
  /** The queue is draining and takes no new work. */
  | "closed";

export interface JobQueue {
  enqueue(job: QueueJob): EnqueueOutcome;
  /** Stop taking work, then wait for queued and running jobs; after `timeoutMs` abort what is left. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  readonly queued: number;
  readonly running: number;
}
