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

/** A request GitHub refused for a rate limit, and how long it asks to wait before the next try. */
export interface RateLimit {
  waitMs: number;
  /**
   * False for a secondary limit that names no wait: GitHub's docs then ask for at least a minute,
   * and for a wait growing exponentially while the limit persists.
   */
  named: boolean;
}

/** What GitHub's docs ask to wait on a secondary rate limit that names no wait. */
export const SECONDARY_LIMIT_WAIT_MS = 60_000;

/**
 * The rate limit behind an error, if it is one (403 or 429): `retry-after` (seconds; secondary
 * limits), or the primary limit's reset when none is left (`x-ratelimit-remaining: 0`,
 * `x-ratelimit-reset` in epoch seconds), or a minute for a secondary limit that says only so.
 * Any other 403 (a missing permission) is not one.
 */
export function rateLimitOf(error: unknown, now = Date.now()): RateLimit | undefined {
  const status = httpStatus(error);
  if (status !== 403 && status !== 429) return undefined;
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
  const retryAfter = Number(headers?.["retry-after"]);
  if (headers?.["retry-after"] !== undefined && Number.isFinite(retryAfter))
    return { waitMs: Math.max(0, retryAfter * 1000), named: true };
  const reset = Number(headers?.["x-ratelimit-reset"]);
  if (String(headers?.["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset))
    return { waitMs: Math.max(0, reset * 1000 - now), named: true };
  const message = error instanceof Error ? error.message : "";
  if (/secondary rate limit/i.test(message))
    return { waitMs: SECONDARY_LIMIT_WAIT_MS, named: false };
  return undefined;
}

/**
 * Whether GitHub refused a request because the App's installation is suspended: it then refuses
 * every request of the installation (its token, reads, check run updates) until unsuspended.
 */
export function installationSuspended(error: unknown): boolean {
  if (httpStatus(error) !== 403) return false;
  const message = error instanceof Error ? error.message : "";
  return /installation has been suspended/i.test(message);
}

/** How long GitHub asked to wait before trying again, if the error is a rate limit (`rateLimitOf`). */
export function rateLimitWaitMs(error: unknown, now = Date.now()): number | undefined {
  return rateLimitOf(error, now)?.waitMs;
}
