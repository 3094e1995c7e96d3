// regex.globs_match (whether two glob-like patterns share a non-empty string) and uuid.parse
// (the fields OPA decodes from a UUID): plain host functions, then through the compiler and Wasm.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { compileRego } from "../index.js";
import { hostDefinitions } from "./host-functions.js";
import { MAX_PATTERN_LENGTH, MAX_POSITION_PAIRS, MAX_RANGE_COMPARISONS } from "./host-globs.js";
import { hostBuiltins } from "./host.js";
import { OperandTypeError, RegoNumber, type HostValue } from "./host-value.js";

const call = (name: string, ...args: HostValue[]) => hostDefinitions[name]!.fn(...args);
const globs = (a: string, b: string) => call("regex.globs_match", a, b);

describe("regex.globs_match", () => {
  // glob-intersection's own examples and OPA's conformance cases, each checked both ways round.
  it.each<[string, string]>([
    ["abcd", "...."],
    ["abcd", "[a-d]*"],
    ["pqrs", "pq.s"],
    [".*", "asdklfj"],
    ["d*", "[abcd][abcd]"],
    ["d*", "d[a-z]+"],
    ["[a-p]+", "[p-z]+"],
    ["[a-p]+", "abcdefgh*"],
    ["abcd[a-c]z+", "abcd[b-d][yz]*"],
    [".*\\\\", "asdfasdf\\\\"],
    [".a.a", "b.b."],
    [".*.*.*.*.*.*.*.*.*.*.*.*.*.*.*", ".*.*.*.*.*.*.*.*.*.*.*"],
    ["foo.*bar", "fooalkdsjfbar"],
    ["a.a.[0-9]+z", ".b.b2359825792*594823z"],
    ["[a-z]+\\[[0-9]+\\]", "foo\\[1\\]"],
    ["b.*", "baz"],
    // The greedy walk of the library OPA calls says no here; "a" matches both.
    ["a*", "b*a"],
    ["[\u{1F600}-\u{1F64F}]+", "\u{1F642}"],
  ])("%s and %s intersect", (a, b) => {
    expect(globs(a, b)).toBe(true);
    expect(globs(b, a)).toBe(true);
  });

  it.each<[string, string]>([
    ["abcd", "abcdla"],
    ["[a-d]+", "[e-f]+"],
    ["[0-9]*", ".\\*"],
    ["mamama.*", "nanana.*"],
    [".*mamama", ".*dadada"],
    [".xyz.", ".*pqr.*"],
    ["ab+", "a"],
    ["ab+", "abc"],
    [".*.*.*.*f", ".*.*.*.*g"],
    ["[a-z]+", "[0-9]*"],
    ["[a-z]+\\[[0-9]+\\]", 'foo["bar"]'],
    // Only the empty string is shared, and it does not count.
    ["a*", "b*"],
    [".*", ""],
    ["[]", "."],
  ])("%s and %s do not intersect", (a, b) => {
    expect(globs(a, b)).toBe(false);
    expect(globs(b, a)).toBe(false);
  });

  it("rejects malformed patterns with the operand and position", () => {
    expect(() => globs("*a", "a")).toThrow(
      "operand 1: pos:0: flag '*' must be preceded by a non-flag",
    );
    expect(() => globs("a", "a+*")).toThrow(
      "operand 2: pos:2: flag '*' must be preceded by a non-flag",
    );
    expect(() => globs("[a-", "a")).toThrow("must be followed by a Unicode character");
    expect(() => globs("[ab", "a")).toThrow("operand 1: pos:0: found [ without matching ]");
    expect(() => globs("a]", "a")).toThrow("set-close ']' with no preceding '['");
    expect(() => globs("a\\", "a")).toThrow("input ends with a \\ (escape) character");
    expect(() => globs("[z-a]", "a")).toThrow("range is out of order");
    expect(() => globs(1 as unknown as string, "a")).toThrow(OperandTypeError);
  });

  it("decides long patterns in bounded time and refuses longer ones at once", () => {
    let started = Date.now();
    expect(globs(".*".repeat(300) + "x", "[a-z]*".repeat(300) + "y")).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    started = Date.now();
    const long = "a".repeat(MAX_PATTERN_LENGTH / 10);
    expect(() => globs(long, long)).toThrow(`over ${MAX_POSITION_PAIRS} pairs of positions`);
    expect(() => globs("a", "a".repeat(50_000_000))).toThrow(
      `operand 2: a pattern of 50000000 characters is over ${MAX_PATTERN_LENGTH}`,
    );
    expect(() => globs(`[\u0000-\u{10FFFF}]+`, "x")).not.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  // A set of 26,000 separate characters against 99,000 repeats of one: walking the set at each
  // pair of positions took 29 s; a lookup in it takes 16 steps.
  const everyOther = (from: number, count: number) =>
    Array.from({ length: count }, (_, k) => String.fromCodePoint(from + 2 * k)).join("");
  const large = `[${everyOther(0x100, 26_000)}]*`;

  it("answers exactly, in bounded time, for large sets against long patterns", () => {
    const started = Date.now();
    expect(globs(large, String.fromCodePoint(0x100 + 2 * 25_999).repeat(99_000))).toBe(true);
    expect(globs(String.fromCodePoint(0x100 + 2 * 26_000).repeat(99_000), large)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("refuses sets whose comparisons would exceed the budget, as a builtin error", () => {
    // 900 sets of 99 characters on each side, none shared: 810,000 pairs of sets to compare.
    const sets = (from: number) =>
      Array.from({ length: 900 }, (_, i) => `[${everyOther(from + 2 * (i % 50), 99)}]*`).join("");
    expect(() => globs(sets(0x100) + "x", sets(0x101) + "y")).toThrow(
      `the patterns' character sets are too large to compare (over ${MAX_RANGE_COMPARISONS} range comparisons)`,
    );
    // The same patterns sharing their sets are answered: the first lookup finds a shared character.
    expect(globs(sets(0x100) + "x", sets(0x100) + "x")).toBe(true);
  });
});

describe("uuid.parse", () => {
  const parse = (s: HostValue) => call("uuid.parse", s);
  const v2 = {
    version: 2,
    variant: "RFC4122",
    time: new RegoNumber("1693566990121469600"),
    nodeid: "32-50-96-b3-9f-47",
    macvariables: "local:unicast",
    clocksequence: 12800,
    id: 1000,
    domain: "Person",
  };

  it("gives version and variant, and the time, node and DCE fields of versions 1 and 2", () => {
    expect(parse("00000000-0000-4000-8000-000000000000")).toEqual({
      version: 4,
      variant: "RFC4122",
    });
    expect(parse("38074da4-0b00-388d-9c3c-362de965547a")).toEqual({
      version: 3,
      variant: "RFC4122",
    });
    expect(parse("000003e8-48b9-21ee-b200-325096b39f47")).toEqual(v2);
    expect(parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toEqual({
      version: 1,
      variant: "RFC4122",
      time: new RegoNumber("886630433151182400"),
      nodeid: "00-c0-4f-d4-30-c8",
      macvariables: "global:unicast",
      clocksequence: 180,
    });
    expect(parse("00000000-0000-0000-c000-000000000000")).toMatchObject({ variant: "Microsoft" });
    expect(parse("00000000-0000-0000-0000-000000000000")).toMatchObject({ variant: "Reserved" });
  });

  it("reads the URN, brace and undashed forms, and upper-case hex", () => {
    expect(parse("urn:uuid:000003e8-48b9-21ee-b200-325096b39f47")).toEqual(v2);
    expect(parse("URN:UUID:000003E8-48B9-21EE-B200-325096B39F47")).toEqual(v2);
    expect(parse("{00000000-0000-4000-8000-000000000000}")).toEqual({
      version: 4,
      variant: "RFC4122",
    });
    expect(parse("6bea8ef2d3d33cd184e09bab06a52ece")).toEqual({ version: 3, variant: "RFC4122" });
  });

  it("is undefined for text that is no UUID, however long", () => {
    for (const text of [
      "",
      "123",
      "00000000-0000-4000-8000-00000000000g",
      "00000000+0000-4000-8000-000000000000",
      "urn:uuix:000003e8-48b9-21ee-b200-325096b39f47",
      "é".repeat(18),
      "0".repeat(10_000_000),
    ])
      expect(parse(text)).toBeUndefined();
    expect(() => parse(123)).toThrow(OperandTypeError);
  });
});

describe("regex.globs_match and uuid.parse through the compiler and Wasm", () => {
  it("compiles calls to them and gives OPA's results", async () => {
    const source = `package t

overlap contains image if {
	some image in input.images
	regex.globs_match(image, "registry\\\\.corp/.*")
}

parsed := uuid.parse(input.id)

invalid if not uuid.parse("not-a-uuid")

escaped := json.marshal({"html": "<b>&</b>"})
`;
    const rules = ["overlap", "parsed", "invalid", "escaped"];
    const { wasm, entrypoints } = await compileRego(
      { "policy.rego": source },
      { entrypoints: rules.map((r) => `t/${r}`) },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const input = {
      images: ["registry\\.corp/app:.*", "docker\\.io/.*", ".*"],
      id: "00000000-0000-4000-8000-000000000000",
    };
    const result = (rule: string) =>
      (policy.evaluate(input, entrypoints[`t/${rule}`]) as { result: unknown }[])[0]?.result;
    expect(result("overlap")).toEqual([".*", "registry\\.corp/app:.*"]);
    expect(result("parsed")).toEqual({ variant: "RFC4122", version: 4 });
    expect(result("invalid")).toBe(true);
    expect(result("escaped")).toBe('{"html":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}');
  });
});
