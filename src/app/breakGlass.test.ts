import { describe, expect, it } from "vitest";
import { defaultSettings } from "../config/index.js";
import { ORGANIZATION_UNSEEN, type GitHubApi, type RepositorySettings } from "../github/index.js";
import { authoriseOverride } from "./breakGlass.js";

/** No team is named, so no request is made: a client that answers nothing. */
const api = {} as GitHubApi;

/** Settings naming `users` under `break_glass`, read with an organization file out of sight. */
function unseenOrganization(users: string[]): RepositorySettings {
  return {
    settings: { ...defaultSettings, breakGlass: { users, teams: [] } },
    repository: { name: "infra", topics: [] },
    notices: [
      {
        file: "acme/.github:.github/tollgate.yml",
        line: 1,
        column: 1,
        code: ORGANIZATION_UNSEEN,
        message:
          "this app is installed on selected repositories of acme and cannot see acme/.github",
      },
    ],
    errors: [],
    organizationKnown: true,
    repositoryFile: null,
  };
}

describe("authoriseOverride", () => {
  it("tells someone the repository's file does not name that the organization's cannot count", async () => {
    const refused = await authoriseOverride(api, unseenOrganization(["bob"]), "alice");
    expect(refused).toEqual({
      ok: false,
      reason: "not-named",
      message:
        "only the people and teams named under `break_glass` in the Tollgate settings can override a blocking result. Any `break_glass` in the organization's settings does not count: This app is installed on selected repositories of acme and cannot see acme/.github.",
    });
    expect(await authoriseOverride(api, unseenOrganization(["alice"]), "alice")).toEqual({
      ok: true,
      as: "alice",
    });
  });
});
