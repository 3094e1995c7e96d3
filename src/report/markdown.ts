// The markdown report of a gate decision: the check run summary and `tollgate scan --format
// markdown`. New, existing, fixed and waived findings get a section each, grouped by category (the
// built-in four, then custom rules' own by name), by severity, by rule (its title, message and fix
// said once, under its first item), then in file and line order; the instances of a `count` share an item. With a limit, existing and fixed findings are counted by rule when all would not fit, then the
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
  resourceList,
  ruleTextMarkdown,
  unloadedAtBaseNote,
  diffNote,
  valueWrittenHere,
  waiverNote,
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
  /** What a blocked report tells its reader they may do besides fixing (`unblockingLine`). */
  unblocking?: Unblocking;
}

/** The ways out of a blocked check the settings leave open, which a blocked report names. */
export interface Unblocking {
  /** `tollgate:ignore` comments count (settings' `inlineWaivers`: not once the organization locks waivers). */
  inlineWaivers: boolean;
  /** The app's comment commands: `/tollgate explain`, and `/tollgate override` when someone may give one. */
  commands?: { override: boolean };
}

/** GitHub's limit on a pull request comment body, which `tollgate scan --format markdown` is written for. */
export const COMMENT_LIMIT = 65_536;

const FULL_REPORT = "Run `tollgate scan` locally or upload SARIF for the full list.";

const CONCLUSION_HEADING = {
  failure: "❌ Tollgate: blocked",
  neutral: "⚠️ Tollgate: incomplete scan",
  success: "✅ Tollgate: passed",
} as const;

/** A blocking finding's tag; `overriddenMarkdown` finds it, so it is said in one place. */
const BLOCKS_TAG = "**blocks merge**";

/** How the line saying how to unblock starts; `overriddenMarkdown` drops it, the check being overridden. */
const UNBLOCKING_START = "_To merge:";

/**
 * What the author of a blocked pull request may do, in one line under the counts: fix and push,
 * accept a finding with a waiver (inline where the file takes comments and the settings let them
 * count, else in the settings), and in the app ask for a rule's documentation or an override.
 */
function unblockingLine(unblocking: Unblocking): string {
  const waiver = unblocking.inlineWaivers
    ? `accept a finding with ${codeSpan('# tollgate:ignore <rule-id> reason="..." expires=YYYY-MM-DD')} on its line or the line above (JSON has no comments: there, a waiver in the settings' ${codeSpan("waivers")})`
    : `accept a finding with a waiver in the organization's settings (${codeSpan("waivers")}; the organization locks waivers, so ${codeSpan("tollgate:ignore")} comments do not count)`;
  const commands = unblocking.commands
    ? ` Comment ${codeSpan("/tollgate explain <rule-id>")} for a rule's documentation${
        unblocking.commands.override
          ? `; someone named under ${codeSpan("break_glass")} may comment ${codeSpan("/tollgate override <reason>")} to let this commit merge`
          : ""
      }.`
    : "";
  return `${UNBLOCKING_START} fix what blocks and push again, or ${waiver}.${commands}_`;
}

/** Said of a blocking finding once an override lets the pull request merge. */
const OVERRIDDEN_TAG = "**overridden**";

/**
 * The report a break-glass override turned neutral, its words made true: it blocked until
 * overridden, and no finding of it blocks merge now. The override has only the stored summary to
 * work on (rendering again would need the scan: the decision does not fit in the check run), so
 * only our own markup is rewritten: the heading the summary opens with, and the tag outside code
 * spans. Scanned text is escaped (no `**` of its own) or in a code span, which may hold anything:
 * evidence reading `**blocks merge**` stays as written.
 */
export function overriddenMarkdown(summary: string): string {
  const heading = `## ${CONCLUSION_HEADING.failure}\n`;
  const opened = summary.startsWith(heading)
    ? `## Tollgate: blocked until overridden\n${summary.slice(heading.length)}`
    : summary;
  // The line on how to unblock is ours and says what no longer applies; it sits under the counts.
  const unblocked = opened.replace(new RegExp(`^${UNBLOCKING_START}.*\n\n`, "m"), "");
  return outsideCodeSpans(unblocked, (text) => text.replaceAll(BLOCKS_TAG, OVERRIDDEN_TAG));
}

/**
 * A backslash escape, or a code span as CommonMark reads one: a run of backticks up to the next
 * run of the same length on that line (`codeSpan` writes no line breaks); a run without one is
 * literal, and the text after it is read on.
 */
const ESCAPE_OR_CODE_SPAN = /\\[^\n]|(`+)(?:[^\n]*?(?<!`)\1(?!`))?/g;

/** `text` with `edit` applied to what lies outside its code spans and escapes. */
function outsideCodeSpans(text: string, edit: (plain: string) => string): string {
  let edited = "";
  let from = 0;
  for (const match of text.matchAll(ESCAPE_OR_CODE_SPAN)) {
    edited += edit(text.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return edited + edit(text.slice(from));
}

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
  const findingsAt = new Map<number, Tally>();
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
  findingsAt = new Map<number, Tally>(),
): string[] {
  const unannotated = new Set((options.unannotated ?? []).map(findingIdentity));
  const blocking = new Set(decision.blocking);
  const open = decision.findings.filter((f) => f.waived === null);
  const lines: string[] = [`## ${CONCLUSION_HEADING[decision.conclusion]}`, ""];
  for (const reason of decision.reasons) lines.push(`- ${reason}`);
  lines.push("", ...countsTable(decision), "");
  if (options.unblocking && decision.blocking.length > 0)
    lines.push(unblockingLine(options.unblocking), "");

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
  // A fixed finding's section says no fix: the pull request has made it.
  const section = (heading: string, findings: Finding[], countByRule = false, withFix = true) => {
    if (findings.length === 0) return;
    lines.push(`### ${heading} (${findings.length})`, "");
    if (countByRule) {
      for (const { line, findings: ofRule } of ruleCounts(findings)) {
        findingsAt.set(lines.length, tally(ofRule, blocking));
        lines.push(line);
      }
      lines.push("");
      return;
    }
    for (const category of [...new Set(findings.map((f) => f.category))].sort(byCategoryOrder)) {
      const inCategory = findings.filter((f) => f.category === category);
      lines.push(`#### ${categoryHeading(category)} (${inCategory.length})`, "");
      const ordered = bySeverity(byLocation(inCategory, (f) => options.decided?.get(f)));
      for (const run of runsByRule(ordered)) {
        for (const [index, item] of itemsOf(run, blocking, unannotated, options).entries()) {
          findingsAt.set(lines.length, tally(item.findings, blocking));
          // A rule's fix is said once, under the first item of its run (before its waiver, as
          // in the annotation): repeated under each of 300 findings it filled a third of the summary.
          const remediation = run[0]?.remediation;
          const own = [...item.lines];
          if (index === 0 && remediation && withFix)
            own.splice(
              own.length - (item.findings[0]?.waived ? 1 : 0),
              0,
              fixLine(remediation, run),
            );
          lines.push(...own);
        }
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
    false,
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
function ruleCounts(findings: Finding[]): { line: string; findings: Finding[] }[] {
  return runsByRule(bySeverity(byLocation(findings))).map((ofRule) => {
    const first = ofRule[0]!;
    return {
      line: `- **${first.severity.toUpperCase()}** ${codeSpan(first.rule)} ${escapeMarkdown(first.title)}: ${plural(ofRule.length, "finding")}`,
      findings: ofRule,
    };
  });
}

/**
 * `ordered` split by rule (and severity and remediation, which settings or a custom policy may
 * vary), each run where its first finding is, keeping the order within it.
 */
function runsByRule(ordered: readonly Finding[]): Finding[][] {
  const runs = new Map<string, Finding[]>();
  for (const finding of ordered) {
    const key = JSON.stringify([finding.severity, finding.rule, finding.remediation ?? ""]);
    const run = runs.get(key);
    if (run) run.push(finding);
    else runs.set(key, [finding]);
  }
  return [...runs.values()];
}

/** How many findings a line of the report stands for, how many of them new and blocking. */
interface Tally {
  findings: number;
  new: number;
  blocking: number;
}

function tally(findings: readonly Finding[], blocking: ReadonlySet<Finding>): Tally {
  return {
    findings: findings.length,
    new: findings.filter((f) => f.status === "new").length,
    blocking: findings.filter((f) => blocking.has(f)).length,
  };
}

function fixLine(remediation: string, run: readonly Finding[]): string {
  const scope =
    run.length > 1
      ? ` (${run.length === 2 ? "both" : `all ${run.length}`} ${codeSpan(run[0]!.rule)} findings here)`
      : "";
  return `  Fix${scope}: ${ruleTextMarkdown(remediation)}`;
}

/**
 * A rule's findings as report items; those that differ only in their resource (the instances of a
 * `count` or `for_each`) share one, as their annotation does: `30 resources: web[0], web[1],
 * web[2] and 27 more`. The rule's title is said by its first item only, and its message by each
 * item whose message differs from the first's (`sameMessage`): said again under each finding of a
 * 300-file pull request, they cut 93 of its 300 findings from the summary.
 */
function itemsOf(
  run: readonly Finding[],
  blocking: ReadonlySet<Finding>,
  unannotated: ReadonlySet<string>,
  options: MarkdownOptions,
): { lines: string[]; findings: Finding[] }[] {
  const items = new Map<string, Finding[]>();
  const itemOf = (finding: Finding, first?: Finding) =>
    findingItem(
      finding,
      blocking.has(finding),
      unannotated.has(findingIdentity(finding)),
      options.decided?.get(finding),
      first,
    );
  for (const finding of run) {
    const key = itemOf(finding).join("\n");
    const same = items.get(key);
    if (same) same.push(finding);
    else items.set(key, [finding]);
  }
  const [first] = run;
  return [...items.values()].map((findings, index) => ({
    lines: itemOf(findings[0]!, index === 0 ? undefined : first).map((line) =>
      line.replace(RESOURCES, () => resourceList(findings, codeSpan)),
    ),
    findings,
  }));
}

/** Where an item names its resources, filled in once all of them are known. */
const RESOURCES = "\u0000resources\u0000";

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

/** `first`: the first finding of the rule's run, when this one follows it and shares its title. */
function findingItem(
  finding: Finding,
  blocks: boolean,
  unannotated: boolean,
  decided: DecidingLine | undefined,
  first?: Finding,
): string[] {
  const enforcement = enforcementTag(finding, blocks);
  const unloaded = unloadedAtBaseNote(finding);
  const note = diffNote(finding);
  const tags = [
    ...(blocks ? [BLOCKS_TAG] : enforcement ? [enforcement] : []),
    ...(finding.unknown !== undefined ? [`cannot tell: ${codeSpan(finding.unknown)} decides`] : []),
    ...(unloaded ? [unloaded] : []),
    ...(note ? [escapeMarkdown(note)] : []),
    ...(unannotated ? ["not on a changed line"] : []),
  ];
  const block = blockElsewhere(finding);
  const written = `${finding.file}:${finding.line}`;
  const at = decided ? `${decided.path}:${decided.line}` : written;
  const title = first ? "" : ` ${escapeMarkdown(finding.title)}`;
  const item = [
    `- **${finding.severity.toUpperCase()}** ${codeSpan(finding.rule)}${title} — ` +
      `${RESOURCES}${block ? ` (${codeSpan(block)})` : ""} at ${codeSpan(at)}${tags.length > 0 ? ` (${tags.join(", ")})` : ""}`,
  ];
  if (decided) {
    const readBy =
      decided.by !== undefined
        ? `This changed line is read by ${escapeMarkdown(decided.by)}. `
        : "";
    item.push(`  ${readBy}The value is written at ${codeSpan(written)}.`);
  } else {
    // The item's own line: its place was just said.
    const here = valueWrittenHere(finding, "That line", codeSpan);
    if (here) item.push(`  ${here}`);
  }
  const message = first && sameMessage(first, finding) ? "" : `${escapeMarkdown(finding.message)} `;
  item.push(`  ${message}Evidence: ${codeSpan(finding.evidence)}`);
  if (finding.waived) item.push(`  Waived: ${escapeMarkdown(waiverNote(finding.waived))}`);
  return item;
}

/**
 * Whether `later` says what the rule's `first` item said but for its evidence: the same message, or
 * one that differs only where each names its own evidence (`The policy allows 's3:*': ...`). Its
 * item then says the evidence alone.
 */
function sameMessage(first: Finding, later: Finding): boolean {
  if (first.message === later.message) return true;
  const [firstAt, laterAt] = [
    first.message.indexOf(first.evidence),
    later.message.indexOf(later.evidence),
  ];
  return (
    first.evidence !== "" &&
    later.evidence !== "" &&
    firstAt >= 0 &&
    laterAt >= 0 &&
    first.message.slice(0, firstAt) === later.message.slice(0, laterAt) &&
    first.message.slice(firstAt + first.evidence.length) ===
      later.message.slice(laterAt + later.evidence.length)
  );
}

/**
 * The report up to the last whole finding that fits with the note, which counts the findings left
 * out: a line count ("374 more lines") told a reader nothing, and a cut between an item and its
 * `Fix:` line left a finding without its fix.
 */
function cutToLimit(
  lines: readonly string[],
  findingsAt: ReadonlyMap<number, Tally>,
  limit: number,
  fullReport: string,
): string {
  const full = lines.join("\n");
  if (Buffer.byteLength(full, "utf8") <= limit) return full;
  const leftFrom: Tally[] = Array.from({ length: lines.length + 1 }, () => ({
    findings: 0,
    new: 0,
    blocking: 0,
  }));
  for (let index = lines.length - 1; index >= 0; index--) {
    const [after, here] = [leftFrom[index + 1]!, findingsAt.get(index)];
    leftFrom[index] = {
      findings: after.findings + (here?.findings ?? 0),
      new: after.new + (here?.new ?? 0),
      blocking: after.blocking + (here?.blocking ?? 0),
    };
  }
  const noteFor = (from: number) => {
    const left = leftFrom[from]!;
    // "723 more findings" alone read as 723 blocking when 600 of them were existing ones.
    const what =
      left.findings > 0
        ? `${plural(left.findings, "more finding")} (${left.new === 0 ? "none" : left.new} new, ${left.blocking === 0 ? "none" : left.blocking} blocking)`
        : "the rest of the report";
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
