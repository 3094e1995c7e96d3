// The compile stage's door: Rego source files in, checked and rewritten modules plus the rule
// tree out, or located errors (OPA's codes). The planner consumes `CheckedModules` as plain data.
//
// Contract of the output (what the planner may rely on):
// - `modules` keep the parser's AST types, one per input file, package and imports unchanged.
// - Names are resolved: a var naming a rule of the package is a ref `data.<pkg>.<rule>`, an
//   import alias is the imported ref (`data.lib.x`, `input.req`), and a call of a package or
//   imported function has the operator `data.<path>.<f>`. Builtin calls keep their dotted name.
// - Every local var is renamed uniquely within the compilation (`x__12`), so no two scopes share
//   a name: a comprehension, `every` or `not { }` body mentioning an outer var uses its exact name
//   (captured), and any other name in it is its own. `_` stays `_` (each occurrence distinct).
//   `input` and `data` stay vars. Rule head refs keep the rule name as written (ref[0]).
// - Each body (rules, else alternatives, comprehensions, `every`, `not { }`) is reordered so each
//   expression's inputs are bound before it, as OPA orders them; written order is kept otherwise.
// - `some` declarations, `some ... in`, `every`, `:=` (with its declaration checks done), `with`,
//   `print(...)` and the output-argument form `count(xs, n)` are left for the planner as written.
// - `tree` places every rule at `data.<package>.<ground head prefix>`; kinds, defaults and arities
//   are consistent, nothing nests under a complete rule, set or function, and there is no recursion.

import type { Module } from "../syntax/ast.js";
import type { RegoError, RegoWarning } from "../syntax/errors.js";
import { parseModule } from "../syntax/parser.js";
import { checkRule } from "./checks.js";
import { buildDependencies, checkRecursion, type DependencyGraph } from "./deps.js";
import { resolveModule, type LocalNames } from "./resolve.js";
import { orderRule } from "./safety.js";
import { buildRuleTree, findNode, type RuleTreeNode } from "./tree.js";

export { dottedPath, findNode, splitHeadRef, type RuleTreeNode } from "./tree.js";
export type { DependencyGraph } from "./deps.js";

/** The compile stage's output: modules checked, names resolved, bodies ordered, rules placed. */
export interface CheckedModules {
  /** The rewritten modules, in the order of the input record. */
  modules: Module[];
  /** Root of the rule tree (the `data` document; `path` is `[]`). */
  tree: RuleTreeNode;
  /** For each rule node, the rule nodes it reads. */
  dependencies: DependencyGraph;
  /** Renamed local to the name written in the policy, for messages. */
  originalNames: ReadonlyMap<string, string>;
}

export interface CompileModulesResult {
  policy?: CheckedModules;
  errors: RegoError[];
  /** The parser's warnings on every module, with or without errors. */
  warnings: RegoWarning[];
}

/** Parses and compiles `modules` (file name to Rego text). Never throws on bad policies. */
export function compileModules(modules: Record<string, string>): CompileModulesResult {
  const errors: RegoError[] = [];
  const warnings: RegoWarning[] = [];
  const parsed: Module[] = [];
  for (const [file, text] of Object.entries(modules)) {
    const result = parseModule(text, file);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    if (result.module) parsed.push(result.module);
  }
  if (errors.length > 0) return { errors, warnings };
  return { ...compileParsed(parsed), warnings };
}

/**
 * The compile stage over modules already parsed (for callers that parse themselves, and have the
 * parser's warnings).
 *
 * The checks run in the order of OPA's compiler stages (`ast/compile.go`), and, as there, the
 * first stage that finds errors is the last to run: its errors, every one it found in any module,
 * are the result, and what later stages would say (often the first error seen again, a type error
 * of a var the safety check already refused) is not. Name resolution stands for OPA's ResolveRefs,
 * CheckDuplicateImports and RewriteLocalVars together, which it does in one pass.
 */
export function compileParsed(parsed: readonly Module[]): Omit<CompileModulesResult, "warnings"> {
  const errors: RegoError[] = [];
  const failed = () => ({ errors: dedupe(errors) });
  const rulesByPackage = new Map<string, Set<string>>();
  for (const module of parsed) {
    const key = module.package.path.join("\u0000");
    let names = rulesByPackage.get(key);
    if (!names) rulesByPackage.set(key, (names = new Set()));
    for (const rule of module.rules) {
      const name = rule.head.ref[0];
      if (name?.type === "var") names.add(name.name);
    }
  }

  const locals: LocalNames = { next: 0, original: new Map() };
  const resolved = parsed.map((module) =>
    resolveModule(
      module,
      rulesByPackage.get(module.package.path.join("\u0000")) ?? new Set(),
      locals,
      errors,
    ),
  );
  if (errors.length > 0) return failed();
  const rules = resolved.flatMap((module) => module.rules);
  const conflicts: RegoError[] = [];
  const tree = buildRuleTree(resolved, conflicts);
  // RewriteWithValues, then CheckRuleConflicts, then CheckUndefinedFuncs.
  for (const rule of rules) checkRule(rule, tree, "with-targets", errors);
  if (errors.length > 0) return failed();
  errors.push(...conflicts);
  if (errors.length > 0) return failed();
  for (const rule of rules) checkRule(rule, tree, "calls", errors);
  if (errors.length > 0) return failed();

  // CheckSafetyRuleHeads and CheckSafetyRuleBodies, which also order each body.
  const safety = {
    isLocal: (name: string) => locals.original.has(name),
    original: (name: string) => locals.original.get(name) ?? name,
    functionArity: (dotted: string) => {
      const node = findNode(tree, dotted.split(".").slice(1));
      return node?.kind === "function" ? node.arity : undefined;
    },
    errors,
  };
  const ordered = resolved.map((module) => ({
    ...module,
    rules: module.rules.map((rule) => orderRule(rule, safety)),
  }));
  if (errors.length > 0) return failed();
  const orderedTree = buildRuleTree(ordered, []);
  const dependencies = buildDependencies(orderedTree);
  checkRecursion(dependencies, errors);
  if (errors.length > 0) return failed();
  // CheckTypes, which OPA runs after CheckRecursion.
  for (const rule of rules) checkRule(rule, tree, "types", errors);
  if (errors.length > 0) return failed();
  return {
    policy: { modules: ordered, tree: orderedTree, dependencies, originalNames: locals.original },
    errors: [],
  };
}

function dedupe(errors: RegoError[]): RegoError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.file}:${error.line}:${error.column}:${error.code}:${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
