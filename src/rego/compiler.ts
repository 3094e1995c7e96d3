// `compileRego`: the whole Rego-to-Wasm pipeline behind one call. Parse every module, run the
// compile stage (imports, safety, rewriting), plan the entrypoints to IR and emit Wasm; any
// stage's located errors reject the promise together as one `RegoCompileError`; warnings, which
// never stop it, come back with the Wasm, or with the errors when it fails.

import { compileModules, type CheckedModules } from "./compile/index.js";
import { clausesEntrypoint, planPolicy, PlanError } from "./plan/index.js";
import type { RegoError, RegoWarning } from "./syntax/index.js";
import { emitWasm, WasmEmitError, type EmitDiagnostic } from "./wasm/index.js";

export interface CompileOptions {
  /** Entrypoints as `pkg/path/rule` (the query `data.pkg.path.rule` with dots as slashes). */
  entrypoints: string[];
  /**
   * A builtin that fails (a bad operand type, unparseable JSON) stops evaluation with a located
   * error when true, as OPA's `--strict-builtin-errors`; by default it makes the call undefined,
   * as OPA does, so one odd value cannot silence every other finding of a rule.
   */
  strictBuiltinErrors?: boolean;
  /**
   * The caller's own checks of the compiled modules (names resolved, rules placed), run before
   * planning; errors it returns reject the compile as the compile stage's do.
   */
  check?: (policy: CheckedModules) => RegoError[];
  /**
   * Partial set rules (`pkg/path/rule`) whose bad values a caller wants located at the clause
   * that produced them: each gets the entrypoint `clausesEntrypoint(rule)`, giving
   * `[[file, line, column, values], ...]`, and its clauses become funcs the rule calls (one call
   * each per evaluation) so the two share their code.
   */
  clauses?: string[];
}

export interface CompiledPolicy {
  wasm: Uint8Array;
  /** Entrypoint name to the id the SDK's `evaluate(input, id)` accepts. */
  entrypoints: Record<string, number>;
  /** Located notes on valid Rego that likely does not mean what it says (`RegoWarning`). */
  warnings: RegoWarning[];
}

/**
 * Compilation failed; `errors` lists every located error (`file:line:col`, code, message), and
 * `warnings` those the parser found before it failed, which a reader fixing the errors wants too.
 */
export class RegoCompileError extends Error {
  constructor(
    readonly errors: RegoError[],
    readonly warnings: RegoWarning[] = [],
  ) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.code}: ${e.message}`).join("\n"));
    this.name = "RegoCompileError";
  }
}

/** Compiles Rego modules (file name to source text) to an OPA-ABI Wasm module. */
export async function compileRego(
  modules: Record<string, string>,
  options: CompileOptions,
): Promise<CompiledPolicy> {
  const compiled = compileModules(modules);
  if (compiled.policy === undefined || compiled.errors.length > 0)
    throw new RegoCompileError(compiled.errors, compiled.warnings);
  const refused = options.check?.(compiled.policy) ?? [];
  if (refused.length > 0) throw new RegoCompileError(refused, compiled.warnings);
  let policy;
  try {
    policy = planPolicy(compiled.policy, options.entrypoints, options.clauses);
  } catch (error) {
    if (error instanceof PlanError) throw new RegoCompileError(error.errors, compiled.warnings);
    throw error;
  }
  let wasm: Uint8Array;
  try {
    wasm = emitWasm(policy, { strictBuiltinErrors: options.strictBuiltinErrors ?? false });
  } catch (error) {
    if (error instanceof WasmEmitError)
      throw new RegoCompileError(error.diagnostics.map(emitErrorAsRegoError), compiled.warnings);
    throw error;
  }
  return {
    wasm,
    entrypoints: Object.fromEntries(
      [...options.entrypoints, ...(options.clauses ?? []).map(clausesEntrypoint)].map(
        (name, id) => [name, id],
      ),
    ),
    warnings: compiled.warnings,
  };
}

/** The emitter's diagnostics (unsupported builtins, arity) read as compile errors of OPA's kind. */
function emitErrorAsRegoError(diagnostic: EmitDiagnostic): RegoError {
  const at = diagnostic.location ?? { file: "<policy>", line: 1, column: 1 };
  return {
    file: at.file,
    line: at.line,
    column: at.column,
    code: "rego_type_error",
    message: `${diagnostic.code}: ${diagnostic.message}`,
  };
}
