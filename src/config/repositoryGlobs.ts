// The organization file's repository selectors judged against the repositories the app is installed
// on: a `repositories` glob of a waiver or an `overrides` entry that matches none of them, or an
// override's topic that none of them has, selects nothing, most likely a misspelling. Nothing else
// can tell: a pull request of another repository is rightly not told about a waiver written for
// other repositories. The `.github` repository's checks report these to the organization's admins.
import picomatch from "picomatch";
import { closestName } from "../model/spelling.js";
import type { LoadError } from "../model/types.js";
import { selectsRepository } from "./merge.js";
import { originOf, type ParsedSettingsFile } from "./parse.js";

/** A repository of the installation as the selectors see it. */
export interface InstalledRepository {
  /** Without owner (`infra`). */
  name: string;
  /** Undefined when unknown: then no topic is judged. */
  topics?: readonly string[] | undefined;
  private?: boolean;
}

export interface SelectorJudgement {
  /**
   * The notices are shown where anyone may read them (a public `.github` repository): only public
   * repositories' names and topics are suggested.
   */
  shownPublicly?: boolean;
}

/**
 * A located notice for each glob under `waivers[].repositories` or `overrides[].repositories` that
 * matches none of `repositories` (archived ones included; `settings-unmatched-repository`), and for
 * each of `overrides[].topics` that none of them has (`settings-unmatched-topic`, judged only when
 * every repository's topics are known), naming the closest name or topic when the glob is a plain
 * name one or two edits from one; and an override whose globs and topics each match some repository
 * but never the same one. An empty list judges nothing: the installation's repositories are unknown.
 */
export function unmatchedRepositorySelectors(
  file: ParsedSettingsFile,
  repositories: readonly InstalledRepository[],
  judgement: SelectorJudgement = {},
): LoadError[] {
  if (repositories.length === 0) return [];
  const names = repositories.map((repository) => repository.name);
  const topicsKnown = repositories.every((repository) => repository.topics !== undefined);
  const topics = [...new Set(repositories.flatMap((repository) => repository.topics ?? []))];
  const suggestible = repositories.filter(
    (repository) => !judgement.shownPublicly || repository.private === false,
  );
  const suggestibleNames = suggestible.map((repository) => repository.name);
  const suggestibleTopics = [
    ...new Set(suggestible.flatMap((repository) => repository.topics ?? [])),
  ];
  const notices: LoadError[] = [];
  const judge = (
    section: "waivers" | "overrides",
    index: number,
    key: "repositories" | "topics",
    selectors: readonly string[],
  ) => {
    const unmatched = selectors.map((selector) =>
      key === "topics"
        ? !topics.includes(selector)
        : !names.some((name) => picomatch.isMatch(name, selector, { nocase: true })),
    );
    const selectsNone = unmatched.every(Boolean);
    const what = section === "waivers" ? "this waiver" : "this override";
    selectors.forEach((selector, position) => {
      if (!unmatched[position]) return;
      const meant =
        key === "topics"
          ? closestName(selector, suggestibleTopics)
          : picomatch.scan(selector).isGlob
            ? undefined
            : closestName(selector, suggestibleNames);
      const none =
        key === "topics"
          ? "is a topic of no repository this app is installed on"
          : "matches no repository this app is installed on";
      notices.push({
        ...originOf(file, [section, index, key, position]),
        code: key === "topics" ? "settings-unmatched-topic" : "settings-unmatched-repository",
        message: `${section}[${index}].${key}: '${selector}' ${none}${meant ? ` (did you mean ${meant}?)` : ""}, so ${selectsNone ? `${what} applies to no repository` : `it adds no repository to ${what}`}`,
      });
    });
    return !selectsNone;
  };
  (file.settings.waivers ?? []).forEach((waiver, index) => {
    if (waiver.repositories) judge("waivers", index, "repositories", waiver.repositories);
  });
  (file.settings.overrides ?? []).forEach((override, index) => {
    const byName = override.repositories
      ? judge("overrides", index, "repositories", override.repositories)
      : true;
    const byTopic =
      override.topics && topicsKnown ? judge("overrides", index, "topics", override.topics) : true;
    if (!override.repositories || !override.topics || !topicsKnown || !byName || !byTopic) return;
    const selected = repositories.some((repository) =>
      selectsRepository(override, { name: repository.name, topics: repository.topics ?? [] }),
    );
    if (!selected)
      notices.push({
        ...originOf(file, ["overrides", index]),
        code: "settings-unmatched-repository",
        message: `overrides[${index}]: no repository this app is installed on both matches its repositories and has one of its topics, so this override applies to no repository`,
      });
  });
  return notices;
}
