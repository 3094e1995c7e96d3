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

/**
 * How long GitHub asked to wait before trying again, if the error is a rate limit: `retry-after`
 * (seconds; secondary rate limits, 403 or 429), or the primary limit's reset time when none is
 * left (`x-ratelimit-remaining: 0`, `x-ratelimit-reset` in epoch seconds).
 */
export function rateLimitWaitMs(error: unknown, now = Date.now()): number | undefined {
  const status = httpStatus(error);
  if (status !== 403 && status !== 429) return undefined;
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
  const retryAfter = Number(headers?.["retry-after"]);
  if (headers?.["retry-after"] !== undefined && Number.isFinite(retryAfter))
    return Math.max(0, retryAfter * 1000);
  const reset = Number(headers?.["x-ratelimit-reset"]);
  if (String(headers?.["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - now);
  return undefined;
}
