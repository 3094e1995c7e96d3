// Checks over resolved rules that need the whole rule tree: every call names a builtin of the
// catalog or a user function with a matching arity (or one more: the output-argument form),
// `with` targets name something replaceable, and (optionally) constant arguments have the type
// the builtin declares.

import type { Body, Expr, Rule, Term } from "../syntax/ast.js";
import { regoError, type RegoError } from "../syntax/errors.js";
import {
  BUILTINS,
  classifyBuiltinCall,
  PRINT,
  UNSUPPORTED_OPA_BUILTINS,
  type BuiltinType,
} from "../builtins/catalog.js";
import { exprTerms, operatorName, termChildren } from "./terms.js";
import { findNode, type RuleTreeNode } from "./tree.js";

export interface CheckOptions {
  /** Report constant arguments of the wrong type (`1 + "a"`) at compile time. */
  constantTypes: boolean;
}

export function checkRule(
  rule: Rule,
  tree: RuleTreeNode,
  options: CheckOptions,
  errors: RegoError[],
): void {
  const checker = new CallChecker(tree, options, errors);
  for (let alternative: Rule | undefined = rule; alternative; alternative = alternative.else) {
    for (const term of alternative.head.ref.slice(1)) checker.term(term);
    if (alternative.head.key) checker.term(alternative.head.key);
    if (alternative.head.value) checker.term(alternative.head.value);
    checker.body(alternative.body);
  }
}

class CallChecker {
  constructor(
    private readonly tree: RuleTreeNode,
    private readonly options: CheckOptions,
    private readonly errors: RegoError[],
  ) {}

  body(body: Body): void {
    for (const expr of body) this.expr(expr);
  }

  private expr(expr: Expr): void {
    for (const term of exprTerms(expr)) this.term(term);
    for (const modifier of expr.with) {
      this.withTarget(modifier.target);
      this.withValue(modifier.value);
    }
    if (expr.kind === "every" || expr.kind === "block") this.body(expr.body);
  }

  term(term: Term): void {
    if (term.type === "call") this.call(term);
    const children = termChildren(term);
    for (const child of children.terms) this.term(child);
    for (const body of children.bodies) this.body(body);
  }

  private call(term: Extract<Term, { type: "call" }>): void {
    const name = operatorName(term.operator);
    if (name === undefined) {
      this.errors.push(regoError("rego_type_error", term.operator.loc, "invalid function name"));
      return;
    }
    if (name.startsWith("data.")) {
      const node = findNode(this.tree, name.split(".").slice(1));
      if (node?.kind !== "function") {
        this.errors.push(
          regoError("rego_type_error", term.operator.loc, `undefined function ${name}`),
        );
        return;
      }
      const arity = node.arity ?? 0;
      if (term.args.length !== arity && term.args.length !== arity + 1) {
        this.errors.push(
          regoError(
            "rego_type_error",
            term.loc,
            `function ${name} has arity ${arity}, got ${term.args.length} arguments`,
          ),
        );
      }
      return;
    }
    if (name === PRINT) return;
    const shape = classifyBuiltinCall(name, term.args.length);
    switch (shape.kind) {
      case "unknown":
        this.errors.push(
          regoError("rego_type_error", term.operator.loc, `undefined function ${name}`),
        );
        return;
      case "unsupported":
        this.errors.push(
          regoError(
            "rego_type_error",
            term.operator.loc,
            `unsupported builtin function ${name}: OPA provides it, Tollgate does not`,
          ),
        );
        return;
      case "arity":
        this.errors.push(
          regoError(
            "rego_type_error",
            term.loc,
            `${name}: arity mismatch: have ${term.args.length} arguments, want ${shape.spec.args.length}`,
          ),
        );
        return;
      case "call":
      case "output":
        if (this.options.constantTypes) this.constantTypes(name, term.args, shape.spec.args);
        return;
    }
  }

  private constantTypes(name: string, args: Term[], declared: BuiltinType[][]): void {
    declared.forEach((allowed, i) => {
      const arg = args[i];
      const actual = arg ? constantType(arg) : undefined;
      if (actual === undefined || allowed.includes("any") || allowed.includes(actual)) return;
      this.errors.push(
        regoError(
          "rego_type_error",
          (arg as Term).loc,
          `${name}: invalid argument(s): operand ${i + 1} must be ${allowed.join(" or ")} but got ${actual}`,
        ),
      );
    });
  }

  /** A replacement naming a builtin must name one Tollgate has. */
  private withValue(value: Term): void {
    const name =
      value.type === "var" ? value.name : value.type === "ref" ? operatorName(value) : undefined;
    if (name !== undefined && UNSUPPORTED_OPA_BUILTINS.has(name)) {
      this.errors.push(
        regoError(
          "rego_type_error",
          value.loc,
          `unsupported builtin function ${name}: OPA provides it, Tollgate does not`,
        ),
      );
      return;
    }
    this.term(value);
  }

  private withTarget(target: Term): void {
    if (target.type !== "ref") return;
    const name = operatorName(target);
    if (target.head.type === "var" && (target.head.name === "input" || target.head.name === "data"))
      return;
    if (
      name !== undefined &&
      (BUILTINS.has(name) || UNSUPPORTED_OPA_BUILTINS.has(name) || name === PRINT)
    )
      return;
    this.errors.push(
      regoError(
        "rego_compile_error",
        target.loc,
        `invalid with target ${name ?? "reference"}: must be input, data or a function`,
      ),
    );
  }
}

/** The type of a term whose type does not depend on evaluation, else undefined. */
function constantType(term: Term): BuiltinType | undefined {
  switch (term.type) {
    case "null":
      return "null";
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    case "array":
    case "arraycomprehension":
      return "array";
    case "object":
    case "objectcomprehension":
      return "object";
    case "set":
    case "setcomprehension":
      return "set";
    default:
      return undefined;
  }
}
