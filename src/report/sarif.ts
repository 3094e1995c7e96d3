// SARIF 2.1.0 for GitHub code scanning: one rule per policy with its help text, one result per open
// finding with a physical location, and `partialFingerprints` from the diff identity so alerts
// follow a finding across commits as the check run does. Load errors and warnings become tool
// execution notifications; the gate's notices about settings and waivers (SARIF 2.1.0 §3.20.22:
// conditions of the tool's configuration) and its `blocking_from` countdowns become tool
// configuration notifications, located where the notice points. A result's `level` is what the
// gate does with it (`resultLevel`), its `enforcement` property the level settings give it and
// `blocks` whether it fails this check (a waived one is also a suppression); a rule's
// `defaultConfiguration.level` is the level settings give its findings (`ruleLevel`).
// A new finding a changed line elsewhere decided (`decided`, from `tollgate diff`) is located on
// that line, with where it is written as a related location. Files are named from the top of the
// repository (`repositoryPath`), where GitHub code scanning looks for them.
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { findingIdentity } from "../diff/index.js";
import { describeCountdown, type GateDecision } from "../gate/index.js";
import { isWarning, type Finding, type LoadError, type Severity } from "../model/types.js";
import {
  blockElsewhere,
  byLocation,
  cannotTell,
  escapeMarkdown,
  formatLoadError,
  resourceLabel,
  ruleTextMarkdown,
  unloadedAtBaseNote,
  diffNote,
} from "./format.js";
import type { DecidingLine } from "./placement.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const FINGERPRINT_KEY = "tollgateFinding/v1";

export interface SarifOptions {
  /** Tollgate's version (package.json's): GitHub code scanning reads it to tell results a new release changed. */
  toolVersion?: string;
  /**
   * The findings were compared with a base (`tollgate diff`): each result says its `baselineState`.
   * Otherwise none does (SARIF 2.1.0 §3.27.24: absent, the result was not compared), though the
   * gate reads a `scan`'s findings as new.
   */
  comparedWithBase?: boolean;
  decided?: ReadonlyMap<Finding, DecidingLine>;
  /**
   * A file's path from the top of its repository, where the report's names start elsewhere (`scan`
   * from a subfolder names a module above it `../../modules/x.tf`): GitHub code scanning resolves
   * a relative `uri` from the repository's top, and ignores `uriBaseId` and `originalUriBaseIds`.
   */
  repositoryPath?: (file: string) => string;
}

type SarifLevel = "error" | "warning" | "note";

/** GitHub maps `security-severity` to its labels: >= 9 critical, 7-8.9 high, 4-6.9 medium, < 4 low. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: undefined,
};

export function renderSarif(
  decision: Pick<
    GateDecision,
    "findings" | "blocking" | "errors" | "warnings" | "notices" | "countdowns"
  >,
  options: SarifOptions = {},
): string {
  const open = decision.findings.filter((f) => f.status !== "fixed");
  const blocking = new Set(decision.blocking);
  const fingerprint = fingerprints(open);
  const named = options.repositoryPath ?? ((file: string) => file);
  const errors: LoadError[] = [...decision.errors, ...decision.warnings];
  const ruleIndex = new Map<string, number>();
  const rules: object[] = [];
  for (const finding of open) {
    if (ruleIndex.has(finding.rule)) continue;
    ruleIndex.set(finding.rule, rules.length);
    const ofRule = open.filter((other) => other.rule === finding.rule);
    rules.push(sarifRule(finding, ruleLevel(ofRule)));
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "Tollgate",
            informationUri: "https://github.com/tollgate-dev/tollgate",
            ...(options.toolVersion
              ? { version: options.toolVersion, semanticVersion: options.toolVersion }
              : {}),
            rules,
          },
        },
        invocations: [
          {
            // Load warnings (level "warning") leave the scan complete.
            executionSuccessful: errors.every(isWarning),
            toolExecutionNotifications: errors.map((error) => ({
              level: isWarning(error) ? "warning" : "error",
              descriptor: { id: error.code },
              message: { text: formatLoadError(error) },
              ...problemLocations(error, named),
            })),
            toolConfigurationNotifications: [
              ...decision.notices.map((notice) => ({
                level: "warning",
                descriptor: { id: notice.code },
                message: { text: formatLoadError(notice) },
                ...problemLocations(notice, named),
              })),
              ...decision.countdowns.map((countdown) => ({
                level: "note",
                descriptor: { id: "enforcement-countdown" },
                associatedRule: {
                  id: countdown.rule,
                  ...(ruleIndex.has(countdown.rule)
                    ? { index: ruleIndex.get(countdown.rule) }
                    : {}),
                },
                message: { text: describeCountdown(countdown) },
                properties: {
                  blockingFrom: countdown.blockingFrom,
                  daysLeft: countdown.daysLeft,
                  findings: countdown.findings,
                },
              })),
            ],
          },
        ],
        results: open.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: ruleIndex.get(finding.rule),
          level: resultLevel(finding, blocking.has(finding)),
          message: { text: sarifMessage(finding, options.decided?.get(finding)) },
          ...locations(finding, options.decided?.get(finding), named),
          partialFingerprints: {
            [FINGERPRINT_KEY]: fingerprint.get(finding),
          },
          ...(options.comparedWithBase && finding.status
            ? { baselineState: finding.status === "new" ? "new" : "unchanged" }
            : {}),
          ...(finding.waived
            ? {
                suppressions: [
                  {
                    // SARIF 2.1.0 §3.35.2: inSource, written in the analysed file (a comment);
                    // external, kept elsewhere (a settings file).
                    kind: finding.waived.written === "inline" ? "inSource" : "external",
                    justification: finding.waived.reason,
                    ...(finding.waived.expires
                      ? { properties: { expires: finding.waived.expires } }
                      : {}),
                  },
                ],
              }
            : {}),
          properties: {
            severity: finding.severity,
            resource: finding.resource,
            ...(finding.subject !== undefined ? { subject: finding.subject } : {}),
            evidence: finding.evidence,
            enforcement: finding.enforcement,
            ...(finding.advisoryUntil !== undefined
              ? { advisoryUntil: finding.advisoryUntil }
              : {}),
            blocks: blocking.has(finding),
            ...(finding.unknown !== undefined ? { unknown: finding.unknown } : {}),
            ...(finding.unloadedAtBase ? { unloadedAtBase: true } : {}),
            ...(finding.widened !== undefined ? { widened: finding.widened } : {}),
            ...(finding.narrowed !== undefined ? { narrowed: finding.narrowed } : {}),
            ...(finding.adopted !== undefined ? { adopted: finding.adopted } : {}),
          },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}

/**
 * Each open finding's fingerprint, its diff identity hashed, so an alert follows it across commits.
 * Findings of one identity (a rule, resource and evidence written twice: two equal ingress blocks)
 * are numbered in the order they are written, as CodeQL numbers equal line hashes, since GitHub
 * folds results of one fingerprint into one alert and would show the first place alone. The first
 * keeps the bare hash, so an alert raised before keeps its fingerprint.
 */
function fingerprints(open: readonly Finding[]): Map<Finding, string> {
  const seen = new Map<string, number>();
  const numbered = new Map<Finding, string>();
  for (const finding of byLocation(open)) {
    const hash = createHash("sha256").update(findingIdentity(finding)).digest("hex");
    const count = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, count);
    numbered.set(finding, count === 1 ? hash : `${hash}:${count}`);
  }
  return numbered;
}

/**
 * A result's level says what the gate does with it, as the check run's annotations do (failure,
 * warning, notice): `error` when it blocks this check, `note` when waived or decided by an unknown
 * value (never blocking), `warning` for the rest (advisory, or existing under `fail_on: new`).
 * Severity stays in `properties.severity` and the rule's `security-severity`.
 */
function resultLevel(finding: Finding, blocks: boolean): SarifLevel {
  if (blocks) return "error";
  return finding.waived !== null || finding.unknown !== undefined ? "note" : "warning";
}

/**
 * A rule's `defaultConfiguration.level` (SARIF 2.1.0 §3.50.3: the level of its results unless one
 * says otherwise, §3.27.10), on the scale of `resultLevel`: `error` when settings make its findings
 * blocking (any one of them, since a finding may set its own severity), `warning` when advisory. A
 * result that does not block this check (existing under `fail_on: new`, waived, undecided) says its
 * own level. Severity is the rule's `security-severity`, which GitHub code scanning shows.
 */
function ruleLevel(findings: readonly Finding[]): SarifLevel {
  return findings.some((finding) => finding.enforcement === "blocking") ? "error" : "warning";
}

/**
 * The finding's location, or the changed line that decided it with the finding's own place as a
 * related location; and the resource's block as one when the value is written elsewhere (a
 * variable).
 */
function locations(
  finding: Finding,
  decided: DecidingLine | undefined,
  named: (file: string) => string,
): { locations: object[]; relatedLocations?: object[] } {
  const related: object[] = [];
  if (decided !== undefined) {
    related.push({
      id: related.length + 1,
      ...location(named(finding.file), finding.line, finding.endLine),
      message: { text: "The finding is written here" },
    });
  }
  const block = finding.resourceBlock;
  if (block !== undefined && blockElsewhere(finding) !== undefined) {
    related.push({
      id: related.length + 1,
      ...location(named(block.file), block.line, block.endLine),
      message: { text: `${finding.resource} is declared here` },
    });
  }
  return {
    locations: [
      decided === undefined
        ? location(named(finding.file), finding.line, finding.endLine)
        : location(named(decided.path), decided.line, decided.line),
    ],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
  };
}

function sarifMessage(finding: Finding, decided: DecidingLine | undefined): string {
  const text = `${finding.message} (${resourceLabel(finding)}: ${finding.evidence})`;
  const undecided = cannotTell(finding);
  const readBy = decided?.by !== undefined ? ` This changed line is read by ${decided.by}.` : "";
  const unloaded = unloadedAtBaseNote(finding);
  const note = diffNote(finding);
  return `${undecided ? `${undecided}. ${text}` : text}${readBy}${unloaded ? ` (${unloaded}.)` : ""}${note ? ` (${note}.)` : ""}`;
}

function sarifRule(finding: Finding, level: SarifLevel): object {
  const remediation = finding.remediation ?? "See the rule's documentation.";
  const securitySeverity = SECURITY_SEVERITY[finding.severity];
  return {
    id: finding.rule,
    name: finding.rule,
    shortDescription: { text: finding.title },
    fullDescription: { text: finding.title },
    help: {
      text: `${finding.title}\n\nRemediation: ${remediation}`,
      markdown: `**${escapeMarkdown(finding.title)}**\n\nRemediation: ${ruleTextMarkdown(remediation)}`,
    },
    defaultConfiguration: { level },
    properties: {
      tags: ["security", "iac", finding.category],
      ...(securitySeverity ? { "security-severity": securitySeverity } : {}),
    },
  };
}

/** A load problem's or notice's place; none for one about the whole run (no file). */
function problemLocations(
  problem: LoadError,
  named: (file: string) => string,
): { locations?: object[] } {
  if (problem.file === "") return {};
  return {
    locations: [location(named(problem.file), problem.line, problem.line, problem.column)],
  };
}

/**
 * A file named from the top of the repository is a relative `uri` from `%SRCROOT%`; one named by
 * its absolute path (outside the repository, `repositoryPath`) a `file://` URI, which GitHub code
 * scanning keeps as it is.
 */
function location(file: string, line: number, endLine: number, column?: number): object {
  const startLine = Math.max(1, line);
  return {
    physicalLocation: {
      artifactLocation: path.isAbsolute(file)
        ? { uri: pathToFileURL(file).href }
        : { uri: file.split("/").map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" },
      region: {
        startLine,
        endLine: Math.max(startLine, endLine),
        ...(column && column > 0 ? { startColumn: column } : {}),
      },
    },
  };
}
