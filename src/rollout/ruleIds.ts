// Rule ids written by hand (a waiver, an `enforcement.rules` key, a `locked` entry, `/tollgate
// explain`), and categories under `enforcement.categories`, checked against the rules loaded: a
// misspelt one matches nothing, so it is reported with the closest names (model/spelling.ts).
import type { CategoryReference, RuleReference } from "../config/index.js";
import { editDistance } from "../model/spelling.js";
import type { LoadError } from "../model/types.js";

/** The ids close to `wanted` (case aside), closest first: a typo's likely meaning. */
export function closeRuleIds(wanted: string, ids: Iterable<string>, max = 3): string[] {
  const typed = wanted.toLowerCase();
  return [...new Set(ids)]
    .map((id) => ({ id, distance: editDistance(typed, id.toLowerCase()) }))
    .filter(
      ({ id, distance }) =>
        distance <= Math.max(2, Math.floor(typed.length / 3)) ||
        (typed.length > 0 && id.toLowerCase().includes(typed)),
    )
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, max)
    .map(({ id }) => id);
}

/** `; did you mean TG-LOG-012?` for an unknown id with close matches, else nothing. */
export function didYouMean(wanted: string, ids: Iterable<string>): string {
  const close = closeRuleIds(wanted, ids);
  return close.length === 0 ? "" : ` (did you mean ${close.join(", ")}?)`;
}

const DOES: Record<RuleReference["key"], string> = {
  "enforcement.rules": "so this enforcement entry sets nothing",
  locked: "so this lock holds nothing",
};

/**
 * A notice for each rule id settings name under `enforcement.rules` or in `locked` that no loaded
 * rule has, located where it is written, as a waiver naming such an id is reported.
 */
export function unknownRuleReferences(
  references: readonly RuleReference[],
  knownRules: ReadonlySet<string>,
): LoadError[] {
  return references
    .filter((reference) => !knownRules.has(reference.rule))
    .map((reference) => ({
      ...reference.origin,
      code: "settings-unknown-rule",
      message: `${reference.key === "locked" ? "locked: enforcement.rules." : "enforcement.rules."}${reference.rule}: no loaded rule has that id, ${DOES[reference.key]}; check the rule id${didYouMean(reference.rule, knownRules)}`,
    }));
}

const CATEGORY_DOES: Record<CategoryReference["key"], string> = {
  "enforcement.categories": "so this enforcement entry sets nothing",
  locked: "so this lock holds nothing",
};

/**
 * A notice for each category settings name under `enforcement.categories` or in `locked` that no
 * loaded rule has (a custom rule's own category counts once its rule is loaded), located where it
 * is written, with the closest categories.
 */
export function unknownCategoryReferences(
  references: readonly CategoryReference[],
  knownCategories: ReadonlySet<string>,
): LoadError[] {
  return references
    .filter((reference) => !knownCategories.has(reference.category))
    .map((reference) => ({
      ...reference.origin,
      code: "settings-unknown-category",
      message: `${reference.key === "locked" ? "locked: " : ""}enforcement.categories.${reference.category}: no loaded rule has that category, ${CATEGORY_DOES[reference.key]}; check the category${didYouMean(reference.category, knownCategories)}`,
    }));
}
