// Reads back Tollgate's own check runs on a commit: the newest one (what `/tollgate override` and
// `/tollgate explain` act on), an override an earlier run of the same commit recorded (what a
// re-run honours), and a job's own runs by `external_id` (what a retried creation may have made).
// Runs are told apart from other apps' by app id, since any app may name a run "Tollgate"; their
// records are decoded by src/report/record.ts.
import { z } from "zod";
import type { GitHubApi, RepoRef, RetryRequestOptions } from "../github/index.js";
import { decodeRecord, type CheckOverride, type CheckRecord } from "../report/index.js";
import { CHECK_RUN_NAME } from "./events.js";

const checkRunSchema = z.object({
  id: z.number().int(),
  head_sha: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  started_at: z.string().nullable().optional(),
  completed_at: z.string().nullable().optional(),
  html_url: z.string().nullable().optional(),
  external_id: z.string().nullable().optional(),
  app: z.object({ id: z.number().int() }).nullable(),
  output: z.object({
    title: z.string().nullable(),
    summary: z.string().nullable(),
    text: z.string().nullable().optional(),
  }),
});
const checkRunListSchema = z.object({ check_runs: z.array(checkRunSchema) });

export interface OurCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  /** When the run began (ISO time; the app sends its own clock's), if GitHub says. */
  startedAt: string | undefined;
  /** When the run completed (ISO time, as the app sent it), if it has and GitHub says. */
  completedAt: string | undefined;
  url: string | undefined;
  externalId: string | undefined;
  title: string;
  summary: string;
  record: CheckRecord | undefined;
}

/** Tollgate's runs on `sha` by app `appId`, newest first (GitHub's ids only grow). */
async function ourRuns(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  appId: (runs: z.infer<typeof checkRunSchema>[]) => number | undefined,
  request: RetryRequestOptions & { signal?: AbortSignal | undefined } = {},
): Promise<OurCheckRun[]> {
  const { data } = await api.rest.checks.listForRef({
    owner: repository.owner,
    repo: repository.repo,
    ref: sha,
    check_name: CHECK_RUN_NAME,
    filter: "all",
    per_page: 100,
    request,
  });
  const runs = checkRunListSchema.parse(data).check_runs;
  const ours = appId(runs);
  if (ours === undefined) return [];
  return runs
    .filter((run) => run.app?.id === ours && run.head_sha === sha)
    .sort((a, b) => b.id - a.id)
    .map((run) => ({
      id: run.id,
      status: run.status,
      conclusion: run.conclusion,
      startedAt: run.started_at ?? undefined,
      completedAt: run.completed_at ?? undefined,
      url: run.html_url ?? undefined,
      externalId: run.external_id ?? undefined,
      title: run.output.title ?? "",
      summary: run.output.summary ?? "",
      record: decodeRecord(run.output.text),
    }));
}

/** Every Tollgate run on `sha` made by app `appId`, newest first. */
export async function checkRunsOn(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  appId: number,
): Promise<OurCheckRun[]> {
  return ourRuns(api, repository, sha, () => appId);
}

/** The newest Tollgate run on `sha` made by app `appId`, if any. */
export async function latestCheckRun(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  appId: number,
): Promise<OurCheckRun | undefined> {
  return (await ourRuns(api, repository, sha, () => appId))[0];
}

/**
 * The newest override recorded on `sha` by an earlier run of this app, and this app's id: the app
 * that made `currentRunId`, which the listing includes, so no extra request names it.
 */
export async function recordedOverride(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  currentRunId: number,
  signal?: AbortSignal,
): Promise<{ override: CheckOverride | undefined; appId: number | undefined }> {
  let appId: number | undefined;
  const runs = await ourRuns(
    api,
    repository,
    sha,
    (all) => (appId = all.find((run) => run.id === currentRunId)?.app?.id),
    { signal },
  );
  for (const run of runs) {
    const override = run.record?.override;
    if (run.id !== currentRunId && override?.sha === sha) return { override, appId };
  }
  return { override: undefined, appId };
}

/**
 * Runs of this app on `sha` made for the job `externalId`, newest first, in one attempt (a look
 * between retries of the creation, which must not spend their budget on retries of its own).
 */
export async function runsOfJob(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  appId: number,
  externalId: string,
  signal: AbortSignal,
): Promise<OurCheckRun[]> {
  const runs = await ourRuns(api, repository, sha, () => appId, {
    signal,
    retryBudget: { totalMs: 0 },
  });
  return runs.filter((run) => run.externalId === externalId);
}

/** Other runs of the app that made `runId`, on `sha`, for the job `externalId`, still open. */
export async function openTwins(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  runId: number,
  externalId: string,
): Promise<number[]> {
  const runs = await ourRuns(
    api,
    repository,
    sha,
    (all) => all.find((run) => run.id === runId)?.app?.id,
  );
  return runs
    .filter((run) => run.id !== runId && run.externalId === externalId)
    .filter((run) => run.status !== "completed")
    .map((run) => run.id);
}

/** This app's id as an installation client knows it (an app JWT signed here, no request); none for a token client. */
export async function ownAppId(api: GitHubApi): Promise<number | undefined> {
  const auth: unknown = await api.auth({ type: "app" });
  const parsed = z.object({ appId: z.number().int() }).safeParse(auth);
  return parsed.success ? parsed.data.appId : undefined;
}

const commentSchema = z.object({
  body: z.string().nullable().optional(),
  performed_via_github_app: z.object({ id: z.number().int() }).nullable().optional(),
});
/** The receipt `overrideCheck` replies with; its first line names who and which commit. */
export const OVERRIDE_RECEIPT =
  /^Override recorded: @([A-Za-z0-9-]+) overrode the Tollgate check on ([0-9a-f]{7})/;

/**
 * Overrides this app recorded on other commits of the pull request, read from its own receipts
 * among the first 100 comments (one request; a receipt by anyone else does not count).
 */
export async function earlierOverrides(
  api: GitHubApi,
  pull: RepoRef & { pullNumber: number; headSha: string },
  appId: number,
  signal?: AbortSignal,
): Promise<{ by: string; commit: string }[]> {
  const { data } = await api.rest.issues.listComments({
    owner: pull.owner,
    repo: pull.repo,
    issue_number: pull.pullNumber,
    per_page: 100,
    request: { signal },
  });
  const found: { by: string; commit: string }[] = [];
  for (const comment of z.array(commentSchema).parse(data)) {
    if (comment.performed_via_github_app?.id !== appId) continue;
    const receipt = OVERRIDE_RECEIPT.exec(comment.body ?? "");
    if (receipt?.[1] && receipt[2] && !pull.headSha.startsWith(receipt[2]))
      found.push({ by: receipt[1], commit: receipt[2] });
  }
  return found;
}
