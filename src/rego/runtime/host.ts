// Rego builtins that run in the host (JavaScript) rather than in Wasm: the text-heavy ones
// where a JS library already has the exact semantics (RE2 via re2js, YAML via yaml) or where
// Unicode handling is simpler in JS. Arguments and results cross as JSON; sets arrive tagged
// as {"__tollgate_set__": [...]} and leave the same way, so they survive the trip.
import { hostWireName } from "./builtins.js";
import { hostDefinitions } from "./host-functions.js";
import {
  OperandTypeError,
  RegoNumber,
  RegoSet,
  type HostFunction,
  type HostValue,
} from "./host-value.js";

const SET_TAG = "__tollgate_set__";
const NUMBER_TAG = "__tollgate_number__";
const ERROR_TAG = "__tollgate_error__";
const TYPE_ERROR_TAG = "__tollgate_type_error__";

function decode(json: unknown): HostValue {
  if (Array.isArray(json)) return json.map(decode);
  if (json !== null && typeof json === "object") {
    const entries = Object.entries(json);
    const only = entries.length === 1 ? entries[0] : undefined;
    if (only && only[0] === SET_TAG && Array.isArray(only[1]))
      return new RegoSet(only[1].map(decode));
    if (only && only[0] === NUMBER_TAG && typeof only[1] === "string")
      return new RegoNumber(only[1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, decode(v)]));
  }
  return json as HostValue;
}

function encode(value: HostValue): unknown {
  if (value instanceof RegoSet) return { [SET_TAG]: value.elements.map(encode) };
  if (value instanceof RegoNumber) return { [NUMBER_TAG]: value.text };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

/**
 * Wraps a builtin so a thrown error comes back as {"__tollgate_error__": message} (or
 * "__tollgate_type_error__" for an operand of the wrong type), which the runtime turns into a
 * located eval_builtin_error (eval_type_error) rather than a JS exception through Wasm.
 */
function guarded(name: string, fn: HostFunction): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    try {
      const result = fn(...args.map(decode));
      return result === undefined ? undefined : encode(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        [error instanceof OperandTypeError ? TYPE_ERROR_TAG : ERROR_TAG]: `${name}: ${message}`,
      };
    }
  };
}

/** Host builtins by the name they cross under (hostWireName): loadPolicy's 3rd argument. */
export const hostBuiltins: Readonly<Record<string, (...args: unknown[]) => unknown>> =
  Object.fromEntries(
    Object.entries(hostDefinitions).map(([name, d]) => [hostWireName(name), guarded(name, d.fn)]),
  );

/** Arity of each host builtin by its Rego name. */
export const hostBuiltinArity: ReadonlyMap<string, number> = new Map(
  Object.entries(hostDefinitions).map(([name, d]) => [name, d.arity]),
);
