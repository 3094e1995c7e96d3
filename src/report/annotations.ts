// Check run annotations: a failure for each blocking finding, a warning for advisory ones, placed
// only on lines the pull request changed. A new finding off the changed lines moves to the nearest
// changed line inside its resource (`line..endLine`) or is returned as unannotated for the summary.
import type { GateDecision } from "../gate/index.js";
import type { Finding } from "../model/types.js";
import { cannotTell, formatLoadError, resourceLabel } from "./format.js";
import type { ChangedLines } from "./patch.js";

/** GitHub's check run annotation, as `checks.update` takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title: string;
  raw_details?: string;
}

export interface AnnotationPlan {
  annotations: CheckAnnotation[];
  /** New findings that could not be placed on a changed line; the summary lists them. */
  unannotated: Finding[];
}

/** GitHub takes at most 50 annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Beyond this the summary carries the rest; it bounds the requests one check run costs. */
export const MAX_ANNOTATIONS = 1000;
const MAX_MESSAGE = 4000;

export function planAnnotations(
  decision: GateDecision,
  changedLines: ReadonlyMap<string, ChangedLines>,
): AnnotationPlan {
  const blocking = new Set(decision.blocking);
  const placed: { annotation: CheckAnnotation; finding?: Finding }[] = [];
  const unannotated: Finding[] = [];
  for (const error of decision.errors) {
    if (!changedLines.has(error.file)) continue;
    const line = Math.max(1, error.line);
    placed.push({
      annotation: {
        path: error.file,
        start_line: line,
        end_line: line,
        annotation_level: decision.conclusion === "neutral" ? "warning" : "failure",
        title: `Scan error: ${error.code}`,
        message: clip(formatLoadError(error)),
      },
    });
  }
  for (const finding of decision.findings) {
    if (finding.status === "fixed") continue;
    const line = placeOnChangedLine(finding, changedLines.get(finding.file));
    if (line === undefined) {
      if (finding.status === "new") unannotated.push(finding);
      continue;
    }
    placed.push({
      finding,
      annotation: {
        path: finding.file,
        start_line: line,
        end_line: line,
        annotation_level: finding.waived ? "notice" : blocking.has(finding) ? "failure" : "warning",
        title: clip(`${finding.rule}: ${finding.title}`, 255),
        message: clip(
          [
            ...(finding.unknown !== undefined ? [`${cannotTell(finding)}.`] : []),
            `${finding.severity.toUpperCase()} ${finding.status} finding on ${resourceLabel(finding)}: ${finding.message}`,
            `Evidence: ${finding.evidence}`,
            ...(finding.remediation ? [`Fix: ${finding.remediation}`] : []),
            ...(finding.waived ? [`Waived: ${finding.waived.reason}`] : []),
          ].join("\n"),
        ),
      },
    });
  }
  for (const { finding } of placed.slice(MAX_ANNOTATIONS)) {
    if (finding?.status === "new") unannotated.push(finding);
  }
  return { annotations: placed.slice(0, MAX_ANNOTATIONS).map((p) => p.annotation), unannotated };
}

/**
 * Existing findings are annotated only where the PR touched their own line; new ones may move to
 * the changed line nearest their own inside the resource's span.
 */
function placeOnChangedLine(
  finding: Finding,
  changed: ChangedLines | undefined,
): number | undefined {
  if (changed === undefined) return undefined;
  if (changed === "all" || changed.has(finding.line)) return finding.line;
  if (finding.status !== "new") return undefined;
  let nearest: number | undefined;
  for (const line of changed) {
    if (line < finding.line || line > finding.endLine) continue;
    if (nearest === undefined || Math.abs(line - finding.line) < Math.abs(nearest - finding.line))
      nearest = line;
  }
  return nearest;
}

export function batchAnnotations(
  annotations: readonly CheckAnnotation[],
  size = ANNOTATIONS_PER_REQUEST,
): CheckAnnotation[][] {
  const batches: CheckAnnotation[][] = [];
  for (let start = 0; start < annotations.length; start += size)
    batches.push(annotations.slice(start, start + size));
  return batches;
}

function clip(text: string, max = MAX_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
