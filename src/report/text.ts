// The terminal report of a gate decision (`tollgate scan`): one line per finding and error in the
// `file:line` form editors link, then the verdict and its reasons.
import type { GateDecision } from "../gate/index.js";
import { blockElsewhere, cannotTell, formatLoadError, resourceLabel } from "./format.js";

export function renderText(decision: GateDecision): string {
  const blocking = new Set(decision.blocking);
  const lines: string[] = [];
  for (const error of decision.errors) lines.push(`${formatLoadError(error)} [error]`);
  for (const warning of decision.warnings) lines.push(formatLoadError(warning));
  for (const finding of decision.findings) {
    const tags: string[] = [
      finding.status ?? "new",
      blocking.has(finding) ? "blocking" : finding.enforcement,
    ];
    const undecided = cannotTell(finding);
    if (undecided) tags.push(undecided);
    if (finding.waived) tags.push(`waived: ${finding.waived.reason}`);
    lines.push(
      `${finding.file}:${finding.line}: ${finding.severity} ${finding.rule} ${finding.title} [${tags.join(", ")}]`,
    );
    const block = blockElsewhere(finding);
    lines.push(
      `  ${resourceLabel(finding)}${block ? ` (${block})` : ""}: ${finding.message} (evidence: ${finding.evidence})`,
    );
    if (finding.remediation) lines.push(`  fix: ${finding.remediation}`);
  }
  if (lines.length > 0) lines.push("");
  lines.push(`${decision.conclusion}: ${decision.reasons.join("; ")}`);
  return lines.join("\n") + "\n";
}
