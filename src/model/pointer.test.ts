import { describe, expect, it } from "vitest";
import { fromPointer, toPointer } from "./pointer.js";

describe("JSON pointers", () => {
  it("escapes / and ~ so tag keys round-trip", () => {
    const path = ["tags", "kubernetes.io/cluster~x", 0];
    const pointer = toPointer(path);
    expect(pointer).toBe("/tags/kubernetes.io~1cluster~0x/0");
    expect(fromPointer(pointer)).toEqual(["tags", "kubernetes.io/cluster~x", "0"]);
  });

  it("treats the empty pointer as the whole document and rejects a relative one", () => {
    expect(fromPointer("")).toEqual([]);
    expect(() => fromPointer("a/b")).toThrow(/not a JSON pointer/);
  });
});
