// `templatefile(path, vars)`: a file read as one template. The HCL parser has no template-only
// entry, so the file is parsed as the body of a heredoc whose marker cannot occur in it, and
// positions are shifted back by the one header line.
import { parseHcl, type TemplatePart } from "../hcl/index.js";
import type { LoadError } from "../../model/types.js";

export interface ParsedTemplate {
  /** The text the parts' offsets index (the wrapped file), for `$unknown` excerpts. */
  text: string;
  parts: TemplatePart[];
  /** A trailing newline the wrapping added and the rendered text must lose. */
  addedNewline: boolean;
  errors: LoadError[];
}

function shift<T extends { line: number; endLine: number }>(node: T): void {
  node.line -= 1;
  node.endLine -= 1;
}

function shiftParts(parts: TemplatePart[]): void {
  for (const part of parts) {
    shift(part);
    if (part.kind === "TemplateIf") {
      shiftParts(part.then);
      if (part.otherwise) shiftParts(part.otherwise);
    } else if (part.kind === "TemplateFor") shiftParts(part.body);
  }
}

export function parseTemplateFile(path: string, content: string): ParsedTemplate {
  let marker = "TOLLGATE_TEMPLATE_END";
  while (content.includes(marker)) marker += "_";
  const addedNewline = !content.endsWith("\n");
  const text = `t = <<${marker}\n${content}${addedNewline ? "\n" : ""}${marker}\n`;
  const parsed = parseHcl(text, path);
  const errors = parsed.errors.map((error) => ({ ...error, line: Math.max(error.line - 1, 1) }));
  const attribute = parsed.body.items[0];
  if (attribute?.kind !== "Attribute" || attribute.expr.kind !== "Heredoc")
    return { text, parts: [], addedNewline, errors };
  shiftParts(attribute.expr.parts);
  return { text, parts: attribute.expr.parts, addedNewline, errors };
}
