import { describe, expect, it } from "vitest";
import { builtinPolicy, callBuiltin, set } from "../wasm/testing-builtins.js";
import { sdkText } from "./sdk-text.js";
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

  it("formats integers past 64 bits as Go's *big.Int formats itself", async () => {
    const p = new PolicyBuilder();
    const big = "123456789012345678901234567890";
    const e = await load(
      p.policy([
        {
          name: "t/big",
          blocks: [
            block(
              { type: "MakeNumberRef", index: p.index(big), target: 2 },
              { type: "MakeNumberRef", index: p.index(`-${big}`), target: 3 },
              { type: "MakeArray", capacity: 6, target: 4 },
              { type: "ArrayAppend", value: local(2), array: 4 },
              { type: "ArrayAppend", value: local(3), array: 4 },
              { type: "ArrayAppend", value: local(2), array: 4 },
              { type: "ArrayAppend", value: local(2), array: 4 },
              { type: "ArrayAppend", value: local(3), array: 4 },
              { type: "ArrayAppend", value: local(2), array: 4 },
              {
                type: "Call",
                func: "sprintf",
                args: [p.str("%+v|%d|%c|%T|%q"), local(4)],
                result: 5,
              },
              ...addResult(p, 5, 6),
            ),
          ],
        },
      ]),
    );
    expect(e.evaluate({})).toEqual([
      {
        result: `+${big}|-${big}|%!c(big.Int=${big})|*big.Int|%!q(big.Int=-${big})%!(EXTRA *big.Int=${big})`,
      },
    ]);
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

// Expected values are Go's own (fmt's tests and docs); Go's 12.0 is 12.5 here, since JSON gives
// OPA 12.0 as an int.
describe("sprintf: explicit argument indexes, widths and precisions from arguments", () => {
  it.each<[string, unknown[], string]>([
    ["%[1]d", [1], "1"],
    ["%[2]d", [2, 1], "1"],
    ["%[2]d %[1]d", [1, 2], "2 1"],
    ["%[2]*[1]d", [2, 5], "    2"],
    ["%[3]*.[2]*[1]f", [12.5, 2, 6], " 12.50"],
    ["%[1]*.[2]*[3]f", [6, 2, 12.5], " 12.50"],
    ["%[1]*[3]f", [10, 99, 12.5], " 12.500000"],
    ["%.[1]*[3]f", [6, 99, 12.5], "12.500000"],
    ["%[1]*.[3]f", [6, 3, 12.5], "    12"],
    ["%d %d %d %#[1]o %#o %#o", [11, 12, 13], "11 12 13 013 014 015"],
    ["%*d|%-*d|%*d|", [5, 42, 5, 42, -5, 42], "   42|42   |42   |"],
    ["%.*f|%*.*f|%0*d", [2, 3.14159, 8, 3, 3.14159, 5, -42], "3.14|   3.142|-0042"],
    ["%*s|%-*s|", [3, "é", 3, "é"], "  é|é  |"],
  ])("sprintf(%j, %j) = %j", async (format, args, expected) => {
    expect(await callBuiltin("sprintf", format, args)).toBe(expected);
  });

  it.each<[string, unknown[], string]>([
    ["%[d", [2, 1], "%!d(BADINDEX)"],
    ["%]d", [2, 1], "%!](int=2)d%!(EXTRA int=1)"],
    ["%[]d", [2, 1], "%!d(BADINDEX)"],
    ["%[-3]d", [2, 1], "%!d(BADINDEX)"],
    ["%[99]d", [2, 1], "%!d(BADINDEX)"],
    ["%[0]d", [2, 1], "%!d(BADINDEX)"],
    ["%[3]", [2, 1], "%!(NOVERB)"],
    ["%[1].2d", [5, 6], "%!d(BADINDEX)"],
    ["%[1]2d", [2, 1], "%!d(BADINDEX)"],
    ["%3.[2]d", [7], "%!d(BADINDEX)"],
    ["%.[2]d", [7], "%!d(BADINDEX)"],
    ["%d %d %d %#[1]o %#o %#o %#o", [11, 12, 13], "11 12 13 013 014 015 %!o(MISSING)"],
    ["%[5]d %[2]d %d", [1, 2, 3], "%!d(BADINDEX) 2 3"],
    ["%d %[3]d %d", [1, 2], "1 %!d(BADINDEX) 2"],
    ["%.[]", [], "%!](BADINDEX)"],
    ["%.-3d", [42], "%!-(int=42)3d"],
    ["%.", [3], "%!.(int=3)"],
    ["%2147483648d", [42], "%!(NOVERB)%!(EXTRA int=42)"],
    ["%-2147483648d", [42], "%!(NOVERB)%!(EXTRA int=42)"],
    ["%.2147483648d", [42], "%!(NOVERB)%!(EXTRA int=42)"],
    ["%017091901790959340919092959340919017929593813360", [0], "%!(NOVERB)%!(EXTRA int=0)"],
    // A width or precision must be an int: OPA hands Go booleans and other values as text.
    ["%*d", ["x", 42], "%!(BADWIDTH)42"],
    ["%*d", [1.5, 42], "%!(BADWIDTH)42"],
    ["%*d", [true, 42], "%!(BADWIDTH)42"],
    ["%*d", [2000000, 42], "%!(BADWIDTH)42"],
    ["%*d", [], "%!(BADWIDTH)%!d(MISSING)"],
    ["%.*d", [-1, 42], "%!(BADPREC)42"],
    ["%.*d", ["2", 42], "%!(BADPREC)42"],
  ])("sprintf(%j, %j) = %j (Go's format errors)", async (format, args, expected) => {
    expect(await callBuiltin("sprintf", format, args)).toBe(expected);
  });

  it("refuses a width from an argument past 100000, as a written one", async () => {
    await expect(callBuiltin("sprintf", "%*d", [200000, 1])).rejects.toThrow(
      "eval_builtin_error: sprintf: format width or precision over 100000",
    );
    await expect(callBuiltin("sprintf", "%.*f", [200000, 1.5])).rejects.toThrow(
      "eval_builtin_error: sprintf: format width or precision over 100000",
    );
  });
});

describe("sprintf: floats in hex and binary, string padding, %v and %q flags (Go's fmt)", () => {
  it.each<[string, unknown[], string]>([
    ["%x|%X|%x", [1.5, 1.5, -2.5], "0x1.8p+00|0X1.8P+00|-0x1.4p+01"],
    ["%x", [0.1], "0x1.999999999999ap-04"],
    ["%.1x|%.3x|%.0x", [0.1, 1.5, 1.5], "0x1.ap-04|0x1.800p+00|0x1p+01"],
    ["% .3x|%+x", [1.5, 1.5], " 0x1.800p+00|+0x1.8p+00"],
    ["%x", [1e-300], "0x1.56e1fc2f8f359p-997"],
    ["%10x|%-11x|%012x", [1.5, 1.5, -1.5], " 0x1.8p+00|0x1.8p+00  |-000x1.8p+00"],
    ["%b|%b", [1.5, -0.5], "6755399441055744p-52|-4503599627370496p-53"],
    // # keeps the point, and for %g and %x zeros to the precision (fmt's tests, where integers
    // are floats).
    ["%#g|%#g|%#g|%#g", [1.1, 1e-323, 123456.5, -2.5], "1.10000|1.00000e-323|123456.5|-2.50000"],
    [
      "%#.4g|%#.4g|%#.4g|%#.4g|%#.4g",
      [1.234, 0.1234, 1.23, 0.012, 10.2],
      "1.234|0.1234|1.230|0.01200|10.20",
    ],
    [
      "%#.0f|%#.0e|%#.0x|%#x|%#.4x|%#X|%#b",
      [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5],
      "2.|2.e+00|0x1.p+01|0x1.8000p+00|0x1.8000p+00|0X1.8P+00|6755399441055744p-52",
    ],
    ["%#9.4g|%-#9.4g|%#09.2f", [1.5, 1.5, -1.5], "    1.500|1.500    |-00001.50"],
    ["%05s|%-05s|%05s", ["abc", "abc", "-ab"], "00abc|abc  |00-ab"],
    ["%08q|%010q|%-8q|", ["abc", 0x2318, "abc"], '000"abc"|0000000\'⌘\'|"abc"   |'],
    [
      "%.5q|%.5x|%.1x",
      ["abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz", "日本語"],
      '"abcde"|6162636465|e6',
    ],
    [
      "% x|% X|%#x|%# X|%#x|",
      ["xyz", "xyz", "xyz", "xyz", ""],
      "78 79 7a|78 79 7A|0x78797a|0X78 0X79 0X7A||",
    ],
    ["%08x|%# 010x", ["\u00ab", "\u00ab"], "0000c2ab|00xc2 0xab"],
    ["%+v|%+d|%+v|% v", [5, 5, 1.5, 5], "5|+5|1.5| 5"],
    ["%#v|%v", ["foo", "foo"], '"foo"|foo'],
    ["%T|%T|%T|%8T|%.2T", [1, 1.5, "s", true, 1], "int|float64|string|  string|in"],
    [
      "%U|%#U|%#U|%.6U|%U",
      [0x263a, 0x263a, 10, 42, -1],
      "U+263A|U+263A '☺'|U+000A|U+00002A|U+FFFFFFFFFFFFFFFF",
    ],
    [
      "%#14.6U|%#-14.6U|%#014.6U|%#U",
      [0x2318, 0x2318, 0x2318, 0x1d6c2],
      "  U+002318 '⌘'|U+002318 '⌘'  |  U+002318 '⌘'|U+1D6C2 '𝛂'",
    ],
    ["%#q|%#q|%#q", ["abc", "a`b", "tab\there"], '`abc`|"a`b"|`tab\there`'],
    ["%+q|%+q|%+q", ["日本語", 0x263a, "\u00ff"], '"\\u65e5\\u672c\\u8a9e"|\'\\u263a\'|"\\u00ff"'],
    // Runes Go's unicode.IsPrint calls not printable: controls, spaces but ' ', format
    // characters, unassigned code points (Unicode 17.0, as Go 1.27 has it).
    ["%q", ["\u0007\b\f\n\r\t\u000b\u0000\u001b\u007f"], '"\\a\\b\\f\\n\\r\\t\\v\\x00\\x1b\\x7f"'],
    ["%q", ["\u0080\u00a0\u00ad\u00a1\u00ff"], '"\\u0080\\u00a0\\u00ad¡ÿ"'],
    ["%q", ["\u200b\u2028\u3000\ufeff\u0e00"], '"\\u200b\\u2028\\u3000\\ufeff\\u0e00"'],
    ["%q", ["\u{10ffff}\u{c2345}\u{e0001}😀"], '"\\U0010ffff\\U000c2345\\U000e0001😀"'],
    ["%q|%q|%q", [0x0e00, 0x10ffff, 0x7f], "'\\u0e00'|'\\U0010ffff'|'\\x7f'"],
    // Unicode 16.0 and 17.0 letters are printable in Go 1.27's tables (Go 1.26's, 15.0, escaped
    // them); U+1C8B and U+16D7A are still unassigned.
    [
      "%q",
      ["\u1c89\u{16100}\u{2ebf0}\u1c8b\u{16d7a}"],
      '"\u1c89\u{16100}\u{2ebf0}\\u1c8b\\U00016d7a"',
    ],
    // Strings inside Rego text are quoted the same way.
    ["%v", [["\u00a0", "é"]], '["\\u00a0", "é"]'],
  ])("sprintf(%j, %j) = %j", async (format, args, expected) => {
    expect(await callBuiltin("sprintf", format, args)).toBe(expected);
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
    ["a\\*b", [], "a*b", true],
    ["a\\*b", [], "axb", false],
    ["s3:get*", null, "s3:GetObject", false],
    ["s3:Get*", null, "s3:GetObject", true],
    ["a}b,c", [], "a}b,c", true],
    ["", [], "", true],
    ["", [], "a", false],
    ["*a*a*a*a*a*a*a*a*a*a*a*a*b", null, "a".repeat(5000), false],
    // gobwas's reading: a class is one range or runes, an unclosed group closes at the end, a
    // final backslash is dropped, and a NUL ends a text token (at a token's start, the pattern).
    ["[ab-c]", [], "-", true],
    ["[ab-c]", [], "b", true],
    ["[\\]]", [], "]", true],
    ["[]-a]", [], "^", true],
    ["[!!]", [], "!", false],
    ["[!!]", [], "a", true],
    ["{a,b", [], "b", true],
    ["x{a,{b", [], "xb", true],
    ["a\\", [], "a", true],
    ["a\u0000b", [], "ab", true],
    ["*\u0000[", null, "anything", true],
  ])("glob.match(%j, %j, %j) = %j", async (pattern, delimiters, subject, expected) => {
    expect(await callBuiltin("glob.match", pattern, delimiters, subject)).toBe(expected);
  });

  // OPA's text: gobwas's message after the builtin's name.
  it.each<[string, string]>([
    ["[ab", "unexpected end of input"],
    ["[", "unexpected end of input"],
    ["[!", "unexpected end of input"],
    ["[a-]", "unexpected end of input"],
    ["[a-b", "unexpected end of input"],
    ["[\\]", "unexpected end of input"],
    ["[a\ufffd]", "unexpected end of input"],
    ["[a-z0-9]", "expected close range character"],
    ["[a-bc]", "expected close range character"],
    ["[a\u0000b]", "expected close range character"],
    ["[z-a]", "hi character 'a' should be greater than lo 'z'"],
    ["{x,[é-a]}", "hi character 'a' should be greater than lo 'é'"],
    ["[]", "could not parse range"],
    ["[!]", "could not parse range"],
    ["x\ufffdy", "could not read rune"],
    ["*\ufffd", "could not read rune"],
  ])("glob.match(%j) raises: %s", async (pattern, message) => {
    const error: unknown = await callBuiltin("glob.match", pattern, [], "a").then(
      () => "no error",
      (e: unknown) => e,
    );
    // The whole message (OPA does not repeat the pattern), as the app reads the SDK's text.
    expect(sdkText(error instanceof Error ? error.message : String(error))).toBe(
      `policy.rego:1:8: eval_builtin_error: glob.match: ${message}`,
    );
  });

  it("matches through 200 nested groups, and refuses deeper ones even when not strict", async () => {
    const nested = (depth: number) => `${"{".repeat(depth)}a${"}".repeat(depth)}`;
    expect(await callBuiltin("glob.match", nested(200), [], "a")).toBe(true);
    // Not gobwas's error (it has no bound): 50,000 `{` overflowed the stack before.
    for (const depth of [201, 50_000])
      await expect(callBuiltin("glob.match", nested(depth), [], "a")).rejects.toThrow(
        "policy.rego:1:8: eval_builtin_error: glob.match: { groups nested deeper than 200",
      );
    // Undefined, as other builtin errors are when not strict, could hide a finding.
    const lenient = await load(builtinPolicy("glob.match", 3), { strictBuiltinErrors: false });
    expect(() => lenient.evaluate([nested(201), [], "a"])).toThrow(
      "glob.match: { groups nested deeper than 200",
    );
  });

  it("raises OPA's operand type errors", async () => {
    await expect(callBuiltin("glob.match", "*", "x", "a")).rejects.toThrow(
      "eval_type_error: glob.match: operand 2 must be one of {array, null} but got string",
    );
    await expect(callBuiltin("glob.match", "*", [1], "a")).rejects.toThrow(
      "eval_type_error: glob.match: operand 2 must be array of strings but got array containing number",
    );
    await expect(callBuiltin("glob.match", "*", ["/", "::"], "a")).rejects.toThrow(
      "eval_type_error: glob.match: operand 2 must be array of runes but got array containing string",
    );
  });
});
