// Evaluates a policy bundle's rules on a resource model through the OPA Wasm SDK. Each annotated
// entrypoint is one rule; a module that also has `ALL_RULES_ENTRYPOINT` evaluates all its rules in
// one call, so what they share is computed once, and rule by rule only if that call fails.
import * as opaWasm from "@open-policy-agent/opa-wasm";
import { policyInput } from "../model/input.js";
import { deploymentsOf } from "../model/scopes.js";
import type { Finding, LoadError, Resource } from "../model/types.js";
import {
  evaluateExact,
  exactJsonBytes,
  exactJsonText,
  hostBuiltins,
  sdkText,
} from "../rego/runtime/index.js";
import { parseModule } from "../rego/syntax/index.js";
import { ALL_RULES_ENTRYPOINT, type PolicyBundle } from "./bundle.js";
import { clausesEntrypoint } from "../rego/plan/index.js";
import {
  clauseOf,
  locateRejected,
  toWorldFindings,
  type RejectedValue,
  type RuleFindings,
  type WorldResults,
} from "./findings.js";
import { ruleMetadata, type RuleMetadata } from "./metadata.js";

// The package's ES module exports only `loadPolicy` by name (its types declare `loadPolicySync`
// too); its default export is the whole API.
const { loadPolicySync } = (opaWasm as unknown as { default: typeof opaWasm }).default;

type LoadedPolicy = ReturnType<typeof loadPolicySync>;

export interface RuleSet {
  rules: RuleMetadata[];
  /** Problems with the bundle itself (an entrypoint without valid metadata). */
  errors: LoadError[];
  /**
   * Evaluate every rule; `ruleSettings`, when given, is `data.tollgate.settings` for this call,
   * over the bundle's own base document (`withRuleSettings`).
   */
  evaluate(
    resources: Resource[],
    ruleSettings?: Readonly<Record<string, unknown>>,
  ): { findings: Finding[]; errors: LoadError[]; printed: string[] };
  /** The Wasm memory its instances hold now, in bytes. */
  memoryBytes(): number;
}

/** A base document with `ruleSettings` at `tollgate.settings`, the rest of it kept. */
export function withRuleSettings(
  data: Readonly<Record<string, unknown>>,
  ruleSettings: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const tollgate = data.tollgate;
  const kept = typeof tollgate === "object" && tollgate !== null && !Array.isArray(tollgate);
  return { ...data, tollgate: { ...(kept ? tollgate : {}), settings: ruleSettings } };
}

/** 64 KiB Wasm pages: 16 MiB to start, 2 GiB at most, so a runaway policy fails instead of the host. */
const MEMORY = { initial: 256, maximum: 32_768 };

/**
 * A Wasm memory never shrinks: after an evaluation that grew it past this, the module gets a
 * fresh instance, and the grown memory goes at the next garbage collection, so one large pull
 * request does not keep the server's memory at its peak for good (19,200 generated resources in
 * one root leave 410 MiB). A fresh instance of the compiled module costs about 9 ms, against
 * about 3 s for that evaluation.
 */
export const RECYCLE_BYTES = 256 * 2 ** 20;

/** A module's compiled code and its current instance, which `recycle` may replace. */
interface Slot {
  module: WebAssembly.Module;
  instance: LoadedPolicy;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  // The runtime's errors arrive as the text opa_abort was given, decoded by the SDK.
  return sdkText(String(error));
}

export async function loadRuleSet(
  bundle: PolicyBundle,
  name = "bundle",
  recycleBytes = RECYCLE_BYTES,
): Promise<RuleSet> {
  const errors: LoadError[] = [];
  const slots = new Map<string, Slot>();
  /** The modules that have the entrypoint that evaluates all their rules at once. */
  const combined = new Set<Slot>();
  const rules: { meta: RuleMetadata; slot: Slot }[] = [];
  /** Where each rule's package is declared, read from the bundle's sources on the first error. */
  let locations: Map<string, Pick<LoadError, "file" | "line" | "column">> | undefined;
  // As bytes, so integers past 2^53 reach the module as written (rego/runtime/exact-json.ts).
  const baseDocument = exactJsonBytes(bundle.data);
  const instantiate = (module: WebAssembly.Module): LoadedPolicy => {
    const instance = loadPolicySync(module, MEMORY, hostBuiltins);
    instance.setData(baseDocument);
    return instance;
  };
  for (const resolver of bundle.manifest.wasm ?? []) {
    const modulePath = "/" + resolver.module.replace(/^\/+/, "");
    let slot = slots.get(modulePath);
    if (!slot) {
      const module = await WebAssembly.compile(
        bundle.modules[modulePath] as Uint8Array<ArrayBuffer>,
      );
      slot = { module, instance: instantiate(module) };
      slots.set(modulePath, slot);
    }
    if (resolver.entrypoint === ALL_RULES_ENTRYPOINT) {
      combined.add(slot);
      continue;
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
    rules.push({ meta: meta.rule, slot });
  }
  return {
    rules: rules.map((r) => r.meta),
    errors,
    evaluate(resources, ruleSettings) {
      const data = ruleSettings
        ? exactJsonBytes(withRuleSettings(bundle.data, ruleSettings))
        : undefined;
      if (data) for (const slot of slots.values()) slot.instance.setData(data);
      // The SDK hands each `print` line to console.log, which is stdout, where a report in a
      // machine format goes: the lines are collected for the caller instead. Evaluation is
      // synchronous, so nothing else logs while console.log is borrowed.
      const printed: string[] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => printed.push(sdkText(args.map(String).join(" ")));
      try {
        return { ...evaluateAll(resources), printed };
      } finally {
        console.log = log;
        if (data) for (const slot of slots.values()) slot.instance.setData(baseDocument);
        for (const slot of slots.values())
          if (slot.instance.mem.buffer.byteLength > recycleBytes)
            slot.instance = instantiate(slot.module);
      }
    },
    memoryBytes: () =>
      [...slots.values()].reduce((sum, slot) => sum + slot.instance.mem.buffer.byteLength, 0),
  };

  function evaluateAll(resources: Resource[]): { findings: Finding[]; errors: LoadError[] } {
    const findings: Finding[] = [];
    const evalErrors: LoadError[] = [];
    for (const worlds of worldsOf(deploymentsOf(resources))) {
      const evaluated = evaluateDeployment(worlds);
      // Item by item here and below: `push(...found)` throws past about 125,000 findings.
      for (const item of evaluated.findings) findings.push(item);
      for (const item of evaluated.errors) evalErrors.push(item);
    }
    return { findings, errors: uniqueErrors(evalErrors).map(locate) };
  }

  /**
   * An error about a rule still located at its entrypoint (not at a clause), moved to the package
   * line of its source.
   */
  function locate(error: LoadError): LoadError {
    if (!rules.some((r) => r.meta.entrypoint === error.file)) return error;
    locations ??= ruleLocations(bundle);
    const at = locations.get(error.file);
    return at ? { ...error, ...at } : error;
  }

  /** The findings of one deployment, judged in each of its worlds (one unless workspaces split it). */
  function evaluateDeployment(worlds: Resource[][]): { findings: Finding[]; errors: LoadError[] } {
    const findings: Finding[] = [];
    const evalErrors: LoadError[] = [];
    const evaluated = worlds.map((resources) => {
      const input = new TextEncoder().encode(JSON.stringify(policyInput(resources)))
        .buffer as ArrayBuffer;
      const shared = new Map<Slot, Map<string, unknown> | undefined>();
      for (const slot of combined) shared.set(slot, evaluateCombined(slot.instance, input));
      return {
        input,
        shared,
        resources: new Map(resources.map((r) => [r.address, r])),
        when: resources[0]?.workspace,
      };
    });
    for (const { meta, slot } of rules) {
      const resultSets: WorldResultSet[] = [];
      for (const { input, shared, resources, when } of evaluated) {
        let resultSet = shared.get(slot)?.get(meta.entrypoint);
        try {
          resultSet ??= evaluateExact(slot.instance, input, meta.entrypoint);
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
        resultSets.push({ resultSet, resources, ...(when !== undefined ? { when } : {}) });
      }
      if (resultSets.length === 0) continue;
      const collected = collectWorldFindings(meta, resultSets);
      for (const item of collected.findings) findings.push(item);
      const located = clauseLocations(
        slot.instance,
        meta.entrypoint,
        collected.rejected,
        evaluated.map((world) => world.input),
      );
      for (const item of locateRejected(collected.errors, located)) evalErrors.push(item);
    }
    return { findings, errors: evalErrors };
  }
}

/**
 * Where the clause that produced each rejected value is written, from the rule's clauses
 * entrypoint evaluated again over the deployment's inputs, only when a value was rejected. A
 * bundle without that entrypoint (`opa build`, an older Tollgate) locates none: its errors stay at
 * the rule's package line.
 */
function clauseLocations(
  instance: LoadedPolicy,
  entrypoint: string,
  rejected: readonly RejectedValue[],
  inputs: readonly ArrayBuffer[],
): Map<LoadError, Pick<LoadError, "file" | "line" | "column">> {
  const located = new Map<LoadError, Pick<LoadError, "file" | "line" | "column">>();
  const clauses = clausesEntrypoint(entrypoint);
  const entrypoints = instance.entrypoints as Record<string, number>;
  if (rejected.length === 0 || !Object.hasOwn(entrypoints, clauses)) return located;
  const resultSets = inputs.map((input) => {
    try {
      return evaluateExact(instance, input, clauses);
    } catch {
      return undefined;
    }
  });
  for (const { error, value } of rejected) {
    for (const resultSet of resultSets) {
      const at = clauseOf(resultSet, value);
      if (!at) continue;
      located.set(error, at);
      break;
    }
  }
  return located;
}

/**
 * The `package` line of each rule entrypoint's source among the sources a bundle carries (those
 * `tollgate build` and `opa build` include), by entrypoint; none for a bundle without sources.
 */
function ruleLocations(
  bundle: PolicyBundle,
): Map<string, Pick<LoadError, "file" | "line" | "column">> {
  const found = new Map<string, Pick<LoadError, "file" | "line" | "column">>();
  for (const [bundlePath, text] of Object.entries(bundle.sources)) {
    const file = bundlePath.replace(/^\/+/, "");
    const parsed = parseModule(text, file);
    if (!parsed.module) continue;
    const entrypoint = [...parsed.module.package.path, "deny"].join("/");
    const { line, column } = parsed.module.package.loc;
    if (!found.has(entrypoint)) found.set(entrypoint, { file, line, column });
  }
  return found;
}

/** One of each error: a rule that fails fails alike in every deployment it is evaluated on. */
function uniqueErrors(errors: LoadError[]): LoadError[] {
  const seen = new Map<string, LoadError>();
  for (const error of errors) {
    const key = JSON.stringify([error.file, error.line, error.column, error.code, error.message]);
    if (!seen.has(key)) seen.set(key, error);
  }
  return [...seen.values()];
}

/**
 * Every rule's result set from one evaluation of `ALL_RULES_ENTRYPOINT`, by rule entrypoint;
 * undefined when that evaluation fails (a conflict or builtin error in one rule, memory), so the
 * rules are evaluated one by one and only the failing one loses its findings. A rule left out of
 * the object is evaluated on its own too.
 */
function evaluateCombined(
  instance: LoadedPolicy,
  input: ArrayBuffer,
): Map<string, unknown> | undefined {
  let resultSet: unknown;
  try {
    resultSet = evaluateExact(instance, input, ALL_RULES_ENTRYPOINT);
  } catch {
    return undefined;
  }
  const results = Array.isArray(resultSet) ? (resultSet as { result?: unknown }[]) : [];
  const value = results.length === 1 ? results[0]?.result : undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return new Map(
    Object.entries(value as Record<string, unknown>).map(([entrypoint, deny]) => [
      entrypoint,
      [{ result: deny }],
    ]),
  );
}

/**
 * The deployments grouped with their worlds: the Terraform workspaces of one root module (the
 * deployments whose resources name a `workspace`, model/scopes.ts) together, in order, each other
 * deployment alone.
 */
export function worldsOf(deployments: Resource[][]): Resource[][][] {
  const grouped = new Map<string, Resource[][]>();
  const families: Resource[][][] = [];
  for (const deployment of deployments) {
    const first = deployment[0];
    if (first?.workspace === undefined) {
      families.push([deployment]);
      continue;
    }
    const key = JSON.stringify([first.source, first.root ?? first.file]);
    const family = grouped.get(key);
    if (family) family.push(deployment);
    else {
      const created = [deployment];
      grouped.set(key, created);
      families.push(created);
    }
  }
  return families;
}

/** A rule's OPA result set in one world, with that world's resources by address and condition. */
export interface WorldResultSet {
  resultSet: unknown;
  resources: ReadonlyMap<string, Resource>;
  when?: string;
}

/** A rule's OPA result sets in the worlds of one deployment read into located findings. */
export function collectWorldFindings(
  meta: RuleMetadata,
  worlds: readonly WorldResultSet[],
): RuleFindings {
  const errors: LoadError[] = [];
  const mapped: WorldResults[] = [];
  for (const { resultSet, resources, when } of worlds) {
    const results = Array.isArray(resultSet) ? (resultSet as { result?: unknown }[]) : [];
    for (const { result } of results) {
      if (!Array.isArray(result)) {
        errors.push({
          file: meta.entrypoint,
          line: 1,
          column: 1,
          code: "policy-result",
          message: `rule ${meta.id}: deny must be a set of findings, got ${exactJsonText(result).slice(0, 100)}`,
        });
        continue;
      }
      mapped.push({ results: result, resources, ...(when !== undefined ? { when } : {}) });
    }
  }
  const collected = toWorldFindings(meta, mapped);
  return { ...collected, errors: [...errors, ...collected.errors] };
}
