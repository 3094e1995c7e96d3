// strings.render_template as OPA runs it (Go's text/template, missingkey=error, variables through
// JSON so numbers are float64): OPA's own cases, the supported subset, its errors, then through
// the compiler, Wasm and the SDK.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { compileRego } from "../index.js";
import { callBuiltin } from "../wasm/testing-builtins.js";
import { hostDefinitions } from "./host-functions.js";
import { hostBuiltins } from "./host.js";
import type { HostValue } from "./host-value.js";

const render = (template: string, variables: HostValue) =>
  hostDefinitions["strings.render_template"]!.fn(template, variables);

describe("strings.render_template", () => {
  it.each<[string, HostValue, string]>([
    // OPA's rendertemplate cases.
    ["{{.test}}", { test: "hello world" }, "hello world"],
    ["{{.test}}", { test: 2023 }, "2023"],
    [
      "{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}",
      { hellonames: ["rohan", "john doe"] },
      "hello rohan,hello john doe",
    ],
    // Go's %v of float64s, slices, maps and nil.
    [
      "{{.a}} {{.b}} {{.c}} {{.d}}",
      { a: 1.5, b: 1e6, c: 123456, d: 0.00001 },
      "1.5 1e+06 123456 1e-05",
    ],
    [
      "{{.l}} {{.m}} {{.z}}",
      { l: [1, "a", null], m: { b: true, a: [1] }, z: null },
      "[1 a <nil>] map[a:[1] b:true] <no value>",
    ],
    // Trim markers and comments.
    ["a {{- /* note */ -}} b\n{{- .x}}", { x: "!" }, "ab!"],
    // if / else if / else, with, range over maps in key order and range's else.
    ["{{if eq .n 3.0}}three{{else if gt .n 3.0}}big{{else}}small{{end}}", { n: 4 }, "big"],
    [
      "{{with .x}}{{.y}}{{else}}none{{end}}|{{with .w}}{{.}}{{else}}none{{end}}",
      { x: { y: "in" }, w: "" },
      "in|none",
    ],
    [
      "{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}{{range .e}}x{{else}}empty{{end}}",
      { m: { b: 2, a: 1 }, e: [] },
      "a=1;b=2;empty",
    ],
    // Variables, pipes, parentheses and functions.
    [
      '{{$n := .s | len}}{{$n}} {{index .l 1}} {{index .m "k"}} {{not .f}} {{and 1 0}} {{or 0 "" "z"}}',
      { s: "héllo", l: ["a", "b"], m: { k: "v" }, f: false },
      "6 b v true 0 z",
    ],
    [
      '{{if (and (ne .a "x") (le (len .l) 2))}}ok{{end}} {{print .a 1 2}}',
      { a: "y", l: [1] },
      "ok y1 2",
    ],
  ])("render(%j, %j) = %j", (template, variables, expected) => {
    expect(render(template, variables)).toBe(expected);
  });

  it.each<[string, HostValue, string]>([
    ["{{.missing}}", { test: "x" }, 'map has no entry for key "missing"'],
    ["{{.a.b}}", { a: "text" }, "can't evaluate field b in type string"],
    ["{{.a", {}, "unclosed action"],
    ["{{if .a}}x", { a: 1 }, "unexpected EOF"],
    ["{{end}}", {}, "unexpected {{end}}"],
    ["{{foo}}", {}, 'function "foo" not defined'],
    ['{{printf "%1000000d" 1}}', {}, "format width or precision over 100000"],
    ["{{printf .n}}", { n: 1 }, "error calling printf: the format must be a string"],
    ['{{define "x"}}{{end}}', {}, '"define" is not supported'],
    ["{{$y}}", {}, "undefined variable: $y"],
    ["{{range .n}}{{end}}", { n: 3 }, "range can't iterate over 3"],
  ])("render(%j, %j) fails: %s", (template, variables, message) => {
    expect(() => render(template, variables)).toThrow(message);
  });

  it.each<[string, HostValue, string]>([
    [
      '{{printf "%s has %d ports" .name (len .ports)}}',
      { name: "sg", ports: [1, 2] },
      "sg has 2 ports",
    ],
    // Variables reach Go through JSON: their numbers are float64, which %d refuses, as in OPA.
    ['{{printf "%d|%v|%.1f" .n .n .n}}', { n: 3 }, "%!d(float64=3)|3|3.0"],
    ['{{printf "%.2f%%" .p}}', { p: 12.345 }, "12.35%"],
    ['{{printf "%05d|%x|%q" 42 "hi" .s}}', { s: 'a"b' }, '00042|6869|"a\\"b"'],
    [
      '{{printf "%v %v %v" .l .m .b}}',
      { l: ["a", 1], m: { k: "v" }, b: true },
      "[a 1] map[k:v] true",
    ],
    ['{{printf "%s" .b}}', { b: false }, "%!s(bool=false)"],
    // A piped value is the last argument.
    ['{{.n | printf "%v-%v" "a"}}', { n: 1.5 }, "a-1.5"],
    ['{{printf "%d items" (len .l) | printf "[%s]"}}', { l: [1] }, "[1 items]"],
  ])("render(%j, %j) with printf = %j", (template, variables, expected) => {
    expect(render(template, variables)).toBe(expected);
  });

  // Go's strconv quoting by unicode.IsPrint (Go 1.27's Unicode 17.0), as sprintf's %q in the runtime.
  it.each<[string, HostValue, string]>([
    [
      '{{printf "%q" .s}}',
      { s: 'a\u00a0b\u200b\u2028é\u0085\u00ad🚀\u{e0001}\u{1fbcb}\u{1fbfb}\x7f\x01\t"\\' },
      '"a\\u00a0b\\u200b\\u2028é\\u0085\\u00ad🚀\\U000e0001\u{1fbcb}\\U0001fbfb\\x7f\\x01\\t\\"\\\\"',
    ],
    [
      '{{printf "%+q|%.2q|%5q|%-4q|" .s .s .r .r}}',
      { s: "é🚀x", r: "🚀" },
      '"\\u00e9\\U0001f680x"|"é🚀"|  "🚀"|"🚀" |',
    ],
    [
      '{{printf "%#q|%#q|%#q" .a .b .c}}',
      { a: "é\tx", b: "a`b", c: "a\nb" },
      '`é\tx`|"a`b"|"a\\nb"',
    ],
    // %x's precision counts bytes (fmtSbx), %s's and %q's runes.
    ['{{printf "%.2x|%x|%.1s" .s .s .s}}', { s: "éa" }, "c3a9|c3a961|é"],
    // Integer constants are Go ints: %q is QuoteRune, %c a rune, U+FFFD for what is not one.
    [
      '{{printf "%q %q %+q %q %c %c" 39 10 233 55296 -1 128512}}',
      {},
      "'\\'' '\\n' '\\u00e9' '�' � 😀",
    ],
    // Slices and maps of `any`: fmt prints each element (and key) with the verb and flags, a
    // nil one as <nil>; a nil argument is <nil> for %v and %T only.
    [
      '{{printf "%q|%s|%d" .l .l .l}}',
      { l: ["a", 1, null, true] },
      '["a" %!q(float64=1) <nil> %!q(bool=true)]|[a %!s(float64=1) <nil> %!s(bool=true)]|' +
        "[%!d(string=a) %!d(float64=1) <nil> %!d(bool=true)]",
    ],
    [
      '{{printf "%q|%3v|" .m .l}}',
      { m: { b: "é\u200b", a: 1.5 }, l: ["a", "b"] },
      'map["a":%!q(float64=1.5) "b":"é\\u200b"]|[  a   b]|',
    ],
    [
      '{{printf "%v|%s|%T %T %T %T %T %T" .z .z .s .n 1 .l .m .z}}',
      { z: null, s: "", n: 1, l: [], m: {} },
      "<nil>|%!s(<nil>)|string float64 int []interface {} map[string]interface {} <nil>",
    ],
    ['{{printf "%v" 1 .l .z}}', { l: ["a", 2], z: null }, "1%!(EXTRA []interface {}=[a 2], <nil>)"],
    // Printed, not quoted, text comes out as it is.
    [
      "{{.s}} {{print .s}} {{.l}}",
      { s: "\u00a0\u0001", l: ["\u200b"] },
      "\u00a0\u0001 \u00a0\u0001 [\u200b]",
    ],
  ])("render(%j, %j) quotes as Go: %j", (template, variables, expected) => {
    expect(render(template, variables)).toBe(expected);
  });

  it("quotes as sprintf does in the runtime, rune for rune", async () => {
    // Seeded strings over ASCII, the BMP, the specials block (U+FE00..U+FFFF) and the astral
    // planes, where printable and not interleave.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const spans = [0x80, 0x3000, 0x10000, 0x30000];
    const strings = Array.from({ length: 150 }, () =>
      Array.from({ length: 8 }, () => {
        const span = spans[Math.floor(random() * spans.length)]!;
        const cp =
          span === 0x10000 ? 0xfe00 + Math.floor(random() * 0x200) : Math.floor(random() * span);
        return cp >= 0xd800 && cp <= 0xdfff ? "x" : String.fromCodePoint(cp);
      }).join(""),
    );
    for (const s of strings)
      for (const format of ["%q", "%+q", "%#q", "%.3q"])
        expect(render(`{{printf "${format}" .s}}`, { s }), `${format} ${JSON.stringify(s)}`).toBe(
          await callBuiltin("sprintf", format, [s]),
        );
  });

  it("stops a template whose output runs away", () => {
    const big = { l: Array.from({ length: 1000 }, (_, i) => i) };
    const template = `{{range .l}}{{range $.l}}${"x".repeat(20)}{{end}}{{end}}`;
    expect(() => render(template, big)).toThrow("output is over 10000000 characters");
  });

  it("renders in a policy; a missing key is a builtin error, as in OPA", async () => {
    const source = `package t

message := strings.render_template("{{.kind}} {{.name}} opens port {{.port}}", input)

broken := strings.render_template("{{.nope}}", input)
`;
    const { wasm, entrypoints } = await compileRego(
      { "t.rego": source },
      { entrypoints: ["t/message", "t/broken"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const input = { kind: "aws_security_group", name: "web", port: 22 };
    expect(policy.evaluate(input, entrypoints["t/message"])).toEqual([
      { result: "aws_security_group web opens port 22" },
    ]);
    expect(policy.evaluate(input, entrypoints["t/broken"])).toEqual([]);
  });
});
