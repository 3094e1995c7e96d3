import { describe, expect, it } from "vitest";
import { callBuiltin, set } from "../wasm/testing-builtins.js";
import { PolicyBuilder, addResult, block, load, local } from "../wasm/testing.js";

// Text builtins native in the runtime so that a plain OPA SDK runs the library: sprintf as Go's
// fmt with OPA's conversion of arguments, and the expected values Go prints.
describe("sprintf (native, Go fmt)", () => {
  it.each<[string, unknown[], string]>([
    ["%s has %d items", ["bucket", 3], "bucket has 3 items"],
    ["%v %v %v", [1, 1.5, "s"], "1 1.5 s"],
    ["%v", [[1, "a", null, true]], '[1, "a", null, true]'],
    ["%v", [{ b: 1, a: [true] }], '{"a": [true], "b": 1}'],
    ["%s", [{ "k\u0007": [{ a: 1 }] }], '{"k\\a": [{"a": 1}]}'],
    ["%s", [["x"]], '["x"]'],
    ["%q", ['say "hi"\n\u0001\u007f'], '"say \\"hi\\"\\n\\x01\\x7f"'],
    ["%x %X %x", [255, 255, "hi"], "ff FF 6869"],
    ["%x %#x %#o %o %b %#b", [-255, 255, 8, 8, 5, 5], "-ff 0xff 010 10 101 0b101"],
    ["%5d|%-5d|%05d|%+d|% d", [42, 42, -42, 5, 5], "   42|42   |-0042|+5| 5"],
    ["%.3d|%.0d|%3.0d|", [7, 0, 0], "007||   |"],
    ["%c%c %q %U", [72, 0x1f600, 65, 0x1f600], "H😀 'A' U+1F600"],
    ["%5s|%-5s|%.2s|%5.1s|", ["ab", "ab", "héllo", "héllo"], "   ab|ab   |hé|    h|"],
    ["%d", ["x"], "%!d(string=x)"],
    ["%s", [5], "%!s(int=5)"],
    ["%d", [1.5], "%!d(float64=1.5)"],
    // OPA hands Go a boolean as its Rego text, a string.
    ["%v %s %t", [true, false, true], "true false %!t(string=true)"],
    ["%d %d", [1], "1 %!d(MISSING)"],
    ["%d", [1, "x", 2.5], "1%!(EXTRA string=x, float64=2.5)"],
    ["100%% %", [], "100% %!(NOVERB)"],
    // Floats: %v is %g with the shortest digits; precision rounds the exact binary value.
    ["%v %v %v", [1e21, 0.000001, 1e-7], "1e+21 1e-06 1e-07"],
    ["%v|%v", [123456.5, 1234567.5], "123456.5|1.2345675e+06"],
    ["%f|%.2f|%8.3f|%08.3f", [3.14159, 2.5, 3.14159, -3.14159], "3.141590|2.50|   3.142|-003.142"],
    ["%.0f %.0f %.1f %.2f", [2.5, 0.5, 0.25, 1.005], "2 0 0.2 1.00"],
    ["%.20f", [0.1], "0.10000000000000000555"],
    ["%f", [1e21], "1000000000000000000000.000000"],
    ["%e|%.2E|%+.2e", [1234.5, 0.000123, 12345.5], "1.234500e+03|1.23E-04|+1.23e+04"],
    ["%g|%g|%.3g|%.3g|%G", [0.5, 1e-5, 1234.5, 1.5, 1e-10], "0.5|1e-05|1.23e+03|1.5|1E-10"],
    ["%10.4v|", [3.14159265], "     3.142|"],
  ])("sprintf(%j, %j) = %j", async (format, args, expected) => {
    expect(await callBuiltin("sprintf", format, args)).toBe(expected);
  });

  it("prints sets as Rego does, inside other values too", async () => {
    const p = new PolicyBuilder();
    const e = await load(
      p.policy([
        {
          name: "t/sets",
          blocks: [
            block(
              { type: "MakeSet", target: 2 },
              { type: "MakeNumberInt", value: 1, target: 3 },
              { type: "SetAdd", value: local(3), set: 2 },
              { type: "SetAdd", value: p.str("x"), set: 2 },
              { type: "MakeSet", target: 4 },
              { type: "MakeArray", capacity: 1, target: 5 },
              { type: "ArrayAppend", value: local(2), array: 5 },
              { type: "MakeArray", capacity: 3, target: 6 },
              { type: "ArrayAppend", value: local(2), array: 6 },
              { type: "ArrayAppend", value: local(4), array: 6 },
              { type: "ArrayAppend", value: local(5), array: 6 },
              { type: "Call", func: "sprintf", args: [p.str("%v %v %s"), local(6)], result: 7 },
              ...addResult(p, 7, 8),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({})).toEqual([{ result: '{1, "x"} set() [{1, "x"}]' }]);
  });

  it("raises OPA's operand type errors", async () => {
    await expect(callBuiltin("sprintf", 1, [])).rejects.toThrow(
      "policy.rego:1:8: eval_type_error: sprintf: operand 1 must be string but got number",
    );
    await expect(callBuiltin("sprintf", "%v", set("b"))).rejects.toThrow(
      "policy.rego:1:8: eval_type_error: sprintf: operand 2 must be array but got set",
    );
    await expect(callBuiltin("sprintf", "%999999d", [1])).rejects.toThrow(
      "eval_builtin_error: sprintf: format width or precision over 100000",
    );
  });
});

describe("net.cidr_contains and net.cidr_intersects (native)", () => {
  it.each<[string, unknown[], boolean]>([
    ["net.cidr_contains", ["10.0.0.0/8", "10.1.2.3"], true],
    ["net.cidr_contains", ["10.0.0.0/8", "11.0.0.1"], false],
    ["net.cidr_contains", ["10.0.0.0/8", "10.20.0.0/16"], true],
    ["net.cidr_contains", ["10.0.0.0/16", "10.0.0.0/8"], false],
    ["net.cidr_contains", ["10.1.2.3/8", "10.200.0.0/16"], true],
    ["net.cidr_contains", ["0.0.0.0/0", "192.168.1.1"], true],
    ["net.cidr_contains", ["192.168.1.1/32", "192.168.1.1"], true],
    ["net.cidr_contains", ["2001:db8::/32", "2001:db8:1::1"], true],
    ["net.cidr_contains", ["2001:db8::/33", "2001:db8:8000::1"], false],
    ["net.cidr_contains", ["2001:db8:0:0:1::/80", "2001:db8::1:0:0:1"], true],
    ["net.cidr_contains", ["::/0", "10.0.0.1"], false],
    ["net.cidr_contains", ["::/0", "::1"], true],
    ["net.cidr_contains", ["::ffff:0:0/96", "::ffff:10.0.0.1"], true],
    ["net.cidr_contains", ["10.0.0.0/8", "::ffff:10.0.0.1"], false],
    ["net.cidr_contains", ["fe80::/10", "FEBF:ffff::1"], true],
    ["net.cidr_intersects", ["10.0.0.0/8", "10.255.0.0/16"], true],
    ["net.cidr_intersects", ["10.255.0.0/16", "10.0.0.0/8"], true],
    ["net.cidr_intersects", ["192.168.0.0/24", "192.168.1.0/24"], false],
    ["net.cidr_intersects", ["fd00::/8", "fd12:3456::/32"], true],
    ["net.cidr_intersects", ["fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1111::/72"], true],
    ["net.cidr_contains", ["fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1111::/72"], true],
    ["net.cidr_contains", ["fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddd::1"], false],
    ["net.cidr_intersects", ["2600:1f18::/32", "2000::/3"], true],
    ["net.cidr_intersects", ["fd00::/8", "2000::/3"], false],
    ["net.cidr_intersects", ["0.0.0.0/0", "::/0"], false],
  ])("%s(%j) = %j", async (name, args, expected) => {
    expect(await callBuiltin(name, ...args)).toBe(expected);
  });

  it.each<[string, unknown[], string]>([
    ["net.cidr_contains", ["10.0.0.0/33", "10.0.0.1"], "10.0.0.0/33"],
    ["net.cidr_contains", ["300.0.0.0/8", "10.0.0.1"], "300.0.0.0/8"],
    // Go's parser (and so OPA) refuses leading zeros, which others read as octal.
    ["net.cidr_contains", ["010.0.0.0/8", "10.0.0.1"], "010.0.0.0/8"],
    ["net.cidr_contains", ["10.0.0.0/8", "10.0.0"], "10.0.0"],
    ["net.cidr_contains", ["1:2:3:4:5:6:7:8:9/64", "::1"], "1:2:3:4:5:6:7:8:9/64"],
    ["net.cidr_contains", ["1::2::3/64", "::1"], "1::2::3/64"],
    ["net.cidr_contains", ["fe80::1%eth0/64", "::1"], "fe80::1%eth0/64"],
    ["net.cidr_intersects", ["10.0.0.0/8", "10.0.0.1"], "10.0.0.1"],
    ["net.cidr_intersects", ["2001:db8::/129", "::/0"], "2001:db8::/129"],
  ])("%s(%j) is an invalid CIDR address: %s", async (name, args, bad) => {
    await expect(callBuiltin(name, ...args)).rejects.toThrow(
      `policy.rego:1:8: eval_builtin_error: ${name}: invalid CIDR address: ${bad}`,
    );
  });

  it("raises OPA's operand type errors", async () => {
    await expect(callBuiltin("net.cidr_intersects", "10.0.0.0/8", 1)).rejects.toThrow(
      "eval_type_error: net.cidr_intersects: operand 2 must be string but got number",
    );
  });
});

describe("glob.match (native, gobwas semantics)", () => {
  it.each<[string, unknown, string, boolean]>([
    ["*.example.com", ["."], "api.example.com", true],
    ["*.example.com", ["."], "a.b.example.com", false],
    ["**.example.com", ["."], "a.b.example.com", true],
    ["*.example.com", null, "a.b.example.com", true],
    ["*", [], "a.b", false],
    ["*", null, "a.b", true],
    ["*:github.com", [], "api:github.com", true],
    ["a/**/b", ["/"], "a/x/y/b", true],
    ["a/*/b", ["/"], "a/x/y/b", false],
    ["a/*/b", ["/", "."], "a/x.y/b", false],
    ["{api,web}-?", [], "web-1", true],
    ["{api,web}-?", [], "db-1", false],
    ["x{a,{b,c}d}y", [], "xcdy", true],
    ["x{a,}y", [], "xy", true],
    ["?", [], "é", true],
    ["?", [], ".", false],
    ["[a-c]at", [], "bat", true],
    ["[!a-c]at", [], "bat", false],
    ["[!a-c]at", [], "rat", true],
    ["[a-]", [], "-", true],
    ["a\\*b", [], "a*b", true],
    ["a\\*b", [], "axb", false],
    ["s3:get*", null, "s3:GetObject", false],
    ["s3:Get*", null, "s3:GetObject", true],
    ["a}b,c", [], "a}b,c", true],
    ["", [], "", true],
    ["", [], "a", false],
    ["*a*a*a*a*a*a*a*a*a*a*a*a*b", null, "a".repeat(5000), false],
  ])("glob.match(%j, %j, %j) = %j", async (pattern, delimiters, subject, expected) => {
    expect(await callBuiltin("glob.match", pattern, delimiters, subject)).toBe(expected);
  });

  it.each<[string, string]>([
    ["[ab", "unclosed character class in glob pattern"],
    ["{a,b", "unclosed alternation in glob pattern"],
    ["a\\", "unexpected end of glob pattern"],
    ["[z-a]", "invalid character class range in glob pattern"],
  ])("glob.match(%j) raises: %s", async (pattern, message) => {
    await expect(callBuiltin("glob.match", pattern, [], "a")).rejects.toThrow(
      `policy.rego:1:8: eval_builtin_error: glob.match: ${message} "${pattern}"`,
    );
  });

  it("raises OPA's operand type errors", async () => {
    await expect(callBuiltin("glob.match", "*", "x", "a")).rejects.toThrow(
      "eval_type_error: glob.match: operand 2 must be array but got string",
    );
  });
});
