import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConformanceCases } from "../conformance/cases.js";
import type { CallTerm, Expr, Module, RefTerm, Rule, Term } from "./ast.js";
import { parseModule } from "./parser.js";
import { formatModule } from "./printer.js";

function parseOk(text: string): Module {
  const result = parseModule(text, "test.rego");
  expect(result.errors).toEqual([]);
  if (!result.module) throw new Error("no module");
  return result.module;
}

function onlyRule(text: string): Rule {
  const module = parseOk(`package test\n${text}\n`);
  expect(module.rules).toHaveLength(1);
  return module.rules[0] as Rule;
}

function firstExpr(text: string): Expr {
  return onlyRule(`p if {\n${text}\n}`).body[0] as Expr;
}

function termOf(expr: Expr): Term {
  if (expr.kind !== "term") throw new Error(`not a term expression: ${expr.kind}`);
  return expr.term;
}

function operatorName(term: Term): string {
  const call = term as CallTerm;
  expect(call.type).toBe("call");
  const ref: RefTerm = call.operator;
  return [ref.head, ...ref.operands]
    .map((part) => (part.type === "var" ? part.name : part.type === "string" ? part.value : "?"))
    .join(".");
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const conformanceRoot = path.resolve(repoRoot, "../shared/conformance/opa");

describe("parseModule on OPA's conformance modules", () => {
  const cases = loadConformanceCases(conformanceRoot);
  const modules = cases.flatMap((entry) =>
    entry.modules.map((text, i) => ({ name: `${entry.file}: ${entry.note}#${i}`, text })),
  );

  it("finds the corpus", () => {
    expect(modules.length).toBeGreaterThan(500);
  });

  it("parses every module without errors", () => {
    const failures = modules
      .map(({ name, text }) => ({ name, errors: parseModule(text, name).errors }))
      .filter((result) => result.errors.length > 0);
    expect(failures).toEqual([]);
  });

  it("prints every module to text that parses again and prints the same", () => {
    for (const { name, text } of modules) {
      const printed = formatModule(parseOk(text));
      const reparsed = parseModule(printed, name);
      expect(reparsed.errors, `${name}\n${printed}`).toEqual([]);
      expect(formatModule(reparsed.module as Module)).toBe(printed);
    }
  });
});

describe("rule heads", () => {
  it("distinguishes complete, partial set, partial object and function rules", () => {
    const module = parseOk(`package a.b
default allow := false
allow if input.x == 1
deny contains msg if msg := "no"
owners[name] := team if { some name, team in input.owners }
f(x) := x + 1
g(x) if x > 2
a.b.c := 1
a.b[x].c := 2 if x := "k"
`);
    expect(module.package.path).toEqual(["a", "b"]);
    const kinds = module.rules.map((rule) => [rule.head.kind, rule.default]);
    expect(kinds).toEqual([
      ["complete", true],
      ["complete", false],
      ["partial-set", false],
      ["partial-object", false],
      ["function", false],
      ["function", false],
      ["complete", false],
      ["partial-object", false],
    ]);
    const refHead = module.rules[7] as Rule;
    expect(refHead.head.ref.map((term) => term.type)).toEqual(["var", "string", "var", "string"]);
    expect((module.rules[1] as Rule).head.value).toMatchObject({ type: "boolean", value: true });
    expect((module.rules[3] as Rule).head.key).toMatchObject({ type: "var", name: "name" });
  });

  it("links else alternatives with their own values", () => {
    const rule = onlyRule(`f(x) := "a" if x == 1 else := "b" if x == 2 else := "c"`);
    expect(rule.else?.head.value).toMatchObject({ type: "string", value: "b" });
    expect(rule.else?.else?.head.value).toMatchObject({ type: "string", value: "c" });
    expect(rule.else?.else?.body).toEqual([]);
    expect(rule.else?.head.args).toHaveLength(1);
  });

  it("retries an `if {` that is really an object comprehension as one literal", () => {
    const rule = onlyRule(`p if {x: i | x := ["a"][i]}`);
    expect(rule.body).toHaveLength(1);
    expect(termOf(rule.body[0] as Expr).type).toBe("objectcomprehension");
  });
});

describe("expressions and terms", () => {
  it("keeps exact number text and decodes strings", () => {
    const expr = firstExpr(`x := [1e400, -0.5, "a\\tb\\u00e9", \`raw\\n\`]`);
    if (expr.kind !== "assign") throw new Error(expr.kind);
    expect(expr.right).toMatchObject({
      type: "array",
      items: [
        { type: "number", text: "1e400" },
        { type: "number", text: "-0.5" },
        { type: "string", value: "a\tb\u00e9", raw: false },
        { type: "string", value: "raw\\n", raw: true },
      ],
    });
  });

  it("applies OPA's operator precedence", () => {
    const term = termOf(firstExpr(`1 + 2 * 3 == 7`));
    expect(operatorName(term)).toBe("equal");
    const left = (term as CallTerm).args[0] as Term;
    expect(operatorName(left)).toBe("plus");
    expect(operatorName((left as CallTerm).args[1] as Term)).toBe("mul");
    expect(operatorName(termOf(firstExpr(`a | b & c`)))).toBe("or");
    expect(operatorName(termOf(firstExpr(`x in {1} == true`)))).toBe("internal.member_2");
    expect(operatorName(termOf(firstExpr(`"k", 1 in {"k": 1}`)))).toBe("internal.member_3");
  });

  it("reads unary minus on anything but a number literal as 0 - term, binding tightest", () => {
    const right = (text: string): Term => {
      const expr = firstExpr(`x := ${text}`);
      if (expr.kind !== "assign") throw new Error(expr.kind);
      return expr.right;
    };
    const negated = (term: Term): Term => {
      expect(operatorName(term)).toBe("minus");
      expect((term as CallTerm).args[0]).toMatchObject({ type: "number", text: "0" });
      return (term as CallTerm).args[1] as Term;
    };
    expect(right("- 1")).toMatchObject({ type: "number", text: "-1" });
    expect(negated(right("-y"))).toMatchObject({ type: "var", name: "y" });
    expect(operatorName(negated(right("-count(a)")))).toBe("count");
    expect(operatorName(negated(right("- (a + b)")))).toBe("plus");
    expect(negated(right("-input.xs[0]"))).toMatchObject({ type: "ref", operands: [{}, {}] });
    const product = right("-a * b");
    expect(operatorName(product)).toBe("mul");
    negated((product as CallTerm).args[0] as Term);
    const difference = right("a - -b");
    expect(operatorName(difference)).toBe("minus");
    expect(negated((difference as CallTerm).args[1] as Term)).toMatchObject({ name: "b" });
    expect(negated(negated(right("-(-y)")))).toMatchObject({ name: "y" });
    expect(right("-y").loc).toMatchObject({ line: 3, column: 6, endColumn: 7 });
  });

  it("parses some, every, not, with and comprehensions", () => {
    const rule = onlyRule(`p if {
	some k, v in input.xs
	some i
	every x in input.ys { x > 1 }
	not input.deny with input as {"deny": false}
	not { input.a; input.b }
	s := {y | y := input.zs[_]}
	o := {k2: v2 | some k2; v2 := input.m[k2]}
	e := set()
}`);
    expect(rule.body.map((expr) => expr.kind)).toEqual([
      "somein",
      "some",
      "every",
      "term",
      "block",
      "assign",
      "assign",
      "assign",
    ]);
    expect(rule.body[3]).toMatchObject({
      negated: true,
      with: [{ target: { head: { name: "input" } } }],
    });
    expect(rule.body[4]).toMatchObject({ negated: true });
    expect(rule.body[7]).toMatchObject({ right: { type: "set", items: [] } });
  });

  it("reads the contains builtin although contains is a keyword", () => {
    expect(operatorName(termOf(firstExpr(`contains("abc", "b")`)))).toBe("contains");
    expect(onlyRule(`p contains x if x := contains("abc", "b")`).head.kind).toBe("partial-set");
  });

  it("reads refs with brackets, composite heads and call heads", () => {
    const expr = firstExpr(`y := f(x).a[0]["b c"][z]`);
    if (expr.kind !== "assign") throw new Error(expr.kind);
    expect(expr.right).toMatchObject({ type: "ref", head: { type: "call" } });
    expect((expr.right as RefTerm).operands.map((operand) => operand.type)).toEqual([
      "string",
      "number",
      "string",
      "var",
    ]);
  });

  it("separates expressions by newlines and semicolons but not inside brackets", () => {
    const rule = onlyRule(`p if {
	x := [1,
		2]; y := 3
	x[0] +
		y == 4
}`);
    expect(rule.body).toHaveLength(3);
  });
});

describe("locations", () => {
  it("spans every node from its first to its last character", () => {
    const module = parseOk(
      `package p\n\nallow if {\n\tinput.user == "bob"\n\tcount(input.xs) > 2\n}\n`,
    );
    const rule = module.rules[0] as Rule;
    expect(module.package.loc).toMatchObject({ line: 1, column: 1, endLine: 1, endColumn: 9 });
    expect(rule.loc).toMatchObject({ line: 3, column: 1, endLine: 6, endColumn: 1 });
    expect(rule.head.loc).toMatchObject({ line: 3, column: 1, endLine: 3, endColumn: 5 });
    expect(
      rule.body.map((expr) => [
        expr.loc.line,
        expr.loc.column,
        expr.loc.endLine,
        expr.loc.endColumn,
      ]),
    ).toEqual([
      [4, 2, 4, 20],
      [5, 2, 5, 20],
    ]);
    const comparison = termOf(rule.body[1] as Expr) as CallTerm;
    expect(comparison.args[0]?.loc).toMatchObject({ line: 5, column: 2, endColumn: 16 });
    expect(comparison.operator.loc).toMatchObject({ line: 5, column: 18 });
  });
});

describe("imports and annotations", () => {
  it("reads imports with aliases", () => {
    const module = parseOk(`package p
import rego.v1
import future.keywords.in
import data.lib.util as u
import input.request`);
    expect(module.imports.map((entry) => entry.alias ?? "")).toEqual(["", "", "u", ""]);
  });

  it("attaches # METADATA blocks with custom fields to rules and packages", () => {
    const module = parseOk(`# METADATA
# title: S3 rules
# scope: subpackages
package tollgate.s3

# METADATA
# title: Bucket is public
# description: Public buckets leak data.
# custom:
#   id: TG-S3-001
#   severity: high
#   category: encryption
#   remediation: Set acl = "private".
deny contains msg if {
	msg := "x"
}
`);
    expect(module.annotations).toMatchObject([{ scope: "subpackages", title: "S3 rules" }]);
    const rule = module.rules[0] as Rule;
    expect(rule.annotations).toHaveLength(1);
    expect(rule.annotations[0]).toMatchObject({
      scope: "rule",
      title: "Bucket is public",
      custom: { id: "TG-S3-001", severity: "high", category: "encryption" },
      loc: { line: 6 },
    });
  });

  it("reports invalid YAML in a # METADATA block at the block", () => {
    const result = parseModule(
      `package p\n\n# METADATA\n# title: [unclosed\nallow := true\n`,
      "m.rego",
    );
    expect(result.errors).toMatchObject([{ code: "rego_parse_error", line: 3, column: 1 }]);
  });
});

describe("warnings", () => {
  const warningsOf = (body: string) => {
    const result = parseModule(`package p_test\n\n${body}\n`, "p_test.rego");
    expect(result.errors).toEqual([]);
    return result.warnings;
  };

  it("reads `x with input as a == b` as OPA does, with (a == b) as the value", () => {
    const expr = firstExpr(`data.p.deny with input as {"a": 1} == {"a": 2}`);
    expect(termOf(expr)).toMatchObject({ type: "ref", head: { name: "data" } });
    const value = expr.with[0]?.value as Term;
    expect(operatorName(value)).toBe("equal");
    expect((value as CallTerm).args.map((arg) => arg.type)).toEqual(["object", "object"]);
  });

  it.each(["==", "!=", "<", "<=", ">", ">="])(
    "warns at the %s of an unparenthesised comparison after 'with ... as'",
    (op) => {
      const warnings = warningsOf(`test_p if {\n\tdata.p.n with input as 1 ${op} 2\n}`);
      expect(warnings).toEqual([
        {
          file: "p_test.rego",
          line: 4,
          column: 27,
          code: "rego_with_comparison",
          message: expect.stringContaining(`'with input as a ${op} b' sets input to (a ${op} b)`),
        },
      ]);
    },
  );

  it("reads `x with input as a in b` and `as k, v in b` as OPA does, the membership as the value", () => {
    const member = firstExpr(`data.p.deny with input as 1 in [1]`);
    expect(termOf(member)).toMatchObject({ type: "ref", head: { name: "data" } });
    expect(operatorName(member.with[0]?.value as Term)).toBe("internal.member_2");
    const keyed = firstExpr(`data.p.deny with input as "k", 1 in {"k": 1}`);
    const value = keyed.with[0]?.value as CallTerm;
    expect(operatorName(value)).toBe("internal.member_3");
    expect(value.args.map((arg) => arg.type)).toEqual(["string", "number", "object"]);
  });

  it("reads `k, v in xs` after ':=' and '=', as a rule's value and as a 'contains' key, as OPA does", () => {
    const assigned = firstExpr(`x := "k", 1 in {"k": 1}`);
    if (assigned.kind !== "assign") throw new Error(assigned.kind);
    expect(operatorName(assigned.right)).toBe("internal.member_3");
    const unified = firstExpr(`x = "k", 1 in {"k": 1}`);
    if (unified.kind !== "unify") throw new Error(unified.kind);
    expect(operatorName(unified.right)).toBe("internal.member_3");
    expect(operatorName(onlyRule(`p := "k", 1 in input`).head.value as Term)).toBe(
      "internal.member_3",
    );
    expect(operatorName(onlyRule(`p contains "k", 1 in input if true`).head.key as Term)).toBe(
      "internal.member_3",
    );
    const elseRule = onlyRule(`p if false\nelse = "k", 1 in input`);
    expect(operatorName(elseRule.else?.head.value as Term)).toBe("internal.member_3");
    const listed = firstExpr(`x := ["k", 1 in {1}]`);
    if (listed.kind !== "assign" || listed.right.type !== "array") throw new Error(listed.kind);
    expect(listed.right.items.map((item) => item.type)).toEqual(["string", "call"]);
  });

  it("warns at the 'in' of an unparenthesised membership after 'with ... as'", () => {
    const warnings = warningsOf(
      [
        "test_a if {",
        "	data.p.n with input as 1 in [1]",
        '	data.p.n with input as "k", 1 in {"k": 1}',
        "}",
      ].join("\n"),
    );
    expect(warnings).toEqual([
      {
        file: "p_test.rego",
        line: 4,
        column: 27,
        code: "rego_with_comparison",
        message: expect.stringContaining(
          "'with input as a in b' sets input to (a in b), a boolean, and compares nothing with the expression's result; write the parentheses if that is meant, or assign first: 'v := expr with input as a', then 'v in b'",
        ),
      },
      {
        file: "p_test.rego",
        line: 5,
        column: 32,
        code: "rego_with_comparison",
        message:
          "'with input as a, b in c' sets input to (a, b in c), a boolean, and compares nothing with the expression's result; write the parentheses if that is meant",
      },
    ]);
  });

  it("names the line and column of each with of a chain, in a rule body of one line or a test", () => {
    const warnings = warningsOf(
      [
        "import data.p",
        "",
        "test_one_line if p.allow with input as {} with data.q as 1 != 2",
        "",
        "test_block if {",
        '\tcount(p.deny) with input as {"resources": []} == 0',
        "}",
      ].join("\n"),
    );
    expect(warnings.map(({ line, column }) => [line, column])).toEqual([
      [5, 60],
      [8, 48],
    ]);
    expect(warnings[0]?.message).toContain("'with data.q as a != b'");
  });

  it("says nothing of a parenthesised comparison, a comparison inside the value, or none", () => {
    expect(
      warningsOf(
        [
          "test_a if data.p.allow with input as (1 == 2)",
          "test_b if data.p.allow with input as [1 == 2]",
          "test_c if data.p.allow with input as f(1 < 2)",
          'test_d if data.p.allow with input as {"a": 1} with data.x as (1 != 2)',
          "test_e if {",
          '\tv := data.p.deny with input as {"a": 1}',
          "\tv == set()",
          "}",
          "test_f if data.p.allow == true with input as {}",
          "test_g if data.p.allow with input as (1 in [1])",
          'test_h if data.p.allow with input as ("k", 1 in {"k": 1})',
          "test_i if data.p.allow with input as [x | some x in [1]]",
          "test_j if 1 in data.p.deny with input as {}",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("warns when only a part of the comparison is parenthesised", () => {
    const warnings = warningsOf("test_a if data.p.allow with input as (1) < (2 + 1)");
    expect(warnings.map(({ line, column }) => [line, column])).toEqual([[3, 42]]);
  });

  it("leaves OPA's conformance modules without warnings", () => {
    const cases = loadConformanceCases(conformanceRoot);
    const warned = cases.flatMap((entry) =>
      entry.modules.flatMap((text) => parseModule(text, entry.file).warnings),
    );
    expect(warned).toEqual([]);
  });
});

describe("errors", () => {
  const cases: [string, number, number, RegExp][] = [
    ["package p\np if {\n\tx := \n}", 4, 1, /expected a term/],
    ['package p\np if { x := "abc }', 2, 13, /unterminated string/],
    ["package p\np { true }", 2, 3, /'if'/],
    ["p := 1", 1, 1, /expected 'package'/],
    ["package p\nimport foo.bar", 2, 8, /must begin with data, input, future or rego/],
    ["package p\np if { x := 1 y := 2 }", 2, 15, /';', a newline or '}'/],
    ["package p\nx := 01", 2, 6, /leading zero/],
    ["package p\nin := 1", 2, 1, /keyword 'in'/],
    ["package p\np if {\n\tx := -\n}", 4, 1, /expected a term/],
    ["package p\nx := -[1", 2, 9, /expected/],
  ];
  it.each(cases)("locates %j", (text, line, column, message) => {
    const result = parseModule(text, "bad.rego");
    expect(result.module).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      file: "bad.rego",
      line,
      column,
      code: "rego_parse_error",
    });
    expect(result.errors[0]?.message).toMatch(message);
  });

  it("bounds nesting depth instead of overflowing the stack", () => {
    const deep = `package p\nx := ${"[".repeat(100_000)}`;
    const result = parseModule(deep, "deep.rego");
    expect(result.errors[0]).toMatchObject({ code: "rego_parse_error", line: 2 });
    expect(result.errors[0]?.message).toMatch(/nesting deeper/);
    const negations = parseModule(`package p\nx := ${"-".repeat(100_000)}y`, "deep.rego");
    expect(negations.errors[0]?.message).toMatch(/nest/);
  });

  it("bounds operator chains, nested chains and else chains, which later stages walk recursively", () => {
    const chain = parseModule(
      `package p\nx := ${Array(50_000).fill("1").join(" + ")}\n`,
      "chain.rego",
    );
    expect(chain.errors[0]).toMatchObject({ line: 2, code: "rego_parse_error" });
    expect(chain.errors[0]?.message).toMatch(/deeper than 200 operators/);
    let nested = "1";
    for (let i = 0; i < 60; i++) nested = `[${nested} + ${Array(40).fill("1").join(" + ")}]`;
    expect(parseModule(`package p\nx := ${nested}\n`, "nested.rego").errors[0]?.message).toBe(
      "expression nested too deeply",
    );
    const elses = `package p\nf(x) := 0 if x == 0 ${Array.from({ length: 300 }, (_, i) => `else := ${i} if x == ${i}`).join(" ")}\n`;
    expect(parseModule(elses, "else.rego").errors[0]?.message).toMatch(
      /at most 200 'else' alternatives/,
    );
  });

  it("returns a located error for 1 MB of random bytes", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const bytes = Array.from({ length: 1 << 20 }, () => String.fromCharCode(random() % 256)).join(
      "",
    );
    const result = parseModule(bytes, "garbage.rego");
    expect(result.module).toBeUndefined();
    expect(result.errors[0]).toMatchObject({ file: "garbage.rego", code: "rego_parse_error" });
    expect(result.errors[0]?.line).toBeGreaterThan(0);
  });

  it("returns a located error for 1 MB of plausible tokens", () => {
    const text = `package p\np if {\n${'x := [1, {"a": y}]\n'.repeat(50_000)}`;
    const result = parseModule(text, "long.rego");
    expect(result.errors[0]).toMatchObject({ code: "rego_parse_error", line: 50_003 });
    expect(result.errors[0]?.message).toBe("unexpected end of file: expected '}'");
  });
});
