import { describe, expect, it } from "vitest";
import { requiredBuiltins } from "../conformance/cases.js";
import { builtinArity } from "../plan/builtins.js";
import { BUILTINS, classifyBuiltinCall, UNSUPPORTED_OPA_BUILTINS } from "./catalog.js";

/** The conformance runner's list of builtins Tollgate promises; `print` is rewritten to `internal.print`. */
const REQUIRED = [...requiredBuiltins].filter((name) => name !== "print");

describe("builtin catalog", () => {
  it("has every required builtin", () => {
    expect(REQUIRED.length).toBeGreaterThan(60);
    expect(REQUIRED.filter((name) => !BUILTINS.has(name))).toEqual([]);
  });

  it("agrees with the planner on every arity", () => {
    const disagreements = [...BUILTINS.values()]
      .filter((spec) => spec.name !== "eq")
      .filter((spec) => builtinArity(spec.name) !== spec.args.length)
      .map(
        (spec) =>
          `${spec.name}: catalog ${spec.args.length}, planner ${String(builtinArity(spec.name))}`,
      );
    expect(disagreements).toEqual([]);
  });

  it("never lists a provided builtin as unsupported", () => {
    expect([...UNSUPPORTED_OPA_BUILTINS].filter((name) => BUILTINS.has(name))).toEqual([]);
  });

  it("reads calls, the output-argument form and arity mistakes", () => {
    expect(classifyBuiltinCall("count", 1).kind).toBe("call");
    expect(classifyBuiltinCall("count", 2).kind).toBe("output");
    expect(classifyBuiltinCall("count", 3).kind).toBe("arity");
    expect(classifyBuiltinCall("walk", 2).kind).toBe("output");
    expect(classifyBuiltinCall("walk", 1).kind).toBe("arity");
    expect(classifyBuiltinCall("internal.print", 2).kind).toBe("arity");
    expect(classifyBuiltinCall("time.now_ns", 0).kind).toBe("unsupported");
    expect(classifyBuiltinCall("no.such", 1).kind).toBe("unknown");
  });
});
