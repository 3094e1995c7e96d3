// The planner stage's door: compiled Rego modules in, the IR (`Policy`, plain data) out, one
// plan per entrypoint (`pkg/path/rule`) and one func per rule group or virtual subtree used.

import type { Policy } from "../ir/types.js";
import type { Module } from "../syntax/ast.js";
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

/**
 * Plans the entrypoints (`pkg/rule` or `pkg/path/rule`, `/`-separated) over the compiled modules.
 * Throws a `PlanError` carrying every located error found.
 */
export function planPolicy(
  compiled: { modules: readonly Module[] },
  entrypoints: readonly string[],
): Policy {
  const planner = new PolicyPlanner(compiled.modules);
  const loc = { file: "<entrypoint>", line: 1, column: 1, endLine: 1, endColumn: 1 };
  let plans;
  try {
    plans = entrypoints.map((entrypoint) => planner.planEntrypoint(entrypoint, loc));
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
