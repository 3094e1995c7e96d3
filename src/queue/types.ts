// The seam between webhook handlers and the work they start: jobs keyed for idempotency and by pull
// request, so redeliveries and repeated pushes do not scan twice and a newer push replaces older
// work. The in-process queue runs a job's closures; the Redis queue keeps only its payload and
// revives the work from it in whichever replica takes the job.
import type { CheckJobPayload, JobPayload, OrgTaskPayload } from "./payload.js";
import type { ReplicaMemory } from "./replicaMemory.js";
import type { SuspendedRunStore } from "./suspendedRuns.js";

export interface QueueJob {
  /** Idempotency key: the webhook delivery id (`x-github-delivery`); a second job with it is dropped. */
  deliveryId: string;
  /** `jobPlace(payload).supersededOn`: the pull request the work is for (`owner/repo#12`), a commit of it, or an org task's key; newer work on it supersedes older. */
  pullKey: string;
  headSha: string;
  /** The job as data, all a queue that crosses processes stores. */
  payload: JobPayload;
  /** Does the work; must stop soon after `signal` aborts (superseded, or drain timed out). */
  run(signal: AbortSignal): Promise<void>;
  /** Called instead of `run` when the job is dropped before it started, or gave up after retries. */
  cancel(reason: string): Promise<void>;
}

/** What revived work tells the queue while it runs, so a retry in another replica can pick it up. */
export interface JobJournal {
  /**
   * The check run now exists; a retry completes this run instead of creating another, and its
   * twins with it when `twinsExternalId` says a retried creation may have left some.
   */
  recordCheckRun(checkRunId: number, twinsExternalId?: string): Promise<void>;
  /**
   * An earlier attempt of this job started (it failed, or its replica died) without recording a
   * run: it may have created one all the same, which this attempt looks for before creating another.
   */
  readonly retried: boolean;
}

/** How a durable queue turns stored payloads back into work, and asks GitHub about old runs. */
export interface CheckJobRuntime {
  revive(payload: CheckJobPayload, journal: JobJournal): QueueJob;
  /** Organization work: it opens no run before it ends, so it needs no journal and no reconcile. */
  reviveOrgTask(payload: OrgTaskPayload): QueueJob;
  /** Whether GitHub still shows the payload's check run `in_progress` (reconciliation on start). */
  checkRunInProgress(payload: CheckJobPayload & { checkRunId: number }): Promise<boolean>;
}

export type EnqueueOutcome =
  | "queued"
  /** This delivery id was seen before. */
  | "duplicate-delivery"
  /** The same work (`jobPlace`: a pull request's head against the same base) is already queued or running. */
  | "duplicate-head"
  /** The queue is draining and takes no new work. */
  | "closed";

/** Jobs by state, for the health endpoint and metrics: queue-wide for Redis, this process otherwise. */
export interface QueueDepth {
  waiting: number;
  running: number;
  failed: number;
}

/** Jobs per installation id, as far as the queue can count them cheaply; jobs naming none are left out. */
export interface InstallationDepths {
  /** False where counting waiting jobs would mean reading every one of them (Redis): `waiting` is 0. */
  countsWaiting: boolean;
  byInstallation: Map<number, { waiting: number; running: number }>;
}

/** How a job ended, for the evaluation time histogram; `installation` when the job names one. */
export interface JobObserver {
  jobSettled(
    outcome: "completed" | "failed" | "cancelled",
    durationMs: number,
    installation?: number,
  ): void;
}

export interface EnqueueOptions {
  /**
   * For a durable queue's check: called once the work is claimed and before it is stored, to create
   * its check run, whose id the returned payload carries. A failure un-claims the work and is thrown.
   * The in-process queue's jobs create theirs themselves once queued.
   */
  openRun?: (payload: CheckJobPayload) => Promise<CheckJobPayload>;
}

export interface JobQueue {
  /**
   * True when jobs outlive this process and may run in another replica: the handler then keeps no
   * state for a job (its check run's id travels in the payload, `openRun`), and `start` must be
   * called to take work.
   */
  readonly durable: boolean;
  /**
   * Where the runs a suspension left in progress are noted, shared by every replica taking the
   * queue's work; absent, the app keeps them in process.
   */
  readonly suspendedRuns?: SuspendedRunStore;
  /**
   * What every replica must remember alike (the settings last read valid); absent, the app keeps
   * it in process.
   */
  readonly replicaMemory?: ReplicaMemory;
  enqueue(job: QueueJob, options?: EnqueueOptions): EnqueueOutcome | Promise<EnqueueOutcome>;
  /** Begin taking work; a durable queue revives stored payloads with `runtime`. */
  start(runtime: CheckJobRuntime): Promise<void>;
  /** Stop taking work, then wait for running jobs; after `timeoutMs` abort or return what is left. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Jobs per installation, for the metrics' `installation` label. */
  depthByInstallation?(): Promise<InstallationDepths>;
}
