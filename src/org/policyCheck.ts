// The `Tollgate policies` check run on a commit of the organization's `.github` repository: the
// rules a valid folder loads, or every compile error annotated at its file, line and column, and
// which version stays in force meanwhile; the compiler's warnings either way, and the settings
// file's own problems (`organizationFileNotices`), annotated as warnings, which never fail the
// check. Pure: the app publishes what this returns.
import { SETTINGS_PATH } from "../config/index.js";
import type { LoadError } from "../model/types.js";
import {
  batchAnnotations,
  codeSpan,
  escapeMarkdown,
  formatLoadError,
  fitSummary,
  type CheckAnnotation,
  type CheckRunReport,
} from "../report/index.js";
import type { ResolvedPolicies } from "./store.js";

export const POLICY_CHECK_NAME = "Tollgate policies";

/** GitHub's check annotation, with the columns it accepts on a one-line annotation. */
export type LocatedAnnotation = CheckAnnotation & { start_column?: number; end_column?: number };

/**
 * `settingsErrors`: the pushed `.github/tollgate.yml` did not parse (then no folder is known).
 * `settingsNotices`: what is wrong in it though it parses, which no repository's check reports;
 * `settingsUnjudged`: why some of them could not be computed, if so.
 */
export function policyCheckReport(
  resolved: ResolvedPolicies | undefined,
  settingsErrors: readonly LoadError[],
  settingsNotices: readonly LoadError[] = [],
  settingsUnjudged?: string,
): CheckRunReport {
  const errors = [
    ...settingsErrors,
    ...(resolved && !resolved.outcome.ok ? resolved.outcome.errors : []),
  ];
  const warnings = !resolved
    ? []
    : resolved.outcome.ok
      ? resolved.outcome.policies.warnings
      : resolved.outcome.warnings;
  const annotatable = new Set([
    SETTINGS_PATH,
    ...(resolved?.listing.files.map((f) => f.path) ?? []),
  ]);
  const annotations = [
    ...errors.filter((e) => annotatable.has(e.file)).map((e) => annotationOf(e, "failure")),
    ...warnings.filter((w) => annotatable.has(w.file)).map((w) => annotationOf(w, "warning")),
    ...settingsNoticeAnnotations(settingsNotices),
  ];
  const lines: string[] = [];
  let title: string;
  if (errors.length > 0) {
    title = `${errors.length} error${errors.length === 1 ? "" : "s"} in the custom policies or settings`;
    const lastGood = resolved?.lastGood;
    lines.push(
      "## ❌ These policies do not load",
      "",
      lastGood
        ? `Scans keep using the last version that compiled (${lastGood.rules.length} rules, ${codeSpan(lastGood.key.slice(0, 19))}) until this is fixed.`
        : "No earlier version of these policies is known (none compiled since this app started, none authentic in its cache): until this is fixed, pull request checks report the errors (blocking unless `on_error: neutral`).",
      "",
      ...errors.map((error) => `- ${codeSpan(formatLoadError(error))}`),
    );
  } else if (resolved?.outcome.ok) {
    const { rules, key } = resolved.outcome.policies;
    title = `${rules.length} custom rule${rules.length === 1 ? "" : "s"} loaded`;
    lines.push(
      `## ✅ Custom policies of ${codeSpan(resolved.listing.origin)}`,
      "",
      `Version ${codeSpan(key.slice(0, 19))}, in force for new scans; open pull requests are checked again.`,
      "",
    );
    if (rules.length > 0) {
      lines.push(
        "| Rule | Severity | Category | Title | File |",
        "| --- | --- | --- | --- | --- |",
      );
      for (const { meta, file } of rules)
        lines.push(
          `| ${codeSpan(meta.id)} | ${meta.severity} | ${meta.category} | ${escapeMarkdown(meta.title)} | ${codeSpan(file)} |`,
        );
    } else lines.push("The folder holds no rules.");
    if (warnings.length > 0)
      title += `, ${warnings.length} compiler warning${warnings.length === 1 ? "" : "s"}`;
  } else {
    title = "No custom policies";
    lines.push("The settings name no custom policy folder.");
  }
  title += settingsNoticesTitle(settingsNotices, settingsUnjudged);
  lines.push(...settingsNoticesSection(settingsNotices, settingsUnjudged));
  if (warnings.length > 0)
    lines.push(
      "",
      `### ⚠️ Compiler warnings (${warnings.length})`,
      "",
      "Valid Rego that likely does not say what was meant; they do not fail this check.",
      "",
      ...warnings.map((warning) => `- ${codeSpan(formatLoadError(warning))}`),
    );
  const summary = fitSummary(lines.join("\n"), "\n…");
  return {
    conclusion: errors.length > 0 ? "failure" : "success",
    title: title.slice(0, 255),
    summary,
    annotationBatches: batchAnnotations(annotations),
  };
}

/** The title's tail for the settings file's notices: empty without any. */
export function settingsNoticesTitle(
  notices: readonly LoadError[],
  unjudged: string | undefined,
): string {
  const count =
    notices.length > 0
      ? `, ${notices.length} settings notice${notices.length === 1 ? "" : "s"}`
      : "";
  return unjudged === undefined ? count : `${count}, settings not fully checked`;
}

/**
 * The summary's section on the settings file's notices (`organizationFileNotices`), on the push
 * check and on the impact preview alike: empty when there are none and nothing went unjudged.
 */
export function settingsNoticesSection(
  notices: readonly LoadError[],
  unjudged: string | undefined,
): string[] {
  if (notices.length === 0 && unjudged === undefined) return [];
  return [
    "",
    `### ⚠️ Settings notices (${notices.length})`,
    "",
    `What ${codeSpan(SETTINGS_PATH)} says that applies nowhere or waives nothing. Pull requests of other repositories are not told, since their authors cannot change this file; these do not fail this check.`,
    ...(unjudged === undefined ? [] : ["", `Not fully checked: ${unjudged}`]),
    ...(notices.length > 0 ? [""] : []),
    ...notices.map((notice) => `- ${codeSpan(formatLoadError(notice))}`),
  ];
}

/** Warning annotations on the settings file's lines. */
export function settingsNoticeAnnotations(notices: readonly LoadError[]): LocatedAnnotation[] {
  return notices
    .filter((notice) => notice.file === SETTINGS_PATH)
    .map((notice) => annotationOf(notice, "warning"));
}

export function annotationOf(error: LoadError, level: "failure" | "warning"): LocatedAnnotation {
  const line = Math.max(1, error.line);
  return {
    path: error.file,
    start_line: line,
    end_line: line,
    ...(error.column > 1 ? { start_column: error.column, end_column: error.column } : {}),
    annotation_level: level,
    title: error.code,
    message: error.message.slice(0, 4000),
  };
}
