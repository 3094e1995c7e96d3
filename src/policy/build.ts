// Builds a policy folder into an OPA Wasm bundle with our compiler: every package under
// `tollgate.rules` that defines `deny` becomes an entrypoint, and its `# METADATA` annotations
// travel in the manifest, as `opa build` puts them, so the engine needs nothing but the bundle.
// A generated `package tollgate.all` adds one more entrypoint that evaluates every rule at once.
// The folder's data files (`data.ts`) become the bundle's `data.json`.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createHash } from "node:crypto";
import { parseModule, type Module, type RefTerm, type RegoWarning } from "../rego/syntax/index.js";
import { findNode, type CheckedModules } from "../rego/compile/index.js";
import type { RegoError } from "../rego/syntax/index.js";
import type { LoadError } from "../model/types.js";
import { closestName } from "../model/spelling.js";
import { ALL_RULES_ENTRYPOINT, writeBundle } from "./bundle.js";
import { dataRuleConflicts, isDataFile, mergeDataFiles, type Document } from "./data.js";
import { ruleMetadata, type RuleMetadata } from "./metadata.js";
import { builtByRevisions, COMPILER_METADATA_KEY } from "./revision.js";

/** A file of a policy folder: a Rego module, or a data file (`isDataFile`). */
export interface PolicySource {
  /** Path relative to the policy folder, with `/`. */
  path: string;
  text: string;
}

export interface BuiltPolicies {
  wasm: Uint8Array;
  rules: RuleMetadata[];
  /** Annotations per rule entrypoint, as the bundle manifest carries them. */
  annotations: Record<string, Record<string, unknown>[]>;
  /** Every entrypoint `wasm` exports: the rules', then `ALL_RULES_ENTRYPOINT` when there are any. */
  entrypoints: string[];
  /** The file that defines each entrypoint's `deny`. */
  ruleFiles: Record<string, string>;
  sources: PolicySource[];
  /** The base document the data files make: the bundle's `data.json`. */
  data: Document;
}

const RULES_PACKAGE = ["tollgate", "rules"];
/** The generated package of `ALL_RULES_ENTRYPOINT`; sources may not use it or any below it. */
const ALL_RULES_PACKAGE = ALL_RULES_ENTRYPOINT.split("/").slice(0, -1);
/** Not a path a policy folder can hold (theirs are relative), so it never replaces a source. */
const ALL_RULES_FILE = "/tollgate/all.rego";

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  prefix.every((segment, i) => path[i] === segment);

/** Every `.rego` file and data file below `dir`, except tests and fixtures. */
export async function readPolicySources(dir: string): Promise<PolicySource[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sources: PolicySource[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !isPolicyFile(entry.name)) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, full).split(path.sep).join("/");
    if (relative.split("/").includes("fixtures")) continue;
    sources.push({ path: relative, text: await readFile(full, "utf8") });
  }
  return sources.sort((a, b) => a.path.localeCompare(b.path));
}

/** A module (not a test) or a data file, by its name. */
export function isPolicyFile(name: string): boolean {
  return (name.endsWith(".rego") && !name.endsWith("_test.rego")) || isDataFile(name);
}

/** The Rego modules among a folder's files. */
export function regoSources(sources: readonly PolicySource[]): PolicySource[] {
  return sources.filter((source) => !isDataFile(source.path));
}

/** `warnings`: the compiler's, on success and on failure alike (those found before it stopped). */
export type BuildResult =
  | { ok: true; built: BuiltPolicies; warnings: LoadError[] }
  | { ok: false; errors: LoadError[]; warnings: LoadError[] };

/** The rules of policy sources, read from their packages and METADATA before anything compiles. */
export interface RuleListing {
  errors: LoadError[];
  warnings: LoadError[];
  rules: RuleMetadata[];
  annotations: Record<string, Record<string, unknown>[]>;
  ruleFiles: Record<string, string>;
  /** Each rule entrypoint's `deny` as a path into `data`. */
  denyPaths: Record<string, string[]>;
  /** The modules that parsed. */
  modules: { file: string; module: Module }[];
}

/** Parse the sources and read every rule's metadata: the entrypoints and what they carry. */
export function readRules(sources: readonly PolicySource[]): RuleListing {
  const errors: LoadError[] = [];
  const warnings: LoadError[] = [];
  const annotations: Record<string, Record<string, unknown>[]> = {};
  const ruleFiles: Record<string, string> = {};
  const denyPaths: Record<string, string[]> = {};
  const rules: RuleMetadata[] = [];
  const modules: RuleListing["modules"] = [];
  const listing = () => ({ errors, warnings, rules, annotations, ruleFiles, denyPaths, modules });
  // What would otherwise be left out without a word: a second package METADATA (the last one
  // read would name the rule), and a rule's METADATA on a package whose deny is never evaluated.
  const packageAnnotations = new Map<string, { file: string; line: number }>();
  const unevaluated = new Map<
    string,
    { file: string; line: number; column: number; ruleId: string }
  >();
  const denied = new Set<string>();
  // Where a rule's METADATA problems are reported: its first block, else its file's top.
  const metadataAt: Record<string, { file: string; line: number; column: number }> = {};
  const placeOf = (entrypoint: string) =>
    metadataAt[entrypoint] ?? { file: ruleFiles[entrypoint] ?? entrypoint, line: 1, column: 1 };
  for (const source of regoSources(sources)) {
    const parsed = parseModule(source.text, source.path);
    warnings.push(...parsed.warnings.map(warningAsLoadError));
    if (!parsed.module) {
      errors.push(
        ...parsed.errors.map((e) => ({
          file: e.file,
          line: e.line,
          column: e.column,
          code: e.code,
          message: e.message,
        })),
      );
      continue;
    }
    modules.push({ file: source.path, module: parsed.module });
    const packagePath = parsed.module.package.path;
    const problem = (at: { line: number; column: number }, code: string, message: string) =>
      errors.push({ file: source.path, line: at.line, column: at.column, code, message });
    if (startsWith(packagePath, ALL_RULES_PACKAGE)) {
      problem(
        parsed.module.package.loc,
        "policy-package",
        `package ${packagePath.join(".")}: ${ALL_RULES_PACKAGE.join(".")} is reserved for the entrypoint that evaluates every rule at once`,
      );
      continue;
    }
    const packageName = packagePath.join(".");
    for (const annotation of parsed.module.annotations) {
      const key = `${annotation.scope} ${packageName}`;
      const other = packageAnnotations.get(key);
      if (other)
        problem(
          annotation.loc,
          "rego_type_error",
          `${annotation.scope} annotation redeclared: ${other.file}:${other.line}`,
        );
      else packageAnnotations.set(key, { file: source.path, line: annotation.loc.line });
    }
    const isRule =
      startsWith(packagePath, RULES_PACKAGE) && packagePath.length > RULES_PACKAGE.length;
    const denyRules = parsed.module.rules.filter((rule) => {
      const head = rule.head.ref[0];
      return head?.type === "var" && head.name === "deny";
    });
    const ruleId = declaredRuleId(parsed.module);
    if (!isRule) {
      if (ruleId !== undefined)
        problem(
          parsed.module.package.loc,
          "policy-package",
          `package ${packageName}: its METADATA names rule ${ruleId}, but only the deny of a package below tollgate.rules is evaluated (package tollgate.rules.<category>.<name>)`,
        );
      continue;
    }
    for (const rule of denyRules.filter((rule) => rule.head.ref.length > 1))
      problem(
        rule.head.loc,
        "policy-rule",
        `deny[...] makes deny an object, which Tollgate does not evaluate: a rule's deny is a set of findings (deny contains finding if { ... })`,
      );
    // `deny if ...`, `deny := ...` and `deny(x)` compile, but only a set is read as findings:
    // such a rule would pass `tollgate build` and fail every scan it fires in.
    for (const rule of denyRules.filter(
      (rule) => rule.head.ref.length === 1 && rule.head.kind !== "partial-set",
    ))
      problem(
        rule.head.loc,
        "policy-rule",
        `${rule.head.kind === "function" ? "deny(...) makes deny a function" : "deny if/:= makes deny one value"}, which Tollgate does not evaluate: a rule's deny is a set of findings (deny contains finding if { ... })`,
      );
    const deny = denyRules.filter((rule) => rule.head.kind === "partial-set");
    if (ruleId !== undefined && denyRules.length === 0)
      unevaluated.set(packageName, {
        file: source.path,
        line: parsed.module.package.loc.line,
        column: parsed.module.package.loc.column,
        ruleId,
      });
    if (deny.length === 0) continue;
    denied.add(packageName);
    const entrypoint = packagePath.join("/") + "/deny";
    ruleFiles[entrypoint] = source.path;
    denyPaths[entrypoint] = [...packagePath, "deny"];
    const list = (annotations[entrypoint] ??= []);
    const blocks = [...parsed.module.annotations, ...deny.flatMap((rule) => rule.annotations)];
    list.push(...blocks.map((a) => a.value));
    const first = blocks[0];
    if (first) metadataAt[entrypoint] ??= { file: source.path, ...lineAndColumn(first.loc) };
  }
  for (const [packageName, { file, line, column, ruleId }] of unevaluated)
    if (!denied.has(packageName))
      errors.push({
        file,
        line,
        column,
        code: "policy-rule",
        message: `package ${packageName}: its METADATA names rule ${ruleId}, but the package defines no deny, the only rule Tollgate evaluates (deny contains finding if { ... })`,
      });
  if (errors.length > 0) return listing();
  for (const [entrypoint, list] of Object.entries(annotations)) {
    const meta = ruleMetadata(entrypoint, list);
    if (meta.ok) rules.push(meta.rule);
    else
      for (const message of meta.problems)
        errors.push({ ...placeOf(entrypoint), code: "policy-metadata", message });
  }
  const ids = new Map<string, string>();
  for (const rule of rules) {
    const other = ids.get(rule.id);
    if (other)
      errors.push({
        ...placeOf(rule.entrypoint),
        code: "policy-metadata",
        message: `rule id ${rule.id} is also used by ${other}`,
      });
    ids.set(rule.id, rule.entrypoint);
  }
  return listing();
}

const lineAndColumn = ({ line, column }: { line: number; column: number }) => ({ line, column });

/** The `custom.id` a module's METADATA (package or rule scope) gives, the mark of a rule. */
function declaredRuleId(module: Module): string | undefined {
  const annotations = [...module.annotations, ...module.rules.flatMap((rule) => rule.annotations)];
  for (const annotation of annotations) {
    const id = annotation.custom?.["id"];
    if (id !== undefined) return typeof id === "string" ? id : JSON.stringify(id);
  }
  return undefined;
}

/**
 * Compile policy sources; the entrypoints are the `deny` rules of `tollgate.rules.*` packages.
 * `dataRoot`: the folder the sources' paths start with, which data files are placed below.
 */
export async function buildPolicies(sources: PolicySource[], dataRoot = ""): Promise<BuildResult> {
  const listing = readRules(sources);
  const { errors, warnings, rules, annotations, ruleFiles, denyPaths } = listing;
  const merged = mergeDataFiles(
    sources.filter((s) => isDataFile(s.path)),
    dataRoot,
  );
  errors.push(...merged.errors, ...dataRuleConflicts(listing.modules, merged.data));
  if (errors.length > 0) return { ok: false, errors: inSourceOrder(errors), warnings };
  const data = merged.data;
  const modules = Object.fromEntries(regoSources(sources).map((s) => [s.path, s.text]));
  const entrypoints = Object.keys(annotations);
  if (entrypoints.length > 0) {
    modules[ALL_RULES_FILE] = allRulesModule(denyPaths);
    entrypoints.push(ALL_RULES_ENTRYPOINT);
  }
  // Loaded on demand: the compiler pulls in binaryen, which a process that only evaluates a
  // prebuilt bundle never needs.
  const { compileRego, RegoCompileError } = await import("../rego/compiler.js");
  try {
    // Each rule's clauses get an entrypoint, so a bad finding is located at its clause.
    const compiled = await compileRego(modules, {
      entrypoints,
      check: helperReferenceErrors,
      clauses: Object.keys(annotations),
    });
    return {
      ok: true,
      built: { wasm: compiled.wasm, rules, annotations, entrypoints, ruleFiles, sources, data },
      warnings: compiled.warnings.map(warningAsLoadError),
    };
  } catch (error) {
    if (error instanceof RegoCompileError)
      return {
        ok: false,
        errors: inSourceOrder(
          error.errors.map((e) => ({
            file: e.file,
            line: e.line,
            column: e.column,
            code: e.code,
            message: e.message,
          })),
        ),
        warnings: error.warnings.map(warningAsLoadError),
      };
    throw error;
  }
}

const HELPERS = ["tollgate", "lib"];

/**
 * A reference to a rule a helper does not have (`network.rulse` for `network.rules`) is undefined
 * in OPA, not an error, so the rule reading it would silently check nothing. Nothing else can
 * define one: sources may not declare `tollgate.lib` packages and data files may not write under
 * `data.tollgate` (library.ts, data.ts), so such a reference is a mistake, refused where it is.
 */
function helperReferenceErrors(policy: CheckedModules): RegoError[] {
  const errors: RegoError[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    const term = node as { type?: unknown; head?: unknown; operands?: unknown; loc?: unknown };
    if (term.type === "ref") checkReference(term as RefTerm);
    for (const value of Object.values(node)) visit(value);
  };
  const checkReference = ({ head, operands, loc }: RefTerm) => {
    if (head.type !== "var" || head.name !== "data") return;
    const names = operands.map((term) => (term.type === "string" ? term.value : undefined));
    if (!HELPERS.every((segment, i) => names[i] === segment)) return;
    const [helper, name] = names.slice(HELPERS.length);
    if (helper === undefined || name === undefined) return;
    const helperNode = findNode(policy.tree, [...HELPERS, helper]);
    if (!helperNode || helperNode.children.has(name)) return;
    const suggestion = closestName(name, [...helperNode.children.keys()]);
    errors.push({
      file: loc.file,
      line: loc.line,
      column: loc.column,
      code: "rego_compile_error",
      message: `data.${[...HELPERS, helper, name].join(".")}: the helper ${helper} has no rule ${name}${suggestion ? ` (did you mean ${suggestion}?)` : ""}, so this reference is always undefined`,
    });
  };
  for (const module of policy.modules) visit(module.rules);
  return errors;
}

/**
 * Errors by file, line and column, then message, as OPA sorts a compile's errors
 * (`ast.Errors.Sort`, by `Location.Compare`): one file's errors read top to bottom.
 */
function inSourceOrder(errors: LoadError[]): LoadError[] {
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return [...errors].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      compare(a.line, b.line) ||
      compare(a.column, b.column) ||
      compare(a.message, b.message),
  );
}

/** The compiler's warning as the CLI prints it: a load error that does not fail the build. */
export function warningAsLoadError(warning: RegoWarning): LoadError {
  const { file, line, column, code, message } = warning;
  return { file, line, column, code, message, level: "warning" };
}

/**
 * `results[entrypoint]` is that rule's `deny`, one partial object so that a rule whose value is
 * undefined leaves only its own key out. Paths are written as strings, whatever a package's
 * segments hold.
 */
function allRulesModule(denyPaths: Record<string, string[]>): string {
  const lines = [`package ${ALL_RULES_PACKAGE.join(".")}`, ""];
  for (const [entrypoint, denyPath] of Object.entries(denyPaths)) {
    const ref = "data" + denyPath.map((segment) => `[${JSON.stringify(segment)}]`).join("");
    lines.push(
      `results[${JSON.stringify(entrypoint)}] := value if {`,
      `\tvalue := ${ref}`,
      "}",
      "",
    );
  }
  return lines.join("\n");
}

/** A policy folder's identity: the bundle built from it carries it as its revision. */
export function sourcesRevision(sources: readonly PolicySource[]): string {
  const hash = createHash("sha256");
  for (const source of sources)
    hash.update(source.path).update("\0").update(source.text).update("\0");
  return "sha256:" + hash.digest("hex");
}

/**
 * The bundle bytes for built policies, in the `opa build -t wasm` layout: the data files merged into
 * the one `/data.json`, the Rego sources beside it. The manifest's metadata names the compiler that
 * built them (`revision.ts`).
 */
export function bundleOf(built: BuiltPolicies): Promise<Uint8Array> {
  return writeBundle({
    revision: sourcesRevision(built.sources),
    wasm: built.wasm,
    entrypoints: built.entrypoints.map((entrypoint) => {
      const annotations = built.annotations[entrypoint];
      return annotations ? { entrypoint, annotations } : { entrypoint };
    }),
    sources: Object.fromEntries(regoSources(built.sources).map((s) => ["/" + s.path, s.text])),
    metadata: { [COMPILER_METADATA_KEY]: builtByRevisions() },
    data: built.data,
  });
}
