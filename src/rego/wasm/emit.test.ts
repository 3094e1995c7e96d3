import { describe, expect, it } from "vitest";
import type { Stmt } from "../ir/types.js";
import { emitWasm, WasmEmitError } from "./index.js";
import { PolicyBuilder, addResult, at, block, bool, load, local } from "./testing.js";

// Plans: local 0 = input, local 1 = data.
const dot = (source: number, key: ReturnType<PolicyBuilder["str"]>, target: number): Stmt => ({
  type: "Dot",
  source: local(source),
  key,
  target,
});

describe("emitWasm end to end", () => {
  it("returns input.x as the result and nothing when it is undefined", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([{ name: "test/p", blocks: [block(dot(0, b.str("x"), 2), ...addResult(b, 2, 3))] }]),
    );
    expect(e.evaluate({ x: [1, "two", { three: 3 }] })).toEqual([
      { result: [1, "two", { three: 3 }] },
    ]);
    expect(e.evaluate({ y: 1 })).toEqual([]);
    expect(e.evaluate(undefined)).toEqual([]);
  });

  it("scans input.resources into a set of names of the public ones", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([
        {
          name: "test/public",
          blocks: [
            block(
              { type: "MakeSet", target: 2 },
              dot(0, b.str("resources"), 3),
              {
                type: "Scan",
                source: 3,
                key: 4,
                value: 5,
                block: block(
                  dot(5, b.str("public"), 6),
                  { type: "Equal", a: local(6), b: bool(true) },
                  dot(5, b.str("name"), 7),
                  { type: "SetAdd", value: local(7), set: 2 },
                ),
              },
              ...addResult(b, 2, 8),
            ),
          ],
        },
      ]),
    );
    const resources = [
      { name: "b", public: true },
      { name: "a", public: true },
      { name: "c", public: false },
      { name: "b", public: true },
      { name: "d" },
    ];
    expect(e.evaluate({ resources })).toEqual([{ result: ["a", "b"] }]);
    expect(e.evaluate({ resources: [] })).toEqual([{ result: [] }]);
    expect(e.evaluate({ resources: "not a collection" })).toEqual([{ result: [] }]);
  });

  it("scans objects and sets with keys", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([
        {
          name: "test/keys",
          blocks: [
            block(
              { type: "MakeArray", capacity: 0, target: 2 },
              {
                type: "Scan",
                source: 0,
                key: 3,
                value: 4,
                block: block(
                  { type: "ArrayAppend", value: local(3), array: 2 },
                  { type: "ArrayAppend", value: local(4), array: 2 },
                ),
              },
              ...addResult(b, 2, 5),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({ a: 1, b: 2 })).toEqual([{ result: ["a", 1, "b", 2] }]);
    expect(e.evaluate([10, 20])).toEqual([{ result: [0, 10, 1, 20] }]);
  });

  it("negates a block with Not", async () => {
    const b = new PolicyBuilder();
    // result = true if not input.deny
    const e = await load(
      b.policy([
        {
          name: "test/allow",
          blocks: [
            block(
              {
                type: "Not",
                block: block(dot(0, b.str("deny"), 2), {
                  type: "Equal",
                  a: local(2),
                  b: bool(true),
                }),
              },
              { type: "AssignVar", source: bool(true), target: 3 },
              ...addResult(b, 3, 4),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({ deny: true })).toEqual([]);
    expect(e.evaluate({ deny: false })).toEqual([{ result: true }]);
    expect(e.evaluate({})).toEqual([{ result: true }]);
  });

  it("runs blocks in order and breaks out of nested ones", async () => {
    const b = new PolicyBuilder();
    // Block 1 sets x = "first" only if input.a; Break(1) from the inner block skips the rest of
    // the outer block; the second top-level block always runs.
    const e = await load(
      b.policy([
        {
          name: "test/order",
          blocks: [
            block(
              { type: "MakeArray", capacity: 2, target: 2 },
              {
                type: "Block",
                blocks: [
                  block(
                    {
                      type: "Block",
                      blocks: [
                        block(
                          dot(0, b.str("a"), 3),
                          { type: "ArrayAppend", value: b.str("inner"), array: 2 },
                          { type: "Break", index: 1 },
                        ),
                      ],
                    },
                    { type: "ArrayAppend", value: b.str("skipped when a"), array: 2 },
                  ),
                ],
              },
              { type: "ArrayAppend", value: b.str("after"), array: 2 },
              ...addResult(b, 2, 4),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({ a: 1 })).toEqual([{ result: ["inner", "after"] }]);
    expect(e.evaluate({})).toEqual([{ result: ["skipped when a", "after"] }]);
  });

  it("aborts with a located conflict for AssignVarOnce and ObjectInsertOnce", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([
        {
          name: "test/complete",
          blocks: [
            block({
              type: "Scan",
              source: 0,
              key: 2,
              value: 3,
              block: block({ type: "AssignVarOnce", source: local(3), target: 4, loc: at(3, 5) }),
            }),
            block(...addResult(b, 4, 5)),
          ],
        },
        {
          name: "test/object",
          blocks: [
            block(
              { type: "MakeObject", target: 2 },
              {
                type: "Scan",
                source: 0,
                key: 3,
                value: 4,
                block: block(dot(4, b.str("k"), 5), {
                  type: "ObjectInsertOnce",
                  key: local(5),
                  value: local(4),
                  object: 2,
                  loc: at(7, 2),
                }),
              },
              ...addResult(b, 2, 6),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate([1, 1])).toEqual([{ result: 1 }]);
    expect(() => e.evaluate([1, 2])).toThrow(
      "policy.rego:3:5: eval_conflict_error: complete rules must not produce multiple outputs",
    );
    expect(e.evaluate([{ k: "a" }, { k: "a" }], "test/object")).toEqual([
      { result: { a: { k: "a" } } },
    ]);
    expect(() => e.evaluate([{ k: "a" }, { k: "a", x: 1 }], "test/object")).toThrow(
      "policy.rego:7:2: eval_conflict_error",
    );
  });

  it("calls funcs and builtins, failing on undefined results", async () => {
    const b = new PolicyBuilder();
    // func double(x) = x * 2 (via plus); plan: result = double(count(input))
    const e = await load(
      b.policy(
        [
          {
            name: "test/doubled",
            blocks: [
              block(
                { type: "Call", func: "count", args: [local(0)], result: 2 },
                { type: "Call", func: "g0.data.test.double", args: [local(2)], result: 3 },
                ...addResult(b, 3, 4),
              ),
            ],
          },
        ],
        [
          {
            name: "g0.data.test.double",
            path: ["g0", "test", "double"],
            params: [0],
            result: 1,
            blocks: [block({ type: "Call", func: "plus", args: [local(0), local(0)], result: 1 })],
          },
        ],
        [
          { name: "count", arity: 1 },
          { name: "plus", arity: 2 },
        ],
      ),
    );
    expect(e.evaluate([1, 2, 3])).toEqual([{ result: 6 }]);
    expect(e.evaluate("héllo")).toEqual([{ result: 10 }]);
    expect(() => e.evaluate(12)).toThrow(
      "eval_type_error: count: operand 1 must be one of {array, object, set, string} but got number",
    );
  });

  it("replaces input with With and restores it afterwards, even when breaking out", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([
        {
          name: "test/with",
          blocks: [
            block(
              { type: "MakeArray", capacity: 3, target: 2 },
              {
                type: "With",
                local: 0,
                path: [b.index("user"), b.index("name")],
                value: b.str("mallory"),
                block: block(
                  dot(0, b.str("user"), 3),
                  dot(3, b.str("name"), 4),
                  { type: "ArrayAppend", value: local(4), array: 2 },
                  dot(3, b.str("role"), 5),
                  { type: "ArrayAppend", value: local(5), array: 2 },
                  { type: "Break", index: 1 },
                ),
              },
            ),
            block(
              dot(0, b.str("user"), 3),
              dot(3, b.str("name"), 4),
              { type: "ArrayAppend", value: local(4), array: 2 },
              ...addResult(b, 2, 6),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({ user: { name: "alice", role: "admin" } })).toEqual([
      { result: ["mallory", "admin", "alice"] },
    ]);
  });

  it("memoizes a func per evaluation and per With, restoring the outer memo on a break", async () => {
    const b = new PolicyBuilder();
    // func x(input, data) = input.x, memoized. The plan reads it under With input.x = 2 and
    // leaves the With by a break before its end; the read after it must see input.x again.
    const policy = b.policy(
      [
        {
          name: "test/memo",
          blocks: [
            block(
              { type: "MakeArray", capacity: 3, target: 2 },
              { type: "Call", func: "g0.data.test.x", args: [local(0), local(1)], result: 3 },
              { type: "ArrayAppend", value: local(3), array: 2 },
              {
                type: "Block",
                blocks: [
                  block({
                    type: "With",
                    local: 0,
                    path: [b.index("x")],
                    value: b.str("under with"),
                    block: block(
                      {
                        type: "Call",
                        func: "g0.data.test.x",
                        args: [local(0), local(1)],
                        result: 4,
                      },
                      { type: "ArrayAppend", value: local(4), array: 2 },
                      { type: "Break", index: 1 },
                    ),
                  }),
                ],
              },
              { type: "Call", func: "g0.data.test.x", args: [local(0), local(1)], result: 5 },
              { type: "ArrayAppend", value: local(5), array: 2 },
              ...addResult(b, 2, 6),
            ),
          ],
        },
      ],
      [
        {
          name: "g0.data.test.x",
          path: ["data", "test", "x"],
          params: [0, 1],
          result: 2,
          blocks: [block(dot(0, b.str("x"), 2))],
          memoize: true,
        },
      ],
    );
    for (const memoize of [true, false]) {
      const e = await load(policy, { memoize });
      expect(e.evaluate({ x: "outer" })).toEqual([{ result: ["outer", "under with", "outer"] }]);
      expect(e.evaluate({ x: "next" })).toEqual([{ result: ["next", "under with", "next"] }]);
    }
  });

  it("emits a module whose constants run to hundreds of kilobytes", async () => {
    const b = new PolicyBuilder();
    const text = "x".repeat(200_000);
    const e = await load(
      b.policy([
        {
          name: "test/big",
          blocks: [
            block({ type: "AssignVar", source: b.str(text), target: 2 }, ...addResult(b, 2, 3)),
          ],
        },
      ]),
    );
    expect(e.evaluate(undefined)).toEqual([{ result: text }]);
  });

  it("dispatches CallDynamic on a runtime path", async () => {
    const b = new PolicyBuilder();
    const func = (name: string, value: string) => ({
      name,
      path: ["data", "rules", name],
      params: [0],
      result: 1,
      blocks: [block({ type: "AssignVar" as const, source: b.str(value), target: 1 })],
    });
    const e = await load(
      b.policy(
        [
          {
            name: "test/dyn",
            blocks: [
              block(
                dot(0, b.str("rule"), 2),
                {
                  type: "CallDynamic",
                  path: [b.str("data"), b.str("rules"), local(2)],
                  args: [0],
                  result: 3,
                },
                ...addResult(b, 3, 4),
              ),
            ],
          },
        ],
        [func("a", "from a"), func("b", "from b")],
      ),
    );
    expect(e.evaluate({ rule: "b" })).toEqual([{ result: "from b" }]);
    expect(e.evaluate({ rule: "z" })).toEqual([]);
  });

  it("keeps data across evaluations and reads it through local 1", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([
        { name: "test/limit", blocks: [block(dot(1, b.str("limit"), 2), ...addResult(b, 2, 3))] },
      ]),
    );
    e.setData({ limit: 12345678901234567890 });
    for (let i = 0; i < 3; i++)
      expect(e.evaluate({ big: "x".repeat(100_000) })).toEqual([{ result: 12345678901234567890 }]);
  });

  it("merges objects and makes numbers, null and len", async () => {
    const b = new PolicyBuilder();
    const e = await load(
      b.policy([
        {
          name: "test/misc",
          blocks: [
            block(
              dot(0, b.str("a"), 2),
              dot(0, b.str("b"), 3),
              { type: "ObjectMerge", a: 2, b: 3, target: 4, loc: at(9) },
              { type: "MakeArray", capacity: 4, target: 5 },
              { type: "ArrayAppend", value: local(4), array: 5 },
              { type: "MakeNumberRef", index: b.index("3.14159265358979323846"), target: 6 },
              { type: "ArrayAppend", value: local(6), array: 5 },
              { type: "MakeNull", target: 7 },
              { type: "ArrayAppend", value: local(7), array: 5 },
              { type: "Len", source: local(4), target: 8 },
              { type: "ArrayAppend", value: local(8), array: 5 },
              { type: "MakeNumberInt", value: -5_000_000_000, target: 9 },
              { type: "ArrayAppend", value: local(9), array: 5 },
              ...addResult(b, 5, 10),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({ a: { x: { p: 1 }, y: 2 }, b: { x: { q: 3 }, z: 4 } })).toEqual([
      {
        result: [
          { x: { p: 1, q: 3 }, y: 2, z: 4 },
          3.14159265358979323846,
          null,
          3,
          -5_000_000_000,
        ],
      },
    ]);
    expect(() => e.evaluate({ a: { y: 2 }, b: { y: 3 } })).toThrow(
      "policy.rego:9:1: eval_conflict_error",
    );
  });

  it("tests types and definedness", async () => {
    const b = new PolicyBuilder();
    const kinds: [Stmt["type"], string][] = [
      ["IsArray", "array"],
      ["IsObject", "object"],
      ["IsSet", "set"],
    ];
    const e = await load(
      b.policy([
        {
          name: "test/types",
          blocks: [
            block({ type: "MakeArray", capacity: 3, target: 2 }),
            ...kinds.map(([type, name]) =>
              block({ type, source: local(0) } as Stmt, {
                type: "ArrayAppend",
                value: b.str(name),
                array: 2,
              }),
            ),
            block(dot(0, b.str("missing"), 3)),
            block(
              { type: "IsUndefined", source: 3 },
              { type: "ArrayAppend", value: b.str("undefined"), array: 2 },
            ),
            block(
              { type: "IsDefined", source: 0 },
              { type: "ArrayAppend", value: b.str("defined"), array: 2 },
            ),
            block(
              { type: "NotEqual", a: local(0), b: b.str("x") },
              { type: "ArrayAppend", value: b.str("neq"), array: 2 },
            ),
            block(...addResult(b, 2, 4)),
          ],
        },
      ]),
    );
    expect(e.evaluate({})).toEqual([{ result: ["object", "undefined", "defined", "neq"] }]);
    expect(e.evaluate([1])).toEqual([{ result: ["array", "undefined", "defined", "neq"] }]);
  });

  it("reports unsupported builtins and unknown functions with their locations", () => {
    const b = new PolicyBuilder();
    const policy = b.policy(
      [
        {
          name: "test/bad",
          blocks: [
            block(
              { type: "Call", func: "uuid.rfc4122", args: [local(0)], result: 2, loc: at(4, 9) },
              { type: "Call", func: "g0.data.nope", args: [], result: 3, loc: at(5, 1) },
            ),
          ],
        },
      ],
      [],
      [{ name: "uuid.rfc4122", arity: 1 }],
    );
    let error: unknown;
    try {
      emitWasm(policy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmEmitError);
    expect((error as WasmEmitError).diagnostics).toEqual([
      {
        code: "unsupported_builtin",
        message: "builtin uuid.rfc4122 is not supported",
        location: at(4, 9),
      },
      {
        code: "unknown_function",
        message: "call to unknown function g0.data.nope",
        location: at(5, 1),
      },
    ]);
  });

  it("emits the same results with and without the optimiser", async () => {
    const b = new PolicyBuilder();
    const policy = b.policy([
      { name: "test/p", blocks: [block(dot(0, b.str("x"), 2), ...addResult(b, 2, 3))] },
    ]);
    const plain = await load(policy, { optimize: false });
    const optimized = await load(policy, { optimize: true });
    expect(plain.evaluate({ x: 5 })).toEqual(optimized.evaluate({ x: 5 }));
  });
});
