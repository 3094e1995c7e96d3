// Asks GitHub where a commit stands now: whether it still heads its pull request, and which open pull
// request a re-run commit heads. `check_suite` and `check_run` payloads list no pull requests when the
// head branch lives in a fork, so the head SHA is matched against open PRs.
import { z } from "zod";
import type { GitHubApi, RepoRef } from "../github/index.js";
import type { CheckTarget } from "./events.js";

/** Pages of open pull requests looked through for a fork PR's head; beyond them we give up. */
const MAX_OPEN_PULL_PAGES = 10;
const OPEN_PULLS_PER_PAGE = 100;
export const MAX_OPEN_PULLS_LOOKED_AT = MAX_OPEN_PULL_PAGES * OPEN_PULLS_PER_PAGE;

/** An open pull request as GitHub has it now: its check target, base branch and last update. */
interface PullNow {
  target: CheckTarget;
  /** Undefined where the answer lacks them: nothing is then told from them. */
  baseRef: string | undefined;
  updatedAt: string | undefined;
}

const baseAndUpdate = z.object({
  base: z.object({ ref: z.string().optional() }),
  updated_at: z.string().optional(),
});

async function pullNow(
  api: GitHubApi,
  pull: RepoRef & { pullNumber: number },
): Promise<PullNow | undefined> {
  const { data } = await api.rest.pulls.get({
    owner: pull.owner,
    repo: pull.repo,
    pull_number: pull.pullNumber,
  });
  if (data.state !== "open") return undefined;
  const read = baseAndUpdate.safeParse(data);
  return {
    target: {
      owner: pull.owner,
      repo: pull.repo,
      pullNumber: data.number,
      headSha: data.head.sha,
      baseSha: data.base.sha,
    },
    baseRef: read.data?.base.ref,
    updatedAt: read.data?.updated_at,
  };
}

export async function pullTarget(
  api: GitHubApi,
  pull: RepoRef & { pullNumber: number },
): Promise<CheckTarget | undefined> {
  return (await pullNow(api, pull))?.target;
}

/** What a pull request event's payload said of its pull request beside its target. */
export interface DeliveredPull {
  baseRef?: string | undefined;
  /** ISO time of the pull request's last update when the event was sent. */
  updatedAt?: string | undefined;
}

/** Where a pull request event stands now; a `newest` one is checked on `target`. */
export type PullStanding =
  { kind: "newest"; target: CheckTarget } | { kind: "not-head" | "old-base" | "unknown" };

/**
 * Where a pull request event's head and base stand now. `newest`: its head is the pull request's,
 * against the base branch it has now. `not-head`: a delivery redelivered after newer pushes (or the
 * pull request closed); its work must not supersede the newer head's, and scans its own commit.
 * `old-base`: the same head, but the base branch changed since the event (an old `edited` or
 * `opened` redelivered); scanning it would cancel the newer base's scan, or put a run against a
 * base the pull request no longer has on its head, so it is not scanned. The same head and base
 * branch at another base commit than GitHub's (the branch moved on and a re-run scanned it, then an
 * old `opened` was redelivered) is `newest` on GitHub's base commit when the event is older than
 * GitHub's last update: the same work as the newer scan, which it then joins instead of cancelling
 * it for an older base. A base branch that differs while GitHub's answer is older than the event is
 * GitHub lagging, not an old event: the event's is taken. When the times are equal or unknown (a
 * base branch moving on does not update its pull requests, so an old delivery usually has GitHub's
 * time), the base branch's history decides: GitHub's base commit is taken when it descends from the
 * event's, or the branch was rewritten since, and the event's when it descends from GitHub's (or
 * GitHub cannot compare them). `unknown` when GitHub could not answer (the work then supersedes
 * nothing, costing only a scan run to its end).
 */
export async function pullStanding(
  api: GitHubApi,
  target: CheckTarget,
  delivered: DeliveredPull,
): Promise<PullStanding> {
  let now: PullNow | undefined;
  try {
    now = await pullNow(api, target);
  } catch {
    return { kind: "unknown" };
  }
  if (now?.target.headSha !== target.headSha) return { kind: "not-head" };
  const baseChanged =
    delivered.baseRef !== undefined &&
    now.baseRef !== undefined &&
    delivered.baseRef !== now.baseRef;
  const [sent, updated] = [Date.parse(delivered.updatedAt ?? ""), Date.parse(now.updatedAt ?? "")];
  if (baseChanged && !(sent > updated)) return { kind: "old-base" };
  const takesGitHubBase =
    now.target.baseSha !== target.baseSha &&
    (sent < updated || (!(sent > updated) && (await baseMovedOn(api, target, now.target.baseSha))));
  return takesGitHubBase
    ? { kind: "newest", target: { ...target, baseSha: now.target.baseSha } }
    : { kind: "newest", target };
}

/**
 * Whether the base branch moved from the event's base commit to GitHub's: GitHub's descends from
 * it ("ahead"), or the branch was rewritten ("diverged", and GitHub's is the branch now). False
 * when the event's descends from GitHub's (GitHub lagging) or the comparison fails.
 */
async function baseMovedOn(api: GitHubApi, target: CheckTarget, nowBase: string): Promise<boolean> {
  try {
    const { data } = await api.rest.repos.compareCommitsWithBasehead({
      owner: target.owner,
      repo: target.repo,
      basehead: `${target.baseSha}...${nowBase}`,
      per_page: 1,
    });
    return data.status === "ahead" || data.status === "diverged";
  } catch {
    return false;
  }
}

/**
 * The open pull request a re-run commit heads now: one the payload named, asked afresh (an old
 * delivery's payload may name a pull request that moved on), or one found among open pull requests.
 * `gave-up` when there were too many open pull requests to look through.
 */
export async function pullHeadedBy(
  api: GitHubApi,
  commit: RepoRef & { headSha: string; pullNumbers: readonly number[] },
): Promise<CheckTarget | "none" | "gave-up"> {
  for (const pullNumber of commit.pullNumbers) {
    const target = await pullTarget(api, { ...commit, pullNumber });
    if (target?.headSha === commit.headSha) return target;
  }
  return findPullForCommit(api, commit);
}

async function findPullForCommit(
  api: GitHubApi,
  commit: RepoRef & { headSha: string },
): Promise<CheckTarget | "none" | "gave-up"> {
  const repository = { owner: commit.owner, repo: commit.repo };
  for (let page = 1; page <= MAX_OPEN_PULL_PAGES; page++) {
    const { data } = await api.rest.pulls.list({
      ...repository,
      state: "open",
      sort: "updated",
      direction: "desc",
      per_page: OPEN_PULLS_PER_PAGE,
      page,
    });
    const match = data.find((pull) => pull.head.sha === commit.headSha);
    if (match)
      return {
        ...repository,
        pullNumber: match.number,
        headSha: match.head.sha,
        baseSha: match.base.sha,
      };
    if (data.length < OPEN_PULLS_PER_PAGE) return "none";
  }
  return "gave-up";
}
