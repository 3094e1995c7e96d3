// The HCL stage's only door: positioned syntax trees for Terraform's native (`.tf`) and JSON
// (`.tf.json`) files, with syntax errors as located LoadError values, never exceptions.
// Positions: 1-based lines and columns (UTF-16 code units), end exclusive; see ast.ts `Range`.

import type { SourceFile } from "../source.js";
import type { LoadError } from "../../model/types.js";
import type { Body, Range } from "./ast.js";
import { parseTfJson } from "./json.js";
import { HclParser } from "./parser.js";

export type * from "./ast.js";
export { parseTfJson } from "./json.js";
export { MAX_ERRORS, MAX_NESTING_DEPTH } from "./parser.js";

/**
 * Parses HCL native syntax. Always returns a body: what could be read, with every syntax error
 * located. `firstLine` numbers the text's first line, for text wrapped in a header line of our own;
 * node and error lines both follow it. `bareTemplateMarker` is the marker of a heredoc of our own
 * wrapped around a bare template (templatefile()), which is then read as HCL reads a bare template.
 */
export function parseHcl(
  text: string,
  file: string,
  firstLine = 1,
  bareTemplateMarker: string | null = null,
): { body: Body; errors: LoadError[] } {
  return new HclParser(text, file, "hcl", firstLine, bareTemplateMarker).parseFile();
}

/** Parses a fetched Terraform file with the reader its name calls for (`.tf.json` or native). */
export function parseTerraformFile(source: SourceFile): { body: Body; errors: LoadError[] } {
  return source.path.endsWith(".json")
    ? parseTfJson(source.text, source.path)
    : parseHcl(source.text, source.path);
}

/** The exact source text of an expression (or any node), e.g. for `{ $unknown: "<expr>" }`. */
export function expressionText(node: Range, sourceText: string): string {
  return node.decodedText ?? sourceText.slice(node.start, node.end);
}
