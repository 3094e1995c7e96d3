// Small text helpers every renderer shares: the one `file:line:col: message` form for errors
// (STYLE §5), the "cannot tell" note of a finding an unknown value decides, the name of a
// finding's resource, and escaping for text from scanned files that ends up in markdown.
import type { Finding, LoadError } from "../model/types.js";

export function formatLoadError(error: LoadError): string {
  const level = error.level === "warning" ? "warning: " : "";
  return `${error.file}:${error.line}:${error.column}: ${level}${error.message} (${error.code})`;
}

/** What every report says of a finding an unknown value decides; undefined for the others. */
export function cannotTell(finding: Pick<Finding, "unknown">): string | undefined {
  return finding.unknown === undefined ? undefined : `cannot tell: ${finding.unknown} decides`;
}

/**
 * The finding's resource address, and its Terraform root module when the finding lies in a local
 * module several roots may call (`module.logs.aws_s3_bucket.this in envs/prod`): the address alone
 * is unique only within a root.
 */
export function resourceLabel(finding: Pick<Finding, "resource" | "root" | "file">): string {
  if (finding.root === undefined || finding.root === finding.file) return finding.resource;
  const slash = finding.file.lastIndexOf("/");
  const directory = slash < 0 ? "" : finding.file.slice(0, slash);
  return directory === finding.root
    ? finding.resource
    : `${finding.resource} in ${finding.root === "" ? "." : finding.root}`;
}

/** Text from IaC files (messages, evidence) cannot inject markup, links or mentions into a report. */
export function escapeMarkdown(text: string): string {
  // Enough to stop emphasis, code, links (their `[`), HTML, tables and @mentions; parentheses and
  // the rest stay readable in the raw text.
  return text.replace(/[\\`*_[\]<>|~@]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/** A code span that stays one span whatever backticks the text holds. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
