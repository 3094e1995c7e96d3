// Terraform's value semantics over the model's plain `Value`: type names, conversions, equality
// and unknown propagation. Every evaluator stage uses these so a value is converted one way only.
import { isUnknown, type UnknownValue, type Value } from "../../model/types.js";
import { carriedText } from "./numbers.js";

export type ValueObject = { [key: string]: Value };

/** Raised inside evaluation for a Terraform type or argument error; callers turn it into a located `LoadError`. */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly code: string = "terraform-evaluation",
    /** Terraform fails its plan on the same values too (`LoadError.failsPlan`). */
    readonly failsPlan = false,
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

/**
 * Terraform's number-to-string conversion, cty's big.Float.Text('f', -1): the shortest digits
 * that read back as the number, never with an exponent (`1e21` is 1000000000000000000000,
 * `1e-7` is 0.0000001); an infinity `+Inf` or `-Inf`, a negative zero `-0`.
 */
export function formatNumber(value: number): string {
  if (value === Infinity) return "+Inf";
  // cty's numbers keep the sign of a zero (`0 * -1` is -0), and its string writes it.
  if (Object.is(value, -0)) return "-0";
  if (value === -Infinity) return "-Inf";
  const shortest = String(value);
  const at = shortest.indexOf("e");
  if (at === -1) return shortest;
  const sign = shortest.startsWith("-") ? "-" : "";
  const [whole = "", fraction = ""] = shortest.slice(sign.length, at).split(".");
  const digits = whole + fraction;
  const point = whole.length + Number(shortest.slice(at + 1));
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Converts a primitive to string as Terraform's automatic conversion does; collections are a type error. */
export function toStringValue(value: Value, what = "value"): string | UnknownValue {
  const carried = carriedText(value);
  if (carried !== undefined) return carried;
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

const DECIMAL_NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * The decimal `text` writes, as cty reads a string (big.ParseFloat, base 10: no spaces, hex or
 * binary) and writes it as a literal would be (`+1.5` is 1.5, `.5` 0.5); undefined if none.
 */
export function decimalLiteral(text: string): string | undefined {
  if (!DECIMAL_NUMBER.test(text)) return undefined;
  const unsigned = text.replace(/^[+-]/, "");
  return (text.startsWith("-") ? "-" : "") + (unsigned.startsWith(".") ? "0" : "") + unsigned;
}

export function toNumberValue(value: Value, what = "value"): number | UnknownValue {
  if (isUnknown(value)) return value;
  if (typeof value === "number") return value;
  // cty reads a decimal number as written, without spaces, hex or binary (big.ParseFloat, base 10).
  if (typeof value === "string" && DECIMAL_NUMBER.test(value) && Number.isFinite(Number(value)))
    return Number(value);
  throw new EvaluationError(
    `${what} is ${describe(value)}; a number is required`,
    "terraform-type",
  );
}

export function toBoolValue(value: Value, what = "value"): boolean | UnknownValue {
  if (isUnknown(value)) return value;
  if (typeof value === "boolean") return value;
  // cty's string to bool conversion takes "1" and "0" too.
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
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

/**
 * Removes duplicates keeping first occurrences, as Terraform sets of primitives do after sorting,
 * once the elements are unified into one type (`unifiedPrimitives`): `3` and `"3"` are one.
 */
export function distinctValues(values: readonly Value[], kind: "list" | "set"): Value[] {
  const unified = unifiedPrimitives(values, kind);
  const first = firstIndexOf(unified);
  return unified.filter((value, i) => first(value) === i);
}

/**
 * Elements as a Terraform list, set or map (`kind`) of one element type holds them. cty unifies
 * mixed primitives to the one element type all of them convert to: with a string among them,
 * numbers and bools become strings (`toset(["a", 3])` is `["3", "a"]`, Terraform's documentation);
 * numbers and bools alone have none, as neither converts to the other, and Terraform fails.
 * Anything else, or elements of one type, is given back as it is (the same array).
 */
export function unifiedPrimitives<T extends readonly Value[]>(
  values: T,
  kind: "list" | "set" | "map",
): T | string[] {
  let type: string | undefined;
  let mixed = false;
  let string = false;
  for (const value of values) {
    const of = typeof value;
    if (value === null || (of !== "string" && of !== "number" && of !== "boolean")) return values;
    mixed ||= type !== undefined && type !== of;
    string ||= of === "string";
    type = of;
  }
  if (!mixed) return values;
  if (!string)
    throw new EvaluationError(
      `all ${kind} elements must have the same type: numbers and bools do not convert to each other`,
      "terraform-type",
      true,
    );
  return values.map((value) => toStringValue(value) as string);
}

/**
 * A look-up of the index of the first element of `values` equal (`valuesEqual`) to a value, or
 * -1: made in one pass over what `values` holds, so a set of 100,000 strings costs that, not
 * the 5,000,000,000 comparisons of each element with every other (`toset`, `distinct`, set
 * operations, and their origins, read every element against every other). No value holds NaN
 * (the arithmetic and functions that would make one fail, as Terraform's do), and 0 and -0 are one
 * key, as `==` has them.
 */
export function firstIndexOf(values: readonly Value[]): (value: Value) => number {
  const keys = new ValueKeys();
  // Primitives by themselves, collections by their keys: apart, as a string may read as a key.
  const primitives = new Map<Value, number>();
  const collections = new Map<string, number>();
  const indexOf = (value: Value): [Map<Value, number>, Value] =>
    typeof value === "object" && value !== null
      ? [collections as Map<Value, number>, keys.of(value)]
      : [primitives, value];
  values.forEach((value, i) => {
    const [index, key] = indexOf(value);
    if (!index.has(key)) index.set(key, i);
  });
  return (value) => {
    const [index, key] = indexOf(value);
    return index.get(key) ?? -1;
  };
}

/**
 * Keys for values, equal exactly when the values are (`valuesEqual`): a primitive is its own
 * key, a collection's is made of its elements' (an object's by sorted key), each string written
 * as a number so a long string held many times is not copied into every key. A collection's key
 * is kept, so a part shared by many values is keyed once.
 */
class ValueKeys {
  private readonly strings = new Map<string, number>();
  private readonly collections = new WeakMap<object, string>();

  /** The key of a list, set, map or object. */
  of(value: object): string {
    const kept = this.collections.get(value);
    if (kept !== undefined) return kept;
    const part = (element: Value): string =>
      typeof element === "string"
        ? `s${this.string(element)}`
        : typeof element === "object" && element !== null
          ? this.of(element)
          : typeof element === "number"
            ? `n${element}`
            : String(element);
    const key = Array.isArray(value)
      ? `[${value.map(part).join(",")}]`
      : `{${Object.keys(value)
          .sort()
          .map((name) => `${this.string(name)}:${part((value as ValueObject)[name] as Value)}`)
          .join(",")}}`;
    this.collections.set(value, key);
    return key;
  }

  private string(text: string): number {
    let id = this.strings.get(text);
    if (id === undefined) this.strings.set(text, (id = this.strings.size));
    return id;
  }
}

/** `toset` orders strings lexically and numbers numerically, as cty sets iterate. */
export function toSetValue(values: readonly Value[]): Value[] {
  const distinct = distinctValues(values, "set");
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
