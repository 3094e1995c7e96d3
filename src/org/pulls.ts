// The open pull requests a settings or policy change affects: those of every repository of the
// installation in the organization, or of one repository. Bounded (repositories, pull requests per
// repository, in total) and a few requests at a time; one repository that cannot be listed is
// named beside the others' pull requests, never failing them; the app's Octokit adds GitHub's rate limits
// (`@octokit/plugin-throttling` waits out primary and secondary limits, `-retry` retries 5xx).
import type { GitHubApi, RepoRef } from "../github/client.js";

export interface OpenPull {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
  /** ISO time, to take the most recently active first when a bound cuts the list. */
  updatedAt: string;
  /** Whether the repository is private (assumed when not listed), so public reports leave it unnamed. */
  private: boolean;
}

export interface OpenPullList {
  pulls: OpenPull[];
  repositories: number;
  /** Open pull requests seen but left out by `maxPulls`, and whether a listing bound cut more. */
  leftOut: number;
  truncated: boolean;
  /**
   * Repositories whose open pull requests could not be listed (an outage after the client's
   * retries, a repository removed meanwhile), with GitHub's error; the others are listed all the same.
   */
  unlisted: { repo: string; error: unknown }[];
}

export interface OpenPullLimits {
  maxRepositories?: number;
  /** At most this many, the most recently updated first. */
  maxPulls?: number;
  /** Listing requests in flight at once. */
  concurrency?: number;
  /** Repositories whose pull requests are not wanted (the preview leaves out `.github` itself). */
  exclude?: readonly string[];
}

/**
 * How much a change of what gates pull requests looks at (a push changing settings or policies,
 * `.github` gained or lost, other repositories added): the 1,000 most recently pushed repositories
 * (one listing request each, two at a time) and every open pull request listed (the newest 100 of
 * each), each queued as a check, which the check queue paces. No total cap: a pull request left
 * out would keep a passing check made under the rules before the change, and a required check
 * would let it merge on that.
 */
export const ORGANIZATION_PULL_LIMITS: Required<
  Pick<OpenPullLimits, "maxRepositories" | "concurrency">
> = {
  maxRepositories: 1000,
  concurrency: 2,
};

/**
 * An unsuspension's look, which reads each listed pull request's runs (one more request each):
 * the 300 most recently updated open pull requests of those repositories. The rest are logged as
 * left out; their runs were made before the suspension and stand until their next push or re-run.
 */
export const RESUME_PULL_LIMITS: Required<
  Pick<OpenPullLimits, "maxRepositories" | "maxPulls" | "concurrency">
> = {
  ...ORGANIZATION_PULL_LIMITS,
  maxPulls: 300,
};

/** Installation repositories read at most (100 per request). */
const MAX_LISTED_REPOSITORIES = 5000;

export interface InstallationRepository {
  name: string;
  /** ISO time of the last push, "" when unknown. */
  pushedAt: string;
  private: boolean;
  archived: boolean;
  /** The repository's topics; undefined when the listing did not give them. */
  topics?: readonly string[];
}

export interface InstallationListing {
  repositories: InstallationRepository[];
  /** False when the bound of 5,000 cut the list. */
  complete: boolean;
}

/**
 * The repositories of `owner` the installation may read, archived ones included, at most 5,000;
 * `complete` is false when that bound cut the list.
 */
export async function listInstallationRepositories(
  api: GitHubApi,
  owner: string,
  signal?: AbortSignal,
): Promise<InstallationListing> {
  const repositories: InstallationRepository[] = [];
  for await (const { data } of api.paginate.iterator(
    api.rest.apps.listReposAccessibleToInstallation,
    { per_page: 100, request: { signal } },
  )) {
    for (const repository of data) {
      if (repository.owner.login.toLowerCase() !== owner.toLowerCase()) continue;
      repositories.push({
        name: repository.name,
        pushedAt: repository.pushed_at ?? "",
        private: repository.private,
        archived: repository.archived ?? false,
        ...(repository.topics ? { topics: repository.topics } : {}),
      });
    }
    if (repositories.length >= MAX_LISTED_REPOSITORIES) return { repositories, complete: false };
  }
  return { repositories, complete: true };
}

/** One page per repository: a repository with more than 100 open pull requests has its newest 100 taken. */
const PULLS_PER_REPOSITORY = 100;

/**
 * The open pull requests of one repository (`from` a `RepoRef`) or of the installation's
 * repositories: as already listed (`from` a listing), or listed here (`from` undefined).
 */
export async function listOpenPulls(
  api: GitHubApi,
  owner: string,
  from: RepoRef | InstallationListing | undefined,
  limits: OpenPullLimits = {},
  signal?: AbortSignal,
): Promise<OpenPullList> {
  const maxRepositories = limits.maxRepositories ?? 1000;
  let truncated = false;
  let repositories: string[] = [];
  const publicRepositories = new Set<string>();
  if (from && "repo" in from) repositories.push(from.repo);
  else {
    const listed = from ?? (await listInstallationRepositories(api, owner, signal));
    const candidates = listed.repositories.filter(
      (repository) => !repository.archived && !limits.exclude?.includes(repository.name),
    );
    for (const repository of candidates)
      if (!repository.private) publicRepositories.add(repository.name);
    // The most recently pushed first: where open pull requests are likeliest.
    candidates.sort((a, b) => b.pushedAt.localeCompare(a.pushedAt));
    truncated = !listed.complete || candidates.length > maxRepositories;
    repositories = candidates.slice(0, maxRepositories).map((c) => c.name);
  }
  const unlisted: OpenPullList["unlisted"] = [];
  const lists = await mapLimited(repositories, limits.concurrency ?? 4, async (repo) => {
    let data;
    try {
      ({ data } = await api.rest.pulls.list({
        owner,
        repo,
        state: "open",
        sort: "updated",
        direction: "desc",
        per_page: PULLS_PER_REPOSITORY,
        request: { signal },
      }));
    } catch (error) {
      if (signal?.aborted) throw error;
      unlisted.push({ repo, error });
      return [];
    }
    if (data.length >= PULLS_PER_REPOSITORY) truncated = true;
    return data.map((pull): OpenPull => ({
      owner,
      repo,
      pullNumber: pull.number,
      headSha: pull.head.sha,
      baseSha: pull.base.sha,
      updatedAt: pull.updated_at,
      private: !publicRepositories.has(repo),
    }));
  });
  const all = lists.flat().sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const maxPulls = limits.maxPulls ?? all.length;
  return {
    pulls: all.slice(0, maxPulls),
    repositories: repositories.length,
    leftOut: Math.max(0, all.length - maxPulls),
    truncated,
    unlisted,
  };
}

/**
 * `work` over `items`, at most `concurrency` at once, results in order. Hand-written (12 lines)
 * since package.json has no p-limit and the queue's own concurrency is for check jobs.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
