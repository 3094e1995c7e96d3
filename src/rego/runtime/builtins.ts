// Where each Rego builtin runs: natively in the Wasm runtime (export `b_<name, dots as
// underscores>`) or as a host function in host.ts through the SDK's `opa_builtinN` imports, or
// natively with the host function behind it for what the runtime leaves to it (the regex
// builtins, for patterns their engine does not implement). Names and arities are the catalog's;
// the emitter reads this.
import { BUILTINS } from "../builtins/catalog.js";

export interface NativeBuiltin {
  /** The runtime export implementing it. */
  exportName: string;
  arity: number;
  /** The runtime may return NATIVE_FALLBACK: the emitted code then calls the host builtin. */
  hostFallback: boolean;
}

/** What a native builtin with `hostFallback` returns to pass the call to the host (not a value). */
export const NATIVE_FALLBACK = 1;

const withHostFallback = new Set([
  "regex.match",
  "regex.replace",
  "regex.split",
  "regex.find_n",
  "regex.find_all_string_submatch_n",
  "regex.is_valid",
]);

/** The builtins the Wasm runtime implements natively; their arities are the catalog's. */
const native = (
  "plus minus mul div rem abs round ceil floor equal neq lt lte gt gte and or union " +
  "intersection count sum max min sort type_name is_null is_boolean is_number is_string " +
  "is_array is_object is_set to_number startswith endswith contains trim_prefix " +
  "trim_suffix concat strings.any_prefix_match object.get object.keys object.union " +
  "object.remove object.filter array.concat array.slice internal.member_2 " +
  "internal.member_3 json.marshal json.unmarshal json.is_valid internal.print walk product " +
  "lower upper split replace indexof strings.count substring trim trim_left trim_right " +
  "trim_space format_int numbers.range object.union_n sprintf " +
  "net.cidr_contains net.cidr_intersects glob.match regex.match regex.replace regex.split " +
  "regex.find_n regex.find_all_string_submatch_n regex.is_valid"
).split(" ");

export const nativeBuiltins: ReadonlyMap<string, NativeBuiltin> = new Map(
  native.map((name) => [
    name,
    {
      exportName: `b_${name.replace(/\./g, "_")}`,
      arity: catalogArity(name),
      hostFallback: withHostFallback.has(name),
    },
  ]),
);

function catalogArity(name: string): number {
  const spec = BUILTINS.get(name);
  if (spec === undefined) throw new Error(`native builtin ${name} is not in the catalog`);
  return spec.args.length;
}

/**
 * The SDK's own JavaScript builtins win over custom ones of the same name (FACTS.md), so a host
 * builtin with one of these names crosses the boundary as `tollgate.<name>`.
 */
const sdkOwned = new Set([
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

/**
 * Builtins whose value is fixed for one evaluation, as OPA reads the clock once per query: the
 * emitter calls the host once per `opa_eval` and reuses the value.
 */
export const perEvaluationBuiltins: ReadonlySet<string> = new Set(["time.now_ns"]);
