// `compileRego`: the whole Rego-to-Wasm pipeline behind one call. Parse every module, run the
// compile stage (imports, safety, rewriting), plan the entrypoints to IR and emit Wasm; any
// stage's located errors reject the promise together as one `RegoCompileError`.

import { planPolicy, PlanError } from "./plan/index.js";
import { parseModule, type Module, type RegoError } from "./syntax/index.js";
import { emitWasm } from "./wasm/index.js";

export interface CompileOptions {
  /** Entrypoints as `pkg/path/rule` (the query `data.pkg.path.rule` with dots as slashes). */
  entrypoints: string[];
}

export interface CompiledPolicy {
  wasm: Uint8Array;
  /** Entrypoint name to the id the SDK's `evaluate(input, id)` accepts. */
  entrypoints: Record<string, number>;
}

/** Compilation failed; `errors` lists every located error (`file:line:col`, code, message). */
export class RegoCompileError extends Error {
  constructor(readonly errors: RegoError[]) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.code}: ${e.message}`).join("\n"));
    this.name = "RegoCompileError";
  }
}

/** Compiles Rego modules (file name to source text) to an OPA-ABI Wasm module. */
export async function compileRego(
  modules: Record<string, string>,
  options: CompileOptions,
): Promise<CompiledPolicy> {
  const parsed: Module[] = [];
  const errors: RegoError[] = [];
  for (const [file, text] of Object.entries(modules)) {
    const result = parseModule(text, file);
    errors.push(...result.errors);
    if (result.module !== undefined) parsed.push(result.module);
  }
  if (errors.length > 0) throw new RegoCompileError(errors);
  let policy;
  try {
    policy = planPolicy({ modules: parsed }, options.entrypoints);
  } catch (error) {
    if (error instanceof PlanError) throw new RegoCompileError(error.errors);
    throw error;
  }
  const wasm = emitWasm(policy);
  return {
    wasm,
    entrypoints: Object.fromEntries(options.entrypoints.map((name, id) => [name, id])),
  };
}
