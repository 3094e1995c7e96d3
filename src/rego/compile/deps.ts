// The rule dependency graph: which rule paths each rule reads (refs into `data`, calls of user
// functions), and recursion detection over it. Rego forbids recursion; OPA reports it at compile
// time as `rego_recursion_error`, naming the cycle.

import type { Body, Expr, Rule, Term } from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";
import { exprTerms, termChildren } from "./terms.js";
import { dottedPath, type RuleTreeNode } from "./tree.js";

/** Rule nodes each rule node depends on. */
export type DependencyGraph = Map<RuleTreeNode, Set<RuleTreeNode>>;

export function buildDependencies(tree: RuleTreeNode): DependencyGraph {
  const graph: DependencyGraph = new Map();
  const visit = (node: RuleTreeNode): void => {
    if (node.rules.length > 0) {
      const edges = new Set<RuleTreeNode>();
      const collector = new RefCollector(tree, edges);
      for (const rule of node.rules) collector.rule(rule);
      graph.set(node, edges);
    }
    for (const child of node.children.values()) visit(child);
  };
  visit(tree);
  return graph;
}

/**
 * Reports each cycle once, at the first rule of the node where it closes. Depth-first with an
 * explicit stack: a chain of thousands of rules must not overflow the call stack.
 */
export function checkRecursion(graph: DependencyGraph, errors: RegoError[]): void {
  const state = new Map<RuleTreeNode, "active" | "done">();
  const reported = new Set<RuleTreeNode>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    const path: RuleTreeNode[] = [root];
    const pending: Iterator<RuleTreeNode>[] = [(graph.get(root) ?? new Set()).values()];
    state.set(root, "active");
    while (pending.length > 0) {
      const step = (pending[pending.length - 1] as Iterator<RuleTreeNode>).next();
      if (step.done) {
        state.set(path.pop() as RuleTreeNode, "done");
        pending.pop();
        continue;
      }
      const next = step.value;
      const seen = state.get(next);
      if (seen === "active") {
        reportCycle(path.slice(path.indexOf(next)), next, reported, errors);
      } else if (seen === undefined) {
        state.set(next, "active");
        path.push(next);
        pending.push((graph.get(next) ?? new Set()).values());
      }
    }
  }
}

function reportCycle(
  cycle: RuleTreeNode[],
  next: RuleTreeNode,
  reported: Set<RuleTreeNode>,
  errors: RegoError[],
): void {
  if (cycle.some((member) => reported.has(member))) return;
  for (const member of cycle) reported.add(member);
  const names = [...cycle, next].map((member) => dottedPath(member.path));
  const at = next.rules[0];
  if (at) {
    errors.push(
      regoError(
        "rego_recursion_error",
        at.head.loc,
        `rule ${dottedPath(next.path)} is recursive: ${names.join(" -> ")}`,
      ),
    );
  }
}

class RefCollector {
  constructor(
    private readonly tree: RuleTreeNode,
    private readonly edges: Set<RuleTreeNode>,
  ) {}

  rule(rule: Rule): void {
    for (let alternative: Rule | undefined = rule; alternative; alternative = alternative.else) {
      for (const term of alternative.head.ref.slice(1)) this.term(term);
      if (alternative.head.key) this.term(alternative.head.key);
      if (alternative.head.value) this.term(alternative.head.value);
      this.body(alternative.body);
    }
  }

  private body(body: Body): void {
    for (const expr of body) this.expr(expr);
  }

  private expr(expr: Expr): void {
    for (const term of exprTerms(expr)) this.term(term);
    for (const modifier of expr.with) this.term(modifier.value);
    if (expr.kind === "every" || expr.kind === "block") this.body(expr.body);
  }

  private term(term: Term): void {
    // `data` alone (`object.get(data, path, d)`, `x := data`) reads every rule, this one too.
    if (isData(term)) return this.addSubtree(this.tree);
    if (term.type === "ref") this.dataRef(term.head, term.operands);
    if (term.type === "call") this.dataRef(term.operator.head, term.operator.operands);
    const children = termChildren(term);
    // The head of `data.a.b` is `dataRef`'s, which reads only what lies along its path.
    const terms = term.type === "ref" && isData(term.head) ? term.operands : children.terms;
    for (const child of terms) this.term(child);
    for (const body of children.bodies) this.body(body);
  }

  /** `data.a.b[x]`: the rule nodes along the ground prefix, and everything below where it stops. */
  private dataRef(head: Term, operands: Term[]): void {
    if (!isData(head)) return;
    let node = this.tree;
    for (const operand of operands) {
      if (operand.type !== "string") break;
      const child = node.children.get(operand.value);
      if (child === undefined) return;
      node = child;
      if (node.rules.length > 0) this.edges.add(node);
    }
    this.addSubtree(node);
  }

  private addSubtree(node: RuleTreeNode): void {
    if (node.rules.length > 0) this.edges.add(node);
    for (const child of node.children.values()) this.addSubtree(child);
  }
}

const isData = (term: Term): boolean => term.type === "var" && term.name === "data";
