// Reads `tollgate:ignore` comments out of IaC source text, and finds where a resource's block
// starts, so a waiver written beside a finding, on the line above it or at the top of its block
// can be matched to it. Text only: no loader is needed, and the CLI and the app read the same.
import type { SourceFile } from "../iac/source.js";

/** One `# tollgate:ignore <rule-id> reason="..." expires=YYYY-MM-DD` comment. */
export interface InlineWaiver {
  rule: string;
  reason?: string;
  expires?: string;
  approver?: string;
  file: string;
  line: number;
  column: number;
  /** The comment is the whole line, so it may speak for the line below. */
  standalone: boolean;
  /**
   * Attributes other than reason, expires and approver (a typo such as `expire=`), each with its
   * 1-based column, where the notice about it points.
   */
  unknownAttributes: { name: string; column: number }[];
}

const DIRECTIVE = /tollgate:ignore(?:\s+(\S+))?(.*)$/;
const ATTRIBUTE = /([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;

/** Comment markers by file kind: HCL takes `#` and `//`, YAML `#`, JSON has no comments. */
function commentMarkers(path: string): readonly string[] {
  if (/\.(tf|tfvars|hcl)$/i.test(path)) return ["#", "//"];
  if (/\.(ya?ml|template)$/i.test(path)) return ["#"];
  return [];
}

/** Where a comment starts on a line, outside double-quoted strings; -1 when there is none. */
function commentStart(line: string, markers: readonly string[]): number {
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === "\\" && quoted) index++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && markers.some((marker) => line.startsWith(marker, index))) return index;
  }
  return -1;
}

export function findInlineWaivers(file: SourceFile): InlineWaiver[] {
  const markers = commentMarkers(file.path);
  if (markers.length === 0) return [];
  const waivers: InlineWaiver[] = [];
  file.text.split(/\r?\n/).forEach((text, index) => {
    const start = commentStart(text, markers);
    if (start < 0) return;
    const directive = DIRECTIVE.exec(text.slice(start));
    if (!directive) return;
    const waiver: InlineWaiver = {
      rule: directive[1] ?? "",
      file: file.path,
      line: index + 1,
      column: start + 1,
      standalone: text.slice(0, start).trim() === "",
      unknownAttributes: [],
    };
    const attributes = directive[2] ?? "";
    // Where the attributes start on the line: the directive's group 2 runs to its end.
    const attributesAt = start + directive.index + directive[0].length - attributes.length;
    for (const attribute of attributes.matchAll(ATTRIBUTE)) {
      const [, key = "", quoted, bare] = attribute;
      const value = (quoted ?? bare ?? "").replace(/\\(.)/g, "$1");
      if (key === "reason" || key === "expires" || key === "approver") waiver[key] = value;
      else waiver.unknownAttributes.push({ name: key, column: attributesAt + attribute.index + 1 });
    }
    waivers.push(waiver);
  });
  return waivers;
}

/** Whether a line is only a comment (any marker of the file's kind). */
export function isCommentLine(file: SourceFile, text: string): boolean {
  const trimmed = text.trimStart();
  return commentMarkers(file.path).some((marker) => trimmed.startsWith(marker));
}

/**
 * The 1-based line of a resource's block header: `resource "type" "name" {` (or `data`) for
 * Terraform addresses, `  LogicalId:` for CloudFormation; undefined when it cannot be found.
 */
export function resourceBlockLine(file: SourceFile, address: string): number | undefined {
  const lines = file.text.split(/\r?\n/);
  const unindexed = address.replace(/\[[^\]]*\]$/, "");
  const parts = unindexed.split(".");
  let header: RegExp;
  if (parts.length >= 2) {
    const [type, name] = parts.slice(-2).map(escapeRegExp);
    const mode = parts.at(-3) === "data" ? "data" : "resource";
    header = new RegExp(`^\\s*${mode}\\s+"${type}"\\s+"${name}"`);
  } else {
    header = new RegExp(`^\\s+["']?${escapeRegExp(unindexed)}["']?\\s*:\\s*(#.*)?$`);
  }
  const index = lines.findIndex((line) => header.test(line));
  return index < 0 ? undefined : index + 1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
