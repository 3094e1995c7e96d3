// Lists a pull request's changed files with GitHub's pagination: 100 per page and at most 3,000
// files (30 pages) in all, which GitHub documents as the ceiling of this endpoint.
import type { GitHubApi, RepoRef } from "./client.js";

export type PullFileStatus =
  "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface PullFile {
  path: string;
  /** The path at base for renamed or copied files. */
  previousPath?: string;
  status: PullFileStatus;
  /** The file's blob id at head, as GitHub gives it (read only for a file not removed). */
  sha?: string;
  /** Unified diff hunks; GitHub leaves it out for binary files and very large diffs. */
  patch?: string;
}

/** The files the pull request renamed, from their base path to their head path (a copy is no rename). */
export function renamedFiles(files: readonly PullFile[]): { from: string; to: string }[] {
  return files.flatMap((file) =>
    file.status === "renamed" && file.previousPath !== undefined
      ? [{ from: file.previousPath, to: file.path }]
      : [],
  );
}

export const FILES_PER_PAGE = 100;
export const MAX_LISTED_FILES = 3000;

export interface PullFileList {
  files: PullFile[];
  /** The pull request changes more files than GitHub lists. */
  truncated: boolean;
}

export async function listPullFiles(
  api: GitHubApi,
  pull: RepoRef & { pullNumber: number },
  signal?: AbortSignal,
): Promise<PullFileList> {
  const files: PullFile[] = [];
  for (let page = 1; page <= MAX_LISTED_FILES / FILES_PER_PAGE; page++) {
    const { data } = await api.rest.pulls.listFiles({
      owner: pull.owner,
      repo: pull.repo,
      pull_number: pull.pullNumber,
      per_page: FILES_PER_PAGE,
      page,
      request: { signal },
    });
    for (const entry of data) {
      files.push({
        path: entry.filename,
        status: entry.status,
        ...(entry.sha ? { sha: entry.sha } : {}),
        ...(entry.previous_filename ? { previousPath: entry.previous_filename } : {}),
        ...(entry.patch !== undefined ? { patch: entry.patch } : {}),
      });
    }
    if (data.length < FILES_PER_PAGE) return { files, truncated: false };
  }
  return { files, truncated: true };
}
