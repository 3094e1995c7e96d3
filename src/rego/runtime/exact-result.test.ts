import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { compileRego } from "../compiler.js";
import { NumberText, parseExactJson } from "./exact-json.js";
import { evaluateExact } from "./exact-result.js";
import { hostBuiltins } from "./host.js";

describe("parseExactJson", () => {
  it("keeps what a double does not hold as written, and leaves strings and the rest to JSON.parse", () => {
    expect(
      parseExactJson(
        '{"id":123456789012345678901,"n":-9007199254740993,"rate":0.1000000000000000055511151231257827,' +
          '"far":1e400,"split":1234567.123456789012,"text":"12345678901234567890 \\"1e400","safe":[1.5,9007199254740991]}',
      ),
    ).toEqual({
      id: 123456789012345678901n,
      n: -9007199254740993n,
      rate: new NumberText("0.1000000000000000055511151231257827"),
      far: new NumberText("1e400"),
      split: new NumberText("1234567.123456789012"),
      text: '12345678901234567890 "1e400',
      safe: [1.5, 9007199254740991],
    });
    expect(parseExactJson('[{"result":0.5}]')).toEqual([{ result: 0.5 }]);
  });
});

describe("evaluateExact", () => {
  it("gives the result set the SDK's evaluate() gives, with its numbers as the module wrote them", async () => {
    const { wasm } = await compileRego(
      {
        "p.rego": [
          "package p",
          "",
          "numbers := [123456789012345678901, 0.1000000000000000055511151231257827, input.x, 7]",
          "",
        ].join("\n"),
      },
      { entrypoints: ["p/numbers"] },
    );
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    const input = new TextEncoder().encode('{"x": 9007199254740993}').buffer as ArrayBuffer;
    // The SDK's JSON.parse rounds them.
    expect(policy.evaluate(input, "p/numbers")).toEqual([
      { result: [123456789012345680000, 0.1, 9007199254740992, 7] },
    ]);
    expect(evaluateExact(policy, input, "p/numbers")).toEqual([
      {
        result: [
          123456789012345678901n,
          new NumberText("0.1000000000000000055511151231257827"),
          9007199254740993n,
          7,
        ],
      },
    ]);
    // Without input, as the SDK evaluates it; an unknown entrypoint fails in the SDK's words.
    expect(evaluateExact(policy, undefined, "p/numbers")).toEqual(
      policy.evaluate(undefined, "p/numbers"),
    );
    expect(() => evaluateExact(policy, input, "p/nope")).toThrow(
      "entrypoint p/nope is not valid in this instance",
    );
  });
});
