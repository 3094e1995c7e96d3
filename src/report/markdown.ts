// The markdown report of a gate decision: the check run summary and `tollgate scan --format
// markdown`. New, existing, fixed and waived findings get a section each, grouped by category (the
// built-in four, then custom rules' own by name), by severity, then in file, line and rule order;
// with a limit, existing and fixed findings are counted by rule when all would not fit, then the
// text is cut before an item, each with a note, so GitHub never rejects it. A new finding a
// changed line elsewhere decided (`decided`, from `tollgate diff`) is at that line, and says what
// read it (if it was read from there) and where the finding is written, as its annotation does.
import { findingIdentity } from "../diff/index.js";
import { plural, SEVERITIES, type GateDecision } from "../gate/index.js";
import {
  byCategoryOrder,
  type Category,
  type Finding,
  type FindingStatus,
} from "../model/types.js";
import {
  blockElsewhere,
  byLocation,
  codeSpan,
  enforcementTag,
  escapeMarkdown,
  formatLoadError,
  resourceLabel,
  ruleTextMarkdown,
  unloadedAtBaseNote,
  diffNote,
} from "./format.js";
import type { DecidingLine } from "./placement.js";

export interface MarkdownOptions {
  /** Maximum size in UTF-8 bytes (GitHub's check run summary takes 65,535 characters). */
  limit?: number;
  /** New findings that have no annotation (outside the PR's changed lines); marked so. */
  unannotated?: readonly Finding[];
  /** Fetch notices (skipped binary or oversized files, truncated listings). */
  notices?: readonly string[];
  /** New findings placed on the changed line that decided them (decidingLines). */
  decided?: ReadonlyMap<Finding, DecidingLine>;
  /** Where a report over `limit` sends the reader for what it leaves out. */
  fullReport?: string;
}

/** GitHub's limit on a pull request comment body, which `tollgate scan --format markdown` is written for. */
export const COMMENT_LIMIT = 65_536;

const FULL_REPORT = "Run `tollgate scan` locally or upload SARIF for the full list.";

const CONCLUSION_HEADING = {
  failure: "❌ Tollgate: blocked",
  neutral: "⚠️ Tollgate: incomplete scan",
  success: "✅ Tollgate: passed",
} as const;

const CATEGORY_NAMES: Record<string, string> = {
  iam: "IAM",
  network: "Network",
  encryption: "Encryption",
  logging: "Logging",
};

/** A category's heading: the built-in names, a custom one as written less its `-` (`Supply chain`). */
function categoryHeading(category: Category): string {
  return (
    CATEGORY_NAMES[category] ??
    category.charAt(0).toUpperCase() + category.slice(1).replace(/-/g, " ")
  );
}

/**
 * With a `limit`, a report over it first lists existing and fixed findings as counts by rule (new
 * and waived ones, what the pull request changes, stay in full), then is cut before an item;
 * either way it says what it left out and where to find it (`fullReport`).
 */
export function renderMarkdown(decision: GateDecision, options: MarkdownOptions = {}): string {
  const full = markdownLines(decision, options, []);
  if (options.limit === undefined || fits(full, options.limit)) return full.join("\n");
  const fullReport = options.fullReport ?? FULL_REPORT;
  const existing = [
    ...markdownLines(decision, options, ["existing"]),
    `_Existing findings are counted by rule to fit GitHub's size limit. ${fullReport}_`,
  ];
  if (fits(existing, options.limit)) return existing.join("\n");
  const findingsAt = new Map<number, number>();
  const summarised = markdownLines(decision, options, ["existing", "fixed"], findingsAt);
  const note = `_Existing and fixed findings are counted by rule to fit GitHub's size limit. ${fullReport}_`;
  return cutToLimit([...summarised, note], findingsAt, options.limit, fullReport);
}

function fits(lines: string[], limit: number): boolean {
  return Buffer.byteLength(lines.join("\n"), "utf8") <= limit;
}

function markdownLines(
  decision: GateDecision,
  options: MarkdownOptions,
  /** Statuses whose findings are counted by rule rather than listed. */
  byRule: readonly FindingStatus[],
  /** Filled with each line that begins findings (an item, a rule's count) and how many. */
  findingsAt = new Map<number, number>(),
): string[] {
  const unannotated = new Set((options.unannotated ?? []).map(findingIdentity));
  const blocking = new Set(decision.blocking);
  const open = decision.findings.filter((f) => f.waived === null);
  const lines: string[] = [`## ${CONCLUSION_HEADING[decision.conclusion]}`, ""];
  for (const reason of decision.reasons) lines.push(`- ${reason}`);
  lines.push("", ...countsTable(decision), "");

  if (decision.errors.length > 0) {
    lines.push(`### Errors (${decision.errors.length})`, "");
    for (const error of decision.errors) lines.push(`- ${codeSpan(formatLoadError(error))}`);
    lines.push("");
  }
  if (decision.warnings.length > 0) {
    lines.push(`### Warnings (${decision.warnings.length})`, "");
    for (const warning of decision.warnings) lines.push(`- ${codeSpan(formatLoadError(warning))}`);
    lines.push("");
  }
  const section = (heading: string, findings: Finding[], countByRule = false) => {
    if (findings.length === 0) return;
    lines.push(`### ${heading} (${findings.length})`, "");
    if (countByRule) {
      for (const { line, count } of ruleCounts(findings)) {
        findingsAt.set(lines.length, count);
        lines.push(line);
      }
      lines.push("");
      return;
    }
    for (const category of [...new Set(findings.map((f) => f.category))].sort(byCategoryOrder)) {
      const inCategory = findings.filter((f) => f.category === category);
      lines.push(`#### ${categoryHeading(category)} (${inCategory.length})`, "");
      for (const finding of bySeverity(byLocation(inCategory, (f) => options.decided?.get(f)))) {
        findingsAt.set(lines.length, 1);
        lines.push(
          ...findingItem(
            finding,
            blocking.has(finding),
            unannotated.has(findingIdentity(finding)),
            options.decided?.get(finding),
          ),
        );
      }
      lines.push("");
    }
  };
  section(
    "New findings",
    open.filter((f) => f.status === "new"),
  );
  section(
    "Existing findings",
    open.filter((f) => f.status === "existing"),
    byRule.includes("existing"),
  );
  section(
    "Fixed findings",
    open.filter((f) => f.status === "fixed"),
    byRule.includes("fixed"),
  );
  section(
    "Waived findings",
    decision.findings.filter((f) => f.waived !== null && f.status !== "fixed"),
  );
  if (decision.suppressed > 0)
    lines.push(`_${plural(decision.suppressed, "finding")} turned off by settings._`, "");
  if (options.notices && options.notices.length > 0) {
    lines.push("### Notices", "");
    for (const notice of options.notices) lines.push(`- ${escapeMarkdown(notice)}`);
    lines.push("");
  }
  return lines;
}

/** One line per rule, most severe first: `- **HIGH** `TG-NET-001` SSH open to the internet: 12 findings`. */
function ruleCounts(findings: Finding[]): { line: string; count: number }[] {
  const byRule = new Map<string, { finding: Finding; count: number }>();
  for (const finding of bySeverity(byLocation(findings))) {
    const entry = byRule.get(finding.rule);
    if (entry) entry.count++;
    else byRule.set(finding.rule, { finding, count: 1 });
  }
  return [...byRule.values()].map(({ finding, count }) => ({
    line: `- **${finding.severity.toUpperCase()}** ${codeSpan(finding.rule)} ${escapeMarkdown(finding.title)}: ${plural(count, "finding")}`,
    count,
  }));
}

function countsTable(decision: GateDecision): string[] {
  const rows = [
    "| | " + SEVERITIES.join(" | ") + " |",
    "|---|" + SEVERITIES.map(() => "---:|").join(""),
  ];
  for (const status of ["new", "existing", "fixed"] as const) {
    const ofStatus = decision.findings.filter((f) => f.status === status && f.waived === null);
    rows.push(
      `| ${status} | ` +
        SEVERITIES.map((s) => ofStatus.filter((f) => f.severity === s).length).join(" | ") +
        " |",
    );
  }
  return rows;
}

function bySeverity(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  );
}

function findingItem(
  finding: Finding,
  blocks: boolean,
  unannotated: boolean,
  decided: DecidingLine | undefined,
): string[] {
  const enforcement = enforcementTag(finding, blocks);
  const unloaded = unloadedAtBaseNote(finding);
  const note = diffNote(finding);
  const tags = [
    ...(blocks ? ["**blocks merge**"] : enforcement ? [enforcement] : []),
    ...(finding.unknown !== undefined ? [`cannot tell: ${codeSpan(finding.unknown)} decides`] : []),
    ...(unloaded ? [unloaded] : []),
    ...(note ? [escapeMarkdown(note)] : []),
    ...(unannotated ? ["not on a changed line"] : []),
  ];
  const block = blockElsewhere(finding);
  const written = `${finding.file}:${finding.line}`;
  const at = decided ? `${decided.path}:${decided.line}` : written;
  const item = [
    `- **${finding.severity.toUpperCase()}** ${codeSpan(finding.rule)} ${escapeMarkdown(finding.title)} — ` +
      `${codeSpan(resourceLabel(finding))}${block ? ` (${codeSpan(block)})` : ""} at ${codeSpan(at)}${tags.length > 0 ? ` (${tags.join(", ")})` : ""}`,
  ];
  if (decided) {
    const readBy =
      decided.by !== undefined
        ? `This changed line is read by ${escapeMarkdown(decided.by)}. `
        : "";
    item.push(`  ${readBy}The value is written at ${codeSpan(written)}.`);
  }
  item.push(`  ${escapeMarkdown(finding.message)} Evidence: ${codeSpan(finding.evidence)}`);
  if (finding.remediation) item.push(`  Fix: ${ruleTextMarkdown(finding.remediation)}`);
  if (finding.waived) item.push(`  Waived: ${escapeMarkdown(finding.waived.reason)}`);
  return item;
}

/**
 * The report up to the last whole finding that fits with the note, which counts the findings left
 * out: a line count ("374 more lines") told a reader nothing, and a cut between an item and its
 * `Fix:` line left a finding without its fix.
 */
function cutToLimit(
  lines: readonly string[],
  findingsAt: ReadonlyMap<number, number>,
  limit: number,
  fullReport: string,
): string {
  const full = lines.join("\n");
  if (Buffer.byteLength(full, "utf8") <= limit) return full;
  const leftFrom = Array.from({ length: lines.length + 1 }, () => 0);
  for (let index = lines.length - 1; index >= 0; index--)
    leftFrom[index] = (leftFrom[index + 1] ?? 0) + (findingsAt.get(index) ?? 0);
  const noteFor = (from: number) => {
    const left = leftFrom[from] ?? 0;
    const what = left > 0 ? plural(left, "more finding") : "the rest of the report";
    return `\n\n_Report cut here: ${what} did not fit GitHub's size limit. ${fullReport}_`;
  };
  let size = 0;
  let end = 0;
  for (const [index, line] of lines.entries()) {
    // An item's own lines (two spaces in) stay with it: the cut is made before an item or heading.
    if (!line.startsWith("  ") && size + Buffer.byteLength(noteFor(index), "utf8") <= limit)
      end = index;
    size += Buffer.byteLength(line, "utf8") + 1;
    if (size > limit) break;
  }
  return lines.slice(0, end).join("\n") + noteFor(end);
}
