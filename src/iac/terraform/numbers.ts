// Terraform's arithmetic on the decimal values its numbers are written as. cty holds numbers as
// 512-bit big.Floats, so `0.1 + 0.2 == 0.3` is true and `tostring(0.10 * 1.5)` is "0.15"; a
// float64 sum of the same values is 0.30000000000000004. Each operand is read as the shortest
// decimal its float64 writes (the literal it came from), the result computed exactly and
// rounded to a float64 once.
import { EvaluationError } from "./values.js";

/** A decimal `digits × 10^exponent`. */
interface Decimal {
  digits: bigint;
  exponent: number;
}

export type ArithmeticOperator = "+" | "-" | "*" | "/" | "%";

/**
 * `a op b` exactly, as a float64, where both are finite; undefined where Tollgate computes it as
 * a float64 (an infinity, or a quotient with no finite decimal: `10 / 3`). An integer result a
 * float64 does not hold (past 2^53, `9007199254740992 + 1`) is Tollgate's limit: decided on, it
 * could decide wrongly, so it fails, located.
 */
export function exactArithmetic(op: ArithmeticOperator, a: number, b: number): number | undefined {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  // Integers a float64 holds, and a result it holds too, are exact already.
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const native =
      op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : op === "/" ? a / b : a % b;
    if (Number.isSafeInteger(native)) return native;
  }
  const left = decimalOf(a);
  const right = decimalOf(b);
  const exact = operate(op, left, right);
  if (exact === undefined) return undefined;
  const rounded = Number(`${exact.digits}e${exact.exponent}`);
  if (!Number.isFinite(rounded) || holds(rounded, exact)) return rounded;
  notHeld(exact, "the result");
  return rounded;
}

/**
 * Fails on `exact`, a number a float64 does not hold, where it is an integer cty holds exactly
 * (at most 512 bits; a larger one it rounds too): deciding on its float64 could decide wrongly.
 */
function notHeld(exact: Decimal, what = "the number"): void {
  const { digits, exponent } = normalized(exact);
  if (exponent < 0 || exponent > 160) return;
  const integer = digits * 10n ** BigInt(exponent);
  if ((integer < 0n ? -integer : integer).toString(2).length > 512) return;
  const text = integer.toString();
  throw new EvaluationError(
    `${what} ${text.length > 40 ? `${text.slice(0, 37)}...` : text} is an integer past 2^53, which Tollgate's numbers do not hold exactly; it is treated as unknown`,
    "terraform-limit",
  );
}

/**
 * The number the literal `raw` writes, whose float64 is `value`: an integer the float64 does not
 * hold (`9007199254740993`), or a number past its range (`1e400`), is Tollgate's limit, located,
 * as such an arithmetic result is.
 */
export function literalNumber(raw: string, value: number): number {
  if (Number.isSafeInteger(value) || (Number.isFinite(value) && !Number.isInteger(value)))
    return value;
  if (!Number.isFinite(value))
    throw new EvaluationError(
      `the number ${raw} is beyond ${Number.MAX_VALUE}, the largest number Tollgate holds; it is treated as unknown`,
      "terraform-limit",
    );
  const written = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw.trim());
  if (!written) return value;
  const [, sign = "", whole = "", fraction = "", power = "0"] = written;
  const exact = {
    digits: BigInt(sign + whole + fraction),
    exponent: Number(power) - fraction.length,
  };
  if (holds(value, exact)) return value;
  notHeld(exact);
  return value;
}

function operate(op: ArithmeticOperator, a: Decimal, b: Decimal): Decimal | undefined {
  switch (op) {
    case "+":
    case "-":
    case "%": {
      const exponent = Math.min(a.exponent, b.exponent);
      const left = a.digits * 10n ** BigInt(a.exponent - exponent);
      const right = b.digits * 10n ** BigInt(b.exponent - exponent);
      // cty's remainder is of the quotient truncated toward zero, as BigInt's is.
      if (op === "%") return right === 0n ? undefined : { digits: left % right, exponent };
      return { digits: op === "+" ? left + right : left - right, exponent };
    }
    case "*":
      return { digits: a.digits * b.digits, exponent: a.exponent + b.exponent };
    case "/":
      return quotient(a, b);
  }
}

/** `a / b` where it has a finite decimal: the divisor, reduced, has no prime factors but 2 and 5. */
function quotient(a: Decimal, b: Decimal): Decimal | undefined {
  if (b.digits === 0n) return undefined;
  const divisor = gcd(a.digits, b.digits);
  let numerator = a.digits / divisor;
  let denominator = b.digits / divisor;
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  let twos = 0;
  let fives = 0;
  let rest = denominator;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest !== 1n) return undefined;
  const scale = Math.max(twos, fives);
  return {
    digits: numerator * 2n ** BigInt(scale - twos) * 5n ** BigInt(scale - fives),
    exponent: a.exponent - b.exponent - scale,
  };
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

/** The shortest decimal `value` writes (`0.1`, `1e+21`), exactly. */
function decimalOf(value: number): Decimal {
  const [mantissa = "0", power = "0"] = String(value).split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  return {
    digits: BigInt(whole + fraction),
    exponent: Number(power) - fraction.length,
  };
}

/** Whether the float64 `value` is the decimal `exact`, as the shortest decimal it writes. */
function holds(value: number, exact: Decimal): boolean {
  const written = normalized(decimalOf(value));
  const wanted = normalized(exact);
  return written.digits === wanted.digits && written.exponent === wanted.exponent;
}

/** `decimal` without trailing zeros in its digits (zero with exponent 0), so equal values are equal. */
function normalized(decimal: Decimal): Decimal {
  let { digits, exponent } = decimal;
  if (digits === 0n) return { digits, exponent: 0 };
  while (digits % 10n === 0n) {
    digits /= 10n;
    exponent++;
  }
  return { digits, exponent };
}
