// One pull request check from start to end: create the run `in_progress`, read the settings from
// the default branches, fetch merge base and head, scan both, diff, waive, gate, and complete the run
// with output, annotations and a Re-run button. Every failure still completes the run.
import { defaultSettings, SETTINGS_PATH, type Settings } from "../config/index.js";
import {
  changedUnreadModules,
  convertedTemplates,
  diffScans,
  followRenamesInScan,
} from "../diff/index.js";
import { evaluatedRules } from "../engine/index.js";
import type { ScanEngine } from "../engine/types.js";
import { gateWithWaivers, plural } from "../gate/index.js";
import {
  boundRateLimitWaits,
  fetchPullSnapshots,
  findMergeBase,
  httpStatus,
  installationSuspended,
  rateLimitOf,
  rateLimitWaitMs,
  readGateSettings,
  renamedFiles,
  scanPullSnapshots,
  type GitHubApi,
  type InstallationSight,
  type LastValidSettings,
  type RepoRef,
  type RetryRequestOptions,
  type SnapshotLimits,
} from "../github/index.js";
import { isWarning, type LoadError } from "../model/types.js";
import type { OrgPolicies } from "../org/index.js";
import { blockingDaysBegun } from "../rollout/index.js";
import {
  buildCheckRunReport,
  changedLinesByFile,
  checkRunOutput,
  incompleteCheckReport,
  overrideCovers,
  overriddenReport,
  recordOf,
  withNote,
  type CheckRunReport,
} from "../report/index.js";
import {
  checkRunsOn,
  earlierOverrides,
  openTwins,
  ownAppId,
  recordedOverride,
  runsOfJob,
  type OurCheckRun,
} from "./checkRuns.js";
import { CHECK_RUN_NAME, RERUN_ACTION, type CheckTarget } from "./events.js";
import { MAX_OPEN_PULLS_LOOKED_AT } from "./pulls.js";

export interface CheckFlowOptions {
  engine: ScanEngine;
  /** The whole fetch-and-scan stage; past it the run completes as incomplete. */
  timeoutMs: number;
  limits?: SnapshotLimits;
  /** Waits between attempts to complete a run (the completion is what must never be lost). */
  completionRetryDelaysMs?: readonly number[];
  log: FlowLog;
  /** The day waivers and `blocking_from` dates are judged on; the current time by default. */
  clock?: () => Date;
  /** Settings files this process last read valid, for when GitHub cannot answer. */
  lastValidSettings?: LastValidSettings;
  /** Whether the installation sees the organization's `.github` repository, asked after a 404. */
  installationSight?: InstallationSight;
  /** Custom rules the settings name (organization and repository folders); none when absent. */
  customPolicies?: OrgPolicies;
  /** Told of a run left in progress as GitHub refused its completion to a suspended installation. */
  onSuspended?: (target: CheckTarget, checkRunId: number) => Promise<void>;
}

/** The slice of Probot's pino logger the flow uses: structured fields, never tokens or file contents. */
export interface FlowLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export class ScanTimeoutError extends Error {
  constructor(ms: number) {
    super(`the scan took longer than ${Math.round(ms / 1000)} s`);
  }
}

/** The run a check job reports on. */
export interface CheckRunRef {
  id: number;
  /**
   * The job's `external_id` when its creation was retried after a look that did not find the
   * failed attempt's run: twins of this run may be open, and are completed with it.
   */
  twinsExternalId?: string;
}

/**
 * Creates the job's run `in_progress`. GitHub may create a run and still fail to answer, so before
 * a retry the creation looks for a run of this app on the head with the job's `external_id` and
 * takes the newest; when the look misses (not listed yet, or GitHub failing), the retry may make a
 * twin, and the run says so. With `lookFirst` (a retried job, whose earlier attempt may have
 * created its run and died before recording it) the same look comes before any creation.
 */
export async function createCheckRun(
  api: GitHubApi,
  target: CheckTarget,
  jobId: string,
  { lookFirst = false, waiting = false }: { lookFirst?: boolean; waiting?: boolean } = {},
): Promise<CheckRunRef> {
  const externalId = `${target.pullNumber}@${jobId}`;
  let lookMissed = false;
  let found = 0;
  if (lookFirst) {
    const earlier = await earlierRunsOfJob(api, target, externalId);
    const newest = earlier?.[0];
    if (newest)
      return earlier.length > 1
        ? { id: newest.id, twinsExternalId: externalId }
        : { id: newest.id };
    // Not read: a run made then would be a twin, completed with the one made now.
    lookMissed = earlier === undefined;
  }
  const recover: RetryRequestOptions["recover"] = async (signal) => {
    const appId = await ownAppId(api);
    const runs =
      appId === undefined
        ? []
        : await runsOfJob(api, target, target.headSha, appId, externalId, signal).catch(() => []);
    found = runs.length;
    const newest = runs[0];
    if (!newest) lookMissed = true;
    // Stands for the creation's answer, of which only the id is read below.
    return newest && { status: 200, url: "", headers: {}, data: { id: newest.id } };
  };
  const { data } = await api.rest.checks.create({
    owner: target.owner,
    repo: target.repo,
    name: CHECK_RUN_NAME,
    head_sha: target.headSha,
    ...(waiting
      ? { status: "queued" as const }
      : { status: "in_progress" as const, started_at: new Date().toISOString() }),
    external_id: externalId,
    output: waiting
      ? {
          title: "Waiting to scan…",
          summary: `Waiting to scan pull request #${target.pullNumber} at ${target.headSha.slice(0, 7)} against ${target.baseSha.slice(0, 7)}.`,
        }
      : {
          title: "Scanning…",
          summary: `Scanning pull request #${target.pullNumber} at ${target.headSha.slice(0, 7)}.`,
        },
    request: { recover },
  });
  return lookMissed || found > 1 ? { id: data.id, twinsExternalId: externalId } : { id: data.id };
}

/** Runs of this app on the head made for the job `externalId`, newest first; undefined when unread. */
async function earlierRunsOfJob(
  api: GitHubApi,
  target: CheckTarget,
  externalId: string,
): Promise<OurCheckRun[] | undefined> {
  try {
    const appId = await ownAppId(api);
    if (appId === undefined) return undefined;
    const runs = await checkRunsOn(api, target, target.headSha, appId);
    return runs.filter((run) => run.externalId === externalId);
  } catch {
    return undefined;
  }
}

/**
 * A re-run of a commit that heads no open pull request scans nothing, and says so on a run created
 * completed: otherwise the Re-run button would seem to do nothing. `neutral` only when GitHub listed
 * every open pull request (no branch protection waits on a commit that heads none); `cancelled` when
 * there were too many to look through, since the commit may still head one of them.
 */
export async function completeUnscannedRerun(
  api: GitHubApi,
  commit: RepoRef & { headSha: string },
  found: "none" | "gave-up",
): Promise<void> {
  const short = commit.headSha.slice(0, 7);
  const output =
    found === "none"
      ? {
          title: "Not scanned: this commit is no longer the head of an open pull request",
          summary: [
            `Tollgate checks the newest commit of an open pull request, and no open pull request has ${short} as its head now: a newer commit was pushed, or the pull request was closed or merged. This re-run scanned nothing; earlier Tollgate runs on this commit keep their results.`,
            "To check a pull request again, use **Re-run** on its newest commit's Tollgate check or comment `/tollgate run` on it.",
          ].join("\n\n"),
        }
      : {
          title: "Not scanned: no open pull request found with this commit as its head",
          summary: [
            `Tollgate looked through the ${MAX_OPEN_PULLS_LOOKED_AT} most recently updated open pull requests and none has ${short} as its head, so this re-run scanned nothing.`,
            "If a pull request's head is this commit, comment `/tollgate run` on it.",
          ].join("\n\n"),
        };
  await api.rest.checks.create({
    owner: commit.owner,
    repo: commit.repo,
    name: CHECK_RUN_NAME,
    head_sha: commit.headSha,
    status: "completed",
    conclusion: found === "none" ? "neutral" : "cancelled",
    completed_at: new Date().toISOString(),
    output,
  });
}

/**
 * Fetch, scan, diff, waive and gate: the check's report, or a thrown error the caller turns into one.
 * With `checkRunId`, a failing result honours a break-glass override an earlier run of the same
 * commit recorded, while break-glass is still enabled and the override covers what blocks now.
 */
export async function scanPullRequest(
  api: GitHubApi,
  target: CheckTarget,
  options: Pick<
    CheckFlowOptions,
    "engine" | "limits" | "clock" | "lastValidSettings" | "installationSight" | "customPolicies"
  > & { checkRunId?: number },
  onSettings: (settings: Settings) => void = () => undefined,
  signal?: AbortSignal,
): Promise<CheckRunReport> {
  const read = await readGateSettings(
    api,
    target,
    signal,
    options.lastValidSettings,
    options.installationSight,
  );
  const { settings } = read;
  onSettings(settings);
  const mergeBase = await findMergeBase(api, target, target.baseSha, target.headSha, signal);
  const snapshots = await fetchPullSnapshots(
    api,
    { ...target, baseSha: mergeBase.sha },
    options.limits,
    signal,
    settings.cloudformationParameterFiles,
    settings.terraformVariableFiles,
  );
  const custom = options.customPolicies
    ? await options.customPolicies.forPull(
        api,
        target,
        settings,
        (options.engine.builtinRules ?? []).map((rule) => rule.id),
        signal,
      )
    : { ruleSets: [], errors: [], notices: [] };
  const { base, head } = await scanPullSnapshots(
    options.engine,
    snapshots,
    settings,
    custom.ruleSets,
  );
  const notices = read.notices.map(describeNotice);
  notices.push(...selfEditNotices(snapshots.changedFiles), ...custom.notices);
  notices.push(...(mergeBase.notice ? [mergeBase.notice] : []), ...snapshots.notices);
  const baseErrors = base.errors.filter((problem) => !isWarning(problem)).length;
  if (baseErrors > 0) {
    notices.push(
      `The base commit had ${plural(baseErrors, "load error")}; findings there may be incomplete, so some may show as new.`,
    );
  }
  const now = (options.clock ?? (() => new Date()))();
  // The organization's admins hear of their file's on the `.github` repository's checks.
  if (read.repositoryFile)
    notices.push(...blockingDaysBegun(read.repositoryFile, now).map(describeNotice));
  const errors = [...read.errors, ...snapshots.errors, ...custom.errors, ...head.errors];
  const renames = renamedFiles(snapshots.changedFiles);
  // GitHub pairs by text; a template the PR rewrote in the other syntax is paired by what it deploys.
  const listed = (status: string) =>
    new Set(snapshots.changedFiles.filter((f) => f.status === status).map((f) => f.path));
  const removed = listed("removed");
  const added = listed("added");
  renames.push(
    ...convertedTemplates(
      snapshots.base.filter((file) => removed.has(file.path)),
      snapshots.head.filter((file) => added.has(file.path)),
      renames,
    ),
  );
  const headPaths = snapshots.head.map((file) => file.path);
  const renamed = followRenamesInScan(base, renames, headPaths);
  const decision = gateWithWaivers(
    diffScans(renamed, head, settings.import_adopts),
    errors,
    settings,
    {
      files: snapshots.head,
      repository: read.repository,
      now,
      ...evaluatedRules(options.engine, custom.ruleSets),
      baseProblems: base.errors,
      changedModules: changedUnreadModules(base, head),
      ...(read.organizationFile !== undefined ? { organizationFile: read.organizationFile } : {}),
    },
  );
  // Only a failing run with break-glass enabled looks for an override: one request, and none else.
  const breakGlassEnabled = settings.breakGlass.users.length + settings.breakGlass.teams.length > 0;
  const unblocking = {
    inlineWaivers: settings.inlineWaivers,
    commands: { override: breakGlassEnabled },
  };
  const recorded =
    decision.conclusion === "failure" && breakGlassEnabled && options.checkRunId !== undefined
      ? await recordedOverride(api, target, target.headSha, options.checkRunId, signal)
      : undefined;
  const override = recorded?.override;
  if (override && overrideCovers(override, recordOf(decision, target.headSha))) {
    const report = buildCheckRunReport(
      decision,
      changedLinesByFile(snapshots.changedFiles),
      notices,
      target.headSha,
      unblocking,
    );
    return overriddenReport(report, override);
  }
  if (override) {
    notices.push(
      `@${override.by} overrode an earlier result on this commit, but this run blocks on more than that override covers, so it does not apply.`,
    );
  } else if (recorded?.appId !== undefined) {
    for (const earlier of await earlierOverrides(api, target, recorded.appId, signal)) {
      notices.push(
        `@${earlier.by} overrode the result on an earlier commit of this pull request (${earlier.commit}); an override applies to one commit, so this one is gated normally.`,
      );
    }
  }
  return buildCheckRunReport(
    decision,
    changedLinesByFile(snapshots.changedFiles),
    notices,
    target.headSha,
    unblocking,
  );
}

/**
 * A pull request that edits its own settings or Rego policies is still gated by the default
 * branch's (policies are never read from a pull request), and the summary says so.
 */
function selfEditNotices(
  changedFiles: readonly { path: string; previousPath?: string }[],
): string[] {
  const paths = changedFiles.flatMap((f) => [f.path, ...(f.previousPath ? [f.previousPath] : [])]);
  const notices: string[] = [];
  if (paths.includes(SETTINGS_PATH)) {
    notices.push(
      `This pull request changes ${SETTINGS_PATH}; it is gated by the settings on the default branch, and its changes apply once merged.`,
    );
  }
  const policies = [...new Set(paths.filter((path) => path.endsWith(".rego")))];
  if (policies.length > 0) {
    const named = policies.slice(0, 5).join(", ") + (policies.length > 5 ? ", …" : "");
    notices.push(
      `This pull request changes Rego policies (${named}); Tollgate never evaluates policies from a pull request, so they apply only once merged and built into the policies in force.`,
    );
  }
  return notices;
}

function describeNotice(notice: LoadError): string {
  return `${notice.file}:${notice.line}:${notice.column}: ${notice.message} (${notice.code})`;
}

/**
 * How long a scan's requests may wait on GitHub's rate limits in all: its timeout less what it
 * needs after the last wait (a fifth, at most 30 s), so a scan held too long completes saying so.
 */
export function rateLimitWaitBudgetMs(timeoutMs: number): number {
  return timeoutMs - Math.min(30_000, timeoutMs / 5);
}

/** Runs the check on an existing run and completes it whatever happens. */
export async function runCheck(
  api: GitHubApi,
  target: CheckTarget,
  run: CheckRunRef,
  options: CheckFlowOptions,
  signal: AbortSignal,
): Promise<void> {
  const checkRunId = run.id;
  const fields = {
    owner: target.owner,
    repo: target.repo,
    pull: target.pullNumber,
    headSha: target.headSha,
    checkRunId,
  };
  let settings: Settings = defaultSettings;
  const fetching = new AbortController();
  boundRateLimitWaits(fetching.signal, rateLimitWaitBudgetMs(options.timeoutMs));
  let report: CheckRunReport;
  try {
    report = await withDeadline(
      scanPullRequest(
        api,
        target,
        { ...options, checkRunId },
        (read) => (settings = read),
        fetching.signal,
      ),
      options.timeoutMs,
      signal,
    );
  } catch (error) {
    // After a timeout or a newer push the scan runs on unawaited: stop its GitHub requests.
    fetching.abort(error);
    if (signal.aborted) {
      const reason =
        signal.reason instanceof Error ? signal.reason.message : "the check was cancelled";
      options.log.info({ ...fields, reason }, "check cancelled");
      await completeRun(api, target, run, cancelledReport(reason), options);
      return;
    }
    options.log.warn(
      { ...fields, error: describeError(error) },
      "check could not complete the scan",
    );
    const conclusion = settings.on_error === "neutral" ? "neutral" : "failure";
    report = incompleteCheckReport(
      conclusion,
      causeOf(error),
      describeError(error),
      target.headSha,
    );
  }
  await completeRun(api, target, run, report, options);
  options.log.info(
    { ...fields, conclusion: report.conclusion, title: report.title },
    "check completed",
  );
}

/** Completes a run that never started its scan (superseded while queued, or shutting down). */
export async function cancelCheck(
  api: GitHubApi,
  target: CheckTarget,
  run: CheckRunRef,
  reason: string,
  options: CheckFlowOptions,
): Promise<void> {
  await completeRun(api, target, run, cancelledReport(reason), options);
}

/**
 * `cancelled`, never `neutral`: a run stopped by a shutdown may be the pull request's newest, and
 * branch protection passes neutral checks, so anything else would let an unscanned change merge.
 */
function cancelledReport(reason: string): CheckRunReport {
  return {
    conclusion: "cancelled",
    title: `Not scanned: ${reason}`.slice(0, 255),
    summary: [
      `This check stopped before it finished: ${reason}.`,
      "If a newer commit was pushed, its own Tollgate check replaces this one; otherwise use **Re-run** or comment `/tollgate run`.",
    ].join("\n\n"),
    annotationBatches: [],
  };
}

/** The longest wait a rate limit may impose on completing a run, per attempt. */
const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;

/**
 * Sends annotation batches one request each, the last with the conclusion, so the run turns
 * completed only once everything is attached. The completing request is retried with backoff,
 * or after the wait a rate limit asks for; when GitHub refuses it (422), it is sent again with less: without annotations, then with a short
 * summary, then without the record, so a report GitHub will not take still completes the run.
 * Open twins of the run (a retried creation's) get the same completion, so none stays in progress.
 */
async function completeRun(
  api: GitHubApi,
  target: CheckTarget,
  run: CheckRunRef,
  report: CheckRunReport,
  options: CheckFlowOptions,
): Promise<void> {
  const checkRunId = run.id;
  // The record (`text`) goes with the completing request only, not with every annotation batch.
  const { text, ...output } = checkRunOutput(report);
  const batches = report.annotationBatches;
  const base = { owner: target.owner, repo: target.repo, check_run_id: checkRunId };
  // What went wrong on the way, after the report: within GitHub's limit, the report is cut instead.
  const notes: string[] = [];
  const noted = (...more: string[]) =>
    notes.length + more.length === 0
      ? output.summary
      : withNote(output.summary, [...notes, ...more].join("\n\n"));
  try {
    for (const annotations of batches.slice(0, -1))
      await api.rest.checks.update({ ...base, output: { ...output, annotations } });
  } catch (error) {
    options.log.warn(
      { checkRunId, error: describeError(error) },
      "could not attach some annotations",
    );
    notes.push(`_Some annotations could not be attached: ${describeError(error)}_`);
  }
  const last = batches.at(-1);
  const record = text !== undefined ? { text } : {};
  type Output = { title: string; summary: string; text?: string };
  const completion: Parameters<GitHubApi["rest"]["checks"]["update"]>[0] & { output: Output } = {
    ...base,
    status: "completed" as const,
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: { ...output, summary: noted(), ...record, ...(last ? { annotations: last } : {}) },
    actions: [RERUN_ACTION],
  };
  const refused = (reason: string) =>
    `This check's report could not be shown: GitHub refused it (${reason}). The conclusion is the scan's; use **Re-run** or comment \`/tollgate run\` to try again.`;
  // What to send instead after each refusal, each dropping more of the report.
  const lessEachTime: ((reason: string) => Output)[] = [
    ...(last
      ? [
          (reason: string) => ({
            ...output,
            ...record,
            summary: noted(`_GitHub refused the annotations: ${reason}_`),
          }),
        ]
      : []),
    (reason: string) => ({ title: output.title, summary: refused(reason), ...record }),
    ...(text !== undefined
      ? [(reason: string) => ({ title: output.title, summary: refused(reason) })]
      : []),
  ];
  const delays = options.completionRetryDelaysMs ?? [1000, 5000];
  let failures = 0;
  for (;;) {
    try {
      await api.rest.checks.update(completion);
      if (run.twinsExternalId !== undefined)
        await completeTwins(api, target, run.id, run.twinsExternalId, completion, options.log);
      return;
    } catch (error) {
      const less = httpStatus(error) === 422 ? lessEachTime.shift() : undefined;
      if (less) {
        options.log.warn(
          { checkRunId, error: describeError(error) },
          "GitHub refused the check run's output; completing it with less",
        );
        completion.output = less(describeError(error));
        continue;
      }
      // A suspended installation is refused everything until unsuspended, which checks it again.
      const suspended = installationSuspended(error);
      if (suspended)
        await options
          .onSuspended?.(target, run.id)
          .catch((noteError: unknown) =>
            options.log.error(
              { checkRunId, error: describeError(noteError) },
              "could not note the run the suspension left in progress",
            ),
          );
      const scheduled = suspended ? undefined : delays[failures++];
      if (scheduled === undefined) {
        options.log.error(
          { checkRunId, error: describeError(error) },
          "could not complete the check run",
        );
        throw error;
      }
      // Rate limited, GitHub says when to come back: sooner would be refused again.
      const asked = rateLimitWaitMs(error);
      const delay =
        asked === undefined
          ? scheduled
          : Math.min(Math.max(scheduled, asked), MAX_RATE_LIMIT_WAIT_MS);
      if (asked !== undefined)
        options.log.warn(
          { checkRunId, waitMs: delay, error: describeError(error) },
          "rate limited while completing the check run; waiting as GitHub asks",
        );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Completes the open twins of run `runId` as it was; a failure is logged, the run itself is done. */
async function completeTwins(
  api: GitHubApi,
  target: CheckTarget,
  runId: number,
  externalId: string,
  completion: NonNullable<Parameters<GitHubApi["rest"]["checks"]["update"]>[0]>,
  log: FlowLog,
): Promise<void> {
  try {
    const twins = await openTwins(api, target, target.headSha, runId, externalId);
    for (const twin of twins) await api.rest.checks.update({ ...completion, check_run_id: twin });
    if (twins.length > 0)
      log.warn({ checkRunId: runId, twins }, "completed twins of the check run");
  } catch (error) {
    log.warn(
      { checkRunId: runId, error: describeError(error) },
      "could not complete twins of the check run",
    );
  }
}

/**
 * `work`, unless the deadline passes or `signal` aborts first. Its handlers are attached before
 * anything else: work left running after either still rejects (its requests are aborted), and an
 * unobserved rejection would end the process.
 */
function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = (error: unknown) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      reject(error);
    };
    const onAbort = () => stop(signal.reason);
    const timer = setTimeout(() => stop(new ScanTimeoutError(ms)), ms);
    work.then((value) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(value);
    }, stop);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}

function causeOf(error: unknown): string {
  if (error instanceof ScanTimeoutError) return "the scan timed out";
  if (rateLimitOf(error) !== undefined)
    return "GitHub's rate limit held the scan's requests too long";
  if (typeof error === "object" && error !== null && "status" in error)
    return "a GitHub API request failed";
  return "the scan failed";
}

/** One line about an error: its class and message, never request headers or tokens. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status =
      "status" in error && typeof error.status === "number" ? ` (HTTP ${error.status})` : "";
    return `${error.name}: ${error.message.split("\n")[0]}${status}`;
  }
  return String(error);
}
