// Check run annotations: a failure for each blocking finding, a warning for advisory ones, placed
// on lines the pull request changed. A new finding off the changed lines moves to the nearest
// changed line of its own span (`line..endLine`), else of its resource's block (the PR edited the
// block while the value comes from a variable, or raised its count), else of a place its
// resource's count or for_each, those of the module calls creating it, or the attribute holding
// it, read (`Finding.readFrom`: the locals entry that added a for_each key, the tfvars value a
// condition tests); failing all it keeps its own line, which the check run lists though "Files
// changed" shows only lines in the diff, and it is returned as unannotated so the summary says it
// is not on a changed line.
import type { GateDecision } from "../gate/index.js";
import type { Finding } from "../model/types.js";
import { blockElsewhere, cannotTell, formatLoadError, resourceLabel } from "./format.js";
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
    const place = placeOnChangedLine(finding, changedLines);
    if (place === undefined) {
      if (finding.status !== "new") continue;
      unannotated.push(finding);
    }
    const { path, line, by } = place ?? { path: finding.file, line: finding.line };
    const block = blockElsewhere(finding);
    placed.push({
      finding,
      annotation: {
        path,
        start_line: line,
        end_line: line,
        annotation_level: finding.waived ? "notice" : blocking.has(finding) ? "failure" : "warning",
        title: clip(`${finding.rule}: ${finding.title}`, 255),
        message: clip(
          [
            ...(finding.unknown !== undefined ? [`${cannotTell(finding)}.`] : []),
            `${finding.severity.toUpperCase()} ${finding.status} finding on ${resourceLabel(finding)}${block ? ` (${block})` : ""}: ${finding.message}`,
            ...(by !== undefined ? [`This changed line is read by ${by}.`] : []),
            ...(path !== finding.file || line !== finding.line
              ? [`The value is written at ${finding.file}:${finding.line}.`]
              : []),
            `Evidence: ${finding.evidence}`,
            ...(finding.remediation ? [`Fix: ${finding.remediation}`] : []),
            ...(finding.waived ? [`Waived: ${finding.waived.reason}`] : []),
          ].join("\n"),
        ),
      },
    });
  }
  for (const { finding } of placed.slice(MAX_ANNOTATIONS)) {
    if (finding?.status === "new" && !unannotated.includes(finding)) unannotated.push(finding);
  }
  return { annotations: placed.slice(0, MAX_ANNOTATIONS).map((p) => p.annotation), unannotated };
}

/**
 * Existing findings are annotated only where the PR touched their own line; new ones may move to
 * the changed line nearest their own inside their span, else inside their resource's block, else
 * inside the first place (in `readFrom` order) what decides them was read from; `by` names what read it.
 */
function placeOnChangedLine(
  finding: Finding,
  changedLines: ReadonlyMap<string, ChangedLines>,
): { path: string; line: number; by?: string } | undefined {
  const reader = (place: NonNullable<Finding["readFrom"]>[number]): string =>
    place.call === undefined
      ? `the resource's ${place.by}`
      : `the ${place.by} of ${place.call}, which creates the resource`;
  const changed = changedLines.get(finding.file);
  if (changed === "all" || changed?.has(finding.line))
    return { path: finding.file, line: finding.line };
  if (finding.status !== "new") return undefined;
  const own = nearestChanged(changed, finding.line, finding.endLine, finding.line);
  if (own !== undefined) return { path: finding.file, line: own };
  const block = finding.resourceBlock;
  if (block !== undefined) {
    const inBlock = changedLines.get(block.file);
    if (inBlock === "all") return { path: block.file, line: block.line };
    // Nearest the finding's own line when that lies in the block (the other ports of an ingress
    // the PR rewrote), else nearest the block's header.
    const near = block.file === finding.file ? finding.line : block.line;
    const line = nearestChanged(inBlock, block.line, block.endLine, near);
    if (line !== undefined) return { path: block.file, line };
  }
  for (const place of finding.readFrom ?? []) {
    const changed = changedLines.get(place.file);
    if (changed === "all") return { path: place.file, line: place.line, by: reader(place) };
    const line = nearestChanged(changed, place.line, place.endLine, place.line);
    if (line !== undefined) return { path: place.file, line, by: reader(place) };
  }
  return undefined;
}

/** The changed line in `from..to` nearest `near`, the earlier of two as near. */
function nearestChanged(
  changed: ReadonlySet<number> | undefined,
  from: number,
  to: number,
  near: number,
): number | undefined {
  let nearest: number | undefined;
  for (const line of changed ?? []) {
    if (line < from || line > to) continue;
    const closer =
      nearest === undefined ||
      Math.abs(line - near) < Math.abs(nearest - near) ||
      (Math.abs(line - near) === Math.abs(nearest - near) && line < nearest);
    if (closer) nearest = line;
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
