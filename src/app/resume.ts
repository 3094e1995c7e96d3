// An installation unsuspended. While suspended GitHub refused every request of the installation and
// sent it no webhooks: a check then scanning could not complete its run, which stayed in progress,
// and pushes then made were never checked. So each open pull request whose head has no completed
// Tollgate run is checked again, on the run the suspension left in progress when there is one.
import { z } from "zod";
import type { GitHubApi } from "../github/index.js";
import { listOpenPulls, mapLimited, type OpenPull, type OpenPullLimits } from "../org/index.js";
import type { FlowLog } from "./checkFlow.js";
import { checkRunsOn, ownAppId } from "./checkRuns.js";

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

export interface ResumeFlow {
  log: FlowLog;
  /** Queues a check of `pull` (the app's normal check job), on run `checkRunId` when given. */
  enqueueCheck: (pull: OpenPull, checkRunId: number | undefined) => Promise<unknown>;
  /** Completes run `checkRunId` of `pull` as cancelled, saying why. */
  cancelRun: (pull: OpenPull, checkRunId: number, reason: string) => Promise<void>;
  limits?: OpenPullLimits;
}

/** Older runs of a head left in progress beside the one checked again, or a completed newer one. */
export const STALE_RUN_REASON = "a newer Tollgate run of this commit has its result";

export async function resumeInstallation(
  api: GitHubApi,
  owner: string,
  flow: ResumeFlow,
): Promise<void> {
  const appId = await ownAppId(api);
  const open = await listOpenPulls(api, owner, undefined, flow.limits);
  const outcomes = await mapLimited(open.pulls, 4, async (pull) => {
    const runs = appId === undefined ? [] : await checkRunsOn(api, pull, pull.headSha, appId);
    const newest = runs[0];
    const resumed = newest?.status === "completed" ? undefined : newest;
    for (const run of runs)
      if (run !== resumed && run.status !== "completed")
        await flow.cancelRun(pull, run.id, STALE_RUN_REASON);
    if (newest && !resumed) return "complete";
    await flow.enqueueCheck(pull, resumed?.id);
    return resumed ? "resumed" : "unchecked";
  });
  const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
  flow.log.info(
    {
      owner,
      repositories: open.repositories,
      resumed: count("resumed"),
      unchecked: count("unchecked"),
      complete: count("complete"),
      leftOut: open.leftOut,
      truncated: open.truncated,
    },
    "installation unsuspended: open pull requests without a completed run queued for a check",
  );
}
