// Exact decimal arithmetic for numbers an i64 cannot hold or that came with decimal text
// (`18446744073709551617 + 1`, `1e30 + 1`, `0.1 + 0.2`): sign, digits, and a power of ten,
// as OPA computes with big numbers. Results longer than MAX_DIGITS fall back to f64.

import { opa_malloc, copyBytes } from "./memory";
import { NUMBER, NUM_FLOAT, typeOf, isInt, intValue, makeFloat, rt_number_int } from "./value";
import { parseNumberText } from "./json";

const MAX_DIGITS: i32 = 1000;

// A decimal is digits (ASCII, most significant first, no leading zeros; "" is zero),
// a sign and an exponent: value = (-1)^negative * digits * 10^exponent.
@unmanaged
class Decimal {
  digits: usize = 0;
  length: i32 = 0;
  exponent: i32 = 0;
  negative: bool = false;
}

function newDecimal(): Decimal {
  const d = changetype<Decimal>(opa_malloc(offsetof<Decimal>()));
  d.digits = 0;
  d.length = 0;
  d.exponent = 0;
  d.negative = false;
  return d;
}

function trimLeadingZeros(d: Decimal): Decimal {
  let skip = 0;
  while (skip < d.length && load<u8>(d.digits + skip) == 0x30) skip++;
  d.digits += skip;
  d.length -= skip;
  if (d.length == 0) d.negative = false;
  return d;
}

/** Leading and trailing zeros removed, so equal values have equal digits ("1.0" is "1"). */
function normalized(d: Decimal): Decimal {
  trimLeadingZeros(d);
  while (d.length > 0 && load<u8>(d.digits + d.length - 1) == 0x30) {
    d.length--;
    d.exponent++;
  }
  if (d.length == 0) d.exponent = 0;
  return d;
}

/** The number's exact decimal, or null when it is a computed float without source text. */
function toDecimal(v: usize): Decimal | null {
  if (typeOf(v) != NUMBER) return null;
  const d = newDecimal();
  if (isInt(v)) {
    let n = intValue(v);
    d.negative = n < 0;
    const buf = opa_malloc(20);
    let k = 20;
    do {
      let digit = <i32>(n % 10);
      if (digit < 0) digit = -digit;
      store<u8>(buf + --k, <u8>(0x30 + digit));
      n /= 10;
    } while (n != 0);
    d.digits = buf + k;
    d.length = 20 - k;
    return normalized(d);
  }
  const text = <usize>load<i32>(v, 16);
  const len = load<i32>(v, 20);
  if (text == 0) return null;
  // JSON number grammar: -?int(.frac)?([eE][+-]?exp)?
  const buf = opa_malloc(<usize>len);
  let n = 0;
  let i = 0;
  if (load<u8>(text) == 0x2d) {
    d.negative = true;
    i = 1;
  }
  let fraction = 0;
  let inFraction = false;
  for (; i < len; i++) {
    const c = load<u8>(text + i);
    if (c == 0x2e) {
      inFraction = true;
      continue;
    }
    if (c == 0x65 || c == 0x45) break;
    store<u8>(buf + n++, c);
    if (inFraction) fraction++;
  }
  let exp = 0;
  if (i < len) {
    i++;
    let expNegative = false;
    if (load<u8>(text + i) == 0x2b || load<u8>(text + i) == 0x2d) {
      expNegative = load<u8>(text + i) == 0x2d;
      i++;
    }
    for (; i < len; i++) {
      exp = exp * 10 + (load<u8>(text + i) - 0x30);
      if (exp > 100000) return null;
    }
    if (expNegative) exp = -exp;
  }
  d.digits = buf;
  d.length = n;
  d.exponent = exp - fraction;
  return normalized(d);
}

/** Digits of d scaled to exponent `to` (to <= d.exponent), as a fresh buffer of `length` digits. */
function aligned(d: Decimal, to: i32, length: i32): usize {
  const buf = opa_malloc(<usize>length);
  const shift = d.exponent - to;
  const lead = length - d.length - shift;
  memory.fill(buf, 0x30, <usize>length);
  copyBytes(buf + lead, d.digits, d.length);
  return buf;
}

function compareMagnitude(a: Decimal, b: Decimal): i32 {
  if (a.length == 0 || b.length == 0) return a.length == 0 ? (b.length == 0 ? 0 : -1) : 1;
  const ma = a.length + a.exponent;
  const mb = b.length + b.exponent;
  if (ma != mb) return ma < mb ? -1 : 1;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = load<u8>(a.digits + i);
    const y = load<u8>(b.digits + i);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.length == b.length ? 0 : a.length < b.length ? -1 : 1;
}

function tooLong(a: Decimal, b: Decimal): bool {
  const low = min(a.exponent, b.exponent);
  const high = max(a.exponent + a.length, b.exponent + b.length);
  return high - low > MAX_DIGITS;
}

/** |a| + |b| or |a| - |b| (a >= b in magnitude for subtraction), with a's sign. */
function addMagnitudes(a: Decimal, b: Decimal, subtract: bool): Decimal {
  const low = min(a.exponent, b.exponent);
  const high = max(a.exponent + a.length, b.exponent + b.length);
  const length = high - low + 1;
  const x = aligned(a, low, length);
  const y = aligned(b, low, length);
  let carry = 0;
  for (let i = length - 1; i >= 0; i--) {
    let digit = <i32>load<u8>(x + i) - 0x30;
    const other = <i32>load<u8>(y + i) - 0x30;
    digit = subtract ? digit - other - carry : digit + other + carry;
    carry = 0;
    if (digit < 0) {
      digit += 10;
      carry = 1;
    } else if (digit > 9) {
      digit -= 10;
      carry = 1;
    }
    store<u8>(x + i, <u8>(0x30 + digit));
  }
  const r = newDecimal();
  r.digits = x;
  r.length = length;
  r.exponent = low;
  r.negative = a.negative;
  return trimLeadingZeros(r);
}

function add(a: Decimal, b: Decimal): Decimal {
  if (a.negative == b.negative) return addMagnitudes(a, b, false);
  return compareMagnitude(a, b) >= 0 ? addMagnitudes(a, b, true) : addMagnitudes(b, a, true);
}

function multiply(a: Decimal, b: Decimal): Decimal {
  const length = a.length + b.length;
  const acc = opa_malloc(<usize>length << 2);
  memory.fill(acc, 0, <usize>length << 2);
  for (let i = a.length - 1; i >= 0; i--) {
    const x = <i32>load<u8>(a.digits + i) - 0x30;
    for (let j = b.length - 1; j >= 0; j--) {
      const slot = acc + (<usize>(i + j + 1) << 2);
      store<i32>(slot, load<i32>(slot) + x * (<i32>load<u8>(b.digits + j) - 0x30));
    }
  }
  const out = opa_malloc(<usize>length);
  let carry = 0;
  for (let k = length - 1; k >= 0; k--) {
    const total = load<i32>(acc + (<usize>k << 2)) + carry;
    store<u8>(out + k, <u8>(0x30 + (total % 10)));
    carry = total / 10;
  }
  const r = newDecimal();
  r.digits = out;
  r.length = length;
  r.exponent = a.exponent + b.exponent;
  r.negative = a.negative != b.negative;
  return trimLeadingZeros(r);
}

/** The decimal as a Rego number: an i64 when it is an integer that fits, else exact text. */
function toValue(d: Decimal): usize {
  // Drop trailing zeros into the exponent.
  while (d.length > 0 && load<u8>(d.digits + d.length - 1) == 0x30) {
    d.length--;
    d.exponent++;
  }
  if (d.length == 0) return rt_number_int(0);
  const intDigits = d.length + d.exponent;
  if (d.exponent >= 0 && intDigits <= 18) {
    let n: i64 = 0;
    for (let i = 0; i < d.length; i++) n = n * 10 + (load<u8>(d.digits + i) - 0x30);
    for (let i = 0; i < d.exponent; i++) n *= 10;
    return rt_number_int(d.negative ? -n : n);
  }
  const size = d.length + max(d.exponent, 0) + max(-intDigits, 0) + 3;
  const buf = opa_malloc(<usize>size);
  let at = 0;
  if (d.negative) store<u8>(buf + at++, 0x2d);
  if (intDigits <= 0) {
    store<u8>(buf + at++, 0x30);
    store<u8>(buf + at++, 0x2e);
    for (let i = 0; i < -intDigits; i++) store<u8>(buf + at++, 0x30);
    copyBytes(buf + at, d.digits, d.length);
    at += d.length;
  } else if (d.exponent >= 0) {
    copyBytes(buf + at, d.digits, d.length);
    at += d.length;
    for (let i = 0; i < d.exponent; i++) store<u8>(buf + at++, 0x30);
  } else {
    copyBytes(buf + at, d.digits, intDigits);
    at += intDigits;
    store<u8>(buf + at++, 0x2e);
    copyBytes(buf + at, d.digits + intDigits, d.length - intDigits);
    at += d.length - intDigits;
  }
  const parsed = parseNumberText(buf, at);
  return parsed != 0 ? parsed : makeFloat(0, buf, at);
}

/** Exact a+b, a-b or a*b when both are exact decimals of bounded length; 0 otherwise. */
export function decimalArithmetic(op: i32, a: usize, b: usize): usize {
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (x === null || y === null) return 0;
  if (op == 2) {
    if (x.length + y.length > MAX_DIGITS) return 0;
    return toValue(multiply(x, y));
  }
  if (tooLong(x, y)) return 0;
  if (op == 1) y.negative = y.length > 0 && !y.negative;
  return toValue(add(x, y));
}

export const OP_ADD: i32 = 0;
export const OP_SUB: i32 = 1;
export const OP_MUL: i32 = 2;

/** Exact comparison of two numbers that have exact decimals; 2 when either has none. */
export function decimalCompare(a: usize, b: usize): i32 {
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (x === null || y === null) return 2;
  if (x.negative != y.negative) return x.negative ? -1 : 1;
  const c = compareMagnitude(x, y);
  return x.negative ? -c : c;
}

/** |v| exactly. */
export function decimalAbs(v: usize): usize {
  const x = toDecimal(v);
  if (x === null) return 0;
  x.negative = false;
  return toValue(x);
}

/** Whether v is a float carrying source text (so it may hold more than an f64). */
export function hasText(v: usize): bool {
  return typeOf(v) == NUMBER && load<i32>(v, 4) == NUM_FLOAT && load<i32>(v, 16) != 0;
}

/** Integer digits of d (exponent folded in), or null when d has a fraction. */
function integerPart(d: Decimal): Decimal | null {
  while (d.exponent < 0 && d.length > 0 && load<u8>(d.digits + d.length - 1) == 0x30) {
    d.length--;
    d.exponent++;
  }
  if (d.exponent < 0 && d.length > 0) return null;
  return d;
}

/** a % b for integers of any size (sign of a, as Go's big.Int Rem); 0 when not integers. */
export function decimalRem(a: usize, b: usize): usize {
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (x === null || y === null) return 0;
  const dividend = integerPart(x);
  const divisor = integerPart(y);
  if (dividend === null || divisor === null || divisor.length == 0) return 0;
  if (tooLong(dividend, divisor)) return 0;
  const positiveDivisor = newDecimal();
  positiveDivisor.digits = divisor.digits;
  positiveDivisor.length = divisor.length;
  positiveDivisor.exponent = divisor.exponent;
  let remainder = newDecimal();
  const total = dividend.length + dividend.exponent;
  for (let i = 0; i < total; i++) {
    const digit = newDecimal();
    if (i < dividend.length) {
      digit.digits = dividend.digits + i;
      digit.length = 1;
    }
    const ten = newDecimal();
    ten.digits = remainder.digits;
    ten.length = remainder.length;
    ten.exponent = remainder.length > 0 ? remainder.exponent + 1 : 0;
    remainder = trimLeadingZeros(add(ten, digit));
    while (compareMagnitude(remainder, positiveDivisor) >= 0) {
      remainder = addMagnitudes(remainder, positiveDivisor, true);
    }
  }
  remainder.negative = remainder.length > 0 && dividend.negative;
  return toValue(remainder);
}

// ---- format_int of a number with decimal text ----

/** The sign of the last `formatIntLimbs` result, and its count of limbs. */
export let formatIntNegative = false;
export let formatIntCount: i32 = 0;

/** u32 limbs (least significant first) of the integer whose decimal digits are `digits[0..n)`. */
function limbsOf(digits: usize, n: i32, count: i32): usize {
  const limbs = opa_malloc(<usize>count << 2);
  memory.fill(limbs, 0, <usize>count << 2);
  for (let i = 0; i < n; i++) {
    let carry = <u64>(load<u8>(digits + i) - 0x30);
    for (let j = 0; j < count; j++) {
      const at = limbs + (<usize>j << 2);
      const t = <u64>load<u32>(at) * 10 + carry;
      store<u32>(at, <u32>t);
      carry = t >> 32;
    }
  }
  return limbs;
}

/** Limbs enough for an integer of n decimal digits (log2(10) < 3.33), shifted by 66 bits. */
function limbCount(n: i32): i32 {
  return (n * 333) / 3200 + 4;
}

function bitLength(limbs: usize, count: i32): i32 {
  for (let i = count - 1; i >= 0; i--) {
    const limb = load<u32>(limbs + (<usize>i << 2));
    if (limb != 0) return i * 32 + 32 - <i32>clz(limb);
  }
  return 0;
}

function bitAt(limbs: usize, bit: i32): bool {
  return ((load<u32>(limbs + (<usize>(bit >> 5) << 2)) >> (<u32>bit & 31)) & 1) != 0;
}

/** limbs += 2^bit. */
function addPower(limbs: usize, count: i32, bit: i32): void {
  let carry: u64 = <u64>1 << <u64>(bit & 31);
  for (let j = bit >> 5; j < count && carry != 0; j++) {
    const at = limbs + (<usize>j << 2);
    const t = <u64>load<u32>(at) + carry;
    store<u32>(at, <u32>t);
    carry = t >> 32;
  }
}

/**
 * Whether a fraction 0.F (the k digits at `fraction`, after `zeros` leading zeros) is at least
 * 1 - 2^-m: (10^(zeros+k) - F) * 2^m <= 10^(zeros+k).
 */
function fractionNearOne(fraction: usize, k: i32, zeros: i32, m: i32): bool {
  if (zeros > 0 || load<u8>(fraction) < 0x35) return false;
  const count = limbCount(k + 1);
  const power = opa_malloc(<usize>k + 1);
  store<u8>(power, 0x31);
  memory.fill(power + 1, 0x30, <usize>k);
  const whole = limbsOf(power, k + 1, count);
  const part = limbsOf(fraction, k, count);
  // part = (whole - part) << m, in place
  let borrow: i64 = 0;
  for (let j = 0; j < count; j++) {
    const at = part + (<usize>j << 2);
    const t = <i64>load<u32>(whole + (<usize>j << 2)) - <i64>load<u32>(at) - borrow;
    store<u32>(at, <u32>t);
    borrow = t < 0 ? 1 : 0;
  }
  for (let s = 0; s < m; s++) {
    let carry: u32 = 0;
    for (let j = 0; j < count; j++) {
      const at = part + (<usize>j << 2);
      const limb = load<u32>(at);
      store<u32>(at, (limb << 1) | carry);
      carry = limb >> 31;
    }
  }
  for (let j = count - 1; j >= 0; j--) {
    const a = load<u32>(part + (<usize>j << 2));
    const b = load<u32>(whole + (<usize>j << 2));
    if (a != b) return a < b;
  }
  return true;
}

/**
 * format_int's integer of a number with decimal text, as OPA makes it: the value read into a Go
 * big.Float (SetString: a 64-bit mantissa, rounded to nearest even), then truncated toward zero
 * (Float.Int). Its limbs, least significant first (`formatIntCount`, `formatIntNegative`); 0 when
 * the number has no text, or its integer part more than MAX_DIGITS digits.
 */
export function formatIntLimbs(v: usize): usize {
  const d = toDecimal(v);
  if (d === null) return 0;
  formatIntNegative = d.negative;
  const intDigits = d.length + d.exponent;
  if (intDigits > MAX_DIGITS) return 0;
  const n = max(intDigits, 0);
  const count = limbCount(n);
  const integer = opa_malloc(<usize>n);
  memory.fill(integer, 0x30, <usize>n);
  copyBytes(integer, d.digits, min(n, d.length));
  const limbs = limbsOf(integer, n, count);
  const fraction = d.digits + <usize>min(n, d.length);
  const fractionLength = d.length - min(n, d.length);
  const zeros = max(-intDigits, 0);
  const length = bitLength(limbs, count);
  if (length > 64) {
    // Rounded at bit `below`; the bits under it, and any fraction, are gone either way.
    const below = length - 64;
    let sticky = fractionLength > 0;
    for (let bit = 0; bit < below - 1 && !sticky; bit++) sticky = bitAt(limbs, bit);
    const up = bitAt(limbs, below - 1) && (sticky || bitAt(limbs, below));
    for (let bit = 0; bit < below; bit++) {
      const at = limbs + (<usize>(bit >> 5) << 2);
      store<u32>(at, load<u32>(at) & ~(<u32>1 << (<u32>bit & 31)));
    }
    if (up) addPower(limbs, count, below);
  } else if (length == 64) {
    // A unit is the mantissa's last bit: the fraction rounds to the nearest integer, ties to even.
    if (fractionLength > 0 && zeros == 0) {
      const first = load<u8>(fraction);
      const up = first > 0x35 || (first == 0x35 && (fractionLength > 1 || bitAt(limbs, 0)));
      if (up) addPower(limbs, count, 0);
    }
  } else if (fractionLength > 0 && fractionNearOne(fraction, fractionLength, zeros, 65 - length)) {
    // Within half the mantissa's last bit (2^(length-65)) of the next integer, ties included
    // (that integer's last mantissa bit is 0): the value rounds up to it.
    addPower(limbs, count, 0);
  }
  formatIntCount = count;
  return limbs;
}
