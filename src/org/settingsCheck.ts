// The organization file's own problems, told to its admins on the `.github` repository's checks:
// what a repository's pull request is not told, its authors being unable to edit the file
// (`WaiverContext.organizationFile`). Repository globs that select nothing, waivers naming no
// loaded rule, reasonless, misdated or expired, waivers for a rule the file turns off wherever they
// apply, unknown rule ids and categories under `enforcement` and `locked`, and `blocking_from` days
// already begun. Pure over the parsed file, the installation's repositories, the loaded rules and the day.
// A waiver's `roots` are not judged here: only a scan of a repository knows its roots.
import {
  mergeSettings,
  selectsRepository,
  unmatchedRepositorySelectors,
  waiverKeyOrigin,
  type InstalledRepository,
  type ParsedSettingsFile,
  type SettingsWaiver,
} from "../config/index.js";
import { gateWithWaivers } from "../gate/index.js";
import type { LoadError } from "../model/types.js";
import type { RuleMetadata } from "../policy/metadata.js";
import { blockingDaysBegun, byPlace, daysFromToday, parseDay } from "../rollout/index.js";

/**
 * Why the file's repository selectors were not judged, as the checks' summaries say it: the
 * installation's repositories could not be listed (`error`), or not all of them; undefined when
 * they were.
 */
export function selectorsUnjudged(
  listing: { complete: boolean } | { error: string },
): string | undefined {
  if ("error" in listing)
    return `the installation's repositories could not be listed (${listing.error}), so repository names and topics were not judged; push again to judge them.`;
  return listing.complete
    ? undefined
    : "the installation has more repositories than Tollgate lists (5,000), so repository names and topics were not judged.";
}

export interface OrganizationFileContext {
  /** The installation's repositories (archived too), with their topics when known; empty when unknown. */
  repositories: readonly InstalledRepository[];
  /** Shown on a public `.github` repository: no private repository's name or topic is suggested. */
  shownPublicly?: boolean;
  /** The built-in rules and the organization's custom ones; unknown ids are not judged without. */
  rules?: readonly RuleMetadata[];
  now: Date;
}

/**
 * The organization file judged as every repository of the installation sees it (its top level and
 * the `overrides` their names and topics select, topics taken as none when unknown): a notice once however many
 * repositories see it, and a waiver's rule turned off only when off in every repository the waiver
 * applies to. Rule ids are not judged when the file allows repository policies, whose ids only
 * each repository knows.
 */
export function organizationFileNotices(
  file: ParsedSettingsFile,
  context: OrganizationFileContext,
): LoadError[] {
  const notices = unmatchedRepositorySelectors(file, context.repositories, context);
  const place = (where: { file: string; line: number; column: number }) =>
    `${where.file}:${where.line}:${where.column}`;
  // A waiver for a rule turned off is told at its `rule:`.
  const ruleAt = (waiver: SettingsWaiver) => waiverKeyOrigin(waiver, "rule");
  const allowsRepositoryRules = file.settings.policies?.allow_repository_policies === true;
  const rules = context.rules;
  const known =
    rules && !allowsRepositoryRules
      ? {
          knownRules: new Set(rules.map((rule) => rule.id)),
          knownCategories: new Set(rules.map((rule) => rule.category)),
        }
      : {};
  const told = new Map<string, { notice: LoadError; repositories: number }>();
  const applying = new Map<string, number>();
  // With no repository known, the top level alone, as a repository no selector names sees it.
  const repositories = context.repositories.length > 0 ? context.repositories : [{ name: "" }];
  for (const { name, topics = [] } of repositories) {
    const repository = { name, topics };
    const { settings } = mergeSettings(file, null, repository);
    for (const waiver of settings.waivers)
      if (selectsRepository({ repositories: waiver.repositories }, repository))
        applying.set(place(ruleAt(waiver)), (applying.get(place(ruleAt(waiver))) ?? 0) + 1);
    const decision = gateWithWaivers([], [], settings, {
      files: [],
      repository,
      now: context.now,
      ...known,
      ...(rules ? { rules } : {}),
    });
    for (const notice of decision.notices) {
      if (notice.file !== file.file) continue;
      const key = `${place(notice)}:${notice.code}`;
      const seen = told.get(key);
      told.set(key, { notice, repositories: (seen?.repositories ?? 0) + 1 });
    }
  }
  for (const { notice, repositories } of told.values())
    if (notice.code !== "waiver-rule-off" || repositories === applying.get(place(notice)))
      notices.push(notice);
  // An expired waiver is reported in a pull request only where it would cover a finding; here it
  // is stale wherever it applies.
  notices.push(...blockingDaysBegun(file, context.now));
  for (const waiver of mergeSettings(file, null, { name: "", topics: [] }).settings.waivers) {
    const lastDay = waiver.expires === undefined ? undefined : parseDay(waiver.expires);
    if (!lastDay || daysFromToday(lastDay, context.now) >= 0 || !waiver.reason?.trim()) continue;
    notices.push({
      ...waiverKeyOrigin(waiver, "expires"),
      code: "waiver-expired",
      message: `waiver for ${waiver.rule} expired on ${waiver.expires}, so it waives nothing; remove it, or renew it with a new date`,
    });
  }
  return notices.sort(byPlace);
}
