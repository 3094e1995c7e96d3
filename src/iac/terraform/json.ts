// JSON as Terraform and the AWS provider write it (Go's encoding/json: sorted keys, HTML-safe
// escapes, two-space indent). Hand-written because JSON.stringify neither sorts keys nor escapes
// `<>&` like Go. Reading JSON with positions (policy strings, tfvars) is ../json's.
import { isUnknown, type Value } from "../../model/types.js";
import { EvaluationError, formatNumber, isObject, sortedKeys } from "./values.js";

/** Nesting allowed when reading JSON held in strings and `.tfvars.json` files. */
export const MAX_JSON_DEPTH = 256;

const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/** Go's string escaping: JSON.stringify plus `<`, `>`, `&`, U+2028 and U+2029 as \u escapes. */
export function quoteJson(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

export interface MarshalOptions {
  /** Indent unit (Go's MarshalIndent); compact when omitted. */
  indent?: string;
  /** Keep object keys in insertion order (Go structs) instead of sorting them (Go maps, cty objects). */
  keepKeyOrder?: boolean;
}

/**
 * Serialises a value the Go way. An unknown inside stays visible as `{"$unknown": "..."}` so a
 * document with one unknowable leaf still shows every known part to policies.
 */
export function marshalJson(value: Value, options: MarshalOptions = {}): string {
  return write(value, options, "");
}

function write(value: Value, options: MarshalOptions, prefix: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return quoteJson(value);
  if (typeof value === "number") {
    // cty's JSON writes numbers as its strings do, and fails on an infinity.
    if (!Number.isFinite(value))
      throw new EvaluationError("cannot serialize infinity as JSON", "terraform-argument", true);
    return formatNumber(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = options.indent === undefined ? "" : prefix + options.indent;
  const open = options.indent === undefined ? "" : "\n" + inner;
  const close = options.indent === undefined ? "" : "\n" + prefix;
  const separator = options.indent === undefined ? "," : ",\n" + inner;
  const colon = options.indent === undefined ? ":" : ": ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return (
      "[" + open + value.map((item) => write(item, options, inner)).join(separator) + close + "]"
    );
  }
  if (isUnknown(value))
    return "{" + open + quoteJson("$unknown") + colon + quoteJson(value.$unknown) + close + "}";
  if (!isObject(value)) return "null";
  const keys = options.keepKeyOrder ? Object.keys(value) : sortedKeys(value);
  if (keys.length === 0) return "{}";
  const members = keys.map(
    (key) => quoteJson(key) + colon + write(value[key] as Value, options, inner),
  );
  return "{" + open + members.join(separator) + close + "}";
}
