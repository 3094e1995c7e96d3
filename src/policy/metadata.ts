// What a rule says about itself: its `# METADATA` annotations (as `opa build` puts them in the
// bundle manifest) validated into the fields every finding carries. Package-scope annotations
// give defaults, rule-scope ones override them.
import { z } from "zod";
import {
  BUILT_IN_CATEGORIES,
  CATEGORY_PATTERN,
  type Category,
  type Severity,
} from "../model/types.js";

export const severitySchema = z.enum(["critical", "high", "medium", "low", "info"]);
/**
 * The built-in library's four (its own test holds it to them) or a custom rule's own, such as
 * `tagging`: an organization's rules on tags, naming or cost fit none of the four, and filed under
 * one they would be reported there and switched by its enforcement.
 */
export const categorySchema = z
  .string()
  .regex(
    CATEGORY_PATTERN,
    `a category is ${BUILT_IN_CATEGORIES.join(", ")} or a name of your own such as tagging ` +
      "(2 to 31 characters: lowercase letters, digits and '-', starting with a letter)",
  );

const customSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "rule ids are letters, digits, '_', '.' and '-'"),
  severity: severitySchema,
  category: categorySchema,
  remediation: z.string().optional(),
  /** Control ids this rule maps to (`CIS-AWS-1.16`, `AWS-FSBP-IAM.1`). */
  controls: z.array(z.string()).optional(),
});

/** What each required `custom` field holds, for the message when it is left out. */
const REQUIRED_FIELDS: Record<string, string> = {
  id: "the rule's stable id (ACME-TAG-001), which settings and waivers name",
  severity: `one of ${severitySchema.options.join(", ")}`,
  category: `${BUILT_IN_CATEGORIES.join(", ")} or a name of your own such as tagging`,
};

const annotationSchema = z
  .object({
    scope: z.string().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    related_resources: z.array(z.unknown()).optional(),
    custom: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export interface RuleMetadata {
  id: string;
  title: string;
  description?: string;
  severity: Severity;
  category: Category;
  remediation?: string;
  controls?: string[];
  /** `related_resources` links, as `[description](url)` or the bare url. */
  references?: string[];
  /** The entrypoint that evaluates the rule (`tollgate/rules/iam/wildcard_action/deny`). */
  entrypoint: string;
}

/** On failure, `problems` holds every problem found (`message` joins them), for the author to fix at once. */
export type MetadataResult =
  { ok: true; rule: RuleMetadata } | { ok: false; message: string; problems: string[] };

const scopeOrder: Record<string, number> = { subpackages: 0, package: 1, document: 2, rule: 3 };

/** Merge an entrypoint's annotations (broadest scope first) and validate the Tollgate fields. */
export function ruleMetadata(entrypoint: string, annotations: readonly unknown[]): MetadataResult {
  const parsed = [];
  const fail = (problems: string[]): MetadataResult => ({
    ok: false,
    message: problems.join("; "),
    problems,
  });
  for (const raw of annotations) {
    const result = annotationSchema.safeParse(raw);
    if (!result.success)
      return fail([`${entrypoint}: malformed annotation: ${result.error.issues[0]?.message}`]);
    parsed.push(result.data);
  }
  parsed.sort(
    (a, b) => (scopeOrder[a.scope ?? "rule"] ?? 3) - (scopeOrder[b.scope ?? "rule"] ?? 3),
  );
  let title: string | undefined;
  let description: string | undefined;
  let custom: Record<string, unknown> = {};
  let references: string[] | undefined;
  for (const annotation of parsed) {
    title = annotation.title ?? title;
    description = annotation.description ?? description;
    if (annotation.related_resources) references = annotation.related_resources.flatMap(reference);
    custom = { ...custom, ...annotation.custom };
  }
  const fields = customSchema.safeParse(custom);
  if (!fields.success)
    return fail(
      fields.error.issues.map((issue) => {
        const where = issue.path.length ? `custom.${issue.path.join(".")}` : "custom";
        const field = issue.path.length === 1 ? String(issue.path[0]) : "";
        const wanted = REQUIRED_FIELDS[field];
        // zod's "expected string, received undefined" does not say the field is simply absent.
        if (wanted && custom[field] === undefined)
          return `${entrypoint}: METADATA ${where} is missing: add \`${field}: ...\` under \`custom:\`, ${wanted}`;
        return `${entrypoint}: METADATA ${where}: ${issue.message}`;
      }),
    );
  return {
    ok: true,
    rule: {
      id: fields.data.id,
      title: title ?? fields.data.id,
      ...(description !== undefined ? { description } : {}),
      severity: fields.data.severity,
      category: fields.data.category,
      ...(fields.data.remediation !== undefined ? { remediation: fields.data.remediation } : {}),
      ...(fields.data.controls !== undefined ? { controls: fields.data.controls } : {}),
      ...(references && references.length > 0 ? { references } : {}),
      entrypoint,
    },
  };
}

const relatedResourceSchema = z.union([
  z.string().min(1),
  z.object({ ref: z.string().min(1), description: z.string().optional() }),
]);

/** One `related_resources` entry as text; entries of another shape are left out. */
function reference(entry: unknown): string[] {
  const parsed = relatedResourceSchema.safeParse(entry);
  if (!parsed.success) return [];
  const value = parsed.data;
  if (typeof value === "string") return [value];
  return [value.description ? `[${value.description}](${value.ref})` : value.ref];
}
