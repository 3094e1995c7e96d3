// Reading and writing host builtin operands: type checks that raise OPA's operand errors, exact
// integers for numbers a double cannot hold (nanosecond timestamps, byte counts), and a key by
// which two Rego values compare equal, for host builtins that build sets or look values up.
import { OperandTypeError, RegoNumber, RegoSet, type HostValue } from "./host-value.js";

export function typeName(v: HostValue | undefined): string {
  if (v === null) return "null";
  if (v instanceof RegoSet) return "set";
  if (v instanceof RegoNumber) return "number";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v === "undefined" ? "undefined" : typeof v;
}

export function str(v: HostValue | undefined, what: string): string {
  if (typeof v !== "string")
    throw new OperandTypeError(`operand ${what} must be string but got ${typeName(v)}`);
  return v;
}

export function num(v: HostValue | undefined, what: string): number {
  if (v instanceof RegoNumber) return Number(v.text);
  if (typeof v !== "number")
    throw new OperandTypeError(`operand ${what} must be number but got ${typeName(v)}`);
  return v;
}

export function integer(v: HostValue | undefined, what: string): number {
  const n = num(v, what);
  if (!Number.isSafeInteger(n))
    throw new OperandTypeError(
      `operand ${what} must be integer number but got floating-point number`,
    );
  return n;
}

export function array(v: HostValue | undefined, what: string): HostValue[] {
  if (!Array.isArray(v))
    throw new OperandTypeError(`operand ${what} must be array but got ${typeName(v)}`);
  return v;
}

export function isObject(v: HostValue | undefined): v is { [key: string]: HostValue } {
  return typeName(v) === "object";
}

export const runes = (s: string): string[] => Array.from(s);

/** A number's exact value as `coefficient * 10^exponent`, or undefined for text that is no number. */
export function decimal(text: string): { coefficient: bigint; exponent: number } | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  if (whole === "" && fraction === "") return undefined;
  const magnitude = BigInt(whole + fraction || "0");
  return {
    coefficient: sign === "-" ? -magnitude : magnitude,
    exponent: Number(exponent) - fraction.length,
  };
}

/** The number as an exact integer, or undefined when it has a fractional part. */
export function exactInteger(v: HostValue | undefined, what: string): bigint | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : undefined;
  if (!(v instanceof RegoNumber))
    throw new OperandTypeError(`operand ${what} must be number but got ${typeName(v)}`);
  const parts = decimal(v.text);
  if (parts === undefined) return undefined;
  const { coefficient, exponent } = parts;
  if (exponent >= 0) return exponent > 400 ? undefined : coefficient * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return coefficient % divisor === 0n ? coefficient / divisor : undefined;
}

/** An integer result: a double when it holds it exactly, otherwise exact text. */
export function integerValue(n: bigint): HostValue {
  return n >= -BigInt(Number.MAX_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : new RegoNumber(n.toString());
}

/** Elements of an array or a set operand. */
export function elements(v: HostValue | undefined, what: string, expected: string): HostValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RegoSet) return v.elements;
  throw new OperandTypeError(`operand ${what} must be one of {${expected}} but got ${typeName(v)}`);
}

function numberKey(text: string): string {
  const parts = decimal(text);
  if (parts === undefined) return `n${text}`;
  let { coefficient, exponent } = parts;
  if (coefficient === 0n) return "n0";
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent++;
  }
  return `n${coefficient}e${exponent}`;
}

/** Equal for equal Rego values (1 and 1.0, sets in any order, objects in any key order). */
export function valueKey(v: HostValue): string {
  if (v === null) return "z";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number") return numberKey(String(v));
  if (v instanceof RegoNumber) return numberKey(v.text);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueKey).join(",")}]`;
  if (v instanceof RegoSet) return `<${[...new Set(v.elements.map(valueKey))].sort().join(",")}>`;
  const entries = Object.entries(v).map(([k, item]) => `${JSON.stringify(k)}:${valueKey(item)}`);
  return `{${entries.sort().join(",")}}`;
}
