// Asks GitHub where a commit stands now: whether it still heads its pull request, and which open pull
// request a re-run commit heads. `check_suite` and `check_run` payloads list no pull requests when the
// head branch lives in a fork, so the head SHA is matched against open PRs.
import type { GitHubApi, RepoRef } from "../github/index.js";
import type { CheckTarget } from "./events.js";

/** Pages of open pull requests looked through for a fork PR's head; beyond them we give up. */
const MAX_OPEN_PULL_PAGES = 10;
const OPEN_PULLS_PER_PAGE = 100;
export const MAX_OPEN_PULLS_LOOKED_AT = MAX_OPEN_PULL_PAGES * OPEN_PULLS_PER_PAGE;

export async function pullTarget(
  api: GitHubApi,
  pull: RepoRef & { pullNumber: number },
): Promise<CheckTarget | undefined> {
  const { data } = await api.rest.pulls.get({
    owner: pull.owner,
    repo: pull.repo,
    pull_number: pull.pullNumber,
  });
  if (data.state !== "open") return undefined;
  return {
    owner: pull.owner,
    repo: pull.repo,
    pullNumber: data.number,
    headSha: data.head.sha,
    baseSha: data.base.sha,
  };
}

/**
 * Whether `target`'s head is its pull request's head now. A delivery redelivered after newer pushes
 * carries an older head: its work must not supersede the newer head's. Undefined when GitHub could
 * not answer (the work then supersedes nothing, which costs only a scan that runs to its end).
 */
export async function headsPullNow(
  api: GitHubApi,
  target: CheckTarget,
): Promise<boolean | undefined> {
  try {
    return (await pullTarget(api, target))?.headSha === target.headSha;
  } catch {
    return undefined;
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
