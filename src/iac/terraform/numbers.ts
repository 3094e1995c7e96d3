// Terraform's arithmetic as cty computes it: numbers are Go big.Floats of 512 bits, a literal
// the nearest one to its decimal (big.ParseFloat, ToNearestEven), each operation rounded to 512
// bits, and written back with Text('f', -1). Tollgate's numbers are float64s: a float64 stands
// for the 512-bit number its shortest decimal parses to (as the literal it came from does). A
// number no float64 stands for (`0.3 + 0.6` is 0.9000…0004, `1 / 3`, `9007199254740993`) is an
// unknown that carries its 512-bit number: comparisons, arithmetic and its string use that number,
// as Terraform's do; anything else (policies, other functions) sees an unknown, never a rounded
// number a decision could go wrong on.
import { isUnknown, unknown, type UnknownValue, type Value } from "../../model/types.js";

/** cty's precision: every number it parses and computes has 512 bits of mantissa. */
const PRECISION = 512;

/** A binary float `mantissa × 2^exponent`, its mantissa at most PRECISION bits. */
interface BinaryNumber {
  mantissa: bigint;
  exponent: number;
}

export type ArithmeticOperator = "+" | "-" | "*" | "/" | "%";

/** The 512-bit numbers that no float64 stands for, on the unknowns that carry them. */
const carried = new WeakMap<UnknownValue, BinaryNumber>();

/** A number Terraform holds as it is: a float64, or an unknown carrying its 512-bit number. */
export type TerraformNumber = number | UnknownValue;

/** Whether `value` is a number Terraform holds that no float64 stands for. */
export function isCarriedNumber(value: Value): value is UnknownValue {
  return isUnknown(value) && carried.has(value);
}

/**
 * `a op b` as cty computes it, where both are numbers, at least one finite float64s' or carried;
 * undefined where either is not a number, or an infinity is in it (Tollgate's float64 arithmetic
 * computes those), or it divides by zero. `written` is the expression, the carried unknown's text.
 */
export function exactArithmetic(
  op: ArithmeticOperator,
  a: Value,
  b: Value,
  written: string,
): TerraformNumber | undefined {
  const left = binaryOfValue(a);
  const right = binaryOfValue(b);
  if (left === undefined || right === undefined) return undefined;
  if ((op === "/" || op === "%") && right.mantissa === 0n) return undefined;
  // Integers a float64 holds, and a result it holds too, are exact already.
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && op !== "/") {
    const [x, y] = [a as number, b as number];
    const native = op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : x % y;
    // A remainder of zero is +0 unless the dividend is the zero (`-5 % 5` is 0, `-0 % 5` -0).
    if (Number.isSafeInteger(native)) return op === "%" && x !== 0 ? native + 0 : native;
  }
  const result = terraformNumber(operate(op, left, right), written);
  // A zero product or quotient has the sign of its operands' signs together (`0 / -5` is -0).
  if (result === 0 && (op === "*" || op === "/") && negative(a, left) !== negative(b, right))
    return -0;
  return result;
}

/** Whether `value` (whose 512-bit number is `number`) is below zero or the zero -0. */
function negative(value: Value, number: BinaryNumber): boolean {
  return Object.is(value, -0) || number.mantissa < 0n;
}

/** `sum(values)` as cty's SumFunc adds, left to right, each sum rounded to 512 bits. */
export function exactSum(values: readonly number[], written: string): TerraformNumber {
  if (values.some((value) => !Number.isFinite(value)))
    return values.reduce((total, value) => total + value, 0);
  let total: BinaryNumber = { mantissa: 0n, exponent: 0 };
  for (const value of values) total = add(total, binaryOf(value));
  // Zeros add to -0 only where every one is -0 (`sum([-0])` is -0), as IEEE and cty's sums have it.
  if (values.length > 0 && values.every((value) => Object.is(value, -0))) return -0;
  return terraformNumber(total, written);
}

/** `-value`, a float64 or carried; `written` is the expression, the carried unknown's text. */
export function negated(value: TerraformNumber, written: string): TerraformNumber {
  if (typeof value === "number") return -value;
  const number = carried.get(value);
  if (number === undefined) return unknown(written);
  return terraformNumber({ mantissa: -number.mantissa, exponent: number.exponent }, written);
}

/**
 * How `a` compares with `b` (-1, 0, 1), numbers as cty compares them, where both are finite
 * float64s or carried; undefined otherwise. Equal is cty's Equals: the same 512-bit number.
 */
export function compareNumbers(a: Value, b: Value): -1 | 0 | 1 | undefined {
  const left = binaryOfValue(a);
  const right = binaryOfValue(b);
  if (left === undefined || right === undefined) return undefined;
  const difference = add(left, { mantissa: -right.mantissa, exponent: right.exponent }).mantissa;
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/** The string Terraform writes for a carried number (Text('f', -1)); undefined for any other value. */
export function carriedText(value: Value): string | undefined {
  const number = isUnknown(value) ? carried.get(value) : undefined;
  return number === undefined ? undefined : text(number);
}

/**
 * The number the literal `raw` writes, whose float64 is `value`: where the float64 does not stand
 * for it (`9007199254740993`, `0.10000000000000000001`, `1e400`), the unknown carrying it, named
 * `written` (the literal, or the expression that read it from a string).
 */
export function literalNumber(raw: string, value: number, written = raw.trim()): TerraformNumber {
  if (!/^-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$/.test(raw.trim())) return value;
  return terraformNumber(parseLiteral(raw), written);
}

/**
 * cty's string of `left op right`, two number literals, Text('f', -1): the shortest decimal
 * that parses back to the 512-bit result, never an exponent (`tostring(0.3 + 0.6)` is 0.9 and
 * 154 more digits).
 */
export function terraformText(left: string, op: ArithmeticOperator, right: string): string {
  return text(operate(op, parseLiteral(left), parseLiteral(right)));
}

function parseLiteral(raw: string): BinaryNumber {
  const written = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw.trim());
  if (!written) throw new Error(`not a number literal: ${raw}`);
  const [, sign = "", whole = "", fraction = "", power = "0"] = written;
  return parseDecimal(BigInt(sign + whole + fraction), Number(power) - fraction.length);
}

/** The float64 that stands for `number`, or else the unknown carrying it. */
function terraformNumber(number: BinaryNumber, written: string): TerraformNumber {
  // The float64 nearest the number is the one that may stand for it: found from its top bits
  // (cheap), or, where that misses by a rounding, from its decimal.
  for (const candidate of [nearFloat64(number), () => Number(text(number))]) {
    const value = typeof candidate === "function" ? candidate() : candidate;
    if (Number.isFinite(value) && same(binaryOf(value), number)) return value === 0 ? 0 : value;
  }
  const value = unknown(written);
  carried.set(value, number);
  return value;
}

/** A float64 near `number`, within a rounding of the nearest. */
function nearFloat64({ mantissa, exponent }: BinaryNumber): number {
  const drop = Math.max(0, bitLength(mantissa) - 64);
  return Number(mantissa >> BigInt(drop)) * 2 ** (exponent + drop);
}

/** The 512-bit number of a finite float64 or a carried unknown. */
function binaryOfValue(value: Value): BinaryNumber | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? binaryOf(value) : undefined;
  return isUnknown(value) ? carried.get(value) : undefined;
}

/** `value`'s 512-bit number compared with `other`'s, by cty's Equals: the same number. */
function same(a: BinaryNumber, b: BinaryNumber): boolean {
  return a.mantissa === b.mantissa && a.exponent === b.exponent;
}

function operate(op: ArithmeticOperator, a: BinaryNumber, b: BinaryNumber): BinaryNumber {
  switch (op) {
    case "+":
      return add(a, b);
    case "-":
      return add(a, { mantissa: -b.mantissa, exponent: b.exponent });
    case "*":
      return round(a.mantissa * b.mantissa, a.exponent + b.exponent);
    case "/":
      return divide(a, b);
    case "%": {
      // cty's Modulo: the quotient rounded, truncated toward zero, times the divisor, taken from
      // the dividend, each step rounded to 512 bits.
      if (b.mantissa === 0n) return a;
      const quotient = divide(a, b);
      const whole =
        quotient.exponent >= 0
          ? quotient.mantissa << BigInt(quotient.exponent)
          : quotient.mantissa / (1n << BigInt(-quotient.exponent));
      const truncated = round(whole, 0);
      const product = round(b.mantissa * truncated.mantissa, b.exponent + truncated.exponent);
      return add(a, { mantissa: -product.mantissa, exponent: product.exponent });
    }
  }
}

function add(a: BinaryNumber, b: BinaryNumber): BinaryNumber {
  if (a.mantissa === 0n) return b;
  if (b.mantissa === 0n) return a;
  const exponent = Math.min(a.exponent, b.exponent);
  return round(
    (a.mantissa << BigInt(a.exponent - exponent)) + (b.mantissa << BigInt(b.exponent - exponent)),
    exponent,
  );
}

function divide(a: BinaryNumber, b: BinaryNumber): BinaryNumber {
  return roundQuotient(a.mantissa, b.mantissa, a.exponent - b.exponent);
}

function bitLength(value: bigint): number {
  if (value === 0n) return 0;
  const hex = (value < 0n ? -value : value).toString(16);
  return (hex.length - 1) * 4 + Number.parseInt(hex[0] ?? "0", 16).toString(2).length;
}

/** `mantissa × 2^exponent` rounded to PRECISION bits, to nearest, ties to even (ToNearestEven). */
function round(mantissa: bigint, exponent: number, sticky = false): BinaryNumber {
  if (mantissa === 0n) return { mantissa: 0n, exponent: 0 };
  const negative = mantissa < 0n;
  let magnitude = negative ? -mantissa : mantissa;
  const excess = bitLength(magnitude) - PRECISION;
  if (excess > 0) {
    const shift = BigInt(excess);
    const dropped = magnitude & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    magnitude >>= shift;
    exponent += excess;
    if (dropped > half || (dropped === half && (sticky || (magnitude & 1n) === 1n))) magnitude++;
  } else if (sticky) {
    throw new Error("a rounded quotient needs more bits than its precision");
  }
  // One form per number: no trailing zero bits.
  const zeros = bitLength(magnitude & -magnitude) - 1;
  magnitude >>= BigInt(zeros);
  exponent += zeros;
  return { mantissa: negative ? -magnitude : magnitude, exponent };
}

/** `numerator / denominator × 2^exponent`, correctly rounded to PRECISION bits. */
function roundQuotient(numerator: bigint, denominator: bigint, exponent: number): BinaryNumber {
  if (numerator === 0n) return { mantissa: 0n, exponent: 0 };
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const shift = Math.max(0, PRECISION + 2 + bitLength(d) - bitLength(n));
  const scaled = n << BigInt(shift);
  const quotient = scaled / d;
  const rounded = round(negative ? -quotient : quotient, exponent - shift, scaled % d !== 0n);
  return rounded;
}

/** The 512-bit number nearest `digits × 10^power`, as big.ParseFloat gives it. */
function parseDecimal(digits: bigint, power: number): BinaryNumber {
  if (power >= 0) return round(digits * 10n ** BigInt(power), 0);
  return roundQuotient(digits, 10n ** BigInt(-power), 0);
}

/** The 512-bit number a float64 stands for: its shortest decimal's, as a literal's. */
function binaryOf(value: number): BinaryNumber {
  const [mantissa = "0", power = "0"] = String(value).split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  return parseDecimal(BigInt(whole + fraction), Number(power) - fraction.length);
}

/**
 * big.Float.Text('f', -1) at 512 bits: the shortest decimal that rounds back to `number`, found
 * as Go's roundShortest does, between the halfway points to its neighbours one ulp away.
 */
function text(number: BinaryNumber): string {
  const { mantissa, exponent } = number;
  if (mantissa === 0n) return "0";
  const negative = mantissa < 0n;
  const magnitude = negative ? -mantissa : mantissa;
  // Normalise to PRECISION + 1 bits: its last bit is half an ulp.
  const s = bitLength(magnitude) - (PRECISION + 1);
  const m = s < 0 ? magnitude << BigInt(-s) : magnitude >> BigInt(s);
  const e = exponent + s;
  const exact = decimalOf(magnitude, exponent);
  const lower = decimalOf(m - 1n, e);
  const upper = decimalOf(m + 1n, e);
  const inclusive = (m & 2n) === 0n;
  let digits = exact.digits;
  let point = exact.point;
  for (let i = 0; i < exact.digits.length; i++) {
    const digit = exact.digits[i] ?? "0";
    const l = at(lower, i);
    const u = at(upper, i);
    const down = l !== digit || (inclusive && i + 1 === lower.digits.length);
    const up =
      digit !== u && (inclusive || Number(digit) + 1 < Number(u) || i + 1 < upper.digits.length);
    if (!down && !up) continue;
    const roundUp = down && up ? shouldRoundUp(exact.digits, i + 1) : up;
    ({ digits, point } = roundUp
      ? roundedUp(exact.digits.slice(0, i + 1), exact.point)
      : { digits: exact.digits.slice(0, i + 1), point: exact.point });
    break;
  }
  digits = digits.replace(/0+$/, "");
  const digitAt = (j: number): string => (j < 0 ? "0" : (digits[j] ?? "0"));
  let written = point > 0 ? digits.slice(0, point).padEnd(point, "0") : "0";
  const places = Math.max(digits.length - point, 0);
  if (places > 0) written += ".";
  for (let i = 0; i < places; i++) written += digitAt(point + i);
  return negative ? `-${written}` : written;
}

/** A decimal `0.digits × 10^point`, its digits without leading or trailing zeros. */
interface DecimalDigits {
  digits: string;
  point: number;
}

/** The exact decimal of `magnitude × 2^exponent`. */
function decimalOf(magnitude: bigint, exponent: number): DecimalDigits {
  const scaled =
    exponent >= 0 ? magnitude << BigInt(exponent) : magnitude * 5n ** BigInt(-exponent);
  const all = scaled.toString();
  const point = all.length + Math.min(exponent, 0);
  const trimmed = all.replace(/0+$/, "");
  return { digits: trimmed, point };
}

function at(decimal: DecimalDigits, i: number): string {
  return decimal.digits[i] ?? "0";
}

/** Go's decimal shouldRoundUp: at `n` digits, half rounds to even only when exactly half. */
function shouldRoundUp(digits: string, n: number): boolean {
  if (digits[n] === "5" && n + 1 === digits.length) return n > 0 && Number(digits[n - 1]) % 2 === 1;
  return (digits[n] ?? "0") >= "5";
}

function roundedUp(digits: string, point: number): DecimalDigits {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === "9") i--;
  if (i < 0) return { digits: "1", point: point + 1 };
  return { digits: digits.slice(0, i) + String(Number(digits[i]) + 1), point };
}
