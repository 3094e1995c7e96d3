// Checks over resolved rules that need the whole rule tree, each run as the stage of OPA's compiler
// it stands for (compile/index.ts runs them in OPA's order): `with` targets name something
// replaceable (RewriteWithValues); every call names a builtin of the catalog or a user function
// with a matching arity, one more only in the output-argument form, a call that is a whole
// expression (CheckUndefinedFuncs); and arguments whose type is known without evaluation
// (literals, builtin results) have a type the builtin declares (CheckTypes): what OPA's type
// checker rejects at compile time would otherwise be a silent undefined.

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

/** Which of OPA's stages a pass over the rules stands for; each reports only its own errors. */
export type CheckStage = "with-targets" | "calls" | "types";

export function checkRule(
  rule: Rule,
  tree: RuleTreeNode,
  stage: CheckStage,
  errors: RegoError[],
): void {
  const checker = new CallChecker(tree, stage, errors);
  for (let alternative: Rule | undefined = rule; alternative; alternative = alternative.else) {
    for (const term of alternative.head.ref.slice(1)) checker.term(term);
    if (alternative.head.key) checker.term(alternative.head.key);
    if (alternative.head.value) checker.term(alternative.head.value);
    checker.body(alternative.body);
  }
}

class CallChecker {
  // Every pass walks every call; an error of another stage goes to a list nobody reads.
  private readonly errors: RegoError[];
  private readonly typeErrors: RegoError[];
  private readonly targetErrors: RegoError[];

  constructor(
    private readonly tree: RuleTreeNode,
    stage: CheckStage,
    errors: RegoError[],
  ) {
    this.errors = stage === "calls" ? errors : [];
    this.typeErrors = stage === "types" ? errors : [];
    this.targetErrors = stage === "with-targets" ? errors : [];
  }

  body(body: Body): void {
    for (const expr of body) this.expr(expr);
  }

  private expr(expr: Expr): void {
    // Only a call that is the whole expression may take the output argument (`count(xs, n)`);
    // nested in another term its value is used, so one more argument is an arity error, as in OPA.
    if (expr.kind === "term" && expr.term.type === "call") this.term(expr.term, true);
    else for (const term of exprTerms(expr)) this.term(term);
    for (const modifier of expr.with) {
      this.withTarget(modifier.target);
      this.withValue(modifier.value);
    }
    if (expr.kind === "every" || expr.kind === "block") this.body(expr.body);
  }

  term(term: Term, outputAllowed = false): void {
    if (term.type === "call") this.call(term, outputAllowed);
    const children = termChildren(term);
    for (const child of children.terms) this.term(child);
    for (const body of children.bodies) this.body(body);
  }

  private call(term: CallTerm, outputAllowed: boolean): void {
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
      if (term.args.length !== arity && (term.args.length !== arity + 1 || !outputAllowed)) {
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
    const classified = classifyBuiltinCall(name, term.args.length);
    const shape =
      classified.kind === "output" && !outputAllowed
        ? { kind: "arity" as const, spec: classified.spec }
        : classified;
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
        this.argumentTypes(term, name, shape.spec.args);
        return;
    }
  }

  /**
   * OPA's `invalid argument(s)` error when an argument's static type is one the builtin does not
   * accept. Only types known without evaluation count, so valid Rego is never rejected.
   */
  private argumentTypes(term: CallTerm, name: string, declared: BuiltinType[][]): void {
    const have = term.args.slice(0, declared.length).map(staticType);
    const mismatch = declared.some((allowed, i) => {
      const actual = have[i];
      return actual !== undefined && !allowed.includes("any") && !allowed.includes(actual);
    });
    if (!mismatch) return;
    this.typeErrors.push(
      regoError(
        "rego_type_error",
        term.loc,
        `${name}: invalid argument(s) have: (${have.map((t) => t ?? "any").join(", ")}) ` +
          `want: (${declared.map(typeUnion).join(", ")})`,
      ),
    );
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
    this.targetErrors.push(
      regoError(
        "rego_compile_error",
        target.loc,
        `invalid with target ${name ?? "reference"}: must be input, data or a function`,
      ),
    );
  }
}

type CallTerm = Extract<Term, { type: "call" }>;

/** `string`, `any<array, set>`: OPA's notation for a declared argument type. */
function typeUnion(allowed: BuiltinType[]): string {
  return allowed.length === 1 ? (allowed[0] ?? "any") : `any<${allowed.join(", ")}>`;
}

/**
 * The type of a term that does not depend on evaluation: a literal, a comprehension, or a call
 * of a builtin declaring a single result type. Undefined for everything else (refs, vars, user
 * functions), which the check then accepts.
 */
function staticType(term: Term): BuiltinType | undefined {
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
    case "call": {
      const name = operatorName(term.operator);
      const spec = name === undefined ? undefined : BUILTINS.get(name);
      const result = spec?.relation ? undefined : spec?.result;
      return result?.length === 1 && result[0] !== "any" ? result[0] : undefined;
    }
    default:
      return undefined;
  }
}
