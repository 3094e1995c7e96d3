import { describe, expect, it } from "vitest";
import { requiredBuiltins } from "../conformance/cases.js";
import { hostBuiltinArity, nativeBuiltins } from "../runtime/index.js";
import { BUILTINS, classifyBuiltinCall, UNSUPPORTED_OPA_BUILTINS } from "./catalog.js";

/** The conformance runner's list of builtins Tollgate promises; `print` is rewritten to `internal.print`. */
const REQUIRED = [...requiredBuiltins].filter((name) => name !== "print");

/** Builtins the planner lowers itself: unification and metadata constants of the calling rule. */
const PLANNED = ["eq", "rego.metadata.chain", "rego.metadata.rule"];

describe("builtin catalog", () => {
  it("has every required builtin", () => {
    expect(REQUIRED.length).toBeGreaterThan(60);
    expect(REQUIRED.filter((name) => !BUILTINS.has(name))).toEqual([]);
  });

  it("is implemented by the runtime, natively or in the host, with the catalog's arity", () => {
    const missing = [...BUILTINS.keys()].filter(
      (name) => !nativeBuiltins.has(name) && !hostBuiltinArity.has(name),
    );
    expect(missing.sort()).toEqual(PLANNED);
    const hostDisagreements = [...hostBuiltinArity]
      .filter(([name, arity]) => BUILTINS.has(name) && BUILTINS.get(name)?.args.length !== arity)
      .map(([name]) => name);
    expect(hostDisagreements).toEqual([]);
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
