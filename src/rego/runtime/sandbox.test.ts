import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import type { Stmt } from "../ir/types.js";
import { emitWasm } from "../wasm/index.js";
import { PolicyBuilder, addResult, at, block, local, opaBuildLayout } from "../wasm/testing.js";
import { compileRego } from "../compiler.js";
import { BoundedPolicy, evaluateBounded, parseEvalError } from "./sandbox.js";
import { NumberText } from "./exact-json.js";
import { sdkText } from "./sdk-text.js";
import * as rego from "../index.js";

const b = new PolicyBuilder();
const nestedScans = (depth: number, inner: Stmt[]): Stmt => {
  let body: Stmt[] = inner;
  for (let d = depth; d > 0; d--)
    body = [{ type: "Scan", source: 0, key: 10 + d * 2, value: 11 + d * 2, block: block(...body) }];
  return body[0]!;
};
const wasm = emitWasm(
  b.policy(
    [
      { name: "t/echo", blocks: [block(...addResult(b, 0, 2))] },
      // Three nested scans over input: 10^9 iterations for a 1,000-element input.
      { name: "t/spin", blocks: [block(nestedScans(3, [{ type: "Nop" }]))] },
      // json.marshal of the whole input on every iteration of two nested scans.
      {
        name: "t/hog",
        blocks: [
          block(
            nestedScans(2, [{ type: "Call", func: "json.marshal", args: [local(0)], result: 3 }]),
          ),
        ],
      },
      {
        name: "t/bad_regex",
        blocks: [
          block({
            type: "Call",
            func: "regex.match",
            args: [b.str("("), b.str("x")],
            result: 3,
            loc: at(12, 3),
          }),
        ],
      },
    ],
    [],
    [],
  ),
);

describe("bounded evaluation", () => {
  it("evaluates within bounds", async () => {
    expect(
      await evaluateBounded(wasm, {}, { a: 1 }, "t/echo", {
        timeoutMs: 10_000,
        maxMemoryPages: 64,
      }),
    ).toEqual({
      ok: true,
      resultSet: [{ result: { a: 1 } }],
    });
  });

  it("gives the worker data's numbers as written: a bigint and a decimal past a double", async () => {
    const compiled = await compileRego(
      { "p.rego": "package p\n\nexact := json.marshal(data.acme)\n" },
      { entrypoints: ["p/exact"] },
    );
    const data = {
      acme: { id: 123456789012345678901n, rate: new NumberText("0.30000000000000004440") },
    };
    expect(await evaluateBounded(compiled.wasm, data, {}, "p/exact")).toEqual({
      ok: true,
      resultSet: [{ result: '{"id":123456789012345678901,"rate":0.30000000000000004440}' }],
    });
    // And the result set back as exact as the module wrote it.
    const same = await compileRego(
      { "p.rego": "package p\n\nsame := data.acme\n" },
      { entrypoints: ["p/same"] },
    );
    expect(await evaluateBounded(same.wasm, data, {}, "p/same")).toEqual({
      ok: true,
      resultSet: [{ result: data.acme }],
    });
  });

  it("stops a runaway evaluation at the deadline and recovers for the next one", async () => {
    const policy = new BoundedPolicy(wasm, {}, { timeoutMs: 300, maxMemoryPages: 256 });
    try {
      const outcome = await policy.evaluate(
        Array.from({ length: 1_000 }, (_, i) => i),
        "t/spin",
      );

      expect(outcome).toMatchObject({ ok: false, error: { code: "eval_timeout" } });
      expect(await policy.evaluate("again", "t/echo")).toEqual({
        ok: true,
        resultSet: [{ result: "again" }],
      });
    } finally {
      await policy.close();
    }
  });

  it("stops an evaluation that outgrows its memory", async () => {
    const input = Array.from({ length: 2_000 }, (_, i) => ({
      name: `resource-${i}`,
      tags: { team: "platform" },
    }));
    const outcome = await evaluateBounded(wasm, {}, input, "t/hog", {
      timeoutMs: 20_000,
      maxMemoryPages: 64,
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: "eval_memory_error" } });
  });

  it("reports host builtin errors with their Rego location", async () => {
    const outcome = await evaluateBounded(wasm, {}, {}, "t/bad_regex", {
      timeoutMs: 10_000,
      maxMemoryPages: 64,
    });
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: "eval_builtin_error", location: { file: "policy.rego", line: 12, column: 3 } },
    });
  });

  it("returns each evaluation's print lines with its outcome, failed or not", async () => {
    const source = `package p

import rego.v1

shout := input if print("input is", input)

quiet := input

broken := x if {
  print("before", input)
  some x in [1, 2]
}
`;
    const compiled = await compileRego(
      { "p.rego": source },
      { entrypoints: ["p/shout", "p/quiet", "p/broken"] },
    );
    const policy = new BoundedPolicy(compiled.wasm, {});
    try {
      expect(await policy.evaluate("a", "p/shout")).toEqual({
        ok: true,
        resultSet: [{ result: "a" }],
        printed: ["input is a"],
      });
      expect(await policy.evaluate("b", "p/shout")).toMatchObject({ printed: ["input is b"] });
      expect(await policy.evaluate("c", "p/quiet")).not.toHaveProperty("printed");
      expect(await policy.evaluate("d", "p/broken")).toMatchObject({
        ok: false,
        error: { code: "eval_conflict_error" },
        printed: ["before d"],
      });
    } finally {
      await policy.close();
    }
  });
});

describe("memory for a module's constants", () => {
  // A policy folder compiled with its tests held 6.2 pages of constants in session 16; the
  // SDK's default memory of 5 pages failed every test with "data segment is out of bounds". The
  // module now grows the memory to hold them when it starts.
  const source = `package p\n\nimport rego.v1\n\nbig := "${"x".repeat(400_000)}"\n\nsize := count(big)\n`;
  let compiled: Promise<Uint8Array> | undefined;
  const bigModule = () =>
    (compiled ??= compileRego({ "p.rego": source }, { entrypoints: ["p/size"] }).then(
      (c) => c.wasm,
    ));

  it("loads constants over the SDK's default 5 pages with the SDK's defaults", async () => {
    const wasm = await bigModule();
    const policy = await loadPolicy(wasm);
    expect(policy.evaluate(null, "p/size")).toEqual([{ result: 400_000 }]);
    expect(policy.mem.buffer.byteLength).toBeGreaterThan(5 * 65_536);
  });

  it("says how many pages the constants need when the memory's maximum is lower", async () => {
    const wasm = await bigModule();
    await expect(loadPolicy(wasm, { initial: 2, maximum: 4 })).rejects.toBe(
      "eval_memory_error: the policy's constants need 7 memory pages, more than the memory's maximum",
    );
  });

  it("runs such a module in the sandbox", async () => {
    const policy = new BoundedPolicy(await bigModule(), {});
    try {
      expect(await policy.evaluate(null, "p/size")).toEqual({
        ok: true,
        resultSet: [{ result: 400_000 }],
      });
    } finally {
      await policy.close();
    }
  });

  it("refuses, naming the limit, constants that need more pages than it allows", async () => {
    const policy = new BoundedPolicy(
      await bigModule(),
      {},
      { timeoutMs: 5_000, maxMemoryPages: 3 },
    );
    try {
      expect(await policy.evaluate(null, "p/size")).toEqual({
        ok: false,
        error: {
          code: "eval_memory_error",
          message:
            "the policy's constants need 7 memory pages, more than the memory's maximum of 3",
        },
      });
    } finally {
      await policy.close();
    }
  });

  // A prebuilt bundle from `opa build -t wasm` (an organization's policy folder may hold one)
  // writes its constants with active segments, and its memory import asks for their pages.
  it("gives a module laid out as opa build does the pages its active segments need", async () => {
    const prebuilt = opaBuildLayout(await bigModule());
    await expect(loadPolicy(prebuilt)).rejects.toThrow(WebAssembly.LinkError);
    const policy = new BoundedPolicy(prebuilt, {});
    const limited = new BoundedPolicy(prebuilt, {}, { timeoutMs: 5_000, maxMemoryPages: 3 });
    try {
      expect(await policy.evaluate(null, "p/size")).toEqual({
        ok: true,
        resultSet: [{ result: 400_000 }],
      });
      expect(await limited.evaluate(null, "p/size")).toEqual({
        ok: false,
        error: {
          code: "eval_memory_error",
          message:
            "the policy's constants need 8 memory pages, more than the memory's maximum of 3",
        },
      });
    } finally {
      await Promise.all([policy.close(), limited.close()]);
    }
  });
});

describe("text from the SDK", () => {
  it("keeps non-ASCII print lines and error locations as written", async () => {
    const source = `package p

import rego.v1

greet := input if print("héllo ✓ 日本 🚀", input)

broken := x if {
  some x in [1, 2]
}
`;
    const compiled = await compileRego(
      { "pølicy/é.rego": source },
      { entrypoints: ["p/greet", "p/broken"] },
    );
    const policy = new BoundedPolicy(compiled.wasm, {});
    try {
      expect(await policy.evaluate("ça", "p/greet")).toMatchObject({
        printed: ["héllo ✓ 日本 🚀 ça"],
      });
      expect(await policy.evaluate(null, "p/broken")).toMatchObject({
        error: { code: "eval_conflict_error", location: { file: "pølicy/é.rego" } },
      });
    } finally {
      await policy.close();
    }
  });

  /** What a plain `loadPolicy` throws for `regex.match(input, "x")` in règle.rego. */
  async function plainError(): Promise<(pattern: string) => string> {
    const { wasm, entrypoints } = await compileRego(
      { "règle.rego": 'package p\n\nbad if regex.match(input, "x")\n' },
      { entrypoints: ["p/bad"], strictBuiltinErrors: true },
    );
    const policy = await loadPolicy(wasm);
    return (pattern) => {
      try {
        policy.evaluate(pattern, entrypoints["p/bad"]);
      } catch (error) {
        return String(error);
      }
      return "no error";
    };
  }
  const located = "règle.rego:3:8: eval_builtin_error: regex.match: error parsing regexp: ";

  it("cuts an error past the abort buffer (4 KiB) between characters, never inside one", async () => {
    const thrown = await plainError();
    // One of the two cuts falls inside an é, whichever way the bytes before it add up.
    for (const pattern of ["(" + "é".repeat(3000), "(x" + "é".repeat(3000)]) {
      const text = sdkText(thrown(pattern));
      expect(text.length).toBeGreaterThan(2000);
      expect(`${located}missing closing ): \`${pattern}\``.startsWith(text), text.slice(-3)).toBe(
        true,
      );
    }
  });

  // README's plain-SDK paragraph: the SDK throws its byte-by-byte text as it is.
  it("gives plain-SDK users what undoes the SDK's decoding of an error", async () => {
    const error = (await plainError())("(é");
    expect(error).toBe(
      "r\uFFC3\uFFA8gle.rego:3:8: eval_builtin_error: regex.match: error parsing regexp: " +
        "missing closing ): `(\uFFC3\uFFA9`",
    );
    expect(rego.sdkText(error)).toBe(`${located}missing closing ): \`(é\``);
  });

  it("leaves text the SDK did not decode as it is", () => {
    expect(sdkText("plain")).toBe("plain");
    expect(sdkText("h\uFFC3\uFFA9")).toBe("hé");
    expect(sdkText("é\uFFC3")).toBe("é\uFFC3");
  });
});

describe("parseEvalError", () => {
  it("reads located and unlocated errors", () => {
    expect(
      parseEvalError(
        "a/b.rego:3:7: eval_conflict_error: complete rules must not produce multiple outputs",
      ),
    ).toEqual({
      code: "eval_conflict_error",
      message: "complete rules must not produce multiple outputs",
      location: { file: "a/b.rego", line: 3, column: 7 },
    });
    expect(parseEvalError("eval_memory_error: out of memory")).toEqual({
      code: "eval_memory_error",
      message: "out of memory",
    });
    expect(parseEvalError(new Error("boom"))).toEqual({
      code: "eval_internal_error",
      message: "boom",
    });
  });
});
