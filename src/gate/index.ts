// The gate stage: turns diffed findings, load errors and settings into the check's verdict. It
// fills each finding's enforcement, picks the ones that block and says why, so every report (check
// run, terminal, SARIF) renders the same decision. Errors block by default: a security gate fails closed.
import {
  DEFAULT_SEVERITY_ENFORCEMENT,
  type EnforcementLevel,
  type Settings,
} from "../config/index.js";
import type { Category, Finding, FindingStatus, LoadError, Severity } from "../model/types.js";

export type Conclusion = "failure" | "neutral" | "success";

export interface GateCounts {
  bySeverity: Record<Severity, number>;
  byCategory: Record<Category, number>;
  byStatus: Record<FindingStatus, number>;
}

export interface GateDecision {
  conclusion: Conclusion;
  /** Every finding not turned `off`, with `enforcement` and `status` (default `new`) filled in. */
  findings: Finding[];
  /** The findings that make the conclusion `failure`. */
  blocking: Finding[];
  errors: LoadError[];
  /** Counts over `findings`. */
  counts: GateCounts;
  /** How many findings settings turned off. */
  suppressed: number;
  /** One sentence per cause of the conclusion, most severe first. */
  reasons: string[];
}

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];
export const CATEGORIES: readonly Category[] = ["iam", "network", "encryption", "logging"];

/** Rule id, then category, then severity settings, then the built-in default for the severity. */
export function enforcementLevel(finding: Finding, settings: Settings): EnforcementLevel {
  const { rules, categories, severities } = settings.enforcement;
  return (
    rules[finding.rule] ??
    categories[finding.category] ??
    severities[finding.severity] ??
    DEFAULT_SEVERITY_ENFORCEMENT[finding.severity]
  );
}

function blocks(finding: Finding, settings: Settings): boolean {
  if (finding.enforcement !== "blocking" || finding.waived !== null) return false;
  if (finding.status === "fixed") return false;
  return settings.fail_on === "all" || finding.status === "new";
}

export function decideGate(
  findings: Finding[],
  errors: LoadError[],
  settings: Settings,
): GateDecision {
  const enforced: Finding[] = [];
  let suppressed = 0;
  for (const finding of findings) {
    const level = enforcementLevel(finding, settings);
    if (level === "off") suppressed++;
    else enforced.push({ ...finding, status: finding.status ?? "new", enforcement: level });
  }
  const blocking = enforced.filter((finding) => blocks(finding, settings));

  const reasons: string[] = [];
  if (blocking.length > 0) {
    const scope = settings.fail_on === "all" ? "open" : "new";
    reasons.push(
      `${plural(blocking.length, `blocking ${scope} finding`)} (${severityList(blocking)})`,
    );
  }
  if (errors.length > 0) {
    reasons.push(
      settings.on_error === "block"
        ? `${plural(errors.length, "error")} prevented a complete scan; the gate fails closed`
        : `${plural(errors.length, "error")} prevented a complete scan (on_error: neutral)`,
    );
  }
  const conclusion: Conclusion =
    blocking.length > 0 || (errors.length > 0 && settings.on_error === "block")
      ? "failure"
      : errors.length > 0
        ? "neutral"
        : "success";
  if (conclusion === "success") {
    const advisory = enforced.filter((f) => f.status === "new" && f.enforcement === "advisory");
    reasons.push(
      advisory.length > 0
        ? `no blocking findings; ${plural(advisory.length, "new advisory finding")}`
        : "no blocking findings",
    );
  }
  return {
    conclusion,
    findings: enforced,
    blocking,
    errors,
    counts: countFindings(enforced),
    suppressed,
    reasons,
  };
}

export function countFindings(findings: Finding[]): GateCounts {
  const counts: GateCounts = {
    bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    byCategory: { iam: 0, network: 0, encryption: 0, logging: 0 },
    byStatus: { new: 0, existing: 0, fixed: 0 },
  };
  for (const finding of findings) {
    counts.bySeverity[finding.severity]++;
    counts.byCategory[finding.category]++;
    counts.byStatus[finding.status ?? "new"]++;
  }
  return counts;
}

/** `2 critical, 1 high` in severity order, zero counts left out. */
export function severityList(findings: Finding[]): string {
  const { bySeverity } = countFindings(findings);
  return SEVERITIES.filter((s) => bySeverity[s] > 0)
    .map((s) => `${bySeverity[s]} ${s}`)
    .join(", ");
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
