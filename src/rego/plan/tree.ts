// The planner's rule tree: the compile stage's checked tree, each rule with its module and head
// keys. The planner reads it to tell a virtual document from base data, to find the rules behind
// a reference, and to build a package's extent.

import {
  dottedPath,
  splitHeadRef,
  type CheckedModules,
  type RuleTreeNode,
} from "../compile/index.js";
import type { Module, Rule, RuleKind, Term } from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";

export interface RuleEntry {
  rule: Rule;
  module: Module;
  /** Head reference operands after the ground prefix: the key path of a partial object entry. */
  rest: Term[];
}

export interface RuleNode {
  /** Path below `data`. */
  path: string[];
  children: Map<string, RuleNode>;
  /** Rules defined exactly at this path (default rules included). */
  rules: RuleEntry[];
  kind?: RuleKind;
  /** Functions: the number of parameters. */
  arity?: number;
}

/**
 * The planner's view of the compile stage's checked tree: each rule with its module and head
 * keys, and a multi-level head (`p[k] contains v`) read as the object it builds. Such a head
 * meeting a plain one at one path is reported, not placed.
 */
export function planRuleTree(checked: CheckedModules, errors: RegoError[]): RuleNode {
  const moduleOf = new Map<Rule, Module>();
  for (const module of checked.modules) for (const rule of module.rules) moduleOf.set(rule, module);
  const convert = (from: RuleTreeNode): RuleNode => {
    const node: RuleNode = { path: from.path, children: new Map(), rules: [] };
    if (from.arity !== undefined) node.arity = from.arity;
    for (const rule of from.rules) {
      const module = moduleOf.get(rule);
      if (module === undefined)
        throw new Error(`${dottedPath(from.path)}: rule outside the modules`);
      const { rest } = splitHeadRef(rule.head.ref);
      const kind: RuleKind =
        rule.head.kind !== "function" && rest.length > 0 ? "partial-object" : rule.head.kind;
      if (node.kind !== undefined && node.kind !== kind) {
        errors.push(
          regoError(
            "rego_type_error",
            rule.loc,
            `conflicting rules ${dottedPath(node.path)} found: ${node.kind} and ${kind} rules at one path`,
          ),
        );
        continue;
      }
      node.kind = kind;
      node.rules.push({ rule, module, rest });
    }
    for (const [segment, child] of from.children) node.children.set(segment, convert(child));
    return node;
  };
  return convert(checked.tree);
}

/** True when the node or a node below it defines non-function rules (a virtual document). */
export function hasVirtualDocs(node: RuleNode): boolean {
  if (node.rules.length > 0 && node.kind !== "function") return true;
  for (const child of node.children.values()) if (hasVirtualDocs(child)) return true;
  return false;
}

/**
 * True when the node is a document of the virtual tree: it is not a function and rules sit at
 * or below it. A package holding only functions is still a document (an empty object).
 */
export function definesDocuments(node: RuleNode): boolean {
  if (node.kind === "function") return false;
  if (node.rules.length > 0) return true;
  for (const child of node.children.values())
    if (child.rules.length > 0 || definesDocuments(child)) return true;
  return false;
}
