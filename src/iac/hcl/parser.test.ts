// parseHcl: exact positions on real files, every expression kind of native syntax, and syntax
// errors located with actionable messages.

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, corpusFiles } from "../../../test/support/corpus.js";
import type { Attribute, Block, Body, Expression, Range } from "./ast.js";
import { expressionText, MAX_NESTING_DEPTH, parseHcl } from "./index.js";

const corpus = path.join(corpusDir, "real");

function parseOk(text: string): Body {
  const { body, errors } = parseHcl(text, "test.tf");
  expect(errors).toEqual([]);
  return body;
}

function attribute(body: Body, name: string): Attribute {
  const found = body.items.find((item) => item.kind === "Attribute" && item.name === name);
  if (found === undefined || found.kind !== "Attribute") throw new Error(`no attribute ${name}`);
  return found;
}

function block(body: Body, type: string, index = 0): Block {
  const found = body.items.filter(
    (item): item is Block => item.kind === "Block" && item.type === type,
  )[index];
  if (found === undefined) throw new Error(`no block ${type}`);
  return found;
}

function exprOf(source: string): Expression {
  return attribute(parseOk(`x = ${source}\n`), "x").expr;
}

function at(node: Range): [number, number, number, number] {
  return [node.line, node.column, node.endLine, node.endColumn];
}

describe("positions on real files", () => {
  const file = path.join(corpus, "terragoat/terraform/aws/s3.tf");
  const text = readFileSync(file, "utf8");
  const body = parseOk(text);

  it("pins blocks, labels, attributes and nested expressions of terragoat s3.tf", () => {
    const data = block(body, "resource");
    expect(at(data)).toEqual([1, 1, 21, 2]);
    expect(data.labels.map((label) => [label.value, ...at(label)])).toEqual([
      ["aws_s3_bucket", 1, 10, 1, 25],
      ["data", 1, 26, 1, 32],
    ]);
    expect(at(data.body)).toEqual([1, 33, 21, 2]);

    const bucket = attribute(data.body, "bucket");
    expect(at(bucket)).toEqual([6, 3, 6, 56]);
    expect(at(bucket.nameRange)).toEqual([6, 3, 6, 9]);
    expect(bucket.expr.kind).toBe("Template");
    if (bucket.expr.kind !== "Template") return;
    const [interpolation, literal] = bucket.expr.parts;
    expect(interpolation?.kind).toBe("TemplateInterpolation");
    if (interpolation?.kind !== "TemplateInterpolation") return;
    expect(at(interpolation)).toEqual([6, 20, 6, 50]);
    expect(at(interpolation.expr)).toEqual([6, 22, 6, 49]);
    expect(expressionText(interpolation.expr, text)).toBe("local.resource_prefix.value");
    expect(literal).toMatchObject({ kind: "TemplateLiteral", value: "-data", line: 6, column: 50 });

    const tags = attribute(data.body, "tags");
    expect(tags.expr.kind).toBe("FunctionCall");
    if (tags.expr.kind !== "FunctionCall") return;
    expect(at(tags.expr)).toEqual([8, 10, 20, 5]);
    expect(tags.expr.name).toBe("merge");
    const [first, second] = tags.expr.args;
    expect(first && at(first)).toEqual([8, 16, 11, 6]);
    expect(second && at(second)).toEqual([11, 8, 20, 4]);
    if (first?.kind !== "Object") throw new Error("expected an object");
    expect(first.items.map((item) => [item.keyName, item.line, item.column])).toEqual([
      ["Name", 9, 5],
      ["Environment", 10, 5],
    ]);
    expect(expressionText(first.items[1]!.value, text)).toBe("local.resource_prefix.value");

    const object = block(body, "resource", 1);
    expect(object.labels.map((label) => label.value)).toEqual([
      "aws_s3_bucket_object",
      "data_object",
    ]);
    expect(object.line).toBe(23);
    const reference = attribute(object.body, "bucket").expr;
    expect(reference).toMatchObject({
      kind: "ScopeTraversal",
      root: "aws_s3_bucket",
      steps: [
        { kind: "TraverseAttr", name: "data", line: 24, column: 26 },
        { kind: "TraverseAttr", name: "id", line: 24, column: 31 },
      ],
      line: 24,
      column: 12,
      endColumn: 33,
    });
  });

  it("gives every node of every corpus file a line and column that match its offset", () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const corpusFile of corpusFiles(".tf")) {
      const source = readFileSync(corpusFile, "utf8");
      const lineStarts = [0];
      for (let i = 0; i < source.length; i++)
        if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
      const locate = (offset: number): [number, number] => {
        let low = 0;
        let high = lineStarts.length - 1;
        while (low < high) {
          const mid = (low + high + 1) >> 1;
          if ((lineStarts[mid] as number) <= offset) low = mid;
          else high = mid - 1;
        }
        return [low + 1, offset - (lineStarts[low] as number) + 1];
      };
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (typeof node !== "object" || node === null) return;
        const range = node as Range;
        if (typeof range.start === "number") {
          const [line, column] = locate(range.start);
          const [endLine, endColumn] = locate(range.end);
          const consistent =
            range.line === line &&
            range.column === column &&
            range.endLine === endLine &&
            range.endColumn === endColumn &&
            range.end >= range.start;
          if (!consistent) wrong.push(`${corpusFile}: ${JSON.stringify(node).slice(0, 120)}`);
          checked++;
        }
        for (const [key, value] of Object.entries(node)) if (key !== "lines") visit(value);
        for (const name of derivedRanges(node)) visit((node as Record<string, unknown>)[name]);
      };
      const body = parseOk(source);
      visit(body);
      // Through JSON too, for one file: `toJSON` writes the derived positions out (nodes.ts).
      // Every file so took 80% of this test's time.
      if (corpusFile === file) visit(JSON.parse(JSON.stringify(body)));
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(200_000);
  });
});

/**
 * The ranges and parts a parser node derives on access (`nameRange`, `typeRange`, `parts`: getters
 * of its class besides its own position), which `Object.entries` does not list.
 */
function derivedRanges(node: object): string[] {
  const prototype = Object.getPrototypeOf(node) as object | null;
  if (prototype === null || prototype === Object.prototype) return [];
  let names = derivedByPrototype.get(prototype);
  if (names === undefined) {
    names = Object.entries(Object.getOwnPropertyDescriptors(prototype))
      .filter(([name, descriptor]) => descriptor.get && !POSITION_GETTERS.has(name))
      .map(([name]) => name);
    derivedByPrototype.set(prototype, names);
  }
  return names;
}

const POSITION_GETTERS = new Set(["line", "column", "endLine", "endColumn"]);
const derivedByPrototype = new Map<object, string[]>();

describe("expressions", () => {
  it("reads literals with their exact number text", () => {
    expect(exprOf("1.5e3")).toMatchObject({ kind: "Literal", value: 1500, raw: "1.5e3" });
    expect(exprOf("null")).toMatchObject({ kind: "Literal", value: null });
    expect(exprOf("-1")).toMatchObject({ kind: "Unary", op: "-", operand: { value: 1 } });
  });

  it("folds literal steps into traversals, legacy `.0` included", () => {
    expect(exprOf('module.net.subnets[0]["id"].x.1')).toMatchObject({
      kind: "ScopeTraversal",
      root: "module",
      steps: [
        { kind: "TraverseAttr", name: "net" },
        { kind: "TraverseAttr", name: "subnets" },
        { kind: "TraverseIndex", key: 0, legacy: false },
        { kind: "TraverseIndex", key: "id", legacy: false },
        { kind: "TraverseAttr", name: "x" },
        { kind: "TraverseIndex", key: 1, legacy: true },
      ],
    });
    expect(exprOf("count.index")).toMatchObject({ root: "count", steps: [{ name: "index" }] });
  });

  it("keeps dynamic indexes and attributes after them as Index and GetAttr", () => {
    const expr = exprOf("var.list[var.i].id");
    expect(expr).toMatchObject({
      kind: "GetAttr",
      name: "id",
      object: {
        kind: "Index",
        collection: { kind: "ScopeTraversal", root: "var" },
        key: { root: "var" },
      },
    });
    expect(exprOf("f(1).out.0")).toMatchObject({
      kind: "Index",
      legacy: true,
      key: { kind: "Literal", value: 0 },
      collection: { kind: "GetAttr", name: "out", object: { kind: "FunctionCall", name: "f" } },
    });
  });

  it("reads full and attribute-only splats", () => {
    expect(exprOf("aws_instance.web[*].id")).toMatchObject({
      kind: "Splat",
      full: true,
      source: { kind: "ScopeTraversal", root: "aws_instance", steps: [{ name: "web" }] },
      each: { kind: "GetAttr", name: "id", object: { kind: "SplatItem" } },
    });
    const legacy = exprOf("aws_instance.web.*.id[0]");
    expect(legacy).toMatchObject({
      kind: "Index",
      collection: { kind: "Splat", full: false, each: { kind: "GetAttr", name: "id" } },
    });
  });

  it("reads function calls with expansion and provider-namespaced names", () => {
    expect(exprOf("concat(a, b...)")).toMatchObject({
      kind: "FunctionCall",
      name: "concat",
      expandFinal: true,
    });
    const call = exprOf('provider::aws::arn_parse("arn:aws:s3:::b")');
    expect(call).toMatchObject({
      kind: "FunctionCall",
      name: "provider::aws::arn_parse",
      args: [{ kind: "Template" }],
    });
    if (call.kind === "FunctionCall") expect(at(call.nameRange)).toEqual([1, 5, 1, 29]);
  });

  it("reads for expressions in both forms with conditions and grouping", () => {
    expect(exprOf('[for s in var.list : upper(s) if s != ""]')).toMatchObject({
      kind: "For",
      form: "tuple",
      keyVar: null,
      valueVar: "s",
      keyExpr: null,
      valueExpr: { kind: "FunctionCall", name: "upper" },
      condition: { kind: "Binary", op: "!=" },
      grouping: false,
    });
    expect(exprOf("{ for k, v in var.m : v.group => k... }")).toMatchObject({
      kind: "For",
      form: "object",
      keyVar: "k",
      valueVar: "v",
      keyExpr: { kind: "ScopeTraversal", root: "v" },
      valueExpr: { kind: "ScopeTraversal", root: "k" },
      grouping: true,
      condition: null,
    });
  });

  it("applies HCL precedence and associativity", () => {
    expect(exprOf("a || b && c == d + e * -f")).toMatchObject({
      kind: "Binary",
      op: "||",
      right: {
        op: "&&",
        right: {
          op: "==",
          right: { op: "+", right: { op: "*", right: { kind: "Unary", op: "-" } } },
        },
      },
    });
    expect(exprOf("a - b - c")).toMatchObject({ op: "-", left: { op: "-" }, right: { root: "c" } });
    expect(exprOf("a ? b : c ? d : e")).toMatchObject({
      kind: "Conditional",
      falseExpr: { kind: "Conditional" },
    });
    expect(exprOf("!(a)")).toMatchObject({ kind: "Unary", op: "!", operand: { kind: "Parens" } });
  });

  it("reads objects with bare, quoted and parenthesised keys, commas or newlines", () => {
    const expr = exprOf('{\n  a = 1\n  "b.c" : 2, (var.k) = 3\n  4 = "x"\n}');
    expect(expr.kind).toBe("Object");
    if (expr.kind !== "Object") return;
    expect(expr.items.map((item) => [item.keyName, item.key.kind])).toEqual([
      ["a", "ScopeTraversal"],
      ["b.c", "Template"],
      [null, "Parens"],
      ["4", "Literal"],
    ]);
  });

  it("ignores newlines inside brackets and parentheses", () => {
    expect(exprOf("[\n  1,\n  2,\n]")).toMatchObject({
      kind: "Tuple",
      elements: [{ value: 1 }, { value: 2 }],
    });
    expect(exprOf("f(\n a,\n b\n)")).toMatchObject({ kind: "FunctionCall", args: [{}, {}] });
    expect(exprOf("(\n a\n +\n b)")).toMatchObject({
      kind: "Parens",
      expr: { kind: "Binary", op: "+" },
    });
  });

  it("gives jsonencode(...) contents as expressions", () => {
    const text =
      'policy = jsonencode({\n  Statement = [{ Action = "s3:*", Effect = "Allow" }]\n})\n';
    const expr = attribute(parseOk(text), "policy").expr;
    expect(expr).toMatchObject({
      kind: "FunctionCall",
      name: "jsonencode",
      args: [
        {
          kind: "Object",
          items: [{ keyName: "Statement", value: { kind: "Tuple", line: 2, column: 15 } }],
        },
      ],
    });
  });
});

describe("templates and heredocs", () => {
  it("dedents a <<- heredoc whose blank lines end in CRLF, as hcl2-parser does", () => {
    const literal = (text: string): unknown => {
      const { body, errors } = parseHcl(text, "crlf.tf");
      expect(errors).toEqual([]);
      const expr = (body.items[0] as Attribute).expr;
      return expr.kind === "Heredoc"
        ? expr.parts.map((part) => (part as { value?: string }).value)
        : expr;
    };
    expect(literal("a = <<-EOT\r\n\ta\r\n\r\n\tb\r\n\tEOT\r\n")).toEqual(["a\r\n\r\nb\r\n"]);
    expect(literal("a = <<-EOT\r\n    a\r\n  \r\n      b\r\n  EOT\r\n")).toEqual([
      "a\r\n  \r\n  b\r\n",
    ]);
  });

  it("decodes escapes and keeps $${ and %%{ literal", () => {
    expect(exprOf('"a\\n\\"b\\u00e9 $${x} %%{y}"')).toMatchObject({
      kind: "Template",
      parts: [{ kind: "TemplateLiteral", value: 'a\n"bé ${x} %{y}' }],
    });
  });

  it("reads interpolations, directives and strip markers", () => {
    const expr = exprOf(
      '"x ${~ a ~} y %{ if c }yes%{ else }no%{ endif }%{ for k, v in m }${k}=${v},%{ endfor }"',
    );
    expect(expr).toMatchObject({
      kind: "Template",
      parts: [
        { kind: "TemplateLiteral", value: "x" },
        { kind: "TemplateInterpolation", stripLeft: true, stripRight: true, expr: { root: "a" } },
        { kind: "TemplateLiteral", value: "y " },
        {
          kind: "TemplateIf",
          condition: { root: "c" },
          then: [{ value: "yes" }],
          otherwise: [{ value: "no" }],
        },
        {
          kind: "TemplateFor",
          keyVar: "k",
          valueVar: "v",
          collection: { root: "m" },
          body: [
            { kind: "TemplateInterpolation" },
            { value: "=" },
            { kind: "TemplateInterpolation" },
            { value: "," },
          ],
        },
      ],
    });
  });

  it("strips whitespace marked with ~ up to and including one line break", () => {
    expect(exprOf("<<EOT\n%{ if c ~}\n  yes\n%{~ endif }\nEOT\n")).toMatchObject({
      kind: "Heredoc",
      parts: [
        {
          kind: "TemplateIf",
          then: [{ kind: "TemplateLiteral", value: "  yes" }],
          otherwise: null,
        },
        { kind: "TemplateLiteral", value: "\n" },
      ],
    });
  });

  it("reads heredocs, removing the common indent of <<- forms", () => {
    const text = "a = <<EOT\n  one ${x}\nEOT\nb = <<-EOT\n    two\n      three\n    EOT\nc = 1\n";
    const body = parseOk(text);
    const a = attribute(body, "a").expr;
    expect(a).toMatchObject({
      kind: "Heredoc",
      marker: "EOT",
      indented: false,
      line: 1,
      endLine: 3,
      endColumn: 4,
    });
    if (a.kind === "Heredoc")
      expect(a.parts.map((part) => part.kind)).toEqual([
        "TemplateLiteral",
        "TemplateInterpolation",
        "TemplateLiteral",
      ]);
    expect(attribute(body, "b").expr).toMatchObject({
      kind: "Heredoc",
      indented: true,
      parts: [{ kind: "TemplateLiteral", value: "two\n  three\n" }],
    });
    expect(attribute(body, "c")).toMatchObject({ line: 8 });
  });
});

describe("syntax errors", () => {
  it("says what was expected after a block name and recovers at the next top-level block", () => {
    const text =
      'resource "aws_security_group" "web" {\n  ingress\n  from_port = 22\n}\n\nresource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n';
    const { body, errors } = parseHcl(text, "main.tf");
    expect(errors).toEqual([
      {
        file: "main.tf",
        line: 3,
        column: 3,
        code: "hcl-syntax",
        message: "expected '=' or a block label after 'ingress', found 'from_port'",
      },
    ]);
    expect(
      body.items.map((item) => (item.kind === "Block" ? item.labels[1]?.value : item.name)),
    ).toEqual(["b"]);
  });

  it("keeps every block after an error that follows good ones, with one error only", () => {
    const text = [
      'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}',
      'resource "aws_lb_listener" "b" {\n  default_action {\n    redirect =\n  }\n}',
      'resource "aws_s3_bucket" "c" {\n  bucket = "c"\n}',
      'resource "aws_s3_bucket" "d" {\n  bucket = "d"\n}\n',
    ].join("\n\n");
    const { body, errors } = parseHcl(text, "main.tf");
    expect(errors.map((error) => [error.line, error.column, error.message])).toEqual([
      [8, 3, "expected an expression, found '}'"],
    ]);
    const names = body.items.map((item) => (item.kind === "Block" ? item.labels[1]?.value : ""));
    expect(names).toEqual(["a", "c", "d"]);
    expect(body.items[1]?.line).toBe(11);
  });

  it("locates unterminated strings, blocks and heredocs", () => {
    expect(parseHcl('a = "abc\nb = 1\n', "f.tf").errors).toMatchObject([
      { line: 1, column: 9, code: "hcl-syntax" },
    ]);
    const unclosed = parseHcl('resource "a" "b" {\n  x = 1\n', "f.tf").errors;
    expect(unclosed).toMatchObject([{ line: 3, column: 1 }]);
    expect(unclosed[0]?.message).toContain(
      "expected '}' to close block 'resource' opened at line 1",
    );
    expect(parseHcl("a = <<EOT\nno end\n", "f.tf").errors[0]?.message).toContain(
      "add 'EOT' on a line of its own",
    );
  });

  it("refuses a heredoc whose closing marker ends the file without a newline, as HCL does", () => {
    // HCL's scanner matches the marker only in a line ended by LF or CRLF, so Terraform reports
    // "Unterminated template string" here (terraform#31450); hcl2-parser refuses it too.
    const message =
      "unterminated heredoc: its closing 'EOT' ends the file without a newline; add a newline after it";
    expect(parseHcl("a = <<EOT\nx\nEOT", "f.tf").errors).toEqual([
      { file: "f.tf", line: 3, column: 4, code: "hcl-syntax", message },
    ]);
    expect(parseHcl("a = <<-EOT\n  x\n  EOT", "f.tf").errors).toEqual([
      { file: "f.tf", line: 3, column: 6, code: "hcl-syntax", message },
    ]);
    expect(parseHcl("a = <<EOT\r\nx\r\nEOT\r", "f.tf").errors).toMatchObject([
      { line: 3, column: 4 },
    ]);
    expect(parseHcl("a = <<EOT\nx\nEOT\n", "f.tf").errors).toEqual([]);
    expect(parseHcl("a = <<EOT\r\nx\r\nEOT\r\n", "f.tf").errors).toEqual([]);
  });

  it("requires a newline between items and an expression after '='", () => {
    expect(parseHcl("a = 1 b = 2\n", "f.tf").errors[0]?.message).toBe(
      "expected a newline after attribute 'a', found 'b'",
    );
    expect(parseHcl("a = \n", "f.tf").errors[0]).toMatchObject({
      line: 2,
      column: 1,
      message: "expected an expression, found end of file",
    });
  });

  it("bounds nesting depth with its own error code", () => {
    const deep =
      "x = " + "[".repeat(MAX_NESTING_DEPTH + 10) + "]".repeat(MAX_NESTING_DEPTH + 10) + "\n";
    const { errors } = parseHcl(deep, "deep.tf");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe("hcl-too-deep");
    const fine = "x = " + "[".repeat(50) + "]".repeat(50) + "\n";
    expect(parseHcl(fine, "ok.tf").errors).toEqual([]);
  });

  it("refuses an argument set twice in one body, at the second, as HCL does", () => {
    // hashicorp/hcl hclsyntax/parser.go ParseBody: "Attribute redefined"; hcl2-parser agrees.
    const text =
      'resource "aws_s3_bucket" "b" {\n  acl = "private"\n  tags = {}\n  acl = "public-read"\n  versioning {\n    enabled = true\n  }\n  versioning {\n    enabled = false\n  }\n}\nacl = 1\n';
    const { body, errors } = parseHcl(text, "main.tf");
    expect(errors).toEqual([
      {
        file: "main.tf",
        line: 4,
        column: 3,
        code: "hcl-attribute-redefined",
        message: "attribute 'acl' is already set at line 2; each argument may be set only once",
      },
    ]);
    // Nothing is dropped; repeated blocks and the same name in another body are fine.
    expect((body.items[0] as Block).body.items).toHaveLength(5);
    const many =
      Array.from({ length: 40 }, (_, i) => `a${i} = ${i}\n`).join("") + "a39 = 0\na7 = 0\n";
    expect(parseHcl(many, "many.tf").errors.map((error) => [error.line, error.column])).toEqual([
      [41, 1],
      [42, 1],
    ]);
    const repeated = parseHcl("a = 1\n".repeat(500), "repeated.tf").errors;
    expect(repeated.length).toBe(50);
  });

  it("takes a carriage return for whitespace only before a newline, as HCL does", () => {
    expect(parseHcl('a = 1\r\n# c\r\nb = "x" // d\r\n\r\n', "crlf.tf").errors).toEqual([]);
    // hcl2-parser refuses each of these; a lone CR is an invalid character, named by its code.
    expect(parseHcl("a = \r 1\n", "f.tf").errors).toEqual([
      {
        file: "f.tf",
        line: 1,
        column: 5,
        code: "hcl-syntax",
        message: "expected an expression, found invalid character U+000D",
      },
    ]);
    expect(parseHcl("a = [1,\r 2]\n", "f.tf").errors).toHaveLength(1);
    expect(parseHcl('r "t" "n" {\n}\r', "f.tf").errors).toMatchObject([{ line: 2, column: 2 }]);
  });

  it("refuses a carriage return without a newline in a quoted string or a heredoc, as HCL does", () => {
    // hcl2-parser refuses each of these: HCL's string and heredoc text excludes CR, and a line
    // ends only at LF or CRLF. The error is at the CR itself.
    const quoted = 'a = 1\nb = "x\ry"\n';
    expect(parseHcl(quoted, "f.tf").errors).toEqual([
      {
        file: "f.tf",
        line: 2,
        column: 7,
        code: "hcl-syntax",
        message: "carriage return (U+000D) in a quoted string; write it as \\r",
      },
    ]);
    expect(parseHcl('a = "${x}\r"\n', "f.tf").errors).toMatchObject([{ line: 1, column: 10 }]);
    const heredoc = "a = <<EOT\nfirst\r\nsec\rond\nEOT\n";
    expect(parseHcl(heredoc, "f.tf").errors).toEqual([
      {
        file: "f.tf",
        line: 3,
        column: 4,
        code: "hcl-syntax",
        message:
          "carriage return (U+000D) not followed by a newline in a heredoc; end lines with LF or CRLF",
      },
    ]);
    expect(parseHcl("a = <<-EOT\n  x ${y}\rz\n  EOT\n", "f.tf").errors).toMatchObject([
      { line: 2, column: 9 },
    ]);
    // CRLF stays a line end in both, and a comment may hold a lone CR (HCL's comments run to LF or CRLF).
    expect(parseHcl('a = <<EOT\r\nx\r\nEOT\r\nb = "y"\r\n', "f.tf").errors).toEqual([]);
    expect(parseHcl("# c\rd\na = 1 // e\rf\n/* g\rh */\n", "f.tf").errors).toEqual([]);
  });

  it("stops after too many errors", () => {
    const { errors } = parseHcl("a = =\n".repeat(500), "many.tf");
    expect(errors.length).toBe(51);
    expect(errors[50]?.code).toBe("hcl-too-many-errors");
  });
});
