// Retries of GitHub requests within one deadline per request (30 s from when its first attempt was
// sent), in place of @octokit/plugin-retry, whose schedule also ran around the token request inside
// each attempt and held a check for minutes. A token request is one attempt of the request it
// authenticates; a write GitHub may have applied before failing can look for itself before a retry.
// A rate limit is waited out as GitHub asks, within a budget of its own, in place of
// plugin-throttling's retries (which ran inside one attempt, past its timeout). One installation's
// requests share what GitHub asked (the quota is the installation's), and a scan's requests share
// its deadline. That pause is kept per process, also with many replicas on a Redis queue: it only
// spares requests GitHub would refuse. A replica that does not know it sends its request, is
// refused with the same wait, and waits it out on its own (the completion of a check run waits on
// rate limits too), so no work is lost and no run left in progress; the cost is one refused
// request per replica, and the queue's installation slots bound how many jobs of one installation
// run at once across replicas (2 by default).
import { ProbotOctokit } from "probot";
import { httpStatus, rateLimitOf } from "./client.js";

export interface RetryBudget {
  /** From when a request's first attempt was sent: no retry starts later, and one running then is abandoned. */
  totalMs: number;
  /** The first backoff; each next one doubles. */
  firstDelayMs: number;
  /**
   * No retry starts with less of the budget left than this (or than its own timeout, if shorter):
   * an attempt cut shorter would more likely be aborted mid-answer than succeed.
   */
  shortestRetryMs: number;
  /**
   * What one request may wait in all on GitHub's rate limits (403 or 429 with `retry-after`, an
   * exhausted quota's reset, or a minute for a secondary limit naming no wait, doubled each time it
   * persists). A wait that would pass it is not begun: the request fails at once, saying so.
   */
  rateLimitMs: number;
}

/**
 * 30 s per request: attempts at about 0, 1, 3, 7 and 15 s while GitHub refuses or answers 5xx; one
 * that never answers is attempted at 0 s (20 s timeout) and 21 s (cut to the 9 s left). Rate limits
 * may hold a request 2 minutes more (a secondary limit: a minute, then a second try), well inside
 * a check's 5-minute scan.
 */
export const GITHUB_RETRY_BUDGET: RetryBudget = {
  totalMs: 30_000,
  firstDelayMs: 1_000,
  shortestRetryMs: 5_000,
  rateLimitMs: 120_000,
};

/** The wall clock; tests hand in one whose sleeps take no time, so attempt counts are exact. */
export interface RetryClock {
  now(): number;
  /** Rejects with the signal's reason once it aborts (a rate limit's wait is long). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
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

/**
 * Until when GitHub's rate limit holds each installation's requests, as the last one refused was
 * told: a request of the installation starting before then waits until then instead of being
 * refused and waiting on its own. Kept per clock, as the times are that clock's, and only while
 * they hold: a long-lived process sees thousands of installations limited once.
 */
const pausesByClock = new WeakMap<RetryClock, Map<string, number>>();

/** The pauses of `clock` still holding; those that have passed are dropped on the way. */
function pausesOf(clock: RetryClock): Map<string, number> {
  let pauses = pausesByClock.get(clock);
  if (!pauses) pausesByClock.set(clock, (pauses = new Map()));
  const now = clock.now();
  for (const [installation, until] of pauses) if (until <= now) pauses.delete(installation);
  return pauses;
}

/** The installations whose pause is kept for `clock`, as the last request left them. */
export function pausedInstallations(clock: RetryClock = realClock): string[] {
  return [...(pausesByClock.get(clock)?.keys() ?? [])];
}

/** The installation an Octokit authenticates as (Probot's installation clients name it in `auth`). */
function installationOf(octokitOptions: unknown): string | undefined {
  const auth = (octokitOptions as { auth?: unknown }).auth;
  if (typeof auth !== "object" || auth === null || !("installationId" in auth)) return undefined;
  const id = auth.installationId;
  return typeof id === "number" || typeof id === "string" ? String(id) : undefined;
}

/** How long requests carrying a signal may wait on rate limits in all, from the first one's start. */
const waitBudgets = new WeakMap<AbortSignal, { budgetMs: number; endsAt?: number }>();

/**
 * Bounds the rate-limit waits of every request made with `signal` (one check's scan): no wait
 * ending more than `budgetMs` after the first of them started is begun, and the request fails at
 * once saying GitHub's rate limit held it, before the scan's own deadline cuts it short unexplained.
 */
export function boundRateLimitWaits(signal: AbortSignal, budgetMs: number): void {
  waitBudgets.set(signal, { budgetMs });
}

export interface BoundedRetryOptions {
  retryBudget?: Partial<RetryBudget>;
  retryClock?: RetryClock;
  attemptTimeouts?: Partial<AttemptTimeouts>;
}

/** What one request may add under `request: { ... }` for this plugin. */
export interface RetryRequestOptions {
  /** Narrows this request's budget; `{ totalMs: 0 }` makes it a single attempt. */
  retryBudget?: Partial<RetryBudget>;
  /**
   * For a write GitHub may have applied though the attempt failed (a POST that creates): called
   * before each retry, with a signal aborted at the deadline. A response it returns (the write
   * found done) ends the request as if the attempt had answered; undefined lets the retry go.
   * A look that fails counts as not found, so its own requests should be single attempts.
   */
  recover?: (signal: AbortSignal) => Promise<RecoveredResponse | undefined>;
}

export interface RecoveredResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  data: unknown;
}

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];

/** Network failures (Octokit reports them as status 500 without a response) and 5xx are retried. */
function retriable(error: unknown): boolean {
  const status = httpStatus(error);
  return status === undefined || status >= 500;
}

const TOKEN_REQUEST = /\/app\/installations\/[^/]+\/access_tokens$/;

/** An attempt's own abort reason; fetch failing with it becomes Octokit's status-500 error. */
export class AttemptTimeoutError extends Error {
  override name = "TimeoutError";
  /** As Octokit reports an attempt that got no answer, for an attempt abandoned before it was sent. */
  readonly status = 500;
}

type Fetch = typeof globalThis.fetch;

/**
 * When the failed attempt behind an error was sent. The error of a token request reaches the
 * request it authenticates, whose own fetch never ran: its deadline counts from the token's.
 */
const sentAtOfFailure = new WeakMap<object, number>();

/**
 * One attempt: its timeout is armed by the fetch Octokit calls, not when the hook runs, since
 * this hook wraps plugin-throttling's and a request may wait in its queue (or for a token) first.
 * A retry is also cut at the request's deadline, wherever it is waiting.
 */
class Attempt {
  private readonly controller = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private abandon: (error: Error) => void = () => undefined;
  sentAt: number | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly method: string,
    /** The route until sent (`/repos/{owner}/{repo}/...`), then the URL's path. */
    public target: string,
    private readonly clock: RetryClock,
  ) {}

  get timedOut(): boolean {
    return this.controller.signal.aborted;
  }

  error(ms = this.timeoutMs): AttemptTimeoutError {
    return new AttemptTimeoutError(
      `${this.method} ${this.target} timed out: no complete answer within ${Math.round(ms / 100) / 10} s`,
    );
  }

  fetch(underlying: Fetch): Fetch {
    return (input, init) => {
      this.target = new URL(input instanceof Request ? input.url : input).pathname;
      if (this.sentAt === undefined) {
        this.sentAt = this.clock.now();
        this.timers.push(setTimeout(() => this.controller.abort(this.error()), this.timeoutMs));
      }
      const signals = [init?.signal, this.controller.signal].filter(
        (signal): signal is AbortSignal => signal !== undefined && signal !== null,
      );
      return underlying(input, { ...init, signal: AbortSignal.any(signals) });
    };
  }

  /** `work`, unless `cutMs` pass first: then its fetch is aborted (or never sent) and it fails. */
  run<T>(attempt: Promise<T> | T, cutMs: number | undefined): Promise<T> {
    const work = Promise.resolve(attempt);
    if (cutMs === undefined) return work;
    const abandoned = new Promise<never>((_resolve, reject) => (this.abandon = reject));
    this.timers.push(
      setTimeout(() => {
        const error = this.error(cutMs);
        this.controller.abort(error);
        this.abandon(error);
      }, cutMs),
    );
    // Once abandoned, whatever it was waiting on may still fail later: nobody listens.
    work.catch(() => undefined);
    return Promise.race([work, abandoned]);
  }

  /** Called once the attempt settled, body read or not, so no timer outlives it. */
  disarm(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }
}

/** A `recover` look bounded by `ms`: undefined (not found) if it fails or takes longer, its signal aborted then. */
async function lookWithin<T>(
  look: (signal: AbortSignal) => Promise<T | undefined>,
  ms: number,
): Promise<T | undefined> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new Error("the request's deadline passed")), ms);
  const late = new Promise<undefined>((resolve) =>
    stop.signal.addEventListener("abort", () => resolve(undefined), { once: true }),
  );
  try {
    return await Promise.race([look(stop.signal).catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
    stop.abort(new Error("the look is over"));
  }
}

/**
 * An Octokit plugin: `ProbotOctokit.plugin(boundedRetry)`, with plugin-retry disabled. A request's
 * deadline counts from when its first attempt was sent (time queued in throttling does not count).
 * That attempt keeps its whole timeout, so a GraphQL batch may take 60 s and is then the last;
 * a retry is cut at the deadline wherever it waits (on GitHub, a token or the queue).
 */
export const boundedRetry: OctokitPlugin = (octokit, octokitOptions) => {
  const own = octokitOptions as BoundedRetryOptions;
  const clock = own.retryClock ?? realClock;
  const timeouts = { ...GITHUB_ATTEMPT_TIMEOUTS, ...own.attemptTimeouts };
  octokit.hook.wrap("request", async (request, options) => {
    const perRequest = options.request as RetryRequestOptions;
    const budget = { ...GITHUB_RETRY_BUDGET, ...own.retryBudget, ...perRequest.retryBudget };
    const recover = perRequest.recover;
    const caller: AbortSignal | undefined = options.request.signal ?? undefined;
    const path = new URL(options.url ?? "", "http://x").pathname;
    const isTokenRequest = options.method === "POST" && TOKEN_REQUEST.test(path);
    const timeoutMs = path.endsWith("/graphql") ? timeouts.graphqlMs : timeouts.requestMs;
    const shortestRetryMs = Math.min(budget.shortestRetryMs, timeoutMs);
    const underlying: Fetch = options.request.fetch ?? globalThis.fetch;
    const installation = isTokenRequest ? undefined : installationOf(octokitOptions);
    const pauses = pausesOf(clock);
    const scan = caller ? waitBudgets.get(caller) : undefined;
    if (scan) scan.endsAt ??= clock.now() + scan.budgetMs;
    let deadline: number | undefined;
    const limited = { times: 0, waitedMs: 0 };
    /** Why a wait of `waitMs` from now may not be begun, if it may not. */
    const tooLong = (waitMs: number): string | undefined => {
      if (limited.waitedMs + waitMs > budget.rateLimitMs)
        return `past the ${Math.round(budget.rateLimitMs / 1000)} s a request waits on rate limits`;
      if (scan?.endsAt !== undefined && clock.now() + waitMs > scan.endsAt)
        return `past the ${Math.round(scan.budgetMs / 1000)} s the scan may wait on rate limits`;
      return undefined;
    };
    for (let attempt = 1; ; attempt++) {
      const current = new Attempt(timeoutMs, options.method, decodeURI(path), clock);
      // Another request of the installation was told to wait: sent sooner, this one would be
      // refused too. One that may not wait that long is sent, to fail with GitHub's own answer.
      const pausedMs = installation ? (pauses.get(installation) ?? 0) - clock.now() : 0;
      if (pausedMs > 0 && !caller?.aborted && tooLong(pausedMs) === undefined) {
        octokit.log.warn(
          `GitHub rate limit on this installation: ${options.method} ${current.target} waits ${Math.round(pausedMs / 1000)} s before it is sent`,
        );
        await clock.sleep(pausedMs, caller);
        limited.waitedMs += pausedMs;
      }
      try {
        // Set on this call's options, not passed as a copy: before-after-hook binds every inner hook
        // (throttling, auth) to the options the chain was called with, so options handed to
        // `request` stop at the next hook. A new `request` object, as the old one may be the
        // instance's defaults, shared by every concurrent request.
        options.request = { ...options.request, fetch: current.fetch(underlying) };
        const cutMs = deadline === undefined ? undefined : deadline - clock.now();
        const response = await current.run(request(options), cutMs);
        current.disarm();
        // Octokit reads a JSON body whose stream was aborted as "": a late abort is a failure too.
        if (current.timedOut) throw current.error();
        return response;
      } catch (error) {
        current.disarm();
        const sentAt = current.sentAt ?? (isObject(error) ? sentAtOfFailure.get(error) : undefined);
        if (isObject(error) && sentAt !== undefined && !sentAtOfFailure.has(error))
          sentAtOfFailure.set(error, sentAt);
        // A quota's reset is wall-clock time, whatever clock paces the waits.
        const limit = isTokenRequest || caller?.aborted ? undefined : rateLimitOf(error);
        if (limit !== undefined) {
          limited.times += 1;
          const waitMs = limit.named ? limit.waitMs : limit.waitMs * 2 ** (limited.times - 1);
          if (installation)
            pauses.set(installation, Math.max(pauses.get(installation) ?? 0, clock.now() + waitMs));
          const refused = tooLong(waitMs);
          if (refused !== undefined)
            throw stillRateLimited(error, waitMs, limited.waitedMs, refused);
          octokit.log.warn(
            `GitHub rate limit on ${options.method} ${current.target}: waiting ${Math.round(waitMs / 1000)} s as it asks`,
          );
          await clock.sleep(waitMs, caller);
          limited.waitedMs += waitMs;
          // The next attempt is a new start: the 5xx deadline counts from it, not from before the wait.
          deadline = undefined;
          continue;
        }
        if (isTokenRequest || caller?.aborted || !retriable(error)) throw error;
        deadline ??= (sentAt ?? clock.now()) + budget.totalMs;
        const delay = budget.firstDelayMs * 2 ** (attempt - 1);
        if (clock.now() + delay + shortestRetryMs > deadline)
          throw gaveUp(error, attempt, deadline - budget.totalMs, clock);
        await clock.sleep(delay);
        if (typeof recover === "function") {
          const found = await lookWithin(recover, deadline - clock.now());
          if (found !== undefined) return found;
          if (clock.now() + shortestRetryMs > deadline)
            throw gaveUp(error, attempt, deadline - budget.totalMs, clock);
        }
      }
    }
  });
};

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** Errors said to have been given up on; a token request's may reach several requests. */
const explained = new WeakSet<object>();

function gaveUp(error: unknown, attempts: number, firstSentAt: number, clock: RetryClock): unknown {
  if (error instanceof Error && !explained.has(error)) {
    explained.add(error);
    error.message = `${error.message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"} in ${Math.round((clock.now() - firstSentAt) / 1000)} s)`;
  }
  return error;
}

/**
 * Says that a request is still rate limited and is given up on, keeping its status and headers (a
 * caller may wait longer, as the completion of a check run does) and naming the budget it passes.
 */
function stillRateLimited(
  error: unknown,
  askedMs: number,
  waitedMs: number,
  passes: string,
): unknown {
  if (error instanceof Error && !explained.has(error)) {
    explained.add(error);
    const waited = waitedMs > 0 ? `, after waiting ${Math.round(waitedMs / 1000)} s already` : "";
    error.message = `${error.message} (GitHub's rate limit asks to wait ${Math.round(askedMs / 1000)} s more${waited}: ${passes})`;
  }
  return error;
}

/**
 * Probot's Octokit with these retries instead of plugin-retry's, and plugin-throttling's pacing
 * without its own rate-limit retries: the hook above waits those out, within its budget.
 */
export const BoundedRetryOctokit: typeof ProbotOctokit = ProbotOctokit.plugin(
  boundedRetry,
).defaults((options: { throttle?: object }) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...options.throttle, onRateLimit: () => false, onSecondaryRateLimit: () => false },
}));
