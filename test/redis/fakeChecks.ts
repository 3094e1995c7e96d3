// A stand-in for GitHub's check runs and the check flow, shared by the "replicas" of a test: runs
// are created and completed in memory, and a hook decides how long each scan takes. It records
// every completion so a test can count them per head SHA.
import type {
  CheckJobPayload,
  CheckJobRuntime,
  OrgTaskPayload,
  QueueJob,
} from "../../src/queue/index.js";
import { jobPlace, pullKeyOf } from "../../src/queue/index.js";

export interface Completion {
  checkRunId: number;
  headSha: string;
  conclusion: "success" | "cancelled";
  title: string;
  replica: string;
  /** The twins the job knew of when it completed the run (a retried creation's), if any. */
  twinsExternalId?: string;
}

export type ScanHook = (payload: CheckJobPayload, signal: AbortSignal) => Promise<void>;
export type OrgTaskHook = (payload: OrgTaskPayload, signal: AbortSignal) => Promise<void>;

/** An organization task that ran to its end, or was given up (`reason`). */
export interface OrgTaskEnd {
  kind: OrgTaskPayload["kind"];
  deliveryId: string;
  headSha: string;
  replica: string;
  reason?: string;
}

export class FakeChecks {
  readonly completions: Completion[] = [];
  readonly created: { checkRunId: number; headSha: string }[] = [];
  /** Runs that GitHub shows in progress: created and not completed. */
  readonly open = new Set<number>();
  readonly orgTasks: OrgTaskEnd[] = [];
  /** Whether each creation is one that was retried past a missed look, so twins may exist. */
  creationsRetried = false;
  private nextCheckRun = 1;

  /** The runtime one replica revives jobs with; `scan` and `orgTask` stand in for the work. */
  runtime(
    replica: string,
    scan: ScanHook = async () => undefined,
    orgTask: OrgTaskHook = async () => undefined,
  ): CheckJobRuntime {
    return {
      reviveOrgTask: (payload) => {
        const { supersededOn, headSha: sha } = jobPlace(payload);
        const end = (reason?: string) => {
          this.orgTasks.push({
            kind: payload.kind,
            deliveryId: payload.deliveryId,
            headSha: sha,
            replica,
            ...(reason !== undefined ? { reason } : {}),
          });
        };
        return {
          deliveryId: payload.deliveryId,
          pullKey: supersededOn,
          headSha: sha,
          payload,
          run: async (signal) => {
            await orgTask(payload, signal);
            end(signal.aborted ? "aborted" : undefined);
          },
          cancel: async (reason) => end(reason),
        };
      },
      revive: (payload, journal) => {
        let checkRunId = payload.checkRunId;
        const ensureRun = async () => {
          if (checkRunId === undefined) {
            checkRunId = this.nextCheckRun++;
            this.created.push({ checkRunId, headSha: payload.target.headSha });
            this.open.add(checkRunId);
            const twins = this.creationsRetried
              ? `${payload.target.pullNumber}@${payload.deliveryId}`
              : undefined;
            await journal.recordCheckRun(checkRunId, twins);
          }
          return checkRunId;
        };
        const job: QueueJob = {
          deliveryId: payload.deliveryId,
          pullKey: pullKeyOf(payload.target),
          headSha: payload.target.headSha,
          payload,
          run: async (signal) => {
            const id = await ensureRun();
            try {
              await scan(payload, signal);
            } catch (error) {
              if (!signal.aborted) throw error;
            }
            const reason = signal.reason instanceof Error ? signal.reason.message : "";
            this.complete(id, payload, replica, signal.aborted ? `Not scanned: ${reason}` : "");
          },
          cancel: async (reason) => {
            this.complete(await ensureRun(), payload, replica, `Not scanned: ${reason}`);
          },
        };
        return job;
      },
      checkRunInProgress: async (payload) => this.open.has(payload.checkRunId),
    };
  }

  completionsOf(headSha: string): Completion[] {
    return this.completions.filter((c) => c.headSha === headSha);
  }

  private complete(checkRunId: number, payload: CheckJobPayload, replica: string, title: string) {
    this.open.delete(checkRunId);
    this.completions.push({
      checkRunId,
      headSha: payload.target.headSha,
      conclusion: title ? "cancelled" : "success",
      title: title || "passed",
      replica,
      ...(payload.twinsExternalId ? { twinsExternalId: payload.twinsExternalId } : {}),
    });
  }
}

/** A payload for pull request `pullNumber` at a head derived from `head`. */
export function payload(
  pullNumber: number,
  head: number,
  deliveryId: string,
  installationId = 1,
): CheckJobPayload {
  return {
    deliveryId,
    installationId,
    target: {
      owner: "acme",
      repo: "infra",
      pullNumber,
      headSha: headSha(pullNumber, head),
      baseSha: "0".repeat(40),
    },
    acceptedAt: Date.now(),
  };
}

export function headSha(pullNumber: number, head: number): string {
  return `${pullNumber.toString(16).padStart(4, "0")}${head.toString(16).padStart(4, "0")}`.padEnd(
    40,
    "a",
  );
}

/** The queue job a webhook handler would enqueue: a durable queue stores only its payload. */
export function jobFor(payloadValue: CheckJobPayload): QueueJob {
  return {
    deliveryId: payloadValue.deliveryId,
    pullKey: pullKeyOf(payloadValue.target),
    headSha: payloadValue.target.headSha,
    payload: payloadValue,
    run: async () => undefined,
    cancel: async () => undefined,
  };
}

/** Polls `condition` every 20 ms for at most `ms`; a bounded wait, not a timing assertion. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  ms = 15_000,
  what = "condition",
) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A push to the organization's `.github` repository changing a policy, at a commit derived from `commit`. */
export function pushPayload(commit: number, deliveryId: string): OrgTaskPayload {
  return {
    kind: "policy-push",
    deliveryId,
    installationId: 1,
    push: {
      owner: "acme",
      repo: ".github",
      sha: headSha(9000, commit),
      paths: ["policies/s3.rego"],
      complete: true,
      shownPublicly: false,
    },
    acceptedAt: Date.now(),
  };
}

/** The impact preview of `.github` pull request `pullNumber` at a head derived from `head`. */
export function previewPayload(
  pullNumber: number,
  head: number,
  deliveryId: string,
): OrgTaskPayload {
  return {
    kind: "impact-preview",
    deliveryId,
    installationId: 1,
    change: { owner: "acme", pullNumber, headSha: headSha(pullNumber, head) },
    shownPublicly: false,
    acceptedAt: Date.now(),
  };
}

/** The queue job a webhook handler would enqueue for organization work. */
export function orgJobFor(payloadValue: OrgTaskPayload): QueueJob {
  const { supersededOn, headSha: sha } = jobPlace(payloadValue);
  return {
    deliveryId: payloadValue.deliveryId,
    pullKey: supersededOn,
    headSha: sha,
    payload: payloadValue,
    run: async () => undefined,
    cancel: async () => undefined,
  };
}
