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

// ---- Rego text and Go quoting ----

/**
 * Go's strconv.Quote as the old host version applied it: escapes for `"`, `\`, the C escapes
 * and other control characters (`\x1b`, `\x7f`), bytes that are not UTF-8 as `\xff`; every
 * other character as it is. `quote` is the delimiter (`'` for a rune).
 */
function putQuoted(p: usize, n: i32, quote: i32): void {
  out.put(quote);
  const end = p + <usize>n;
  for (let at = p; at < end; ) {
    const r = decodeRune(at, end);
    const width = decodedWidth();
    if (r == REPLACEMENT && width == 1) {
      out.put(0x5c);
      out.put(0x78);
      putHexByte(load<u8>(at), false);
    } else if (r == quote || r == 0x5c) {
      out.put(0x5c);
      out.put(r);
    } else if (r < 0x20 || r == 0x7f) {
      out.put(0x5c);
      if (r == 0x07) out.put(0x61);
      else if (r == 0x08) out.put(0x62);
      else if (r == 0x0c) out.put(0x66);
      else if (r == 0x0a) out.put(0x6e);
      else if (r == 0x0d) out.put(0x72);
      else if (r == 0x09) out.put(0x74);
      else if (r == 0x0b) out.put(0x76);
      else {
        out.put(0x78);
        putHexByte(r, false);
      }
    } else out.putBytes(at, width);
    at += <usize>width;
  }
  out.put(quote);
}

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
      putQuoted(strPtr(v), strLen(v), 0x22);
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
let width: i32 = -1;
let precision: i32 = -1;

/** Widths and precisions past this are refused: Go would pad to them, memory may not hold them. */
const MAX_WIDTH: i32 = 100_000;

/** Pads what was written since start to the width (in runes), after the sign when zeroFill. */
function pad(start: i32, zeroFill: bool): void {
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
  if (zeroFill) {
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

/** Go's %v, %g, %e and %f of a float64, with its sign and padding. */
function putFloat(verb: i32): void {
  const f = argFloat;
  const start = out.length;
  putSign(f < 0);
  const upper = verb == 0x45 || verb == 0x47;
  if (verb == 0x65 || verb == 0x45) {
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
  pad(start, zero && !minus);
}

// ---- one directive ----

/** Go's `%!verb(type=value)` for a verb the argument's type has no meaning for. */
function putBadVerb(verb: i32): void {
  out.put(0x25);
  out.put(0x21);
  putRune(verb);
  out.put(0x28);
  putGoTypeName();
  out.put(0x3d);
  putArgument(0x76);
  out.put(0x29);
}

function putArgument(verb: i32): void {
  if (argKind == GO_INT || argKind == GO_BIG_INT) {
    if (verb == 0x76 || verb == 0x64 || verb == 0x62 || verb == 0x6f || verb == 0x4f || verb == 0x78 || verb == 0x58)
      putInteger(verb);
    else if (argKind == GO_BIG_INT && verb == 0x73) putInteger(0x64);
    else if (argKind == GO_INT && verb == 0x63) {
      const start = out.length;
      putRune(argRune());
      pad(start, false);
    } else if (argKind == GO_INT && verb == 0x71) {
      const start = out.length;
      const buf = opa_malloc(4);
      putQuoted(buf, encodeRune(buf, argRune()), 0x27);
      pad(start, false);
    } else if (argKind == GO_INT && verb == 0x55) {
      const start = out.length;
      out.putStatic("U+");
      const hex = magnitudeDigits(16);
      for (let i = strLen(hex); i < 4; i++) out.put(0x30);
      for (let i = 0; i < strLen(hex); i++) {
        const c = <i32>load<u8>(strPtr(hex) + i);
        out.put(c >= 0x61 ? c - 32 : c);
      }
      pad(start, false);
    } else putBadVerb(verb);
    return;
  }
  if (argKind == GO_FLOAT) {
    if (verb == 0x76 || verb == 0x67 || verb == 0x47 || verb == 0x65 || verb == 0x45 || verb == 0x66 || verb == 0x46)
      putFloat(verb);
    else putBadVerb(verb);
    return;
  }
  const p = strPtr(argText);
  const n = strLen(argText);
  const start = out.length;
  if (verb == 0x76 || verb == 0x73) {
    if (precision < 0) out.putBytes(p, n);
    else {
      // Precision counts runes.
      const end = p + <usize>n;
      let at = p;
      for (let i = 0; i < precision && at < end; i++) {
        decodeRune(at, end);
        at += <usize>decodedWidth();
      }
      out.putBytes(p, <i32>(at - p));
    }
  } else if (verb == 0x71) putQuoted(p, n, 0x22);
  else if (verb == 0x78 || verb == 0x58) {
    if (sharp) out.putStatic(verb == 0x58 ? "0X" : "0x");
    for (let i = 0; i < n; i++) putHexByte(load<u8>(p + i), verb == 0x58);
  } else {
    putBadVerb(verb);
    return;
  }
  pad(start, false);
}

function clearFlags(): void {
  minus = false;
  plus = false;
  space = false;
  zero = false;
  sharp = false;
  width = -1;
  precision = -1;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** Go's fmt.Sprintf(format, args...) with OPA's conversion of the arguments. */
export function b_sprintf(format: usize, args: usize): usize {
  if (typeOf(format) != STRING) {
    typeError("sprintf", 1, "string", format);
    return 0;
  }
  if (typeOf(args) != ARRAY) {
    typeError("sprintf", 2, "array", args);
    return 0;
  }
  out.begin(64);
  const p = strPtr(format);
  const n = strLen(format);
  const end = p + <usize>n;
  const count = arrLen(args);
  let next = 0;
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c != 0x25) {
      out.put(c);
      i++;
      continue;
    }
    i++;
    clearFlags();
    for (; i < n; i++) {
      const f = <i32>load<u8>(p + <usize>i);
      if (f == 0x2d) {
        minus = true;
        zero = false;
      } else if (f == 0x2b) plus = true;
      else if (f == 0x20) space = true;
      else if (f == 0x30) zero = !minus;
      else if (f == 0x23) sharp = true;
      else break;
    }
    if (i < n && isDigit(load<u8>(p + <usize>i))) {
      width = 0;
      while (i < n && isDigit(load<u8>(p + <usize>i)) && width <= MAX_WIDTH) {
        width = width * 10 + (load<u8>(p + <usize>i) - 0x30);
        i++;
      }
    }
    if (i < n && load<u8>(p + <usize>i) == 0x2e) {
      i++;
      precision = 0;
      while (i < n && isDigit(load<u8>(p + <usize>i)) && precision <= MAX_WIDTH) {
        precision = precision * 10 + (load<u8>(p + <usize>i) - 0x30);
        i++;
      }
    }
    if (width > MAX_WIDTH || precision > MAX_WIDTH) {
      builtinError("sprintf: format width or precision over 100000");
      return 0;
    }
    if (i >= n) {
      out.putStatic("%!(NOVERB)");
      break;
    }
    const verb = decodeRune(p + <usize>i, end);
    i += decodedWidth();
    if (verb == 0x25) {
      out.put(0x25);
      continue;
    }
    if (next >= count) {
      out.put(0x25);
      out.put(0x21);
      putRune(verb);
      out.putStatic("(MISSING)");
      continue;
    }
    takeArgument(arrGet(args, next++));
    putArgument(verb);
  }
  if (next < count) {
    clearFlags();
    out.putStatic("%!(EXTRA ");
    for (let k = next; k < count; k++) {
      if (k > next) out.putStatic(", ");
      takeArgument(arrGet(args, k));
      putGoTypeName();
      out.put(0x3d);
      putArgument(0x76);
    }
    out.put(0x29);
  }
  return out.text();
}
