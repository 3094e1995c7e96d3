// `templatefile(path, vars)`: a file read as one template. The HCL parser has no template-only
// entry, so the file is parsed as the body of a heredoc whose marker cannot occur in it, with
// its lines numbered from 0 so that the one header line does not shift the file's positions.
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

export function parseTemplateFile(path: string, content: string): ParsedTemplate {
  let marker = "TOLLGATE_TEMPLATE_END";
  while (content.includes(marker)) marker += "_";
  const addedNewline = !content.endsWith("\n");
  const text = `t = <<${marker}\n${content}${addedNewline ? "\n" : ""}${marker}\n`;
  // Line 0 is the wrapping header, so the file's own lines keep their numbers in every node.
  const parsed = parseHcl(text, path, 0, marker);
  const errors = parsed.errors.map((error) => atFileEnd(error, content, addedNewline));
  const attribute = parsed.body.items[0];
  if (attribute?.kind !== "Attribute" || attribute.expr.kind !== "Heredoc")
    return { text, parts: [], addedNewline, errors };
  return { text, parts: attribute.expr.parts, addedNewline, errors };
}

/**
 * An error the parser places on the wrapper's closing line (the end of the template) is placed
 * at the file's own end: after its last character when the wrapping added the newline before
 * the marker. The header line 0 counts as line 1.
 */
function atFileEnd(error: LoadError, content: string, addedNewline: boolean): LoadError {
  const lastLine = content.split("\n").length;
  if (addedNewline && error.line > lastLine) {
    const lastLineLength = content.length - content.lastIndexOf("\n") - 1;
    return { ...error, line: lastLine, column: lastLineLength + 1 };
  }
  return { ...error, line: Math.max(error.line, 1) };
}
