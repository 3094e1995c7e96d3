// The installation's repositories changed (`installation_repositories`, which GitHub sends every App
// unasked). When it gained or lost the organization's `.github` repository, the settings and custom
// policies there now apply to every repository, or to none: the checks of open pull requests were
// made without them (and say `settings-organization-unseen`), or with them, so each is checked
// again as a policy push does. Repositories added otherwise get their open pull requests checked,
// which no event would check before their next push (a required check would wait on them), as do
// a new installation's repositories (`installation.created`).
import { z } from "zod";
import { ORGANIZATION_SETTINGS_REPOSITORY } from "../config/index.js";
import type { GitHubApi } from "../github/index.js";
import {
  listOpenPulls,
  ORGANIZATION_PULL_LIMITS,
  type InstallationListing,
  type OpenPull,
  type OpenPullLimits,
  type OpenPullList,
} from "../org/index.js";
import { describeError, type FlowLog } from "./checkFlow.js";

const listedRepository = z.object({ name: z.string().min(1) });
const installationRepositoriesEvent = z.object({
  installation: z.object({
    id: z.number().int().positive(),
    account: z.object({ login: z.string().min(1) }),
  }),
  repositories_added: z.array(listedRepository).default([]),
  repositories_removed: z.array(listedRepository).default([]),
});

export type RecheckRequest =
  | {
      kind: "recheck";
      installationId: number;
      owner: string;
      /**
       * Whether `.github` came into the installation's sight or left it, others were added, or the
       * App was just installed.
       */
      change: "added" | "removed" | "repositories-added" | "installed";
      /** With `repositories-added`, the repositories whose open pull requests to check. */
      repositories?: string[];
    }
  | { kind: "ignore"; reason: string };

export function recheckRequest(payload: unknown): RecheckRequest {
  const event = installationRepositoriesEvent.safeParse(payload);
  if (!event.success) return { kind: "ignore", reason: "payload lacks the installation's account" };
  const { installation, repositories_added: added, repositories_removed: removed } = event.data;
  const organization = (repository: { name: string }) =>
    repository.name === ORGANIZATION_SETTINGS_REPOSITORY;
  const change = added.some(organization)
    ? "added"
    : removed.some(organization)
      ? "removed"
      : undefined;
  const target = {
    kind: "recheck" as const,
    installationId: installation.id,
    owner: installation.account.login,
  };
  if (change !== undefined) return { ...target, change };
  if (added.length === 0) return { kind: "ignore", reason: "no repository was added" };
  return {
    ...target,
    change: "repositories-added",
    repositories: added.map((repository) => repository.name),
  };
}

const installationCreatedEvent = z.object({
  action: z.literal("created"),
  installation: z.object({
    id: z.number().int().positive(),
    account: z.object({ login: z.string().min(1) }),
  }),
});

/**
 * A new installation (`installation.created`): every open pull request of the repositories it sees
 * is checked, as added repositories' are. Listed as the installation sees them, whatever its
 * selection: the payload's own list may name every repository of a large organization.
 */
export function installedRequest(payload: unknown): RecheckRequest {
  const event = installationCreatedEvent.safeParse(payload);
  if (!event.success) return { kind: "ignore", reason: "not a new installation with an account" };
  const { id, account } = event.data.installation;
  return { kind: "recheck", installationId: id, owner: account.login, change: "installed" };
}

export interface UnlistedFlow {
  log: FlowLog;
  /**
   * Queues a durable re-check of these repositories alone (retried by the queue); absent in process,
   * where nothing retries.
   */
  recheckLater?: (repositories: string[]) => Promise<void>;
}

/**
 * Repositories whose open pull requests could not be listed while the others' were queued: logged,
 * and checked again by a durable re-check of them alone where the queue has one; in process, their
 * pull requests wait for their next push or re-run.
 */
export async function recheckUnlisted(
  owner: string,
  unlisted: OpenPullList["unlisted"],
  flow: UnlistedFlow,
): Promise<void> {
  if (unlisted.length === 0) return;
  flow.log.warn(
    {
      owner,
      unlisted: unlisted.map(({ repo, error }) => `${repo}: ${describeError(error)}`),
      retried: flow.recheckLater !== undefined,
    },
    flow.recheckLater
      ? "open pull requests of some repositories not listed: a re-check of those is queued"
      : "open pull requests of some repositories not listed: checked at their next push or re-run",
  );
  await flow.recheckLater?.(unlisted.map(({ repo }) => repo));
}

export interface RecheckFlow extends UnlistedFlow {
  /** Queues a check of one open pull request (the app's normal check job). */
  enqueueCheck: (pull: OpenPull) => Promise<unknown>;
  limits?: OpenPullLimits;
  signal?: AbortSignal;
}

/**
 * Queues a check of each open pull request of `owner`'s repositories the installation sees, or of
 * `repositories` alone. Repositories that cannot be listed are re-checked later (`recheckUnlisted`);
 * a re-check of named repositories fails instead once it has queued the others, for its queue to
 * retry it (a durable one does), so a retry never spawns another.
 */
export async function recheckInstallation(
  api: GitHubApi,
  owner: string,
  flow: RecheckFlow,
  repositories?: readonly string[],
): Promise<void> {
  const listed: InstallationListing | undefined = repositories && {
    repositories: repositories.map((name) => ({
      name,
      pushedAt: "",
      private: true,
      archived: false,
    })),
    complete: true,
  };
  const open = await listOpenPulls(
    api,
    owner,
    listed,
    { ...ORGANIZATION_PULL_LIMITS, ...flow.limits },
    flow.signal,
  );
  for (const pull of open.pulls) {
    flow.signal?.throwIfAborted();
    await flow.enqueueCheck(pull);
  }
  flow.log.info(
    {
      owner,
      repositories: open.repositories,
      pulls: open.pulls.length,
      leftOut: open.leftOut,
      truncated: open.truncated,
    },
    "the installation's repositories changed: open pull requests queued for a new check",
  );
  if (!repositories) return recheckUnlisted(owner, open.unlisted, flow);
  if (open.unlisted.length > 0)
    throw new Error(
      `the open pull requests of ${open.unlisted
        .map(({ repo, error }) => `${owner}/${repo} (${describeError(error)})`)
        .join(", ")} could not be listed`,
    );
}
