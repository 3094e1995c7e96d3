// Small structural helpers over the AST shared by the compile passes: which vars a term or an
// expression mentions, and the dotted name a call's operator spells. Kept apart so each pass
// reads as its own rule set rather than as tree plumbing.

import type { Body, Expr, RefTerm, Term, VarTerm } from "../syntax/ast.js";

/** The wildcard: every occurrence is a distinct, never-captured variable. */
export const WILDCARD = "_";

/** `count`, `strings.any_prefix_match`, `data.pkg.f`; undefined when an operand is not a name. */
export function operatorName(ref: RefTerm): string | undefined {
  if (ref.head.type !== "var") return undefined;
  const parts = [ref.head.name];
  for (const operand of ref.operands) {
    if (operand.type !== "string") return undefined;
    parts.push(operand.value);
  }
  return parts.join(".");
}

/**
 * Calls `visit` on each var of `term` outside closures (comprehensions), skipping call
 * operators (they are function names, not variables). Closures are passed to `closure`.
 */
export function forEachVar(
  term: Term,
  visit: (v: VarTerm) => void,
  closure?: (term: Term) => void,
): void {
  switch (term.type) {
    case "var":
      visit(term);
      return;
    case "ref":
      forEachVar(term.head, visit, closure);
      for (const operand of term.operands) forEachVar(operand, visit, closure);
      return;
    case "array":
    case "set":
      for (const item of term.items) forEachVar(item, visit, closure);
      return;
    case "object":
      for (const entry of term.entries) {
        forEachVar(entry.key, visit, closure);
        forEachVar(entry.value, visit, closure);
      }
      return;
    case "call":
      for (const arg of term.args) forEachVar(arg, visit, closure);
      return;
    case "arraycomprehension":
    case "setcomprehension":
    case "objectcomprehension":
      closure?.(term);
      return;
    default:
      return;
  }
}

/** Var names of a term outside closures, wildcards excluded. */
export function termVars(term: Term, into = new Set<string>()): Set<string> {
  forEachVar(term, (v) => {
    if (v.name !== WILDCARD) into.add(v.name);
  });
  return into;
}

/** Every var name in a term, closures included (wildcards excluded). */
export function deepTermVars(term: Term, into = new Set<string>()): Set<string> {
  forEachVar(
    term,
    (v) => {
      if (v.name !== WILDCARD) into.add(v.name);
    },
    (closure) => {
      if (closure.type === "objectcomprehension") {
        deepTermVars(closure.key, into);
        deepTermVars(closure.value, into);
        deepBodyVars(closure.body, into);
      } else if (closure.type === "arraycomprehension" || closure.type === "setcomprehension") {
        deepTermVars(closure.term, into);
        deepBodyVars(closure.body, into);
      }
    },
  );
  return into;
}

export function deepBodyVars(body: Body, into = new Set<string>()): Set<string> {
  for (const expr of body) deepExprVars(expr, into);
  return into;
}

export function deepExprVars(expr: Expr, into = new Set<string>()): Set<string> {
  for (const term of exprTerms(expr)) deepTermVars(term, into);
  for (const modifier of expr.with) deepTermVars(modifier.value, into);
  if (expr.kind === "every") {
    if (expr.key) into.add(expr.key.name);
    into.add(expr.value.name);
    deepBodyVars(expr.body, into);
  }
  if (expr.kind === "block") deepBodyVars(expr.body, into);
  return into;
}

/**
 * A term's direct sub-terms and the bodies of its closures, in source order: what a walker over
 * the whole tree recurses into. A call's operator is left out (it names a function).
 */
export function termChildren(term: Term): { terms: Term[]; bodies: Body[] } {
  switch (term.type) {
    case "ref":
      return { terms: [term.head, ...term.operands], bodies: [] };
    case "array":
    case "set":
      return { terms: term.items, bodies: [] };
    case "object":
      return { terms: term.entries.flatMap((entry) => [entry.key, entry.value]), bodies: [] };
    case "call":
      return { terms: term.args, bodies: [] };
    case "arraycomprehension":
    case "setcomprehension":
      return { terms: [term.term], bodies: [term.body] };
    case "objectcomprehension":
      return { terms: [term.key, term.value], bodies: [term.body] };
    default:
      return { terms: [], bodies: [] };
  }
}

/** The terms directly inside an expression (not those of nested bodies). */
export function exprTerms(expr: Expr): Term[] {
  switch (expr.kind) {
    case "term":
      return [expr.term];
    case "unify":
    case "assign":
      return [expr.left, expr.right];
    case "some":
      return [...expr.vars];
    case "somein":
      return expr.key ? [expr.key, expr.value, expr.collection] : [expr.value, expr.collection];
    case "every":
      return [expr.domain];
    case "block":
      return [];
  }
}
