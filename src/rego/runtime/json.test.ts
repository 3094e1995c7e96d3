import { describe, expect, it } from "vitest";
import { runtimeWasm } from "./index.js";

/** The runtime alone, driven through its ABI exports as the SDK does. */
function runtime() {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const aborts: string[] = [];
  const text = (addr: number) => {
    const bytes = new Uint8Array(memory.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(addr, end));
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(runtimeWasm())), {
    env: {
      memory,
      opa_abort: (addr: number) => {
        aborts.push(text(addr));
        throw new Error(text(addr));
      },
      opa_println: () => undefined,
    },
  });
  const exports = instance.exports as Record<string, (...args: number[]) => number>;
  const parse = (json: string): number => {
    const bytes = new TextEncoder().encode(json);
    const addr = exports.opa_malloc!(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, addr);
    return exports.opa_json_parse!(addr, bytes.length);
  };
  const dump = (value: number): string => text(exports.opa_json_dump!(value));
  return { parse, dump, exports, memory, aborts };
}

describe("runtime JSON", () => {
  const rt = runtime();
  const roundTrip = (json: string) => rt.dump(rt.parse(json));

  it.each([
    ["null", "null"],
    ["true", "true"],
    [" [1, -2, 0] ", "[1,-2,0]"],
    [
      '"h\\u00e9llo \\ud83d\\ude00 \\"q\\" \\\\ \\/ \\n\\t\\u0001"',
      '"héllo 😀 \\"q\\" \\\\ / \\n\\t\\u0001"',
    ],
    ['"日本語"', '"日本語"'],
    ["12345678901234567890123", "12345678901234567890123"],
    ["-9223372036854775808", "-9223372036854775808"],
    ["9223372036854775807", "9223372036854775807"],
    ["0.1", "0.1"],
    ["1e400", "1e400"],
    ["3.141592653589793238462643383279", "3.141592653589793238462643383279"],
    ["-0.0", "-0.0"],
    ["1E+2", "1E+2"],
    ['{"b":1,"a":{"d":[],"c":{}}}', '{"a":{"c":{},"d":[]},"b":1}'],
    ['{"a":1,"a":2}', '{"a":2}'],
    ['{"10":1,"9":2,"":3,"é":4,"z":5}', '{"":3,"10":1,"9":2,"z":5,"é":4}'],
  ])("%s dumps as %s", (input, output) => {
    expect(roundTrip(input)).toBe(output);
  });

  it("decodes a lone surrogate escape as U+FFFD, as Go does", () => {
    expect(JSON.parse(roundTrip('"\\ud800x"'))).toBe("\ufffdx");
  });

  it.each([
    "",
    "[1,]",
    "{",
    '{"a"}',
    "01",
    "1.",
    "-",
    ".5",
    "[1 2]",
    "nul",
    '"\\x"',
    '"a\nb"',
    "1 2",
    "{1:2}",
    "+1",
    "[",
    '"\\ud83d\\u00"',
    '"a\\"',
    '["\\n", "b\\"]',
  ])("rejects %j with 0, never a trap", (bad) => {
    expect(rt.parse(bad)).toBe(0);
  });

  it("parses deep nesting up to the limit and rejects beyond it", () => {
    expect(roundTrip("[".repeat(5_000) + "]".repeat(5_000))).toBe(
      "[".repeat(5_000) + "]".repeat(5_000),
    );
    expect(rt.parse("[".repeat(20_000) + "]".repeat(20_000))).toBe(0);
  });

  it("dumps a large object with keys in order and finds every key", () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 5_000; i++) big[`k${i}`] = i;
    const out = JSON.parse(roundTrip(JSON.stringify(big))) as Record<string, number>;
    expect(Object.keys(out)).toEqual(Object.keys(big).sort());
    expect(out.k4999).toBe(4999);
  });

  it("parses strings with escapes in memory that grows with the input, not its square", () => {
    // Each escaped string was given a buffer as long as the rest of the input: 2.8 MB of
    // resources, each with an IAM policy written as a JSON string, took 923 MiB.
    const policies = Array.from({ length: 2_000 }, (_, i) => ({ policy: `{"Sid":"s${i}"}` }));
    const json = JSON.stringify(policies);
    const mark = rt.exports.opa_heap_ptr_get!();
    const value = rt.parse(json);
    const used = rt.exports.opa_heap_ptr_get!() - mark;
    expect(JSON.parse(rt.dump(value))).toEqual(policies);
    expect(used).toBeLessThan(20 * json.length);
    rt.exports.opa_heap_ptr_set!(mark);
  });

  it("resets the heap to a mark, as the SDK does between evaluations", () => {
    const mark = rt.exports.opa_heap_ptr_get!();
    rt.parse(JSON.stringify({ payload: "x".repeat(200_000) }));
    expect(rt.exports.opa_heap_ptr_get!()).toBeGreaterThan(mark + 200_000);
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(2 * 65536);
    rt.exports.opa_heap_ptr_set!(mark);
    expect(rt.exports.opa_heap_ptr_get!()).toBe(mark);
  });
});
