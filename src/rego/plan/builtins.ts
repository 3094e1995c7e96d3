// Arities of the builtins Tollgate's compiler knows, by Rego name. The planner needs them to
// declare the builtins a policy calls and to recognise the old output-argument call form
// (`count(xs, n)` means `n = count(xs)`).

const arities: Record<string, number> = {
  plus: 2, minus: 2, mul: 2, div: 2, rem: 2,
  equal: 2, neq: 2, lt: 2, lte: 2, gt: 2, gte: 2,
  and: 2, or: 2,
  abs: 1, round: 1, ceil: 1, floor: 1,
  count: 1, sum: 1, max: 1, min: 1, sort: 1,
  concat: 2, contains: 2, startswith: 2, endswith: 2, lower: 1, upper: 1, split: 2, replace: 3,
  trim: 2, trim_prefix: 2, trim_suffix: 2, trim_left: 2, trim_right: 2, trim_space: 1,
  sprintf: 2, format_int: 2, indexof: 2, substring: 3, "strings.any_prefix_match": 2,
  to_number: 1,
  is_string: 1, is_number: 1, is_boolean: 1, is_array: 1, is_object: 1, is_set: 1, is_null: 1,
  type_name: 1,
  "object.get": 3, "object.keys": 1, "object.union": 2, "object.remove": 2, "object.filter": 2,
  "array.concat": 2, "array.slice": 3,
  union: 1, intersection: 1,
  "regex.match": 2, "glob.match": 3,
  "net.cidr_contains": 2, "net.cidr_intersects": 2,
  "json.marshal": 1, "json.unmarshal": 1, "yaml.unmarshal": 1,
  "base64.encode": 1, "base64.decode": 1,
  "rego.metadata.rule": 0, "rego.metadata.chain": 0,
  "internal.member_2": 2, "internal.print": 1, "internal.member_3": 3,
  walk: 1,
};

/** The declared arity of a known builtin, or undefined for a name the compiler does not know. */
export function builtinArity(name: string): number | undefined {
  return Object.hasOwn(arities, name) ? arities[name] : undefined;
}
