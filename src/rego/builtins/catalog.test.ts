import { describe, expect, it } from "vitest";
import { builtinArity } from "../plan/builtins.js";
import { BUILTINS, classifyBuiltinCall, UNSUPPORTED_OPA_BUILTINS } from "./catalog.js";

/** The builtins Tollgate promises (the compiler brief's list), operators included. */
const REQUIRED =
  `count sum max min sort concat contains startswith endswith lower upper split replace trim
trim_prefix trim_suffix trim_left trim_right trim_space sprintf format_int indexof substring
strings.any_prefix_match to_number is_string is_number is_boolean is_array is_object is_set is_null
type_name object.get object.keys object.union object.remove object.filter array.concat array.slice
union intersection regex.match glob.match net.cidr_contains net.cidr_intersects json.marshal
json.unmarshal yaml.unmarshal base64.encode base64.decode rego.metadata.rule rego.metadata.chain
plus minus mul div rem eq equal neq lt lte gt gte and or abs round ceil floor internal.member_2
internal.member_3 walk internal.print`.split(/\s+/);

describe("builtin catalog", () => {
  it("has every required builtin", () => {
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
