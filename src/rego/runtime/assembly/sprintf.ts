// OPA's sprintf, native so that a plain OPA SDK (whose own sprintf is C's printf) runs the
// library: Go's fmt.Sprintf over the arguments as OPA hands them to Go. Integers are Go ints
// (`*big.Int` past 64 bits), other numbers float64, strings Go strings, and every other value
// its Rego text (`[1, "a"]`, `{"a": 1}`, `{1, 2}`, `set()`, `true`, `null`) as a string.
// Floats print from their exact binary value, rounded half to even as Go's strconv does.

import { opa_malloc } from "./memory";
import {
  NULL,
  BOOLEAN,
  NUMBER,
  STRING,
  ARRAY,
  OBJECT,
  SET,
  typeOf,
  boolValue,
  isInt,
  intValue,
  numberAsFloat,
  makeFloat,
  makeString,
  strLen,
  strPtr,
  arrLen,
  arrGet,
  tableLen,
  entryKey,
  entryValue,
  entryOrder,
  orderedEntry,
} from "./value";
import { numberText } from "./json";
import { Output } from "./output";
import { canBackquote, isPrint, putQuoted } from "./quote";
import { builtinError, typeError } from "./errors";
import { REPLACEMENT, bigDigits, decodeRune, decodedWidth, encodeRune } from "./text";

// The text being formatted (its own buffer: numberText restarts json.ts's).
const out = changetype<Output>(memory.data(offsetof<Output>()));

function putText(s: usize): void {
  out.putBytes(strPtr(s), strLen(s));
}

const HEX_LOWER = "0123456789abcdef";
const HEX_UPPER = "0123456789ABCDEF";

function putHexByte(b: i32, upper: bool): void {
  const digits = upper ? HEX_UPPER : HEX_LOWER;
  out.put(digits.charCodeAt(b >> 4));
  out.put(digits.charCodeAt(b & 15));
}

// ---- Rego text ----

/** A value's Rego text, as OPA's `ast.Term.String()` prints it. */
function putRegoText(v: usize): void {
  switch (typeOf(v)) {
    case NULL:
      out.putStatic("null");
      break;
    case BOOLEAN:
      out.putStatic(boolValue(v) ? "true" : "false");
      break;
    case NUMBER:
      putText(numberText(v));
      break;
    case STRING:
      putQuoted(out, strPtr(v), strLen(v), 0x22, false);
      break;
    case ARRAY: {
      out.put(0x5b);
      const n = arrLen(v);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.putStatic(", ");
        putRegoText(arrGet(v, i));
      }
      out.put(0x5d);
      break;
    }
    default: {
      const n = tableLen(v);
      if (n == 0 && typeOf(v) == SET) {
        out.putStatic("set()");
        break;
      }
      out.put(0x7b);
      const order = entryOrder(v);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.putStatic(", ");
        const e = orderedEntry(order, i);
        putRegoText(entryKey(v, e));
        if (typeOf(v) == OBJECT) {
          out.putStatic(": ");
          putRegoText(entryValue(v, e));
        }
      }
      out.put(0x7d);
    }
  }
}

// ---- arguments as Go sees them ----

const GO_INT: i32 = 0;
const GO_BIG_INT: i32 = 1;
const GO_FLOAT: i32 = 2;
const GO_STRING: i32 = 3;

// The argument being formatted: its Go kind and value (an int, a float, or text for a string
// and for the decimal digits of a big integer, sign apart).
let argKind: i32 = GO_INT;
let argInt: i64 = 0;
let argFloat: f64 = 0;
let argText: usize = 0;
let argNegative = false;

/** Whether a number's source text is an integer's (no fraction, no exponent). */
function integerText(text: usize): bool {
  const n = strLen(text);
  const p = strPtr(text);
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 0x2e || c == 0x65 || c == 0x45) return false;
  }
  return true;
}

function takeArgument(v: usize): void {
  const type = typeOf(v);
  if (type == NUMBER) {
    if (isInt(v)) {
      argKind = GO_INT;
      argInt = intValue(v);
      return;
    }
    const text = numberText(v);
    if (load<i32>(v, 16) != 0 && integerText(text)) {
      // An integer too long for an i64 keeps its exact digits (decimal.ts gives such text).
      argKind = GO_BIG_INT;
      argNegative = load<u8>(strPtr(text)) == 0x2d;
      const skip = argNegative ? 1 : 0;
      argText = makeString(strPtr(text) + skip, strLen(text) - skip);
      return;
    }
    argKind = GO_FLOAT;
    argFloat = numberAsFloat(v);
    return;
  }
  argKind = GO_STRING;
  if (type == STRING) {
    argText = v;
    return;
  }
  const start = out.length;
  putRegoText(v);
  argText = out.takeFrom(start);
}

function putGoTypeName(): void {
  if (argKind == GO_INT) out.putStatic("int");
  else if (argKind == GO_BIG_INT) out.putStatic("*big.Int");
  else if (argKind == GO_FLOAT) out.putStatic("float64");
  else out.putStatic("string");
}

// ---- the directive being formatted: flags, width, precision ----

let minus = false;
let plus = false;
let space = false;
let zero = false;
let sharp = false;
// %v takes the + and # flags as plusV and sharpV, as Go does: no sign for numbers, and #v quotes a string.
let plusV = false;
let sharpV = false;
let width: i32 = -1;
let precision: i32 = -1;

/** Widths and precisions past this are refused: Go would pad to them, memory may not hold them. */
const MAX_WIDTH: i32 = 100_000;
/** Go's bound on a width, precision or argument index (its tooLarge): past it, a format error. */
const GO_MAX_NUMBER: i32 = 1_000_000;

/**
 * Pads what was written since start to the width (in runes), with zeros when zeroFill (after a
 * leading sign when signFirst, as Go pads a number).
 */
function pad(start: i32, zeroFill: bool, signFirst: bool = false): void {
  if (width < 0) return;
  const begin = out.at(start);
  const end = out.at(out.length);
  let runes = 0;
  for (let at = begin; at < end; at += <usize>decodedWidth()) {
    decodeRune(at, end);
    runes++;
  }
  const fill = width - runes;
  if (fill <= 0) return;
  if (minus) {
    for (let i = 0; i < fill; i++) out.put(0x20);
    return;
  }
  out.reserve(fill);
  let at = start;
  if (zeroFill && signFirst) {
    const c = load<u8>(out.at(start));
    if (c == 0x2d || c == 0x2b || c == 0x20) at++;
  }
  memory.copy(out.at(at + fill), out.at(at), <usize>(out.length - at));
  memory.fill(out.at(at), zeroFill ? 0x30 : 0x20, <usize>fill);
  out.length += fill;
}

function putSign(negative: bool): void {
  if (negative) out.put(0x2d);
  else if (plus) out.put(0x2b);
  else if (space) out.put(0x20);
}

// ---- integers ----

/** Digits of the argument's magnitude in base, as a string value without sign. */
function magnitudeDigits(base: u32): usize {
  if (argKind == GO_BIG_INT) {
    if (base == 10) return argText;
    const n = strLen(argText);
    const p = strPtr(argText);
    const count = n / 9 + 2;
    const limbs = opa_malloc(<usize>count << 2);
    memory.fill(limbs, 0, <usize>count << 2);
    for (let i = 0; i < n; i++) {
      let carry = <u64>(load<u8>(p + i) - 0x30);
      for (let j = 0; j < count; j++) {
        const limb = limbs + (<usize>j << 2);
        const cur = <u64>load<u32>(limb) * 10 + carry;
        store<u32>(limb, <u32>cur);
        carry = cur >> 32;
      }
    }
    let top = count;
    while (top > 0 && load<u32>(limbs + (<usize>(top - 1) << 2)) == 0) top--;
    return bigDigits(limbs, top, base, false);
  }
  const magnitude: u64 = argInt < 0 ? <u64>0 - <u64>argInt : <u64>argInt;
  const limbs = opa_malloc(8);
  store<u32>(limbs, <u32>magnitude);
  store<u32>(limbs, <u32>(magnitude >> 32), 4);
  const top = magnitude == 0 ? 0 : magnitude >> 32 == 0 ? 1 : 2;
  return bigDigits(limbs, top, base, false);
}

/** Go's fmtInteger: precision as a minimum digit count, zero padding as precision, base prefix. */
function putInteger(verb: i32): void {
  const base: u32 = verb == 0x62 ? 2 : verb == 0x6f || verb == 0x4f ? 8 : verb == 0x78 || verb == 0x58 ? 16 : 10;
  const negative = argKind == GO_INT ? argInt < 0 : argNegative;
  const digits = magnitudeDigits(base);
  const isZero = strLen(digits) == 1 && load<u8>(strPtr(digits)) == 0x30;
  const start = out.length;
  if (precision == 0 && isZero) {
    const savedZero = zero;
    zero = false;
    pad(start, false);
    zero = savedZero;
    return;
  }
  let minDigits = precision;
  if (precision < 0 && zero && width >= 0 && !minus) {
    minDigits = width;
    if (negative || plus || space) minDigits--;
  }
  putSign(negative);
  if (sharp || verb == 0x4f) {
    if (verb == 0x78) out.putStatic("0x");
    else if (verb == 0x58) out.putStatic("0X");
    else if (verb == 0x62) out.putStatic("0b");
    else if (verb == 0x4f) out.putStatic("0o");
    else if (verb == 0x6f && minDigits <= strLen(digits) && !isZero) out.put(0x30);
  }
  for (let i = strLen(digits); i < minDigits; i++) out.put(0x30);
  const p = strPtr(digits);
  for (let i = 0; i < strLen(digits); i++) {
    const c = <i32>load<u8>(p + i);
    out.put(verb == 0x58 && c >= 0x61 ? c - 32 : c);
  }
  pad(start, false);
}

/** The argument as a rune for %c, %q and %U: U+FFFD when it is none. */
function argRune(): i32 {
  if (argKind != GO_INT || argInt < 0 || argInt > 0x10ffff || (argInt >= 0xd800 && argInt <= 0xdfff))
    return REPLACEMENT;
  return <i32>argInt;
}

/** Go's fmtUnicode: U+ and at least 4 (or precision) upper-case hex digits of the int as uint64, then ' 'x'' with # when printable. */
function putUnicode(): void {
  const start = out.length;
  const u = <u64>argInt;
  let digits = 1;
  for (let v = u >> 4; v != 0; v >>= 4) digits++;
  out.putStatic("U+");
  for (let i = digits; i < max(precision, 4); i++) out.put(0x30);
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out.put(HEX_UPPER.charCodeAt(<i32>((u >> <u64>shift) & 15)));
  if (sharp && u <= 0x10ffff && isPrint(<i32>u)) {
    out.putStatic(" '");
    putRune(<i32>u);
    out.put(0x27);
  }
  pad(start, false);
}

function putRune(r: i32): void {
  out.reserve(4);
  out.length += encodeRune(out.at(out.length), r);
}

// ---- floats: decimal digits d[0..nd) with the point at dp, value 0.d × 10^dp (Go's decimal) ----

let digs: usize = 0;
let nd: i32 = 0;
let dp: i32 = 0;

function trimZeros(): void {
  while (nd > 0 && load<u8>(digs + <usize>(nd - 1)) == 0x30) nd--;
  if (nd == 0) dp = 0;
}

/** The shortest digits that read back as f (the digits JSON output uses). */
function shortestDigits(f: f64): void {
  const text = numberText(makeFloat(Math.abs(f), 0, 0));
  const p = strPtr(text);
  const n = strLen(text);
  digs = opa_malloc(<usize>n);
  nd = 0;
  dp = 0;
  let seenPoint = false;
  let i = 0;
  for (; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 0x2e) {
      seenPoint = true;
      continue;
    }
    if (c < 0x30 || c > 0x39) break;
    if (nd == 0 && c == 0x30) {
      if (seenPoint) dp--;
      continue;
    }
    store<u8>(digs + <usize>nd, c);
    nd++;
    if (!seenPoint) dp++;
  }
  if (i < n) {
    // An exponent: e, its sign, its digits.
    i++;
    const negativeExponent = load<u8>(p + i) == 0x2d;
    if (load<u8>(p + i) == 0x2d || load<u8>(p + i) == 0x2b) i++;
    let e = 0;
    for (; i < n; i++) e = e * 10 + (load<u8>(p + i) - 0x30);
    dp += negativeExponent ? -e : e;
  }
  trimZeros();
}

/** The exact decimal value of |f| (a double is m × 2^e: finitely many decimal digits). */
function exactDigits(f: f64): void {
  const bits = reinterpret<u64>(Math.abs(f));
  const biased = <i32>((bits >> 52) & 0x7ff);
  let mantissa = bits & 0xfffffffffffff;
  let exponent = biased - 1075;
  if (biased == 0) exponent = -1074;
  else mantissa |= <u64>1 << 52;
  digs = opa_malloc(1200);
  nd = 0;
  dp = 0;
  if (mantissa == 0) return;
  let m = mantissa;
  const scratch = opa_malloc(20);
  let k = 0;
  while (m > 0) {
    store<u8>(scratch + <usize>k, <u8>(0x30 + <i32>(m % 10)));
    k++;
    m /= 10;
  }
  while (k > 0) {
    k--;
    store<u8>(digs + <usize>nd, load<u8>(scratch + <usize>k));
    nd++;
  }
  dp = nd;
  for (; exponent > 0; exponent--) {
    let carry = 0;
    for (let i = nd - 1; i >= 0; i--) {
      const cur = (<i32>load<u8>(digs + <usize>i) - 0x30) * 2 + carry;
      store<u8>(digs + <usize>i, <u8>(0x30 + cur % 10));
      carry = cur / 10;
    }
    if (carry > 0) {
      memory.copy(digs + 1, digs, <usize>nd);
      store<u8>(digs, <u8>(0x30 + carry));
      nd++;
      dp++;
    }
  }
  for (; exponent < 0; exponent++) {
    let rem = 0;
    for (let i = 0; i < nd; i++) {
      const cur = rem * 10 + (<i32>load<u8>(digs + <usize>i) - 0x30);
      store<u8>(digs + <usize>i, <u8>(0x30 + (cur >> 1)));
      rem = cur & 1;
    }
    if (rem > 0) {
      store<u8>(digs + <usize>nd, 0x35);
      nd++;
    }
    if (load<u8>(digs) == 0x30) {
      memory.copy(digs, digs + 1, <usize>(nd - 1));
      nd--;
      dp--;
    }
  }
  trimZeros();
}

/** Rounds to n digits, half to even on an exact tie, as Go's strconv does. */
function roundDigits(n: i32): void {
  if (n < 0 || n >= nd) return;
  const next = load<u8>(digs + <usize>n);
  let up = next >= 0x35;
  if (next == 0x35 && n + 1 == nd) up = n > 0 && (load<u8>(digs + <usize>(n - 1)) & 1) == 1;
  if (!up) {
    nd = n;
    trimZeros();
    return;
  }
  let i = n - 1;
  while (i >= 0 && load<u8>(digs + <usize>i) == 0x39) i--;
  if (i < 0) {
    store<u8>(digs, 0x31);
    nd = 1;
    dp++;
    return;
  }
  store<u8>(digs + <usize>i, load<u8>(digs + <usize>i) + 1);
  nd = i + 1;
}

function digitAt(i: i32): i32 {
  return i >= 0 && i < nd ? <i32>load<u8>(digs + <usize>i) : 0x30;
}

/** strconv's %e body: d.ddd, then e±dd. */
function putExponentForm(prec: i32, upper: bool): void {
  out.put(digitAt(0));
  if (prec > 0) {
    out.put(0x2e);
    for (let i = 1; i <= prec; i++) out.put(digitAt(i));
  }
  out.put(upper ? 0x45 : 0x65);
  let exp = nd == 0 ? 0 : dp - 1;
  if (exp < 0) {
    out.put(0x2d);
    exp = -exp;
  } else out.put(0x2b);
  if (exp >= 100) out.put(0x30 + exp / 100);
  out.put(0x30 + (exp / 10) % 10);
  out.put(0x30 + exp % 10);
}

/** strconv's %f body: the integer digits, then prec decimals. */
function putFixedForm(prec: i32): void {
  if (dp > 0) for (let i = 0; i < dp; i++) out.put(digitAt(i));
  else out.put(0x30);
  if (prec > 0) {
    out.put(0x2e);
    for (let i = 1; i <= prec; i++) out.put(digitAt(dp + i - 1));
  }
}

const DOUBLE_BIAS: i32 = 1023;
const MANTISSA_BITS: i32 = 52;

/** strconv's %b body: the mantissa in decimal, then p and the binary exponent. */
function putBinaryForm(mantissa: u64, exponent: i32): void {
  const limbs = opa_malloc(8);
  store<u64>(limbs, mantissa);
  const top = mantissa == 0 ? 0 : mantissa >> 32 == 0 ? 1 : 2;
  putText(bigDigits(limbs, top, 10, false));
  out.put(0x70);
  exponent -= MANTISSA_BITS;
  if (exponent >= 0) out.put(0x2b);
  else {
    out.put(0x2d);
    exponent = -exponent;
  }
  putDecimal(exponent, 1);
}

/** A non-negative number's decimal digits, at least minDigits of them (no AssemblyScript strings: they would take heap the runtime's allocator owns). */
function putDecimal(n: i32, minDigits: i32): void {
  let digits = 1;
  for (let m = n; m >= 10; m /= 10) digits++;
  for (let i = digits; i < minDigits; i++) out.put(0x30);
  out.reserve(digits);
  for (let i = digits - 1; i >= 0; i--, n /= 10) store<u8>(out.at(out.length + i), <u8>(0x30 + n % 10));
  out.length += digits;
}

/**
 * strconv's %x body: 0x, the leading bit, the fraction in hex digits (prec of them, rounded half
 * to even, or as few as exact when prec < 0), then p and the binary exponent, at least two digits.
 */
function putHexForm(mantissa: u64, exponent: i32, prec: i32, upper: bool): void {
  if (mantissa == 0) exponent = 0;
  // The leading 1, if any, at bit 60.
  mantissa <<= <u64>(60 - MANTISSA_BITS);
  while (mantissa != 0 && (mantissa & (<u64>1 << 60)) == 0) {
    mantissa <<= 1;
    exponent--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = <u64>(prec * 4);
    const extra = (mantissa << shift) & ((<u64>1 << 60) - 1);
    mantissa >>= 60 - shift;
    if ((extra | (mantissa & 1)) > <u64>1 << 59) mantissa++;
    mantissa <<= 60 - shift;
    if ((mantissa & (<u64>1 << 61)) != 0) {
      mantissa >>= 1;
      exponent++;
    }
  }
  const digits = upper ? HEX_UPPER : HEX_LOWER;
  out.put(0x30);
  out.put(upper ? 0x58 : 0x78);
  out.put(0x30 + <i32>((mantissa >> 60) & 1));
  mantissa <<= 4;
  if (prec < 0 && mantissa != 0) {
    out.put(0x2e);
    for (; mantissa != 0; mantissa <<= 4) out.put(digits.charCodeAt(<i32>(mantissa >> 60)));
  } else if (prec > 0) {
    out.put(0x2e);
    for (let i = 0; i < prec; i++, mantissa <<= 4) out.put(digits.charCodeAt(<i32>(mantissa >> 60)));
  }
  out.put(upper ? 0x50 : 0x70);
  if (exponent < 0) {
    out.put(0x2d);
    exponent = -exponent;
  } else out.put(0x2b);
  putDecimal(exponent, 2);
}

/** Go's %v, %g, %e, %f, %b and %x of a float64, with its sign and padding. */
function putFloat(verb: i32): void {
  const f = argFloat;
  const start = out.length;
  putSign(f < 0);
  const body = out.length;
  const upper = verb == 0x45 || verb == 0x47 || verb == 0x58;
  if (verb == 0x62 || verb == 0x78 || verb == 0x58) {
    // The double's own mantissa and binary exponent, as strconv splits them.
    const bits = reinterpret<u64>(f);
    const biased = <i32>((bits >> MANTISSA_BITS) & 0x7ff);
    let mantissa = bits & ((<u64>1 << MANTISSA_BITS) - 1);
    let exponent = biased - DOUBLE_BIAS;
    if (biased == 0) exponent++;
    else mantissa |= <u64>1 << MANTISSA_BITS;
    if (verb == 0x62) putBinaryForm(mantissa, exponent);
    else putHexForm(mantissa, exponent, precision, upper);
  } else if (verb == 0x65 || verb == 0x45) {
    const prec = precision < 0 ? 6 : precision;
    exactDigits(f);
    roundDigits(prec + 1);
    putExponentForm(prec, upper);
  } else if (verb == 0x66 || verb == 0x46) {
    const prec = precision < 0 ? 6 : precision;
    exactDigits(f);
    roundDigits(dp + prec);
    putFixedForm(prec);
  } else {
    const shortest = precision < 0;
    let prec = precision;
    if (shortest) {
      shortestDigits(f);
      prec = nd;
    } else {
      if (prec == 0) prec = 1;
      exactDigits(f);
      roundDigits(prec);
    }
    let eprec = prec;
    if (eprec > nd && nd >= dp) eprec = nd;
    if (shortest) eprec = 6;
    const exp = dp - 1;
    if (exp < -4 || exp >= eprec) {
      if (prec > nd) prec = nd;
      putExponentForm(prec - 1, upper);
    } else {
      if (prec > dp) prec = nd;
      putFixedForm(max(prec - dp, 0));
    }
  }
  if (sharp && verb != 0x62) keepPoint(body, verb);
  pad(start, zero && !minus, true);
}

/**
 * Go's # for floats, over the number written from `body` on: a decimal point always, and for %g
 * and %x trailing zeros up to the precision (6 without one), counting Go's way (for %x the 0x
 * counts too, as in Go).
 */
function keepPoint(body: i32, verb: i32): void {
  let digits = 0;
  if (verb == 0x67 || verb == 0x47 || verb == 0x78) digits = precision < 0 ? 6 : precision;
  let tail = out.length;
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = body; i < out.length; i++) {
    const c = <i32>load<u8>(out.at(i));
    if (c == 0x2e) hasPoint = true;
    else if (c == 0x70 || c == 0x50 || ((c == 0x65 || c == 0x45) && verb != 0x78 && verb != 0x58)) {
      tail = i;
      break;
    } else {
      if (c != 0x30) sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  // The exponent moves behind what is added.
  const exponent = out.takeFrom(tail);
  if (!hasPoint) {
    // A lone 0 counts once.
    if (tail - body == 1 && load<u8>(out.at(body)) == 0x30) digits--;
    out.put(0x2e);
  }
  for (; digits > 0; digits--) out.put(0x30);
  putText(exponent);
}

// ---- one directive ----

/** Go's `%!verb(type=value)` for a verb the argument's type has no meaning for. */
function putBadVerb(verb: i32): void {
  out.put(0x25);
  out.put(0x21);
  putRune(verb);
  out.put(0x28);
  if (argKind == GO_BIG_INT) {
    // big.Int formats itself, and says so in its own words: no flags, no padding.
    out.putStatic("big.Int=");
    if (argNegative) out.put(0x2d);
    putText(argText);
  } else {
    putGoTypeName();
    out.put(0x3d);
    putArgument(0x76);
  }
  out.put(0x29);
}

function putArgument(verb: i32): void {
  if (verb == 0x54) {
    // %T: the Go type's name, formatted as a string is.
    const start = out.length;
    putGoTypeName();
    if (precision >= 0 && out.length - start > precision) out.length = start + precision;
    pad(start, zero && !minus);
    return;
  }
  if (argKind == GO_INT || argKind == GO_BIG_INT) {
    // big.Int's own Format reads + from %+v too.
    if (argKind == GO_BIG_INT && verb == 0x76) plus = plusV;
    if (verb == 0x76 || verb == 0x64 || verb == 0x62 || verb == 0x6f || verb == 0x4f || verb == 0x78 || verb == 0x58)
      putInteger(verb);
    else if (argKind == GO_BIG_INT && verb == 0x73) putInteger(0x64);
    else if (argKind == GO_INT && verb == 0x63) {
      const start = out.length;
      putRune(argRune());
      pad(start, zero && !minus);
    } else if (argKind == GO_INT && verb == 0x71) {
      const start = out.length;
      const buf = opa_malloc(4);
      putQuoted(out, buf, encodeRune(buf, argRune()), 0x27, plus);
      pad(start, zero && !minus);
    } else if (argKind == GO_INT && verb == 0x55) putUnicode();
    else putBadVerb(verb);
    return;
  }
  if (argKind == GO_FLOAT) {
    if (isFloatVerb(verb)) putFloat(verb);
    else putBadVerb(verb);
    return;
  }
  const p = strPtr(argText);
  const n = strLen(argText);
  const start = out.length;
  if (verb == 0x78 || verb == 0x58) putHexText(p, n, verb == 0x58);
  else if (verb == 0x73 || (verb == 0x76 && !sharpV)) out.putBytes(p, truncatedLength(p, n));
  else if (verb == 0x71 || verb == 0x76) {
    const length = truncatedLength(p, n);
    // %#q: a raw string when Go can write one.
    if (sharp && canBackquote(p, length)) {
      out.put(0x60);
      out.putBytes(p, length);
      out.put(0x60);
    } else putQuoted(out, p, length, 0x22, plus);
  }
  else {
    putBadVerb(verb);
    return;
  }
  pad(start, zero && !minus);
}

/** %v %g %G %e %E %f %F %b %x %X: the verbs Go formats a float64 with. */
function isFloatVerb(verb: i32): bool {
  switch (verb) {
    case 0x76:
    case 0x67:
    case 0x47:
    case 0x65:
    case 0x45:
    case 0x66:
    case 0x46:
    case 0x62:
    case 0x78:
    case 0x58:
      return true;
    default:
      return false;
  }
}

/** The bytes of the first `precision` runes (all of them without a precision), as Go truncates. */
function truncatedLength(p: usize, n: i32): i32 {
  if (precision < 0) return n;
  const end = p + <usize>n;
  let at = p;
  for (let i = 0; i < precision && at < end; i++) {
    decodeRune(at, end);
    at += <usize>decodedWidth();
  }
  return <i32>(at - p);
}

/** Go's fmtSbx: two hex digits a byte (of the first `precision`), 0x once with #, or each with `# `. */
function putHexText(p: usize, n: i32, upper: bool): void {
  if (precision >= 0 && precision < n) n = precision;
  if (n == 0) return;
  const prefix = upper ? "0X" : "0x";
  if (sharp) out.putStatic(prefix);
  for (let i = 0; i < n; i++) {
    if (space && i > 0) {
      out.put(0x20);
      if (sharp) out.putStatic(prefix);
    }
    putHexByte(load<u8>(p + i), upper);
  }
}

function clearFlags(): void {
  minus = false;
  plus = false;
  space = false;
  zero = false;
  sharp = false;
  plusV = false;
  sharpV = false;
  width = -1;
  precision = -1;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

// ---- the format string: where parsing stands and which argument is next (Go's doPrintf) ----

let format: usize = 0;
let formatLength: i32 = 0;
let at: i32 = 0;
let argNum: i32 = 0;
let argCount: i32 = 0;
/** An explicit index `[n]` was used: unused arguments are then not reported as EXTRA. */
let reordered = false;
/** The last index of this directive was valid. */
let goodArgNum = true;

function formatByte(i: i32): i32 {
  return <i32>load<u8>(format + <usize>i);
}

/**
 * Go's parsenum over [at, end): the number, or -1 when there is none; one past GO_MAX_NUMBER
 * gives -2 and moves `at` to the end of the format, as Go's overflow does.
 */
function parseNumber(end: i32): i32 {
  let number = -1;
  while (at < end && isDigit(formatByte(at))) {
    if (number > GO_MAX_NUMBER) {
      at = formatLength;
      return -2;
    }
    number = (number < 0 ? 0 : number * 10) + formatByte(at) - 0x30;
    at++;
  }
  return number;
}

/**
 * Go's argNumber: an explicit `[n]` at `at` selects argument n (one-based). Whether one was there
 * and parsed; an index out of range leaves goodArgNum false.
 */
function argumentIndex(): bool {
  if (at >= formatLength || formatByte(at) != 0x5b) return false;
  reordered = true;
  let close = at + 1;
  while (close < formatLength && formatByte(close) != 0x5d) close++;
  if (formatLength - at < 3 || close >= formatLength) {
    at++;
    goodArgNum = false;
    return false;
  }
  at++;
  const index = parseNumber(close);
  const parsed = index >= 0 && at == close;
  at = close + 1;
  if (parsed && index >= 1 && index <= argCount) {
    argNum = index - 1;
    return true;
  }
  goodArgNum = false;
  return parsed;
}

/**
 * Go's intFromArg for `*`: the next argument as a width or precision when it is an int within
 * Go's bound, else -1 (the caller prints BADWIDTH or BADPREC). Moves past it when there is one.
 */
function intFromArgument(args: usize): i64 {
  if (argNum >= argCount) return -1 - GO_MAX_NUMBER;
  const v = arrGet(args, argNum++);
  if (typeOf(v) != NUMBER || !isInt(v)) return -1 - GO_MAX_NUMBER;
  const n = intValue(v);
  return n > GO_MAX_NUMBER || n < -GO_MAX_NUMBER ? -1 - GO_MAX_NUMBER : n;
}

/** Refuses what Go would pad but memory may not hold: an error, not a truncated text. */
function tooWide(n: i32): bool {
  if (n <= MAX_WIDTH) return false;
  builtinError("sprintf: format width or precision over 100000");
  return true;
}

/** Go's fmt.Sprintf(format, args...) with OPA's conversion of the arguments. */
export function b_sprintf(text: usize, args: usize): usize {
  if (typeOf(text) != STRING) {
    typeError("sprintf", 1, "string", text);
    return 0;
  }
  if (typeOf(args) != ARRAY) {
    typeError("sprintf", 2, "array", args);
    return 0;
  }
  out.begin(64);
  format = strPtr(text);
  formatLength = strLen(text);
  const end = format + <usize>formatLength;
  argCount = arrLen(args);
  argNum = 0;
  reordered = false;
  at = 0;
  while (at < formatLength) {
    goodArgNum = true;
    const literal = at;
    while (at < formatLength && formatByte(at) != 0x25) at++;
    if (at > literal) out.putBytes(format + <usize>literal, at - literal);
    if (at >= formatLength) break;
    at++;
    clearFlags();
    for (; at < formatLength; at++) {
      const f = formatByte(at);
      if (f == 0x2d) {
        minus = true;
        zero = false;
      } else if (f == 0x2b) plus = true;
      else if (f == 0x20) space = true;
      else if (f == 0x30) zero = !minus;
      else if (f == 0x23) sharp = true;
      else break;
    }
    let afterIndex = argumentIndex();
    if (at < formatLength && formatByte(at) == 0x2a) {
      at++;
      const n = intFromArgument(args);
      if (n < -GO_MAX_NUMBER) out.putStatic("%!(BADWIDTH)");
      else if (n < 0) {
        // A negative width pads on the right.
        width = <i32>-n;
        minus = true;
        zero = false;
      } else width = <i32>n;
      afterIndex = false;
    } else {
      width = parseNumber(formatLength);
      // "%[3]2d": a width after an index is misplaced.
      if (afterIndex && width >= 0) goodArgNum = false;
    }
    if (at + 1 < formatLength && formatByte(at) == 0x2e) {
      at++;
      if (afterIndex) goodArgNum = false;
      afterIndex = argumentIndex();
      if (at < formatLength && formatByte(at) == 0x2a) {
        at++;
        const n = intFromArgument(args);
        // A negative precision is as bad as none.
        if (n < 0) out.putStatic("%!(BADPREC)");
        else precision = <i32>n;
        afterIndex = false;
      } else precision = max(parseNumber(formatLength), 0);
    }
    if (tooWide(width) || tooWide(precision)) return 0;
    if (!afterIndex) afterIndex = argumentIndex();
    if (at >= formatLength) {
      out.putStatic("%!(NOVERB)");
      break;
    }
    const verb = decodeRune(format + <usize>at, end);
    at += decodedWidth();
    if (verb == 0x25) {
      // %% takes no argument and ignores the width and flags.
      out.put(0x25);
      continue;
    }
    if (!goodArgNum) {
      out.put(0x25);
      out.put(0x21);
      putRune(verb);
      out.putStatic("(BADINDEX)");
      continue;
    }
    if (argNum >= argCount) {
      out.put(0x25);
      out.put(0x21);
      putRune(verb);
      out.putStatic("(MISSING)");
      continue;
    }
    if (verb == 0x76) {
      sharpV = sharp;
      sharp = false;
      plusV = plus;
      plus = false;
    }
    takeArgument(arrGet(args, argNum++));
    putArgument(verb);
  }
  if (!reordered && argNum < argCount) {
    clearFlags();
    out.putStatic("%!(EXTRA ");
    for (let k = argNum; k < argCount; k++) {
      if (k > argNum) out.putStatic(", ");
      takeArgument(arrGet(args, k));
      putGoTypeName();
      out.put(0x3d);
      putArgument(0x76);
    }
    out.put(0x29);
  }
  return out.text();
}
