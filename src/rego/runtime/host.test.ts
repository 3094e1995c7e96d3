import { describe, expect, it } from "vitest";
import { callBuiltin, set } from "../wasm/testing-builtins.js";
import { hostDefinitions } from "./host-functions.js";
import { hostBuiltins } from "./host.js";
import { RegoNumber, RegoSet, type HostValue } from "./host-value.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);

describe("host builtins", () => {
  it.each<[string, HostValue[], HostValue]>([
    ["regex.match", ["^[a-z]+-\\d+$", "web-01"], true],
    ["regex.match", ["b", "abc"], true],
    ["regex.match", ["^(a+)+$", "a".repeat(5000) + "!"], false],
    ["regex.is_valid", ["("], false],
    // Go's FindAllString, Split(s, -1) and ReplaceAllString, as OPA calls them.
    ["regex.find_n", ["a.", "paranormal", -1], ["ar", "an", "al"]],
    ["regex.find_n", ["a.", "paranormal", 2], ["ar", "an"]],
    ["regex.find_n", ["a.", "paranormal", 0], []],
    ["regex.find_n", ["a*", "baaab", -1], ["", "aaa", ""]],
    ["regex.find_n", ["\\d+", "none", -1], []],
    ["regex.find_n", ["^x", "xx", -1], ["x"]],
    ["regex.find_n", ["", "h😀", -1], ["", "", ""]],
    ["regex.split", ["a", "banana"], ["b", "n", "n", ""]],
    ["regex.split", ["a", "apple"], ["", "pple"]],
    ["regex.split", ["a", ""], [""]],
    ["regex.split", ["", ""], []],
    ["regex.split", ["z+", "pizza"], ["pi", "a"]],
    ["regex.split", ["a*", "abaabaccadaaae"], ["", "b", "b", "c", "c", "d", "e"]],
    ["regex.split", ["x*", "h😀i"], ["h", "😀", "i"]],
    ["regex.split", ["\\s*,\\s*", "a , b,c"], ["a", "b", "c"]],
    ["regex.replace", ["-ab-axxb-", "a(x*)b", "T"], "-T-T-"],
    ["regex.replace", ["-ab-axxb-", "a(x*)b", "$1"], "--xx-"],
    ["regex.replace", ["-ab-axxb-", "a(x*)b", "$1W"], "---"],
    ["regex.replace", ["-ab-axxb-", "a(x*)b", "${1}W"], "-W-xxW-"],
    ["regex.replace", ["-ab-axxb-", "a(?P<1W>x*)b", "$1W"], "--xx-"],
    ["regex.replace", ["ab", "(?P<first>a)(b)?(c)?", "[${first}|$2|$3|$9|$0]"], "[a|b|||ab]"],
    ["regex.replace", ["abc", "b", "$$ ${ $- ${} $"], "a$ ${ $- ${} $c"],
    ["regex.replace", ["baaac", "a*", "X"], "XbXcX"],
    ["regex.replace", ["h😀i", "", "-"], "-h-😀-i-"],
    ["regex.replace", ["no match", "x", "y"], "no match"],
    ["yaml.unmarshal", ["a: 1\nb: [x, true]\n"], { a: 1, b: ["x", true] }],
    ["base64.encode", ["héllo"], "aMOpbGxv"],
    ["base64.decode", ["aMOpbGxv"], "héllo"],
    ["base64url.encode", ["??>"], "Pz8-"],
    ["base64url.decode", ["Pz8-"], "??>"],
    ["regex.is_valid", ["^a+$"], true],
    ["regex.is_valid", [1], false],
    ["strings.reverse", ["h😀é"], "é😀h"],
    ["array.flatten", [[[1, [2]], "x", [], [{ a: 1 }]]], [1, [2], "x", { a: 1 }]],
    ["array.reverse", [[1, "a", null]], [null, "a", 1]],
    ["yaml.marshal", [{ a: [1, new RegoSet(["x"])] }], "a:\n  - 1\n  - - x\n"],
    // OPA's numbers: go-yaml keeps an integer an int64 or uint64 holds, writes any other number as
    // a float64 with Go's FormatFloat(f, 'g', -1, 64), and keeps text no float64 holds.
    [
      "yaml.marshal",
      [
        {
          int: new RegoNumber("123456789012345678"),
          uint: new RegoNumber("18446744073709551615"),
          big: new RegoNumber("123456789012345678901"),
          low: new RegoNumber("-9223372036854775809"),
          huge: new RegoNumber("1e400"),
          long: new RegoNumber("0.1000000000000000055511151231257827"),
          decimals: [1.5, 1234567.5, 0.00001, 0.0001, 123456.7, 1e21, -0.5],
        },
      ],
      [
        "int: 123456789012345678",
        "uint: 18446744073709551615",
        "big: 1.2345678901234568e+20",
        "low: -9.223372036854776e+18",
        "huge: 1e400",
        "long: 0.1",
        "decimals:",
        "  - 1.5",
        "  - 1.2345675e+06",
        "  - 1e-05",
        "  - 0.0001",
        "  - 123456.7",
        "  - 1e+21",
        "  - -0.5",
        "",
      ].join("\n"),
    ],
    ["yaml.is_valid", ["a: [1, 2]"], true],
    ["yaml.is_valid", ["a: [1"], false],
    ["yaml.is_valid", [1], false],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<[string, HostValue[], string]>([
    ["regex.match", ["(", "x"], "error parsing regexp: missing closing ): `(`"],
    ["regex.find_n", ["[", "x", 1], "error parsing regexp: missing closing ]: `[`"],
    ["regex.split", ["(?<=a)b", "ab"], "error parsing regexp: invalid named capture: `(?<=a)b`"],
    [
      "regex.replace",
      ["x", "a{1001}", "y"],
      "error parsing regexp: invalid repeat count: `{1001}`",
    ],
    [
      "regex.match",
      ["a\\", "x"],
      "error parsing regexp: trailing backslash at end of expression: ``",
    ],
    ["regex.find_n", ["a", "a", 1.5], "operand 3 must be integer number"],
    ["regex.replace", ["x", "x", 1], "operand 3 must be string but got number"],
    ["base64.decode", ["a!=="], "illegal base64"],
    ["yaml.unmarshal", ["a: [1"], "yaml:"],
    ["array.flatten", [42], "operand 1 must be array but got number"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });

  it("registers SDK-owned names under tollgate.*", () => {
    expect(Object.keys(hostBuiltins)).toContain("tollgate.regex.split");
    expect(Object.keys(hostBuiltins)).toContain("tollgate.yaml.unmarshal");
    expect(Object.keys(hostBuiltins)).not.toContain("regex.split");
    expect(Object.keys(hostBuiltins)).toContain("regex.match");
  });
});

describe("host builtins through Wasm", () => {
  it("receives sets as sets", async () => {
    expect(await callBuiltin("net.cidr_merge", set("10.0.0.0/25", "10.0.0.128/25"))).toEqual([
      "10.0.0.0/24",
    ]);
  });

  it("turns a host exception into a located eval_builtin_error", async () => {
    await expect(callBuiltin("regex.find_n", "(", "x", 1)).rejects.toThrow(
      "policy.rego:1:8: eval_builtin_error: regex.find_n: error parsing regexp: missing closing ): `(`",
    );
  });

  it("finds, splits and replaces with Go's regexp rules, not the SDK's JavaScript regex.split", async () => {
    expect(await callBuiltin("regex.find_n", "[a-z]+", "ab 12 cd ef", 2)).toEqual(["ab", "cd"]);
    expect(await callBuiltin("regex.find_n", "[a-z]+", "ab 12 cd ef", -1)).toEqual([
      "ab",
      "cd",
      "ef",
    ]);
    // JavaScript's split cuts the emoji's surrogate pair apart; Go's keeps the rune whole.
    expect(await callBuiltin("regex.split", "x*", "h😀i")).toEqual(["h", "😀", "i"]);
    expect(await callBuiltin("regex.split", "(?P<sep>,)", "a,b")).toEqual(["a", "b"]);
    expect(await callBuiltin("regex.replace", "arn:aws:s3:::logs", "^arn:(\\w+):", "$1/")).toBe(
      "aws/s3:::logs",
    );
  });

  it.each<[string, unknown[]]>([
    ["regex.find_n", ["(", "x", -1]],
    ["regex.split", ["(", "x"]],
    ["regex.replace", ["x", "(", "y"]],
  ])("raises a located eval_builtin_error for %s on an invalid pattern", async (name, args) => {
    await expect(callBuiltin(name, ...args)).rejects.toThrow(
      `policy.rego:1:8: eval_builtin_error: ${name}: error parsing regexp: missing closing ): \`(\``,
    );
  });

  it("passes set arguments to host builtins intact", async () => {
    await expect(callBuiltin("upper", set("x"))).rejects.toThrow(
      "upper: operand 1 must be string but got set",
    );
  });
});
