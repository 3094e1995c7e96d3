// Terraform's value semantics over the model's plain `Value`: type names, conversions, equality
// and unknown propagation. Every evaluator stage uses these so a value is converted one way only.
import { isUnknown, type UnknownValue, type Value } from "../../model/types.js";

export type ValueObject = { [key: string]: Value };

/** Raised inside evaluation for a Terraform type or argument error; callers turn it into a located `LoadError`. */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly code: string = "terraform-evaluation",
  ) {
    // These are values (`try` and `can` throw and catch them routinely); a stack trace would be
    // most of their cost and is never shown.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export function isObject(value: Value): value is ValueObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/** The first unknown found in the arguments, so a result can say where its unknown came from. */
export function firstUnknown(values: readonly Value[]): UnknownValue | undefined {
  for (const value of values) {
    if (isUnknown(value)) return value;
  }
  return undefined;
}

function typeName(value: Value): string {
  if (value === null) return "null";
  if (isUnknown(value)) return "unknown";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "object";
  return typeof value;
}

/** Terraform's number-to-string conversion: integers without a fraction, others shortest round-trip. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  return String(value);
}

/** Converts a primitive to string as Terraform's automatic conversion does; collections are a type error. */
export function toStringValue(value: Value, what = "value"): string | UnknownValue {
  if (isUnknown(value)) return value;
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null)
    throw new EvaluationError(`${what} is null; a string is required`, "terraform-type");
  throw new EvaluationError(
    `${what} is a ${typeName(value)}; a string is required`,
    "terraform-type",
  );
}

export function toNumberValue(value: Value, what = "value"): number | UnknownValue {
  if (isUnknown(value)) return value;
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  throw new EvaluationError(
    `${what} is ${describe(value)}; a number is required`,
    "terraform-type",
  );
}

export function toBoolValue(value: Value, what = "value"): boolean | UnknownValue {
  if (isUnknown(value)) return value;
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new EvaluationError(`${what} is ${describe(value)}; a bool is required`, "terraform-type");
}

/** Lists, tuples and sets are all arrays here; objects and maps convert to their values only where Terraform does. */
export function toListValue(value: Value, what = "value"): Value[] | UnknownValue {
  if (isUnknown(value)) return value;
  if (Array.isArray(value)) return value;
  throw new EvaluationError(`${what} is ${describe(value)}; a list is required`, "terraform-type");
}

export function toObjectValue(value: Value, what = "value"): ValueObject | UnknownValue {
  if (isUnknown(value)) return value;
  if (isObject(value)) return value;
  throw new EvaluationError(
    `${what} is ${describe(value)}; a map or object is required`,
    "terraform-type",
  );
}

export function describe(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(truncate(value))}`;
  if (typeof value === "number" || typeof value === "boolean")
    return `the ${typeof value} ${String(value)}`;
  return `a ${typeName(value)}`;
}

function truncate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

/** Terraform `==`: structural, with no conversion between types (`1 == "1"` is false). */
export function valuesEqual(left: Value, right: Value): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return (
      left.length === right.length && left.every((item, i) => valuesEqual(item, right[i] as Value))
    );
  }
  if (isObject(left) && isObject(right)) {
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    return keys.every(
      (key) => key in right && valuesEqual(left[key] as Value, right[key] as Value),
    );
  }
  return false;
}

/**
 * Whether the two values may turn out equal once every unknown in them is known: they are equal
 * but for unknowns, which may be anything.
 */
export function mayBeEqual(left: Value, right: Value): boolean {
  if (isUnknown(left) || isUnknown(right)) return true;
  if (Array.isArray(left) && Array.isArray(right))
    return (
      left.length === right.length && left.every((item, i) => mayBeEqual(item, right[i] as Value))
    );
  if (isObject(left) && isObject(right)) {
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    return keys.every((key) => key in right && mayBeEqual(left[key] as Value, right[key] as Value));
  }
  return valuesEqual(left, right);
}

/** Removes duplicates keeping first occurrences, as Terraform sets of primitives do after sorting. */
export function distinctValues(values: readonly Value[]): Value[] {
  const result: Value[] = [];
  for (const value of values) {
    if (!result.some((seen) => valuesEqual(seen, value))) result.push(value);
  }
  return result;
}

/** `toset` orders strings lexically and numbers numerically, as cty sets iterate. */
export function toSetValue(values: readonly Value[]): Value[] {
  const distinct = distinctValues(values);
  if (distinct.every((v) => typeof v === "string")) return [...distinct].sort(compareStrings);
  if (distinct.every((v) => typeof v === "number"))
    return [...distinct].sort((a, b) => (a as number) - (b as number));
  return distinct;
}

export function compareStrings(a: Value, b: Value): number {
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function sortedKeys(object: ValueObject): string[] {
  return Object.keys(object).sort(compareStrings);
}
