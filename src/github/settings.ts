// Reads the settings that judge a pull request: `.github/tollgate.yml` on the default branch of the
// organization's `.github` repository and of the repository itself, never at the pull request's own
// commits, so a PR cannot loosen its own gate. It fails closed: only a 404 means "no file" (for the
// organization's, told apart from a `.github` repository the installation cannot see, a notice:
// installationSight.ts); an unreadable or invalid file is a located error the gate treats per
// `on_error`, and the last valid version applies (from the file's default-branch history, or
// remembered by the app's replicas).
import { z } from "zod";
import {
  mergeSettings,
  ORGANIZATION_SETTINGS_REPOSITORY,
  parseSettingsFile,
  SETTINGS_PATH,
  type ParsedSettingsFile,
  type RepositoryIdentity,
  type Settings,
  type SettingsFileResult,
} from "../config/index.js";
import type { LoadError } from "../model/types.js";
import { httpStatus, type GitHubApi, type RepoRef } from "./client.js";
import type { InstallationSight } from "./installationSight.js";

export interface RepositorySettings {
  settings: Settings;
  /** The repository as selectors see it; topics are fetched only when a selector names some. */
  repository: RepositoryIdentity;
  /** Located notes for the summary: locked keys held, org-only keys in a repository file. */
  notices: LoadError[];
  /**
   * Files that could not be read (an answer other than 404) or are invalid, each saying what applies
   * instead: the gate counts them as errors, so `on_error` (default block) decides.
   */
  errors: LoadError[];
  /** False when the organization's file could not be read and nothing valid was remembered. */
  organizationKnown: boolean;
  /**
   * The repository's own file that applies (the current one or its last valid version), null for
   * none: its pull requests' authors can edit it, so they are told what it says that it likely
   * does not mean (`blockingDaysBegun`).
   */
  repositoryFile: ParsedSettingsFile | null;
  /**
   * The organization's file as origins name it, when `target` is another repository: its admins
   * are told of its problems on the `.github` repository, so this repository's pull requests hear
   * only what bears on their findings (`WaiverContext.organizationFile`).
   */
  organizationFile?: string;
}

/** Earlier versions of an invalid file tried, newest first, before falling back further. */
const HISTORY_VERSIONS = 5;

/**
 * JSON values every replica of the app shares (the queue's Redis, `ReplicaMemory` in src/queue),
 * so what one remembers the others recall.
 */
export interface SharedValues {
  remember(name: string, value: unknown): Promise<void>;
  recall(name: string): Promise<unknown>;
}

const rememberedSchema = z.object({
  parsed: z
    .object({
      file: z.string(),
      settings: z.record(z.string(), z.unknown()),
      locations: z.record(z.string(), z.unknown()),
    })
    .nullable(),
  readAt: z.string().datetime(),
});

/**
 * The last valid file each repository served, kept for when GitHub cannot answer (5xx after
 * retries, 403), or null where its last answer was a 404: a file since deleted must not come back
 * in an outage, its waivers with it, so "no file" replaces what was remembered. In this process,
 * bounded to 1,000 repositories, oldest dropped first; with `shared` (several replicas on one
 * Redis) also there, so every replica applies the same file and
 * a fresh one is not left with the built-in defaults (blocking on error) where another remembers.
 * A shared store that fails is passed over for what this process remembers.
 */
export class LastValidSettings {
  private readonly files = new Map<string, RememberedFile>();
  constructor(
    private readonly capacity = 1000,
    private readonly shared?: SharedValues,
  ) {}

  /** `parsed` null: the file was not there (a 404). */
  async remember(
    repository: RepoRef,
    parsed: ParsedSettingsFile | null,
    readAt: Date,
  ): Promise<void> {
    const key = keyOf(repository);
    this.files.delete(key);
    this.files.set(key, { parsed, readAt });
    const oldest = this.files.keys().next();
    if (this.files.size > this.capacity && !oldest.done) this.files.delete(oldest.value);
    const value = { parsed, readAt: readAt.toISOString() };
    await this.shared?.remember(`settings:${key}`, value).catch(() => undefined);
  }

  /** The newest of what this process and the shared store remember; `parsed` null: no file. */
  async recall(repository: RepoRef): Promise<RememberedFile | undefined> {
    const local = this.files.get(keyOf(repository));
    const value = await this.shared?.recall(`settings:${keyOf(repository)}`).catch(() => undefined);
    // Written by any replica's version: what does not read as a settings file is passed over.
    const stored = value === undefined ? undefined : rememberedSchema.safeParse(value);
    if (!stored?.success) return local;
    const readAt = new Date(stored.data.readAt);
    if (local && local.readAt >= readAt) return local;
    return { parsed: stored.data.parsed as ParsedSettingsFile | null, readAt };
  }
}

interface RememberedFile {
  parsed: ParsedSettingsFile | null;
  readAt: Date;
}

function keyOf(repository: RepoRef): string {
  return `${repository.owner}/${repository.repo}`.toLowerCase();
}

const topicsSchema = z.object({ names: z.array(z.string()) });

const fileContentSchema = z.object({
  type: z.literal("file"),
  content: z.string(),
});

/** How the organization's file is named in notices: `acme/.github:.github/tollgate.yml`. */
function organizationSettingsFile(owner: string): string {
  return `${owner}/${ORGANIZATION_SETTINGS_REPOSITORY}:${SETTINGS_PATH}`;
}

/**
 * The settings that gate a pull request of `target`: both files read without a `ref`, which GitHub's
 * contents API answers from each repository's default branch, never from the pull request's commits.
 * With `sight`, a 404 for the organization's file is told apart from an installation that cannot
 * see the `.github` repository (`settings-organization-unseen`, a notice).
 */
export async function readGateSettings(
  api: GitHubApi,
  target: RepoRef,
  signal?: AbortSignal,
  remembered: LastValidSettings = new LastValidSettings(),
  sight?: InstallationSight,
): Promise<RepositorySettings> {
  const errors: LoadError[] = [];
  const organizationRepository = { owner: target.owner, repo: ORGANIZATION_SETTINGS_REPOSITORY };
  const organizationRead = await readDefaultBranchFile(
    api,
    organizationRepository,
    organizationSettingsFile(target.owner),
    remembered,
    signal,
  );
  errors.push(...organizationRead.errors);
  const organization = organizationRead.file;
  // Without the organization's file a repository's could loosen what the organization locks (even
  // `on_error`), so it is left out and the built-in defaults, blocking on error, apply alone.
  const organizationKnown = organizationRead.known;
  let repositoryFile: ParsedSettingsFile | null = null;
  if (target.repo !== ORGANIZATION_SETTINGS_REPOSITORY && organizationKnown) {
    const repositoryRead = await readDefaultBranchFile(
      api,
      target,
      SETTINGS_PATH,
      remembered,
      signal,
    );
    errors.push(...repositoryRead.errors);
    repositoryFile = repositoryRead.file;
  }
  const selectsByTopic = [organization, repositoryFile].some((file) =>
    file?.settings.overrides?.some((override) => override.topics !== undefined),
  );
  const repository: RepositoryIdentity = {
    name: target.repo,
    topics: selectsByTopic ? await readTopics(api, target, signal) : [],
  };
  const merged = mergeSettings(organization, repositoryFile, repository);
  const unseen =
    organizationRead.notFound &&
    target.repo !== ORGANIZATION_SETTINGS_REPOSITORY &&
    (await sight?.hidesOrganizationRepository(api, target.owner, signal))
      ? [organizationUnseen(target.owner, repositoryFile !== null)]
      : [];
  const leftOut: LoadError[] =
    target.repo !== ORGANIZATION_SETTINGS_REPOSITORY && !organizationKnown
      ? [
          {
            file: organizationSettingsFile(target.owner),
            line: 1,
            column: 1,
            code: "settings-repository-left-out",
            message: `no valid version of the organization's settings is known, so this repository's ${SETTINGS_PATH} is left out too (it could loosen what the organization locks); the built-in defaults apply`,
          },
        ]
      : [];
  return {
    settings: merged.settings,
    repository,
    notices: [...unseen, ...leftOut, ...merged.notices],
    errors,
    organizationKnown,
    repositoryFile,
    ...(target.repo !== ORGANIZATION_SETTINGS_REPOSITORY
      ? { organizationFile: organizationSettingsFile(target.owner) }
      : {}),
  };
}

/** The code of `organizationUnseen`'s notice. */
export const ORGANIZATION_UNSEEN = "settings-organization-unseen";

/**
 * The notice for an organization file GitHub answered 404 for while the installation, on selected
 * repositories, cannot see the `.github` repository: not an error, since an organization may have
 * no `.github` repository at all, which the installation cannot tell from one left out.
 */
function organizationUnseen(owner: string, repositoryFileApplies: boolean): LoadError {
  const repository = `${owner}/${ORGANIZATION_SETTINGS_REPOSITORY}`;
  return {
    file: organizationSettingsFile(owner),
    line: 1,
    column: 1,
    code: ORGANIZATION_UNSEEN,
    message: [
      `this app is installed on selected repositories of ${owner} and cannot see ${repository}`,
      `: if it exists, its ${SETTINGS_PATH} and custom policies (enforcement, locks, waivers, custom rules) apply to no repository`,
      repositoryFileApplies ? ", and this repository's own file applies without its locks" : "",
      `. To apply them, add ${repository} to the installation's repository access (the organization's settings, GitHub Apps, Configure)`,
    ].join(""),
  };
}

interface DefaultBranchFile {
  /** The file that applies: the current one, its last valid version, or none. */
  file: ParsedSettingsFile | null;
  /** GitHub answered 404: no file, or a repository the installation cannot see. */
  notFound?: true;
  errors: LoadError[];
  /** Whether what applies is known: false when unreadable or invalid with no valid version at hand. */
  known: boolean;
}

/** One file on its default branch, failing closed: see the module header. */
async function readDefaultBranchFile(
  api: GitHubApi,
  repository: RepoRef,
  name: string,
  remembered: LastValidSettings,
  signal: AbortSignal | undefined,
): Promise<DefaultBranchFile> {
  let read: SettingsFileResult | undefined;
  try {
    read = await readSettingsFile(api, repository, undefined, name, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    const last = await remembered.recall(repository);
    const instead = !last
      ? "nothing valid is remembered, so the built-in defaults apply alone"
      : last.parsed
        ? `the last valid settings this app read, at ${last.readAt.toISOString()}, apply`
        : `when this app last read it, at ${last.readAt.toISOString()}, there was no file, so none applies`;
    return {
      file: last?.parsed ?? null,
      known: last !== undefined,
      errors: [
        {
          file: name,
          line: 1,
          column: 1,
          code: "settings-unreadable",
          message: `could not read the settings: ${describeFailure(error)}; ${instead}`,
        },
      ],
    };
  }
  if (!read) {
    await remembered.remember(repository, null, new Date());
    return { file: null, notFound: true, errors: [], known: true };
  }
  if (read.ok) {
    await remembered.remember(repository, read.parsed, new Date());
    return { file: read.parsed, errors: [], known: true };
  }
  const last = await lastValidVersion(api, repository, name, signal);
  const instead = last.found
    ? last.parsed
      ? `the last valid version (commit ${last.commit.slice(0, 7)}) applies`
      : `before commit ${last.commit.slice(0, 7)} there was no file; no settings from it apply`
    : `no earlier valid version was found (${last.reason}), so none of this file applies`;
  return {
    file: last.found ? last.parsed : null,
    // With no valid version, what the file meant to lock is unknown, as for an unreadable one.
    known: last.found,
    errors: read.errors.map((error) => ({
      ...error,
      message: `${error.message} (invalid settings: ${instead})`,
    })),
  };
}

type LastValid =
  | { found: true; commit: string; parsed: ParsedSettingsFile | null }
  | { found: false; reason: string };

const commitListSchema = z.array(z.object({ sha: z.string() }));

/**
 * The newest earlier version of an invalid file on its default branch that parses, from the file's
 * commit history (the first listed commit wrote the current, invalid version).
 */
async function lastValidVersion(
  api: GitHubApi,
  repository: RepoRef,
  name: string,
  signal: AbortSignal | undefined,
): Promise<LastValid> {
  try {
    const { data } = await api.rest.repos.listCommits({
      owner: repository.owner,
      repo: repository.repo,
      path: SETTINGS_PATH,
      per_page: HISTORY_VERSIONS + 1,
      request: { signal },
    });
    const earlier = commitListSchema.parse(data).slice(1);
    if (earlier.length === 0) return { found: false, reason: "it has no earlier version" };
    for (const { sha } of earlier) {
      const read = await readSettingsFile(api, repository, sha, name, signal);
      if (!read) return { found: true, commit: sha, parsed: null };
      if (read.ok) return { found: true, commit: sha, parsed: read.parsed };
    }
    return { found: false, reason: `none of the ${HISTORY_VERSIONS} versions before it is valid` };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { found: false, reason: `its history could not be read: ${describeFailure(error)}` };
  }
}

/** An API failure in one phrase, without request details: `HTTP 503 Server Error`. */
function describeFailure(error: unknown): string {
  const status = httpStatus(error);
  const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  return status === undefined ? message : `HTTP ${status} ${message}`.trim();
}

async function readTopics(
  api: GitHubApi,
  target: RepoRef,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const { data } = await api.rest.repos.getAllTopics({
    owner: target.owner,
    repo: target.repo,
    per_page: 100,
    request: { signal },
  });
  return topicsSchema.parse(data).names;
}

/**
 * `.github/tollgate.yml` of a repository at `ref` (its default branch when absent), parsed under
 * `name`; located errors, or undefined when there is none (404).
 */
export async function readSettingsFile(
  api: GitHubApi,
  repository: RepoRef,
  ref: string | undefined,
  name: string,
  signal?: AbortSignal,
): Promise<SettingsFileResult | undefined> {
  try {
    const { data } = await api.rest.repos.getContent({
      owner: repository.owner,
      repo: repository.repo,
      path: SETTINGS_PATH,
      ...(ref ? { ref } : {}),
      request: { signal },
    });
    const file = fileContentSchema.safeParse(data);
    if (!file.success) {
      return {
        ok: false,
        errors: [
          {
            file: name,
            line: 1,
            column: 1,
            code: "settings-not-a-file",
            message: `${SETTINGS_PATH} is not a file`,
          },
        ],
      };
    }
    return parseSettingsFile(Buffer.from(file.data.content, "base64").toString("utf8"), name);
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}
