// The check run's `output` for a gate decision: a title counting new findings by severity, the
// markdown summary cut under GitHub's limit, and annotations in batches of 50 (one request each).
// Also the output of a run that could not finish, so a check run always ends with an explanation.
import { plural, severityList, type Conclusion, type GateDecision } from "../gate/index.js";
import { batchAnnotations, planAnnotations, type CheckAnnotation } from "./annotations.js";
import { codeSpan, escapeMarkdown, resourceLabel } from "./format.js";
import { overriddenMarkdown, renderMarkdown, type Unblocking } from "./markdown.js";
import type { ChangedLines } from "./patch.js";
import { decidingLines } from "./placement.js";
import {
  emptyRecord,
  encodeRecord,
  recordOf,
  type CheckOverride,
  type CheckRecord,
} from "./record.js";

/**
 * GitHub's limit on `output.summary` and `output.text`, which it counts in UTF-8 bytes ("summary
 * exceeds a maximum bytesize of 65535"), though its documentation says characters.
 */
export const SUMMARY_LIMIT = 65_535;

/** The longest start of `text` within `maxBytes` of UTF-8, cut between characters. */
export function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // A byte 10xxxxxx continues a character: cut before the character it belongs to.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

/** `summary` within GitHub's limit: whole if it fits, else cut with `cutNote` after it. */
export function fitSummary(
  summary: string,
  cutNote = "\n\n_Report cut at GitHub's limit._",
): string {
  if (Buffer.byteLength(summary, "utf8") <= SUMMARY_LIMIT) return summary;
  return `${cutToBytes(summary, SUMMARY_LIMIT - Buffer.byteLength(cutNote, "utf8"))}${cutNote}`;
}

/** `summary` then `note` in a paragraph of its own, within GitHub's limit: the summary is cut, never the note. */
export function withNote(summary: string, note: string): string {
  const tail = cutToBytes(`\n\n${note}`, SUMMARY_LIMIT);
  return `${cutToBytes(summary, SUMMARY_LIMIT - Buffer.byteLength(tail, "utf8"))}${tail}`;
}

export interface CheckRunReport {
  /** `cancelled` for a run stopped before a verdict: unlike neutral, branch protection does not count it as passed. */
  conclusion: Conclusion | "cancelled";
  title: string;
  summary: string;
  /** Each batch goes in its own `checks.update`; empty when there is nothing to annotate. */
  annotationBatches: CheckAnnotation[][];
  /** What the run remembers (findings, an override), written to `output.text`; see record.ts. */
  record?: CheckRecord;
}

export function checkRunTitle(decision: GateDecision): string {
  const introduced = decision.findings.filter((f) => f.status === "new" && f.waived === null);
  // A waived new finding is annotated as one, so a bare "No new findings" would contradict it.
  const waived = decision.findings.filter((f) => f.status === "new" && f.waived !== null).length;
  const findings =
    introduced.length === 0
      ? `No new findings${waived > 0 ? ` (${waived} waived)` : ""}`
      : `${plural(introduced.length, "new finding")}: ${severityList(introduced)}${waived > 0 ? `; ${waived} waived` : ""}`;
  return decision.errors.length === 0
    ? findings
    : `${findings}; ${plural(decision.errors.length, "scan error")}`;
}

export function buildCheckRunReport(
  decision: GateDecision,
  changedLines: ReadonlyMap<string, ChangedLines>,
  notices: readonly string[] = [],
  headSha?: string,
  /** The ways out a blocked summary names (the settings' waivers, who may override). */
  unblocking?: Unblocking,
): CheckRunReport {
  const { annotations, unannotated } = planAnnotations(decision, changedLines);
  return {
    conclusion: decision.conclusion,
    title: checkRunTitle(decision),
    // The summary lists a new finding where its annotation is: on the changed line that decided it.
    summary: renderMarkdown(decision, {
      limit: SUMMARY_LIMIT,
      unannotated,
      notices,
      decided: decidingLines(decision.findings, changedLines),
      ...(unblocking ? { unblocking } : {}),
    }),
    annotationBatches: batchAnnotations(annotations),
    ...(headSha ? { record: recordOf(decision, headSha) } : {}),
  };
}

/** `output` as `checks.update` takes it: the record, when there is one, goes in `text`. */
export function checkRunOutput(report: CheckRunReport): {
  title: string;
  summary: string;
  text?: string;
} {
  return {
    title: report.title,
    summary: report.summary,
    ...(report.record ? { text: encodeRecord(report.record) } : {}),
  };
}

const OVERRIDE_START = "<!-- tollgate:override -->";
const OVERRIDE_END = "<!-- /tollgate:override -->";
const OVERRIDE_TITLE = /^Overridden by @[^:]+: /;

/**
 * A failing report turned `neutral` by a break-glass override, never silently: the title names
 * who, the summary opens with who, when, why and which blocking findings were overridden, the
 * findings stay listed below (as overridden, no longer blocking merge), and failure annotations
 * become warnings. Neutral rather than success
 * (HCP Terraform's overridden soft-mandatory policies still show as overridden): branch protection
 * lets it merge, while the PR's checks list shows it did not pass.
 */
export function overriddenReport(report: CheckRunReport, override: CheckOverride): CheckRunReport {
  const record = report.record;
  const covered = new Set(override.covers);
  const overridden = (record?.findings ?? []).filter((f) => f.blocking && covered.has(f.key));
  const count =
    record?.blockingDigest === override.coversDigest
      ? record.blocking.length + record.blockingOmitted
      : override.covers.length;
  const unlisted = count - overridden.length;
  const lines = [
    OVERRIDE_START,
    "## 🔓 Tollgate: blocking result overridden (break-glass)",
    "",
    `**@${escapeMarkdown(override.by)}** overrode this check on commit ${codeSpan(override.sha.slice(0, 7))} at ${override.at}. Reason:`,
    "",
    ...override.reason.split(/\r?\n/).map((line) => `> ${escapeMarkdown(line)}`),
    "",
    `Overridden: ${plural(count, "blocking finding")}${override.coversErrors ? ", and the scan errors that failed the check" : ""}.`,
    "",
    ...overridden.map(
      (f) =>
        `- ${codeSpan(f.rule)} on ${codeSpan(resourceLabel(f))} at ${codeSpan(`${f.file}:${f.line}`)}: ${escapeMarkdown(f.message)}`,
    ),
    ...(unlisted > 0 ? [`- and ${plural(unlisted, "more")} not recorded in full`] : []),
    "",
    "The override applies to this commit only: a new push is gated normally again. The report it overrode follows.",
    OVERRIDE_END,
    "",
  ];
  const previous = report.summary.replace(
    new RegExp(`^${OVERRIDE_START}[\\s\\S]*?${OVERRIDE_END}\\n*`),
    "",
  );
  const summary = `${lines.join("\n")}${overriddenMarkdown(previous)}`;
  return {
    conclusion: "neutral",
    title: `Overridden by @${override.by}: ${report.title.replace(OVERRIDE_TITLE, "")}`.slice(
      0,
      255,
    ),
    summary: fitSummary(summary),
    annotationBatches: report.annotationBatches.map((batch) =>
      batch.map((annotation) =>
        annotation.annotation_level === "failure"
          ? {
              ...annotation,
              annotation_level: "warning" as const,
              title: `${annotation.title} (overridden)`.slice(0, 255),
            }
          : annotation,
      ),
    ),
    ...(record ? { record: { ...record, override } } : {}),
  };
}

/** The output of a run that could not produce a decision (API failure, engine crash, timeout). */
export function incompleteCheckReport(
  conclusion: Conclusion,
  cause: string,
  detail: string,
  headSha?: string,
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
    ...(headSha ? { record: emptyRecord(headSha, conclusion === "failure") } : {}),
  };
}
