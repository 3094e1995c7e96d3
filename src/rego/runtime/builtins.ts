// Which Rego builtins Tollgate can run and where each one lives: natively in the Wasm runtime
// (an export `b_<name with dots as underscores>`) or as a host function in host.ts, called
// through the SDK's `opa_builtinN` imports. The emitter and the conformance runner read this.

export interface NativeBuiltin {
  /** The runtime export implementing it. */
  exportName: string;
  arity: number;
}

const native: Record<string, number> = {
  plus: 2,
  minus: 2,
  mul: 2,
  div: 2,
  rem: 2,
  abs: 1,
  round: 1,
  ceil: 1,
  floor: 1,
  equal: 2,
  neq: 2,
  lt: 2,
  lte: 2,
  gt: 2,
  gte: 2,
  and: 2,
  or: 2,
  union: 1,
  intersection: 1,
  count: 1,
  sum: 1,
  product: 1,
  max: 1,
  min: 1,
  sort: 1,
  type_name: 1,
  is_null: 1,
  is_boolean: 1,
  is_number: 1,
  is_string: 1,
  is_array: 1,
  is_object: 1,
  is_set: 1,
  to_number: 1,
  startswith: 2,
  endswith: 2,
  contains: 2,
  trim_prefix: 2,
  trim_suffix: 2,
  concat: 2,
  "strings.any_prefix_match": 2,
  "object.get": 3,
  "object.keys": 1,
  "object.union": 2,
  "object.remove": 2,
  "object.filter": 2,
  "array.concat": 2,
  "array.slice": 3,
  "internal.member_2": 2,
  "internal.member_3": 3,
  "json.marshal": 1,
  "json.unmarshal": 1,
  "json.is_valid": 1,
  print: 1,
  "internal.print": 1,
  walk: 1,
};

export const nativeBuiltins: ReadonlyMap<string, NativeBuiltin> = new Map(
  Object.entries(native).map(([name, arity]) => [
    name,
    { exportName: `b_${name.replace(/\./g, "_")}`, arity },
  ]),
);

/**
 * The SDK's own JavaScript builtins win over custom ones of the same name (FACTS.md), so a host
 * builtin with one of these names crosses the boundary as `tollgate.<name>`.
 */
const sdkOwned = new Set([
  "sprintf",
  "regex.split",
  "json.is_valid",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
]);

/** The name a host builtin is registered under in `hostBuiltins` and the `builtins` export. */
export function hostWireName(regoName: string): string {
  return sdkOwned.has(regoName) ? `tollgate.${regoName}` : regoName;
}
