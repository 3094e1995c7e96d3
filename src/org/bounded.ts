// Evaluates custom rules, which are untrusted code, in the bounded worker of src/rego/runtime: each
// Wasm module gets capped memory pages and each rule a deadline, and the whole set a time budget, so
// a looping or allocating rule ends as a located error (gated by `on_error`) and never as a hang.
// A worker lives for one scan and is closed after it, so an idle app holds no threads.
import type { RuleSettings } from "../config/schema.js";
import type { CustomRuleSet, ScanResult } from "../engine/types.js";
import { policyInput } from "../model/input.js";
import { deploymentsOf } from "../model/scopes.js";
import type { LoadError, Resource } from "../model/types.js";
import {
  collectWorldFindings,
  withRuleSettings,
  worldsOf,
  type WorldResultSet,
} from "../policy/evaluate.js";
import { clauseOf, type RejectedValue } from "../policy/findings.js";
import { clausesEntrypoint } from "../rego/plan/index.js";
import { BoundedPolicy, defaultBounds, type Bounds } from "../rego/runtime/index.js";
import type { CompiledPolicies, CustomRule } from "./compile.js";

export interface CustomRuleBounds extends Bounds {
  /** All of one set's rules on one snapshot; rules left when it is spent are reported unevaluated. */
  totalMs: number;
}

/** 5 s and 256 MiB per rule (the sandbox's defaults), 30 s per snapshot for the whole set. */
export const defaultCustomRuleBounds: CustomRuleBounds = { ...defaultBounds, totalMs: 30_000 };

/**
 * `fileName` renames the files errors point at: rules of another repository (the organization's)
 * are named `acme/.github:path`, so a scanned repository's file of the same path is not blamed.
 */
export function boundedRuleSet(
  policies: CompiledPolicies,
  bounds: CustomRuleBounds = defaultCustomRuleBounds,
  fileName: (file: string) => string = (file) => file,
): CustomRuleSet {
  return {
    origin: policies.origin,
    rules: policies.rules.map((rule) => rule.meta),
    evaluate: async (resources, ruleSettings) => {
      const result = await evaluateRules(policies, resources, bounds, ruleSettings);
      return {
        findings: result.findings,
        errors: result.errors.map((error) => ({ ...error, file: fileName(error.file) })),
      };
    },
  };
}

async function evaluateRules(
  policies: CompiledPolicies,
  resources: readonly Resource[],
  bounds: CustomRuleBounds,
  ruleSettings: RuleSettings | undefined,
): Promise<ScanResult> {
  const result: ScanResult = { findings: [], errors: [] };
  if (policies.rules.length === 0 || resources.length === 0) return result;
  // Each deployment (model/scopes.ts) serialised once, as bytes the SDK takes as they are: each
  // rule then costs a copy into the worker rather than a JSON.stringify of the whole model
  // (bench/custom-policies.ts).
  // The Terraform workspaces of one root are judged together (policy/evaluate.ts), so a finding
  // in every workspace is one finding, and one in some says when.
  const families = worldsOf(deploymentsOf(resources)).map((worlds) =>
    worlds.map((deployment) => ({
      input: new TextEncoder().encode(JSON.stringify(policyInput(deployment))).buffer,
      byAddress: new Map(deployment.map((r) => [r.address, r])),
      when: deployment[0]?.workspace,
    })),
  );
  const deadline = performance.now() + bounds.totalMs;
  for (const [index, module] of policies.modules.entries()) {
    const rules = policies.rules.filter((rule) => rule.module === index);
    const data = ruleSettings ? withRuleSettings(module.data, ruleSettings) : module.data;
    const policy = new BoundedPolicy(module.wasm, data, bounds);
    try {
      for (const rule of rules) {
        if (performance.now() > deadline) {
          result.errors.push(
            ruleError(
              policies,
              rule,
              "eval_budget",
              `not evaluated: the custom rules of ${policies.origin} used their ${bounds.totalMs} ms budget`,
            ),
          );
          continue;
        }
        families: for (const worlds of families) {
          const resultSets: WorldResultSet[] = [];
          for (const { input, byAddress, when } of worlds) {
            const outcome = await policy.evaluate(input, rule.meta.entrypoint);
            if (!outcome.ok) {
              const { location } = outcome.error;
              result.errors.push({
                ...ruleError(policies, rule, outcome.error.code, outcome.error.message),
                ...(location
                  ? { file: location.file, line: location.line, column: location.column }
                  : {}),
              });
              break families;
            }
            resultSets.push({
              resultSet: outcome.resultSet,
              resources: byAddress,
              ...(when !== undefined ? { when } : {}),
            });
          }
          const collected = collectWorldFindings(rule.meta, resultSets);
          result.findings.push(...collected.findings);
          const located = await clauseLocations(
            policy,
            rule.meta.entrypoint,
            collected.rejected,
            worlds.map((world) => world.input),
          );
          result.errors.push(
            ...collected.errors.map((error) => located.get(error) ?? { ...error, file: rule.file }),
          );
        }
      }
    } finally {
      await policy.close();
    }
  }
  return result;
}

/**
 * Each rejected value's error moved to the clause that produced it, from the rule's clauses
 * entrypoint evaluated again in the sandbox, only when a value was rejected (as policy/evaluate.ts
 * does); none for a module without that entrypoint, or when that evaluation fails.
 */
async function clauseLocations(
  policy: BoundedPolicy,
  entrypoint: string,
  rejected: readonly RejectedValue[],
  inputs: readonly ArrayBuffer[],
): Promise<Map<LoadError, LoadError>> {
  const located = new Map<LoadError, LoadError>();
  if (rejected.length === 0) return located;
  const resultSets: unknown[] = [];
  for (const input of inputs) {
    const outcome = await policy.evaluate(input, clausesEntrypoint(entrypoint));
    if (outcome.ok) resultSets.push(outcome.resultSet);
  }
  for (const { error, value } of rejected) {
    const at = resultSets.map((resultSet) => clauseOf(resultSet, value)).find(Boolean);
    if (at) located.set(error, { ...error, ...at });
  }
  return located;
}

function ruleError(
  policies: CompiledPolicies,
  rule: CustomRule,
  code: string,
  message: string,
): LoadError {
  return {
    file: rule.file,
    line: 1,
    column: 1,
    code,
    message: `custom rule ${rule.meta.id} (${policies.origin}): ${message}`,
  };
}
