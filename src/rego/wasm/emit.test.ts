import { describe, expect, it } from "vitest";
import { PolicyBuilder, addResult, block, load, local } from "./testing.js";

describe("emitWasm end to end", () => {
  it("returns input.x as the result", async () => {
    const b = new PolicyBuilder();
    const policy = b.policy([
      {
        name: "test/p",
        blocks: [
          block(
            { type: "Dot", source: local(0), key: b.str("x"), target: 2 },
            ...addResult(b, 2, 3),
          ),
        ],
      },
    ]);
    const e = await load(policy);
    expect(e.evaluate({ x: [1, "two", { three: 3 }] })).toEqual([
      { result: [1, "two", { three: 3 }] },
    ]);
    expect(e.evaluate({ y: 1 })).toEqual([]);
  });
});
