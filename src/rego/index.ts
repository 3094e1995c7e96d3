// `tollgate/rego`: the Rego-to-Wasm compiler's public API.
export type * from "./ir/types.js";
export {
  compileRego,
  RegoCompileError,
  type CompiledPolicy,
  type CompileOptions,
} from "./compiler.js";
export type { RegoWarning } from "./syntax/index.js";
export { hostBuiltins, sdkText } from "./runtime/index.js";
