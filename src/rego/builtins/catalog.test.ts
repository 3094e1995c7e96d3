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

  it("provides the OPA builtins policy authors reach for, and names the rest as unsupported", () => {
    const provided = [
      "time.parse_rfc3339_ns time.parse_ns time.parse_duration_ns time.date time.clock",
      "time.weekday time.add_date time.diff units.parse units.parse_bytes semver.compare",
      "semver.is_valid graph.reachable graph.reachable_paths crypto.sha256 crypto.sha1",
      "crypto.md5 hex.encode hex.decode net.cidr_expand net.cidr_merge object.subset",
      "strings.replace_n regex.template_match time.format net.cidr_is_valid base64.is_valid",
      "strings.any_suffix_match io.jwt.decode io.jwt.decode_verify io.jwt.verify_rs256",
      "io.jwt.verify_es256 io.jwt.verify_hs256 io.jwt.verify_ps256 io.jwt.verify_eddsa",
      "json.match_schema json.verify_schema strings.render_template",
      "regex.find_all_string_submatch_n net.cidr_contains_matches urlquery.encode urlquery.decode",
      "urlquery.encode_object urlquery.decode_object json.filter json.remove crypto.hmac.sha256",
      "crypto.hmac.equal indexof_n glob.quote_meta base64url.encode_no_pad numbers.range_step",
      "io.jwt.encode_sign io.jwt.encode_sign_raw json.patch json.marshal_with_options bits.or",
      "bits.and bits.xor bits.negate bits.lsh bits.rsh",
    ].flatMap((line) => line.split(" "));
    expect(
      provided.filter(
        (name) => classifyBuiltinCall(name, BUILTINS.get(name)?.args.length ?? -1).kind !== "call",
      ),
    ).toEqual([]);
    for (const name of ["uuid.rfc4122", "rand.intn", "graphql.parse"])
      expect(classifyBuiltinCall(name, 1).kind).toBe("unsupported");
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
