// The organization file's repository selectors judged against the repositories the app is installed
// on: a `repositories` glob of a waiver or an `overrides` entry that matches none of them selects
// nothing, most likely a misspelt name. Nothing else can tell: a pull request of another repository
// is rightly not told about a waiver written for other repositories. The `.github` repository's
// checks report these to the organization's admins.
import picomatch from "picomatch";
import { closestName } from "../model/spelling.js";
import type { LoadError } from "../model/types.js";
import { originOf, type ParsedSettingsFile } from "./parse.js";

/**
 * A located `settings-unmatched-repository` notice for each glob under `waivers[].repositories` or
 * `overrides[].repositories` that matches none of `repositories` (names without owner, archived
 * ones included), naming the closest repository when the glob is a plain name one or two edits
 * from one. An empty list judges nothing: the installation's repositories are unknown.
 */
export function unmatchedRepositoryGlobs(
  file: ParsedSettingsFile,
  repositories: readonly string[],
): LoadError[] {
  if (repositories.length === 0) return [];
  const matches = (glob: string) =>
    repositories.some((name) => picomatch.isMatch(name, glob, { nocase: true }));
  const notices: LoadError[] = [];
  const judge = (section: "waivers" | "overrides", index: number, globs: readonly string[]) => {
    const unmatched = globs.map((glob) => !matches(glob));
    const selectsNone = unmatched.every(Boolean);
    const what = section === "waivers" ? "this waiver" : "this override";
    globs.forEach((glob, position) => {
      if (!unmatched[position]) return;
      const meant = picomatch.scan(glob).isGlob ? undefined : closestName(glob, repositories);
      notices.push({
        ...originOf(file, [section, index, "repositories", position]),
        code: "settings-unmatched-repository",
        message: `${section}[${index}].repositories: '${glob}' matches no repository this app is installed on${meant ? ` (did you mean ${meant}?)` : ""}, so ${selectsNone ? `${what} applies to no repository` : `it adds no repository to ${what}`}`,
      });
    });
  };
  (file.settings.waivers ?? []).forEach((waiver, index) => {
    if (waiver.repositories) judge("waivers", index, waiver.repositories);
  });
  (file.settings.overrides ?? []).forEach((override, index) => {
    if (override.repositories) judge("overrides", index, override.repositories);
  });
  return notices;
}
