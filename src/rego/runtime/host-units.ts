// OPA's units.parse and units.parse_bytes: a decimal amount with an SI ("k", "M", ...) or binary
// ("Ki", "Mi", ...) suffix. units.parse works on exact rationals, as OPA's big.Rat does;
// units.parse_bytes on 64-bit-mantissa binary floats truncated to an integer, as OPA's big.Float
// does (rounding each step to 64 bits), then truncated toward zero.
import { decimal, integerValue, str } from "./host-operands.js";
import { RegoNumber, type HostFunction, type HostValue } from "./host-value.js";

const SI = ["k", "m", "g", "t", "p", "e"];

/** units.parse_bytes's suffixes, of the lowercased text: "kb" or "k" is 1000, "kib" or "ki" 1024. */
const BYTE_UNITS = new Map<string, bigint>([["", 1n]]);
/** units.parse's suffixes, as OPA normalises them (first letter kept, the rest lowercased). */
const UNITS = new Map<string, bigint>([["", 1n]]);
SI.forEach((letter, i) => {
  const decimalUnit = 1000n ** BigInt(i + 1);
  const binaryUnit = 1n << BigInt(10 * (i + 1));
  for (const unit of [letter, `${letter}b`]) BYTE_UNITS.set(unit, decimalUnit);
  for (const unit of [`${letter}i`, `${letter}ib`]) BYTE_UNITS.set(unit, binaryUnit);
  // "m" is milli and "M" mega; "mi" and "Mi" are both mebi.
  for (const unit of letter === "m" ? ["M"] : [letter, letter.toUpperCase()])
    UNITS.set(unit, decimalUnit);
  for (const unit of [`${letter}i`, `${letter.toUpperCase()}i`]) UNITS.set(unit, binaryUnit);
});

/** OPA refuses longer exponents ("1e9999999"): their results would not fit in memory. */
const MAX_EXPONENT_DIGITS = 6;
/** Tollgate's own bound on the amount's decimal exponent: 10^1000 is past any quantity. */
const MAX_DECIMAL_EXPONENT = 1000;

/**
 * OPA's split of "10.5Gi" into "10.5" and "Gi": the amount runs over digits, '.', signs and an
 * exponent ('e' followed by a digit or sign); an 'e' followed by anything else starts the unit.
 */
function splitAmount(s: string): [amount: string, unit: string] {
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!isDigit(c) && c !== "." && c !== "e" && c !== "E" && c !== "+" && c !== "-")
      return [s.slice(0, i), s.slice(i)];
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (!isDigit(next) && next !== "+" && next !== "-") return [s.slice(0, i), s.slice(i)];
      if (next === "+" || next === "-") i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) throw new Error("exponent too large");
    }
  }
  return [s, ""];
}

function amountOf(text: string, what: string): { coefficient: bigint; exponent: number } {
  const parts = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)
    ? decimal(text)
    : undefined;
  if (parts === undefined) throw new Error(`could not parse ${what} to a number`);
  if (Math.abs(parts.exponent) > MAX_DECIMAL_EXPONENT) throw new Error("exponent too large");
  return parts;
}

/** A rational as numerator over positive denominator. */
interface Rational {
  numerator: bigint;
  denominator: bigint;
}

function rationalOf(amount: { coefficient: bigint; exponent: number }): Rational {
  const power = 10n ** BigInt(Math.abs(amount.exponent));
  return amount.exponent >= 0
    ? { numerator: amount.coefficient * power, denominator: 1n }
    : { numerator: amount.coefficient, denominator: power };
}

/** The double's exact value (doubling a double is exact, so the loop ends in an integer). */
function rationalOfDouble(x: number): Rational {
  let scaled = x;
  let denominator = 1n;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    denominator *= 2n;
  }
  return { numerator: BigInt(scaled), denominator };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds |r| to a 64-bit mantissa, nearest with ties to even, as big.Float of precision 64. */
function roundTo64Bits({ numerator, denominator }: Rational): Rational {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  if (magnitude === 0n) return { numerator: 0n, denominator: 1n };
  let shift = bitLength(magnitude) - bitLength(denominator) - 64;
  const quotient = (s: number): [bigint, bigint, bigint] => {
    const p = s >= 0 ? magnitude : magnitude << BigInt(-s);
    const q = s >= 0 ? denominator << BigInt(s) : denominator;
    return [p / q, p % q, q];
  };
  let [mantissa, remainder, divisor] = quotient(shift);
  while (mantissa >= 1n << 64n) [mantissa, remainder, divisor] = quotient(++shift);
  while (mantissa < 1n << 63n) [mantissa, remainder, divisor] = quotient(--shift);
  if (2n * remainder > divisor || (2n * remainder === divisor && (mantissa & 1n) === 1n))
    mantissa++;
  const signed = negative ? -mantissa : mantissa;
  return shift >= 0
    ? { numerator: signed << BigInt(shift), denominator: 1n }
    : { numerator: signed, denominator: 1n << BigInt(-shift) };
}

/** A rational as OPA prints it: the integer, or 10 decimals rounded half away from zero. */
function numberOf({ numerator, denominator }: Rational): HostValue {
  if (numerator % denominator === 0n) return integerValue(numerator / denominator);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const scaled = magnitude * 10n ** 10n;
  let tenBillionths = scaled / denominator;
  if (2n * (scaled % denominator) >= denominator) tenBillionths++;
  const digits = tenBillionths.toString().padStart(11, "0");
  const text = `${negative ? "-" : ""}${digits.slice(0, -10)}.${digits.slice(-10)}`;
  const asDouble = Number(text);
  const canonical = text.replace(/\.?0+$/, "");
  return String(asDouble) === canonical ? asDouble : new RegoNumber(text);
}

function parseBytes(value: HostValue): HostValue {
  const s = str(value, "1").toLowerCase().replaceAll('"', "");
  if (s.includes(" ")) throw new Error("spaces not allowed in resource strings");
  const [amountText, unit] = splitAmount(s);
  if (amountText === "") throw new Error("no byte amount provided");
  const multiplier = BYTE_UNITS.get(unit);
  if (multiplier === undefined) throw new Error(`byte unit ${unit} not recognized`);
  const amount = roundTo64Bits(rationalOf(amountOf(amountText, "byte amount")));
  const product = roundTo64Bits({
    numerator: amount.numerator * multiplier,
    denominator: amount.denominator,
  });
  // big.Float.Int truncates toward zero; BigInt division does too.
  return integerValue(product.numerator / product.denominator);
}

function parseUnits(value: HostValue): HostValue {
  const s = str(value, "1").replaceAll('"', "");
  if (s.includes(" ")) throw new Error("spaces not allowed in resource strings");
  const [amountText, rawUnit] = splitAmount(s);
  if (amountText === "") throw new Error("no amount provided");
  const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
  // OPA multiplies by the double nearest 0.001, exactly: "1m" is 0.0010000000 after rounding.
  const exact = UNITS.get(unit);
  const multiplier =
    unit === "m"
      ? rationalOfDouble(0.001)
      : exact !== undefined
        ? { numerator: exact, denominator: 1n }
        : undefined;
  if (multiplier === undefined) throw new Error(`unit ${unit} not recognized`);
  const amount = rationalOf(amountOf(amountText, "amount"));
  return numberOf({
    numerator: amount.numerator * multiplier.numerator,
    denominator: amount.denominator * multiplier.denominator,
  });
}

export const unitDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "units.parse": { arity: 1, fn: parseUnits },
  "units.parse_bytes": { arity: 1, fn: parseBytes },
};
