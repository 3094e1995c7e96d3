import { describe, expect, it, vi } from "vitest";
import type { Stmt } from "../ir/types.js";
import { callBuiltin, set } from "../wasm/testing-builtins.js";
import { PolicyBuilder, addResult, block, load, local } from "../wasm/testing.js";
import { nativeBuiltins } from "./builtins.js";
import { hostBuiltinArity } from "./host.js";
import { runtimeWasm } from "./index.js";

type Case = [name: string, args: unknown[], expected: unknown];

const cases: Case[] = [
  ["plus", [1, 2], 3],
  ["plus", [0.1, 0.2], 0.3],
  ["plus", [1e30, 1], 1e30],
  ["lt", [0.30000000000000004, 0.3], false],
  ["plus", [9007199254740991, 2], 9007199254740993],
  ["minus", [5, 7], -2],
  ["minus", [set(1, 2, 3), set(2)], [1, 3]],
  ["mul", [6, 7], 42],
  ["mul", [1.5, 2], 3],
  ["div", [7, 2], 3.5],
  ["div", [8, 2], 4],
  ["rem", [7, 3], 1],
  ["rem", [-7, 3], -1],
  ["abs", [-4.5], 4.5],
  ["round", [2.5], 3],
  ["round", [-2.5], -3],
  ["ceil", [1.2], 2],
  ["floor", [-1.2], -2],
  [
    "equal",
    [
      [1, { a: 2 }],
      [1, { a: 2 }],
    ],
    true,
  ],
  ["equal", [1, 1.0], true],
  ["neq", [1, "1"], true],
  ["lt", [null, false], true],
  ["lt", [false, 0], true],
  ["lt", [99, "a"], true],
  ["lt", ["z", []], true],
  ["lt", [[], {}], true],
  ["lt", [{}, set()], true],
  [
    "lt",
    [
      [1, 2],
      [1, 3],
    ],
    true,
  ],
  ["lt", ["abc", "abd"], true],
  ["gte", [2, 2], true],
  ["gt", [{ a: 2 }, { a: 1 }], true],
  ["and", [set(1, 2, 3), set(2, 3, 4)], [2, 3]],
  ["or", [set(1), set(2)], [1, 2]],
  ["count", ["héllo"], 5],
  ["count", [[1, 2]], 2],
  ["count", [{ a: 1 }], 1],
  ["count", [set(1, 1, 2)], 2],
  ["sum", [[1, 2.5, 3]], 6.5],
  ["sum", [set()], 0],
  ["product", [[2, 2.5, 3]], 15],
  ["product", [set()], 1],
  ["product", [[123456789012, 1000000000]], 123456789012000000000],
  ["max", [[3, 9, 2]], 9],
  ["max", [[]], undefined],
  ["min", [set("b", "a")], "a"],
  ["sort", [[3, "a", null, [1], 1]], [null, 1, 3, "a", [1]]],
  ["sort", [set(3, 1, 2)], [1, 2, 3]],
  ["type_name", [set()], "set"],
  ["type_name", [null], "null"],
  ["type_name", [{}], "object"],
  ["is_string", ["x"], true],
  ["is_number", ["x"], false],
  ["is_set", [set()], true],
  ["is_array", [set()], false],
  ["is_object", [{}], true],
  ["is_boolean", [false], true],
  ["is_null", [null], true],
  ["to_number", ["-12.5"], -12.5],
  ["to_number", [true], 1],
  ["to_number", [null], 0],
  ["startswith", ["terraform", "terra"], true],
  ["endswith", ["main.tf", ".tf"], true],
  ["contains", ["aws_s3_bucket", "s3"], true],
  ["contains", ["aws", ""], true],
  ["trim_prefix", ["aws_s3", "aws_"], "s3"],
  ["trim_suffix", ["main.tf", ".json"], "main.tf"],
  ["concat", [", ", ["a", "b", "c"]], "a, b, c"],
  ["concat", ["-", set("b", "a")], "a-b"],
  ["concat", ["-", []], ""],
  ["strings.any_prefix_match", ["foobar", ["x", "foo"]], true],
  ["strings.any_prefix_match", [set("a", "b"), "c"], false],
  // Go's unicode.ToLower/ToUpper, rune by rune: no special casing (ß, İ, final sigma).
  ["lower", ["AbC"], "abc"],
  ["upper", ["straße"], "STRAßE"],
  ["lower", ["İSTANBUL"], "istanbul"],
  ["lower", ["ΟΔΟΣ"], "οδοσ"],
  ["upper", ["ᾳ ǆ ǅ ı ſ µ"], "ᾼ Ǆ Ǆ I S Μ"],
  ["lower", ["ǅ \u212a \u2126 Ⱥ"], "ǆ k ω ⱥ"],
  ["upper", ["ⱥ ɐ ﬀ ŉ"], "Ⱥ Ɐ ﬀ ŉ"],
  ["upper", ["ā ĳ ӑ ꙁ 𐐨 𞤢"], "Ā Ĳ Ӑ Ꙁ 𐐀 𞤀"],
  ["lower", ["Ā Ĳ Ӑ Ꙁ 𐐀 𞤀 Ｚ"], "ā ĳ ӑ ꙁ 𐐨 𞤢 ｚ"],
  // Capitals Unicode 16.0 added, which Go 1.27's tables (17.0, OPA's builds) map.
  ["upper", ["ɤ ƛ \ua7d3"], "\ua7cb \ua7dc \ua7d2"],
  ["lower", ["\ua7cb \u1c89"], "ɤ \u1c8a"],
  ["split", ["a.b.c", "."], ["a", "b", "c"]],
  ["split", ["a..b.", "."], ["a", "", "b", ""]],
  ["split", ["", "."], [""]],
  ["split", ["h😀i", ""], ["h", "😀", "i"]],
  ["split", ["a::b", "::"], ["a", "b"]],
  ["replace", ["a-b-c", "-", "+"], "a+b+c"],
  ["replace", ["aaaa", "aa", "b"], "bb"],
  ["replace", ["ab", "", "-"], "-a-b-"],
  ["replace", ["é😀", "", "-"], "-é-😀-"],
  ["replace", ["abc", "x", "y"], "abc"],
  ["trim", ["xxhixx", "x"], "hi"],
  ["trim", ["éhié", "é"], "hi"],
  ["trim", ["hi", ""], "hi"],
  ["trim_left", ["..a..", "."], "a.."],
  ["trim_right", ["..a..", "."], "..a"],
  ["trim_right", ["abé😀", "😀é"], "ab"],
  ["trim_space", ["  \t hi \n"], "hi"],
  ["trim_space", ["\u00a0\u3000hi\u2028\u0085"], "hi"],
  // U+FEFF is no space to Go (JavaScript's \s says it is).
  ["trim_space", ["\ufeffhi"], "\ufeffhi"],
  ["trim_space", ["   "], ""],
  ["indexof", ["héllo", "l"], 2],
  ["indexof", ["abc", "z"], -1],
  ["indexof", ["😀ab", "b"], 2],
  ["strings.count", ["cheese", "e"], 3],
  ["strings.count", ["aaaa", "aa"], 2],
  ["strings.count", ["five", ""], 5],
  ["strings.count", ["h😀i", ""], 4],
  ["substring", ["héllo", 1, 3], "éll"],
  ["substring", ["abc", 1, -1], "bc"],
  ["substring", ["abc", 5, 1], ""],
  ["substring", ["abc", 1, 10], "bc"],
  ["substring", ["abc", 0, 0], ""],
  ["format_int", [255, 16], "ff"],
  ["format_int", [-3.7, 10], "-3"],
  ["format_int", [-3.2, 2], "-11"],
  ["format_int", [3.7, 10], "3"],
  ["format_int", [0, 2], "0"],
  ["format_int", [-0.5, 10], "0"],
  ["format_int", [-123456789012345, 16], "-7048860ddf79"],
  ["format_int", [1e20, 10], "100000000000000000000"],
  // A number past an int64 is read from its JSON text (`1.180591620718485e+21`, `1.5e+300`) into
  // a 64-bit mantissa, as OPA reads it (see "as OPA writes it" below), not as the double it was.
  [
    "format_int",
    [2 ** 70 + 2 ** 30, 2],
    "100000000000000000000000000000000000000001111111111111101001111" + "0".repeat(8),
  ],
  ["format_int", [1.5e300, 8], "2172626546000540645704" + "0".repeat(311)],
  ["numbers.range", [1, 4], [1, 2, 3, 4]],
  ["numbers.range", [2, -1], [2, 1, 0, -1]],
  ["numbers.range", [3, 3], [3]],
  [
    "object.union_n",
    [[{ a: 1, n: { x: 1, y: [1] } }, { b: 2, n: { y: [2] } }, { a: 3 }]],
    { a: 3, b: 2, n: { x: 1, y: [2] } },
  ],
  ["object.union_n", [[]], {}],
  ["object.get", [{ a: { b: 1 } }, ["a", "b"], "d"], 1],
  ["object.get", [{ a: 1 }, "z", "d"], "d"],
  ["object.get", [{ a: { b: 1 } }, ["a", "x"], null], null],
  ["object.keys", [{ b: 1, a: 2 }], ["a", "b"]],
  [
    "object.union",
    [
      { a: { x: 1 }, b: 1 },
      { a: { y: 2 }, b: 2 },
    ],
    { a: { x: 1, y: 2 }, b: 2 },
  ],
  ["object.remove", [{ a: 1, b: 2, c: 3 }, ["a", "c"]], { b: 2 }],
  ["object.remove", [{ a: 1, b: 2 }, set("b")], { a: 1 }],
  ["object.filter", [{ a: 1, b: 2, c: 3 }, set("a", "z")], { a: 1 }],
  ["array.concat", [[1], [2, 3]], [1, 2, 3]],
  ["array.slice", [[1, 2, 3, 4], 1, 3], [2, 3]],
  ["array.slice", [[1, 2, 3], -5, 10], [1, 2, 3]],
  ["array.slice", [[1, 2, 3], 2, 1], []],
  ["internal.member_2", [2, [1, 2]], true],
  ["internal.member_2", [2, set(1)], false],
  ["internal.member_2", [2, { a: 2 }], true],
  ["internal.member_3", [1, "b", ["a", "b"]], true],
  ["internal.member_3", ["k", "v", { k: "v" }], true],
  ["json.marshal", [{ b: [1, 2.5], a: "x\n\u00e9" }], '{"a":"x\\n\u00e9","b":[1,2.5]}'],
  ["json.marshal", [set(3, 1, 2)], "[1,2,3]"],
  // Go's encoding/json, as OPA's json.marshal writes: HTML characters, U+2028/9, \b and \f.
  [
    "json.marshal",
    [{ "<k>": "a&b\u2028\u2029\b\f\u0001" }],
    '{"\\u003ck\\u003e":"a\\u0026b\\u2028\\u2029\\b\\f\\u0001"}',
  ],
  ["json.is_valid", ['{"a": [1, 2]}'], true],
  ["json.is_valid", ["{nope"], false],
  ["json.is_valid", [1], false],
  [
    "json.unmarshal",
    ['{"a": [1, 2.50, -0, 1e3, "\\u00e9\\ud83d\\ude00"]}'],
    { a: [1, 2.5, 0, 1000, "é😀"] },
  ],
  [
    "walk",
    [{ a: [1] }],
    [
      [[], { a: [1] }],
      [["a"], [1]],
      [["a", 0], 1],
    ],
  ],
  [
    "walk",
    [set("x")],
    [
      [[], ["x"]],
      [["x"], "x"],
    ],
  ],
];

describe("native builtins through Wasm", () => {
  it.each(cases)("%s(%j) = %j", async (name, args, expected) => {
    expect(await callBuiltin(name, ...args)).toEqual(expected);
  });

  it("takes unions and intersections of sets of sets", async () => {
    const b = new PolicyBuilder();
    const setOf = (target: number, ...values: number[]): Stmt[] => [
      { type: "MakeSet", target },
      ...values
        .map((v, i): Stmt[] => [
          { type: "MakeNumberInt", value: v, target: 50 + target * 5 + i },
          { type: "SetAdd", value: local(50 + target * 5 + i), set: target },
        ])
        .flat(),
    ];
    const plan = (name: string, builtin: string) => ({
      name,
      blocks: [
        block(
          ...setOf(2, 1, 2),
          ...setOf(3, 2, 3),
          { type: "MakeSet", target: 4 },
          { type: "SetAdd", value: local(2), set: 4 },
          { type: "SetAdd", value: local(3), set: 4 },
          { type: "Call", func: builtin, args: [local(4)], result: 5 },
          ...addResult(b, 5, 6),
        ),
      ],
    });
    const e = await load(
      b.policy([plan("t/union", "union"), plan("t/intersection", "intersection")]),
    );
    expect(e.evaluate({}, "t/union")).toEqual([{ result: [1, 2, 3] }]);
    expect(e.evaluate({}, "t/intersection")).toEqual([{ result: [2] }]);
  });

  it("prints through the host's println, undefined arguments as <undefined>", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const b = new PolicyBuilder();
      const e = await load(
        b.policy([
          {
            name: "t/print",
            blocks: [
              block(
                { type: "MakeSet", target: 2 },
                { type: "SetAdd", value: b.str("hello"), set: 2 },
                { type: "MakeSet", target: 3 },
                { type: "MakeSet", target: 4 },
                { type: "SetAdd", value: local(0), set: 4 },
                { type: "MakeArray", capacity: 3, target: 5 },
                { type: "ArrayAppend", value: local(2), array: 5 },
                { type: "ArrayAppend", value: local(3), array: 5 },
                { type: "ArrayAppend", value: local(4), array: 5 },
                { type: "Call", func: "internal.print", args: [local(5)], result: 6 },
                ...addResult(b, 6, 7),
              ),
            ],
          },
        ]),
      );
      // print writes values as OPA prints them, without json.marshal's HTML escapes.
      expect(e.evaluate({ a: [1, "<&>"] })).toEqual([{ result: true }]);
      expect(log).toHaveBeenCalledWith('hello <undefined> {"a":[1,"<&>"]}');
    } finally {
      log.mockRestore();
    }
  });

  it.each<[string, unknown[], string]>([
    ["plus", ["a", 1], "plus: operand 1 must be number but got string"],
    ["minus", [set(1), 1], "minus: operand 2 must be set but got number"],
    ["minus", [1, set(1)], "minus: operand 2 must be number but got set"],
    ["count", [5], "count: operand 1 must be one of {array, object, set, string} but got number"],
    ["array.concat", [{ v: 1 }, [3]], "array.concat: operand 1 must be array but got object"],
    [
      "strings.any_prefix_match",
      [[1], "a"],
      "strings.any_prefix_match: operand 1 must be array of strings but got array containing number",
    ],
    ["to_number", ["-Inf"], "to_number: operand 1 must be a valid number string but got string"],
    ["upper", [1], "upper: operand 1 must be string but got number"],
    ["lower", [1], "lower: operand 1 must be string but got number"],
    ["split", ["a", 1], "split: operand 2 must be string but got number"],
    [
      "numbers.range",
      [1.5, 3],
      "numbers.range: operand 1 must be integer number but got floating-point number",
    ],
    [
      "object.union_n",
      [[{}, 1]],
      "object.union_n: operand 1 must be array of objects but got array containing number",
    ],
  ])("%s(%j) raises eval_type_error: %s", async (name, args, message) => {
    await expect(callBuiltin(name, ...args)).rejects.toThrow(
      `policy.rego:1:8: eval_type_error: ${message}`,
    );
  });

  it.each<[string, string, string, string]>([
    ["plus", "18446744073709551617", "1", "18446744073709551618"],
    ["minus", "-18446744073709551617", "1", "-18446744073709551618"],
    ["mul", "18446744073709551617", "2", "36893488147419103234"],
    ["plus", "9223372036854775807", "1", "9223372036854775808"],
    ["plus", "1e30", "1", "1000000000000000000000000000001"],
    ["plus", "0.1", "0.2", "0.3"],
    ["rem", "18446744073709551617", "18446744073709551616", "1"],
    ["rem", "100", "-18446744073709551616", "100"],
    ["lt", "3.141592653589793238462643383279", "3.141592653589793238462643383280", "true"],
    ["equal", "1.0", "1", "true"],
    ["equal", "1e2", "100.00", "true"],
    ["equal", "0.30000000000000004", "0.3", "false"],
  ])("%s(%s, %s) is exactly %s", async (builtin, a, b, expected) => {
    const p = new PolicyBuilder();
    const e = await load(
      p.policy([
        {
          name: "t/exact",
          blocks: [
            block(
              { type: "MakeNumberRef", index: p.index(a), target: 2 },
              { type: "MakeNumberRef", index: p.index(b), target: 3 },
              { type: "Call", func: builtin, args: [local(2), local(3)], result: 4 },
              { type: "MakeArray", capacity: 1, target: 5 },
              { type: "ArrayAppend", value: local(4), array: 5 },
              { type: "Call", func: "sprintf", args: [p.str("%v"), local(5)], result: 6 },
              ...addResult(p, 6, 7),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({})).toEqual([{ result: expected }]);
  });

  // OPA's format_int reads a number that is no int64 into a Go big.Float (a 64-bit mantissa,
  // rounded to nearest even), then truncates it toward zero: not the double's value, not exact.
  it.each<[string, number, string]>([
    ["123456789012345678901", 10, "123456789012345678904"],
    ["-123456789012345678901", 10, "-123456789012345678904"],
    ["123456789012345678901", 16, "6b14e9f812f366c38"],
    ["1e30", 10, "1000000000000000000024696061952"],
    ["1e30", 8, "1447626234640431647337000000000000"],
    // past 2^53 a fraction rounds within the mantissa before it is truncated
    ["5000000000000000000.8", 10, "5000000000000000001"],
    ["5000000000000000000.7", 10, "5000000000000000000"],
    ["9223372036854775808.5", 10, "9223372036854775808"],
    ["9223372036854775809.5", 10, "9223372036854775810"],
    ["18446744073709551617.3", 2, "1" + "0".repeat(62) + "10"],
    ["0.99999999999999999999999", 10, "1"],
    ["0.9999999999999999999", 10, "0"],
    ["-2.5", 10, "-2"],
  ])("format_int(%s, %d) is %s, as OPA writes it", async (number, base, expected) => {
    const p = new PolicyBuilder();
    const e = await load(
      p.policy([
        {
          name: "t/format_int",
          blocks: [
            block(
              { type: "MakeNumberRef", index: p.index(number), target: 2 },
              { type: "MakeNumberInt", value: base, target: 3 },
              { type: "Call", func: "format_int", args: [local(2), local(3)], result: 4 },
              ...addResult(p, 4, 5),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({})).toEqual([{ result: expected }]);
  });

  it("format_int writes 1e400 as OPA does: its 64-bit mantissa's integer, 401 digits", async () => {
    const p = new PolicyBuilder();
    const e = await load(
      p.policy([
        {
          name: "t/format_int_huge",
          blocks: [
            block(
              { type: "MakeNumberRef", index: p.index("1e400"), target: 2 },
              { type: "MakeNumberInt", value: 10, target: 3 },
              { type: "Call", func: "format_int", args: [local(2), local(3)], result: 4 },
              ...addResult(p, 4, 5),
            ),
          ],
        },
      ]),
    );
    const [row] = e.evaluate({}) as { result: string }[];
    expect(row?.result).toHaveLength(401);
    expect(row?.result.startsWith("100000000000000000002818806839")).toBe(true);
  });

  it("makes failing builtin calls undefined when errors are not strict", async () => {
    const p = new PolicyBuilder();
    const policy = p.policy([
      {
        name: "t/lenient",
        blocks: [
          block(
            { type: "MakeArray", capacity: 3, target: 2 },
            {
              type: "Block",
              blocks: [
                block({ type: "Call", func: "div", args: [local(0), p.str("x")], result: 3 }),
              ],
            },
            {
              type: "Block",
              blocks: [
                block({
                  type: "Call",
                  func: "regex.match",
                  args: [p.str("("), p.str("x")],
                  result: 4,
                }),
              ],
            },
            { type: "ArrayAppend", value: p.str("still here"), array: 2 },
            ...addResult(p, 2, 5),
          ),
        ],
      },
    ]);
    const lenient = await load(policy, { strictBuiltinErrors: false });
    expect(lenient.evaluate(1)).toEqual([{ result: ["still here"] }]);
    const strict = await load(policy);
    expect(() => strict.evaluate(1)).toThrow(
      "eval_type_error: div: operand 2 must be number but got string",
    );
  });

  it.each<[string, unknown[], string]>([
    ["indexof", ["abc", ""], "indexof: empty search character"],
    ["substring", ["abc", -1, 1], "substring: negative offset"],
    ["substring", ["abc", 1.5, 1], "substring: operands 2 and 3 must be integers"],
    ["format_int", [1, 3], "format_int: operand 2 must be one of {2, 8, 10, 16}"],
    ["numbers.range", [0, 1e12], "numbers.range: range of 1000000000001 numbers is over 10000000"],
  ])("%s(%j) raises eval_builtin_error: %s", async (name, args, message) => {
    await expect(callBuiltin(name, ...args)).rejects.toThrow(
      `policy.rego:1:8: eval_builtin_error: ${message}`,
    );
  });

  it("raises located builtin errors for division by zero and bad JSON", async () => {
    await expect(callBuiltin("div", 1, 0)).rejects.toThrow(
      "policy.rego:1:8: eval_builtin_error: div: divide by zero",
    );
    await expect(callBuiltin("json.unmarshal", "{nope")).rejects.toThrow(
      "eval_builtin_error: json.unmarshal",
    );
    await expect(callBuiltin("to_number", "12x")).rejects.toThrow("eval_builtin_error: to_number");
  });

  it("exports every native builtin the emitter maps", async () => {
    const module = await WebAssembly.compile(new Uint8Array(runtimeWasm()));
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    for (const [name, native] of nativeBuiltins)
      expect(exported.has(native.exportName), name).toBe(true);
    // A host builtin of the same name is there only to take what the native one passes on.
    for (const name of hostBuiltinArity.keys())
      expect(nativeBuiltins.get(name)?.hostFallback ?? true, name).toBe(true);
    for (const [name, native] of nativeBuiltins)
      if (native.hostFallback) expect(hostBuiltinArity.get(name), name).toBe(native.arity);
  });
});
