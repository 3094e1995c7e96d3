// The `Tollgate impact` check run of a settings or policy pull request on the `.github`
// repository: which open pull requests the change would newly block, unblock or leave as they are,
// how many were considered and that the rest were not. Pure over the preview.
import {
  batchAnnotations,
  codeSpan,
  escapeMarkdown,
  formatLoadError,
  fitSummary,
  type CheckRunReport,
} from "../report/index.js";
import type { ImpactPreview, PullImpact } from "./impact.js";
import {
  annotationOf,
  settingsNoticeAnnotations,
  settingsNoticesSection,
  settingsNoticesTitle,
} from "./policyCheck.js";

export const IMPACT_CHECK_NAME = "Tollgate impact";

const SECTIONS: { kind: PullImpact["kind"]; heading: string }[] = [
  { kind: "newly-blocks", heading: "Would newly block" },
  { kind: "unblocks", heading: "Would unblock" },
  { kind: "still-blocks", heading: "Unchanged: blocked now and after" },
  { kind: "still-passes", heading: "Unchanged: passing now and after" },
  { kind: "not-evaluated", heading: "Could not be evaluated" },
];

/**
 * `shownPublicly`: the `.github` repository is public, so pull requests of private repositories are
 * counted but not named (their names, numbers and resource addresses stay private).
 */
export function impactReport(
  preview: Exclude<ImpactPreview, { relevant: false }>,
  shownPublicly = false,
): CheckRunReport {
  if (!preview.ok) {
    const annotatable = new Set(preview.annotatable);
    const annotations = [
      ...preview.errors
        .filter((error) => annotatable.has(error.file))
        .map((error) => annotationOf(error, "failure")),
      ...settingsNoticeAnnotations(preview.settingsNotices),
    ];
    const count = preview.errors.length;
    return {
      conclusion: "failure",
      title:
        `The proposed settings or policies do not load: ${count} error${count === 1 ? "" : "s"}; impact not computed${settingsNoticesTitle(preview.settingsNotices, preview.settingsUnjudged)}`.slice(
          0,
          255,
        ),
      summary: clip(
        [
          "## ❌ The proposed settings or policies do not load",
          "",
          "The impact on open pull requests could not be computed: no open pull request was evaluated. Merged as they are, pushes would report these errors and scans would keep the last version that compiled.",
          "",
          ...preview.errors.map((error) => `- ${codeSpan(formatLoadError(error))}`),
          ...settingsNoticesSection(preview.settingsNotices, preview.settingsUnjudged),
        ].join("\n"),
      ),
      annotationBatches: batchAnnotations(annotations),
    };
  }
  const count = (kind: PullImpact["kind"]) => preview.impacts.filter((i) => i.kind === kind).length;
  const considered = preview.impacts.length;
  const unchanged = count("still-blocks") + count("still-passes");
  const title = `Would newly block ${count("newly-blocks")}, unblock ${count("unblocks")}; ${unchanged} unchanged (${considered} open pull request${considered === 1 ? "" : "s"} considered)${settingsNoticesTitle(preview.settingsNotices, preview.settingsUnjudged)}`;
  const lines = [
    "## Impact of this change on open pull requests",
    "",
    `The gate under the default branch's settings and policies, compared with the gate under this pull request's. ${considered} open pull request${considered === 1 ? " was" : "s were"} considered (the most recently updated)${preview.leftOut > 0 ? `; ${preview.leftOut} more ${preview.leftOut === 1 ? "was" : "were"} not considered` : ""}${preview.truncated ? "; listing limits left some repositories or pull requests out" : ""}.${preview.rules > 0 ? ` The proposed custom policies load ${preview.rules} rule${preview.rules === 1 ? "" : "s"}.` : ""}`,
  ];
  for (const { kind, heading } of SECTIONS) {
    const impacts = preview.impacts.filter((i) => i.kind === kind);
    if (impacts.length === 0) continue;
    lines.push("", `### ${heading} (${impacts.length})`, "");
    let hidden = 0;
    for (const impact of impacts) {
      if (shownPublicly && impact.pull.private) {
        hidden++;
        continue;
      }
      const name = `${impact.pull.owner}/${impact.pull.repo}#${impact.pull.pullNumber}`;
      const why =
        impact.reasons.length > 0 ? `: ${impact.reasons.map(escapeMarkdown).join("; ")}` : "";
      lines.push(`- ${name}${why}`);
    }
    if (hidden > 0)
      lines.push(
        `- ${hidden} pull request${hidden === 1 ? "" : "s"} of private repositories, not named since this repository is public`,
      );
  }
  lines.push(...settingsNoticesSection(preview.settingsNotices, preview.settingsUnjudged));
  return {
    conclusion: count("newly-blocks") > 0 ? "neutral" : "success",
    title: title.slice(0, 255),
    summary: clip(lines.join("\n")),
    annotationBatches: batchAnnotations(settingsNoticeAnnotations(preview.settingsNotices)),
  };
}

function clip(summary: string): string {
  return fitSummary(summary, "\n…");
}
