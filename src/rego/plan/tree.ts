// The rule tree: every rule of every module placed at its path under `data` (package path plus
// the ground prefix of its head reference). The planner reads it to tell a virtual document
// from base data, to find the rules behind a reference, and to build a package's extent.

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
}

export function newRuleNode(path: string[]): RuleNode {
  return { path, children: new Map(), rules: [] };
}

/** Builds the tree; rules whose kinds clash at one path are reported, not placed. */
export function buildRuleTree(modules: readonly Module[], errors: RegoError[]): RuleNode {
  const root = newRuleNode([]);
  for (const module of modules) {
    for (const rule of module.rules) {
      const { prefix, rest } = splitHeadRef(rule.head.ref);
      const path = [...module.package.path, ...prefix];
      // A head with keys after its ground prefix builds an object, whatever its leaf holds.
      const kind: RuleKind =
        rule.head.kind !== "function" && rest.length > 0 ? "partial-object" : rule.head.kind;
      const node = nodeAt(root, path);
      if (node.kind !== undefined && node.kind !== kind) {
        errors.push(
          regoError(
            "rego_type_error",
            rule.loc,
            `conflicting rules data.${path.join(".")} found: ${node.kind} and ${kind} rules at one path`,
          ),
        );
        continue;
      }
      node.kind = kind;
      node.rules.push({ rule, module, rest });
    }
  }
  return root;
}

function nodeAt(root: RuleNode, path: string[]): RuleNode {
  let node = root;
  for (const segment of path) {
    let child = node.children.get(segment);
    if (child === undefined) {
      child = newRuleNode([...node.path, segment]);
      node.children.set(segment, child);
    }
    node = child;
  }
  return node;
}

/** `a.b[x].c` gives prefix `["a", "b"]` and rest `[x, "c"]`. */
export function splitHeadRef(ref: readonly Term[]): { prefix: string[]; rest: Term[] } {
  const prefix: string[] = [];
  let index = 0;
  for (; index < ref.length; index++) {
    const term = ref[index];
    if (term === undefined) break;
    if (index === 0 && term.type === "var") prefix.push(term.name);
    else if (index > 0 && term.type === "string") prefix.push(term.value);
    else break;
  }
  return { prefix, rest: ref.slice(index) };
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
