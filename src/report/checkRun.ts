// The check run's `output` for a gate decision: a title counting new findings by severity, the
// markdown summary cut under GitHub's limit, and annotations in batches of 50 (one request each).
// Also the output of a run that could not finish, so a check run always ends with an explanation.
import { plural, severityList, type Conclusion, type GateDecision } from "../gate/index.js";
import { batchAnnotations, planAnnotations, type CheckAnnotation } from "./annotations.js";
import { renderMarkdown } from "./markdown.js";
import type { ChangedLines } from "./patch.js";

/** GitHub's limit on `output.summary` and `output.text`. */
export const SUMMARY_LIMIT = 65_535;

export interface CheckRunReport {
  /** `cancelled` for a run stopped before a verdict: unlike neutral, branch protection does not count it as passed. */
  conclusion: Conclusion | "cancelled";
  title: string;
  summary: string;
  /** Each batch goes in its own `checks.update`; empty when there is nothing to annotate. */
  annotationBatches: CheckAnnotation[][];
}

export function checkRunTitle(decision: GateDecision): string {
  const introduced = decision.findings.filter((f) => f.status === "new" && f.waived === null);
  const findings =
    introduced.length === 0
      ? "No new findings"
      : `${plural(introduced.length, "new finding")}: ${severityList(introduced)}`;
  return decision.errors.length === 0
    ? findings
    : `${findings}; ${plural(decision.errors.length, "scan error")}`;
}

export function buildCheckRunReport(
  decision: GateDecision,
  changedLines: ReadonlyMap<string, ChangedLines>,
  notices: readonly string[] = [],
): CheckRunReport {
  const { annotations, unannotated } = planAnnotations(decision, changedLines);
  return {
    conclusion: decision.conclusion,
    title: checkRunTitle(decision),
    summary: renderMarkdown(decision, { limit: SUMMARY_LIMIT, unannotated, notices }),
    annotationBatches: batchAnnotations(annotations),
  };
}

/** The output of a run that could not produce a decision (API failure, engine crash, timeout). */
export function incompleteCheckReport(
  conclusion: Conclusion,
  cause: string,
  detail: string,
): CheckRunReport {
  const outcome =
    conclusion === "failure"
      ? "The gate fails closed: a scan that did not finish cannot pass."
      : "Settings say `on_error: neutral`, so this does not block.";
  const summary = [
    "## ⚠️ Tollgate could not complete the scan",
    "",
    `**${cause}**`,
    "",
    "```",
    detail.slice(0, 4000).replace(/```/g, "'''"),
    "```",
    "",
    outcome,
    "Use **Re-run** above, or comment `/tollgate run` on the pull request, to try again.",
  ].join("\n");
  return {
    conclusion,
    title: `Scan incomplete: ${cause}`.slice(0, 255),
    summary,
    annotationBatches: [],
  };
}
