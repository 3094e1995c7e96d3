// The rule tree: every rule placed at its path under `data` (package path plus the ground prefix
// of its head ref), with the checks that only make sense across modules: one kind per path,
// one default, one arity per function, and no rule nested under a complete value or function.

import type { Location, Module, Rule, RuleKind, Term } from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";

export interface RuleTreeNode {
  /** Path below `data` (`["test", "p"]`). */
  path: string[];
  children: Map<string, RuleTreeNode>;
  /** Rules whose ground head prefix ends here, default rules included, in module order. */
  rules: Rule[];
  /** The kind shared by `rules`; absent on nodes that only hold children. */
  kind?: RuleKind;
  /** Functions: the number of parameters. */
  arity?: number;
}

function newRuleTreeNode(path: string[]): RuleTreeNode {
  return { path, children: new Map(), rules: [] };
}

/** `a.b[x].c` gives `{ prefix: ["a", "b"], rest: [x, "c"] }`. */
export function splitHeadRef(ref: readonly Term[]): { prefix: string[]; rest: Term[] } {
  const prefix: string[] = [];
  let index = 0;
  for (; index < ref.length; index++) {
    const term = ref[index] as Term;
    if (index === 0 && term.type === "var") prefix.push(term.name);
    else if (index > 0 && term.type === "string") prefix.push(term.value);
    else break;
  }
  return { prefix, rest: ref.slice(index) };
}

export function dottedPath(path: readonly string[]): string {
  return ["data", ...path].join(".");
}

/** The node at `path`, creating missing nodes. */
function ensureNode(root: RuleTreeNode, path: readonly string[]): RuleTreeNode {
  let node = root;
  for (const segment of path) {
    let child = node.children.get(segment);
    if (child === undefined) {
      child = newRuleTreeNode([...node.path, segment]);
      node.children.set(segment, child);
    }
    node = child;
  }
  return node;
}

/** The node at `path`, if any. */
export function findNode(root: RuleTreeNode, path: readonly string[]): RuleTreeNode | undefined {
  let node: RuleTreeNode | undefined = root;
  for (const segment of path) {
    node = node.children.get(segment);
    if (node === undefined) return undefined;
  }
  return node;
}

export function buildRuleTree(modules: readonly Module[], errors: RegoError[]): RuleTreeNode {
  const root = newRuleTreeNode([]);
  const defaults = new Map<RuleTreeNode, Rule>();
  for (const module of modules) {
    for (const rule of module.rules) {
      const { prefix } = splitHeadRef(rule.head.ref);
      const node = ensureNode(root, [...module.package.path, ...prefix]);
      const kind = rule.head.kind;
      if (node.kind !== undefined && node.kind !== kind) {
        const first = node.rules[0];
        const at = first ? ` at ${lineOf(first.head.loc)}` : "";
        errors.push(
          regoError(
            "rego_type_error",
            rule.head.loc,
            `conflicting rules ${dottedPath(node.path)} found: ${describeKind(node.kind)}${at} and ${describeKind(kind)}`,
          ),
        );
        continue;
      }
      if (kind === "function") {
        const arity = rule.head.args?.length ?? 0;
        if (node.arity !== undefined && node.arity !== arity) {
          const first = node.rules[0];
          const at = first ? ` at ${lineOf(first.head.loc)}` : "";
          errors.push(
            regoError(
              "rego_type_error",
              rule.head.loc,
              `conflicting rules ${dottedPath(node.path)} found: function of arity ${node.arity}${at} and of arity ${arity}`,
            ),
          );
          continue;
        }
        node.arity = arity;
      }
      if (rule.default) {
        const earlier = defaults.get(node);
        if (earlier) {
          errors.push(
            regoError(
              "rego_type_error",
              rule.loc,
              `multiple default rules ${dottedPath(node.path)} found at ${lineOf(earlier.loc)}, ${lineOf(rule.loc)}`,
            ),
          );
          continue;
        }
        defaults.set(node, rule);
      }
      node.kind = kind;
      node.rules.push(rule);
    }
  }
  checkNesting(root, errors);
  return root;
}

/** A complete value, set or function cannot also have rules below it. */
function checkNesting(node: RuleTreeNode, errors: RegoError[]): void {
  const leafValued = node.rules.some(
    (rule) => rule.head.kind !== "partial-object" && splitHeadRef(rule.head.ref).rest.length === 0,
  );
  if (leafValued && node.children.size > 0) {
    const below = [...descendantsWithRules(node)].map((child) => dottedPath(child.path));
    const first = node.rules.find((rule) => splitHeadRef(rule.head.ref).rest.length === 0);
    if (first && below.length > 0) {
      errors.push(
        regoError(
          "rego_type_error",
          first.head.loc,
          `rule ${dottedPath(node.path)} conflicts with [${below.join(", ")}]`,
        ),
      );
    }
  }
  for (const child of node.children.values()) checkNesting(child, errors);
}

function* descendantsWithRules(node: RuleTreeNode): Generator<RuleTreeNode> {
  for (const child of node.children.values()) {
    if (child.rules.length > 0) yield child;
    yield* descendantsWithRules(child);
  }
}

/** `file:line`, as OPA names where another definition is. */
export function lineOf(loc: Location): string {
  return `${loc.file}:${loc.line}`;
}

function describeKind(kind: RuleKind): string {
  switch (kind) {
    case "complete":
      return "complete rule";
    case "partial-set":
      return "partial set rule (contains)";
    case "partial-object":
      return "partial object rule";
    case "function":
      return "function";
  }
}
