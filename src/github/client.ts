// The GitHub client the fetch and app stages take: Probot's Octokit (retry and throttling plugins
// included), named once here so tests and the benchmark can hand in one pointed at a local fake.
import type { ProbotOctokit } from "probot";

export type GitHubApi = ProbotOctokit;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** HTTP status of an Octokit error, if it carries one. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}
