// Retries of GitHub requests within one time budget per request, in place of @octokit/plugin-retry:
// its fixed schedule (1 + 4 + 9 s) also ran around the installation-token request inside each
// attempt, so an unreachable GitHub held a check for minutes. Here a token request is one attempt
// (the request it authenticates retries both), and no retry starts past the budget. A hung attempt
// is bounded by undici's own timeouts and the scan's deadline, not here.
import { ProbotOctokit } from "probot";
import { httpStatus } from "./client.js";

export interface RetryBudget {
  /** After a request's first failure, no retry starts later than this (backoff included). */
  totalMs: number;
  /** The first backoff; each next one doubles. */
  firstDelayMs: number;
}

/** 30 s of retries per request: attempts at about 0, 1, 3, 7 and 15 s while GitHub refuses or answers 5xx. */
export const GITHUB_RETRY_BUDGET: RetryBudget = {
  totalMs: 30_000,
  firstDelayMs: 1_000,
};

/** The wall clock; tests hand in one whose sleeps take no time, so attempt counts are exact. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface BoundedRetryOptions {
  retryBudget?: Partial<RetryBudget>;
  retryClock?: RetryClock;
}

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** Network failures (Octokit reports them as status 500 without a response) and 5xx are retried. */
function retriable(error: unknown): boolean {
  const status = httpStatus(error);
  return status === undefined || status >= 500;
}

const TOKEN_REQUEST = /\/app\/installations\/[^/]+\/access_tokens$/;

/** An Octokit plugin: `ProbotOctokit.plugin(boundedRetry)`, with plugin-retry disabled. */
export const boundedRetry: OctokitPlugin = (octokit, octokitOptions) => {
  const own = octokitOptions as BoundedRetryOptions;
  const budget = { ...GITHUB_RETRY_BUDGET, ...own.retryBudget };
  const clock = own.retryClock ?? realClock;
  octokit.hook.wrap("request", async (request, options) => {
    const caller: AbortSignal | undefined = options.request.signal ?? undefined;
    const isTokenRequest =
      options.method === "POST" &&
      TOKEN_REQUEST.test(new URL(options.url ?? "", "http://x").pathname);
    let firstFailure: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        if (isTokenRequest || caller?.aborted || !retriable(error)) throw error;
        firstFailure ??= clock.now();
        const delay = budget.firstDelayMs * 2 ** (attempt - 1);
        // No retry starts past the budget, counted from the first failure (not from time queued).
        if (clock.now() + delay > firstFailure + budget.totalMs)
          throw gaveUp(error, attempt, clock.now() - firstFailure);
        await clock.sleep(delay);
      }
    }
  });
};

function gaveUp(error: unknown, attempts: number, retryingMs: number): unknown {
  if (error instanceof Error)
    error.message = `${error.message} (gave up after ${attempts} attempts, ${Math.round(retryingMs / 1000)} s of retries)`;
  return error;
}

/** Probot's Octokit (throttling included) with these retries instead of plugin-retry's. */
export const BoundedRetryOctokit: typeof ProbotOctokit = ProbotOctokit.plugin(
  boundedRetry,
).defaults((options: object) => ({ ...options, retry: { enabled: false } }));
