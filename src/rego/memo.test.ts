import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compileRego, hostBuiltins } from "./index.js";

// Rule values are computed once per evaluation and per `with` scope. Each rule under test prints
// a marker when its body runs, so the tests see how often it ran as well as what it returned.

async function compile(source: string, entrypoints: string[]) {
  const { wasm } = await compileRego({ "memo.rego": source }, { entrypoints });
  const policy = await loadPolicy(wasm, undefined, hostBuiltins);
  policy.setData({});
  return policy;
}

function printed(spy: { mock: { calls: unknown[][] } }, marker: string): number {
  return spy.mock.calls.filter((call) => call[0] === marker).length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

const rules = `package t

p := input.x if print("p")

pair := [a, b] if {
  a := p
  b := p
}

set_rule contains x if {
  print("set_rule")
  some x in input.xs
}

counts := [count(set_rule), count(set_rule), count(data.t.set_rule)]
`;

describe("rule memo", () => {
  it("evaluates a complete rule once however often an evaluation references it", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const policy = await compile(rules, ["t/pair"]);
    expect(policy.evaluate({ x: 1 }, "t/pair")).toEqual([{ result: [1, 1] }]);
    expect(printed(spy, "p")).toBe(1);
  });

  it("evaluates the full extent of a partial set once", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const policy = await compile(rules, ["t/counts"]);
    expect(policy.evaluate({ xs: [1, 2, 2, 3] }, "t/counts")).toEqual([{ result: [3, 3, 3] }]);
    expect(printed(spy, "set_rule")).toBe(1);
  });

  it("starts afresh on every evaluation", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const policy = await compile(rules, ["t/pair", "t/p"]);
    expect(policy.evaluate({ x: 1 }, "t/pair")).toEqual([{ result: [1, 1] }]);
    expect(policy.evaluate({ x: 2 }, "t/pair")).toEqual([{ result: [2, 2] }]);
    expect(policy.evaluate({ x: 3 }, "t/p")).toEqual([{ result: 3 }]);
  });

  it("caches undefined too, and an undefined value does not survive a `with`", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const source = `${rules}
undefined_twice if {
  not p
  not p
}

then_defined := v if {
  not p
  v := p with input as {"x": 7}
}
`;
    const policy = await compile(source, ["t/undefined_twice", "t/then_defined"]);
    expect(policy.evaluate({}, "t/undefined_twice")).toEqual([{ result: true }]);
    expect(printed(spy, "p")).toBe(1);
    expect(policy.evaluate({}, "t/then_defined")).toEqual([{ result: 7 }]);
  });

  it("gives a rule referenced under `with input` after a plain reference the new input", async () => {
    const source = `${rules}
before_and_after := [a, b, c] if {
  a := p
  b := p with input as {"x": 2}
  c := p
}

set_under_with := [count(set_rule), n] if {
  n := count(set_rule) with input.xs as [9]
}
`;
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const policy = await compile(source, ["t/before_and_after", "t/set_under_with"]);
    expect(policy.evaluate({ x: 1 }, "t/before_and_after")).toEqual([{ result: [1, 2, 1] }]);
    expect(policy.evaluate({ xs: [1, 2] }, "t/set_under_with")).toEqual([{ result: [2, 1] }]);
  });

  it("does not let a value computed under `with` leak out, whichever way the scope is left", async () => {
    // `p == 1` fails inside the with: the evaluation leaves the with's block by a branch, and
    // the memo must be the outer one again for the `p` after it.
    const source = `${rules}
left_by_failure := [a, b] if {
  a := p
  not p == 1 with input as {"x": 2}
  b := p
}

first_under_with := [a, b] if {
  a := p with input as {"x": 2}
  b := p
}
`;
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const policy = await compile(source, ["t/left_by_failure", "t/first_under_with"]);
    expect(policy.evaluate({ x: 1 }, "t/left_by_failure")).toEqual([{ result: [1, 1] }]);
    expect(policy.evaluate({ x: 1 }, "t/first_under_with")).toEqual([{ result: [2, 1] }]);
  });

  it("keeps a rule's own `with` inside it, and sees data replaced by `with`", async () => {
    const source = `package t

v := input.v

w := x if x := v with input as {"v": 2}

chain := [v, w, v]

from_data := data.settings.level

levels := [a, b, c] if {
  a := from_data
  b := from_data with data.settings.level as "high"
  c := from_data
}
`;
    const policy = await compile(source, ["t/chain", "t/levels"]);
    expect(policy.evaluate({ v: 1 }, "t/chain")).toEqual([{ result: [1, 2, 1] }]);
    policy.setData({ settings: { level: "low" } });
    expect(policy.evaluate({}, "t/levels")).toEqual([{ result: ["low", "high", "low"] }]);
  });

  it("memoizes through recursion-free chains and else alternatives", async () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const source = `package t

base := input.n if print("base")

doubled := base * 2

size := "small" if {
  print("size")
  doubled < 10
} else := "medium" if {
  doubled < 100
} else := "large"

sizes := [size, size, s] if s := size with input.n as 60
`;
    const policy = await compile(source, ["t/sizes"]);
    expect(policy.evaluate({ n: 3 }, "t/sizes")).toEqual([{ result: ["small", "small", "large"] }]);
    expect(printed(spy, "base")).toBe(2);
    expect(printed(spy, "size")).toBe(2);
    expect(policy.evaluate({ n: 30 }, "t/sizes")).toEqual([
      { result: ["medium", "medium", "large"] },
    ]);
  });

  it("never writes into a memoized value that a deeper rule head extends", async () => {
    const source = `package t

x := {"a": 1}

p[k] := x if k := input.k

p[k].y := 2 if k := input.k

q := [x, p, x]
`;
    const policy = await compile(source, ["t/q"]);
    expect(policy.evaluate({ k: "k" }, "t/q")).toEqual([
      { result: [{ a: 1 }, { k: { a: 1, y: 2 } }, { a: 1 }] },
    ]);
  });

  it("keeps rules replaced by `with` apart from the originals", async () => {
    const source = `package t

f(x) := x + 1

g(x) := x * 10

uses_f := f(input.n)

both := [a, b, c] if {
  a := uses_f
  b := uses_f with f as g
  c := uses_f
}

q := input.n

replaced := [a, b, c] if {
  a := q
  b := q with q as 100
  c := q
}
`;
    const policy = await compile(source, ["t/both", "t/replaced"]);
    expect(policy.evaluate({ n: 2 }, "t/both")).toEqual([{ result: [3, 20, 3] }]);
    expect(policy.evaluate({ n: 2 }, "t/replaced")).toEqual([{ result: [2, 100, 2] }]);
  });
});
