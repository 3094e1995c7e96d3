// The commit a pull request's changes start from. A PR's `base.sha` is the base branch's tip, which
// may have moved on since the branch was cut; comparing head with it would blame the PR for fixes
// made on the base branch meanwhile. GitHub's PR file list is a three-dot diff, so this matches it.
import type { GitHubApi, RepoRef } from "./client.js";

export interface MergeBase {
  sha: string;
  /** Set when GitHub could not compare and the base branch tip stands in. */
  notice?: string;
}

export async function findMergeBase(
  api: GitHubApi,
  repository: RepoRef,
  baseSha: string,
  headSha: string,
  signal?: AbortSignal,
): Promise<MergeBase> {
  try {
    const { data } = await api.rest.repos.compareCommitsWithBasehead({
      owner: repository.owner,
      repo: repository.repo,
      basehead: `${baseSha}...${headSha}`,
      // Only the merge base is needed: keep the listed commits and files to one page of one.
      per_page: 1,
      request: { signal },
    });
    return { sha: data.merge_base_commit.sha };
  } catch (error) {
    if (signal?.aborted) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return {
      sha: baseSha,
      notice: `Could not find the merge base (${reason}); compared with the base branch tip, so findings fixed there since may show as new.`,
    };
  }
}
