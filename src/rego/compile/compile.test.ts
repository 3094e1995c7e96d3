import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConformanceCases } from "../conformance/cases.js";
import type { CallTerm, Expr, Module, Rule, Term } from "../syntax/ast.js";
import { formatExpr, formatModule, formatTerm } from "../syntax/printer.js";
import { compileModules, findNode, type CheckedModules } from "./index.js";

function compileOk(text: string, extra: Record<string, string> = {}): CheckedModules {
  const result = compileModules({ "policy.rego": text, ...extra });
  expect(result.errors).toEqual([]);
  if (!result.policy) throw new Error("no policy");
  return result.policy;
}

function errorsOf(text: string) {
  return compileModules({ "policy.rego": text }).errors;
}

function rule(policy: CheckedModules, index = 0): Rule {
  return (policy.modules[0] as Module).rules[index] as Rule;
}

/** The body as text, with renamed locals shown under the names the author wrote. */
function bodyText(policy: CheckedModules, body: Expr[]): string[] {
  return body.map((expr) => formatExpr(expr).replace(/([A-Za-z_][A-Za-z0-9_]*?)__\d+/g, "$1"));
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const conformanceRoot = path.resolve(repoRoot, "../shared/conformance/opa");

describe("compileModules on OPA's conformance cases", () => {
  const cases = loadConformanceCases(conformanceRoot)
    .filter((entry) => entry.modules.length > 0)
    .map((entry) => ({ ...entry, name: `${entry.file}: ${entry.note}` }));

  it("compiles every case, rejecting only builtins Tollgate does not provide", () => {
    const unexpected: string[] = [];
    let compiled = 0;
    for (const entry of cases) {
      const modules = Object.fromEntries(entry.modules.map((text, i) => [`test-${i}.rego`, text]));
      const result = compileModules(modules);
      if (result.policy) compiled++;
      for (const error of result.errors) {
        if (!error.message.startsWith("unsupported builtin function"))
          unexpected.push(`${entry.name}: ${error.message}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(compiled).toBeGreaterThan(430);
  });

  it("produces modules that print as Rego which compiles again", () => {
    for (const entry of cases) {
      const result = compileModules(
        Object.fromEntries(entry.modules.map((text, i) => [`test-${i}.rego`, text])),
      );
      if (!result.policy) continue;
      const printed = Object.fromEntries(
        result.policy.modules.map((module) => [module.file, formatModule(module)]),
      );
      expect(compileModules(printed).errors, entry.name).toEqual([]);
    }
  });
});

describe("safety and reordering", () => {
  it("moves an expression after the one that binds its input", () => {
    const policy = compileOk(`package t\np := x if {\n\tx = y + 1\n\ty = 2\n}\n`);
    expect(bodyText(policy, rule(policy).body)).toEqual(["y = 2", "x = (y + 1)"]);
  });

  it("orders comprehension bodies and binds captured outer vars first", () => {
    const policy = compileOk(`package t
p := c if {
	c := [v | i < n; v := ys[i]]
	ys = [1, 2, 3]
	n = 2
}`);
    const body = rule(policy).body;
    expect(bodyText(policy, body)).toEqual([
      "ys = [1, 2, 3]",
      "n = 2",
      "c := [v | v := ys[i]; (i < n)]",
    ]);
  });

  it("binds vars through iteration, output arguments and some-in", () => {
    compileOk(`package t
p contains [k, n, v] if {
	count(input.xs, n)
	some k, v in input.m
	input.ys[j] == v
	j > 0
}`);
  });

  it("keeps a closure's own vars apart from later declarations of the same name", () => {
    compileOk(`package t
xs := {"a", "b"}
p := x if {
	y := {x | xs[x]}
	x := count(y)
}`);
  });

  it("reports an unsafe var at its location with the written name", () => {
    expect(errorsOf(`package t\np if {\n\tx > 1\n}\n`)).toEqual([
      {
        file: "policy.rego",
        line: 3,
        column: 2,
        code: "rego_unsafe_var_error",
        message: "var x is unsafe",
      },
    ]);
  });

  it("reports unsafe head vars and unsafe vars in negation", () => {
    const errors = errorsOf(`package t\np[k] := 1 if input.a\nq if not input.xs[i] == 1\n`);
    expect(errors.map((e) => [e.line, e.code, e.message])).toEqual([
      [2, "rego_unsafe_var_error", "var k is unsafe"],
      [3, "rego_unsafe_var_error", "var i is unsafe"],
    ]);
  });

  it("checks the vars of a comprehension head against its own body", () => {
    const errors = errorsOf(`package t\np := [x | y := 1]\n`);
    expect(errors).toMatchObject([
      { line: 2, column: 7, code: "rego_unsafe_var_error", message: "var x is unsafe" },
    ]);
  });
});

describe("declarations and name resolution", () => {
  it("rejects := after a reference and redeclaration, as OPA does", () => {
    expect(errorsOf(`package t\np if {\n\tx := y + 1\n\ty := 2\n}\n`)).toMatchObject([
      { line: 4, column: 2, code: "rego_compile_error", message: "var y referenced above" },
    ]);
    expect(errorsOf(`package t\np if {\n\tx := 1\n\tx := 2\n}\n`)).toMatchObject([
      { line: 4, code: "rego_compile_error", message: "var x assigned above" },
    ]);
    expect(errorsOf(`package t\np if {\n\tinput := 1\n}\n`)).toMatchObject([
      {
        code: "rego_compile_error",
        message: "variables must not shadow input (use a different variable name)",
      },
    ]);
  });

  it("renames locals uniquely so shadowing never reaches the planner", () => {
    const policy = compileOk(`package t
p := [x, y] if {
	x := 1
	y := [x | x := 2]
}`);
    const [outer, inner] = rule(policy).body as [Expr, Expr];
    if (outer.kind !== "assign" || inner.kind !== "assign") throw new Error("assign expected");
    const outerName = formatTerm(outer.left);
    const comprehension = inner.right;
    if (comprehension.type !== "arraycomprehension") throw new Error("comprehension expected");
    expect(formatTerm(comprehension.term)).not.toBe(outerName);
    expect(policy.originalNames.get(outerName)).toBe("x");
  });

  it("resolves package rules and import aliases to full refs", () => {
    const policy = compileOk(
      `package t
import data.lib.util as u
import input.request
allow if {
	u.ok(request.user)
	threshold > 1
}
threshold := 2`,
      { "lib.rego": `package lib.util\nok(x) if x != ""\n` },
    );
    const [call, comparison] = rule(policy).body as [Expr, Expr];
    if (call.kind !== "term" || comparison.kind !== "term") throw new Error("terms expected");
    expect(formatTerm(call.term)).toBe("data.lib.util.ok(input.request.user)");
    expect(formatTerm((comparison.term as CallTerm).args[0] as Term)).toBe("data.t.threshold");
  });

  it("accepts the output-argument form of builtins and functions", () => {
    compileOk(`package t\nf(x) := x + 1\np := [n, m] if {\n\tcount([1], n)\n\tf(1, m)\n}\n`);
  });
});

describe("rule tree and cross-rule checks", () => {
  it("places ref-head rules at their ground prefix", () => {
    const policy = compileOk(`package t\na.b.c := 1\na.b[x].d := 2 if x := "k"\nf(x) := x\n`);
    expect(findNode(policy.tree, ["t", "a", "b", "c"])?.kind).toBe("complete");
    expect(findNode(policy.tree, ["t", "a", "b"])?.kind).toBe("partial-object");
    expect(findNode(policy.tree, ["t", "f"])).toMatchObject({ kind: "function", arity: 1 });
  });

  it("rejects conflicting kinds, defaults, arities and nesting", () => {
    const cases: [string, RegExp][] = [
      [
        `p := 1\np contains 2`,
        /conflicting rules data.t.p found: complete rule at policy.rego:2 and partial set rule/,
      ],
      [
        `default p := 1\ndefault p := 2`,
        /multiple default rules data.t.p found at policy.rego:2, policy.rego:3/,
      ],
      [
        `f(x) := 1\nf(x, y) := 2`,
        /conflicting rules data.t.f found: function of arity 1 at policy.rego:2 and of arity 2/,
      ],
      [`p := 1\np.q := 2`, /rule data.t.p conflicts with \[data.t.p.q\]/],
      [`f(x) := 1\np := f(1, 2, 3)`, /function data.t.f has arity 1, got 3 arguments/],
    ];
    for (const [text, message] of cases) {
      const errors = errorsOf(`package t\n${text}\n`);
      expect(
        errors.map((e) => e.code),
        text,
      ).toEqual(["rego_type_error"]);
      expect(errors[0]?.message).toMatch(message);
    }
  });

  it("reports recursion with its cycle", () => {
    const errors = errorsOf(`package t\np if q\nq if r\nr if p\n`);
    expect(errors).toEqual([
      {
        file: "policy.rego",
        line: 2,
        column: 1,
        code: "rego_recursion_error",
        message: "rule data.t.p is recursive: data.t.p -> data.t.q -> data.t.r -> data.t.p",
      },
    ]);
    expect(errorsOf(`package t\nf(x) := f(x)\n`)[0]?.code).toBe("rego_recursion_error");
  });

  it("reads `data` alone as every rule, the reading one too, as OPA does", () => {
    for (const body of [`object.get(data, ["a", "n"], 1)`, "count(data)", "[x | x := data][0]"])
      expect(errorsOf(`package t\np := ${body}\n`), body).toEqual([
        {
          file: "policy.rego",
          line: 2,
          column: 1,
          code: "rego_recursion_error",
          message: "rule data.t.p is recursive: data.t.p -> data.t.p",
        },
      ]);
    // A path into `data` still reads only the rules along it.
    compileOk(`package t\nq := 1\np := data.t.q + count(data.u)\n`, {
      "u.rego": "package u\nr := 2\n",
    });
  });

  it("rejects unknown and unsupported builtins and bad arities", () => {
    expect(errorsOf(`package t\np := foo.bar(1)\n`)).toMatchObject([
      { line: 2, column: 6, code: "rego_type_error", message: "undefined function foo.bar" },
    ]);
    expect(errorsOf(`package t\np := http.send({})\n`)[0]?.message).toMatch(
      /unsupported builtin function http.send/,
    );
    expect(errorsOf(`package t\np := count(1, 2, 3)\n`)[0]?.message).toMatch(
      /count: arity mismatch/,
    );
  });

  it("checks with targets", () => {
    compileOk(
      `package t\nf(x) := x\np := y if y := f(1) with f as count with input.a as 1 with data.x as 2\n`,
    );
    expect(errorsOf(`package t\np if true with foo as 1\n`)[0]).toMatchObject({
      code: "rego_compile_error",
    });
  });

  it("reports arguments whose static type a builtin does not accept, in OPA's form", () => {
    expect(errorsOf(`package t\np := 1 + "a"\n`)).toEqual([
      {
        file: "policy.rego",
        line: 2,
        column: 6,
        code: "rego_type_error",
        message: "plus: invalid argument(s) have: (number, string) want: (number, number)",
      },
    ]);
    const messages = (body: string) =>
      errorsOf(`package t\np if {\n\t${body}\n}\n`).map((e) => e.message);
    expect(messages("count(5) > 0")).toEqual([
      "count: invalid argument(s) have: (number) want: (any<array, set, object, string>)",
    ]);
    expect(messages(`concat(",", 5) == ""`)).toEqual([
      "concat: invalid argument(s) have: (string, number) want: (string, any<array, set>)",
    ]);
    // A builtin's declared result is a static type too; refs, vars and user functions are not.
    expect(messages(`upper(count(input.x)) == ""`)).toEqual([
      "upper: invalid argument(s) have: (number) want: (string)",
    ]);
    expect(
      messages(`x := 5\n\tcount(x) > 0\n\tcount(input.x) > 0\n\tcount(json.unmarshal("5")) > 0`),
    ).toEqual([]);
    expect(messages(`{1} - 1 == {1}`)).toEqual([]);
    expect(messages(`count([1], n)\n\tn == 1`)).toEqual([]);
  });

  it("allows the output argument only in a call that is a whole expression", () => {
    expect(
      errorsOf(`package t\nf(x) := x\np if {\n\tf(1, y)\n\ty == 1\n\tnot f(1, 2)\n}\n`),
    ).toEqual([]);
    expect(
      errorsOf(`package t\nf(x) := x\np if {\n\tv := f(1, "extra")\n\tv == 1\n}\n`),
    ).toMatchObject([
      {
        line: 4,
        code: "rego_type_error",
        message: "function data.t.f has arity 1, got 2 arguments",
      },
    ]);
    expect(errorsOf(`package t\np := count([1], 1)\n`)).toMatchObject([
      {
        line: 2,
        code: "rego_type_error",
        message: "count: arity mismatch: have 2 arguments, want 1",
      },
    ]);
  });

  it("stops after the first of OPA's stages that finds errors, with all of that stage's", () => {
    const stageOf = (body: string) =>
      errorsOf(`package t\n${body}\n`).map((e) => `${e.line}:${e.code}: ${e.message}`);
    // CheckSafetyRuleBodies runs before CheckTypes: the unsafe var is the error, not the type error
    // of the same rule, and every unsafe var of every rule is listed.
    expect(stageOf(`p if count(5) > x\nq if y > 1`)).toEqual([
      "2:rego_unsafe_var_error: var x is unsafe",
      "3:rego_unsafe_var_error: var y is unsafe",
    ]);
    // CheckUndefinedFuncs before the safety checks.
    expect(stageOf(`p if foo(x)\nq if y > 1`)).toEqual([
      "2:rego_type_error: undefined function foo",
    ]);
    // CheckRuleConflicts before CheckUndefinedFuncs.
    expect(stageOf(`p := 1\np contains 2\nq := foo(1)`)).toEqual([
      "3:rego_type_error: conflicting rules data.t.p found: complete rule at policy.rego:2 and partial set rule (contains)",
    ]);
    // RewriteWithValues before CheckRuleConflicts.
    expect(stageOf(`p := 1\np contains 2\nq if true with foo as 1`)).toEqual([
      "4:rego_compile_error: invalid with target foo: must be input, data or a function",
    ]);
    // Name resolution (ResolveRefs, RewriteLocalVars) first of all.
    expect(stageOf(`p if {\n\tx := 1\n\tx := 2\n}\nq := foo(1)`)).toEqual([
      "4:rego_compile_error: var x assigned above",
    ]);
    // CheckRecursion before CheckTypes.
    expect(stageOf(`p if q\nq if p\nr := 1 + "a"`)).toEqual([
      "2:rego_recursion_error: rule data.t.p is recursive: data.t.p -> data.t.q -> data.t.p",
    ]);
    expect(stageOf(`r := 1 + "a"\ns := upper(1)`)).toEqual([
      "2:rego_type_error: plus: invalid argument(s) have: (number, string) want: (number, number)",
      "3:rego_type_error: upper: invalid argument(s) have: (number) want: (string)",
    ]);
  });

  it("returns parse errors without compiling", () => {
    expect(
      compileModules({ "a.rego": "package a\np if {", "b.rego": "package b\nq := 1" }).errors,
    ).toMatchObject([{ file: "a.rego", code: "rego_parse_error" }]);
  });
});

describe("hostile and broken input", () => {
  it("orders a 20 000-expression body written in reverse dependency order", () => {
    const lines = Array.from({ length: 19_999 }, (_, i) => `\tx${i} = x${i + 1}`);
    const policy = compileOk(`package t\np := x0 if {\n${lines.join("\n")}\n\tx19999 = 1\n}\n`);
    const body = rule(policy).body;
    expect(body).toHaveLength(20_000);
    expect(formatExpr(body[0] as Expr)).toMatch(/^x19999__\d+ = 1$/);
  });

  it("walks a 20 000-rule dependency chain without recursion, and finds a cycle at its end", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => `p${i} if p${i + 1}`).join("\n");
    compileOk(`package t\n${chain}\np20000 := true\n`);
    const errors = errorsOf(`package t\n${chain}\np20000 if p19999\n`);
    expect(errors.map((e) => e.code)).toEqual(["rego_recursion_error"]);
    expect(errors[0]?.message).toMatch(/data.t.p19999 -> data.t.p20000 -> data.t.p19999$/);
  });

  it("rejects absurdly long package paths and rule head refs at parse time", () => {
    expect(errorsOf(`package a${".b".repeat(5000)}\nq := 1\n`)[0]?.message).toMatch(
      /at most 200 names/,
    );
    expect(errorsOf(`package a\nq${".b".repeat(5000)} := 1\n`)[0]?.message).toMatch(
      /at most 200 parts/,
    );
  });

  it("never throws on conformance modules with random spans deleted or duplicated", () => {
    const texts = loadConformanceCases(conformanceRoot).flatMap((entry) => entry.modules);
    let seed = 11;
    const random = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % Math.max(1, limit);
    };
    let rejected = 0;
    for (let round = 0; round < 3; round++) {
      for (const text of texts) {
        const start = random(text.length);
        const length = 1 + random(12);
        const span = text.slice(start, start + length);
        const mutated =
          random(2) === 0
            ? text.slice(0, start) + text.slice(start + length)
            : text.slice(0, start) + span + text.slice(start);
        const result = compileModules({ "m.rego": mutated });
        for (const error of result.errors) {
          expect(error.file).toBe("m.rego");
          expect(error.line).toBeGreaterThan(0);
          expect(error.column).toBeGreaterThan(0);
          expect(error.code).toMatch(/^rego_/);
        }
        if (!result.policy) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
