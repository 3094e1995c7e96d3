// Differential test: our parser against hcl2-parser (HashiCorp's own hclsyntax, via
// tmccombs/hcl2json compiled to JavaScript) on every `.tf` file of `shared/corpus/real` and
// `shared/corpus/kics`.
//
// What is compared: our AST is converted to hcl2json's output shape and must be deep-equal
// (key order ignored) to hcl2-parser's output. That shape is:
// - a body is an object: attribute name -> value; block type -> label -> ... -> [bodies]
//   (every block wrapped in an array, same-named blocks appended in order);
// - literal structure exactly: numbers, bools, null, strings without interpolation (escapes
//   decoded, heredoc text with `<<-` indentation removed), tuples, objects with their keys,
//   `-1` (unary minus on a literal) as a number;
// - a template with interpolations as the concatenation of its literal text and `${<source>}`
//   for each interpolation, `"${x}"` alone as x itself; `%{if}` / `%{for}` directives and
//   conditional interpolations re-spelt as `%{if <cond>}..%{else}..%{endif}` as hcl2json does;
// - any other expression as `"${<exact source text>}"`, so our node ranges must match
//   HashiCorp's to the character (traversals, calls, for expressions, splats, operators).
// No normalisation of the `${...}` text is needed: it matches exactly.
// The same comparison also runs on corpus files rewritten with CRLF line endings, and on
// hand-written snippets for constructs the corpus lacks (template directives, strip markers,
// heredoc indentation corner cases, splats, for expressions), and snippets both must refuse.
// Documented deviations: none on the corpus or the snippets. Not compared, because this
// hcl2-parser (an older HCL) rejects them: provider-namespaced functions (`provider::ns::fn()`),
// which parser.test.ts covers.

import { readFileSync } from "node:fs";
import path from "node:path";
import hcl2 from "hcl2-parser";
import { describe, expect, it } from "vitest";
import { corpusDir, corpusFiles } from "../../../test/support/corpus.js";
import type { Body, Expression, TemplatePart } from "./ast.js";
import { parseHcl } from "./index.js";

const corpus = path.join(corpusDir, "real");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Our body in hcl2json's shape. */
export function toHcl2JsonShape(body: Body, text: string): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const item of body.items) {
    if (item.kind === "Attribute") {
      out[item.name] = convertExpression(item.expr, text);
      continue;
    }
    let level = out;
    let key = item.type;
    for (const label of item.labels) {
      const existing = level[key];
      if (existing === undefined) level[key] = {};
      level = level[key] as { [key: string]: Json };
      key = label.value;
    }
    const list = (level[key] ??= []) as Json[];
    list.push(toHcl2JsonShape(item.body, text));
  }
  return out;
}

function source(expr: { start: number; end: number }, text: string): string {
  return text.slice(expr.start, expr.end);
}

function wrap(expr: Expression, text: string): string {
  return "${" + source(expr, text) + "}";
}

function isLiteralTemplate(parts: TemplatePart[]): boolean {
  return parts.every((part) => part.kind === "TemplateLiteral");
}

function convertExpression(expr: Expression, text: string): Json {
  switch (expr.kind) {
    case "Literal":
      return expr.value;
    case "Unary":
      if (expr.operand.kind === "Literal") {
        const value = expr.operand.value;
        return expr.op === "-" ? -(value as number) : !value;
      }
      return wrap(expr, text);
    case "Template":
    case "Heredoc": {
      const only = expr.parts[0];
      if (expr.parts.length === 1 && only !== undefined && only.kind === "TemplateInterpolation") {
        return convertExpression(only.expr, text);
      }
      return convertParts(expr.parts, text);
    }
    case "Tuple":
      return expr.elements.map((element) => convertExpression(element, text));
    case "Object": {
      const out: { [key: string]: Json } = {};
      for (const item of expr.items) {
        const key =
          item.key.kind === "ScopeTraversal"
            ? source(item.key, text)
            : convertStringPart(item.key, text);
        out[key] = convertExpression(item.value, text);
      }
      return out;
    }
    default:
      return wrap(expr, text);
  }
}

function convertParts(parts: TemplatePart[], text: string): string {
  if (isLiteralTemplate(parts))
    return parts.map((part) => (part.kind === "TemplateLiteral" ? part.value : "")).join("");
  return parts.map((part) => convertPart(part, text)).join("");
}

function convertPart(part: TemplatePart, text: string): string {
  switch (part.kind) {
    case "TemplateLiteral":
      return part.value;
    case "TemplateInterpolation":
      return convertStringPart(part.expr, text);
    case "TemplateIf": {
      const otherwise = part.otherwise === null ? "" : convertParts(part.otherwise, text);
      return (
        `%{if ${source(part.condition, text)}}` +
        convertParts(part.then, text) +
        (otherwise.length > 0 ? "%{else}" + otherwise : "") +
        "%{endif}"
      );
    }
    case "TemplateFor":
      return (
        `%{for ${part.keyVar === null ? "" : part.keyVar + ", "}${part.valueVar} in ${source(part.collection, text)}}` +
        convertParts(part.body, text) +
        "%{endfor}"
      );
  }
}

function convertStringPart(expr: Expression, text: string): string {
  switch (expr.kind) {
    case "Literal":
      return String(expr.value);
    case "Template":
    case "Heredoc":
      return convertParts(expr.parts, text);
    case "Conditional": {
      const otherwise = convertStringPart(expr.falseExpr, text);
      return (
        `%{if ${source(expr.condition, text)}}` +
        convertStringPart(expr.trueExpr, text) +
        (otherwise.length > 0 ? "%{else}" + otherwise : "") +
        "%{endif}"
      );
    }
    default:
      return wrap(expr, text);
  }
}

const SNIPPETS = [
  "# c\rd\na = 1 // e\rf\n/* g\rh */\nb = 2\n",
  "a = <<-EOT\n    x\n\n      y\n    ${z}\n  EOT\n",
  "a = <<-EOT\n\tx\n\t\ty\n\tEOT\n",
  "a = <<-EOT\n  ${q} x\n    y\n  EOT\n",
  "a = <<-EOT\n    x\n   \n    y\n    EOT\n",
  'a = <<EOT\n  kept "as" \\n is\nEOT\n',
  'a = "x ${~ a ~} y %{ if c }yes%{ else }no%{ endif }%{ for k, v in m }${k}=${v},%{ endfor }"\n',
  'a = "%{ if c }only%{ endif }${b}"\n',
  "a = <<EOT\n%{ if c ~}\n  yes  \n%{~ endif }\n${x ~}\n\n  z ${~ y}\nEOT\n",
  "a = <<EOT\nq  \n\n  ${~ x}\nEOT\nb = <<EOT\n${x ~}  \n\n  z\nEOT\n",
  'a = "q \\n \\n ${~ x}"\nb = "${x ~} \\n \\n z"\n',
  'a = [for s in var.l : s if s != ""]\n',
  "a = { for k, v in m : k => v... }\n",
  "a = x[*].y[0]\n",
  "a = x.*.y\n",
  'a = "${x ? "a" : "b"}-z"\n',
  'a = "$${x} %%{y} \\u00e9 \\t"\n',
  'a = "${"nested ${b}"}"\n',
  'a = -1.5e3\nb = !true\nc = -x\nd = (1 + 2) * 3\ne = a.0.b["k"]\n',
  'a = { "k" = 1, (var.k) = 2, l : 3, 4 = 5 }\n',
  "block label {\n  nested { x = 1 }\n  nested {\n    y = [\n      1,\n      2,\n    ]\n  }\n}\n",
  // From the mutation sweep: `<<-` with CRLF endings and a blank (or spaces-only) line inside.
  "a = <<-EOT\r\n\ta\r\n\r\n\tb\r\n\tEOT\r\n",
  "a = <<-EOT\r\n  a\r\n \r\n  b ${c}\r\n  EOT\r\n",
];

/** Text both parsers must refuse (ours with a located error). */
const REFUSED = [
  'r "t" "n" {\n  acl = "private"\n  acl = "public-read"\n}\n',
  "a = 1\nb = 2\na = 3\n",
  'a = "x\ry"\n',
  'a = "${x}\r"\n',
  "a = <<EOT\nx\ry\nEOT\n",
  "a = <<-EOT\n  x ${y}\rz\n  EOT\n",
  // A closing marker that ends the file without a newline: current HCL refuses it as well.
  "a = <<EOT\nx\nEOT",
  "a = <<-EOT\n  x\n  EOT",
];

describe("parseHcl against hcl2-parser on snippets", () => {
  it.each(SNIPPETS)("%j", (text) => {
    const ours = parseHcl(text, "snippet.tf");
    expect(ours.errors).toEqual([]);
    const [theirs, error] = hcl2.parseToObject(text) as [Json, unknown];
    expect(error).toBeNull();
    expect(toHcl2JsonShape(ours.body, text)).toEqual(theirs);
  });
});

describe("parseHcl and hcl2-parser both refuse", () => {
  it.each(REFUSED)("%j", (text) => {
    expect(parseHcl(text, "snippet.tf").errors).not.toEqual([]);
    const [, error] = hcl2.parseToObject(text) as [Json, unknown];
    expect(error).not.toBeNull();
  });
});

describe("parseHcl against hcl2-parser with CRLF line endings", () => {
  // Every heredoc file plus a slice of the rest, rewritten with Windows line endings.
  const all = corpusFiles(".tf").map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const chosen = all.filter(({ text }, index) => text.includes("<<") || index % 15 === 0);

  it.each(chosen.map(({ file, text }) => [path.relative(corpus, file), text]))(
    "%s",
    (_name, text) => {
      const crlf = text.replace(/\r?\n/g, "\r\n");
      const ours = parseHcl(crlf, "crlf.tf");
      expect(ours.errors).toEqual([]);
      const [theirs, error] = hcl2.parseToObject(crlf) as [Json, unknown];
      expect(error).toBeNull();
      expect(toHcl2JsonShape(ours.body, crlf)).toEqual(theirs);
    },
  );
});

describe("parseHcl against hcl2-parser on corpus/kics", () => {
  // KICS's Terraform examples: small files, many constructs the real corpus lacks, and a
  // few broken on purpose (a dangling `redirect =`), which both must refuse.
  const files = corpusFiles(".tf", "kics");

  it("finds the KICS examples", () => {
    expect(files.length).toBe(91);
  });

  it.each(files.map((file) => [path.relative(corpusDir, file), file]))("%s", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const ours = parseHcl(text, file);
    const [theirs, error] = hcl2.parseToObject(text) as [Json, unknown];
    if (error !== null) {
      expect(ours.errors).not.toEqual([]);
      return;
    }
    expect(ours.errors).toEqual([]);
    expect(toHcl2JsonShape(ours.body, text)).toEqual(theirs);
  });
});

describe("parseHcl against hcl2-parser on corpus/real", () => {
  const files = corpusFiles(".tf");

  it("finds the whole corpus", () => {
    expect(files.length).toBe(750);
  });

  it.each(files.map((file) => [path.relative(corpus, file), file]))("%s", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const ours = parseHcl(text, file);
    expect(ours.errors).toEqual([]);
    const [theirs, error] = hcl2.parseToObject(text) as [Json, unknown];
    expect(error).toBeNull();
    expect(toHcl2JsonShape(ours.body, text)).toEqual(theirs);
  });
});
