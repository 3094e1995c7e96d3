// The HCL stage's only door: positioned syntax trees for Terraform's native (`.tf`) and JSON
// (`.tf.json`) files, with syntax errors as located LoadError values, never exceptions.

import type { LoadError } from "../../model/types.js";
import type { Body, Expression, Range } from "./ast.js";
import { HclParser } from "./parser.js";

export type * from "./ast.js";
export { parseTfJson } from "./json.js";
export { MAX_ERRORS, MAX_NESTING_DEPTH } from "./parser.js";

/** Parses HCL native syntax. Always returns a body: what could be read, with every syntax error located. */
export function parseHcl(text: string, file: string): { body: Body; errors: LoadError[] } {
  return new HclParser(text, file).parseFile();
}

/** The exact source text of an expression (or any node), e.g. for `{ $unknown: "<expr>" }`. */
export function expressionText(node: Expression | Range, sourceText: string): string {
  return sourceText.slice(node.start, node.end);
}
