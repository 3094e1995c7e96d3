import { describe, expect, it } from "vitest";
import { compileModules, type CheckedModules } from "../compile/index.js";
import { formatPolicy, PlanError, planPolicy } from "./index.js";

function check(...sources: string[]): CheckedModules {
  const result = compileModules(
    Object.fromEntries(sources.map((source, index) => [`m${index}.rego`, source])),
  );
  expect(result.errors).toEqual([]);
  if (result.policy === undefined) throw new Error("no policy");
  return result.policy;
}

function plan(entrypoints: string[], ...sources: string[]): string {
  return formatPolicy(planPolicy(check(...sources), entrypoints));
}

describe("planPolicy", () => {
  it("plans an entrypoint as a call of the rule's func wrapped in a result set", () => {
    const text = plan(["x/p"], "package x\np := 1\n");
    expect(text).toContain(
      'plan x/p\n  Call func="g0.data.x.p" (%0, %1) result=%2\n  MakeObject target=%3\n',
    );
    expect(text).toContain('ObjectInsert key="result" value=%2 object=%3');
    expect(text).toContain("ResultSetAdd value=%3");
    expect(text).toContain("AssignVarOnce source=%3 target=%2");
  });

  it("plans a partial set as a set built by every body, iterating with Scan", () => {
    const text = plan(["x/q"], "package x\nq contains y if {\n  some y in input.xs\n  y > 1\n}\n");
    expect(text).toContain("MakeSet target=%2");
    expect(text).toMatch(/scan %3 key=%4 value=%5\n(.*\n)*\s+SetAdd value=%5 set=%2/);
    expect(text).toContain("builtins: gt/2");
  });

  it("plans partial objects with conflict-checked inserts, nested for multi-level heads", () => {
    const text = plan(["x/r"], "package x\nr[k].name := v if {\n  v := input.obj[k]\n}\n");
    expect(text).toContain("MakeObject target=%2");
    expect(text).toContain("ObjectInsertOnce");
    expect(text).toContain("IsUndefined");
  });

  it("guards else alternatives so each runs only when the ones before did not match", () => {
    const text = plan(["x/p"], "package x\np := 1 if input.a\nelse := 2 if input.b\nelse := 3\n");
    expect(text.match(/IsUndefined source=%3/g)?.length).toBe(2);
  });

  it("reads base data when a reference leaves the rule tree and builds the package extent", () => {
    const text = plan(["x"], "package x\np := data.y.z\n");
    expect(text).toContain('Dot source=%1 key="y"');
    expect(text).toContain("func extent0.data.x(%0, %1)");
    expect(text).toContain("ObjectMerge");
  });

  it("passes function arguments after input and data and unifies patterns", () => {
    const text = plan(["x/s"], "package x\nf([a, b]) := a + b\ns := f([1, 2])\n");
    expect(text).toContain("func g0.data.x.f(%0, %1, %2) -> %3");
    expect(text).toContain("IsArray source=%2");
    expect(text).toMatch(/Call func="g0.data.x.f" \(%0, %1, %\d+\)/);
  });

  it("plans `with input` as a With block and restores input for the rest of the body", () => {
    const text = plan(
      ["x/p"],
      "package x\nq := input.a\np if {\n  q == 1 with input.a as 1\n  input.b\n}\n",
    );
    expect(text).toMatch(/with %0\["a"\] = %\d+\n(.*\n)*\s+with %0 = %\d+/);
  });

  it("specialises callees under a function mock", () => {
    const text = plan(
      ["x/p"],
      "package x\nf(a) := a\ng(a) := 7\nq := f(1)\np := y if {\n  y := q with f as g\n}\n",
    );
    expect(text).toContain("func g1.data.x.q");
    expect(text).toMatch(/func g1.data.x.q[^]*Call func="g\d.data.x.g"/);
  });

  it("plans every as a search for a counterexample", () => {
    const text = plan(["x/p"], "package x\np if {\n  every x in input.xs {\n    x > 0\n  }\n}\n");
    expect(text).toMatch(/not\n\s+scan[^]*not\n[^]*AssignVar source=true[^]*IsDefined/);
  });
});

describe("rego.metadata", () => {
  it("plans rego.metadata.rule() as the calling rule's METADATA block, a constant", () => {
    const source =
      "package x\n\n# METADATA\n# title: Public bucket\n# custom:\n#   id: TG-1\np := rego.metadata.rule()\n";
    const text = plan(["x/p"], source);
    expect(text).toContain('"Public bucket"');
    expect(text).toContain('"TG-1"');
    expect(text).not.toContain('Call func="rego.metadata.rule"');
  });
});

describe("planner bounds", () => {
  it("plans a 5,000-expression body without exhausting the stack", () => {
    const body = Array.from({ length: 5000 }, (_, i) => `  x${i} := input.a[${i}]`).join("\n");
    const text = plan(["d/p"], `package d\np if {\n${body}\n}\n`);
    expect(text.match(/Dot source=%0 key="a"/g)?.length).toBe(5000);
  });

  it("reports absurdly nested iteration as a located error instead of throwing RangeError", () => {
    const body = Array.from({ length: 20000 }, (_, i) => `  some x${i} in input.a`).join("\n");
    expect(() => planPolicy(check(`package d\np if {\n${body}\n}\n`), ["d/p"])).toThrow(PlanError);
  });
});

describe("with on virtual documents", () => {
  it("replaces a whole rule by reading the replaced data instead of calling it", () => {
    const text = plan(["x/p"], "package x\nq := 1\np := y if {\n  y := q with data.x.q as 2\n}\n");
    expect(text).toMatch(/with %1\["x"\]\["q"\] = %\d+\n\s+Dot source=%1 key="x"/);
  });

  it("rejects replacing part of a rule's value", () => {
    const checked = check(
      'package x\nq := {"a": 1}\np := y if {\n  y := q with data.x.q.a as 2\n}\n',
    );
    expect(() => planPolicy(checked, ["x/p"])).toThrow(/cannot partially replace/);
  });
});
