// Evaluates a policy bundle's rules on a resource model through the OPA Wasm SDK. Each
// entrypoint is one rule; the input is serialised once and handed to every rule as bytes.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Finding, LoadError, Resource } from "../model/types.js";
import { hostBuiltins } from "../rego/runtime/index.js";
import type { PolicyBundle } from "./bundle.js";
import { toFindings } from "./findings.js";
import { ruleMetadata, type RuleMetadata } from "./metadata.js";

type LoadedPolicy = Awaited<ReturnType<typeof loadPolicy>>;

export interface RuleSet {
  rules: RuleMetadata[];
  /** Problems with the bundle itself (an entrypoint without valid metadata). */
  errors: LoadError[];
  /**
   * Evaluate every rule; `data`, when given, replaces the bundle's base document for this call
   * (rule settings under `data.tollgate.settings`, for instance).
   */
  evaluate(
    resources: Resource[],
    data?: Record<string, unknown>,
  ): { findings: Finding[]; errors: LoadError[] };
}

/** 64 KiB Wasm pages: 16 MiB to start, 2 GiB at most, so a runaway policy fails instead of the host. */
const MEMORY = { initial: 256, maximum: 32_768 };

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export async function loadRuleSet(bundle: PolicyBundle, name = "bundle"): Promise<RuleSet> {
  const errors: LoadError[] = [];
  const instances = new Map<string, LoadedPolicy>();
  const rules: { meta: RuleMetadata; instance: LoadedPolicy }[] = [];
  for (const resolver of bundle.manifest.wasm ?? []) {
    const modulePath = "/" + resolver.module.replace(/^\/+/, "");
    let instance = instances.get(modulePath);
    if (!instance) {
      instance = await loadPolicy(bundle.modules[modulePath] as Uint8Array, MEMORY, hostBuiltins);
      instance.setData(bundle.data);
      instances.set(modulePath, instance);
    }
    const meta = ruleMetadata(resolver.entrypoint, resolver.annotations ?? []);
    if (!meta.ok) {
      errors.push({
        file: name,
        line: 1,
        column: 1,
        code: "policy-metadata",
        message: meta.message,
      });
      continue;
    }
    rules.push({ meta: meta.rule, instance });
  }
  return {
    rules: rules.map((r) => r.meta),
    errors,
    evaluate(resources, data) {
      if (data) for (const instance of instances.values()) instance.setData(data);
      try {
        return evaluateAll(resources);
      } finally {
        if (data) for (const instance of instances.values()) instance.setData(bundle.data);
      }
    },
  };

  function evaluateAll(resources: Resource[]): { findings: Finding[]; errors: LoadError[] } {
    const input = new TextEncoder().encode(JSON.stringify({ resources })).buffer as ArrayBuffer;
    const byAddress = new Map(resources.map((r) => [r.address, r]));
    const findings: Finding[] = [];
    const evalErrors: LoadError[] = [];
    for (const { meta, instance } of rules) {
      let resultSet: unknown;
      try {
        resultSet = instance.evaluate(input, meta.entrypoint);
      } catch (error) {
        evalErrors.push({
          file: meta.entrypoint,
          line: 1,
          column: 1,
          code: "policy-eval",
          message: `rule ${meta.id} failed: ${describe(error)}`,
        });
        continue;
      }
      const collected = collectFindings(meta, resultSet, byAddress);
      findings.push(...collected.findings);
      evalErrors.push(...collected.errors);
    }
    return { findings, errors: evalErrors };
  }
}

/** A rule's OPA result set (`[{ result: [finding, ...] }]`) read into located findings. */
export function collectFindings(
  meta: RuleMetadata,
  resultSet: unknown,
  byAddress: ReadonlyMap<string, Resource>,
): { findings: Finding[]; errors: LoadError[] } {
  const findings: Finding[] = [];
  const errors: LoadError[] = [];
  const results = Array.isArray(resultSet) ? (resultSet as { result?: unknown }[]) : [];
  for (const { result } of results) {
    if (!Array.isArray(result)) {
      errors.push({
        file: meta.entrypoint,
        line: 1,
        column: 1,
        code: "policy-result",
        message: `rule ${meta.id}: deny must be a set of findings, got ${JSON.stringify(result)?.slice(0, 100)}`,
      });
      continue;
    }
    const mapped = toFindings(meta, result, byAddress);
    findings.push(...mapped.findings);
    errors.push(...mapped.errors);
  }
  return { findings, errors };
}
