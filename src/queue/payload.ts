// What a queued job is as plain data: a pull request's check, or organization work a webhook started
// (a policy push, an impact preview); enough for any replica to authenticate as the installation and
// do it, so it can wait in Redis. Read back with zod: Redis holds what any replica's version wrote.
import { z } from "zod";

const sha = z.string().regex(/^[0-9a-f]{40}$/);

export const checkJobPayloadSchema = z.object({
  deliveryId: z.string().min(1),
  /** The GitHub App installation the check runs as; a worker in another replica authenticates with it. */
  installationId: z.number().int().positive().optional(),
  target: z.object({
    owner: z.string().min(1),
    repo: z.string().min(1),
    pullNumber: z.number().int().positive(),
    headSha: sha,
    baseSha: sha,
  }),
  /** The check run once a worker created it, so a retry after a crash completes that same run. */
  checkRunId: z.number().int().positive().optional(),
  /** The job's `external_id` when a retried creation may have left open twins of that run. */
  twinsExternalId: z.string().min(1).optional(),
  /** When the webhook was accepted (epoch ms), for webhook-to-completed latency. */
  acceptedAt: z.number().int().nonnegative(),
  /**
   * The head was not known to be the pull request's newest when queued (an old delivery redelivered
   * after newer pushes): the job checks its own commit, and supersedes only work on that commit.
   */
  notNewest: z.literal(true).optional(),
  /**
   * Queued because the settings or policies checks read changed (a push to `.github` or to a
   * repository's settings, the installation's `.github` coming into sight or leaving it): a check
   * of the same work already running read the old ones, so this one supersedes it instead of being
   * dropped as its duplicate. A waiting one reads them when it starts: that one it joins.
   */
  settingsChanged: z.literal(true).optional(),
});

export type CheckJobPayload = z.infer<typeof checkJobPayloadSchema>;

/** `owner/repo#12`: the pull request newer heads supersede older ones on. */
export function pullKeyOf(target: CheckJobPayload["target"]): string {
  return `${target.owner}/${target.repo}#${target.pullNumber}`;
}

/**
 * Organization work, told apart from a check by its `kind` (checks stored before it have none): a
 * push to a default branch that changes settings or policies, another branch made the default
 * (whose head the task reads, then takes as pushed), a `.github` pull request's preview,
 * an unsuspended installation's open pull requests looked at again, or all of them checked again
 * once the installation gained or lost the organization's `.github` repository.
 */
export const orgTaskPayloadSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("policy-push"),
    deliveryId: z.string().min(1),
    installationId: z.number().int().positive().optional(),
    push: z.object({
      owner: z.string().min(1),
      repo: z.string().min(1),
      sha,
      paths: z.array(z.string()),
      complete: z.boolean(),
      /**
       * Whether the `.github` repository is public. A job stored before the field was kept is taken
       * as public, so its check never suggests private repository names it may not show.
       */
      shownPublicly: z.boolean().default(true),
    }),
    acceptedAt: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal("default-branch"),
    deliveryId: z.string().min(1),
    installationId: z.number().int().positive().optional(),
    /** The repository whose default branch is now `branch`: its head is read by the task. */
    change: z.object({
      owner: z.string().min(1),
      repo: z.string().min(1),
      branch: z.string().min(1),
      shownPublicly: z.boolean(),
    }),
    acceptedAt: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal("impact-preview"),
    deliveryId: z.string().min(1),
    installationId: z.number().int().positive().optional(),
    change: z.object({
      owner: z.string().min(1),
      pullNumber: z.number().int().positive(),
      headSha: sha,
    }),
    shownPublicly: z.boolean(),
    acceptedAt: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal("installation-resume"),
    deliveryId: z.string().min(1),
    installationId: z.number().int().positive(),
    /** The account the installation is on, whose open pull requests are looked at again. */
    owner: z.string().min(1),
    acceptedAt: z.number().int().nonnegative(),
  }),
  z.object({
    kind: z.literal("installation-recheck"),
    deliveryId: z.string().min(1),
    installationId: z.number().int().positive(),
    /** The account whose open pull requests are checked again: its `.github` came into sight or left it. */
    owner: z.string().min(1),
    /** Only these repositories' (added to the installation); all of them when absent. */
    repositories: z.array(z.string().min(1)).optional(),
    acceptedAt: z.number().int().nonnegative(),
  }),
]);

export type OrgTaskPayload = z.infer<typeof orgTaskPayloadSchema>;

export const jobPayloadSchema = z.union([orgTaskPayloadSchema, checkJobPayloadSchema]);

export type JobPayload = CheckJobPayload | OrgTaskPayload;

export function isOrgTask(payload: JobPayload): payload is OrgTaskPayload {
  return "kind" in payload;
}

/**
 * Where a job sits among others: `jobId` is one per unit of work (a second enqueue of it is a
 * duplicate), and a newer job on the same `supersededOn` key supersedes it. A check's work is its
 * head compared with its base: the same head against another base (the base branch changed, or
 * moved on before a re-run) is new work that supersedes the old. Each push is its own work (a
 * later push may change other paths), so pushes never supersede one another; a newer unsuspension
 * of an installation supersedes an older one's look at its pull requests, and a newer change of its
 * `.github` repository an older one's re-check. A check of a head that
 * is not the pull request's newest sits on its own commit: an old delivery redelivered must never
 * cancel the newer head's scan, and scans its own commit to the end. `@`, `#` and spaces appear
 * in no owner or repository name, so the kinds' ids cannot meet.
 */
export function jobPlace(payload: JobPayload): {
  jobId: string;
  supersededOn: string;
  headSha: string;
} {
  if (!isOrgTask(payload)) {
    const { owner, repo, pullNumber, headSha, baseSha } = payload.target;
    const pullKey = pullKeyOf(payload.target);
    return {
      jobId: `${owner}/${repo}/${pullNumber}/${headSha}/${baseSha}`,
      supersededOn: payload.notNewest ? `${pullKey}@${headSha}` : pullKey,
      headSha,
    };
  }
  if (payload.kind === "policy-push") {
    const { owner, repo, sha: pushed } = payload.push;
    return {
      jobId: `${owner}/${repo}@${pushed}`,
      supersededOn: `push ${owner}/${repo}@${pushed}`,
      headSha: pushed,
    };
  }
  if (payload.kind === "default-branch") {
    const { owner, repo, branch } = payload.change;
    const jobId = `${owner}/${repo} default branch ${branch} by ${payload.deliveryId}`;
    // Its head is read when it runs, then it is a push: each its own work, as pushes are.
    return { jobId, supersededOn: `push ${jobId}`, headSha: payload.deliveryId };
  }
  if (payload.kind === "installation-resume") {
    const key = `installation ${payload.installationId}`;
    return {
      jobId: `${key} resumed by ${payload.deliveryId}`,
      supersededOn: `resume ${key}`,
      headSha: payload.deliveryId,
    };
  }
  if (payload.kind === "installation-recheck") {
    const key = `installation ${payload.installationId}`;
    const jobId = `${key} rechecked by ${payload.deliveryId}`;
    // Added repositories' look covers them alone: it supersedes no other, nor is superseded.
    return {
      jobId,
      supersededOn: payload.repositories ? `recheck ${jobId}` : `recheck ${key}`,
      headSha: payload.deliveryId,
    };
  }
  const { owner, pullNumber, headSha } = payload.change;
  return {
    jobId: `${owner}/.github#${pullNumber}/impact/${headSha}`,
    supersededOn: `impact ${owner}/.github#${pullNumber}`,
    headSha,
  };
}

/**
 * What a job superseded on its pull request tells its check run: a newer push, or the same head
 * queued again against another base, or under changed settings or policies.
 */
export function supersededReason(
  ownHeadSha: string,
  newerHeadSha: string,
  settingsChanged = false,
): string {
  if (newerHeadSha !== ownHeadSha)
    return `superseded by a newer push (${newerHeadSha.slice(0, 7)})`;
  return settingsChanged
    ? "superseded by a newer scan of this commit (the settings or policies it is checked under changed)"
    : "superseded by a newer scan of this commit (the pull request's base changed)";
}

/** Whether a check was queued because the settings or policies changed (`settingsChanged`). */
export function forChangedSettings(payload: JobPayload): boolean {
  return !isOrgTask(payload) && payload.settingsChanged === true;
}

/** `text` as JSON, or undefined when it is not: what a replica of another version stored. */
export function storedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
