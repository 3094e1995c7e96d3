// Reads `.github/tollgate.yml` at a commit. The app reads it at the pull request's base, so a pull
// request cannot loosen the gate that judges it; a missing file means the defaults.
import {
  parseSettings,
  SETTINGS_PATH,
  defaultSettings,
  type SettingsResult,
} from "../config/index.js";
import { httpStatus, type GitHubApi, type RepoRef } from "./client.js";

export async function readRepositorySettings(
  api: GitHubApi,
  repository: RepoRef,
  ref: string,
  signal?: AbortSignal,
): Promise<SettingsResult> {
  try {
    const { data } = await api.rest.repos.getContent({
      owner: repository.owner,
      repo: repository.repo,
      path: SETTINGS_PATH,
      ref,
      request: { signal },
    });
    if (Array.isArray(data) || data.type !== "file" || typeof data.content !== "string") {
      return {
        ok: false,
        errors: [
          {
            file: SETTINGS_PATH,
            line: 1,
            column: 1,
            code: "settings-not-a-file",
            message: `${SETTINGS_PATH} is not a file`,
          },
        ],
      };
    }
    return parseSettings(Buffer.from(data.content, "base64").toString("utf8"), SETTINGS_PATH);
  } catch (error) {
    if (httpStatus(error) === 404) return { ok: true, settings: defaultSettings };
    throw error;
  }
}
