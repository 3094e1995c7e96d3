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

  it("keeps a carriage return without a newline as text, unlike a heredoc in a .tf file", () => {
    // HCL scans a template file as a bare template, not as a heredoc, and does not refuse it.
    const parsed = parseTemplateFile("t.tpl", "a\rb\n");
    expect(parsed.errors).toEqual([]);
    expect(parsed.parts).toMatchObject([{ kind: "TemplateLiteral", value: "a\rb\n" }]);
  });

  it("reports a syntax error at the template file's line", () => {
    const parsed = parseTemplateFile("t.tpl", "a\nb ${ 1 + }\n");
    expect(parsed.errors[0]).toMatchObject({ file: "t.tpl", line: 2 });
  });
});
