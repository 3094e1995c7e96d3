// `/tollgate explain <rule-id>`: the reply with a rule's documentation from its METADATA and the
// evidence of its findings on the pull request's head, read from the newest Tollgate check run's
// record (no rescan). Rules are the built-in ones, then the custom ones in force for the
// repository (default branches only), named with the repository and file that define them. An
// unknown id gets the closest ids of both (`closeRuleIds`, as a misspelt id in settings does).
import type { CustomRuleSet } from "../engine/types.js";
import { readGateSettings, type RepoRef } from "../github/index.js";
import type { RuleMetadata } from "../policy/metadata.js";
import { closeRuleIds } from "../rollout/index.js";
import { codeSpan, escapeMarkdown, resourceLabel, ruleTextMarkdown } from "../report/index.js";
import { latestCheckRun } from "./checkRuns.js";
import type { CommandContext, CommentRequest } from "./commentCommands.js";
import { pullTarget } from "./pulls.js";

/** Findings of the rule listed in the reply; the check run has the rest. */
const MAX_LISTED_FINDINGS = 20;
const MAX_SUGGESTIONS = 5;

export async function explainRule(
  context: Pick<CommandContext, "api" | "appId" | "rules" | "customPolicies" | "lastValidSettings">,
  request: CommentRequest,
  ruleId: string,
): Promise<string> {
  const builtin = await context.rules();
  const named = (r: RuleMetadata) => r.id.toLowerCase() === ruleId.toLowerCase();
  let rule = builtin.find(named);
  let definition: RuleDefinition | undefined;
  if (!rule) {
    // Only when the id is not built in: that answer needs no settings or policy folder read.
    const repository = { owner: request.owner, repo: request.repo };
    const custom = (await customRulesInForce(context, repository, builtin)).flatMap((ruleSet) =>
      ruleSet.rules.map((meta) => ({ meta, definition: ruleSet.definitions?.[meta.id] })),
    );
    const found = custom.find(({ meta }) => named(meta));
    if (!found) return unknownRule(ruleId, [...builtin, ...custom.map(({ meta }) => meta)]);
    ({ meta: rule, definition } = found);
  }
  const lines = ruleDocumentation(rule, definition);
  const target = await pullTarget(context.api, {
    owner: request.owner,
    repo: request.repo,
    pullNumber: request.pullNumber,
  });
  if (!target) return lines.join("\n");
  const short = target.headSha.slice(0, 7);
  const run = await latestCheckRun(context.api, target, target.headSha, await context.appId());
  lines.push("", `### On this pull request (${short})`, "");
  if (!run?.record) {
    lines.push(
      run
        ? `The Tollgate check on ${short} ${run.status === "completed" ? "carries no record of its findings" : "is still running"}.`
        : `There is no Tollgate check on ${short} yet.`,
    );
    return lines.join("\n");
  }
  const findings = run.record.findings.filter((f) => f.rule === rule.id && f.status !== "fixed");
  if (findings.length === 0) {
    lines.push(
      `The Tollgate check on ${short} has no open findings of ${codeSpan(rule.id)}${run.record.omitted > 0 ? " among those it recorded" : ""}.`,
    );
    return lines.join("\n");
  }
  // A break-glass override lets what it covers merge: those findings no longer block it.
  const overridden = new Set(run.record.override?.covers);
  for (const f of findings.slice(0, MAX_LISTED_FINDINGS)) {
    const blocking = f.blocking ? [overridden.has(f.key) ? "overridden" : "blocks merge"] : [];
    const tags = [f.status, ...blocking].join(", ");
    lines.push(
      `- ${codeSpan(`${f.file}:${f.line}`)} ${codeSpan(resourceLabel(f))} (${tags}): ${escapeMarkdown(f.message)} Evidence: ${codeSpan(f.evidence)}`,
    );
  }
  const more = findings.length - MAX_LISTED_FINDINGS;
  if (more > 0 || run.record.omitted > 0)
    lines.push("", `More findings are in the check run${run.url ? `: ${run.url}` : "."}`);
  return lines.join("\n");
}

/**
 * The custom rules a scan of `repository` runs now: the settings and policy folders of default
 * branches, compiled or from the cache, the last version that compiled when the newest does not.
 */
async function customRulesInForce(
  context: Pick<CommandContext, "api" | "customPolicies" | "lastValidSettings">,
  repository: RepoRef,
  builtin: readonly RuleMetadata[],
): Promise<readonly CustomRuleSet[]> {
  if (!context.customPolicies) return [];
  const { settings } = await readGateSettings(
    context.api,
    repository,
    undefined,
    context.lastValidSettings,
  );
  const found = await context.customPolicies.forPull(
    context.api,
    repository,
    settings,
    builtin.map((rule) => rule.id),
  );
  return found.ruleSets;
}

type RuleDefinition = NonNullable<CustomRuleSet["definitions"]>[string];

function ruleDocumentation(rule: RuleMetadata, definition?: RuleDefinition): string[] {
  const lines = [
    `## ${codeSpan(rule.id)}: ${escapeMarkdown(rule.title)}`,
    "",
    `**Severity:** ${rule.severity} · **Category:** ${rule.category}`,
  ];
  if (definition)
    lines.push(
      "",
      `**Defined in:** ${codeSpan(definition.path)} of ${codeSpan(definition.repository)} (default branch)`,
    );
  if (rule.description) lines.push("", ruleTextMarkdown(rule.description));
  if (rule.remediation) lines.push("", `**Remediation:** ${ruleTextMarkdown(rule.remediation)}`);
  if (rule.controls && rule.controls.length > 0)
    lines.push("", `**Controls:** ${rule.controls.map(codeSpan).join(", ")}`);
  if (rule.references && rule.references.length > 0)
    lines.push("", "**References:**", ...rule.references.map((ref) => `- ${ref}`));
  return lines;
}

function unknownRule(ruleId: string, rules: readonly RuleMetadata[]): string {
  const close = closeRuleIds(
    ruleId,
    rules.map((rule) => rule.id),
    MAX_SUGGESTIONS,
  ).flatMap((id) => rules.find((rule) => rule.id === id) ?? []);
  const lines = [`Tollgate has no rule ${codeSpan(ruleId)}.`];
  if (close.length > 0) {
    lines.push("", "Did you mean:", "");
    for (const rule of close) lines.push(`- ${codeSpan(rule.id)}: ${escapeMarkdown(rule.title)}`);
  } else {
    lines.push(`Rule ids look like ${codeSpan(rules[0]?.id ?? "TG-NET-001")}.`);
  }
  return lines.join("\n");
}
