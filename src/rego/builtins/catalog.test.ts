import { describe, expect, it } from "vitest";
import { hostBuiltinArity, nativeBuiltins } from "../runtime/index.js";
import { BUILTINS, classifyBuiltinCall, UNSUPPORTED_OPA_BUILTINS } from "./catalog.js";

/** Builtins the planner lowers itself: unification and metadata constants of the calling rule. */
const PLANNED = ["eq", "rego.metadata.chain", "rego.metadata.rule"];

describe("builtin catalog", () => {
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
    expect(classifyBuiltinCall("http.send", 1).kind).toBe("unsupported");
    expect(classifyBuiltinCall("no.such", 1).kind).toBe("unknown");
  });
});
