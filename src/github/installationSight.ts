// Whether this app's installation can see an organization's `.github` repository. GitHub answers
// 404 both for a file that is not there and for a private repository the installation cannot see,
// so a 404 for the organization's settings means "no file" only when the installation is on all
// repositories, or on a selection that includes `.github`; otherwise its settings may exist unseen.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ORGANIZATION_SETTINGS_REPOSITORY } from "../config/index.js";
import { httpStatus, type GitHubApi } from "./client.js";
import type { SharedValues } from "./settings.js";

/**
 * How long an answer is kept: a change of the installation's repositories is seen within this
 * time by replicas that did not get its `installation_repositories` event (`forget`). At most two
 * requests per installation per 5 minutes, against GitHub's 5,000 an hour for an installation.
 */
const ANSWER_TTL_MS = 5 * 60_000;

const selectionSchema = z.object({ repository_selection: z.enum(["all", "selected"]).optional() });

/** What the shared store said when it could not be read: never equal to a forget's mark. */
const UNREAD = Symbol("unread");

/**
 * Per installation (an App has at most one per account, so keyed by the account's login), in this
 * process, bounded to 1,000 accounts, oldest dropped first. With `shared` (several replicas on one
 * Redis), a `forget` reaches every replica: the checks an `installation_repositories` event queues
 * run in any of them, and must not take an answer kept from before it. Each forget leaves a new
 * random mark there; an answer is kept with the mark read before asking, and asked again once the
 * mark differs. No replica's clock is compared with another's.
 */
export class InstallationSight {
  private readonly answers = new Map<string, { hidden: boolean; at: number; mark: unknown }>();
  constructor(
    private readonly ttlMs = ANSWER_TTL_MS,
    private readonly now: () => number = Date.now,
    private readonly capacity = 1000,
    private readonly shared?: SharedValues,
  ) {}

  /**
   * True when the installation is on selected repositories and cannot see `owner/.github`: it may
   * exist, private, outside the selection. Asks `GET /installation/repositories` (one repository:
   * only `repository_selection` is read) and, on a selection, `GET /repos/{owner}/.github`; both
   * need only the `metadata` permission every App has. A failed request leaves it unknown
   * (undefined, not kept), so the next check asks again.
   */
  async hidesOrganizationRepository(
    api: GitHubApi,
    owner: string,
    signal?: AbortSignal,
  ): Promise<boolean | undefined> {
    const key = owner.toLowerCase();
    const kept = this.answers.get(key);
    if (kept && this.now() - kept.at < this.ttlMs && !(await this.forgottenSince(key, kept.mark)))
      return kept.hidden;
    // Read before asking: a forget while GitHub answers makes the answer one to ask again.
    const mark = await this.forgetMark(key);
    let hidden: boolean;
    try {
      hidden = await askHidden(api, owner, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined;
    }
    this.answers.delete(key);
    this.answers.set(key, { hidden, at: this.now(), mark });
    const oldest = this.answers.keys().next();
    if (this.answers.size > this.capacity && !oldest.done) this.answers.delete(oldest.value);
    return hidden;
  }

  /** The installation's repositories changed: ask again at the next 404, in every replica. */
  async forget(owner: string): Promise<void> {
    const key = owner.toLowerCase();
    this.answers.delete(key);
    await this.shared?.remember(forgottenName(key), randomUUID()).catch(() => undefined);
  }

  /** The installation's mark in the shared store (undefined when never forgotten, or none). */
  private async forgetMark(key: string): Promise<unknown> {
    if (!this.shared) return undefined;
    return this.shared.recall(forgottenName(key)).then(
      (mark) => mark,
      () => UNREAD,
    );
  }

  /**
   * Whether a replica forgot the installation's answer since it was asked (its mark changed). A
   * store failing now says no, as without one; one that failed then, yes once it reads again.
   */
  private async forgottenSince(key: string, mark: unknown): Promise<boolean> {
    const now = await this.forgetMark(key);
    return now !== UNREAD && now !== mark;
  }
}

const forgottenName = (key: string) => `installation-sight-forgotten:${key}`;

async function askHidden(api: GitHubApi, owner: string, signal?: AbortSignal): Promise<boolean> {
  const { data } = await api.rest.apps.listReposAccessibleToInstallation({
    per_page: 1,
    request: { signal },
  });
  // All repositories, current and future: the 404 was GitHub's answer for a file not there.
  // An answer without the field (an older GitHub Enterprise Server) tells nothing: no notice.
  if (selectionSchema.parse(data).repository_selection !== "selected") return false;
  try {
    await api.rest.repos.get({
      owner,
      repo: ORGANIZATION_SETTINGS_REPOSITORY,
      request: { signal },
    });
    return false;
  } catch (error) {
    if (httpStatus(error) === 404) return true;
    throw error;
  }
}
