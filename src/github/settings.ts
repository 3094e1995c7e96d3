// Reads the settings that judge a pull request: `.github/tollgate.yml` on the default branch of the
// organization's `.github` repository and of the repository itself, never at the pull request's own
// commits, so a PR cannot loosen its own gate. An invalid file is reported and left out of the merge.
// `readRepositorySettings` reads one repository's file at a given commit, resolved on its own.
import { z } from "zod";
import {
  defaultSettings,
  mergeSettings,
  ORGANIZATION_SETTINGS_REPOSITORY,
  parseSettingsFile,
  SETTINGS_PATH,
  type ParsedSettingsFile,
  type RepositoryIdentity,
  type Settings,
  type SettingsFileResult,
  type SettingsResult,
} from "../config/index.js";
import type { LoadError } from "../model/types.js";
import { httpStatus, type GitHubApi, type RepoRef } from "./client.js";

export interface RepositorySettings {
  settings: Settings;
  /** The repository as selectors see it; topics are fetched only when a selector names some. */
  repository: RepositoryIdentity;
  /** Located notes for the summary: invalid files (and what applies instead), locked keys held. */
  notices: LoadError[];
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
 */
export async function readGateSettings(
  api: GitHubApi,
  target: RepoRef,
  signal?: AbortSignal,
): Promise<RepositorySettings> {
  const notices: LoadError[] = [];
  const organization = validOrReported(
    await readSettingsFile(
      api,
      { owner: target.owner, repo: ORGANIZATION_SETTINGS_REPOSITORY },
      undefined,
      organizationSettingsFile(target.owner),
      signal,
    ),
    "the built-in defaults apply in its place",
    notices,
  );
  const repositoryFile =
    target.repo === ORGANIZATION_SETTINGS_REPOSITORY
      ? null
      : validOrReported(
          await readSettingsFile(api, target, undefined, SETTINGS_PATH, signal),
          organization
            ? "the organization's settings apply without it"
            : "the built-in defaults apply without it",
          notices,
        );
  const selectsByTopic = [organization, repositoryFile].some((file) =>
    file?.settings.overrides?.some((override) => override.topics !== undefined),
  );
  const repository: RepositoryIdentity = {
    name: target.repo,
    topics: selectsByTopic ? await readTopics(api, target, signal) : [],
  };
  const merged = mergeSettings(organization, repositoryFile, repository);
  return { settings: merged.settings, repository, notices: [...notices, ...merged.notices] };
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

/** One repository's file at one commit, resolved on its own; a missing file means the defaults. */
export async function readRepositorySettings(
  api: GitHubApi,
  repository: RepoRef,
  ref: string,
  signal?: AbortSignal,
): Promise<SettingsResult> {
  const read = await readSettingsFile(api, repository, ref, SETTINGS_PATH, signal);
  if (!read) return { ok: true, settings: defaultSettings };
  if (!read.ok) return read;
  return {
    ok: true,
    settings: mergeSettings(read.parsed, null, { name: repository.repo, topics: [] }).settings,
  };
}

function validOrReported(
  read: SettingsFileResult | undefined,
  fallback: string,
  notices: LoadError[],
): ParsedSettingsFile | null {
  if (!read) return null;
  if (read.ok) return read.parsed;
  for (const error of read.errors)
    notices.push({ ...error, message: `${error.message} (invalid settings: ${fallback})` });
  return null;
}

/** `.github/tollgate.yml` parsed, located errors, or undefined when there is none. */
async function readSettingsFile(
  api: GitHubApi,
  repository: RepoRef,
  ref: string | undefined,
  name: string,
  signal: AbortSignal | undefined,
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
