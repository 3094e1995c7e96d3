// After a restart without a durable queue: check runs a previous process left in progress (it
// crashed, or was killed without draining) would stay so, since its jobs died with it and GitHub
// sends no event for them. So, once started, the app looks at each installation it has as an
// unsuspension does (resume.ts, narrowed by `leftBefore`) and checks those heads again on their run.
// With Redis the queue retries a dead replica's jobs and re-queues the runs its ledger holds: no sweep.
import { z } from "zod";
import type { GitHubApi } from "../github/index.js";
import { describeError, type FlowLog } from "./checkFlow.js";

const installationSchema = z.object({
  id: z.number().int().positive(),
  // An enterprise installation may have no account; it has no pull requests of its own.
  account: z.object({ login: z.string().min(1) }).nullable(),
  suspended_at: z.string().nullable().optional(),
});

export interface SweepFlow {
  log: FlowLog;
  /** The App's own client (its JWT), which lists the App's installations. */
  appClient: () => Promise<GitHubApi>;
  /** Looks at one installation's open pull requests for runs left in progress. */
  look: (installationId: number, owner: string) => Promise<void>;
}

/**
 * Looks at every installation of the App not suspended (an unsuspension looks at those), one after
 * another; one that fails is logged and the others are looked at all the same.
 */
export async function sweepLeftRuns(flow: SweepFlow): Promise<void> {
  let installations: z.infer<typeof installationSchema>[];
  try {
    const api = await flow.appClient();
    const listed = await api.paginate(api.rest.apps.listInstallations, { per_page: 100 });
    installations = z.array(installationSchema).parse(listed);
  } catch (error) {
    flow.log.error(
      { error: describeError(error) },
      "could not list the App's installations: runs a previous process left in progress stay so until their pull request's next push or re-run",
    );
    return;
  }
  const looked = installations.flatMap(({ id, account, suspended_at: suspendedAt }) =>
    account && !suspendedAt ? [{ id, owner: account.login }] : [],
  );
  const failed: number[] = [];
  for (const { id, owner } of looked) {
    try {
      await flow.look(id, owner);
    } catch (error) {
      failed.push(id);
      flow.log.warn(
        { installation: id, owner, error: describeError(error) },
        "could not look at an installation for runs a previous process left in progress",
      );
    }
  }
  flow.log.info(
    {
      installations: installations.length,
      looked: looked.length - failed.length,
      failed,
      passedOver: installations.length - looked.length,
    },
    "looked for runs a previous process left in progress",
  );
}
