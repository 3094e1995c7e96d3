// Turns what a rule's `deny` set returns into located findings. The contract for rule authors:
// each element is `{ resource, message, evidence?, path?, severity?, unknown?, when? }` where `resource` is an address from
// `input.resources` and `path` is a JSON pointer (or a list of keys) into that resource's config.
// The most specific written location of `path` becomes the finding's line. A finding whose path
// exists only under a CloudFormation condition the template cannot decide (`conditional`), or
// whose rule judged one alternative of such a value (`when`), says so in its message; its
// evidence, and so its identity, is the one it would have unconditionally; the same finding
// returned under several alternatives is one finding (under C and not C, one in every deployment).
import { z } from "zod";
import { toPointer } from "../model/pointer.js";
import type { Finding, LoadError, Resource, SourceLocation } from "../model/types.js";
import type { RuleMetadata } from "./metadata.js";

const rawFindingSchema = z.object({
  resource: z.string().min(1),
  message: z.string().min(1),
  evidence: z.string().optional(),
  path: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).optional(),
  severity: z.enum(["critical", "high", "medium", "low", "info"]).optional(),
  unknown: z.string().min(1).optional(),
  when: z.string().optional(),
});

type RawFinding = z.infer<typeof rawFindingSchema>;

/**
 * One result per finding a rule returned under several alternatives (a statement entry per
 * branch of an `Fn::If` on a key the rule does not read): the same finding under `C` and
 * `not C`, or also unconditionally, holds in every deployment; under other conditions it holds
 * when any of them does. Without this, one finding would count twice in the diff's multiset.
 */
function mergeAlternatives(results: RawFinding[]): RawFinding[] {
  const merged = new Map<string, { result: RawFinding; whens: Set<string> }>();
  for (const result of results) {
    const key = JSON.stringify([
      result.resource,
      typeof result.path === "string" ? result.path : toPointer(result.path ?? []),
      result.evidence ?? null,
      result.message,
      result.severity ?? null,
      result.unknown ?? null,
    ]);
    const entry = merged.get(key);
    if (entry) entry.whens.add(result.when ?? "");
    else merged.set(key, { result, whens: new Set([result.when ?? ""]) });
  }
  return [...merged.values()].map(({ result, whens }) => {
    if (whens.size === 1) return result;
    const always = whens.has("") || [...whens].some((when) => whens.has(`not ${when}`));
    return { ...result, when: always ? "" : [...whens].sort().join(" or ") };
  });
}

/** The location of the longest prefix of `pointer` that the resource records. */
export function locate(resource: Resource, pointer: string): SourceLocation | undefined {
  let candidate = pointer;
  for (;;) {
    const found = resource.locations[candidate];
    if (found) return found;
    if (candidate === "") return undefined;
    candidate = candidate.slice(0, candidate.lastIndexOf("/"));
  }
}

/** The conditions under which the value at `pointer` exists, outermost first (`""` included). */
export function conditionsOf(resource: Resource, pointer: string): string[] {
  const conditional = resource.conditional;
  if (conditional === undefined) return [];
  const conditions: string[] = [];
  for (let end = 0; end !== -1; end = pointer.indexOf("/", end + 1)) {
    const condition = conditional[pointer.slice(0, end)];
    if (condition !== undefined) conditions.push(condition);
  }
  const own = conditional[pointer];
  if (pointer !== "" && own !== undefined) conditions.push(own);
  return conditions;
}

export function toFindings(
  rule: RuleMetadata,
  results: readonly unknown[],
  resources: ReadonlyMap<string, Resource>,
): { findings: Finding[]; errors: LoadError[] } {
  const findings: Finding[] = [];
  const errors: LoadError[] = [];
  const valid: RawFinding[] = [];
  for (const raw of results) {
    const parsed = rawFindingSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      errors.push({
        file: rule.entrypoint,
        line: 0,
        column: 0,
        code: "policy-result",
        message: `rule ${rule.id} returned a malformed finding (${issue?.path.join(".") || "value"}: ${issue?.message}): ${JSON.stringify(raw).slice(0, 200)}`,
      });
      continue;
    }
    const result = parsed.data;
    if (!resources.has(result.resource)) {
      errors.push({
        file: rule.entrypoint,
        line: 0,
        column: 0,
        code: "policy-result",
        message: `rule ${rule.id} reported resource '${result.resource}', which the input does not contain`,
      });
      continue;
    }
    valid.push(result);
  }
  for (const result of mergeAlternatives(valid)) {
    const resource = resources.get(result.resource);
    if (!resource) continue;
    const pointer = typeof result.path === "string" ? result.path : toPointer(result.path ?? []);
    const where = locate(resource, pointer);
    const conditions = [...conditionsOf(resource, pointer), ...(result.when ? [result.when] : [])];
    const message =
      conditions.length === 0
        ? result.message
        : `${result.message} Only when ${conditions.join(" and ")}.`;
    findings.push({
      rule: rule.id,
      title: rule.title,
      severity: result.severity ?? rule.severity,
      category: rule.category,
      file: where?.file ?? resource.file,
      line: where?.line ?? resource.line,
      endLine: where?.endLine ?? resource.endLine,
      resource: resource.address,
      ...(resource.root !== undefined ? { root: resource.root } : {}),
      message,
      evidence: result.evidence ?? pointer,
      ...(rule.remediation !== undefined ? { remediation: rule.remediation } : {}),
      ...(result.unknown !== undefined ? { unknown: result.unknown } : {}),
      enforcement: "blocking",
      waived: null,
    });
  }
  return { findings, errors };
}
