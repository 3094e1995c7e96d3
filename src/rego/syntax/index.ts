// The Rego front end's first stage: text to AST. `parseModule` is the door; the AST types are
// the contract with the compile stage and the planner; `formatModule` prints an AST back.

export type * from "./ast.js";
export {
  formatRegoError,
  regoError,
  type RegoError,
  type RegoErrorCode,
  type RegoWarning,
} from "./errors.js";
export { KEYWORDS, parseModule, type ParseResult } from "./parser.js";
export { formatBody, formatExpr, formatModule, formatRule, formatTerm } from "./printer.js";
