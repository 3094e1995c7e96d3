// The terminal report of a gate decision (`tollgate scan` and `diff`): one line per finding and
// error in the `file:line` form editors link, findings in file, line and rule order, then the
// verdict and its reasons. A new finding that a changed line elsewhere decided (`decided`, from
// `tollgate diff`) is on that line, sorted there, and says where it is written. The gate's notices
// (waivers and settings that waive or set nothing, locks held) are one line each, after the
// findings, and the verdict line counts them rather than running them together.
import type { GateDecision } from "../gate/index.js";
import { problemPlace, type Finding } from "../model/types.js";
import {
  blockElsewhere,
  byLocation,
  cannotTell,
  enforcementTag,
  formatLoadError,
  resourceLabel,
  unloadedAtBaseNote,
  diffNote,
  waiverNote,
} from "./format.js";
import type { DecidingLine } from "./placement.js";

export function renderText(
  decision: GateDecision,
  decided: ReadonlyMap<Finding, DecidingLine> = new Map(),
): string {
  const blocking = new Set(decision.blocking);
  const lines: string[] = [];
  for (const error of decision.errors) lines.push(`${formatLoadError(error)} [error]`);
  for (const warning of decision.warnings) lines.push(formatLoadError(warning));
  for (const finding of byLocation(decision.findings, (f) => decided.get(f))) {
    const tags: string[] = [finding.status ?? "new"];
    const enforcement = enforcementTag(finding, blocking.has(finding));
    if (enforcement) tags.push(enforcement);
    const undecided = cannotTell(finding);
    if (undecided) tags.push(undecided);
    const unloaded = unloadedAtBaseNote(finding);
    if (unloaded) tags.push(unloaded);
    const note = diffNote(finding);
    if (note) tags.push(note);
    if (finding.waived) tags.push(`waived: ${waiverNote(finding.waived)}`);
    const place = decided.get(finding);
    const at = place
      ? `${place.path}:${place.line}: ${finding.severity} ${finding.rule} ${finding.title} [${tags.join(", ")}] (finding at ${finding.file}:${finding.line}${place.by !== undefined ? `; this changed line is read by ${place.by}` : ""})`
      : `${finding.file}:${finding.line}: ${finding.severity} ${finding.rule} ${finding.title} [${tags.join(", ")}]`;
    lines.push(at);
    const block = blockElsewhere(finding);
    lines.push(
      `  ${resourceLabel(finding)}${block ? ` (${block})` : ""}: ${finding.message} (evidence: ${finding.evidence})`,
    );
    if (finding.remediation) lines.push(`  fix: ${finding.remediation}`);
  }
  for (const notice of decision.notices) lines.push(`${formatLoadError(notice)} [notice]`);
  if (lines.length > 0) lines.push("");
  const listed = new Set(
    decision.notices.map((notice) => `${problemPlace(notice)}${notice.message}`),
  );
  const reasons = decision.reasons.filter((reason) => !listed.has(reason));
  const notices = decision.reasons.length - reasons.length;
  if (notices > 0) reasons.push(`${notices === 1 ? "1 notice" : `${notices} notices`} above`);
  lines.push(`${decision.conclusion}: ${reasons.join("; ")}`);
  return lines.join("\n") + "\n";
}
