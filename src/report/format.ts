// Small text helpers every renderer shares: the one `file:line:col: message` form for errors
// (STYLE §5), the "cannot tell" note of a finding an unknown value decides, the name of a
// finding's resource, and escaping for text from scanned files that ends up in markdown.
import { problemPlace, type Finding, type LoadError } from "../model/types.js";

export function formatLoadError(error: LoadError): string {
  const level = error.level === "warning" ? "warning: " : "";
  return `${problemPlace(error)}${level}${error.message} (${error.code})`;
}

/** What every report says of a finding an unknown value decides; undefined for the others. */
export function cannotTell(finding: Pick<Finding, "unknown">): string | undefined {
  return finding.unknown === undefined ? undefined : `cannot tell: ${finding.unknown} decides`;
}

/** What every report says of a new finding whose file did not load at base; undefined for the others. */
export function unloadedAtBaseNote(finding: Pick<Finding, "unloadedAtBase">): string | undefined {
  return finding.unloadedAtBase ? "base did not load: it may not be new" : undefined;
}

/**
 * What every report says of a finding the diff labelled otherwise than its identity alone would:
 * a base finding the pull request widened to more deployments or to a wider grant (new), or
 * narrowed to fewer (existing), one whose resource a Terraform `import` block adopts (new, or
 * existing under `import_adopts: existing`).
 * Undefined for the others.
 */
export function diffNote(
  finding: Pick<Finding, "widened" | "narrowed" | "adopted" | "status">,
): string | undefined {
  if (finding.widened !== undefined) return `widened by this change: ${finding.widened}`;
  if (finding.narrowed !== undefined) return `narrowed by this change: ${finding.narrowed}`;
  if (finding.adopted !== undefined) {
    const at = `adopted by the import block at ${finding.adopted.file}:${finding.adopted.line}`;
    return finding.status === "existing"
      ? `${at}: already deployed, now managed here`
      : `${at}: new all the same, since applying it makes the deployed object so; if it is already so, a waiver records it`;
  }
  return undefined;
}

/**
 * What a report says of a finding's waiver: its reason, and the day it expires when it has one, in
 * the words of the summary's line on waived new findings (`bastion (expires 2027-01-01)`).
 */
export function waiverNote(waived: NonNullable<Finding["waived"]>): string {
  return waived.expires ? `${waived.reason} (expires ${waived.expires})` : waived.reason;
}

/**
 * What a report says of a finding's enforcement: `blocking` only when it fails the check, nothing
 * for a fixed finding (it blocks nothing), `would block` for a waived new finding its enforcement
 * would otherwise make blocking, `would block if new` for an existing one at a blocking level (the
 * gate counts it only with `fail_on: all`, so beside "no blocking findings" it must not read
 * `blocking`), `advisory until <day>` for one a `blocking_from` countdown holds (it blocks from
 * that day), and `advisory` for the rest.
 */
export function enforcementTag(
  finding: Pick<Finding, "status" | "waived" | "enforcement" | "advisoryUntil">,
  blocks: boolean,
): string | undefined {
  if (blocks) return "blocking";
  if (finding.status === "fixed") return undefined;
  if (finding.waived !== null) {
    return finding.enforcement === "blocking" && finding.status === "new"
      ? "would block"
      : undefined;
  }
  if (finding.enforcement === "blocking") return "would block if new";
  return finding.advisoryUntil !== undefined
    ? `advisory until ${finding.advisoryUntil}`
    : finding.enforcement;
}

/**
 * The finding's resource address, and its Terraform root module when the finding lies in a local
 * module other roots may call too (`module.logs.aws_s3_bucket.this in envs/prod`): the address
 * alone is unique only within a root. The repository's top folder as root goes unnamed, which
 * still tells its findings from those of roots in folders.
 */
export function resourceLabel(finding: Pick<Finding, "resource" | "root" | "file">): string {
  const root = finding.root;
  if (root === undefined || root === "" || root === finding.file) return finding.resource;
  return finding.file.startsWith(`${root}/`) && !finding.file.slice(root.length + 1).includes("/")
    ? finding.resource
    : `${finding.resource} in ${root}`;
}

/**
 * `main.tf:1` when the finding's line lies outside its resource's block (the value came from a
 * variable, a tfvars entry, a local or a module argument): where the resource itself is, so a
 * reader sent to `variables.tf:4` learns which block it feeds. Undefined otherwise.
 */
export function blockElsewhere(
  finding: Pick<Finding, "file" | "line" | "resourceBlock">,
): string | undefined {
  const block = finding.resourceBlock;
  if (block === undefined) return undefined;
  const inside =
    block.file === finding.file && finding.line >= block.line && finding.line <= block.endLine;
  return inside ? undefined : `${block.file}:${block.line}`;
}

/**
 * What a report says of a finding written outside its resource's block (a variable's or a
 * CloudFormation parameter's default, a tfvars entry) at that place: the value there is the cause,
 * and where the block reads it (`readAt`) when known; it names no resource, so the instances of a
 * `count` still share one annotation. Naming only the block left a reader at a parameter's
 * `Default:` line guessing why it was flagged. Undefined for the others.
 */
export function valueWrittenHere(
  finding: Pick<Finding, "file" | "line" | "resourceBlock" | "readAt">,
  here: string,
  show: (text: string) => string = (text) => text,
): string | undefined {
  if (blockElsewhere(finding) === undefined) return undefined;
  const reader = finding.readAt;
  return reader === undefined
    ? `${here} holds the value that decides it.`
    : `${here} holds the value that decides it: the resource reads it at ${show(`${reader.file}:${reader.line}`)}.`;
}

const LISTED_RESOURCES = 3;

/**
 * The resources of findings that share one annotation or summary item (the instances of a `count`
 * or `for_each`): `web`, or `30 resources: web[0], web[1], web[2] and 27 more` in index order,
 * each name through `show` (a code span in markdown).
 */
export function resourceList(
  findings: readonly Pick<Finding, "resource" | "root" | "file">[],
  show: (label: string) => string = (label) => label,
): string {
  const labels = findings.map(resourceLabel).sort(INDEX_ORDER.compare);
  if (labels.length === 1) return show(labels[0] ?? "");
  const listed = labels.slice(0, LISTED_RESOURCES).map(show).join(", ");
  const rest = labels.length - LISTED_RESOURCES;
  return `${labels.length} resources: ${listed}${rest > 0 ? ` and ${rest} more` : ""}`;
}

const INDEX_ORDER = new Intl.Collator("en", { numeric: true });

/**
 * Report order: by file, line, rule and resource (numbers in it by value, so the instances of a
 * `count` run web[0], web[1], web[2], ..., web[10]), each finding at the place it is reported
 * (`placeOf`, the changed line that decided it in `tollgate diff`); `Array.prototype.sort` is
 * stable, so findings alike on all four keep the order the engine gave them.
 */
export function byLocation<T extends Pick<Finding, "file" | "line" | "rule" | "resource">>(
  findings: readonly T[],
  placeOf: (finding: T) => { path: string; line: number } | undefined = () => undefined,
): T[] {
  const key = (finding: T) => {
    const place = placeOf(finding);
    return { file: place?.path ?? finding.file, line: place?.line ?? finding.line };
  };
  return [...findings].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    if (ka.file !== kb.file) return ka.file < kb.file ? -1 : 1;
    if (ka.line !== kb.line) return ka.line - kb.line;
    if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
    return INDEX_ORDER.compare(a.resource, b.resource);
  });
}

/** Text from IaC files (messages, evidence) cannot inject markup, links or mentions into a report. */
export function escapeMarkdown(text: string): string {
  // Enough to stop emphasis, code, links (their `[`), HTML, tables and @mentions; parentheses and
  // the rest stay readable in the raw text.
  return text.replace(/[\\`*_[\]<>|~@]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/**
 * Text from rule metadata (description, remediation), ours or an organization's custom policy's: its inline
 * code spans (`Action`) stay code, and everything else is escaped as `escapeMarkdown` does, so an
 * org policy can put no links, HTML, emphasis or mentions into a check run. An unpaired backtick
 * is escaped too.
 */
export function ruleTextMarkdown(text: string): string {
  const parts: string[] = [];
  let rest = 0;
  for (const code of text.matchAll(/`([^`\r\n]+)`/g)) {
    parts.push(escapeMarkdown(text.slice(rest, code.index)), codeSpan(code[1]!));
    rest = code.index + code[0].length;
  }
  parts.push(escapeMarkdown(text.slice(rest)));
  return parts.join("");
}

/** A code span that stays one span whatever backticks the text holds. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
