// The Rego Wasm runtime as seen from TypeScript: where its built module is, which builtins it
// and the host provide, and the bounded evaluator. The runtime itself is AssemblyScript in
// ./assembly, built by scripts/build-runtime.ts into ./build/runtime.wasm.
//
// Why AssemblyScript, with numbers (bench/rego-eval.ts, this machine): the runtime is 74 KiB
// of Wasm at -O3 (values, hashing, JSON, exact decimals, 79 native builtins, a case table); a
// 5,000-resource input (1.4 MB of JSON) evaluates a deny rule in about 20 ms, 15 ms of it
// parsing the input, i.e. about 250,000 resources/s, twice JSON.parse plus a JS filter over the
// same input. Writing
// the same value/JSON/hash-table code as binaryen expression trees would be several times the
// code for no measured gain; no such alternative was built. Memory is a bump allocator the SDK
// resets through opa_heap_ptr_get/set; nothing is freed during an evaluation.
import { readFileSync } from "node:fs";

export {
  nativeBuiltins,
  NATIVE_FALLBACK,
  hostWireName,
  perEvaluationBuiltins,
  type NativeBuiltin,
} from "./builtins.js";
export { hostBuiltins, hostBuiltinArity } from "./host.js";

let cachedRuntime: Uint8Array | undefined;
let cachedStaticEnd: number | undefined;

/** The runtime module's bytes (built by `npm run build:runtime`). */
export function runtimeWasm(): Uint8Array {
  if (cachedRuntime) return cachedRuntime;
  const location = new URL("./build/runtime.wasm", import.meta.url);
  try {
    cachedRuntime = new Uint8Array(readFileSync(location));
  } catch (cause) {
    throw new Error(
      `Rego Wasm runtime not found at ${location.pathname}: run \`npm run build:runtime\``,
      { cause },
    );
  }
  return cachedRuntime;
}
export { sdkText } from "./sdk-text.js";
export {
  BoundedPolicy,
  evaluateBounded,
  parseEvalError,
  formatEvalError,
  defaultBounds,
  type Bounds,
  type EvalError,
  type EvalLocation,
  type EvalOutcome,
} from "./sandbox.js";

/**
 * Where the runtime's static data ends (zero-filled tables have no data segment, so only the
 * runtime itself knows): read by instantiating it once against a scratch memory.
 */
export function runtimeStaticEnd(): number {
  if (cachedStaticEnd !== undefined) return cachedStaticEnd;
  const noop = () => undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(runtimeWasm())), {
    env: { memory: new WebAssembly.Memory({ initial: 1 }), opa_abort: noop, opa_println: noop },
  });
  const end = instance.exports.rt_static_end;
  if (!(end instanceof WebAssembly.Global))
    throw new Error("runtime does not export rt_static_end; rebuild it");
  cachedStaticEnd = Number(end.value);
  return cachedStaticEnd;
}
export {
  exactJsonBytes,
  exactJsonText,
  exactNumber,
  parseExactJson,
  NumberText,
} from "./exact-json.js";
export { evaluateExact } from "./exact-result.js";
