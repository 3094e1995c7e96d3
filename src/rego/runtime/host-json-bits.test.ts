// json.patch (RFC 6902 as OPA applies it), json.marshal_with_options (Go's MarshalIndent) and
// bits.* (big.Int bitwise operations): plain host functions, then through the compiler and Wasm.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { compileRego } from "../index.js";
import { MAX_RESULT_BITS } from "./host-bits.js";
import { hostDefinitions } from "./host-functions.js";
import { MAX_RESULT_VALUES } from "./host-json-patch.js";
import { hostBuiltins } from "./host.js";
import { OperandTypeError, RegoNumber, RegoSet, type HostValue } from "./host-value.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);
const patch = (doc: HostValue, ...ops: HostValue[]) => call("json.patch", doc, ops);

describe("json.patch", () => {
  it("applies RFC 6902's operations", () => {
    expect(patch({ foo: "bar" }, { op: "add", path: "/baz", value: "qux" })).toEqual({
      foo: "bar",
      baz: "qux",
    });
    expect(patch({ foo: ["bar", "baz"] }, { op: "add", path: "/foo/1", value: "qux" })).toEqual({
      foo: ["bar", "qux", "baz"],
    });
    expect(patch({ a: 1, b: 2 }, { op: "remove", path: "/a" })).toEqual({ b: 2 });
    expect(patch({ foo: ["bar", "qux", "baz"] }, { op: "remove", path: "/foo/1" })).toEqual({
      foo: ["bar", "baz"],
    });
    expect(patch({ a: 1 }, { op: "replace", path: "/a", value: [1, 2] })).toEqual({ a: [1, 2] });
    expect(
      patch(
        { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
        { op: "move", from: "/foo/waldo", path: "/qux/thud" },
      ),
    ).toEqual({ foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } });
    expect(
      patch(
        { foo: ["all", "grass", "cows", "eat"] },
        { op: "move", from: "/foo/1", path: "/foo/3" },
      ),
    ).toEqual({ foo: ["all", "cows", "eat", "grass"] });
    expect(patch({ a: { b: 1 } }, { op: "copy", from: "/a", path: "/c" })).toEqual({
      a: { b: 1 },
      c: { b: 1 },
    });
    expect(patch({ foo: ["bar"] }, { op: "add", path: "/foo/-", value: ["abc"] })).toEqual({
      foo: ["bar", ["abc"]],
    });
    // Operations apply in order; unknown members of an operation are ignored.
    expect(
      patch([1, 2, 3, 4], { op: "remove", path: "/1" }, { op: "remove", path: "/2", note: "x" }),
    ).toEqual([1, 3]);
  });

  it("passes a test on equal values, whatever the key order or number spelling", () => {
    const doc = { foo: { a: 1, b: [1.0, 2] }, "~1": 10 };
    expect(patch(doc, { op: "test", path: "/foo", value: { b: [1, 2], a: 1 } })).toEqual(doc);
    expect(patch(doc, { op: "test", path: "/~01", value: 10 })).toEqual(doc);
    expect(patch(doc, { op: "test", path: "/~01", value: "10" })).toBeUndefined();
  });

  it("replaces or removes the whole document with an empty path", () => {
    expect(patch({ a: 1 }, { op: "add", path: "", value: [] })).toEqual([]);
    expect(patch({ a: 1 }, { op: "replace", path: "", value: "x" })).toBe("x");
    expect(patch({ a: 1 }, { op: "remove", path: "" })).toBeUndefined();
  });

  it("reads `/` as the empty key, a path without a leading slash as a pointer, arrays as segments", () => {
    expect(patch({}, { op: "add", path: "/", value: 1 })).toEqual({ "": 1 });
    expect(patch({ foo: {} }, { op: "add", path: "/foo/", value: 1 })).toEqual({ foo: { "": 1 } });
    expect(patch({}, { op: "add", path: "foo", value: 1 })).toEqual({ foo: 1 });
    expect(patch({ "a/b": [0] }, { op: "add", path: ["a/b", 0], value: 9 })).toEqual({
      "a/b": [9, 0],
    });
    expect(patch({ s: new RegoSet(["x"]) }, { op: "add", path: ["s", "y"], value: "y" })).toEqual({
      s: new RegoSet(["x", "y"]),
    });
    expect(patch({ s: new RegoSet(["x", "y"]) }, { op: "remove", path: "/s/x" })).toEqual({
      s: new RegoSet(["y"]),
    });
  });

  it("is undefined when an operation cannot apply, as in OPA", () => {
    const cases: [HostValue, HostValue][] = [
      [{ q: { bar: 2 } }, { op: "add", path: "/a/b", value: 1 }],
      [{ bar: [1, 2] }, { op: "add", path: "/bar/8", value: 5 }],
      [{ bar: [1, 2] }, { op: "add", path: "/bar/-1", value: 5 }],
      [["foo", "bar"], { op: "test", path: "/1e0", value: "bar" }],
      [["foo", "bar"], { op: "test", path: "/01", value: "bar" }],
      [["foo", "sil"], { op: "add", path: "/bar", value: 42 }],
      [{ foo: "bar" }, { op: "remove", path: "/baz" }],
      [["foo", "bar"], { op: "remove", path: "/2" }],
      [{ bar: "baz" }, { op: "replace", path: "/foo/bar", value: false }],
      [{ foo: 1 }, { op: "copy", from: "/bar", path: "/foo" }],
      [{ foo: 1 }, { op: "move", path: "/x" }],
      [[1], { op: "add", path: "/-" }],
      [{}, { op: "add", value: "bar" }],
      [{}, { op: "add", path: null, value: "bar" }],
      [{ foo: 1 }, { op: "spam", path: "/foo", value: 1 }],
      [{ foo: 1 }, "not an operation"],
      [{ a: 1 }, { op: "move", from: "/a", path: "/a/b" }],
    ];
    for (const [doc, op] of cases) expect(patch(doc, op), JSON.stringify(op)).toBeUndefined();
  });

  it("leaves its operand unchanged", () => {
    const doc = { a: { b: [1, 2] } };
    patch(doc, { op: "add", path: "/a/b/0", value: 0 }, { op: "remove", path: "/a/b/2" });
    expect(doc).toEqual({ a: { b: [1, 2] } });
  });

  it("requires an array of operations", () => {
    expect(() => call("json.patch", {}, {})).toThrow(OperandTypeError);
    expect(() => call("json.patch", {}, {})).toThrow("operand 2 must be array but got object");
  });

  it("refuses a result that copies itself into a billion values, at once", () => {
    const started = Date.now();
    const copies = Array.from({ length: 30 }, (_, i) => ({ op: "copy", from: "", path: `/c${i}` }));
    expect(() => patch({ a: [1, 2] }, ...copies)).toThrow(
      `the result would hold over ${MAX_RESULT_VALUES} values`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("fails fast on a path far deeper than the document", () => {
    const deep = Array.from({ length: 200_000 }, () => "a");
    expect(patch({ a: { a: 1 } }, { op: "add", path: deep, value: 1 })).toBeUndefined();
    expect(patch({}, { op: "add", path: "/a".repeat(100_000), value: 1 })).toBeUndefined();
  });
});

describe("json.marshal_with_options", () => {
  const doc = { b: [1, { c: "<&>" }], a: {}, e: [] };
  const marshal = (options: HostValue) => call("json.marshal_with_options", doc, options);

  it("writes compact JSON like json.marshal without pretty printing", () => {
    expect(marshal({})).toBe('{"a":{},"b":[1,{"c":"\\u003c\\u0026\\u003e"}],"e":[]}');
    expect(marshal({ pretty: false, indent: "  " })).toBe(marshal({}));
  });

  it("indents with a tab by default, and with the given indent and prefix", () => {
    expect(marshal({ pretty: true })).toBe(
      '{\n\t"a": {},\n\t"b": [\n\t\t1,\n\t\t{\n\t\t\t"c": "\\u003c\\u0026\\u003e"\n\t\t}\n\t],\n\t"e": []\n}',
    );
    // A prefix or an indent implies pretty printing; the prefix starts every line.
    expect(call("json.marshal_with_options", { a: [1] }, { prefix: "> ", indent: "  " })).toBe(
      '> {\n>   "a": [\n>     1\n>   ]\n> }',
    );
    expect(call("json.marshal_with_options", new RegoSet([1]), { indent: " " })).toBe("[\n 1\n]");
  });

  it("rejects unknown options and options of the wrong type", () => {
    expect(() => marshal({ width: 2 })).toThrow("object contained unknown key width");
    expect(() => marshal({ pretty: "yes" })).toThrow("key pretty failed cast to bool");
    expect(() => marshal({ indent: 2 })).toThrow("key indent failed cast to string");
    expect(() => marshal([])).toThrow("operand 2 must be object but got array");
  });
});

describe("bits", () => {
  it("computes two's-complement results on integers of any size", () => {
    expect(call("bits.or", 12, 10)).toBe(14);
    expect(call("bits.and", 12, 10)).toBe(8);
    expect(call("bits.xor", 12, 10)).toBe(6);
    expect(call("bits.negate", 42)).toBe(-43);
    expect(call("bits.negate", -1)).toBe(0);
    expect(call("bits.and", -8, 255)).toBe(248);
    expect(call("bits.lsh", 1, 3)).toBe(8);
    expect(call("bits.lsh", -3, 2)).toBe(-12);
    expect(call("bits.rsh", 256, 4)).toBe(16);
    expect(call("bits.rsh", -9, 1)).toBe(-5);
    expect(call("bits.lsh", 1, 64)).toEqual(new RegoNumber("18446744073709551616"));
    expect(call("bits.or", new RegoNumber("18446744073709551616"), 1)).toEqual(
      new RegoNumber("18446744073709551617"),
    );
  });

  it("gives 0 or -1 for a right shift past the number's width", () => {
    expect(call("bits.rsh", 5, 1_000_000_000_000)).toBe(0);
    expect(call("bits.rsh", -5, new RegoNumber("100000000000000000000000"))).toBe(-1);
  });

  it("rejects fractions and negative shifts as OPA does", () => {
    expect(() => call("bits.or", 1.5, 1)).toThrow(
      "operand 1 must be integer number but got floating-point number",
    );
    expect(() => call("bits.and", 1, "2")).toThrow("operand 2 must be number but got string");
    expect(() => call("bits.lsh", 1, -1)).toThrow(
      "operand 2 must be an unsigned integer number but got a negative integer",
    );
  });

  it("refuses a left shift that would build a huge number, at once", () => {
    const started = Date.now();
    expect(() => call("bits.lsh", 1, 1_000_000_000)).toThrow(
      `the result would have more than ${MAX_RESULT_BITS} bits`,
    );
    expect(() => call("bits.lsh", 1, new RegoNumber("1000000000000000000000"))).toThrow(
      /more than \d+ bits/,
    );
    expect(call("bits.lsh", 0, 1_000_000_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("json.patch, json.marshal_with_options and bits through the compiler and Wasm", () => {
  it("compiles calls to them and gives OPA's results", async () => {
    const source = `package t

import rego.v1

patched := json.patch(input.doc, [
	{"op": "add", "path": "/tags/owner", "value": "platform"},
	{"op": "remove", "path": ["ports", 0]},
])

not_applied if not json.patch(input.doc, [{"op": "test", "path": "/tags/env", "value": "dev"}])

pretty := json.marshal_with_options({"b": 1, "a": [true]}, {"indent": "  "})

flags := bits.or(bits.lsh(1, 4), 3)

read_only if bits.and(input.mode, 146) == 0
`;
    const rules = ["patched", "not_applied", "pretty", "flags", "read_only"];
    const { wasm, entrypoints } = await compileRego(
      { "policy.rego": source },
      { entrypoints: rules.map((r) => `t/${r}`) },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const input = { doc: { tags: { env: "prod" }, ports: [22, 443] }, mode: 292 };
    const result = (rule: string) =>
      (policy.evaluate(input, entrypoints[`t/${rule}`]) as { result: unknown }[])[0]?.result;
    expect(result("patched")).toEqual({ tags: { env: "prod", owner: "platform" }, ports: [443] });
    expect(result("not_applied")).toBe(true);
    expect(result("pretty")).toBe('{\n  "a": [\n    true\n  ],\n  "b": 1\n}');
    expect(result("flags")).toBe(19);
    expect(result("read_only")).toBe(true);
  });

  it("stops a hostile shift with a located builtin error under strict errors", async () => {
    const { wasm, entrypoints } = await compileRego(
      { "policy.rego": "package t\n\nhuge := bits.lsh(1, input.n)\n" },
      { entrypoints: ["t/huge"], strictBuiltinErrors: true },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    expect(() => policy.evaluate({ n: 4_000_000_000 }, entrypoints["t/huge"])).toThrow(
      /policy\.rego:3:\d+: eval_builtin_error: bits\.lsh: the result would have more than/,
    );
  });
});
