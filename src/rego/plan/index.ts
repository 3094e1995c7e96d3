// The planner stage's door: the compile stage's `CheckedModules` in, the IR (`Policy`, plain data) out, one
// plan per entrypoint (`pkg/path/rule`) and one func per rule group or virtual subtree used.
//
// What the plans rely on from the IR's execution (src/rego/ir/types.ts and the emitter):
// - Funcs take `input` and `data` as params 0 and 1 (then the function's arguments); `input` may
//   be undefined (0) there, and a Call of a func does not fail on undefined arguments.
// - A Scan, With or Block statement completes even when its block failed; so a negation
//   records success in a flag local and ends its Not block with IsDefined on it.
// - Containers are shared by reference: an object or set inserted into another and filled
//   afterwards shows the later inserts (multi-level rule heads build nested objects this way).
// - With on `input`/`data` copies along the path and creates missing objects; With with path []
//   and an undefined value restores an undefined document. Funcs called under a With see it
//   through their `input`/`data` params; replaced rules are read from `data` at their path.
// - AssignVarOnce/ObjectInsertOnce raise eval_conflict_error on a different value; ObjectMerge
//   is a deep merge where the second operand's rule values join the base data.
// - Builtins are called by Rego name; `print` becomes `internal.print` of an array of sets and
//   `walk` returns every [path, value] pair as an array that the plan scans.

import type { CheckedModules } from "../compile/index.js";
import type { Policy } from "../ir/types.js";
import { regoError, type RegoError } from "../syntax/errors.js";
import { PolicyPlanner } from "./planner.js";

export { formatPolicy } from "./format.js";

/** Planning failed: located errors (unsafe vars, unknown functions, clashing rule kinds). */
export class PlanError extends Error {
  constructor(readonly errors: RegoError[]) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.code}: ${e.message}`).join("\n"));
    this.name = "PlanError";
  }
}

/** The entrypoint that gives each clause of the partial set rule `rule` with its location. */
export function clausesEntrypoint(rule: string): string {
  return `${rule}#clauses`;
}

/**
 * Plans the entrypoints (`pkg/rule` or `pkg/path/rule`, `/`-separated) over the compile stage's
 * checked modules and rule tree, and for each partial set rule of `clauseRules` the entrypoint
 * `clausesEntrypoint(rule)`, its clauses apart (`PolicyPlanner.planClauses`).
 * Throws a `PlanError` carrying every located error found.
 */
export function planPolicy(
  compiled: CheckedModules,
  entrypoints: readonly string[],
  clauseRules: readonly string[] = [],
): Policy {
  const planner = new PolicyPlanner(compiled, clauseRules);
  const loc = { file: "<entrypoint>", line: 1, column: 1, endLine: 1, endColumn: 1 };
  let plans;
  try {
    plans = [
      ...entrypoints.map((entrypoint) => planner.planEntrypoint(entrypoint, loc)),
      ...clauseRules.map((rule) => planner.planClauses(clausesEntrypoint(rule), rule, loc)),
    ];
  } catch (error) {
    // Long bodies plan in constant stack depth; only absurd nesting (thousands of nested
    // iterations or literals) can exhaust the stack, and that is reported, not thrown.
    if (!(error instanceof RangeError)) throw error;
    const first = compiled.modules[0];
    const at = first?.loc ?? loc;
    throw new PlanError([
      regoError(
        "rego_compile_error",
        at,
        "policy nests iterations or literals too deeply to compile",
      ),
    ]);
  }
  if (planner.errors.length > 0) throw new PlanError(planner.errors);
  return planner.policy(plans);
}
