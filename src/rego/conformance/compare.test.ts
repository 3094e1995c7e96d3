import { describe, expect, it } from "vitest";
import type { ConformanceCase } from "./cases.js";
import { builtinsOutsideRequired } from "./cases.js";
import { canonical, judge } from "./compare.js";
import { describeError, planQuery } from "./evaluate.js";

function testCase(fields: Partial<ConformanceCase>): ConformanceCase {
  return {
    folder: "f",
    file: "f/a.yaml",
    note: "f/a",
    query: "data.p.q = x",
    modules: [],
    sortBindings: false,
    strictError: false,
    ...fields,
  };
}

describe("judge", () => {
  it("compares bindings as JSON regardless of object key order", () => {
    const c = testCase({ wantResult: [{ x: { a: 1, b: [2] } }] });
    expect(judge(c, { kind: "results", bindings: [{ x: { b: [2], a: 1 } }] }).passed).toBe(true);
    expect(judge(c, { kind: "results", bindings: [{ x: { b: [3], a: 1 } }] }).passed).toBe(false);
    expect(judge(c, { kind: "results", bindings: [] }).passed).toBe(false);
  });

  it("ignores the order of rows and of array values only with sort_bindings", () => {
    const want = [{ x: [null, 0, [], {}] }];
    const got = [{ x: [0, {}, null, []] }];
    expect(judge(testCase({ wantResult: want }), { kind: "results", bindings: got }).passed).toBe(
      false,
    );
    expect(
      judge(testCase({ wantResult: want, sortBindings: true }), { kind: "results", bindings: got })
        .passed,
    ).toBe(true);
  });

  it("accepts an error by its code or message and rejects results when an error is wanted", () => {
    const c = testCase({
      wantErrorCode: "eval_conflict_error",
      wantError: "complete rules must not produce multiple outputs",
    });
    expect(
      judge(c, { kind: "error", stage: "eval", text: "x.rego:3:1: eval_conflict_error: boom" })
        .passed,
    ).toBe(true);
    expect(
      judge(c, { kind: "error", stage: "eval", text: "x.rego:3:1: eval_type_error: boom" }).passed,
    ).toBe(false);
    expect(judge(c, { kind: "results", bindings: [{ x: 1 }] }).passed).toBe(false);
    expect(
      judge(testCase({ wantResult: [] }), { kind: "error", stage: "compile", text: "bad" }).passed,
    ).toBe(false);
  });

  it("matches OPA's `file:line:` messages against ours, which add a column", () => {
    const c = testCase({
      wantError: "test-0.rego:4: eval_type_error: f: operand 1 must be number",
    });
    const text = "test-0.rego:4:2: eval_type_error: f: operand 1 must be number but got string";
    expect(judge(c, { kind: "error", stage: "eval", text }).passed).toBe(true);
    expect(
      judge(c, { kind: "error", stage: "eval", text: text.replace(":4:2:", ":5:2:") }).passed,
    ).toBe(false);
  });

  it("prints canonical JSON with sorted keys", () => {
    expect(canonical({ b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
  });
});

describe("planQuery", () => {
  it("maps `data.a.b = x` to the entrypoint a/b", () => {
    const plan = planQuery(testCase({ query: "data.a.b = x", modules: ["package a\nb := 1\n"] }));
    expect(plan.entrypoint).toBe("a/b");
    expect(plan.bindings([{ result: 1 }])).toEqual([{ x: 1 }]);
    expect(plan.bindings([])).toEqual([]);
  });

  it("wraps any other query in a generated rule collecting the bindings", () => {
    const plan = planQuery(testCase({ query: "data.p.f(1)", wantResult: [] }));
    expect(plan.entrypoint).toBe("__tollgate_conformance__/results");
    expect(plan.modules["query.rego"]).toContain("data.p.f(1)");
    expect(plan.bindings([{ result: [{}] }])).toEqual([{}]);
  });
});

describe("builtinsOutsideRequired", () => {
  it("finds builtin calls outside the required list, not user functions or imports", () => {
    const modules = [
      'package a\nimport data.lib\nf(x) := x\np := [f(1), lib.g(2), count([]), uuid.rfc4122("k"), set()]\nq := 1 if { 1 with count as graphql.parse }\n',
    ];
    expect(builtinsOutsideRequired(modules, "data.a.p = x")).toEqual([
      "graphql.parse",
      "uuid.rfc4122",
    ]);
  });
});

describe("describeError", () => {
  it("reads an abort's text as the module wrote it, not as the SDK decoded it", () => {
    expect(describeError("r\uFFC3\uFFA8gle.rego:3:8: eval_type_error: \uFFC3\uFFA9")).toBe(
      "règle.rego:3:8: eval_type_error: é",
    );
  });
});
