// The engine: a repository snapshot in, located findings out. Loads the IaC model, evaluates every
// rule of the policy bundle, and returns loader and policy errors alongside the findings.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remoteStackSource } from "../iac/cloudformation/stacks.js";
import { loadModel } from "../iac/index.js";
import {
  META_KEY,
  qualifiedAddress,
  type Forgotten,
  type LoadError,
  type Resource,
} from "../model/types.js";
import { readBundle, type PolicyBundle } from "../policy/bundle.js";
import type { RuleMetadata } from "../policy/metadata.js";
import {
  buildPolicies,
  bundleOf,
  readPolicySources,
  sourcesRevision,
  type PolicySource,
} from "../policy/build.js";
import { loadRuleSet } from "../policy/evaluate.js";
import {
  BUILTIN_POLICY_DIR,
  buildCustomPolicies,
  builtinLibrary,
  builtinRuleIds,
  isBuiltinFolder,
} from "../policy/library.js";
import { builtByCompiler } from "../policy/revision.js";
import type { CustomRuleSet, ScanEngine, UnreadModuleCall } from "./types.js";

export type { CustomRuleSet, ScanEngine, ScanOptions, ScanResult } from "./types.js";

export { BUILTIN_POLICY_DIR } from "../policy/library.js";

/**
 * The built-in library compiled by `npm run build`; used while its revision matches the sources
 * and its compiler is the one this process runs (`policy/revision.ts`).
 */
export const BUILTIN_BUNDLE = fileURLToPath(new URL("../../dist/policies.tar.gz", import.meta.url));

export interface EngineOptions {
  /** A prebuilt bundle (`tollgate build`, or `opa build -t wasm`); default: the built-in library. */
  bundlePath?: string;
  /** A folder of Rego policies to compile instead of the built-in library. */
  policyDir?: string;
  /**
   * How errors name `policyDir`'s files: their path below it, after this folder (the CLI gives the
   * folder from where it names IaC files, so both open from the same place). Absent, their path
   * below the folder.
   */
  policyDirShownAs?: string;
}

export class EngineError extends Error {}

/** A policy folder whose sources do not compile, with the located errors. */
export class PolicyCompileError extends EngineError {
  constructor(readonly errors: readonly LoadError[]) {
    const lines = errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
    super(`the policies do not compile:\n${lines.join("\n")}`);
  }
}

/**
 * Errors with the files of a policy folder (`sources`) named from `shownAs`; other files (the
 * helpers, a rule's entrypoint) are left as they are.
 */
function namedFrom(
  shownAs: string | undefined,
  sources: readonly PolicySource[],
): (errors: readonly LoadError[]) => LoadError[] {
  if (shownAs === undefined || shownAs === "") return (errors) => [...errors];
  const own = new Set(sources.map((source) => source.path));
  const prefix = shownAs.split(path.sep).join("/").replace(/\/+$/, "");
  return (errors) =>
    errors.map((error) =>
      own.has(error.file) ? { ...error, file: `${prefix}/${error.file}` } : error,
    );
}

/** Compiled policy folders by the hash of their sources: a process compiles each version once. */
const compiled = new Map<string, Promise<PolicyBundle>>();

export async function loadPolicyBundle(options: EngineOptions = {}): Promise<PolicyBundle> {
  if (options.bundlePath)
    return readBundle(new Uint8Array(await readFile(options.bundlePath)), options.bundlePath);
  const dir = options.policyDir ?? BUILTIN_POLICY_DIR;
  const builtin = await isBuiltinFolder(dir);
  const sources = await readPolicySources(dir);
  // A custom folder compiles with the helpers, so a changed helper recompiles it too.
  const key = builtin
    ? sourcesRevision(sources)
    : sourcesRevision([...(await builtinLibrary()).sources, ...sources]);
  if (builtin) {
    const prebuilt = await readFile(BUILTIN_BUNDLE)
      .then((bytes) => readBundle(new Uint8Array(bytes), BUILTIN_BUNDLE))
      .catch(() => undefined);
    if (prebuilt && isCurrent(prebuilt, key)) return prebuilt;
  }
  let bundle = compiled.get(key);
  if (!bundle) {
    bundle = compileSources(sources, builtin);
    compiled.set(key, bundle);
    bundle.catch(() => compiled.delete(key));
  }
  const named = namedFrom(options.policyDirShownAs, sources);
  return bundle.catch((error: unknown) => {
    throw error instanceof PolicyCompileError ? new PolicyCompileError(named(error.errors)) : error;
  });
}

/** Whether a prebuilt bundle is what compiling `sourcesKey` here would give. */
export function isCurrent(bundle: PolicyBundle, sourcesKey: string): boolean {
  return bundle.manifest.revision === sourcesKey && builtByCompiler(bundle.manifest.metadata);
}

/** The built-in folder as it is; any other as custom policies, with the helpers (policy/library.ts). */
async function compileSources(sources: PolicySource[], builtin: boolean): Promise<PolicyBundle> {
  const built = builtin
    ? await buildPolicies(sources)
    : await buildCustomPolicies(sources, await builtinRuleIds());
  if (!built.ok) throw new PolicyCompileError(built.errors);
  return readBundle(await bundleOf(built.built));
}

/**
 * The rules a scan with `customRules` evaluates, by id and category, which waivers and enforcement
 * keys are checked against, and as metadata, which a repository's locked entries are judged by;
 * nothing for an engine that does not list its built-in rules.
 */
export function evaluatedRules(
  engine: ScanEngine,
  customRules: readonly CustomRuleSet[] = [],
): {
  knownRules?: ReadonlySet<string>;
  knownCategories?: ReadonlySet<string>;
  rules?: readonly RuleMetadata[];
} {
  if (!engine.builtinRules) return {};
  const rules = [...engine.builtinRules, ...customRules.flatMap((set) => set.rules)];
  return {
    knownRules: new Set(rules.map((rule) => rule.id)),
    knownCategories: new Set(rules.map((rule) => rule.category)),
    rules,
  };
}

/**
 * A policy folder's rules evaluated in this process beside the engine's, as the app evaluates an
 * organization's or a repository's custom policies (there in a bounded worker): the CLI's
 * `--custom-policies`. Compiled as the app compiles such a folder, with the helpers.
 */
export async function customRuleSet(
  policyDir: string,
  policyDirShownAs?: string,
): Promise<CustomRuleSet> {
  const bundle = await loadPolicyBundle({
    policyDir,
    ...(policyDirShownAs !== undefined ? { policyDirShownAs } : {}),
  });
  const ruleSet = await loadRuleSet(bundle, policyDir);
  const named = namedFrom(policyDirShownAs, await readPolicySources(policyDir));
  return {
    origin: policyDir,
    rules: ruleSet.rules,
    evaluate: (resources, ruleSettings) => {
      const evaluated = ruleSet.evaluate([...resources], ruleSettings);
      return Promise.resolve({
        ...evaluated,
        errors: named([...ruleSet.errors, ...evaluated.errors]),
      });
    },
  };
}

export async function createEngine(options: EngineOptions = {}): Promise<ScanEngine> {
  const bundle = await loadPolicyBundle(options);
  const ruleSet = await loadRuleSet(bundle, options.bundlePath ?? "policies");
  const folder = options.bundlePath === undefined ? options.policyDir : undefined;
  const named = namedFrom(
    options.policyDirShownAs,
    folder && options.policyDirShownAs ? await readPolicySources(folder) : [],
  );
  return {
    builtinRules: ruleSet.rules,
    async scan(files, scanOptions = {}) {
      const { ruleSettings, variableFiles, parameterFiles, listing, keepRoots, terraformTool } =
        scanOptions;
      const model = loadModel(
        files,
        {
          ...(variableFiles ? { rootVariableFiles: variableFiles } : {}),
          ...(listing ? { listing } : {}),
          ...(keepRoots ? { keepRoots: keepRoots.terraform } : {}),
          ...(terraformTool ? { tool: terraformTool } : {}),
        },
        {
          ...(parameterFiles ? { parameterFiles } : {}),
          ...(keepRoots ? { keepTops: keepRoots.cloudformation } : {}),
        },
      );
      // The built-in rules always report what an unknown value decides (they report the same
      // known findings either way): under `unknown_values: ignore` those findings are kept apart,
      // so the diff can tell a finding the head made unknown from one it fixed.
      const evaluated = ruleSet.evaluate(model.resources, {
        ...ruleSettings,
        unknown_values: "advisory",
      });
      const findings = [...evaluated.findings];
      const errors = [...named(ruleSet.errors), ...model.errors, ...named(evaluated.errors)];
      const printed = [...evaluated.printed];
      for (const custom of scanOptions.customRules ?? []) {
        const result = await custom.evaluate(model.resources, ruleSettings);
        for (const item of result.findings) findings.push(item);
        for (const item of result.errors) errors.push(item);
        for (const line of result.printed ?? []) printed.push(line);
      }
      // An unknown value never yields a finding on its own unless the settings ask for them,
      // whichever rule (a custom one included) reported it.
      const keepUnknown = ruleSettings?.unknown_values === "advisory";
      const unreadModules = unreadModulesOf(model.resources);
      // One per place and address: a module several roots call has its calls read once each.
      const unread = new Map(
        unreadModules.map(unreadModuleWarning).map((w) => [JSON.stringify(w), w]),
      );
      errors.push(...unread.values());
      return {
        findings: findings.filter((f) => keepUnknown || f.unknown === undefined),
        undecided: findings.filter((f) => !keepUnknown && f.unknown !== undefined),
        errors,
        printed,
        moves: model.moves,
        ...(model.forgotten ? { forgotten: model.forgotten } : {}),
        ...(model.adopted ? { adopted: model.adopted } : {}),
        ...(model.roots ? { roots: model.roots } : {}),
        ...(unreadModules.length > 0 ? { unreadModules } : {}),
        ...retainedOf(model.resources),
        addresses: model.resources.map((resource) => ({
          root: resource.root,
          address: qualifiedAddress(resource),
          ...(resource.source === "cloudformation"
            ? {
                stack: {
                  path: resource.module,
                  logicalId: resource.address,
                  type: resource.type,
                  file: resource.file,
                  line: resource.line,
                  column: resource.column,
                  config: resource.config,
                  ...(resource.meta ? { meta: resource.meta } : {}),
                },
              }
            : {}),
        })),
      };
    },
  };
}

/** `DeletionPolicy` values that leave the resource deployed when the template stops declaring it. */
const RETAINING = new Set(["Retain", "RetainExceptOnCreate"]);

/** The CloudFormation resources a `DeletionPolicy` keeps deployed once removed (`ScanResult.retained`). */
function retainedOf(resources: readonly Resource[]): { retained?: Forgotten[] } {
  const retained = resources.flatMap((resource): Forgotten[] => {
    const policy = resource.meta?.["DeletionPolicy"];
    const at = resource.locations[`/${META_KEY}/DeletionPolicy`];
    if (resource.source !== "cloudformation" || typeof policy !== "string") return [];
    if (!RETAINING.has(policy)) return [];
    return [
      {
        root: resource.root ?? "",
        address: qualifiedAddress(resource),
        file: at?.file ?? resource.file,
        line: at?.line ?? resource.line,
        policy,
      },
    ];
  });
  return retained.length > 0 ? { retained } : {};
}

/** An instance key in an address (`[0]`, `["a"]`), of a resource or of a module call before it. */
const INSTANCE_KEY = /\[(?:\d+|"(?:[^"\\]|\\.)*")\]/g;

/**
 * The calls of modules Tollgate does not read, from their records in the model (`mode: "module"`,
 * one per instance), each call once, by root and address without instance keys; and the
 * CloudFormation stacks whose template it does not fetch (`remoteStackSource`), by top template
 * and stack path.
 */
function unreadModulesOf(resources: readonly Resource[]): UnreadModuleCall[] {
  const calls = new Map<string, UnreadModuleCall>();
  for (const resource of resources) {
    const stack = remoteStackSource(resource);
    const sourceAt = resource.locations[stack?.sourcePointer ?? "/source"];
    const source = stack?.source ?? resource.moduleSource;
    if (!stack && resource.mode !== "module") continue;
    if (source === undefined || !sourceAt) continue;
    const version = stack ? stack.version : resource.moduleVersion;
    const root = resource.root ?? "";
    // A nested stack is named with its stack path (`Network.Net`), a module call without keys.
    const address = stack ? qualifiedAddress(resource) : resource.address.replace(INSTANCE_KEY, "");
    const versionAt = resource.locations[stack ? (stack.versionPointer ?? "") : "/version"];
    const place = ({ file, line, column }: { file: string; line: number; column: number }) => ({
      file,
      line,
      column,
    });
    calls.set(JSON.stringify([root, address]), {
      root,
      address,
      source,
      ...(version !== undefined ? { version } : {}),
      sourceAt: place(sourceAt),
      ...(versionAt ? { versionAt: place(versionAt) } : {}),
      ...(stack ? { kind: "stack" as const } : {}),
    });
  }
  return [...calls.values()];
}

/**
 * The warning every report gives for a module call Tollgate does not read, at its `source`: what
 * the module deploys is judged only through the rules reading the call's arguments.
 */
function unreadModuleWarning(call: UnreadModuleCall): LoadError {
  const version = call.version !== undefined ? ` (version ${JSON.stringify(call.version)})` : "";
  const message =
    call.kind === "stack"
      ? `nested stack ${call.address} is not read: Tollgate does not fetch its ${call.source.startsWith("arn:") ? "application" : "template"} ${JSON.stringify(call.source)}${version}, so what it deploys is judged only through the rules that read this resource's properties`
      : `${call.address} is not read: Tollgate does not fetch its source ${JSON.stringify(call.source)}${version}, so what it deploys is judged only through the rules that read this call's arguments`;
  return {
    ...call.sourceAt,
    code: "module-not-read",
    message,
    level: "warning",
  };
}
