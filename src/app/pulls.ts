// Finds the pull request a commit belongs to. `check_suite` and `check_run` payloads list no pull
// requests when the head branch lives in a fork, so the head SHA is matched against open PRs.
import type { GitHubApi, RepoRef } from "../github/index.js";
import type { CheckTarget } from "./events.js";

/** Open pull requests scanned when looking for a fork PR's head; beyond it we give up. */
const MAX_OPEN_PULL_PAGES = 10;

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

export async function findPullForCommit(
  api: GitHubApi,
  commit: RepoRef & { headSha: string },
): Promise<CheckTarget | undefined> {
  const repository = { owner: commit.owner, repo: commit.repo };
  const toTarget = (pull: {
    number: number;
    head: { sha: string };
    base: { sha: string };
  }): CheckTarget => ({
    ...repository,
    pullNumber: pull.number,
    headSha: pull.head.sha,
    baseSha: pull.base.sha,
  });
  for (let page = 1; page <= MAX_OPEN_PULL_PAGES; page++) {
    const { data } = await api.rest.pulls.list({
      ...repository,
      state: "open",
      sort: "updated",
      direction: "desc",
      per_page: 100,
      page,
    });
    const match = data.find((pull) => pull.head.sha === commit.headSha);
    if (match) return toTarget(match);
    if (data.length < 100) return undefined;
  }
  return undefined;
}
