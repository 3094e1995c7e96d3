import { describe, expect, it } from "vitest";
import type { Value } from "../../model/types.js";
import { formatGo } from "./format.js";
import { callFunction, isTerraformFunction, type FunctionContext } from "./functions.js";
import { marshalJson } from "./json.js";
import { EvaluationError } from "./values.js";

const files: Record<string, string> = { "policy.json": '{"Statement": []}' };
const context: FunctionContext = {
  expression: "f(x)",
  readFile: (path) => files[path],
  fileExists: (path) => path in files,
};
const call = (name: string, ...args: Value[]): Value => callFunction(name, args, context);

describe("format (Go verbs)", () => {
  it.each([
    ["Hello, %s!", ["Ander"], "Hello, Ander!"],
    ["%d lights", [4], "4 lights"],
    ["%6.2f|", [3.14159], "  3.14|"],
    ["%-5s|", ["ab"], "ab   |"],
    ["%05d", [-42], "-0042"],
    ["%+d %+d", [5, -5], "+5 -5"],
    ["%#x %X %o %b", [255, 255, 8, 5], "0xff FF 10 101"],
    ["%e", [1234.5678], "1.234568e+03"],
    ["%v %v %v", [[1, "a"], { k: true }, 2.5], '[1,"a"] {"k":true} 2.5'],
    ["%t|%q", [true, 'a"b'], 'true|"a\\"b"'],
    ["%[2]s %[1]s", ["a", "b"], "b a"],
    ["%s", [12], "12"],
    ["100%%", [], "100%"],
  ] as [string, Value[], string][])("format(%j, ...) ", (spec, args, expected) => {
    expect(formatGo(spec, args)).toBe(expected);
  });

  it("rejects missing or extra arguments and non-integers for %d", () => {
    expect(() => formatGo("%s %s", ["a"])).toThrow(EvaluationError);
    expect(() => formatGo("%s", ["a", "b"])).toThrow(/too many arguments/);
    expect(() => formatGo("%d", [1.5])).toThrow(/whole number/);
  });

  it("is unknown when a used argument is unknown", () => {
    expect(formatGo("%s-%s", ["a", { $unknown: "var.x" }])).toBeUndefined();
    expect(call("format", "%s-%s", "a", { $unknown: "var.x" })).toEqual({ $unknown: "f(x)" });
  });
});

describe("functions", () => {
  it("computes collection functions as Terraform does", () => {
    expect(call("concat", ["a"], ["b", "c"])).toEqual(["a", "b", "c"]);
    expect(call("flatten", [["a", ["b"]], [], "c"])).toEqual(["a", "b", "c"]);
    // An unknown element may be a list of any length: the known elements stay, beside it.
    expect(call("flatten", [["a", [{ $unknown: "var.rules" }]]])).toEqual([
      "a",
      { $unknown: "var.rules" },
    ]);
    expect(call("merge", { a: 1, b: 2 }, null, { b: 3 })).toEqual({ a: 1, b: 3 });
    expect(call("keys", { b: 1, a: 2 })).toEqual(["a", "b"]);
    expect(call("values", { b: 1, a: 2 })).toEqual([2, 1]);
    expect(call("lookup", { a: "x" }, "a")).toBe("x");
    expect(call("element", ["a", "b", "c"], 4)).toBe("b");
    expect(call("element", ["a", "b", "c"], -1)).toBe("c");
    expect(call("element", ["a", "b", "c"], -3)).toBe("a");
    expect(call("element", ["a", "b", "c"], -5)).toBe("b");
    expect(call("contains", ["a", "b"], "b")).toBe(true);
    expect(call("distinct", ["b", "a", "b"])).toEqual(["b", "a"]);
    expect(call("toset", ["b", "a", "b"])).toEqual(["a", "b"]);
    expect(call("setunion", ["b"], ["a", "b"])).toEqual(["a", "b"]);
    expect(call("compact", ["a", "", null, "b"])).toEqual(["a", "b"]);
    expect(call("coalesce", null, "", "x")).toBe("x");
    expect(call("coalescelist", [], ["a"])).toEqual(["a"]);
    expect(call("zipmap", ["a", "b"], [1, 2])).toEqual({ a: 1, b: 2 });
    expect(call("range", 3)).toEqual([0, 1, 2]);
    expect(call("range", 5, 1, -2)).toEqual([5, 3]);
    expect(call("length", "héllo")).toBe(5);
    expect(call("tolist", ["a"])).toEqual(["a"]);
    expect(call("tomap", { a: 1 })).toEqual({ a: 1 });
  });

  it("leaves a set's elements unknown when an unknown element of any argument may match another", () => {
    const x = { $unknown: "var.x" };
    const whole = { $unknown: "f(x)" };
    expect(call("toset", ["a", x])).toEqual(whole);
    expect(call("distinct", [x, { $unknown: "var.y" }])).toEqual(whole);
    expect(call("setunion", ["a"], [x])).toEqual(whole);
    // var.x may be "443": one element or two, not certainly two.
    expect(call("setsubtract", ["443", "8443"], [x])).toEqual(whole);
    // var.x may be "443": not certainly none.
    expect(call("setintersection", ["443", "8443"], [x])).toEqual(whole);
    expect(call("setsubtract", ["443", "8443"], ["8443"])).toEqual(["443"]);
    expect(call("setintersection", ["443", "8443"], ["8443", "22"])).toEqual(["8443"]);
  });

  it("finds an index only when no unknown before it may be the value sought", () => {
    const x = { $unknown: "var.x" };
    expect(call("index", ["a", x, "b"], "a")).toBe(0);
    expect(call("index", ["a", x, "b"], "b")).toEqual({ $unknown: "f(x)" });
    expect(call("index", ["a", "b"], x)).toEqual({ $unknown: "f(x)" });
  });

  // terraform-aws-modules/s3-bucket writes its bucket policy as replace(document,
  // "_S3_BUCKET_ID_", <the bucket id, unknown before apply>): a document without the placeholder
  // is the policy as written, whatever the replacement.
  it("replace with an unknown replacement keeps a text the pattern does not match", () => {
    const id = { $unknown: "aws_s3_bucket.this[0].id" };
    const policy = '{"Statement": [{"Effect": "Deny"}]}';
    expect(call("replace", policy, "_S3_BUCKET_ID_", id)).toBe(policy);
    expect(call("replace", policy, "/_S3_[A-Z_]+_/", id)).toBe(policy);
    expect(call("replace", "arn:aws:s3:::_S3_BUCKET_ID_/*", "_S3_BUCKET_ID_", id)).toEqual({
      $unknown: "f(x)",
    });
    expect(call("replace", "a_b", "/_[a-z]/", id)).toEqual({ $unknown: "f(x)" });
    expect(call("replace", { $unknown: "var.p" }, "x", "y")).toEqual({ $unknown: "f(x)" });
    expect(call("replace", "abc", { $unknown: "var.s" }, "y")).toEqual({ $unknown: "f(x)" });
  });

  it("computes string functions as Terraform does", () => {
    expect(call("join", "-", ["a", "b"], ["c"])).toBe("a-b-c");
    expect(call("split", ",", "a,,b")).toEqual(["a", "", "b"]);
    expect(call("replace", "hello world", "o", "0")).toBe("hell0 w0rld");
    expect(call("replace", "arn:aws:s3:::b/*", "/:::([a-z]+)/", "::${1}x")).toBe(
      "arn:aws:s3::bx/*",
    );
    // Go's regexp.Expand: "$1x" names the group "1x", which does not exist.
    expect(call("replace", "arn:aws:s3:::b/*", "/:::([a-z]+)/", "::$1x")).toBe("arn:aws:s3::/*");
    expect(call("trimspace", "  x \n")).toBe("x");
    expect(call("trimprefix", "helloworld", "hello")).toBe("world");
    expect(call("trimsuffix", "helloworld", "world")).toBe("hello");
    expect(call("substr", "hello world", -5, -1)).toBe("world");
    expect(call("startswith", "arn:aws", "arn:")).toBe(true);
    expect(call("endswith", "x.tf", ".json")).toBe(false);
    expect(call("lower", "ABC")).toBe("abc");
    expect(call("upper", "abc")).toBe("ABC");
    expect(call("title", "hello world")).toBe("Hello World");
    expect(call("tostring", 5)).toBe("5");
    expect(call("tonumber", "5.5")).toBe(5.5);
    expect(call("tobool", "true")).toBe(true);
    expect(call("formatlist", "%s=%d", ["a", "b"], [1, 2])).toEqual(["a=1", "b=2"]);
  });

  it("encodes JSON with sorted keys and Go's HTML escapes, and decodes it", () => {
    expect(call("jsonencode", { b: [1, "<x>"], a: null })).toBe(
      '{"a":null,"b":[1,"\\u003cx\\u003e"]}',
    );
    expect(call("jsondecode", '{"a": [true]}')).toEqual({ a: [true] });
    expect(() => call("jsondecode", "{")).toThrow(EvaluationError);
  });

  it("keeps nested unknowns visible in jsonencode and makes other results unknown", () => {
    expect(call("jsonencode", { Resource: { $unknown: "aws_s3_bucket.b.arn" } })).toBe(
      '{"Resource":{"$unknown":"aws_s3_bucket.b.arn"}}',
    );
    expect(call("upper", { $unknown: "var.x" })).toEqual({ $unknown: "f(x)" });
    expect(call("join", ",", ["a", { $unknown: "var.x" }])).toEqual({ $unknown: "f(x)" });
    expect(call("length", ["a", { $unknown: "var.x" }])).toBe(2);
    expect(call("contains", ["a", { $unknown: "var.x" }], "a")).toBe(true);
    expect(call("contains", ["a", { $unknown: "var.x" }], "b")).toEqual({ $unknown: "f(x)" });
  });

  it("computes the pure functions rule sets are built with: setproduct, chunklist, matchkeys, csvdecode", () => {
    // The for_each of one ingress rule per port and CIDR (Terraform's documentation's example).
    expect(call("setproduct", [22, 3389], ["10.0.0.0/8", "0.0.0.0/0"])).toEqual([
      [22, "10.0.0.0/8"],
      [22, "0.0.0.0/0"],
      [3389, "10.0.0.0/8"],
      [3389, "0.0.0.0/0"],
    ]);
    expect(call("setproduct", ["a"], [], ["b"])).toEqual([]);
    expect(() => call("setproduct", ["a"])).toThrow(/at least 2 arguments/);
    // An unknown element stays in its combinations; a set holding one is unknown as a whole.
    expect(call("setproduct", ["a", { $unknown: "var.x" }], ["b"])).toEqual([
      ["a", "b"],
      [{ $unknown: "var.x" }, "b"],
    ]);
    expect(call("setproduct", { $unknown: "var.x" }, ["b"])).toEqual({ $unknown: "f(x)" });
    expect(call("chunklist", ["a", "b", "c"], 2)).toEqual([["a", "b"], ["c"]]);
    expect(call("chunklist", ["a", "b"], 0)).toEqual([["a", "b"]]);
    expect(call("chunklist", [], 2)).toEqual([]);
    expect(() => call("chunklist", ["a"], -1)).toThrow(/negative/);
    expect(call("matchkeys", ["i-1", "i-2", "i-3"], ["a", "b", "a"], ["a"])).toEqual([
      "i-1",
      "i-3",
    ]);
    expect(() => call("matchkeys", ["i-1"], ["a", "b"], ["a"])).toThrow(/same length/);
    expect(call("csvdecode", 'cidr,port\r\n0.0.0.0/0,22\n"10.0.0.0/8, ""ops""",3389\n\n')).toEqual([
      { cidr: "0.0.0.0/0", port: "22" },
      { cidr: '10.0.0.0/8, "ops"', port: "3389" },
    ]);
    expect(call("csvdecode", "a,b\n")).toEqual([]);
    expect(() => call("csvdecode", "a,b\n1\n")).toThrow(/line 2/);
    expect(() => call("csvdecode", "")).toThrow(/header/);
    expect(call("pow", 2, 8)).toBe(256);
    expect(call("signum", -3)).toBe(-1);
    expect(call("log", 16, 2)).toBe(4);
  });

  it("merges equal elements of sets by value, not by how they are written", () => {
    // A string that reads as another element's key is not that element.
    expect(call("distinct", ["[s0]", ["[s0]"], ["[s0]"], "[s0]", { a: [1] }, { a: [1] }])).toEqual([
      "[s0]",
      ["[s0]"],
      { a: [1] },
    ]);
    expect(call("toset", [{ b: 1, a: "x" }, { a: "x", b: 1 }, 1, "1", true, "true", null])).toEqual(
      [{ b: 1, a: "x" }, 1, "1", true, "true", null],
    );
    expect(call("setintersection", [[1], "a", { k: "v" }], [{ k: "v" }, [1]])).toEqual([
      [1],
      { k: "v" },
    ]);
    expect(call("setsubtract", [[1], "a", { k: "v" }], [{ k: "v" }, [1]])).toEqual(["a"]);
    expect(call("matchkeys", ["a", "b", "c"], [[1], [2], [1]], [[1]])).toEqual(["a", "c"]);
  });

  it("unifies mixed primitives into strings, as Terraform's lists, sets and maps of one type hold them", () => {
    expect(call("toset", ["a", "b", 3])).toEqual(["3", "a", "b"]);
    expect(call("toset", [1, "1", true, "true"])).toEqual(["1", "true"]);
    expect(call("tolist", ["a", "b", 3])).toEqual(["a", "b", "3"]);
    expect(call("tomap", { a: "foo", b: true })).toEqual({ a: "foo", b: "true" });
    expect(call("distinct", ["1", 1, 2])).toEqual(["1", "2"]);
    expect(call("setunion", ["a"], [3])).toEqual(["3", "a"]);
    expect(call("setintersection", ["1", "a"], [1])).toEqual(["1"]);
    expect(call("setsubtract", ["1", "a"], [1])).toEqual(["a"]);
    // Numbers and bools alone convert to neither: Terraform fails, and so does its plan.
    for (const [name, args] of [
      ["tolist", [[1, true]]],
      ["toset", [[false, 2]]],
      ["tomap", [{ a: 1, b: true }]],
      ["distinct", [[1, true]]],
      ["setunion", [[1], [true]]],
      ["setintersection", [[1], [true]]],
      ["setsubtract", [[1], [true]]],
    ] as const) {
      const failed = (() => {
        try {
          call(name, ...(args as readonly Value[]));
        } catch (error) {
          return error;
        }
      })();
      expect(failed, name).toBeInstanceOf(EvaluationError);
      expect((failed as EvaluationError).failsPlan, name).toBe(true);
      expect((failed as EvaluationError).message, name).toMatch(
        /^\w+: all (list|set|map) elements must have the same type/,
      );
    }
    // Elements of one type stay as they are.
    expect(call("toset", [2, 1, 2])).toEqual([1, 2]);
    expect(call("tolist", [1, 2])).toEqual([1, 2]);
    expect(call("tomap", { a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
  });

  it("reads files given to the loader and is unknown for others", () => {
    expect(call("file", "policy.json")).toBe('{"Statement": []}');
    expect(call("file", "missing.xml")).toEqual({ $unknown: "f(x)" });
  });

  it("knows Terraform's function names and leaves unsupported ones unknown", () => {
    expect(isTerraformFunction("timestamp")).toBe(true);
    expect(isTerraformFunction("provider::aws::arn_parse")).toBe(true);
    expect(isTerraformFunction("frobnicate")).toBe(false);
    expect(call("timestamp")).toEqual({ $unknown: "f(x)" });
  });

  it("returns argument errors as values, never crashes, and bounds its output", () => {
    expect(() => call("lookup", { a: 1 }, "b")).toThrow(/no key "b"/);
    expect(() => call("upper")).toThrow(/takes 1 argument/);
    expect(() => call("range", 1_000_000)).toThrow(/more than 1024/);
    expect(() => call("element", [], 0)).toThrow(/empty/);
    expect(() => formatGo("%999999d", [1])).toThrow(/larger than 10000/);
  });
});

describe("numbers", () => {
  /** The error a call throws, as `message (failsPlan)`. */
  const failure = (name: string, ...args: Value[]): string => {
    try {
      call(name, ...args);
    } catch (error) {
      if (error instanceof EvaluationError) return `${error.message} (${error.failsPlan})`;
    }
    return "no error";
  };

  it("parses with parseint the whole text in its base, as Go's big.Int.SetString, or fails as Terraform does", () => {
    expect(call("parseint", "FF", 16)).toBe(255);
    expect(call("parseint", "-101", 2)).toBe(-5);
    expect(call("parseint", "Zz", 62)).toBe(3817);
    expect(call("parseint", "zZ", 36)).toBe(1295);
    expect(call("parseint", "+0755", 8)).toBe(493);
    for (const [text, base] of [
      ["zz", 10],
      ["12abc", 10],
      [" 10", 10],
      ["1_0", 10],
      ["0x10", 16],
      ["", 10],
      ["-", 10],
      ["8", 8],
    ] as const)
      expect(failure("parseint", text, base)).toBe(
        `parseint: cannot parse ${JSON.stringify(text)} as a base ${base} integer (true)`,
      );
    expect(failure("parseint", "10", 63)).toBe(
      "parseint: base must be a whole number between 2 and 62 inclusive (true)",
    );
  });

  it("never gives NaN, which Terraform's numbers cannot hold: the call fails as Terraform's does", () => {
    expect(failure("log", -1, 10)).toBe("log: the result is not a number (true)");
    expect(failure("log", 1, 1)).toBe("log: the result is not a number (true)");
    expect(failure("pow", -8, 0.5)).toBe("pow: the result is not a number (true)");
    expect(failure("sum", [call("log", 0, 10), call("pow", 0, -1)])).toBe(
      "sum: the result is not a number (true)",
    );
    expect(failure("yamldecode", "a: [1, .nan]")).toBe(
      "yamldecode: floating point NaN is not supported (true)",
    );
    // Infinities Terraform holds too: log of zero, a float64 power beyond range, YAML's .inf.
    expect(call("log", 0, 10)).toBe(-Infinity);
    expect(call("yamldecode", ".inf")).toBe(Infinity);
  });
});

describe("regex and regexall", () => {
  it("give a string, a list for unnamed groups, and a map for named groups, as Terraform does", () => {
    expect(call("regex", "[a-z]+", "12ab34")).toBe("ab");
    expect(call("regex", "(\\d+)-(\\d+)", "x 10-20")).toEqual(["10", "20"]);
    expect(call("regex", "(?P<from>\\d+)-(?P<to>\\d+)", "x 10-20")).toEqual({
      from: "10",
      to: "20",
    });
    expect(call("regexall", "(?P<k>[a-z])=(?P<v>\\d)", "a=1 b=2")).toEqual([
      { k: "a", v: "1" },
      { k: "b", v: "2" },
    ]);
    expect(() => call("regex", "(?P<a>x)(y)", "xy")).toThrow(/both named and unnamed/);
  });
});

describe("JSON", () => {
  it("marshals like Go's MarshalIndent with struct order kept", () => {
    expect(
      marshalJson(
        { Version: "1", Statement: [{ Effect: "Allow" }], Empty: [] },
        { indent: "  ", keepKeyOrder: true },
      ),
    ).toBe(
      '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow"\n    }\n  ],\n  "Empty": []\n}',
    );
  });
});

describe("IP network functions", () => {
  it("computes the examples from Terraform's documentation, IPv4 and IPv6", () => {
    expect(call("cidrhost", "10.12.112.0/20", 16)).toBe("10.12.112.16");
    expect(call("cidrhost", "10.12.112.0/20", 268)).toBe("10.12.113.12");
    expect(call("cidrhost", "fd00:fd12:3456:7890:00a2::/72", 34)).toBe("fd00:fd12:3456:7890::22");
    expect(call("cidrnetmask", "172.16.0.0/12")).toBe("255.240.0.0");
    expect(call("cidrsubnet", "172.16.0.0/12", 4, 2)).toBe("172.18.0.0/16");
    expect(call("cidrsubnet", "10.1.2.0/24", 4, 15)).toBe("10.1.2.240/28");
    expect(call("cidrsubnet", "fd00:fd12:3456:7890::/56", 16, 162)).toBe(
      "fd00:fd12:3456:7800:a200::/72",
    );
    expect(call("cidrsubnets", "10.1.0.0/16", 4, 4, 8, 4)).toEqual([
      "10.1.0.0/20",
      "10.1.16.0/20",
      "10.1.32.0/24",
      "10.1.48.0/20",
    ]);
    expect(call("cidrsubnets", "fd00:fd12:3456:7890::/56", 16, 16, 16, 32)).toEqual([
      "fd00:fd12:3456:7800::/72",
      "fd00:fd12:3456:7800:100::/72",
      "fd00:fd12:3456:7800:200::/72",
      "fd00:fd12:3456:7800:300::/88",
    ]);
  });

  it("masks host bits, counts negative host numbers from the end, accepts no extension", () => {
    expect(call("cidrhost", "10.0.0.5/8", 1)).toBe("10.0.0.1");
    expect(call("cidrhost", "10.0.0.0/8", -1)).toBe("10.255.255.255");
    expect(call("cidrhost", "10.0.0.0/30", -4)).toBe("10.0.0.0");
    expect(call("cidrhost", "0.0.0.0/0", 0)).toBe("0.0.0.0");
    expect(call("cidrhost", "::/0", 1)).toBe("::1");
    expect(call("cidrhost", "2001:db8::/32", "65536")).toBe("2001:db8::1:0");
    expect(call("cidrsubnet", "10.0.0.0/8", 0, 0)).toBe("10.0.0.0/8");
    expect(call("cidrnetmask", "10.0.0.0/0")).toBe("0.0.0.0");
    expect(call("cidrnetmask", "10.0.0.0/32")).toBe("255.255.255.255");
    expect(call("cidrsubnets", "10.0.0.0/8")).toEqual([]);
  });

  it.each([
    ["cidrhost", ["10.0.0.0/30", 4], /does not accommodate a host numbered 4/],
    ["cidrhost", ["10.0.0.0/30", -5], /does not accommodate a host numbered -5/],
    ["cidrhost", ["10.0.0.0/8", 1.5], /whole number/],
    ["cidrhost", ["10.0.0.256/8", 1], /invalid CIDR address/],
    ["cidrhost", ["10.0.0.0/33", 1], /invalid CIDR address/],
    ["cidrhost", ["10.0.0.0", 1], /invalid CIDR address/],
    ["cidrhost", ["fd00::1::/8", 1], /invalid CIDR address/],
    ["cidrnetmask", ["fd00::/8"], /only IPv4/],
    ["cidrsubnet", ["10.0.0.0/30", 3, 0], /insufficient address space to extend prefix of 30 by 3/],
    [
      "cidrsubnet",
      ["10.0.0.0/24", 2, 4],
      /prefix extension of 2 does not accommodate a subnet numbered 4/,
    ],
    ["cidrsubnet", ["10.0.0.0/24", 2, -1], /does not accommodate a subnet numbered -1/],
    ["cidrsubnets", ["10.0.0.0/30", 1, 1, 1], /not enough remaining address space/],
    ["cidrsubnets", ["10.0.0.0/24", 0], /at least one bit/],
    ["cidrsubnets", ["10.0.0.0/24", 9], /too long for an IPv4 address/],
  ] as [string, Value[], RegExp][])("%s(%j) is an error", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(message);
    expect(() => call(name, ...args)).toThrow(EvaluationError);
  });

  it("is unknown when an argument is unknown", () => {
    expect(call("cidrhost", { $unknown: "var.cidr" }, 1)).toEqual({ $unknown: "f(x)" });
    expect(call("cidrsubnets", "10.0.0.0/8", 8, { $unknown: "var.bits" })).toEqual({
      $unknown: "f(x)",
    });
  });
});

describe("urlencode and yamlencode", () => {
  it("encodes a query string component as Go's url.QueryEscape does", () => {
    expect(call("urlencode", "Hello World!")).toBe("Hello+World%21");
    expect(call("urlencode", "foo:bar@localhost?foo=bar&bar=baz")).toBe(
      "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz",
    );
    expect(call("urlencode", "a-b_c.d~e*(f)'")).toBe("a-b_c.d~e%2A%28f%29%27");
    expect(call("urlencode", "☃ 🙂")).toBe("%E2%98%83+%F0%9F%99%82");
    expect(call("urlencode", { $unknown: "var.q" })).toEqual({ $unknown: "f(x)" });
  });

  it("writes YAML as Terraform does: sorted quoted keys, quoted strings, unindented sequences", () => {
    expect(call("yamlencode", { c: "d", a: "b" })).toBe('"a": "b"\n"c": "d"\n');
    expect(call("yamlencode", { foo: [1, { c: "d", a: "b" }, 3], bar: "baz" })).toBe(
      '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n',
    );
    expect(call("yamlencode", { a: { b: { c: [] } }, d: {}, e: [[1, 2], null, true] })).toBe(
      '"a":\n  "b":\n    "c": []\n"d": {}\n"e":\n- - 1\n  - 2\n- null\n- true\n',
    );
    expect(call("yamlencode", "hello")).toBe('"hello"\n');
    expect(call("yamlencode", 1.5)).toBe("1.5\n...\n");
    expect(call("yamlencode", [])).toBe("[]\n");
    expect(call("yamlencode", { $unknown: "var.q" })).toEqual({ $unknown: "f(x)" });
    expect(call("yamlencode", { a: [{ $unknown: "var.q" }] })).toEqual({ $unknown: "f(x)" });
  });

  it("writes a string with a newline as a literal block, and escapes what YAML cannot print", () => {
    expect(call("yamlencode", { policy: '{\n  "a": 1\n}\n', x: "a\nb" })).toBe(
      '"policy": |\n  {\n    "a": 1\n  }\n"x": |-\n  a\n  b\n',
    );
    expect(call("yamlencode", ["a\n\nb\n\n"])).toBe("- |+\n  a\n\n  b\n\n");
    expect(call("yamlencode", { k: " lead\nx" })).toBe('"k": |2-\n   lead\n  x\n');
    // A tab, a carriage return or a space before a newline rule the block out.
    expect(call("yamlencode", { k: 'a \nb\t\r"\\é\u0085🙂' })).toBe(
      '"k": "a \\nb\\t\\r\\"\\\\é\\N\\U0001F642"\n',
    );
  });

  it("folds a long quoted string at a space past column 80, as Go's YAML emitter does", () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const encoded = call("yamlencode", { description: words }) as string;
    expect(encoded.split("\n").length).toBeGreaterThan(2);
    expect(encoded.split("\n")[1]?.startsWith("  ")).toBe(true);
    expect(call("yamldecode", encoded)).toEqual({ description: words });
    const spaced = `${"x".repeat(85)}  y`;
    expect(call("yamldecode", call("yamlencode", [spaced]) as string)).toEqual([spaced]);
  });

  it("round-trips through yamldecode", () => {
    const value: Value = {
      rules: [{ cidr: "0.0.0.0/0", ports: [22, 3389], note: "a: b # c\n- d\n" }],
      empty: "",
      'key with "quotes"': { yes: "true", no: "null", n: "1e3" },
    };
    expect(call("yamldecode", call("yamlencode", value) as string)).toEqual(value);
  });
});
