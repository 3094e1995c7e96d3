// An installation unsuspended. While suspended GitHub refused every request of the installation and
// sent it no webhooks: a check then scanning could not complete its run, which stayed in progress,
// and pushes then made were never checked. So each open pull request whose head has no completed
// Tollgate run is checked again, on the run the suspension left in progress when there is one, and
// the runs the suspension kept from completing whose commit heads no open pull request now are
// completed as cancelled. GitHub lists check runs per commit only, never per repository, so those
// runs are the ones noted as they failed (`SuspendedRunStore`: in Redis beside a Redis queue, so
// the replica that looks need not be the one that noted them). The same look, narrowed, settles after
// a restart the runs a previous process left in progress (`leftBefore`, sweep.ts).
import { z } from "zod";
import type { GitHubApi } from "../github/index.js";
import type { SuspendedRun, SuspendedRunStore } from "../queue/index.js";
import {
  listOpenPulls,
  mapLimited,
  RESUME_PULL_LIMITS,
  type OpenPullLimits,
} from "../org/index.js";
import type { CheckTarget } from "./events.js";
import { checkRunsOn, ownAppId, type OurCheckRun } from "./checkRuns.js";
import { pullHeadedBy } from "./pulls.js";
import { recheckUnlisted, type UnlistedFlow } from "./recheck.js";

const installationEvent = z.object({
  installation: z.object({
    id: z.number().int().positive(),
    account: z.object({ login: z.string().min(1) }),
  }),
});

export type ResumeRequest =
  { kind: "resume"; installationId: number; owner: string } | { kind: "ignore"; reason: string };

export function resumeRequest(payload: unknown): ResumeRequest {
  const event = installationEvent.safeParse(payload);
  if (!event.success) return { kind: "ignore", reason: "payload lacks the installation's account" };
  const { id, account } = event.data.installation;
  return { kind: "resume", installationId: id, owner: account.login };
}

export interface ResumeFlow extends UnlistedFlow {
  /**
   * Queues a check of `pull` (the app's normal check job), on run `checkRunId` when given. With
   * `newest: false` it checks that commit alone and supersedes no other check of the pull request,
   * whose head may have moved on.
   */
  enqueueCheck: (
    pull: CheckTarget,
    checkRunId: number | undefined,
    options?: { newest: boolean },
  ) => Promise<unknown>;
  /** Completes run `checkRunId` of `pull` as cancelled, saying why. */
  cancelRun: (pull: CheckTarget, checkRunId: number, reason: string) => Promise<void>;
  /** Runs noted left in progress by the suspension. */
  suspendedRuns?: SuspendedRunStore;
  limits?: OpenPullLimits;
  /** Aborted when a newer unsuspension of the installation supersedes this one. */
  signal?: AbortSignal;
  /**
   * A look after a restart rather than an unsuspension: only heads whose newest run is still in
   * progress and began before this time (a previous process's, which died with its job) are checked
   * again, on that run. A run begun since is this process's own work; a head without a run, or
   * whose runs cannot be read, is left to its pull request's events.
   */
  leftBefore?: Date;
}

/** Older runs of a head left in progress beside the one checked again, or a completed newer one. */
export const STALE_RUN_REASON = "a newer Tollgate run of this commit has its result";

/** A run the suspension left in progress on a commit that heads no open pull request now. */
export const LEFT_RUN_REASON =
  "the installation was suspended during this check, and the commit heads no open pull request now";

export async function resumeInstallation(
  api: GitHubApi,
  owner: string,
  flow: ResumeFlow,
): Promise<void> {
  const signal = flow.signal;
  const left = (await flow.suspendedRuns?.runsOf(owner)) ?? [];
  // Each listed pull request costs one more request, for its runs, at the same pace.
  const limits = { ...RESUME_PULL_LIMITS, ...flow.limits };
  try {
    const appId = await ownAppId(api);
    const open = await listOpenPulls(api, owner, undefined, limits, signal);
    // One pull request whose runs cannot be read or completed (its repository removed meanwhile,
    // an outage) must not strand the others: a look failing the same way at each retry would.
    const warn = (pull: CheckTarget, error: unknown, message: string) =>
      flow.log.warn(
        { owner, repo: pull.repo, pull: pull.pullNumber, error: String(error) },
        message,
      );
    const outcomes = await mapLimited(open.pulls, limits.concurrency, async (pull) => {
      signal?.throwIfAborted();
      let runs: Awaited<ReturnType<typeof checkRunsOn>>;
      try {
        runs = appId === undefined ? [] : await checkRunsOn(api, pull, pull.headSha, appId);
      } catch (error) {
        if (signal?.aborted) throw error;
        if (flow.leftBefore !== undefined) {
          warn(pull, error, "could not read a pull request's check runs: left as they are");
          return "unread";
        }
        warn(pull, error, "could not read a pull request's check runs: checked on a new run");
        await flow.enqueueCheck(pull, undefined);
        return "unread";
      }
      const newest = runs[0];
      const resumed = newest?.status === "completed" ? undefined : newest;
      for (const run of runs)
        if (run !== resumed && run.status !== "completed")
          await flow.cancelRun(pull, run.id, STALE_RUN_REASON).catch((error: unknown) => {
            if (signal?.aborted) throw error;
            warn(pull, error, "could not complete a stale check run");
          });
      if (newest && !resumed) return "complete";
      if (flow.leftBefore !== undefined) {
        if (!resumed) return "without-run";
        if (!begunBefore(resumed, flow.leftBefore)) return "running";
      }
      await flow.enqueueCheck(pull, resumed?.id);
      return resumed ? "resumed" : "unchecked";
    });
    const listed = new Set(open.pulls.map(headKey));
    const elsewhere = left.filter((run) => !listed.has(headKey(run)));
    const leftOutcomes = await mapLimited(elsewhere, limits.concurrency, async (run) => {
      signal?.throwIfAborted();
      // One run that cannot be read (its repository removed meanwhile, an outage) must not
      // strand the others taken with it.
      try {
        return await settleLeftRun(api, run, flow);
      } catch (error) {
        if (signal?.aborted) throw error;
        flow.log.warn(
          { owner, repo: run.repo, checkRunId: run.checkRunId, error: String(error) },
          "could not settle a check run the suspension left in progress",
        );
        return "failed";
      }
    });
    // Settled, or given up on for this look, as a run that cannot be read was before. A look stopped
    // or failed before here forgets none: the next (or the newer one running beside) settles them.
    await flow.suspendedRuns?.forget(
      owner,
      left.map((run) => run.checkRunId),
    );
    await recheckUnlisted(owner, open.unlisted, flow);
    const count = (outcome: string) =>
      [...outcomes, ...leftOutcomes].filter((o) => o === outcome).length;
    const counts = {
      owner,
      repositories: open.repositories,
      resumed: count("resumed"),
      unread: count("unread"),
      complete: count("complete"),
      leftOut: open.leftOut,
      truncated: open.truncated,
    };
    if (flow.leftBefore !== undefined)
      flow.log.info(
        { ...counts, running: count("running"), withoutRun: count("without-run") },
        "restarted: runs a previous process left in progress queued for a check on the same run",
      );
    else
      flow.log.info(
        { ...counts, unchecked: count("unchecked"), cancelled: count("cancelled") },
        "installation unsuspended: open pull requests without a completed run queued for a check",
      );
  } catch (error) {
    if (!signal?.aborted) throw error;
    flow.log.info({ owner }, "installation resume stopped: a newer unsuspension took its place");
  }
}

const headKey = (pull: { repo: string; headSha: string }) => `${pull.repo}@${pull.headSha}`;

/** Whether `run` began before `time`; one GitHub gives no start time for is taken as older. */
const begunBefore = (run: OurCheckRun, time: Date) =>
  run.startedAt === undefined || Date.parse(run.startedAt) < time.getTime();

/**
 * A noted run whose commit no listed open pull request heads: checked again if it heads one the
 * bounds left out, else completed as cancelled, unless it was completed meanwhile. When the
 * repository has too many open pull requests to tell, the run's own commit is checked against the
 * base it was noted with: its scan completes it with a verdict, as it would have without the
 * suspension, whether or not an open pull request shows it.
 */
async function settleLeftRun(
  api: GitHubApi,
  run: SuspendedRun,
  flow: ResumeFlow,
): Promise<"resumed" | "cancelled" | "complete"> {
  const { data } = await api.rest.checks.get({
    owner: run.owner,
    repo: run.repo,
    check_run_id: run.checkRunId,
  });
  if (data.status === "completed") return "complete";
  const heads = await pullHeadedBy(api, { ...run, pullNumbers: [run.pullNumber] });
  if (typeof heads === "object") {
    await flow.enqueueCheck(heads, run.checkRunId);
    return "resumed";
  }
  if (heads === "gave-up") {
    const { checkRunId, ...commit } = run;
    await flow.enqueueCheck(commit, checkRunId, { newest: false });
    return "resumed";
  }
  await flow.cancelRun(run, run.checkRunId, LEFT_RUN_REASON);
  return "cancelled";
}
