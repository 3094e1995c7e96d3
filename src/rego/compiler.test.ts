import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it, vi } from "vitest";
import { compileRego, hostBuiltins, RegoCompileError } from "./index.js";

async function evaluate(
  source: string,
  entrypoint: string,
  input: unknown,
  data: object = {},
): Promise<unknown> {
  const { wasm, entrypoints } = await compileRego(
    { "policy.rego": source },
    { entrypoints: [entrypoint] },
  );
  expect(entrypoints).toEqual({ [entrypoint]: 0 });
  const policy = await loadPolicy(wasm, undefined, hostBuiltins);
  policy.setData(data);
  return policy.evaluate(input, entrypoint);
}

const library = `package tollgate.rules.s3

# METADATA
# title: S3 bucket without versioning
# custom:
#   id: TG-S3-001
deny contains finding if {
  some r in input.resources
  r.type == "aws_s3_bucket"
  not r.values.versioning
  finding := {"resource": r.address, "id": rego.metadata.rule().custom.id}
}

names := {r.address | some r in input.resources}

all_tagged if {
  every r in input.resources {
    r.values.tags.owner
  }
}

owner_of(r) := r.values.tags.owner

owner_of(r) := "nobody" if not r.values.tags.owner

owners[address] := owner if {
  some r in input.resources
  address := r.address
  owner := owner_of(r)
}

counted := n if {
  n := count(input.resources) with input.resources as [1, 2, 3]
}
`;

const input = {
  resources: [
    {
      address: "aws_s3_bucket.a",
      type: "aws_s3_bucket",
      values: { versioning: true, tags: { owner: "web" } },
    },
    { address: "aws_s3_bucket.b", type: "aws_s3_bucket", values: {} },
  ],
};

describe("compileRego through OPA's SDK", () => {
  it("gives a partial set rule's clauses apart, each with where it is written", async () => {
    const source = `package t

import rego.v1

deny contains x if some x in input.a

deny contains "b" if input.b

deny contains x if {
\tsome x in input.a
\tx > 1
}

other := n if n := count(deny) with input.b as false
`;
    const { wasm, entrypoints } = await compileRego(
      { "policy.rego": source },
      { entrypoints: ["t/deny", "t/other"], clauses: ["t/deny", "t/other"] },
    );
    expect(entrypoints).toEqual({
      "t/deny": 0,
      "t/other": 1,
      "t/deny#clauses": 2,
      "t/other#clauses": 3,
    });
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const input = { a: [1, 2], b: true };
    expect(policy.evaluate(input, "t/deny")).toEqual([{ result: [1, 2, "b"] }]);
    expect(policy.evaluate(input, "t/other")).toEqual([{ result: 2 }]);
    expect(policy.evaluate(input, "t/deny#clauses")).toEqual([
      {
        result: [
          ["policy.rego", 5, 1, [1, 2]],
          ["policy.rego", 7, 1, ["b"]],
          ["policy.rego", 9, 1, [2]],
        ],
      },
    ]);
    // A rule of another kind has no clauses to give.
    expect(policy.evaluate(input, "t/other#clauses")).toEqual([{ result: [] }]);
  });

  it("evaluates a partial set rule with iteration, negation and rule metadata", async () => {
    const result = await evaluate(library, "tollgate/rules/s3/deny", input);
    expect(result).toEqual([{ result: [{ id: "TG-S3-001", resource: "aws_s3_bucket.b" }] }]);
  });

  it("evaluates comprehensions, every, functions with several definitions and partial objects", async () => {
    expect(await evaluate(library, "tollgate/rules/s3/names", input)).toEqual([
      { result: ["aws_s3_bucket.a", "aws_s3_bucket.b"] },
    ]);
    expect(await evaluate(library, "tollgate/rules/s3/all_tagged", input)).toEqual([]);
    expect(await evaluate(library, "tollgate/rules/s3/owners", input)).toEqual([
      { result: { "aws_s3_bucket.a": "web", "aws_s3_bucket.b": "nobody" } },
    ]);
  });

  it("applies `with` to the expression only", async () => {
    expect(await evaluate(library, "tollgate/rules/s3/counted", input)).toEqual([{ result: 3 }]);
  });

  it("evaluates the package extent merged with base data", async () => {
    const source = "package a\n\np := 1\n\nq contains x if some x in [1, 2]\n";
    expect(await evaluate(source, "a", undefined, { a: { base: true } })).toEqual([
      { result: { base: true, p: 1, q: [1, 2] } },
    ]);
  });

  it("raises OPA's conflict error when a complete rule has two values", async () => {
    const source = "package a\n\np := x if some x in input\n";
    await expect(evaluate(source, "a/p", [1, 2])).rejects.toThrow(
      "policy.rego:3:1: eval_conflict_error: complete rules must not produce multiple outputs (data.a.p)",
    );
  });

  it("accepts a rule assigned with := twice, as OPA v1 does, and names both lines on a conflict", async () => {
    // OPA v1 has no compile-time "rule redeclared" error: the definitions conflict only when
    // they give different values (eval_conflict_error), and agree otherwise.
    const source = [
      "package a",
      "",
      "p := 1",
      "",
      "p := input.p",
      "",
      "f(x) := 1",
      "",
      "f(x) := 2 if x > 0",
      "",
      "g := f(input.p)",
      "",
    ].join("\n");
    expect(await evaluate(source, "a/p", { p: 1 })).toEqual([{ result: 1 }]);
    await expect(evaluate(source, "a/p", { p: 2 })).rejects.toThrow(
      "policy.rego:5:1: eval_conflict_error: complete rules must not produce multiple outputs (data.a.p, also defined at policy.rego:3)",
    );
    expect(await evaluate(source, "a/g", { p: 0 })).toEqual([{ result: 1 }]);
    await expect(evaluate(source, "a/g", { p: 1 })).rejects.toThrow(
      "policy.rego:9:1: eval_conflict_error: functions must not produce multiple outputs for same inputs (data.a.f, also defined at policy.rego:7)",
    );
  });

  it("names at most three other definitions of a rule in conflict", async () => {
    // Each definition's message is static data; naming every other one grows as k² with k.
    const source = ["package a", "", ...[1, 2, 3, 4, 5].map((n) => `p := ${n} if input.p == ${n}`)];
    source.push("p := 9 if input.p == 1", "");
    await expect(evaluate(source.join("\n"), "a/p", { p: 1 })).rejects.toThrow(
      "complete rules must not produce multiple outputs (data.a.p, also defined at policy.rego:3, policy.rego:4, policy.rego:5 and 2 more)",
    );
  });

  it("rejects a bad policy with located errors instead of throwing on the way", async () => {
    const rejection = compileRego(
      { "bad.rego": "package a\n\np if {\n  x > 1\n}\n" },
      { entrypoints: ["a/p"] },
    );
    await expect(rejection).rejects.toBeInstanceOf(RegoCompileError);
    const error = (await rejection.catch((e: unknown) => e)) as RegoCompileError;
    expect(error.errors[0]).toMatchObject({
      file: "bad.rego",
      line: 4,
      code: "rego_unsafe_var_error",
    });
  });
});

describe("with ... as a comparison", () => {
  const source = `package t

kind := type_name(input)

unparenthesised := k if k := kind with input as {"a": 1} == {"a": 2}

parenthesised := k if k := kind with input as ({"a": 1} == {"a": 2})

membership := k if k := kind with input as 1 in [1]

keyed_membership := k if k := kind with input as "k", 1 in {"k": 1}
`;

  it("sets the target to the comparison's or membership's result, as OPA does, and warns where it is unparenthesised", async () => {
    const entrypoints = [
      "t/unparenthesised",
      "t/parenthesised",
      "t/membership",
      "t/keyed_membership",
    ];
    const { wasm, warnings } = await compileRego({ "t.rego": source }, { entrypoints });
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    for (const entrypoint of entrypoints)
      expect(policy.evaluate({}, entrypoint)).toEqual([{ result: "boolean" }]);
    expect(warnings.map(({ file, line, column, code }) => ({ file, line, column, code }))).toEqual([
      { file: "t.rego", line: 5, column: 58, code: "rego_with_comparison" },
      { file: "t.rego", line: 9, column: 46, code: "rego_with_comparison" },
      { file: "t.rego", line: 11, column: 57, code: "rego_with_comparison" },
    ]);
  });
});

describe("walk", () => {
  it("iterates every path and value of a document", async () => {
    const source =
      'package a\n\npaths contains path if {\n  walk(input, [path, value])\n  value == "x"\n}\n';
    expect(await evaluate(source, "a/paths", { a: ["y", "x"], b: { c: "x" } })).toEqual([
      {
        result: [
          ["a", 1],
          ["b", "c"],
        ],
      },
    ]);
  });
});

// OPA iterates sets and objects in Rego's order of their keys (null < boolean < number < string
// < array < object < set), whatever order they were built in: a message built from a set reads
// the same when a pull request merely reorders the list it came from.
describe("iteration order of sets and objects", () => {
  const source = `package order

import rego.v1

elements := [x | some x in {"b", "a", 3, 1, [2], {"k": 1}, "c", false, null}]

keys := [k | some k, _ in {"z": 1, "a": 2, "m": 3, 10: 4, 2: 5}]

values := [v | some _, v in input.tags]

actions := [a | some a in {a | some a in input.actions}]

walked := [path | walk(input.tags, [path, _])]

message := sprintf("allows %s", [concat(", ", [a | some a in {a | some a in input.actions}])])

totals := [sum({x | some x in input.numbers}), max({x | some x in input.numbers})]
`;
  const run = async (entrypoint: string, data: object) => {
    const [row] = (await evaluate(source, `order/${entrypoint}`, data)) as { result: unknown }[];
    return row?.result;
  };
  const input = {
    tags: { Owner: "web", Env: "prod", Name: "site" },
    actions: ["s3:PutObject", "iam:PassRole", "s3:GetObject"],
    numbers: [3, 1, 2],
  };

  it("iterates set elements and object keys in Rego's order, not the order of insertion", async () => {
    expect(await run("elements", input)).toEqual([null, false, 1, 3, "a", "b", "c", [2], { k: 1 }]);
    expect(await run("keys", input)).toEqual([2, 10, "a", "m", "z"]);
    expect(await run("values", input)).toEqual(["prod", "site", "web"]);
    expect(await run("actions", input)).toEqual(["iam:PassRole", "s3:GetObject", "s3:PutObject"]);
    expect(await run("walked", input)).toEqual([[], ["Env"], ["Name"], ["Owner"]]);
    expect(await run("totals", input)).toEqual([6, 3]);
  });

  it("builds the same message from a reordered list", async () => {
    const reordered = { ...input, actions: [...input.actions].reverse() };
    const message = "allows iam:PassRole, s3:GetObject, s3:PutObject";
    expect(await run("message", input)).toBe(message);
    expect(await run("message", reordered)).toBe(message);
  });

  it("keeps the order of data loaded once while each evaluation reuses the heap", async () => {
    const names = Array.from({ length: 64 }, (_, i) => `key-${String(i).padStart(2, "0")}`);
    const data = { big: Object.fromEntries([...names].reverse().map((k) => [k, k])) };
    const { wasm } = await compileRego(
      { "data.rego": "package d\n\nimport rego.v1\n\nkeys := [k | some k, _ in data.big]\n" },
      { entrypoints: ["d/keys"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    policy.setData(data);
    // A large input between two evaluations overwrites the heap the first one sorted in.
    const filler = { list: Array.from({ length: 2_000 }, (_, i) => i) };
    for (const evalInput of [{}, filler, {}, filler])
      expect(policy.evaluate(evalInput, "d/keys")).toEqual([{ result: names }]);
  });
});

describe("with on an undefined input", () => {
  it("restores the undefined input for the rest of the body", async () => {
    const source =
      "package a\n\np if {\n  input.foo == 1 with input.foo as 1\n  not input.foo\n}\n";
    expect(await evaluate(source, "a/p", undefined)).toEqual([{ result: true }]);
  });
});

describe("unary minus", () => {
  const source = `package a

y := input.y

values := {
  "var": -y,
  "call": -count(input.xs),
  "parenthesised": - (input.y + 2),
  "tighter than times": -input.y * 3,
  "after binary minus": 10 - -y,
  "twice": -(-y),
  "decimal": -input.half,
  "literal with a space": - 1,
}

negated contains -x if some x in input.xs

default fallback := - 1
`;
  const input = { y: 4, xs: [1, 2.5], half: 0.5 };

  it("negates variables, references, calls and parenthesised expressions", async () => {
    expect(await evaluate(source, "a/values", input)).toEqual([
      {
        result: {
          var: -4,
          call: -2,
          parenthesised: -6,
          "tighter than times": -12,
          "after binary minus": 14,
          twice: 4,
          decimal: -0.5,
          "literal with a space": -1,
        },
      },
    ]);
    expect(await evaluate(source, "a/negated", input)).toEqual([{ result: [-2.5, -1] }]);
    expect(await evaluate(source, "a/fallback", input)).toEqual([{ result: -1 }]);
  });

  it("is undefined on a value that is not a number, as minus(0, x) is", async () => {
    expect(await evaluate("package a\n\np := -input.s\n", "a/p", { s: "text" })).toEqual([]);
  });
});

describe("builtins added to the catalog", () => {
  it("reads the clock once per evaluation", async () => {
    const source = `package a

now := time.now_ns()

twice := [a, b] if {
  a := now
  time.now_ns(b)
}
`;
    const { wasm } = await compileRego({ "a.rego": source }, { entrypoints: ["a/twice"] });
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date("2026-11-26T08:00:00.123Z"));
      const first = Date.parse("2026-11-26T08:00:00.123Z") * 1e6;
      expect(policy.evaluate({}, "a/twice")).toEqual([{ result: [first, first] }]);
      vi.setSystemTime(new Date("2026-11-26T09:00:00Z"));
      const second = Date.parse("2026-11-26T09:00:00Z") * 1e6;
      expect(policy.evaluate({}, "a/twice")).toEqual([{ result: [second, second] }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("evaluates regex.find_n, regex.split and regex.replace, undefined on an invalid pattern as OPA is", async () => {
    const source = `package a

values := {
  "find_n": regex.find_n("[0-9]+", "ports 22, 80 and 443", -1),
  "find_2": regex.find_n("[0-9]+", "ports 22, 80 and 443", 2),
  "split": regex.split("\\\\s*,\\\\s*", "10.0.0.0/8 , 0.0.0.0/0"),
  "replace": regex.replace("tcp/22-22", "([a-z]+)/(\\\\d+)-\\\\d+", "$2 over $1"),
}

invalid contains name if {
  not regex.find_n("(", "x", 1)
  name := "find_n"
}

invalid contains name if {
  not regex.split("(", "x")
  name := "split"
}

invalid contains name if {
  not regex.replace("x", "(", "y")
  name := "replace"
}
`;
    expect(await evaluate(source, "a/values", {})).toEqual([
      {
        result: {
          find_n: ["22", "80", "443"],
          find_2: ["22", "80"],
          split: ["10.0.0.0/8", "0.0.0.0/0"],
          replace: "22 over tcp",
        },
      },
    ]);
    expect(await evaluate(source, "a/invalid", {})).toEqual([
      { result: ["find_n", "replace", "split"] },
    ]);
  });

  it("evaluates the native and host builtins the catalog now lists", async () => {
    const source = `package a

values := {
  "product": product([2, 3, 4]),
  "json.is_valid": [json.is_valid("[1]"), json.is_valid("[")],
  "regex.is_valid": regex.is_valid("(a|b"),
  "base64url": base64url.decode(base64url.encode("??>")),
  "strings.count": strings.count("cheese", "e"),
  "strings.reverse": strings.reverse("abc"),
  "array.flatten": array.flatten([[1], 2, [[3]]]),
  "array.reverse": array.reverse([1, 2, 3]),
  "numbers.range": numbers.range(3, 1),
  "object.union_n": object.union_n([{"a": {"b": 1}}, {"a": {"c": 2}}]),
  "yaml": yaml.unmarshal(yaml.marshal({"k": {1, 2}})),
  "yaml.is_valid": yaml.is_valid("a: ["),
}
`;
    expect(await evaluate(source, "a/values", {})).toEqual([
      {
        result: {
          product: 24,
          "json.is_valid": [true, false],
          "regex.is_valid": false,
          base64url: "??>",
          "strings.count": 3,
          "strings.reverse": "cba",
          "array.flatten": [1, 2, [3]],
          "array.reverse": [3, 2, 1],
          "numbers.range": [3, 2, 1],
          "object.union_n": { a: { b: 1, c: 2 } },
          yaml: { k: [1, 2] },
          "yaml.is_valid": false,
        },
      },
    ]);
  });
});

describe("key-value membership and iteration (`k, v in xs`)", () => {
  const source = `package a

obj := {"a": 1, "b": 2, "c": 3}

not_a := [v | some k, v in obj; k != "a"]

after_assign contains [k, v] if {
  n := 2
  some k, v in obj
  v >= n
}

pairs := {
  "assigned": x,
  "unified": y,
  "chained": z,
  "absent key": w,
  "in a comprehension": [ok | ok := "c", 3 in obj],
}

x := "a", 1 in obj

y = "b", 1 in obj

z := "a", 1 in obj in {true}

w := 9, 1 in [1]

is_c_three contains "c", 3 in obj if true

has_pair(k, v) := k, v in obj

fallback if false

else := "b", 2 in obj

by_key[k] := v if some k, v in obj

all_positive if every k, v in obj {
  v > 0
  k != "d"
}

flipped := f if {
  f := {v: k | some k, v in obj; "q", v in obj} with obj as {"q": "r"}
}
`;

  it("reads `k, v in xs` as a boolean wherever OPA reads a whole expression side", async () => {
    expect(await evaluate(source, "a/pairs", {})).toEqual([
      {
        result: {
          assigned: true,
          unified: false,
          chained: true,
          "absent key": false,
          "in a comprehension": [true],
        },
      },
    ]);
    expect(await evaluate(source, "a/is_c_three", {})).toEqual([{ result: [true] }]);
    expect(await evaluate(source, "a/fallback", {})).toEqual([{ result: true }]);
    const calls = `${source}\ncalls := [has_pair("a", 1), has_pair("a", 2)]\n`;
    expect(await evaluate(calls, "a/calls", {})).toEqual([{ result: [true, false] }]);
  });

  it("iterates keys and values in comprehensions, bodies, rule heads and every", async () => {
    expect(await evaluate(source, "a/not_a", {})).toEqual([{ result: [2, 3] }]);
    expect(await evaluate(source, "a/after_assign", {})).toEqual([
      {
        result: [
          ["b", 2],
          ["c", 3],
        ],
      },
    ]);
    expect(await evaluate(source, "a/by_key", {})).toEqual([{ result: { a: 1, b: 2, c: 3 } }]);
    expect(await evaluate(source, "a/all_positive", {})).toEqual([{ result: true }]);
    expect(await evaluate(source, "a/flipped", {})).toEqual([{ result: { r: "q" } }]);
  });
});
