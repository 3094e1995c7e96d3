// Custom policies as the engine runs them: `.rego` sources compiled with our compiler under the
// METADATA contract of `policies/` (with the folder's data files as their `data`), prebuilt OPA
// Wasm bundles read as they are, one rule list with
// the file each rule came from. Sources compile together with the built-in helpers of
// `policies/lib/` (`data.tollgate.lib.*`), which they may import but not redefine.
import { createHash } from "node:crypto";
import type { LoadError } from "../model/types.js";
import { packageVersion } from "../version.js";
import {
  ALL_RULES_ENTRYPOINT,
  BundleError,
  readBundle,
  type PolicyBundle,
} from "../policy/bundle.js";
import { buildCustomPolicies, type PolicyLibrary } from "../policy/library.js";
import { ruleMetadata, type RuleMetadata } from "../policy/metadata.js";
import { compilerRevision } from "../policy/revision.js";
import type { PolicyFolderContents, PolicyFile } from "./folder.js";

export interface CustomRule {
  meta: RuleMetadata;
  /** The file that defines it, from the repository root (a bundle's own path for a bundle rule). */
  file: string;
  /** Index into `CompiledPolicies.modules`. */
  module: number;
}

export interface CompiledPolicies {
  /** The content hash the cache keeps it under. */
  key: string;
  origin: string;
  rules: CustomRule[];
  modules: { wasm: Uint8Array; data: Record<string, unknown> }[];
  /** The compiler's warnings on the sources (`level: "warning"`): for their authors, never blocking. */
  warnings: LoadError[];
}

/** `warnings`: the compiler's on a folder that does not compile too, those found before it failed. */
export type CompileOutcome =
  | { ok: true; policies: CompiledPolicies }
  | { ok: false; errors: LoadError[]; warnings: LoadError[] };

let compilerIdentity: string | undefined;

/**
 * What besides the sources decides the compiled result: Tollgate's version and the revision of
 * its compiler, Wasm runtime and bundle builder (`policy/revision.ts`). Part of every cache key,
 * so a cache that outlived an upgrade, or a compiler change within one version, never serves an
 * old build.
 */
export function compilerVersion(): string {
  if (compilerIdentity) return compilerIdentity;
  const compiler = compilerRevision()
    .replace(/^sha256:/, "")
    .slice(0, 16);
  compilerIdentity = `tollgate@${packageVersion()}+compiler.${compiler}`;
  return compilerIdentity;
}

/**
 * The content hash of a folder: every file's path and git blob id (itself a hash of the content),
 * the compiler (`compilerVersion`: release and compiler revision), the helpers' revision
 * (`PolicyLibrary.revision`, so changed helpers recompile even within one version) and the rule
 * ids a custom rule may not take.
 */
export function policiesKey(
  files: readonly PolicyFile[],
  libraryRevision: string,
  reservedIds: readonly string[] = [],
  compiler: string = compilerVersion(),
): string {
  const hash = createHash("sha256").update(compiler).update("\0");
  hash.update(libraryRevision).update("\0");
  for (const file of files) hash.update(file.path).update("\0").update(file.blobSha).update("\0");
  hash.update([...reservedIds].sort().join(","));
  return "sha256:" + hash.digest("hex");
}

/**
 * Compile the sources with the helpers of `helpers` (the built-in library unless given) and read
 * the bundles; any error refuses the whole folder.
 */
export async function compilePolicies(
  key: string,
  origin: string,
  contents: PolicyFolderContents,
  reservedIds: readonly string[] = [],
  helpers?: PolicyLibrary,
): Promise<CompileOutcome> {
  const errors: LoadError[] = [...contents.errors];
  const warnings: LoadError[] = [];
  const rules: CustomRule[] = [];
  const modules: CompiledPolicies["modules"] = [];
  const taken = new Map<string, string>(reservedIds.map((id) => [id, "the built-in library"]));
  if (contents.sources.length > 0) {
    // Its build refuses a source rule that takes a built-in id or another source rule's.
    const built = await buildCustomPolicies(
      contents.sources,
      reservedIds,
      helpers,
      contents.folder,
    );
    warnings.push(...built.warnings);
    if (!built.ok) errors.push(...built.errors);
    else if (built.built.rules.length > 0) {
      modules.push({ wasm: built.built.wasm, data: built.built.data });
      for (const meta of built.built.rules) {
        const file = built.built.ruleFiles[meta.entrypoint] ?? origin;
        rules.push({ meta, file, module: 0 });
        taken.set(meta.id, file);
      }
    }
  }
  const bundleRules: CustomRule[] = [];
  for (const { path, bytes } of contents.bundles) {
    let bundle: PolicyBundle;
    try {
      bundle = await readBundle(bytes, path);
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      errors.push(at(path, "policy-bundle", error.message));
      continue;
    }
    const indexOf = new Map<string, number>();
    for (const resolver of bundle.manifest.wasm ?? []) {
      // Custom rules run one by one under their own deadline, so `tollgate build`'s entrypoint
      // for all of them at once is not a rule here.
      if (resolver.entrypoint === ALL_RULES_ENTRYPOINT) continue;
      const modulePath = "/" + resolver.module.replace(/^\/+/, "");
      let index = indexOf.get(modulePath);
      if (index === undefined) {
        index = modules.length;
        modules.push({ wasm: bundle.modules[modulePath] as Uint8Array, data: bundle.data });
        indexOf.set(modulePath, index);
      }
      const meta = ruleMetadata(resolver.entrypoint, resolver.annotations ?? []);
      if (meta.ok) bundleRules.push({ meta: meta.rule, file: path, module: index });
      else errors.push(at(path, "policy-metadata", meta.message));
    }
    if ((bundle.manifest.wasm ?? []).length === 0)
      errors.push(at(path, "policy-bundle", `${path}: the manifest names no entrypoints`));
  }
  for (const rule of bundleRules) {
    const other = taken.get(rule.meta.id);
    if (other)
      errors.push(
        at(rule.file, "policy-metadata", `rule id ${rule.meta.id} is also used by ${other}`),
      );
    else taken.set(rule.meta.id, rule.file);
  }
  rules.push(...bundleRules);
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, policies: { key, origin, rules, modules, warnings } };
}

function at(file: string, code: string, message: string): LoadError {
  return { file, line: 1, column: 1, code, message };
}
