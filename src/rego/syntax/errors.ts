// Located Rego errors as values, shared by every stage of the compiler. Codes are OPA's own
// (`rego_parse_error`, ...) because conformance cases and users' tooling match on them.

import type { Location } from "./ast.js";

export type RegoErrorCode =
  | "rego_parse_error"
  | "rego_compile_error"
  | "rego_unsafe_var_error"
  | "rego_recursion_error"
  | "rego_type_error"
  | "eval_conflict_error"
  | "eval_type_error"
  | "eval_builtin_error";

export interface RegoError {
  file: string;
  line: number;
  column: number;
  code: RegoErrorCode;
  message: string;
}

/**
 * A located note on valid Rego that likely does not say what its author meant. Never stops a
 * compilation; `tollgate build` and `tollgate test` print it on stderr.
 */
export interface RegoWarning {
  file: string;
  line: number;
  column: number;
  /**
   * `rego_with_comparison`: the value after `with ... as` is an unparenthesised comparison
   * (`==`, `!=`, `<`, `<=`, `>`, `>=`) or membership test (`a in b`, `k, v in b`).
   */
  code: "rego_with_comparison";
  message: string;
}

export function regoError(code: RegoErrorCode, loc: Location, message: string): RegoError {
  return { file: loc.file, line: loc.line, column: loc.column, code, message };
}

/** `file:line:col: code: message`, the form `opa check` prints. */
export function formatRegoError(error: RegoError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.code}: ${error.message}`;
}
