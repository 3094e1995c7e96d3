// Every builtin function the Rego front end accepts, with its arity and coarse argument types:
// the compile stage checks calls against it (unknown name, wrong arity, constant of the wrong
// type), and the runtime/host builtins must implement exactly these names. One table, so
// adding a builtin means one line here and its implementation in the runtime.

/** Coarse static types, enough to reject constants of the wrong kind at compile time. */
export type BuiltinType =
  "any" | "string" | "number" | "boolean" | "array" | "object" | "set" | "null";

export interface BuiltinSpec {
  name: string;
  /** Declared argument types; `any` accepts everything. Their count is the arity. */
  args: BuiltinType[][];
  /** The result type; `undefined` for builtins used only for their effect (`internal.print`). */
  result?: BuiltinType[];
  /** Yields several results for one input (`walk`); only the output-argument form makes sense. */
  relation?: boolean;
  /** An infix operator's symbol, for messages. */
  infix?: string;
}

const ANY: BuiltinType[] = ["any"];
const STRING: BuiltinType[] = ["string"];
const NUMBER: BuiltinType[] = ["number"];
const BOOLEAN: BuiltinType[] = ["boolean"];
const ARRAY: BuiltinType[] = ["array"];
const OBJECT: BuiltinType[] = ["object"];
const SET: BuiltinType[] = ["set"];
const COLLECTION: BuiltinType[] = ["array", "set", "object"];
const ARRAY_OR_SET: BuiltinType[] = ["array", "set"];
const STRINGS: BuiltinType[] = ["string", "array", "set"];
const TIME: BuiltinType[] = ["number", "array"];
const CIDRS: BuiltinType[] = ["string", "array", "set", "object"];

function spec(
  name: string,
  args: BuiltinType[][],
  result: BuiltinType[] | undefined,
  extra: Partial<BuiltinSpec> = {},
): BuiltinSpec {
  return result === undefined ? { name, args, ...extra } : { name, args, result, ...extra };
}

const SPECS: BuiltinSpec[] = [
  // Operators (infix syntax parses to these names, as in OPA).
  spec("eq", [ANY, ANY], BOOLEAN, { infix: "=" }),
  spec("equal", [ANY, ANY], BOOLEAN, { infix: "==" }),
  spec("neq", [ANY, ANY], BOOLEAN, { infix: "!=" }),
  spec("lt", [ANY, ANY], BOOLEAN, { infix: "<" }),
  spec("lte", [ANY, ANY], BOOLEAN, { infix: "<=" }),
  spec("gt", [ANY, ANY], BOOLEAN, { infix: ">" }),
  spec("gte", [ANY, ANY], BOOLEAN, { infix: ">=" }),
  spec("plus", [NUMBER, NUMBER], NUMBER, { infix: "+" }),
  spec(
    "minus",
    [
      ["number", "set"],
      ["number", "set"],
    ],
    ["number", "set"],
    { infix: "-" },
  ),
  spec("mul", [NUMBER, NUMBER], NUMBER, { infix: "*" }),
  spec("div", [NUMBER, NUMBER], NUMBER, { infix: "/" }),
  spec("rem", [NUMBER, NUMBER], NUMBER, { infix: "%" }),
  spec("and", [SET, SET], SET, { infix: "&" }),
  spec("or", [SET, SET], SET, { infix: "|" }),
  spec("internal.member_2", [ANY, ANY], BOOLEAN, { infix: "in" }),
  spec("internal.member_3", [ANY, ANY, ANY], BOOLEAN, { infix: "in" }),
  // Numbers.
  spec("abs", [NUMBER], NUMBER),
  spec("round", [NUMBER], NUMBER),
  spec("ceil", [NUMBER], NUMBER),
  spec("floor", [NUMBER], NUMBER),
  spec("to_number", [["null", "boolean", "number", "string"]], NUMBER),
  spec("format_int", [NUMBER, NUMBER], STRING),
  spec("numbers.range", [NUMBER, NUMBER], ARRAY),
  ...["or", "and", "xor", "lsh", "rsh"].map((op) => spec(`bits.${op}`, [NUMBER, NUMBER], NUMBER)),
  spec("bits.negate", [NUMBER], NUMBER),
  spec("numbers.range_step", [NUMBER, NUMBER, NUMBER], ARRAY),
  // Time: the clock is read once per evaluation. A time is nanoseconds or [ns, zone name].
  spec("time.now_ns", [], NUMBER),
  spec("time.parse_ns", [STRING, STRING], NUMBER),
  spec("time.parse_rfc3339_ns", [STRING], NUMBER),
  spec("time.parse_duration_ns", [STRING], NUMBER),
  spec("time.date", [TIME], ARRAY),
  spec("time.clock", [TIME], ARRAY),
  spec("time.weekday", [TIME], STRING),
  spec("time.add_date", [NUMBER, NUMBER, NUMBER, NUMBER], NUMBER),
  spec("time.diff", [TIME, TIME], ARRAY),
  spec("time.format", [TIME], STRING),
  // Quantities and versions.
  spec("units.parse", [STRING], NUMBER),
  spec("units.parse_bytes", [STRING], NUMBER),
  spec("semver.is_valid", [ANY], BOOLEAN),
  spec("semver.compare", [STRING, STRING], NUMBER),
  // Aggregates.
  spec("count", [["array", "set", "object", "string"]], NUMBER),
  spec("sum", [ARRAY_OR_SET], NUMBER),
  spec("product", [ARRAY_OR_SET], NUMBER),
  spec("max", [ARRAY_OR_SET], ANY),
  spec("min", [ARRAY_OR_SET], ANY),
  spec("sort", [ARRAY_OR_SET], ARRAY),
  // Strings.
  spec("concat", [STRING, ARRAY_OR_SET], STRING),
  spec("contains", [STRING, STRING], BOOLEAN),
  spec("startswith", [STRING, STRING], BOOLEAN),
  spec("endswith", [STRING, STRING], BOOLEAN),
  spec("lower", [STRING], STRING),
  spec("upper", [STRING], STRING),
  spec("split", [STRING, STRING], ARRAY),
  spec("replace", [STRING, STRING, STRING], STRING),
  spec("trim", [STRING, STRING], STRING),
  spec("trim_prefix", [STRING, STRING], STRING),
  spec("trim_suffix", [STRING, STRING], STRING),
  spec("trim_left", [STRING, STRING], STRING),
  spec("trim_right", [STRING, STRING], STRING),
  spec("trim_space", [STRING], STRING),
  spec("sprintf", [STRING, ARRAY], STRING),
  spec("indexof", [STRING, STRING], NUMBER),
  spec("indexof_n", [STRING, STRING], ARRAY),
  spec("substring", [STRING, NUMBER, NUMBER], STRING),
  spec("strings.any_prefix_match", [STRINGS, STRINGS], BOOLEAN),
  spec("strings.any_suffix_match", [STRINGS, STRINGS], BOOLEAN),
  spec("strings.count", [STRING, STRING], NUMBER),
  spec("strings.reverse", [STRING], STRING),
  spec("strings.replace_n", [OBJECT, STRING], STRING),
  spec("strings.render_template", [STRING, OBJECT], STRING),
  // Types.
  spec("is_string", [ANY], BOOLEAN),
  spec("is_number", [ANY], BOOLEAN),
  spec("is_boolean", [ANY], BOOLEAN),
  spec("is_array", [ANY], BOOLEAN),
  spec("is_object", [ANY], BOOLEAN),
  spec("is_set", [ANY], BOOLEAN),
  spec("is_null", [ANY], BOOLEAN),
  spec("type_name", [ANY], STRING),
  // Objects, arrays, sets.
  spec("object.get", [OBJECT, ANY, ANY], ANY),
  spec("object.keys", [OBJECT], SET),
  spec("object.union", [OBJECT, OBJECT], OBJECT),
  spec("object.remove", [OBJECT, COLLECTION], OBJECT),
  spec("object.filter", [OBJECT, COLLECTION], OBJECT),
  spec("object.union_n", [ARRAY], OBJECT),
  spec("object.subset", [COLLECTION, COLLECTION], BOOLEAN),
  spec("array.concat", [ARRAY, ARRAY], ARRAY),
  spec("array.slice", [ARRAY, NUMBER, NUMBER], ARRAY),
  spec("array.flatten", [ARRAY], ARRAY),
  spec("array.reverse", [ARRAY], ARRAY),
  spec("union", [SET], SET),
  spec("intersection", [SET], SET),
  spec("walk", [ANY], ARRAY, { relation: true }),
  spec("graph.reachable", [OBJECT, ARRAY_OR_SET], SET),
  spec("graph.reachable_paths", [OBJECT, ARRAY_OR_SET], SET),
  // Patterns and networks.
  spec("regex.match", [STRING, STRING], BOOLEAN),
  spec("regex.is_valid", [STRING], BOOLEAN),
  spec("regex.find_n", [STRING, STRING, NUMBER], ARRAY),
  spec("regex.find_all_string_submatch_n", [STRING, STRING, NUMBER], ARRAY),
  spec("regex.split", [STRING, STRING], ARRAY),
  spec("regex.replace", [STRING, STRING, STRING], STRING),
  spec("regex.template_match", [STRING, STRING, STRING, STRING], BOOLEAN),
  spec("regex.globs_match", [STRING, STRING], BOOLEAN),
  spec("glob.match", [STRING, ["array", "null"], STRING], BOOLEAN),
  spec("glob.quote_meta", [STRING], STRING),
  spec("net.cidr_contains", [STRING, STRING], BOOLEAN),
  spec("net.cidr_intersects", [STRING, STRING], BOOLEAN),
  spec("net.cidr_contains_matches", [CIDRS, CIDRS], SET),
  spec("net.cidr_expand", [STRING], SET),
  spec("net.cidr_merge", [ARRAY_OR_SET], SET),
  spec("net.cidr_is_valid", [ANY], BOOLEAN),
  // Encodings.
  spec("json.marshal", [ANY], STRING),
  spec("json.unmarshal", [STRING], ANY),
  spec("json.is_valid", [STRING], BOOLEAN),
  spec("json.filter", [OBJECT, ARRAY_OR_SET], OBJECT),
  spec("json.remove", [OBJECT, ARRAY_OR_SET], OBJECT),
  spec("json.patch", [ANY, ARRAY], ANY),
  spec("json.marshal_with_options", [ANY, OBJECT], STRING),
  // JSON Schema (drafts 4, 6 and 7): a schema or document as JSON text or as a value.
  spec("json.verify_schema", [ANY], ARRAY),
  spec("json.match_schema", [ANY, ANY], ARRAY),
  spec("yaml.marshal", [ANY], STRING),
  spec("yaml.unmarshal", [STRING], ANY),
  spec("yaml.is_valid", [STRING], BOOLEAN),
  spec("base64.encode", [STRING], STRING),
  spec("base64.decode", [STRING], STRING),
  spec("base64url.encode", [STRING], STRING),
  spec("base64url.decode", [STRING], STRING),
  spec("base64url.encode_no_pad", [STRING], STRING),
  spec("base64.is_valid", [STRING], BOOLEAN),
  spec("urlquery.encode", [STRING], STRING),
  spec("urlquery.decode", [STRING], STRING),
  spec("urlquery.encode_object", [OBJECT], STRING),
  spec("urlquery.decode_object", [STRING], OBJECT),
  spec("uuid.parse", [STRING], OBJECT),
  spec("hex.encode", [STRING], STRING),
  spec("hex.decode", [STRING], STRING),
  spec("crypto.md5", [STRING], STRING),
  spec("crypto.sha1", [STRING], STRING),
  spec("crypto.sha256", [STRING], STRING),
  ..."md5 sha1 sha256 sha512"
    .split(" ")
    .map((hash) => spec(`crypto.hmac.${hash}`, [STRING, STRING], STRING)),
  spec("crypto.hmac.equal", [STRING, STRING], BOOLEAN),
  // Certificates and keys: PEM, base64 of PEM, or base64 of DER, in Go's JSON shapes.
  spec("crypto.x509.parse_certificates", [STRING], ARRAY),
  spec("crypto.x509.parse_and_verify_certificates", [STRING], ARRAY),
  spec("crypto.x509.parse_and_verify_certificates_with_options", [STRING, OBJECT], ARRAY),
  spec("crypto.x509.parse_certificate_request", [STRING], OBJECT),
  spec("crypto.x509.parse_keypair", [STRING, STRING], OBJECT),
  spec("crypto.x509.parse_rsa_private_key", [STRING], OBJECT),
  spec("crypto.parse_private_keys", [STRING], ARRAY),
  // JSON Web Tokens: the verify_* builtins take a PEM certificate or key, or a JWK (set).
  spec("io.jwt.decode", [STRING], ARRAY),
  spec("io.jwt.decode_verify", [STRING, OBJECT], ARRAY),
  spec("io.jwt.encode_sign", [OBJECT, OBJECT, OBJECT], STRING),
  spec("io.jwt.encode_sign_raw", [STRING, STRING, STRING], STRING),
  ..."rs256 rs384 rs512 ps256 ps384 ps512 es256 es384 es512 eddsa hs256 hs384 hs512"
    .split(" ")
    .map((alg) => spec(`io.jwt.verify_${alg}`, [STRING, STRING], BOOLEAN)),
  // Rego itself.
  spec("rego.metadata.rule", [], ANY),
  spec("rego.metadata.chain", [], ARRAY),
  /**
   * `print(a, b, ...)` is variadic in Rego; the compile stage rewrites it, as OPA does, to
   * `internal.print([{x | x = a}, {x | x = b}])` so an undefined argument prints instead of
   * stopping the rule. The printed line goes to the SDK's `opa_println`.
   */
  spec("internal.print", [ARRAY], undefined),
];

export const BUILTINS: ReadonlyMap<string, BuiltinSpec> = new Map(
  SPECS.map((entry) => [entry.name, entry]),
);

/** `print` is variadic and is rewritten before any other check sees it. */
export const PRINT = "print";

/**
 * OPA v1's builtins Tollgate does not provide (OPA's ast.DefaultBuiltins, less the deprecated
 * ones v1 refuses too): a call to one is a `rego_type_error` that says so, rather than
 * "undefined function", so a policy author knows it is a deliberate limit.
 */
export const UNSUPPORTED_OPA_BUILTINS: ReadonlySet<string> = new Set(
  [
    "rand.intn",
    "graphql.parse graphql.parse_and_verify graphql.parse_query graphql.parse_schema",
    "graphql.is_valid graphql.schema_is_valid",
    "http.send net.lookup_ip_addr",
    "providers.aws.sign_req opa.runtime rego.parse_module trace uuid.rfc4122",
  ].flatMap((line) => line.split(" ")),
);

export type CallShape =
  | { kind: "call"; spec: BuiltinSpec }
  /** The older output-argument form: `count(xs, n)` means `n = count(xs)`. */
  | { kind: "output"; spec: BuiltinSpec }
  | { kind: "arity"; spec: BuiltinSpec }
  | { kind: "unsupported" }
  | { kind: "unknown" };

/** How a call of `name` with `argCount` arguments reads against the catalog. */
export function classifyBuiltinCall(name: string, argCount: number): CallShape {
  const found = BUILTINS.get(name);
  if (!found)
    return UNSUPPORTED_OPA_BUILTINS.has(name) ? { kind: "unsupported" } : { kind: "unknown" };
  if (argCount === found.args.length && !found.relation) return { kind: "call", spec: found };
  if (argCount === found.args.length + 1 && found.result !== undefined)
    return { kind: "output", spec: found };
  return { kind: "arity", spec: found };
}
