// Safety analysis and body reordering, as OPA's compiler does it: a body's expressions run in an
// order where every variable an expression reads is already bound, whatever order the author
// wrote. A var becomes bound by unification against a known value, by ref iteration (`xs[i]`),
// by a builtin's output argument or by `some ... in`; closures (comprehensions, `every`,
// `not { }`) see the outer vars bound before them. Vars that can never be bound are reported.

import type { Body, Expr, Rule, Term, VarTerm } from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";
import { classifyBuiltinCall, PRINT } from "../builtins/catalog.js";
import {
  deepBodyVars,
  deepExprVars,
  deepTermVars,
  exprTerms,
  forEachVar,
  operatorName,
  termVars,
  WILDCARD,
} from "./terms.js";

export interface SafetyContext {
  /** Names of renamed locals (everything else is `input`, `data`, a builtin name or `_`). */
  isLocal: (name: string) => boolean;
  /** The name the author wrote, for messages. */
  original: (name: string) => string;
  /** Arity of the user function at a `data.` path, if it is one. */
  functionArity: (dottedName: string) => number | undefined;
  errors: RegoError[];
}

interface Analysis {
  ok: boolean;
  outputs: Set<string>;
}

const FAIL: Analysis = { ok: false, outputs: new Set() };

/** Reorders every body of the rule (and its `else` chain) and checks head vars are bound. */
export function orderRule(rule: Rule, context: SafetyContext): Rule {
  const argVars = new Set<string>();
  for (const arg of rule.head.args ?? []) deepTermVars(arg, argVars);
  return orderAlternative(rule, argVars, context);
}

function orderAlternative(rule: Rule, argVars: Set<string>, context: SafetyContext): Rule {
  const visible = new Set(argVars);
  const headTerms = [
    ...rule.head.ref.slice(1),
    ...(rule.head.key ? [rule.head.key] : []),
    ...(rule.head.value ? [rule.head.value] : []),
  ];
  for (const term of headTerms) termVars(term, visible);
  const orderer = new BodyOrderer(context);
  const { body, safe, reported } = orderer.order(rule.body, argVars, visible);
  const head = { ...rule.head };
  for (const term of headTerms) orderer.reportUnsafe(term, safe, reported);
  if (head.key) head.key = orderer.nested(head.key, safe, visible);
  if (head.value) head.value = orderer.nested(head.value, safe, visible);
  const ordered: Rule = { ...rule, head, body };
  if (rule.else) ordered.else = orderAlternative(rule.else, argVars, context);
  return ordered;
}

class BodyOrderer {
  constructor(private readonly context: SafetyContext) {}

  /**
   * Orders `body` given the vars already bound (`bound`) and the vars of enclosing scopes
   * (`visible`, to tell a closure's captured vars from its own). Returns the bound set after it.
   */
  order(
    body: Body,
    bound: Bound,
    visible: Bound,
  ): { body: Body; safe: Bound; reported: Set<string> } {
    const boundHere = new Set<string>();
    const safe = layer(bound, boundHere);
    const bodyVars = new Set<string>();
    for (const expr of body) for (const term of exprTerms(expr)) termVars(term, bodyVars);
    const inner = layer(visible, bodyVars);
    // Always take the first ready expression in written order (OPA's order). Readiness only grows
    // as vars get bound, so an expression waits on its unbound vars instead of being re-scanned:
    // linear in the body for any order of dependencies.
    const ready = new MinHeap();
    const queued = new Array<boolean>(body.length).fill(false);
    const done = new Array<boolean>(body.length).fill(false);
    const waiting = new Map<string, number[]>();
    const check = (index: number): void => {
      const expr = body[index] as Expr;
      if (this.expr(expr, safe, inner).ok) {
        queued[index] = true;
        ready.push(index);
        return;
      }
      for (const name of deepExprVars(expr)) {
        if (safe.has(name) || !this.context.isLocal(name)) continue;
        const list = waiting.get(name);
        if (list) list.push(index);
        else waiting.set(name, [index]);
      }
    };
    body.forEach((_, index) => check(index));
    const ordered: Body = [];
    for (let index = ready.pop(); index !== undefined; index = ready.pop()) {
      const expr = body[index] as Expr;
      const analysis = this.expr(expr, safe, inner);
      done[index] = true;
      ordered.push(this.nestedExpr(expr, safe, inner));
      for (const name of analysis.outputs) {
        if (safe.has(name)) continue;
        boundHere.add(name);
        for (const blocked of waiting.get(name) ?? []) if (!queued[blocked]) check(blocked);
        waiting.delete(name);
      }
    }
    const reported = new Set<string>();
    body.forEach((expr, index) => {
      if (done[index]) return;
      this.reportUnsafeExpr(expr, safe, reported);
      ordered.push(this.nestedExpr(expr, safe, inner));
    });
    return { body: ordered, safe, reported };
  }

  // --- readiness of one expression ------------------------------------------------------------

  private expr(expr: Expr, safe: Bound, visible: Bound): Analysis {
    for (const modifier of expr.with)
      if (!this.evaluable(modifier.value, safe, visible).ok) return FAIL;
    if (expr.negated) {
      const vars = new Set<string>();
      for (const term of exprTerms(expr)) this.closureAware(term, vars, visible);
      if (expr.kind === "block")
        for (const name of this.captured(deepBodyVars(expr.body), visible)) vars.add(name);
      return this.allSafe(vars, safe) ? { ok: true, outputs: new Set() } : FAIL;
    }
    switch (expr.kind) {
      case "term":
        return this.termExpr(expr.term, safe, visible);
      case "unify":
      case "assign":
        return this.unify(expr.left, expr.right, safe, visible);
      case "some":
        return { ok: true, outputs: new Set() };
      case "somein": {
        const collection = this.evaluable(expr.collection, safe, visible);
        if (!collection.ok) return FAIL;
        const withOutputs = layer(safe, collection.outputs);
        const outputs = new Set(collection.outputs);
        for (const pattern of expr.key ? [expr.key, expr.value] : [expr.value]) {
          const result = this.pattern(pattern, withOutputs, visible);
          if (!result.ok) return FAIL;
          for (const name of result.outputs) outputs.add(name);
        }
        return { ok: true, outputs };
      }
      case "every": {
        if (!this.evaluable(expr.domain, safe, visible).ok) return FAIL;
        const own = new Set([expr.value.name, ...(expr.key ? [expr.key.name] : [])]);
        const captured = [...this.captured(deepBodyVars(expr.body), visible)].filter(
          (name) => !own.has(name),
        );
        return this.allSafe(new Set(captured), safe) ? { ok: true, outputs: new Set() } : FAIL;
      }
      case "block":
        return this.allSafe(this.captured(deepBodyVars(expr.body), visible), safe)
          ? { ok: true, outputs: new Set() }
          : FAIL;
    }
  }

  private termExpr(term: Term, safe: Bound, visible: Bound): Analysis {
    if (term.type === "call") {
      const arity = this.callArity(term.operator);
      if (arity === "unknown") {
        // Already reported as an undefined function; binding its args avoids a cascade of unsafe vars.
        return this.patterns(term.args, safe, visible);
      }
      if (arity !== undefined && term.args.length === arity + 1) {
        const inputs = term.args.slice(0, arity);
        const outputs = new Set<string>();
        for (const arg of inputs) {
          const result = this.evaluable(arg, safe, visible);
          if (!result.ok) return FAIL;
          for (const name of result.outputs) outputs.add(name);
        }
        const result = this.pattern(term.args[arity] as Term, layer(safe, outputs), visible);
        if (!result.ok) return FAIL;
        for (const name of result.outputs) outputs.add(name);
        return { ok: true, outputs };
      }
    }
    return this.evaluable(term, safe, visible);
  }

  private callArity(operator: Term): number | "unknown" | undefined {
    if (operator.type !== "ref") return undefined;
    const name = operatorName(operator);
    if (name === undefined) return undefined;
    if (name.startsWith("data.")) return this.context.functionArity(name) ?? "unknown";
    const shape = classifyBuiltinCall(name, 0);
    if (shape.kind === "unknown" || shape.kind === "unsupported")
      return name === PRINT ? undefined : "unknown";
    return shape.kind === "call" || shape.kind === "arity" ? shape.spec.args.length : undefined;
  }

  private patterns(terms: Term[], safe: Bound, visible: Bound): Analysis {
    const outputs = new Set<string>();
    for (const term of terms) {
      const result = this.pattern(term, layer(safe, outputs), visible);
      if (!result.ok) return FAIL;
      for (const name of result.outputs) outputs.add(name);
    }
    return { ok: true, outputs };
  }

  /** Can `term` be computed now? Unbound vars in ref operands become outputs (iteration). */
  private evaluable(term: Term, safe: Bound, visible: Bound): Analysis {
    switch (term.type) {
      case "var":
        return this.isBound(term.name, safe) ? { ok: true, outputs: new Set() } : FAIL;
      case "ref": {
        if (!this.evaluable(term.head, safe, visible).ok) return FAIL;
        const outputs = new Set<string>();
        for (const operand of term.operands) {
          const result = this.pattern(operand, layer(safe, outputs), visible);
          if (!result.ok) return FAIL;
          for (const name of result.outputs) outputs.add(name);
        }
        return { ok: true, outputs };
      }
      case "array":
      case "set":
        return this.all(term.items, safe, visible);
      case "object":
        return this.all(
          term.entries.flatMap((entry) => [entry.key, entry.value]),
          safe,
          visible,
        );
      case "call":
        return this.all(term.args, safe, visible);
      case "arraycomprehension":
      case "setcomprehension":
      case "objectcomprehension":
        return this.allSafe(this.captured(deepTermVars(term), visible), safe)
          ? { ok: true, outputs: new Set() }
          : FAIL;
      default:
        return { ok: true, outputs: new Set() };
    }
  }

  private all(terms: Term[], safe: Bound, visible: Bound): Analysis {
    const outputs = new Set<string>();
    for (const term of terms) {
      const result = this.evaluable(term, layer(safe, outputs), visible);
      if (!result.ok) return FAIL;
      for (const name of result.outputs) outputs.add(name);
    }
    return { ok: true, outputs };
  }

  /** Binding `term` to a known value: its unbound vars become outputs. */
  private pattern(term: Term, safe: Bound, visible: Bound): Analysis {
    switch (term.type) {
      case "var":
        return {
          ok: true,
          outputs:
            this.isBound(term.name, safe) || term.name === WILDCARD
              ? new Set()
              : new Set([term.name]),
        };
      case "array": {
        const outputs = new Set<string>();
        for (const item of term.items) {
          const result = this.pattern(item, safe, visible);
          if (!result.ok) return FAIL;
          for (const name of result.outputs) outputs.add(name);
        }
        return { ok: true, outputs };
      }
      case "object": {
        const outputs = new Set<string>();
        for (const entry of term.entries) {
          if (!this.evaluable(entry.key, safe, visible).ok) return FAIL;
          const result = this.pattern(entry.value, safe, visible);
          if (!result.ok) return FAIL;
          for (const name of result.outputs) outputs.add(name);
        }
        return { ok: true, outputs };
      }
      default:
        return this.evaluable(term, safe, visible);
    }
  }

  private unify(left: Term, right: Term, safe: Bound, visible: Bound): Analysis {
    const leftValue = this.evaluable(left, safe, visible);
    const rightValue = this.evaluable(right, safe, visible);
    if (leftValue.ok && rightValue.ok)
      return { ok: true, outputs: union(leftValue.outputs, rightValue.outputs) };
    if (rightValue.ok) {
      const result = this.pattern(left, layer(safe, rightValue.outputs), visible);
      if (result.ok) return { ok: true, outputs: union(rightValue.outputs, result.outputs) };
    }
    if (leftValue.ok) {
      const result = this.pattern(right, layer(safe, leftValue.outputs), visible);
      if (result.ok) return { ok: true, outputs: union(leftValue.outputs, result.outputs) };
    }
    const pairs = pairUp(left, right);
    if (!pairs) return FAIL;
    const outputs = new Set<string>();
    const bound = layer(safe, outputs);
    let pending = pairs;
    while (pending.length > 0) {
      const next = pending.filter(([a, b]) => {
        const result = this.unify(a, b, bound, visible);
        if (!result.ok) return true;
        for (const name of result.outputs) outputs.add(name);
        return false;
      });
      if (next.length === pending.length) return FAIL;
      pending = next;
    }
    return { ok: true, outputs };
  }

  // --- closures --------------------------------------------------------------------------------

  /** The vars of a closure that belong to enclosing scopes (those must be bound before it runs). */
  private captured(vars: ReadonlySet<string>, visible: Bound): Set<string> {
    const captured = new Set<string>();
    for (const name of vars) if (visible.has(name)) captured.add(name);
    return captured;
  }

  private closureAware(term: Term, into: Set<string>, visible: Bound): void {
    forEachVar(
      term,
      (v) => {
        if (v.name !== WILDCARD) into.add(v.name);
      },
      (closure) => {
        for (const name of this.captured(deepTermVars(closure), visible)) into.add(name);
      },
    );
  }

  private isBound(name: string, safe: Bound): boolean {
    return safe.has(name) || (!this.context.isLocal(name) && name !== WILDCARD);
  }

  private allSafe(vars: ReadonlySet<string>, safe: Bound): boolean {
    for (const name of vars) if (!this.isBound(name, safe)) return false;
    return true;
  }

  // --- nested bodies, once the outer order is known -----------------------------------------

  nestedExpr(expr: Expr, safe: Bound, visible: Bound): Expr {
    const withs = expr.with.map((modifier) => ({
      ...modifier,
      value: this.nested(modifier.value, safe, visible),
    }));
    switch (expr.kind) {
      case "term":
        return { ...expr, term: this.nested(expr.term, safe, visible), with: withs };
      case "unify":
      case "assign":
        return {
          ...expr,
          left: this.nested(expr.left, safe, visible),
          right: this.nested(expr.right, safe, visible),
          with: withs,
        };
      case "some":
        return expr;
      case "somein":
        return { ...expr, collection: this.nested(expr.collection, safe, visible), with: withs };
      case "every": {
        const own = [expr.value.name, ...(expr.key ? [expr.key.name] : [])];
        const bound = layer(safe, new Set(own));
        const { body } = this.order(expr.body, bound, layer(visible, new Set(own)));
        return { ...expr, domain: this.nested(expr.domain, safe, visible), body, with: withs };
      }
      case "block": {
        const { body } = this.order(expr.body, safe, visible);
        return { ...expr, body, with: withs };
      }
    }
  }

  /** Orders the bodies of closures inside `term`, with `safe` bound around them. */
  nested(term: Term, safe: Bound, visible: Bound): Term {
    switch (term.type) {
      case "ref":
        return {
          ...term,
          head: this.nested(term.head, safe, visible),
          operands: term.operands.map((t) => this.nested(t, safe, visible)),
        };
      case "array":
      case "set":
        return { ...term, items: term.items.map((t) => this.nested(t, safe, visible)) };
      case "object":
        return {
          ...term,
          entries: term.entries.map((entry) => ({
            key: this.nested(entry.key, safe, visible),
            value: this.nested(entry.value, safe, visible),
          })),
        };
      case "call":
        return { ...term, args: term.args.map((t) => this.nested(t, safe, visible)) };
      case "arraycomprehension":
      case "setcomprehension": {
        const { body, safe: inner, reported } = this.order(term.body, safe, visible);
        this.reportUnsafe(term.term, inner, reported);
        return {
          ...term,
          body,
          term: this.nested(term.term, inner, layer(visible, deepBodyVars(term.body))),
        };
      }
      case "objectcomprehension": {
        const { body, safe: inner, reported } = this.order(term.body, safe, visible);
        this.reportUnsafe(term.key, inner, reported);
        this.reportUnsafe(term.value, inner, reported);
        const innerVisible = layer(visible, deepBodyVars(term.body));
        return {
          ...term,
          body,
          key: this.nested(term.key, inner, innerVisible),
          value: this.nested(term.value, inner, innerVisible),
        };
      }
      default:
        return term;
    }
  }

  // --- reporting -------------------------------------------------------------------------------

  reportUnsafe(term: Term, safe: Bound, reported: Set<string>): void {
    forEachVar(term, (v) => this.reportVar(v, safe, reported));
  }

  private reportUnsafeExpr(expr: Expr, safe: Bound, reported: Set<string>): void {
    const outputs = this.expr(expr, safe, new Set()).outputs;
    const bound = layer(safe, outputs);
    for (const term of exprTerms(expr)) {
      if (expr.kind === "some") continue;
      forEachVar(
        term,
        (v) => this.reportVar(v, bound, reported),
        (closure) => {
          for (const name of deepTermVars(closure)) {
            if (
              !reported.has(name) &&
              this.context.isLocal(name) &&
              !bound.has(name) &&
              !isOwnedBy(closure, name)
            ) {
              reported.add(name);
              this.context.errors.push(
                regoError(
                  "rego_unsafe_var_error",
                  closure.loc,
                  `var ${this.context.original(name)} is unsafe`,
                ),
              );
            }
          }
        },
      );
    }
  }

  private reportVar(v: VarTerm, safe: Bound, reported: Set<string>): void {
    if (v.name === WILDCARD || reported.has(v.name) || this.isBound(v.name, safe)) return;
    reported.add(v.name);
    this.context.errors.push(
      regoError("rego_unsafe_var_error", v.loc, `var ${this.context.original(v.name)} is unsafe`),
    );
  }
}

/** A closure's own var: bound inside its body (so not the outer body's problem). */
function isOwnedBy(closure: Term, name: string): boolean {
  if (
    closure.type !== "arraycomprehension" &&
    closure.type !== "setcomprehension" &&
    closure.type !== "objectcomprehension"
  ) {
    return false;
  }
  return deepBodyVars(closure.body).has(name);
}

function pairUp(left: Term, right: Term): [Term, Term][] | undefined {
  if (left.type === "array" && right.type === "array" && left.items.length === right.items.length) {
    return left.items.map((item, i) => [item, right.items[i] as Term]);
  }
  if (
    left.type === "object" &&
    right.type === "object" &&
    left.entries.length === right.entries.length
  ) {
    const pairs: [Term, Term][] = [];
    for (const entry of left.entries) {
      const key = JSON.stringify(keyText(entry.key));
      const match = right.entries.find((other) => JSON.stringify(keyText(other.key)) === key);
      if (!match) return undefined;
      pairs.push([entry.value, match.value]);
    }
    return pairs;
  }
  return undefined;
}

function keyText(term: Term): string {
  switch (term.type) {
    case "string":
      return `s:${term.value}`;
    case "number":
      return `n:${term.text}`;
    case "boolean":
      return `b:${term.value}`;
    case "null":
      return "null";
    default:
      return `?:${term.loc.line}:${term.loc.column}`;
  }
}

/** A set of names seen only through `has`, so layers can stack without copying. */
interface Bound {
  has(name: string): boolean;
}

/** `outer` plus `own`, without copying either (bodies can hold many thousand vars). */
function layer(outer: Bound, own: ReadonlySet<string>): Bound {
  return { has: (name) => own.has(name) || outer.has(name) };
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const result = new Set(a);
  for (const name of b) result.add(name);
  return result;
}

/** A binary min-heap of expression indexes: the next ready expression in written order. */
class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[i] = items[parent] as number;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as number) < (items[left] as number) ? right : left;
      if ((items[child] as number) >= last) break;
      items[i] = items[child] as number;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
