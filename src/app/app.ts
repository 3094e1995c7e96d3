// The Probot app: thin handlers that validate an event, decide whether and what to scan, create the
// check run at once and queue the work (src/app/checkFlow.ts does it). The engine and the queue are
// parameters, so the lead wires the real engine and tests pass a fake one. With a durable queue the
// handler only enqueues the job's payload (its run created once the queue claims the work), and
// workers in any replica revive and run it; organization
// work (policy pushes, impact previews) is queued the same way then, and in-process tasks otherwise.
import type { ApplicationFunction, Context, Probot } from "probot";
import { z } from "zod";
import type { ScanEngine } from "../engine/types.js";
import {
  installationSuspended,
  BlobCache,
  InstallationSight,
  LastValidSettings,
  type GitHubApi,
  type SnapshotLimits,
} from "../github/index.js";
import { OrgPolicies } from "../org/index.js";
import {
  InProcessQueue,
  InProcessSuspendedRuns,
  type CheckJobPayload,
  type CheckJobRuntime,
  type EnqueueOutcome,
  type JobJournal,
  type JobQueue,
  type OrgTaskPayload,
  type QueueJob,
  jobPlace,
  pullKeyOf,
} from "../queue/index.js";
import {
  cancelCheck,
  completeUnscannedRerun,
  createCheckRun,
  describeError,
  runCheck,
  type CheckFlowOptions,
  type CheckRunRef,
  type FlowLog,
} from "./checkFlow.js";
import {
  commentScan,
  commitScan,
  pullRequestEditScan,
  pullRequestScan,
  requestedActionScan,
  type CheckTarget,
  type ScanRequest,
} from "./events.js";
import { runCommentCommands, type CommandContext } from "./commentCommands.js";
import {
  defaultBranchPush,
  defaultBranchRequest,
  handleImpact,
  handlePush,
  impactRequest,
  organizationRerunRequest,
  pushRequest,
  type DefaultBranchRequest,
  type ImpactRequest,
  type PushRequest,
} from "./org.js";
import { pullHeadedBy, pullStanding } from "./pulls.js";
import {
  installedRequest,
  recheckInstallation,
  recheckRequest,
  type RecheckRequest,
} from "./recheck.js";
import { resumeInstallation, resumeRequest } from "./resume.js";
import { sweepLeftRuns } from "./sweep.js";
import { BackgroundTasks } from "./tasks.js";

export interface TollgateAppOptions {
  engine: ScanEngine;
  /** Defaults to an in-process queue running 4 checks at once; a durable one is started here. */
  queue?: JobQueue;
  /** Fetch and scan budget per check; defaults to 5 minutes. */
  timeoutMs?: number;
  limits?: SnapshotLimits;
  completionRetryDelaysMs?: readonly number[];
  /** Custom policy folders' compile cache and evaluation bounds; a fresh one by default. */
  customPolicies?: OrgPolicies;
  /** Where organization-wide work (policy checks, re-runs, previews) runs; tests wait on it. */
  tasks?: BackgroundTasks;
  /**
   * `afterMs` after start, look for check runs a previous process left in progress and check them
   * again (sweep.ts); in process only: a durable queue retries the jobs of a replica that died.
   */
  settleLeftRuns?: { afterMs: number };
}

/**
 * A job that failed outside its check run (the run could not be created or completed, say with
 * GitHub unreachable), named by the delivery that asked for it, which GitHub can redeliver.
 */
export function logFailedJob(
  log: Pick<FlowLog, "error" | "warn">,
  job: QueueJob,
  error: unknown,
): void {
  const fields = {
    delivery: job.deliveryId,
    pull: job.pullKey,
    headSha: job.headSha,
    error: describeError(error),
  };
  // GitHub refuses every request of a suspended installation; unsuspending it checks again.
  if (installationSuspended(error))
    log.warn(fields, "check job stopped: the installation is suspended until unsuspended");
  else log.error(fields, "check job failed");
}

export function createTollgateApp(options: TollgateAppOptions): ApplicationFunction {
  return async (app: Probot) => {
    // Runs begun before this are a previous process's (the app sends its own clock as `started_at`).
    const startedAt = new Date();
    const queue: JobQueue =
      options.queue ??
      new InProcessQueue({
        onJobError: (job, error) => logFailedJob(app.log, job, error),
      });
    const customPolicies = options.customPolicies ?? new OrgPolicies({ log: app.log });
    // Beside a Redis queue, in Redis: the unsuspension may be looked at in another replica.
    const suspendedRuns = queue.suspendedRuns ?? new InProcessSuspendedRuns();
    // Each push of a pull request reads only the Terraform files and IaC it has not read before.
    const limits: SnapshotLimits = { cache: new BlobCache(), ...options.limits };
    const flow: CheckFlowOptions = {
      engine: options.engine,
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      log: app.log,
      // Beside a Redis queue, in Redis too: every replica applies the same last valid settings.
      lastValidSettings: new LastValidSettings(undefined, queue.replicaMemory),
      // Beside a Redis queue, forgotten in Redis too: the checks a change queues run in any replica.
      installationSight: new InstallationSight(
        undefined,
        undefined,
        undefined,
        queue.replicaMemory,
      ),
      customPolicies,
      onSuspended: (target, checkRunId) => suspendedRuns.note({ ...target, checkRunId }),
      limits,
      ...(options.completionRetryDelaysMs
        ? { completionRetryDelaysMs: options.completionRetryDelaysMs }
        : {}),
    };

    /**
     * Queues the check of a pull request that org work (a push, an unsuspended installation)
     * found; a durable job fails instead when the queue has closed, to be retried in a replica
     * that takes work.
     */
    const requeue = async (
      api: GitHubApi,
      log: FlowLog,
      deliveryId: string,
      installationId: number | undefined,
      pull: CheckTarget,
      {
        checkRunId,
        newest = true,
        settingsChanged = false,
      }: { checkRunId?: number | undefined; newest?: boolean; settingsChanged?: boolean } = {},
    ) => {
      const outcome = await enqueueCheck(
        log,
        installationId,
        api,
        pull,
        queue,
        flow,
        runtime,
        // A check of its own commit is its own work: it must not be taken for the pull request's.
        `${deliveryId}:${pullKeyOf(pull)}${newest ? "" : `@${pull.headSha}`}`,
        { checkRunId, newest, settingsChanged },
      );
      if (outcome === "closed" && queue.durable)
        throw new Error(`the queue closed before ${pullKeyOf(pull)} was queued again`);
    };
    /**
     * With a durable queue, a re-check of the repositories whose open pull requests org work could
     * not list, as its own task (retried by the queue); one per delivery, so a retried task adds none
     * (named `<delivery>-unlisted`: BullMQ refuses a job id holding `:`).
     */
    const recheckLater = (
      deliveryId: string,
      installationId: number | undefined,
      owner: string,
    ): { recheckLater?: (repositories: string[]) => Promise<void> } =>
      queue.durable && installationId !== undefined
        ? {
            recheckLater: async (repositories) => {
              const outcome = await queue.enqueue(
                runtime.reviveOrgTask({
                  kind: "installation-recheck",
                  deliveryId: `${deliveryId}-unlisted`,
                  installationId,
                  owner,
                  repositories,
                  acceptedAt: Date.now(),
                }),
              );
              if (outcome === "closed")
                throw new Error(
                  `the queue closed before ${repositories.join(", ")} were re-checked`,
                );
            },
          }
        : {};
    const push: OrgWork["push"] = (api, pushed, log, deliveryId, installationId) =>
      handlePush(api, pushed, {
        customPolicies,
        reservedRuleIds: (options.engine.builtinRules ?? []).map((rule) => rule.id),
        ...(options.engine.builtinRules ? { builtinRules: options.engine.builtinRules } : {}),
        log,
        // A push reaching here changed settings or policies the checks read.
        enqueueCheck: (pull) =>
          requeue(api, log, deliveryId, installationId, pull, { settingsChanged: true }),
        ...recheckLater(deliveryId, installationId, pushed.owner),
      });
    const orgWork: OrgWork = {
      push,
      // Read in the task, which a durable queue retries: GitHub failing to answer it is no
      // failed delivery that nothing would redo.
      defaultBranch: async (api, change, log, deliveryId, installationId) => {
        const pushed = await defaultBranchPush(api, change);
        log.info(
          { delivery: deliveryId, owner: change.owner, repo: change.repo, branch: change.branch },
          "default branch head taken as pushed (a new default branch, or Re-run on Tollgate policies)",
        );
        await push(api, pushed, log, deliveryId, installationId);
      },
      impact: (api, request, log) =>
        handleImpact(api, request, {
          engine: options.engine,
          customPolicies,
          now: new Date(),
          log,
          limits,
        }),
      // Looks need no order: each reads the noted runs and forgets them only once it has ended.
      resume: (api, owner, log, deliveryId, installationId, signal) =>
        resumeInstallation(api, owner, {
          log,
          enqueueCheck: (pull, checkRunId, { newest } = { newest: true }) =>
            requeue(api, log, deliveryId, installationId, pull, { checkRunId, newest }),
          cancelRun: (pull, checkRunId, reason) =>
            cancelCheck(api, pull, { id: checkRunId }, reason, flow),
          suspendedRuns,
          ...recheckLater(deliveryId, installationId, owner),
          ...(signal ? { signal } : {}),
        }),
      recheck: (api, owner, log, deliveryId, installationId, repositories, signal) =>
        recheckInstallation(
          api,
          owner,
          {
            log,
            // `.github` came into sight or left it, or repositories were added: what checks read changed.
            enqueueCheck: (pull) =>
              requeue(api, log, deliveryId, installationId, pull, { settingsChanged: true }),
            ...recheckLater(deliveryId, installationId, owner),
            ...(signal ? { signal } : {}),
          },
          repositories,
        ),
    };
    const runtime = checkJobRuntime(app, flow, orgWork);
    await queue.start(runtime);
    const tasks =
      options.tasks ??
      new BackgroundTasks((name, error) =>
        app.log.error({ task: name, error: describeError(error) }, "background task failed"),
      );
    /** Durable work when the queue is; a task in this process otherwise, as before Redis. */
    const startOrgTask = async (
      context: Context,
      payload: OrgTaskPayload,
      work: () => Promise<void>,
    ) => {
      if (!queue.durable) {
        tasks.run(`${payload.kind} ${jobPlace(payload).jobId}`, work);
        return;
      }
      const outcome = await queue.enqueue(runtime.reviveOrgTask(payload));
      context.log.info(
        { delivery: payload.deliveryId, kind: payload.kind, outcome },
        "organization task requested",
      );
      refuseIfClosed(outcome, payload.deliveryId);
    };
    const settleLeftRuns = () =>
      tasks.run("settle runs left in progress", () =>
        sweepLeftRuns({
          log: app.log,
          appClient: () => app.auth(),
          look: async (installationId, owner) => {
            const api = await app.auth(installationId);
            const deliveryId = `restart-${startedAt.toISOString()}`;
            await resumeInstallation(api, owner, {
              log: app.log,
              enqueueCheck: (pull, checkRunId) =>
                requeue(api, app.log, deliveryId, installationId, pull, { checkRunId }),
              cancelRun: (pull, checkRunId, reason) =>
                cancelCheck(api, pull, { id: checkRunId }, reason, flow),
              leftBefore: startedAt,
            });
          },
        }),
      );
    const leftRunsAfterMs = options.settleLeftRuns?.afterMs;
    if (leftRunsAfterMs !== undefined && !queue.durable) {
      if (leftRunsAfterMs > 0) setTimeout(settleLeftRuns, leftRunsAfterMs).unref();
      else settleLeftRuns();
    }
    const appId = lazyAppId(app);
    /** In-process resumes running, by installation. */
    const resuming = new Map<number, AbortController>();

    const startImpact = (
      context: Context,
      request: Extract<ImpactRequest, { kind: "preview" }>,
    ) => {
      const installationId = installationOf(context.payload);
      const payload: OrgTaskPayload = {
        kind: "impact-preview",
        deliveryId: context.id,
        ...(installationId !== undefined ? { installationId } : {}),
        change: request.change,
        shownPublicly: request.shownPublicly,
        acceptedAt: Date.now(),
      };
      return startOrgTask(context, payload, () =>
        orgWork.impact(context.octokit, request, context.log),
      );
    };
    /** The default branch's head taken as pushed, read in the task (durable with Redis). */
    const startDefaultBranch = (
      context: Context,
      request: Extract<DefaultBranchRequest, { kind: "default-branch" }>,
    ) => {
      const installationId = installationOf(context.payload);
      const { owner, repo, branch, shownPublicly } = request;
      const payload: OrgTaskPayload = {
        kind: "default-branch",
        deliveryId: context.id,
        ...(installationId !== undefined ? { installationId } : {}),
        change: { owner, repo, branch, shownPublicly },
        acceptedAt: Date.now(),
      };
      return startOrgTask(context, payload, () =>
        orgWork.defaultBranch(context.octokit, request, context.log, context.id, installationId),
      );
    };
    const startPush = (context: Context, request: Extract<PushRequest, { kind: "push" }>) => {
      const installationId = installationOf(context.payload);
      const { owner, repo, sha, paths, complete, shownPublicly } = request;
      const payload: OrgTaskPayload = {
        kind: "policy-push",
        deliveryId: context.id,
        ...(installationId !== undefined ? { installationId } : {}),
        push: { owner, repo, sha, paths, complete, shownPublicly },
        acceptedAt: Date.now(),
      };
      return startOrgTask(context, payload, () =>
        orgWork.push(context.octokit, request, context.log, context.id, installationId),
      );
    };
    const handle = async (context: Context, request: ScanRequest) => {
      const api = context.octokit;
      const fields = { delivery: context.id, event: context.name };
      if (request.kind === "ignore") {
        context.log.debug({ ...fields, reason: request.reason }, "event ignored");
        return;
      }
      let target: CheckTarget | undefined;
      // Re-runs and comments find the pull request's head as GitHub has it now; a pull request
      // event's payload may be an old delivery's, whose head then must not supersede newer work.
      let newest = true;
      if (request.kind === "pull") {
        const delivered = request.target;
        const standing = await pullStanding(api, delivered, request.delivered);
        if (standing.kind === "old-base") {
          context.log.info(
            { ...fields, pull: delivered.pullNumber, baseRef: request.delivered.baseRef },
            "old delivery: the pull request's base branch changed since; not scanned",
          );
          return;
        }
        newest = standing.kind === "newest";
        target = standing.kind === "newest" ? standing.target : delivered;
        if (target.baseSha !== delivered.baseSha)
          context.log.info(
            {
              ...fields,
              pull: target.pullNumber,
              delivered: delivered.baseSha,
              now: target.baseSha,
            },
            "the pull request's base commit moved since the event; checked against GitHub's",
          );
      } else if (request.kind === "commit") {
        const found = await pullHeadedBy(api, request);
        if (found === "none" || found === "gave-up") {
          await completeUnscannedRerun(api, request, found);
          context.log.info(
            { ...fields, headSha: request.headSha, found },
            "re-run of a commit that heads no open pull request: completed unscanned",
          );
          return;
        }
        target = found;
      } else target = await runCommentCommands(commandContext(context, api, flow, appId), request);
      if (!target) {
        context.log.info({ ...fields, kind: request.kind }, "no open pull request to scan");
        return;
      }
      const installationId = installationOf(context.payload);
      const outcome = await enqueueCheck(
        context.log,
        installationId,
        api,
        target,
        queue,
        flow,
        runtime,
        context.id,
        { newest },
      );
      refuseIfClosed(outcome, context.id);
    };

    app.on(
      [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.reopened",
        "pull_request.ready_for_review",
      ],
      (context) => handle(context, pullRequestScan(context.payload)),
    );
    app.on("pull_request.edited", (context) =>
      handle(context, pullRequestEditScan(context.payload)),
    );
    app.on(
      [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.reopened",
        "pull_request.ready_for_review",
      ],
      (context) => {
        const request = impactRequest(context.payload);
        if (request.kind === "ignore") return;
        return startImpact(context, request);
      },
    );
    app.on("check_suite.rerequested", (context) =>
      handle(context, commitScan(context.payload, "check_suite")),
    );
    app.on("check_run.rerequested", (context) => {
      // Re-run on a run organization work published redoes that work; on `Tollgate`, the scan.
      const rerun = organizationRerunRequest(context.payload);
      if (rerun.kind === "not-organization")
        return handle(context, commitScan(context.payload, "check_run"));
      context.log.info(
        { delivery: context.id, kind: rerun.kind, ...(rerun.kind === "ignore" ? rerun : {}) },
        "re-run of an organization check",
      );
      if (rerun.kind === "default-branch") return startDefaultBranch(context, rerun);
      if (rerun.kind === "preview") return startImpact(context, rerun);
    });
    app.on("check_run.requested_action", (context) =>
      handle(context, requestedActionScan(context.payload)),
    );
    app.on("issue_comment.created", (context) => handle(context, commentScan(context.payload)));
    // GitHub sends `installation` events to every App unasked: no event or permission to add.
    app.on("installation.unsuspend", (context) => {
      const request = resumeRequest(context.payload);
      if (request.kind === "ignore") {
        context.log.debug({ delivery: context.id, reason: request.reason }, "unsuspend ignored");
        return;
      }
      const { installationId, owner } = request;
      const payload: OrgTaskPayload = {
        kind: "installation-resume",
        deliveryId: context.id,
        installationId,
        owner,
        acceptedAt: Date.now(),
      };
      // In process, as a durable queue supersedes its job: a newer unsuspension stops the older
      // one's look, whether it runs or still waits for a task slot.
      const resume = new AbortController();
      if (!queue.durable) {
        resuming.get(installationId)?.abort();
        resuming.set(installationId, resume);
      }
      return startOrgTask(context, payload, async () => {
        try {
          await orgWork.resume(
            context.octokit,
            owner,
            context.log,
            context.id,
            installationId,
            resume.signal,
          );
        } finally {
          if (resuming.get(installationId) === resume) resuming.delete(installationId);
        }
      });
    });
    /** The repositories the installation sees may have changed: ask again whether `.github` is one. */
    const forgetSight = async (context: Context) => {
      const owner = installationAccountOf(context.payload);
      if (owner !== undefined) await flow.installationSight?.forget(owner);
    };
    /** Open pull requests the installation's change puts under Tollgate's checks (recheck.ts). */
    const startRecheck = (context: Context, request: RecheckRequest) => {
      if (request.kind === "ignore") {
        context.log.debug({ delivery: context.id, reason: request.reason }, "repositories ignored");
        return;
      }
      const { installationId, owner, change, repositories } = request;
      context.log.info(
        { delivery: context.id, owner, change, repositories: repositories?.length },
        "the installation's repositories changed: open pull requests to check",
      );
      const payload: OrgTaskPayload = {
        kind: "installation-recheck",
        deliveryId: context.id,
        installationId,
        owner,
        ...(repositories ? { repositories } : {}),
        acceptedAt: Date.now(),
      };
      return startOrgTask(context, payload, () =>
        orgWork.recheck(
          context.octokit,
          owner,
          context.log,
          context.id,
          installationId,
          repositories,
        ),
      );
    };
    // A new installation's open pull requests would otherwise wait for their next push (a required
    // check shows "Expected" until then). Forgotten first, as below.
    app.on("installation", async (context) => {
      await forgetSight(context);
      if (context.payload.action === "created")
        await startRecheck(context, installedRequest(context.payload));
    });
    // Sent to every App unasked, as `installation` is. Forgotten first, in every replica, so the
    // checks it queues do not take an answer from before.
    app.on("installation_repositories", async (context) => {
      await forgetSight(context);
      await startRecheck(context, recheckRequest(context.payload));
    });
    app.on("push", (context) => {
      const request = pushRequest(context.payload);
      if (request.kind === "ignore") {
        context.log.debug({ delivery: context.id, reason: request.reason }, "push ignored");
        return;
      }
      return startPush(context, request);
    });
    // No push is sent when another branch becomes the default, yet settings are read from it.
    app.on("repository.edited", (context) => {
      const request = defaultBranchRequest(context.payload);
      if (request.kind === "ignore") {
        context.log.debug({ delivery: context.id, reason: request.reason }, "edit ignored");
        return;
      }
      return startDefaultBranch(context, request);
    });
  };
}

/**
 * Work a draining queue refused fails its webhook: the delivery is answered 500 and shows as failed
 * in the App's advanced settings, to be redelivered, instead of being taken and silently dropped.
 */
function refuseIfClosed(outcome: EnqueueOutcome, deliveryId: string): void {
  if (outcome === "closed")
    throw new Error(
      `the app is shutting down and took no new work: redeliver ${deliveryId} once it is back`,
    );
}

const installationField = z.object({ installation: z.object({ id: z.number().int().positive() }) });

function installationOf(payload: unknown): number | undefined {
  const installation = installationField.safeParse(payload);
  return installation.success ? installation.data.installation.id : undefined;
}

const installationAccount = z.object({
  installation: z.object({ account: z.object({ login: z.string().min(1) }) }),
});

function installationAccountOf(payload: unknown): string | undefined {
  const installation = installationAccount.safeParse(payload);
  return installation.success ? installation.data.installation.account.login : undefined;
}

/** Organization work with its client and log given, so the webhook and a revived job share it. */
interface OrgWork {
  push(
    api: GitHubApi,
    push: Extract<PushRequest, { kind: "push" }>,
    log: FlowLog,
    deliveryId: string,
    installationId: number | undefined,
  ): Promise<void>;
  /** A new default branch: its head read, then taken as a push that may change anything. */
  defaultBranch(
    api: GitHubApi,
    change: Extract<DefaultBranchRequest, { kind: "default-branch" }>,
    log: FlowLog,
    deliveryId: string,
    installationId: number | undefined,
  ): Promise<void>;
  impact(
    api: GitHubApi,
    request: Extract<ImpactRequest, { kind: "preview" }>,
    log: FlowLog,
  ): Promise<void>;
  resume(
    api: GitHubApi,
    owner: string,
    log: FlowLog,
    deliveryId: string,
    installationId: number,
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * Checks every open pull request again (the installation gained or lost `.github`), or those of
   * `repositories` (added to it).
   */
  recheck(
    api: GitHubApi,
    owner: string,
    log: FlowLog,
    deliveryId: string,
    installationId: number,
    repositories: readonly string[] | undefined,
    signal?: AbortSignal,
  ): Promise<void>;
}

/**
 * In process, the job holds the webhook's client and its check run is created at once. A durable
 * queue stores only the payload: the job is the one a worker revives, and its run is created
 * `queued` once the queue has claimed the work, before the job waits for a worker, so a head's
 * older (maybe green) run is not the newest meanwhile; the worker completes that run.
 * `newest: false` when the head is not known to be the pull request's newest; `checkRunId` a run
 * the check completes instead of creating one (one a suspension left in progress).
 */
async function enqueueCheck(
  log: FlowLog,
  installationId: number | undefined,
  api: GitHubApi,
  target: CheckTarget,
  queue: JobQueue,
  flow: CheckFlowOptions,
  runtime: CheckJobRuntime,
  deliveryId: string,
  {
    newest = true,
    checkRunId,
    settingsChanged = false,
  }: { newest?: boolean; checkRunId?: number | undefined; settingsChanged?: boolean } = {},
): Promise<EnqueueOutcome> {
  const payload: CheckJobPayload = {
    deliveryId,
    ...(installationId !== undefined ? { installationId } : {}),
    target: {
      owner: target.owner,
      repo: target.repo,
      pullNumber: target.pullNumber,
      headSha: target.headSha,
      baseSha: target.baseSha,
    },
    acceptedAt: Date.now(),
    ...(newest ? {} : { notNewest: true as const }),
    ...(checkRunId !== undefined ? { checkRunId } : {}),
    ...(settingsChanged ? { settingsChanged: true as const } : {}),
  };
  const held = queue.durable ? undefined : heldCheck(api, payload, flow);
  const job =
    held?.queueJob ??
    runtime.revive(payload, {
      recordCheckRun: async () => undefined,
      retried: false,
    });
  const outcome = await queue.enqueue(job, {
    openRun: async (queued) => {
      const run = await createCheckRun(api, queued.target, queued.deliveryId, { waiting: true });
      return {
        ...queued,
        checkRunId: run.id,
        ...(run.twinsExternalId !== undefined ? { twinsExternalId: run.twinsExternalId } : {}),
      };
    },
  });
  log.info(
    { delivery: deliveryId, pull: target.pullNumber, headSha: target.headSha, newest, outcome },
    "check requested",
  );
  if (outcome === "queued") held?.created();
  return outcome;
}

/**
 * A job that runs here with the webhook's client; `created` opens its check run once it is queued,
 * or takes the payload's.
 */
function heldCheck(
  api: GitHubApi,
  payload: CheckJobPayload,
  flow: CheckFlowOptions,
): { queueJob: QueueJob; created: () => void } {
  const target = payload.target;
  let checkRunCreated: (run: CheckRunRef) => void = () => undefined;
  let checkRunFailed: (error: unknown) => void = () => undefined;
  const checkRun = new Promise<CheckRunRef>((resolve, reject) => {
    checkRunCreated = resolve;
    checkRunFailed = reject;
  });
  // A job still waiting in the queue hears of a failed creation only when it starts: until then
  // the rejection would be unobserved, which ends the process. `run` and `cancel` still see it.
  checkRun.catch(() => undefined);
  return {
    queueJob: {
      deliveryId: payload.deliveryId,
      pullKey: jobPlace(payload).supersededOn,
      headSha: target.headSha,
      payload,
      run: async (signal) => runCheck(api, target, await checkRun, flow, signal),
      cancel: async (reason) => cancelCheck(api, target, await checkRun, reason, flow),
    },
    created: () =>
      payload.checkRunId !== undefined
        ? checkRunCreated({ id: payload.checkRunId })
        : void createCheckRun(api, target, payload.deliveryId).then(
            checkRunCreated,
            checkRunFailed,
          ),
  };
}

/** How any replica runs a stored payload: as the installation, on the run the job recorded or a new one. */
function checkJobRuntime(app: Probot, flow: CheckFlowOptions, orgWork: OrgWork): CheckJobRuntime {
  const installationClient = async (payload: {
    installationId?: number | undefined;
  }): Promise<GitHubApi> => {
    if (payload.installationId === undefined)
      throw new Error("the job names no installation to run as");
    return app.auth(payload.installationId);
  };
  return {
    revive: (payload, journal) => revivedCheck(installationClient, payload, journal, flow),
    reviveOrgTask: (payload) => revivedOrgTask(installationClient, payload, orgWork, flow.log),
    checkRunInProgress: async (payload) => {
      const api = await installationClient(payload);
      const { data } = await api.rest.checks.get({
        owner: payload.target.owner,
        repo: payload.target.repo,
        check_run_id: payload.checkRunId,
      });
      return data.status !== "completed";
    },
  };
}

function revivedCheck(
  installationClient: (payload: CheckJobPayload) => Promise<GitHubApi>,
  payload: CheckJobPayload,
  journal: JobJournal,
  flow: CheckFlowOptions,
): QueueJob {
  const target = payload.target;
  let checkRun: CheckRunRef | undefined =
    payload.checkRunId === undefined
      ? undefined
      : {
          id: payload.checkRunId,
          ...(payload.twinsExternalId ? { twinsExternalId: payload.twinsExternalId } : {}),
        };
  const session = async () => {
    const api = await installationClient(payload);
    if (checkRun === undefined) {
      // A retry after a crash between the creation and the record finds the run it made.
      checkRun = await createCheckRun(api, target, payload.deliveryId, {
        lookFirst: journal.retried,
      });
      await journal.recordCheckRun(checkRun.id, checkRun.twinsExternalId);
    }
    return { api, checkRun };
  };
  return {
    deliveryId: payload.deliveryId,
    pullKey: jobPlace(payload).supersededOn,
    headSha: target.headSha,
    payload,
    run: async (signal) => {
      const { api, checkRun: run } = await session();
      await runCheck(api, target, run, flow, signal);
    },
    cancel: async (reason) => {
      const { api, checkRun: run } = await session();
      await cancelCheck(api, target, run, reason, flow);
    },
  };
}

/**
 * Organization work from its payload, run as the installation. It opens its check run (`Tollgate
 * policies`, `Tollgate impact`) completed, at its end, so a task that gives up leaves no run in
 * progress: its failure is logged, and a push or a new commit on the pull request starts it again.
 */
function revivedOrgTask(
  installationClient: (payload: OrgTaskPayload) => Promise<GitHubApi>,
  payload: OrgTaskPayload,
  orgWork: OrgWork,
  log: FlowLog,
): QueueJob {
  const { supersededOn, headSha } = jobPlace(payload);
  return {
    deliveryId: payload.deliveryId,
    pullKey: supersededOn,
    headSha,
    payload,
    run: async (signal) => {
      const api = await installationClient(payload);
      if (payload.kind === "policy-push")
        await orgWork.push(
          api,
          { kind: "push", ...payload.push },
          log,
          payload.deliveryId,
          payload.installationId,
        );
      else if (payload.kind === "default-branch")
        await orgWork.defaultBranch(
          api,
          { kind: "default-branch", ...payload.change },
          log,
          payload.deliveryId,
          payload.installationId,
        );
      else if (payload.kind === "installation-recheck")
        await orgWork.recheck(
          api,
          payload.owner,
          log,
          payload.deliveryId,
          payload.installationId,
          payload.repositories,
          signal,
        );
      else if (payload.kind === "installation-resume")
        await orgWork.resume(
          api,
          payload.owner,
          log,
          payload.deliveryId,
          payload.installationId,
          signal,
        );
      else
        await orgWork.impact(
          api,
          { kind: "preview", change: payload.change, shownPublicly: payload.shownPublicly },
          log,
        );
    },
    cancel: async (reason) => {
      log.error(
        { delivery: payload.deliveryId, task: supersededOn, headSha, reason },
        "organization task not done",
      );
    },
  };
}

/** What comment commands need: the webhook's client, and the app's id and rules looked up lazily. */
function commandContext(
  context: Context,
  api: GitHubApi,
  flow: CheckFlowOptions,
  appId: () => Promise<number>,
): CommandContext {
  return {
    api,
    log: context.log,
    appId,
    rules: async () => flow.engine.builtinRules ?? [],
    ...(flow.customPolicies ? { customPolicies: flow.customPolicies } : {}),
    ...(flow.lastValidSettings ? { lastValidSettings: flow.lastValidSettings } : {}),
    ...(flow.installationSight ? { installationSight: flow.installationSight } : {}),
    ...(flow.clock ? { clock: flow.clock } : {}),
  };
}

const appIdentity = z.object({ id: z.number().int().positive() });

/** This app's id, asked of GitHub (`GET /app`, as the app) once per process and kept. */
function lazyAppId(app: Probot): () => Promise<number> {
  let id: Promise<number> | undefined;
  return () => {
    id ??= app
      .auth()
      .then((api) => api.rest.apps.getAuthenticated())
      .then(({ data }) => appIdentity.parse(data).id);
    id.catch(() => (id = undefined));
    return id;
  };
}
