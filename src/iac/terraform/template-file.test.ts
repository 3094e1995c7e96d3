// parseTemplateFile: a template file's parts and the expressions inside them keep the file's own lines.
import { describe, expect, it } from "vitest";
import { parseTemplateFile } from "./template-file.js";

describe("parseTemplateFile", () => {
  it("numbers every node, nested expressions included, from the template file's first line", () => {
    const parsed = parseTemplateFile(
      "t.tpl",
      'name = "x"\n%{ if on }\nport = ${ports[0] + 1}\n%{ endif }\n',
    );
    expect(parsed.errors).toEqual([]);
    const condition = parsed.parts.find((part) => part.kind === "TemplateIf");
    if (condition?.kind !== "TemplateIf") throw new Error("no %{ if } part");
    expect([condition.line, condition.column]).toEqual([2, 1]);
    expect([condition.condition.line, condition.condition.column]).toEqual([2, 7]);
    const interpolation = condition.then.find((part) => part.kind === "TemplateInterpolation");
    if (interpolation?.kind !== "TemplateInterpolation") throw new Error("no interpolation");
    expect([interpolation.line, interpolation.column]).toEqual([3, 8]);
    expect([interpolation.expr.line, interpolation.expr.column]).toEqual([3, 10]);
    expect([interpolation.expr.endLine, interpolation.expr.endColumn]).toEqual([3, 22]);
  });

  it("reads a carriage return without a newline, and all after it, as literal text, as HCL does", () => {
    // HCL scans a template file as a bare template (hclsyntax.ParseTemplate): its scanner matches
    // no token at the CR, and outside `${ }`/`%{ }` it emits the rest of the file as one literal,
    // unescaping only `$${` and `%%{`. A heredoc in a .tf file refuses the CR instead.
    const parsed = parseTemplateFile("t.tpl", "x ${y}\r$${z} %%{w}\nline ${q}\n");
    expect(parsed.errors).toEqual([]);
    expect(parsed.parts).toMatchObject([
      { kind: "TemplateLiteral", value: "x " },
      { kind: "TemplateInterpolation" },
      { kind: "TemplateLiteral", value: "\r${z} %{w}\nline ${q}\n", line: 1, column: 7 },
    ]);
    // `~}` trims the literal token after it: the text ahead of the CR, or else the rest itself.
    expect(parseTemplateFile("t.tpl", "${a ~}  \r  b\n").parts[1]).toMatchObject({
      value: "\r  b\n",
    });
    expect(parseTemplateFile("t.tpl", "${a ~}\r  b\n").parts[1]).toMatchObject({ value: "b\n" });
  });

  it("refuses a directive a carriage return leaves open, and a carriage return in an interpolation", () => {
    // The `%{ endif }` after the CR is literal text, so the `%{ if }` is never closed (HCL: "The
    // if directive ... is missing its corresponding endif directive"); inside `${ }` the CR is
    // an invalid character.
    expect(parseTemplateFile("t.tpl", "a\n%{ if c }b\rc%{ endif }\n").errors[0]).toEqual({
      file: "t.tpl",
      line: 2,
      column: 1,
      code: "hcl-syntax",
      message: "'%{ if }' without a matching '%{ endif }'",
    });
    expect(parseTemplateFile("t.tpl", "a ${b \r}\n").errors[0]).toMatchObject({
      line: 1,
      column: 7,
      code: "hcl-syntax",
    });
  });

  it("reports one error for a template left open, at the template's end, naming none of our wrapping", () => {
    // HCL's ParseTemplate meets the end of the template there; the heredoc we wrap the file in,
    // and its marker, are ours alone and must not show.
    expect(parseTemplateFile("t.tpl", "a\nb ${ x\n").errors).toEqual([
      {
        file: "t.tpl",
        line: 3,
        column: 1,
        code: "hcl-syntax",
        message: "expected '}' to close an interpolation, found the end of the template",
      },
    ]);
    // Without a final newline, the end is after the last character of the last line.
    expect(parseTemplateFile("t.tpl", "a ${ {b = 1").errors).toEqual([
      {
        file: "t.tpl",
        line: 1,
        column: 12,
        code: "hcl-syntax",
        message: "expected '}' to close the object opened at line 1, found the end of the template",
      },
    ]);
    expect(parseTemplateFile("t.tpl", "a\n%{ if c }b\n").errors).toEqual([
      {
        file: "t.tpl",
        line: 2,
        column: 1,
        code: "hcl-syntax",
        message: "'%{ if }' without a matching '%{ endif }'",
      },
    ]);
  });

  it("reports a syntax error at the template file's line", () => {
    const parsed = parseTemplateFile("t.tpl", "a\nb ${ 1 + }\n");
    expect(parsed.errors[0]).toMatchObject({ file: "t.tpl", line: 2 });
  });
});
