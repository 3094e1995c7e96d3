// Says why a value of a rule's `deny` is not a finding, in a rule author's terms: which field is
// wrong and what it must be, beside what a finding is (policies/README.md's table), then the value
// as JSON cut at a whole character or escape. zod's own words ("Invalid input: expected object,
// received string") name its types, not the contract, and a plain slice cut escapes in half.
import type { z } from "zod";
import { exactJsonText, NumberText } from "../rego/runtime/index.js";

type Issue = z.core.$ZodIssue;

/** What every finding must be, in policies/README.md's words. */
const FINDING =
  "a finding is an object with resource (an address in input.resources) and message, and " +
  "optionally evidence, path, severity, unknown, when, subject and scope (policies/README.md)";

/** The most of a value's JSON text an error shows. */
const MAX_SHOWN = 200;

/** The error for `value`, which rule `ruleId` returned and `issue` (zod's first) rejects. */
export function malformedFinding(ruleId: string, value: unknown, issue: Issue | undefined): string {
  const problem = issue ? wrongIn(value, issue, []) : "not a finding";
  return `rule ${ruleId} returned a malformed finding (${problem}): ${FINDING}; it returned ${shown(value)}`;
}

/** What `issue` finds wrong in `value` (the whole value when `prefix` and its path are empty). */
function wrongIn(value: unknown, issue: Issue, prefix: readonly PropertyKey[]): string {
  const place = [...prefix, ...issue.path];
  const field = place.map(String).join(".");
  const found = place.reduce<unknown>(
    (inner, key) =>
      inner !== null && typeof inner === "object"
        ? (inner as Record<PropertyKey, unknown>)[key]
        : undefined,
    value,
  );
  if (found === undefined && field !== "") return `${field} is missing`;
  const subject = field === "" ? "" : `${field} is `;
  switch (issue.code) {
    case "invalid_type":
      return `${subject}${kindOf(found)}, not ${article(issue.expected)}`;
    case "invalid_value":
      return `${subject}${shown(found)}, not ${alternatives(issue.values.map((v) => JSON.stringify(v)))}`;
    case "too_small":
      return issue.origin === "number"
        ? `${subject}${String(found)}, below ${String(issue.minimum)}`
        : `${field} is empty`;
    case "too_big":
      return `${subject}${String(found)}, above ${String(issue.maximum)}`;
    case "unrecognized_keys":
      return `${field || "the finding"} has ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}, which it does not take`;
    case "invalid_union": {
      if ("options" in issue && issue.options)
        return `${subject}${shown(found)}, not ${alternatives(issue.options.map((v) => JSON.stringify(v)))}`;
      // The form the value took failed inside (a list of keys holding `true`): say where.
      const deeper = issue.errors.flat().find((inner) => inner.path.length > 0);
      if (deeper) return wrongIn(value, deeper, place);
      const expected = issue.errors
        .flat()
        .flatMap((inner) => (inner.code === "invalid_type" ? [article(inner.expected)] : []));
      return `${subject}${kindOf(found)}, not ${alternatives(expected)}`;
    }
    default:
      return `${field || "the finding"}: ${issue.message}`;
  }
}

/** `a string`, `an array`, `null`: what a value of JSON is. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  // A number a double does not hold is read exact (rego/runtime/exact-json.ts).
  if (typeof value === "bigint" || value instanceof NumberText) return "a number";
  return article(Array.isArray(value) ? "array" : typeof value);
}

function article(type: string): string {
  const name = type === "int" ? "integer" : type;
  return `${/^[aeiou]/.test(name) ? "an" : "a"} ${name}`;
}

/** `"a"`, `"a" or "b"`, `one of "a", "b", "c"`. */
function alternatives(options: readonly string[]): string {
  return options.length > 2 ? `one of ${options.join(", ")}` : options.join(" or ");
}

/**
 * `value` as JSON, at most MAX_SHOWN characters: cut after a whole character or escape (`\"`,
 * `\u00e9`, a surrogate pair), and marked with "…" where cut.
 */
function shown(value: unknown): string {
  // As OPA prints it: a number a double does not hold, as the rule wrote it.
  const text = value === undefined ? "undefined" : exactJsonText(value);
  if (text.length <= MAX_SHOWN) return text;
  let end = 0;
  for (const [piece] of text.matchAll(/\\u[0-9a-fA-F]{4}|\\.|[^]/gu)) {
    if (end + piece.length > MAX_SHOWN) break;
    end += piece.length;
  }
  return `${text.slice(0, end)}…`;
}
