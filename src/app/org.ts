// Pushes to default branches that change settings or custom policies, and a new default branch
// (whose settings and policies may differ): validated at the edge, then (as a background task, or a
// durable job with Redis) the `.github` repository's policies are compiled and reported on the
// pushed commit, and the open pull requests they judge are checked again.
import { z } from "zod";
import {
  mergeSettings,
  ORGANIZATION_SETTINGS_REPOSITORY,
  SETTINGS_PATH,
  type ParsedSettingsFile,
} from "../config/index.js";
import { readSettingsFile, type GitHubApi, type RepoRef } from "../github/index.js";
import type { LoadError } from "../model/types.js";
import type { RuleMetadata } from "../policy/metadata.js";
import {
  IMPACT_CHECK_NAME,
  impactReport,
  listInstallationRepositories,
  listOpenPulls,
  ORGANIZATION_PULL_LIMITS,
  type InstallationListing,
  organizationFileNotices,
  previewImpact,
  selectorsUnjudged,
  type ImpactOptions,
  type ProposedChange,
  planPush,
  policyFileKind,
  policyCheckReport,
  POLICY_CHECK_NAME,
  type OpenPull,
  type OpenPullLimits,
  type OrgPolicies,
  type ResolvedPolicies,
} from "../org/index.js";
import type { CheckRunReport } from "../report/index.js";
import { describeError, type FlowLog } from "./checkFlow.js";
import { recheckUnlisted, type UnlistedFlow } from "./recheck.js";

const sha = z.string().regex(/^[0-9a-f]{40}$/);
const changedFiles = z.object({
  added: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
  modified: z.array(z.string()).default([]),
});
const pushEvent = z.object({
  ref: z.string(),
  after: sha,
  deleted: z.boolean().default(false),
  repository: z.object({
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    default_branch: z.string().min(1),
    private: z.boolean().default(true),
  }),
  commits: z.array(changedFiles).default([]),
  head_commit: changedFiles.nullish(),
});

/** GitHub lists at most 20 commits in a push payload; with as many, some may be missing. */
const PUSH_PAYLOAD_COMMITS = 20;

export type PushRequest =
  | {
      kind: "push";
      owner: string;
      repo: string;
      sha: string;
      paths: string[];
      complete: boolean;
      /** A public repository: what its checks say, anyone may read. */
      shownPublicly: boolean;
    }
  | { kind: "ignore"; reason: string };

export function pushRequest(payload: unknown): PushRequest {
  const event = pushEvent.safeParse(payload);
  if (!event.success) {
    const issue = event.error.issues[0];
    return {
      kind: "ignore",
      reason: `payload lacks what the app needs: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`,
    };
  }
  const { ref, after, deleted, repository, commits, head_commit } = event.data;
  if (deleted || /^0{40}$/.test(after)) return { kind: "ignore", reason: "the branch was deleted" };
  if (ref !== `refs/heads/${repository.default_branch}`)
    return { kind: "ignore", reason: `${ref} is not the default branch` };
  const paths = new Set<string>();
  for (const commit of [...commits, ...(head_commit ? [head_commit] : [])])
    for (const path of [...commit.added, ...commit.removed, ...commit.modified]) paths.add(path);
  const complete = commits.length < PUSH_PAYLOAD_COMMITS;
  // Settings name the policy folder, so only a push touching settings or a policy file can matter.
  if (complete && ![...paths].some((path) => path === SETTINGS_PATH || policyFileKind(path)))
    return { kind: "ignore", reason: "the push changes no settings and no policy file" };
  return {
    kind: "push",
    owner: repository.owner.login,
    repo: repository.name,
    sha: after,
    paths: [...paths],
    complete,
    shownPublicly: !repository.private,
  };
}

const defaultBranchEvent = z.object({
  changes: z.object({ default_branch: z.object({ from: z.string() }) }),
  repository: z.object({
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    default_branch: z.string().min(1),
    private: z.boolean().default(true),
  }),
});

export type DefaultBranchRequest =
  | { kind: "default-branch"; owner: string; repo: string; branch: string; shownPublicly: boolean }
  | { kind: "ignore"; reason: string };

/**
 * A repository's default branch changed (`repository.edited`): settings are read from the default
 * branch, so it is taken as a push of the new branch's head that may change anything.
 */
export function defaultBranchRequest(payload: unknown): DefaultBranchRequest {
  const event = defaultBranchEvent.safeParse(payload);
  if (!event.success) return { kind: "ignore", reason: "the default branch did not change" };
  const { repository } = event.data;
  return {
    kind: "default-branch",
    owner: repository.owner.login,
    repo: repository.name,
    branch: repository.default_branch,
    shownPublicly: !repository.private,
  };
}

/** The push a new default branch amounts to: its head, every path possibly changed. */
export async function defaultBranchPush(
  api: GitHubApi,
  request: Extract<DefaultBranchRequest, { kind: "default-branch" }>,
): Promise<Extract<PushRequest, { kind: "push" }>> {
  const { owner, repo, branch, shownPublicly } = request;
  const { data } = await api.rest.repos.getBranch({ owner, repo, branch });
  return {
    kind: "push",
    owner,
    repo,
    sha: sha.parse(data.commit.sha),
    paths: [],
    complete: false,
    shownPublicly,
  };
}

const organizationRerunEvent = z.object({
  check_run: z.object({
    name: z.string(),
    head_sha: sha,
    pull_requests: z.array(z.object({ number: z.number().int().positive() })).default([]),
  }),
  repository: z.object({
    name: z.literal(ORGANIZATION_SETTINGS_REPOSITORY),
    owner: z.object({ login: z.string().min(1) }),
    default_branch: z.string().min(1),
    private: z.boolean().default(true),
  }),
});

export type OrganizationRerun =
  | Extract<DefaultBranchRequest, { kind: "default-branch" }>
  | Extract<ImpactRequest, { kind: "preview" }>
  | { kind: "ignore"; reason: string }
  | { kind: "not-organization" };

/**
 * Re-run asked on a `.github` run that organization work published (`check_run.rerequested`): for
 * `Tollgate policies`, the default branch's head taken as pushed again, anything possibly changed
 * (the policies checked there, the open pull requests again, as the push did), whichever commit's
 * run was re-run: an older commit's policies must not become the last good ones the checks fall
 * back to. For `Tollgate impact`, the preview of the pull request it heads. Any other run is not
 * organization work (`not-organization`).
 */
export function organizationRerunRequest(payload: unknown): OrganizationRerun {
  const event = organizationRerunEvent.safeParse(payload);
  if (!event.success) return { kind: "not-organization" };
  const { check_run: run, repository } = event.data;
  const owner = repository.owner.login;
  const shownPublicly = !repository.private;
  if (run.name === POLICY_CHECK_NAME)
    return {
      kind: "default-branch",
      owner,
      repo: repository.name,
      branch: repository.default_branch,
      shownPublicly,
    };
  if (run.name !== IMPACT_CHECK_NAME) return { kind: "not-organization" };
  const pull = run.pull_requests[0];
  if (!pull) return { kind: "ignore", reason: "the commit heads no open pull request now" };
  return {
    kind: "preview",
    change: { owner, pullNumber: pull.number, headSha: run.head_sha },
    shownPublicly,
  };
}

const pullRequestEvent = z.object({
  repository: z.object({
    id: z.number(),
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    private: z.boolean().default(true),
  }),
  pull_request: z.object({
    number: z.number().int().positive(),
    head: z.object({ sha, repo: z.object({ id: z.number() }).nullish() }),
  }),
});

export type ImpactRequest =
  | { kind: "preview"; change: ProposedChange; shownPublicly: boolean }
  | { kind: "ignore"; reason: string };

/**
 * Only branches of the `.github` repository itself get a preview: its authors can write there
 * already, while a fork's author could otherwise run rules over every repository's open PRs.
 */
export function impactRequest(payload: unknown): ImpactRequest {
  const event = pullRequestEvent.safeParse(payload);
  if (!event.success) return { kind: "ignore", reason: "payload lacks what the preview needs" };
  const { repository, pull_request: pull } = event.data;
  if (repository.name !== ORGANIZATION_SETTINGS_REPOSITORY)
    return { kind: "ignore", reason: "not the organization's .github repository" };
  if (pull.head.repo?.id !== repository.id)
    return { kind: "ignore", reason: "the pull request comes from a fork" };
  return {
    kind: "preview",
    change: { owner: repository.owner.login, pullNumber: pull.number, headSha: pull.head.sha },
    shownPublicly: !repository.private,
  };
}

export interface PushFlow extends UnlistedFlow {
  customPolicies: OrgPolicies;
  reservedRuleIds: readonly string[];
  /** The built-in rules, against which the organization's settings are checked on a push. */
  builtinRules?: readonly RuleMetadata[];
  /** Queues a check of one open pull request (the app's normal check job). */
  enqueueCheck: (pull: OpenPull) => Promise<unknown>;
  limits?: OpenPullLimits;
}

export async function handlePush(
  api: GitHubApi,
  push: Extract<PushRequest, { kind: "push" }>,
  flow: PushFlow,
): Promise<void> {
  const repository: RepoRef = { owner: push.owner, repo: push.repo };
  const read = await readSettingsFile(api, repository, push.sha, SETTINGS_PATH);
  const settingsErrors: LoadError[] = read && !read.ok ? read.errors : [];
  const parsed = read?.ok ? read.parsed : null;
  const folder = parsed
    ? mergeSettings(parsed, null, { name: push.repo, topics: [] }).settings.policies.organization
    : undefined;
  const plan = planPush(push, folder);
  const fields = { owner: push.owner, repo: push.repo, sha: push.sha, reason: plan.reason };
  const organization = push.repo === ORGANIZATION_SETTINGS_REPOSITORY;
  const checkPolicies =
    organization && (plan.checkPolicies || (settingsErrors.length > 0 && plan.rerun !== "none"));
  // Listed once for the settings notices and the re-run alike; a failure leaves the notices
  // partly unjudged and the re-run to list again.
  const listing =
    (checkPolicies && parsed) || plan.rerun === "installation"
      ? await listInstallationRepositories(api, push.owner).then(
          (listed) => ({ ok: true as const, listed }),
          (error: unknown) => ({ ok: false as const, error: describeError(error) }),
        )
      : undefined;
  if (listing && !listing.ok)
    flow.log.warn({ ...fields, error: listing.error }, "installation repositories not listed");
  if (checkPolicies) {
    const resolved =
      plan.checkPolicies && folder !== undefined
        ? await flow.customPolicies.resolve(api, repository, folder, push.sha, flow.reservedRuleIds)
        : undefined;
    const notices = parsed
      ? settingsFileNotices(parsed, resolved, flow.builtinRules, listing, push.shownPublicly)
      : { notices: [] };
    const report = policyCheckReport(resolved, settingsErrors, notices.notices, notices.unjudged);
    await publishCheckRun(api, repository, push.sha, POLICY_CHECK_NAME, report);
    flow.log.info({ ...fields, conclusion: report.conclusion }, "custom policies checked");
  }
  if (plan.rerun === "none") return;
  const open = await listOpenPulls(
    api,
    push.owner,
    plan.rerun === "repository" ? repository : listing?.ok ? listing.listed : undefined,
    { ...ORGANIZATION_PULL_LIMITS, ...flow.limits },
  );
  for (const pull of open.pulls) await flow.enqueueCheck(pull);
  flow.log.info(
    {
      ...fields,
      repositories: open.repositories,
      pulls: open.pulls.length,
      leftOut: open.leftOut,
      truncated: open.truncated,
    },
    "open pull requests queued for a new check",
  );
  await recheckUnlisted(push.owner, open.unlisted, flow);
}

/**
 * The organization file's problems as the installation's repositories see it, judged against the
 * built-in rules and the organization's custom ones (the last good version while the pushed ones
 * do not compile). Best effort: what could not be judged (repository selectors when the listing
 * failed or was cut, everything when judging failed) is said in `unjudged`, and the check is
 * published all the same.
 */
function settingsFileNotices(
  parsed: ParsedSettingsFile,
  resolved: ResolvedPolicies | undefined,
  builtinRules: readonly RuleMetadata[] | undefined,
  listing: { ok: true; listed: InstallationListing } | { ok: false; error: string } | undefined,
  shownPublicly: boolean,
): { notices: LoadError[]; unjudged?: string } {
  const custom = resolved?.outcome.ok ? resolved.outcome.policies : resolved?.lastGood;
  const rules = builtinRules
    ? [...builtinRules, ...(custom?.rules.map((rule) => rule.meta) ?? [])]
    : undefined;
  const unjudged = selectorsUnjudged(
    listing?.ok ? listing.listed : { error: listing?.error ?? "not listed" },
  );
  try {
    const notices = organizationFileNotices(parsed, {
      repositories: listing?.ok && listing.listed.complete ? listing.listed.repositories : [],
      shownPublicly,
      ...(rules ? { rules } : {}),
      now: new Date(),
    });
    return { notices, ...(unjudged ? { unjudged } : {}) };
  } catch (error) {
    return { notices: [], unjudged: `the settings could not be checked: ${describeError(error)}.` };
  }
}

/**
 * The `Tollgate impact` check on a `.github` pull request that changes settings or policies; a
 * pull request changing neither gets none. A preview that fails still completes a (neutral) run.
 */
export async function handleImpact(
  api: GitHubApi,
  request: Extract<ImpactRequest, { kind: "preview" }>,
  options: ImpactOptions & { log: FlowLog },
): Promise<void> {
  const { change } = request;
  const organization = { owner: change.owner, repo: ORGANIZATION_SETTINGS_REPOSITORY };
  const fields = { owner: change.owner, pull: change.pullNumber, headSha: change.headSha };
  let report: CheckRunReport;
  try {
    const preview = await previewImpact(api, change, options, request.shownPublicly);
    if (!preview.relevant) return;
    report = impactReport(preview, request.shownPublicly);
  } catch (error) {
    options.log.warn({ ...fields, error: describeError(error) }, "impact preview failed");
    report = {
      conclusion: "neutral",
      title: "Impact preview failed",
      summary: `Tollgate could not preview this change: ${describeError(error)}. Push again to retry.`,
      annotationBatches: [],
    };
  }
  await publishCheckRun(api, organization, change.headSha, IMPACT_CHECK_NAME, report);
  options.log.info({ ...fields, title: report.title }, "impact preview published");
}

/** One completed check run: created with the first 50 annotations, the rest added 50 at a time. */
export async function publishCheckRun(
  api: GitHubApi,
  repository: RepoRef,
  headSha: string,
  name: string,
  report: CheckRunReport,
): Promise<void> {
  const output = { title: report.title, summary: report.summary };
  const [first, ...rest] = report.annotationBatches;
  const { data } = await api.rest.checks.create({
    ...repository,
    name,
    head_sha: headSha,
    status: "completed",
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: first ? { ...output, annotations: first } : output,
  });
  for (const annotations of rest)
    await api.rest.checks.update({
      ...repository,
      check_run_id: data.id,
      output: { ...output, annotations },
    });
}
