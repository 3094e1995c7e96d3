// Check run annotations: a failure for each blocking finding, a warning for advisory ones, placed
// on lines the pull request changed (placement.ts: its own span, its block, else what decided it).
// A new finding no changed line holds keeps its own line, which the check run lists though "Files
// changed" shows only lines in the diff, and it is returned as unannotated so the summary says it
// is not on a changed line.
import type { GateDecision } from "../gate/index.js";
import type { Finding } from "../model/types.js";
import {
  blockElsewhere,
  cannotTell,
  formatLoadError,
  resourceList,
  unloadedAtBaseNote,
  diffNote,
  valueWrittenHere,
  waiverNote,
} from "./format.js";
import type { ChangedLines } from "./patch.js";
import { placeOnChangedLine } from "./placement.js";

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
  const placed: { annotation: CheckAnnotation; findings: Finding[] }[] = [];
  const unannotated: Finding[] = [];
  for (const error of decision.errors) {
    if (!changedLines.has(error.file)) continue;
    const line = Math.max(1, error.line);
    placed.push({
      findings: [],
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
  // Findings that differ only in their resource (the instances of a `count` or `for_each`, a module
  // called for each of several keys) share one annotation: GitHub would stack one per instance on
  // the line, 30 identical boxes for `count = 30`.
  const shared = new Map<
    string,
    { annotation: CheckAnnotation; findings: Finding[]; message: string }
  >();
  for (const finding of decision.findings) {
    if (finding.status === "fixed") continue;
    const place = placeOnChangedLine(finding, changedLines);
    if (place === undefined) {
      if (finding.status !== "new") continue;
      unannotated.push(finding);
    }
    const { path, line, by } = place ?? { path: finding.file, line: finding.line };
    const block = blockElsewhere(finding);
    const unloaded = unloadedAtBaseNote(finding);
    const note = diffNote(finding);
    const annotation: CheckAnnotation = {
      path,
      start_line: line,
      end_line: line,
      annotation_level: finding.waived ? "notice" : blocking.has(finding) ? "failure" : "warning",
      title: clip(`${finding.rule}: ${finding.title}`, 255),
      message: "",
    };
    const message = [
      ...(finding.unknown !== undefined ? [`${cannotTell(finding)}.`] : []),
      ...(unloaded ? [`${unloaded}.`] : []),
      ...(note ? [`${note.charAt(0).toUpperCase()}${note.slice(1)}.`] : []),
      `${finding.severity.toUpperCase()} ${finding.status} finding on ${RESOURCES}${block ? ` (${block})` : ""}: ${finding.message}`,
      ...(by !== undefined ? [`This changed line is read by ${by}.`] : []),
      ...(path !== finding.file || line !== finding.line
        ? [`The value is written at ${finding.file}:${finding.line}.`]
        : [valueWrittenHere(finding, "This line")].filter((note) => note !== undefined)),
      `Evidence: ${finding.evidence}`,
      ...(finding.remediation ? [`Fix: ${finding.remediation}`] : []),
      ...(finding.waived ? [`Waived: ${waiverNote(finding.waived)}`] : []),
    ].join("\n");
    const key = JSON.stringify([
      path,
      line,
      annotation.annotation_level,
      annotation.title,
      message,
    ]);
    const same = shared.get(key);
    if (same) same.findings.push(finding);
    else {
      const entry = { annotation, findings: [finding], message };
      shared.set(key, entry);
      placed.push(entry);
    }
  }
  for (const entry of shared.values())
    entry.annotation.message = clip(
      entry.message.replace(RESOURCES, () => resourceList(entry.findings)),
    );
  for (const { findings } of placed.slice(MAX_ANNOTATIONS)) {
    for (const finding of findings)
      if (finding.status === "new" && !unannotated.includes(finding)) unannotated.push(finding);
  }
  return { annotations: placed.slice(0, MAX_ANNOTATIONS).map((p) => p.annotation), unannotated };
}

/** Where an annotation's message names its resources, filled in once all of them are known. */
const RESOURCES = "\u0000resources\u0000";

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
