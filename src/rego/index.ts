// `tollgate/rego`: the Rego-to-Wasm compiler's public API.
export type * from "./ir/types.js";
