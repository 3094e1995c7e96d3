// Retries of GitHub requests within one time budget per request, in place of @octokit/plugin-retry:
// its fixed schedule (1 + 4 + 9 s) also ran around the installation-token request inside each
// attempt, so an unreachable GitHub held a check for minutes. Here a token request is one attempt
// (the request it authenticates retries both), and no retry starts past the budget. An attempt
// GitHub never answers is aborted after its own timeout and counts as one more failure.
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

/**
 * How long one attempt may take, from the moment it is sent (after plugin-throttling's queue and
 * the token request) until its body is read. Without it a connection that accepts and stays
 * silent waits for undici's 300 s headers timeout, holding a queue slot.
 */
export interface AttemptTimeouts {
  requestMs: number;
  /** GraphQL blob batches carry up to 4 MB (src/github/blobs.ts): 1 MB/15 s still finishes. */
  graphqlMs: number;
}

export const GITHUB_ATTEMPT_TIMEOUTS: AttemptTimeouts = {
  requestMs: 20_000,
  graphqlMs: 60_000,
};

export interface BoundedRetryOptions {
  retryBudget?: Partial<RetryBudget>;
  retryClock?: RetryClock;
  attemptTimeouts?: Partial<AttemptTimeouts>;
}

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** Network failures (Octokit reports them as status 500 without a response) and 5xx are retried. */
function retriable(error: unknown): boolean {
  const status = httpStatus(error);
  return status === undefined || status >= 500;
}

const TOKEN_REQUEST = /\/app\/installations\/[^/]+\/access_tokens$/;

/** The attempt's own abort reason; fetch failing with it becomes Octokit's status-500 error. */
export class AttemptTimeoutError extends Error {
  override name = "TimeoutError";
}

type Fetch = typeof globalThis.fetch;

/**
 * One attempt's deadline. It is armed by the fetch Octokit calls, not when the hook runs: this
 * hook wraps plugin-throttling's, so a request may wait in its queue (or for a token) first.
 */
class AttemptDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private target = "the request";

  constructor(
    private readonly timeoutMs: number,
    private readonly method: string,
  ) {}

  get timedOut(): boolean {
    return this.controller.signal.aborted;
  }

  get error(): AttemptTimeoutError {
    return new AttemptTimeoutError(
      `${this.method} ${this.target} timed out: no complete answer within ${this.timeoutMs / 1000} s`,
    );
  }

  fetch(underlying: Fetch): Fetch {
    return (input, init) => {
      this.target = new URL(input instanceof Request ? input.url : input).pathname;
      this.timer ??= setTimeout(() => this.controller.abort(this.error), this.timeoutMs);
      const signals = [init?.signal, this.controller.signal].filter(
        (signal): signal is AbortSignal => signal !== undefined && signal !== null,
      );
      return underlying(input, { ...init, signal: AbortSignal.any(signals) });
    };
  }

  /** Called once the attempt settled, body read or not, so no timer outlives it. */
  disarm(): void {
    clearTimeout(this.timer);
  }
}

/** An Octokit plugin: `ProbotOctokit.plugin(boundedRetry)`, with plugin-retry disabled. */
export const boundedRetry: OctokitPlugin = (octokit, octokitOptions) => {
  const own = octokitOptions as BoundedRetryOptions;
  const budget = { ...GITHUB_RETRY_BUDGET, ...own.retryBudget };
  const clock = own.retryClock ?? realClock;
  const timeouts = { ...GITHUB_ATTEMPT_TIMEOUTS, ...own.attemptTimeouts };
  octokit.hook.wrap("request", async (request, options) => {
    const caller: AbortSignal | undefined = options.request.signal ?? undefined;
    const path = new URL(options.url ?? "", "http://x").pathname;
    const isTokenRequest = options.method === "POST" && TOKEN_REQUEST.test(path);
    const timeoutMs = path.endsWith("/graphql") ? timeouts.graphqlMs : timeouts.requestMs;
    const underlying: Fetch = options.request.fetch ?? globalThis.fetch;
    let firstFailure: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const deadline = new AttemptDeadline(timeoutMs, options.method);
      try {
        // Set on this call's options, not passed as a copy: before-after-hook binds every inner hook
        // (throttling, auth) to the options the chain was called with, so options handed to
        // `request` stop at the next hook. A new `request` object, as the old one may be the
        // instance's defaults, shared by every concurrent request.
        options.request = { ...options.request, fetch: deadline.fetch(underlying) };
        const response = await request(options);
        deadline.disarm();
        // Octokit reads a JSON body whose stream was aborted as "": a late abort is a failure too.
        if (deadline.timedOut) throw deadline.error;
        return response;
      } catch (error) {
        deadline.disarm();
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
