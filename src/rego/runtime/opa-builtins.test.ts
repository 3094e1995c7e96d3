// The OPA builtins a conftest port needs (time, units, semver, graph, hashes, hex, net.cidr_*,
// object.subset, strings.replace_n, regex.template_match): OPA's documented results and edge
// cases as plain host functions, then through the compiler, Wasm and the SDK.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { compileRego, RegoCompileError } from "../index.js";
import { hostDefinitions } from "./host-functions.js";
import { hostBuiltins } from "./host.js";
import { RegoNumber, RegoSet, type HostValue } from "./host-value.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);
const big = (text: string) => new RegoNumber(text);
const set = (...elements: HostValue[]) => new RegoSet(elements);
/** A set result's elements in a stable order, for comparison. */
const sorted = (v: HostValue | undefined) =>
  v instanceof RegoSet
    ? [...v.elements].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    : v;

type Case = [name: string, args: HostValue[], expected: HostValue];

describe("time builtins", () => {
  it.each<Case>([
    ["time.parse_rfc3339_ns", ["1970-01-01T00:00:00Z"], 0],
    ["time.parse_rfc3339_ns", ["2017-06-02T19:00:00.000Z"], big("1496430000000000000")],
    ["time.parse_rfc3339_ns", ["1996-12-19T16:39:57-08:00"], big("851042397000000000")],
    // Go reads a fraction the layout does not spell out, to nine digits.
    ["time.parse_rfc3339_ns", ["2006-01-02T15:04:05.1234567891Z"], big("1136214245123456789")],
    ["time.parse_rfc3339_ns", ["2262-04-11T23:47:16.854775807Z"], big("9223372036854775807")],
    ["time.parse_rfc3339_ns", ["1969-12-31T23:59:59Z"], -1_000_000_000],
    ["time.parse_rfc3339_ns", ["1677-09-21T00:12:43.145224192-00:00"], big("-9223372036854775808")],
    ["time.parse_ns", ["2006-01-02", "2024-02-29"], big("1709164800000000000")],
    [
      "time.parse_ns",
      ["January 2, 2006 3:04PM", "november 5, 2023 3:04PM"],
      big("1699196640000000000"),
    ],
    ["time.parse_ns", ["RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"], big("1136239445000000000")],
    ["time.parse_ns", ["ANSIC", "Mon Jan  2 15:04:05 2006"], big("1136214245000000000")],
    ["time.parse_ns", ["2006-002", "2024-060"], big("1709164800000000000")],
    [
      "time.parse_ns",
      ["2006-01-02 15:04:05.000", "2023-01-01 10:00:00.123"],
      big("1672567200123000000"),
    ],
    ["time.parse_duration_ns", ["1h30m"], 5_400_000_000_000],
    ["time.parse_duration_ns", ["1.5h"], 5_400_000_000_000],
    ["time.parse_duration_ns", ["-1.5\u00b5s"], -1500],
    ["time.parse_duration_ns", ["2\u03bcs"], 2000],
    ["time.parse_duration_ns", [".5s"], 500_000_000],
    ["time.parse_duration_ns", ["0"], 0],
    ["time.parse_duration_ns", ["2562047h47m16.854775807s"], big("9223372036854775807")],
    ["time.date", [0], [1970, 1, 1]],
    ["time.date", [-1], [1969, 12, 31]],
    ["time.date", [big("1700000000000000000")], [2023, 11, 14]],
    ["time.date", [[big("1700000000000000000"), "Asia/Tokyo"]], [2023, 11, 15]],
    ["time.date", [[0, ""]], [1970, 1, 1]],
    ["time.clock", [-1], [23, 59, 59]],
    ["time.clock", [[big("1700000000000000000"), "America/New_York"]], [17, 13, 20]],
    ["time.weekday", [0], "Thursday"],
    ["time.weekday", [[0, "UTC"]], "Thursday"],
    // Kiritimati was UTC-10:40 in 1970: zones keep their history.
    ["time.weekday", [[0, "Pacific/Kiritimati"]], "Wednesday"],
    // Go's AddDate: January 31 plus a month is February 31, that is March 2.
    ["time.add_date", [big("1706659200000000000"), 0, 1, 0], big("1709337600000000000")],
    ["time.add_date", [big("1709164800000000000"), 1, 0, 0], big("1740787200000000000")],
    ["time.add_date", [big("1709164800000000000"), 0, -2, 1], big("1703894400000000000")],
    // A day across the start of daylight saving time in New York is 23 hours.
    [
      "time.add_date",
      [[big("1710003600000000000"), "America/New_York"], 0, 0, 1],
      big("1710086400000000000"),
    ],
    ["time.diff", [big("1709251200000000000"), big("1706659200000000000")], [0, 1, 1, 0, 0, 0]],
    ["time.diff", [0, big("1700000000000000000")], [53, 10, 13, 22, 13, 20]],
    ["time.diff", [0, 0], [0, 0, 0, 0, 0, 0]],
    // 2020-02-02 to 2020-03-01 and 2004-02-29 to 2005-03-01 (OPA's own cases).
    ["time.diff", [big("1580601600000000000"), big("1583020800000000000")], [0, 0, 28, 0, 0, 0]],
    ["time.diff", [big("1078012800000000000"), big("1109635200000000000")], [1, 0, 1, 0, 0, 0]],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<[string, HostValue[], string]>([
    [
      "time.parse_rfc3339_ns",
      ["2024-02-30T00:00:00Z"],
      'parsing time "2024-02-30T00:00:00Z": day out of range',
    ],
    [
      "time.parse_rfc3339_ns",
      ["2024-01-01 00:00:00Z"],
      'parsing time "2024-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"',
    ],
    ["time.parse_rfc3339_ns", ["1600-01-01T00:00:00Z"], "time outside of valid range"],
    ["time.parse_rfc3339_ns", ["2262-04-11T23:47:16.854775808Z"], "time outside of valid range"],
    ["time.parse_ns", ["15:04", "25:00"], 'parsing time "25:00": hour out of range'],
    ["time.parse_ns", ["2006-01-02", "2023-11-05 extra"], 'extra text: " extra"'],
    ["time.parse_duration_ns", ["1d"], 'time: unknown unit "d" in duration "1d"'],
    ["time.parse_duration_ns", ["10"], 'time: missing unit in duration "10"'],
    ["time.parse_duration_ns", [""], 'time: invalid duration ""'],
    ["time.parse_duration_ns", ["2562047h47m16.854775808s"], "time: invalid duration"],
    ["time.date", [[0, "Nowhere/City"]], "unknown time zone Nowhere/City"],
    ["time.date", [1.5], "timestamp too big"],
    ["time.date", [big("9223372036854775808")], "timestamp too big"],
    [
      "time.date",
      [[]],
      "operand 1 must be either number (ns) or [number (ns), string (tz)] but got array",
    ],
    [
      "time.date",
      ["2024-01-01"],
      "operand 1 must be either number (ns) or [number (ns), string (tz)] but got string",
    ],
    ["time.add_date", [0, 300, 0, 0], "time outside of valid range"],
    ["time.add_date", [0, 1.5, 0, 0], "operand 2 must be integer number"],
    ["time.format", [big("15829776000000000000000")], "timestamp too big"],
    ["time.format", [[0, "UTC", 7]], "operand 1 must be string but got number"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });
});

describe("net.cidr_is_valid, strings.any_suffix_match, base64.is_valid, base64url.decode", () => {
  it.each<Case>([
    ["net.cidr_is_valid", ["10.0.0.0/8"], true],
    ["net.cidr_is_valid", ["10.1.2.3/8"], true],
    ["net.cidr_is_valid", ["2001:db8::/32"], true],
    ["net.cidr_is_valid", ["10.0.0.0"], false],
    ["net.cidr_is_valid", ["10.0.0.0/33"], false],
    ["net.cidr_is_valid", ["010.0.0.0/8"], false],
    ["net.cidr_is_valid", [8], false],
    ["strings.any_suffix_match", ["image.png", [".jpg", ".png"]], true],
    ["strings.any_suffix_match", [set("a.tf", "b.yaml"), ".yaml"], true],
    ["strings.any_suffix_match", [["a.tf"], set()], false],
    ["strings.any_suffix_match", ["repo", "repo.git"], false],
    ["base64.is_valid", ["aGVsbG8="], true],
    ["base64.is_valid", ["aGVs\nbG8="], true],
    ["base64.is_valid", ["aGVsbG8"], false],
    ["base64.is_valid", ["aGVsbG8_"], false],
    ["base64.is_valid", [""], true],
    // OPA pads unpadded base64url (RFC 7515 Appendix C), as JWT parts are written.
    ["base64url.decode", ["aGk"], "hi"],
    ["base64url.decode", ["aGVsbG8"], "hello"],
    ["base64url.decode", ["aGVsbG8="], "hello"],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it("refuses base64url text one character past a whole group, as OPA does", () => {
    expect(() => call("base64url.decode", "aGVsb")).toThrow("illegal base64url string: aGVsb");
  });

  it("raises OPA's operand errors for strings.any_suffix_match; base64.is_valid is false instead", () => {
    expect(() => call("strings.any_suffix_match", 1, "a")).toThrow(
      "operand 1 must be one of {string, set, array} but got number",
    );
    expect(() => call("strings.any_suffix_match", ["a", 1], "a")).toThrow(
      "operand 1 must be string but got number",
    );
    expect(call("base64.is_valid", 1)).toBe(false);
  });
});

describe("time.format", () => {
  const ns = big("1670006453141828752");
  it.each<[args: HostValue, expected: string]>([
    // OPA's own cases (time/format): the RFC3339Nano default, a zone, a layout, a named layout.
    [ns, "2022-12-02T18:40:53.141828752Z"],
    [[ns, "Asia/Kolkata"], "2022-12-03T00:10:53.141828752+05:30"],
    [[ns, "Asia/Kolkata", "Mon Jan 02 15:04:05 -0700 2006"], "Sat Dec 03 00:10:53 +0530 2022"],
    [[ns, "Asia/Kolkata", "RFC1123Z"], "Sat, 03 Dec 2022 00:10:53 +0530"],
    [[ns, "", ""], "2022-12-02T18:40:53.141828752Z"],
    // Every element of Go's layouts, in a zone with daylight saving and one without a name.
    [
      [ns, "America/New_York", "Monday Mon January Jan 1 01 2 02 _2 __2 002 06 2006"],
      "Friday Fri December Dec 12 12 2 02  2 336 336 22 2022",
    ],
    [[ns, "America/New_York", "15 3 03 4 04 5 05 PM pm MST"], "13 1 01 40 40 53 53 PM pm EST"],
    [
      [ns, "America/New_York", "-07 -0700 -07:00 -070000 -07:00:00"],
      "-05 -0500 -05:00 -050000 -05:00:00",
    ],
    [[ns, "UTC", "Z07 Z0700 Z07:00 -07:00 MST"], "Z Z Z +00:00 UTC"],
    [[big("1656000000000000000"), "Europe/Berlin", "MST Z07:00"], "CEST +02:00"],
    [[ns, "Asia/Dubai", "MST"], "+04"],
    [[ns, "UTC", ".000 .999 ,000000 .9"], ".141 .141 ,141828 .1"],
    [[1_000_000_000, "UTC", "RFC3339Nano"], "1970-01-01T00:00:01Z"],
    [[-1, "UTC", "2006-01-02T15:04:05.999999999 .000"], "1969-12-31T23:59:59.999999999 .999"],
    [[ns, "Europe/London", "UnixDate"], "Fri Dec  2 18:40:53 GMT 2022"],
    [[ns, "UTC", "Jane 2006_2 _2006"], "Jane 2022 2 _2022"],
  ])("time.format(%j) = %j", (args, expected) => {
    expect(call("time.format", args)).toBe(expected);
  });

  // Go reads abbreviations from the host's tzdata, and so do we: the test needs it (Debian's
  // tzdata package; .ci/run installs it). Without it, Intl's fallback prints `+09` for Tokyo.
  it("prints tzdata's abbreviation for the MST element, as Go does, in every zone and period", () => {
    const format = (ns: string, zone: string) => call("time.format", [big(ns), zone, "MST"]);
    const december2022 = "1670006453141828752";
    const june2022 = "1656000000000000000";
    expect(format(december2022, "Asia/Tokyo")).toBe("JST");
    expect(format(december2022, "Asia/Seoul")).toBe("KST");
    expect(format(june2022, "Asia/Jerusalem")).toBe("IDT");
    expect(format(december2022, "Asia/Jerusalem")).toBe("IST");
    expect(format(december2022, "Pacific/Auckland")).toBe("NZDT");
    expect(format(june2022, "Pacific/Auckland")).toBe("NZST");
    expect(format(june2022, "Africa/Johannesburg")).toBe("SAST");
    expect(format(june2022, "Asia/Dubai")).toBe("+04");
    // Past the file's last transition, its footer rule (Ireland's winter is GMT, summer IST).
    expect(format("8990000000000000000", "Europe/Dublin")).toBe("GMT");
    expect(format("9010368000000000000", "Europe/Dublin")).toBe("IST");
    // A period of the past keeps its own name: Seoul was on JST in 1922.
    expect(format("-1500000000000000000", "Asia/Seoul")).toBe("JST");
  });

  it("formats through the compiler and the SDK, undefined on a bad layout type", async () => {
    const source = `package t

stamp := time.format([time.parse_rfc3339_ns("2024-02-29T12:00:00Z"), "UTC", "2006-01-02"])

bad if time.format([0, "UTC", 1])
`;
    const { wasm } = await compileRego({ "t.rego": source }, { entrypoints: ["t"] });
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    expect(policy.evaluate({}, "t")).toEqual([{ result: { stamp: "2024-02-29" } }]);
  });
});

describe("units and semver builtins", () => {
  it.each<Case>([
    ["units.parse_bytes", ["100"], 100],
    ["units.parse_bytes", ["10KB"], 10_000],
    ["units.parse_bytes", ["10kb"], 10_000],
    ["units.parse_bytes", ["1K"], 1000],
    ["units.parse_bytes", ["1KiB"], 1024],
    ["units.parse_bytes", ["1.5Mi"], 1_572_864],
    ["units.parse_bytes", ["16TiB"], 17_592_186_044_416],
    ["units.parse_bytes", ["8EiB"], big("9223372036854775808")],
    ["units.parse_bytes", ['"10KB"'], 10_000],
    ["units.parse_bytes", ["2.9"], 2],
    ["units.parse_bytes", ["1e3KB"], 1_000_000],
    ["units.parse_bytes", ["1eb"], big("1000000000000000000")],
    ["units.parse", ["10K"], 10_000],
    ["units.parse", ["1m"], 0.001],
    ["units.parse", ["1.5"], 1.5],
    ["units.parse", ["1M"], 1_000_000],
    ["units.parse", ["1Ki"], 1024],
    ["units.parse", ["1mi"], 1_048_576],
    ["units.parse", ["0.5Gi"], 536_870_912],
    ["units.parse", ["8Ei"], big("9223372036854775808")],
    ["units.parse", ["1e3"], 1000],
    ["semver.compare", ["1.0.0", "1.0.1"], -1],
    ["semver.compare", ["5.1.0", "5.10.0"], -1],
    ["semver.compare", ["2.0.0", "1.99.99"], 1],
    ["semver.compare", ["1.0.0+build.1", "1.0.0+build.2"], 0],
    ["semver.compare", ["1.0.0-alpha", "1.0.0"], -1],
    ["semver.compare", ["1.0.0-alpha.1", "1.0.0-alpha"], 1],
    ["semver.compare", ["1.0.0-alpha.1", "1.0.0-alpha.beta"], -1],
    ["semver.compare", ["1.0.0-beta.11", "1.0.0-beta.2"], 1],
    ["semver.compare", ["1.0.0-rc.1", "1.0.0-beta.11"], 1],
    ["semver.compare", ["9223372036854775807.0.0", "9223372036854775806.0.0"], 1],
    // OPA's parser drops one leading "v".
    ["semver.compare", ["v1.2.3", "1.2.3"], 0],
    ["semver.is_valid", ["1.2.3"], true],
    ["semver.is_valid", ["1.2.3-rc.1+build.5"], true],
    ["semver.is_valid", ["1.2"], false],
    ["semver.is_valid", ["1.2.3.4"], false],
    ["semver.is_valid", [" 1.2.3"], false],
    ["semver.is_valid", ["=1.2.3"], false],
    ["semver.is_valid", ["1.2.3-beta..1"], false],
    ["semver.is_valid", ["9223372036854775808.0.0"], false],
    ["semver.is_valid", [1], false],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<[string, HostValue[], string]>([
    ["units.parse_bytes", ["1 KB"], "spaces not allowed in resource strings"],
    ["units.parse_bytes", ["KB"], "no byte amount provided"],
    ["units.parse_bytes", ["1XB"], "byte unit xb not recognized"],
    ["units.parse_bytes", ["1.2.3KB"], "could not parse byte amount to a number"],
    ["units.parse_bytes", ["1e1234567"], "exponent too large"],
    ["units.parse", ["1KB"], "unit Kb not recognized"],
    ["units.parse", ["G"], "no amount provided"],
    ["semver.compare", ["1.2", "1.2.3"], "operand 1: string 1.2 is not a valid SemVer"],
    ["semver.compare", ["1.2.3", "x"], "operand 2: string x is not a valid SemVer"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });
});

describe("graph, object, string and pattern builtins", () => {
  it.each<Case>([
    ["graph.reachable", [{ a: ["b"], b: ["c"], c: [], d: ["a"] }, ["a"]], ["a", "b", "c"]],
    ["graph.reachable", [{ a: set("b"), b: set("a") }, set("b")], ["a", "b"]],
    // A start node missing from the graph is not reached; one with null edges is.
    ["graph.reachable", [{ a: null }, ["a", "z"]], ["a"]],
    ["graph.reachable_paths", [{ a: ["b"], b: ["c"], c: [] }, ["a"]], [["a", "b", "c"]]],
    [
      "graph.reachable_paths",
      [{ a: ["b", "c"], b: ["d"], c: [], d: [] }, set("a")],
      [
        ["a", "b", "d"],
        ["a", "c"],
      ],
    ],
    ["graph.reachable_paths", [{ a: ["b"], b: ["a"] }, ["a"]], [["a", "b"]]],
    ["graph.reachable_paths", [{ a: ["x"] }, ["a"]], [["a"]]],
    [
      "object.subset",
      [{ a: "b", c: { x: set(10, 15, 20, 25), y: "z" } }, { c: { x: set(10, 15, 20) } }],
      true,
    ],
    ["object.subset", [{ a: 1, b: 2 }, { a: 1 }], true],
    ["object.subset", [{ a: 1 }, { a: 1.0, b: 2 }], false],
    ["object.subset", [{ a: [1, 2, 3] }, { a: [2, 3] }], true],
    ["object.subset", [{ a: "x" }, { a: ["x"] }], false],
    ["object.subset", [set(1, 2, 3), set(1, 3)], true],
    [
      "object.subset",
      [
        [1, 2, 3, 4],
        [2, 3],
      ],
      true,
    ],
    [
      "object.subset",
      [
        [1, 2, 3, 4],
        [2, 4],
      ],
      false,
    ],
    ["object.subset", [[1, 2, 3], set(3, 1)], true],
    ["object.subset", [[1, 2, 3], set(4)], false],
    ["strings.replace_n", [{ "<": "&lt;", ">": "&gt;" }, "<b>x</b>"], "&lt;b&gt;x&lt;/b&gt;"],
    ["strings.replace_n", [{ a: "b" }, "aa"], "bb"],
    // Keys in order: "a" comes before "ab", so it wins where both match.
    ["strings.replace_n", [{ ab: "2", a: "1" }, "abab"], "1b1b"],
    // Replaced text is not scanned again.
    ["strings.replace_n", [{ a: "b", b: "c" }, "ab"], "bc"],
    ["strings.replace_n", [{}, "same"], "same"],
    ["regex.template_match", ["urn:foo:{.*}", "urn:foo:bar:baz", "{", "}"], true],
    ["regex.template_match", ["urn:foo.bar.com:{.*}", "urn:foo_bar_com:x", "{", "}"], false],
    ["regex.template_match", ["id-<[0-9]{2,3}>", "id-123", "<", ">"], true],
    ["regex.template_match", ["id-<[0-9]{2,3}>", "id-1234", "<", ">"], false],
    ["crypto.sha256", ["x"], "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"],
    ["crypto.sha1", ["hello"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"],
    ["crypto.md5", ["hello"], "5d41402abc4b2a76b9719d911017c592"],
    ["crypto.md5", ["h\u00e9"], "33fcd01258e6ba07ef405dc9e721f3a7"],
    ["hex.encode", ["hello"], "68656c6c6f"],
    ["hex.encode", ["\u00e9"], "c3a9"],
    ["hex.decode", ["68656C6c6f"], "hello"],
    ["hex.decode", [""], ""],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(sorted(call(name, ...args))).toEqual(expected);
  });

  it.each<[string, HostValue[], string]>([
    ["graph.reachable", [[], ["a"]], "operand 1 must be object but got array"],
    ["graph.reachable", [{}, "a"], "operand 2 must be one of {array, set} but got string"],
    ["object.subset", [{ a: 1 }, [1]], "both arguments object.subset must be of the same type"],
    ["strings.replace_n", [{ a: 1 }, "a"], "operand 1 non-string value found in pattern object"],
    ["regex.template_match", ["urn:{.*", "urn:x", "{", "}"], 'unbalanced braces in "urn:{.*"'],
    [
      "regex.template_match",
      ["a", "a", "{{", "}"],
      "start delimiter has to be exactly one character",
    ],
    ["regex.template_match", ["{(}", "a", "{", "}"], "error parsing regexp: missing closing )"],
    ["hex.decode", ["6g"], "encoding/hex: invalid byte: U+0067 'g'"],
    ["hex.decode", ["686"], "encoding/hex: odd length hex string"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });
});

describe("net.cidr_expand and net.cidr_merge", () => {
  it.each<Case>([
    [
      "net.cidr_expand",
      ["192.168.1.0/30"],
      ["192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3"],
    ],
    // The prefix's host bits are cleared first.
    ["net.cidr_expand", ["10.0.0.7/31"], ["10.0.0.6", "10.0.0.7"]],
    ["net.cidr_expand", ["10.0.0.1/32"], ["10.0.0.1"]],
    [
      "net.cidr_expand",
      ["2001:db8::/126"],
      ["2001:db8::", "2001:db8::1", "2001:db8::2", "2001:db8::3"],
    ],
    ["net.cidr_expand", ["::ffff:10.0.0.0/127"], ["10.0.0.0", "10.0.0.1"]],
    ["net.cidr_merge", [["192.0.128.0/24", "192.0.129.0/24"]], ["192.0.128.0/23"]],
    [
      "net.cidr_merge",
      [set("10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24")],
      ["10.0.0.0/23", "10.0.2.0/24"],
    ],
    ["net.cidr_merge", [["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8"]], ["10.0.0.0/8"]],
    ["net.cidr_merge", [["10.0.0.0/24", "10.0.2.0/24"]], ["10.0.0.0/24", "10.0.2.0/24"]],
    ["net.cidr_merge", [["2001:db8::/33", "2001:db8:8000::/33"]], ["2001:db8::/32"]],
    ["net.cidr_merge", [["0.0.0.0/1", "128.0.0.0/1"]], ["0.0.0.0/0"]],
    [
      "net.cidr_merge",
      [["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64", "2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]],
      ["2601:600:8a80:207e::/64"],
    ],
    // A bare IPv4 address takes its classful mask, unmasked, as OPA prints it.
    ["net.cidr_merge", [["192.168.1.1"]], ["192.168.1.1/24"]],
    ["net.cidr_merge", [["10.1.2.3", "11.0.0.0/8"]], ["10.0.0.0/7"]],
    ["net.cidr_merge", [[]], []],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(sorted(call(name, ...args))).toEqual(expected);
  });

  it.each<[string, HostValue[], string]>([
    ["net.cidr_expand", ["10.0.0.0/8"], "10.0.0.0/8 holds 16777216 addresses, more than the 65536"],
    ["net.cidr_expand", ["010.0.0.0/30"], "invalid CIDR address: 010.0.0.0/30"],
    ["net.cidr_expand", ["10.0.0.0"], "invalid CIDR address: 10.0.0.0"],
    ["net.cidr_merge", [["2001:db8::1"]], "IPv6 invalid: needs prefix length"],
    ["net.cidr_merge", [[1]], "element must be string"],
    ["net.cidr_merge", ["10.0.0.0/8"], "operand must be an array"],
    ["net.cidr_merge", [["224.0.0.1"]], "has no default mask"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });
});

describe("regex submatches, CIDR matches, URL queries, JSON paths, HMACs and string helpers", () => {
  it.each<Case>([
    [
      "regex.find_all_string_submatch_n",
      ["(?P<user>[a-z]+)@([a-z.]+)", "a@b.com, c@d.org", -1],
      [
        ["a@b.com", "a", "b.com"],
        ["c@d.org", "c", "d.org"],
      ],
    ],
    // A group that takes no part is "", as Go's FindAllStringSubmatch gives it.
    ["regex.find_all_string_submatch_n", ["a(x)?b", "ab axb", 1], [["ab", ""]]],
    ["regex.find_all_string_submatch_n", ["x*", "ab", -1], [[""], [""], [""]]],
    ["regex.find_all_string_submatch_n", ["z", "ab", -1], []],
    [
      "net.cidr_contains_matches",
      [["10.0.0.0/8", "192.168.0.0/16"], "10.1.2.3"],
      [[0, "10.1.2.3"]],
    ],
    [
      "net.cidr_contains_matches",
      [{ a: "10.0.0.0/8", b: ["192.168.0.0/16", "office"] }, set("192.168.1.1", "10.0.0.1")],
      [
        ["a", "10.0.0.1"],
        ["b", "192.168.1.1"],
      ],
    ],
    [
      "net.cidr_contains_matches",
      ["1.1.1.0/24", [["1.1.1.1", "x"], "2.2.2.2"]],
      [["1.1.1.0/24", 0]],
    ],
    ["urlquery.encode", ["a b&c=d/\u00e9~"], "a+b%26c%3Dd%2F%C3%A9~"],
    ["urlquery.decode", ["a+b%26c%3D%C3%A9"], "a b&c=\u00e9"],
    [
      "urlquery.decode_object",
      ["ref=v1&a=1&a=2&x&&b=%20"],
      { ref: ["v1"], a: ["1", "2"], x: [""], b: [" "] },
    ],
    [
      "urlquery.encode_object",
      [{ b: ["1", "2"], a: "x y", c: set("z"), d: [] }],
      "a=x+y&b=1&b=2&c=z",
    ],
    ["json.filter", [{ a: { b: "x", c: "y" } }, ["a/b"]], { a: { b: "x" } }],
    ["json.filter", [{ a: [{ b: 1 }, { c: 2 }, 3] }, set("a/0", "a/2")], { a: [{ b: 1 }, 3] }],
    // A path above another keeps the whole value, whatever their order.
    ["json.filter", [{ a: { b: 1, c: 2 } }, ["a/b", "a"]], { a: { b: 1, c: 2 } }],
    ["json.filter", [{ a: { "b/c": 1, d: 2 } }, ["/a/b~1c"]], { a: { "b/c": 1 } }],
    ["json.filter", [{ a: 1 }, [["a"], ""]], { a: 1 }],
    ["json.remove", [{ a: { b: "x", c: "y" } }, ["a/b"]], { a: { c: "y" } }],
    ["json.remove", [{ a: [1, 2, 3] }, ["a/1"]], { a: [1, 3] }],
    ["json.remove", [{ a: 1 }, [""]], { a: 1 }],
    ["json.remove", [{ a: set("x", "y"), b: 2 }, set(["a", "x"], "b")], { a: set("y") }],
    [
      "crypto.hmac.sha256",
      ["hello", "key"],
      "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b",
    ],
    ["crypto.hmac.md5", ["h", "k\u00e9"], "f97f4fbdc709e72dcea56254b4cc94e0"],
    ["crypto.hmac.equal", ["abc", "abc"], true],
    ["crypto.hmac.equal", ["abc", "ab"], false],
    ["indexof_n", ["sometimes", "e"], [3, 7]],
    // Overlapping matches count, at code point indexes.
    ["indexof_n", ["aaa", "aa"], [0, 1]],
    ["indexof_n", ["\u{1F600}a\u{1F600}a", "a"], [1, 3]],
    ["indexof_n", ["abc", "x"], []],
    ["glob.quote_meta", ["*.github.com"], "\\*.github.com"],
    ["glob.quote_meta", ["[a]{b},c-!d?\\"], "\\[a\\]\\{b\\},c-!d\\?\\\\"],
    ["base64url.encode_no_pad", ["hi?>"], "aGk_Pg"],
    ["numbers.range_step", [1, 10, 3], [1, 4, 7, 10]],
    ["numbers.range_step", [10, 1, 4], [10, 6, 2]],
    ["numbers.range_step", [2, 2, 5], [2]],
  ])("%s(%j) = %j", (name, args, expected) => {
    expect(sorted(call(name, ...args))).toEqual(expected);
  });

  it.each<[string, HostValue[], string]>([
    ["regex.find_all_string_submatch_n", ["(", "a", -1], "error parsing regexp: missing closing )"],
    [
      "net.cidr_contains_matches",
      [[[]], "1.1.1.1"],
      "operand 1: element must be string or non-empty array",
    ],
    ["net.cidr_contains_matches", [["x"], "1.1.1.1"], "invalid CIDR address: x"],
    ["urlquery.decode", ["%zz"], 'invalid URL escape "%zz"'],
    ["urlquery.decode_object", ["a=1;b=2"], "invalid semicolon separator in query"],
    [
      "urlquery.encode_object",
      [{ a: 1 }],
      "operand 1 values must be string, array[string], or set[string]",
    ],
    ["json.filter", [[], ["a"]], "operand 1 must be object but got array"],
    ["json.remove", [{}, "a"], "operand 2 must be one of {set, array} but got string"],
    [
      "json.remove",
      [{}, [1]],
      "operand 2 must be one of {set, array} containing string paths or array of path segments but got number",
    ],
    ["indexof_n", ["a", ""], "empty search character"],
    ["numbers.range_step", [1, 2, 0], "step must be a positive integer"],
  ])("%s(%j) throws %s", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
  });

  it("run in a compiled policy as conftest users write them", async () => {
    const { wasm, entrypoints } = await compileRego(
      {
        "policy.rego": `package t
import rego.v1

owner_domains := {m[2] | some m in regex.find_all_string_submatch_n(\`([a-z]+)@([a-z.]+)\`, input.owners, -1)}

office_hits := net.cidr_contains_matches({"hq": "10.0.0.0/8"}, input.cidrs)

ref := urlquery.decode_object(split(input.source, "?")[1]).ref[0]

public := json.filter(input.doc, ["a/b"])
`,
      },
      { entrypoints: ["t/owner_domains", "t/office_hits", "t/ref", "t/public"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const input = {
      owners: "ann@acme.com, bob@corp.acme.com",
      cidrs: ["10.1.0.0/16", "8.8.8.8/32"],
      source: "git::https://github.com/acme/vpc.git?ref=v1.2.3&depth=1",
      doc: { a: { b: 1, c: 2 } },
    };
    const result = (rule: string) =>
      (policy.evaluate(input, entrypoints[`t/${rule}`]) as { result: unknown }[])[0]?.result;
    expect(result("owner_domains")).toEqual(["acme.com", "corp.acme.com"]);
    expect(result("office_hits")).toEqual([["hq", 0]]);
    expect(result("ref")).toBe("v1.2.3");
    expect(result("public")).toEqual({ a: { b: 1 } });
  });
});

describe("OPA builtins through the compiler and Wasm", () => {
  const source = `package t

import rego.v1

waiver_expired if time.parse_rfc3339_ns(input.waiver.expires) < time.parse_rfc3339_ns("2026-06-01T00:00:00Z")

expiry := time.parse_rfc3339_ns(input.waiver.expires)

expiry_date := time.date([expiry, "Europe/Paris"])

next_month := time.add_date(expiry, 0, 1, 0)

age := time.diff(time.parse_rfc3339_ns("2024-01-31T00:00:00Z"), expiry)

timeout_ns := time.parse_duration_ns(input.timeout)

volume_too_big if units.parse_bytes(input.size) > units.parse_bytes("16TiB")

size_bytes := units.parse_bytes(input.size)

cpu := units.parse(input.cpu)

outdated if semver.compare(input.module_version, "5.10.0") < 0

valid_versions := {v | some v in input.versions; semver.is_valid(v)}

reachable := graph.reachable(input.graph, {"web"})

paths := graph.reachable_paths(input.graph, ["web"])

digest := crypto.sha256(input.name)

hex_name := hex.encode(input.name)

hosts := net.cidr_expand("10.0.0.0/30")

merged := net.cidr_merge(input.cidrs)

tags_ok if object.subset(input.tags, {"team": "core"})

escaped := strings.replace_n({"<": "&lt;", ">": "&gt;"}, input.html)

urn_ok if regex.template_match("urn:acme:{[a-z]+}:{[0-9]+}", input.urn, "{", "}")

bad_date := time.parse_rfc3339_ns("not a date")

bad_date_defined if bad_date
`;
  const input = {
    waiver: { expires: "2026-03-01T12:30:00+01:00" },
    timeout: "1m30s",
    size: "20TiB",
    cpu: "250m",
    module_version: "5.9.2",
    versions: ["1.2.3", "v1.0.0", "1.2", "latest"],
    graph: { web: ["app"], app: ["db", "cache"], db: [], cache: [] },
    name: "bucket",
    cidrs: ["10.0.0.0/25", "10.0.0.128/25", "192.168.0.0/24"],
    tags: { team: "core", env: "prod" },
    html: "<b>",
    urn: "urn:acme:bucket:42",
  };
  const rules = [
    "waiver_expired",
    "expiry",
    "expiry_date",
    "next_month",
    "age",
    "timeout_ns",
    "volume_too_big",
    "size_bytes",
    "cpu",
    "outdated",
    "valid_versions",
    "reachable",
    "paths",
    "digest",
    "hex_name",
    "hosts",
    "merged",
    "tags_ok",
    "escaped",
    "urn_ok",
    "bad_date_defined",
  ];

  async function evaluateAll(strictBuiltinErrors?: boolean): Promise<Record<string, unknown>> {
    const { wasm, entrypoints } = await compileRego(
      { "policy.rego": source },
      { entrypoints: rules.map((r) => `t/${r}`), strictBuiltinErrors },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const results: Record<string, unknown> = {};
    for (const rule of rules) {
      const rows = policy.evaluate(input, entrypoints[`t/${rule}`]) as { result: unknown }[];
      results[rule] = rows[0]?.result;
    }
    return results;
  }

  it("compiles every one and gives OPA's results, big integers exact", async () => {
    expect(await evaluateAll()).toEqual({
      waiver_expired: true,
      expiry: 1772364600000000000,
      expiry_date: [2026, 3, 1],
      next_month: 1775043000000000000,
      age: [2, 1, 1, 11, 30, 0],
      timeout_ns: 90_000_000_000,
      volume_too_big: true,
      size_bytes: 21990232555520,
      cpu: 0.25,
      outdated: true,
      valid_versions: ["1.2.3", "v1.0.0"],
      reachable: ["app", "cache", "db", "web"],
      paths: [
        ["web", "app", "cache"],
        ["web", "app", "db"],
      ],
      digest: "c5879b8d250ca6e74ca6bba56d9d89d3902cdc521520c040f051f7893d9555ac",
      hex_name: "6275636b6574",
      hosts: ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"],
      merged: ["10.0.0.0/24", "192.168.0.0/24"],
      tags_ok: true,
      escaped: "&lt;b&gt;",
      urn_ok: true,
      // A builtin error leaves the expression undefined, as OPA's default evaluation does.
      bad_date_defined: undefined,
    });
  });

  it("keeps nanosecond timestamps exact past 2^53", async () => {
    const { wasm, entrypoints } = await compileRego(
      {
        "policy.rego": `package t
import rego.v1
later := time.parse_rfc3339_ns("2026-03-01T11:30:00.000000001Z")
text := json.marshal(later)
same if later - 1 == time.parse_rfc3339_ns("2026-03-01T11:30:00Z")
`,
      },
      { entrypoints: ["t/text", "t/same"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    expect(policy.evaluate({}, entrypoints["t/text"])).toEqual([{ result: "1772364600000000001" }]);
    expect(policy.evaluate({}, entrypoints["t/same"])).toEqual([{ result: true }]);
  });

  it("raises a located eval_builtin_error under strict builtin errors", async () => {
    await expect(evaluateAll(true)).rejects.toThrow(
      /policy\.rego:\d+:\d+: eval_builtin_error: time\.parse_rfc3339_ns: parsing time "not a date"/,
    );
  });

  it("says an OPA builtin Tollgate lacks is unsupported, not undefined", async () => {
    const compile = (call: string) =>
      compileRego(
        { "policy.rego": `package t\nimport rego.v1\nx := ${call}\n` },
        { entrypoints: ["t/x"] },
      );
    for (const call of ['http.send({"url": "x"})', 'uuid.rfc4122("x")', 'rand.intn("x", 3)'])
      await expect(compile(call)).rejects.toThrow(
        /unsupported builtin function [a-z0-9_.]+: OPA provides it, Tollgate does not/,
      );
    await expect(compile("units.parse_kilos(1)")).rejects.toThrow(RegoCompileError);
    await expect(compile("units.parse_kilos(1)")).rejects.toThrow(
      "undefined function units.parse_kilos",
    );
  });
});
