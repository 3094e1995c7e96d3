// Rego's string builtins that look at characters rather than bytes, native as in OPA's own Wasm
// so that a plain OPA SDK runs them: case mapping (Go's unicode.ToUpper/ToLower, one code point
// to one, from case-ranges.ts), splitting, replacing, trimming, searching and integer text. Text
// is UTF-8; a byte that starts no valid sequence reads as U+FFFD, one byte wide, as in Go.

import { opa_malloc, copyBytes } from "./memory";
import {
  STRING,
  NUMBER,
  typeOf,
  isInt,
  intValue,
  numberAsFloat,
  asExactInt,
  exactInt,
  rt_number_int,
  rt_array,
  rt_array_append,
  makeString,
  strLen,
  strPtr,
} from "./value";
import { formatIntCount, formatIntLimbs, formatIntNegative, hasText } from "./decimal";
import { builtinError, builtinErrorCount, typeError, typeErrorText } from "./errors";
import { CASE_RANGES, CASE_RANGE_COUNT, UPPER_LOWER } from "./case-ranges";
import {
  decodeRune,
  decodeLastRune,
  decodedWidth,
  encodeRune,
  encodedWidth,
  runeCount,
  bigDigits,
} from "./text";

function stringOperand(name: string, operand: i32, v: usize): bool {
  if (typeOf(v) == STRING) return true;
  typeError(name, operand, "string", v);
  return false;
}

// ---- case mapping ----

/** Go's unicode.ToUpper (upper) or unicode.ToLower of one rune. */
function mapCase(r: i32, upper: bool): i32 {
  if (r < 0x80) {
    if (upper && r >= 0x61 && r <= 0x7a) return r - 32;
    if (!upper && r >= 0x41 && r <= 0x5a) return r + 32;
    return r;
  }
  let lo = 0;
  let hi = CASE_RANGE_COUNT;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const range = CASE_RANGES + (<usize>mid << 4);
    if (r < load<i32>(range)) hi = mid;
    else if (r > load<i32>(range, 4)) lo = mid + 1;
    else {
      const delta = upper ? load<i32>(range, 8) : load<i32>(range, 12);
      if (delta != UPPER_LOWER) return r + delta;
      const first = load<i32>(range);
      return first + (upper ? (r - first) & ~1 : (r - first) | 1);
    }
  }
  return r;
}

function mapString(s: usize, upper: bool): usize {
  const p = strPtr(s);
  const len = strLen(s);
  const end = p + <usize>len;
  let size = 0;
  for (let at = p; at < end; at += <usize>decodedWidth()) size += encodedWidth(mapCase(decodeRune(at, end), upper));
  const out = opa_malloc(<usize>size);
  let o = out;
  for (let at = p; at < end; at += <usize>decodedWidth()) o += <usize>encodeRune(o, mapCase(decodeRune(at, end), upper));
  return makeString(out, size);
}

export function b_lower(s: usize): usize {
  if (!stringOperand("lower", 1, s)) return 0;
  return mapString(s, false);
}

export function b_upper(s: usize): usize {
  if (!stringOperand("upper", 1, s)) return 0;
  return mapString(s, true);
}

// ---- searching, splitting, replacing ----

/** Byte offset of needle in s at or after from, or -1. */
function indexFrom(s: usize, from: i32, needle: usize): i32 {
  const n = strLen(s);
  const m = strLen(needle);
  const p = strPtr(s);
  const q = strPtr(needle);
  for (let i = from; i + m <= n; i++) if (memory.compare(p + <usize>i, q, <usize>m) == 0) return i;
  return -1;
}

/** Non-overlapping occurrences of a non-empty needle, left to right. */
function occurrences(s: usize, needle: usize): i32 {
  let n = 0;
  for (let at = indexFrom(s, 0, needle); at >= 0; at = indexFrom(s, at + strLen(needle), needle)) n++;
  return n;
}

export function b_split(s: usize, delimiter: usize): usize {
  if (!stringOperand("split", 1, s) || !stringOperand("split", 2, delimiter)) return 0;
  const p = strPtr(s);
  const len = strLen(s);
  if (strLen(delimiter) == 0) {
    const end = p + <usize>len;
    const parts = rt_array(runeCount(p, len));
    for (let at = p; at < end; at += <usize>decodedWidth()) {
      decodeRune(at, end);
      rt_array_append(parts, makeString(at, decodedWidth()));
    }
    return parts;
  }
  const parts = rt_array(occurrences(s, delimiter) + 1);
  let start = 0;
  for (let at = indexFrom(s, 0, delimiter); at >= 0; at = indexFrom(s, start, delimiter)) {
    rt_array_append(parts, makeString(p + <usize>start, at - start));
    start = at + strLen(delimiter);
  }
  rt_array_append(parts, makeString(p + <usize>start, len - start));
  return parts;
}

export function b_replace(s: usize, old: usize, replacement: usize): usize {
  if (
    !stringOperand("replace", 1, s) ||
    !stringOperand("replace", 2, old) ||
    !stringOperand("replace", 3, replacement)
  )
    return 0;
  const p = strPtr(s);
  const len = strLen(s);
  const r = strPtr(replacement);
  const rLen = strLen(replacement);
  if (strLen(old) == 0) {
    // Before the first rune and after each, as Go's strings.Replace does.
    const end = p + <usize>len;
    const size = len + (runeCount(p, len) + 1) * rLen;
    const out = opa_malloc(<usize>size);
    copyBytes(out, r, rLen);
    let o = out + <usize>rLen;
    for (let at = p; at < end; at += <usize>decodedWidth()) {
      decodeRune(at, end);
      copyBytes(o, at, decodedWidth());
      o += <usize>decodedWidth();
      copyBytes(o, r, rLen);
      o += <usize>rLen;
    }
    return makeString(out, size);
  }
  const found = occurrences(s, old);
  if (found == 0) return s;
  const size = len + found * (rLen - strLen(old));
  const out = opa_malloc(<usize>size);
  let o = out;
  let start = 0;
  for (let at = indexFrom(s, 0, old); at >= 0; at = indexFrom(s, start, old)) {
    copyBytes(o, p + <usize>start, at - start);
    o += <usize>(at - start);
    copyBytes(o, r, rLen);
    o += <usize>rLen;
    start = at + strLen(old);
  }
  copyBytes(o, p + <usize>start, len - start);
  return makeString(out, size);
}

export function b_indexof(s: usize, needle: usize): usize {
  if (!stringOperand("indexof", 1, s) || !stringOperand("indexof", 2, needle)) return 0;
  if (strLen(needle) == 0) {
    builtinError("indexof: empty search character");
    return 0;
  }
  const at = indexFrom(s, 0, needle);
  return rt_number_int(at < 0 ? -1 : runeCount(strPtr(s), at));
}

export function b_strings_count(s: usize, needle: usize): usize {
  if (!stringOperand("strings.count", 1, s) || !stringOperand("strings.count", 2, needle)) return 0;
  if (strLen(needle) == 0) return rt_number_int(runeCount(strPtr(s), strLen(s)) + 1);
  return rt_number_int(occurrences(s, needle));
}

export function b_substring(s: usize, start: usize, length: usize): usize {
  if (!stringOperand("substring", 1, s)) return 0;
  if (typeOf(start) != NUMBER) {
    typeError("substring", 2, "number", start);
    return 0;
  }
  if (typeOf(length) != NUMBER) {
    typeError("substring", 3, "number", length);
    return 0;
  }
  if (!asExactInt(start)) {
    builtinError("substring: operands 2 and 3 must be integers");
    return 0;
  }
  const from = exactInt();
  if (!asExactInt(length)) {
    builtinError("substring: operands 2 and 3 must be integers");
    return 0;
  }
  const count = exactInt();
  if (from < 0) {
    builtinError("substring: negative offset");
    return 0;
  }
  const p = strPtr(s);
  const end = p + <usize>strLen(s);
  let at = p;
  for (let i: i64 = 0; i < from && at < end; i++) {
    decodeRune(at, end);
    at += <usize>decodedWidth();
  }
  if (at >= end) return makeString(p, 0);
  if (count < 0) return makeString(at, <i32>(end - at));
  let stop = at;
  for (let i: i64 = 0; i < count && stop < end; i++) {
    decodeRune(stop, end);
    stop += <usize>decodedWidth();
  }
  return makeString(at, <i32>(stop - at));
}

// ---- trimming ----

/** Whether rune r is in the cutset's runes. */
function inCutset(r: i32, cutset: usize): bool {
  const p = strPtr(cutset);
  const end = p + <usize>strLen(cutset);
  for (let at = p; at < end; at += <usize>decodedWidth()) if (decodeRune(at, end) == r) return true;
  return false;
}

/** Go's unicode.IsSpace. */
function isSpace(r: i32): bool {
  if (r <= 0xff) return r == 0x20 || (r >= 0x09 && r <= 0x0d) || r == 0x85 || r == 0xa0;
  return (
    r == 0x1680 ||
    (r >= 0x2000 && r <= 0x200a) ||
    r == 0x2028 ||
    r == 0x2029 ||
    r == 0x202f ||
    r == 0x205f ||
    r == 0x3000
  );
}

/** s without the cutset's runes (white space when cutset is 0) at its left and/or right end. */
function trimRunes(s: usize, cutset: usize, left: bool, right: bool): usize {
  const p = strPtr(s);
  let from = p;
  let to = p + <usize>strLen(s);
  while (left && from < to) {
    const r = decodeRune(from, to);
    if (cutset == 0 ? !isSpace(r) : !inCutset(r, cutset)) break;
    from += <usize>decodedWidth();
  }
  while (right && to > from) {
    const r = decodeLastRune(from, to);
    const width = decodedWidth();
    if (cutset == 0 ? !isSpace(r) : !inCutset(r, cutset)) break;
    to -= <usize>width;
  }
  return makeString(from, <i32>(to - from));
}

function trimOperands(name: string, s: usize, cutset: usize): bool {
  return stringOperand(name, 1, s) && stringOperand(name, 2, cutset);
}

export function b_trim(s: usize, cutset: usize): usize {
  if (!trimOperands("trim", s, cutset)) return 0;
  return strLen(cutset) == 0 ? s : trimRunes(s, cutset, true, true);
}

export function b_trim_left(s: usize, cutset: usize): usize {
  if (!trimOperands("trim_left", s, cutset)) return 0;
  return strLen(cutset) == 0 ? s : trimRunes(s, cutset, true, false);
}

export function b_trim_right(s: usize, cutset: usize): usize {
  if (!trimOperands("trim_right", s, cutset)) return 0;
  return strLen(cutset) == 0 ? s : trimRunes(s, cutset, false, true);
}

export function b_trim_space(s: usize): usize {
  if (!stringOperand("trim_space", 1, s)) return 0;
  return trimRunes(s, 0, true, true);
}

// ---- integers as text ----

/**
 * OPA's format_int: the number truncated toward zero (as OPA does, though its docs say down), after
 * OPA reads one that is no int64 into a 64-bit mantissa (`formatIntLimbs`).
 */
export function b_format_int(n: usize, base: usize): usize {
  if (typeOf(n) != NUMBER) {
    typeError("format_int", 1, "number", n);
    return 0;
  }
  if (typeOf(base) != NUMBER) {
    typeError("format_int", 2, "number", base);
    return 0;
  }
  const b = asExactInt(base) ? exactInt() : 0;
  if (b != 2 && b != 8 && b != 10 && b != 16) {
    builtinError("format_int: operand 2 must be one of {2, 8, 10, 16}");
    return 0;
  }
  const limbs = opa_malloc(4 * 34);
  let count = 2;
  let negative = false;
  if (isInt(n)) {
    const v = intValue(n);
    negative = v < 0;
    const magnitude: u64 = negative ? <u64>0 - <u64>v : <u64>v;
    store<u32>(limbs, <u32>magnitude);
    store<u32>(limbs, <u32>(magnitude >> 32), 4);
  } else if (hasText(n)) {
    // OPA's value, from the number's text (`123456789012345678901`, `1e400`): not the double's.
    const exact = formatIntLimbs(n);
    if (exact == 0) {
      builtinError("format_int: operand 1 is too large");
      return 0;
    }
    let top = formatIntCount;
    while (top > 0 && load<u32>(exact + (<usize>(top - 1) << 2)) == 0) top--;
    return bigDigits(exact, top, <u32>b, formatIntNegative && top > 0);
  } else {
    const f = Math.trunc(numberAsFloat(n));
    if (!isFinite(f)) {
      builtinError("format_int: operand 1 is too large");
      return 0;
    }
    negative = f < 0;
    // The double's exact integer value: its 53-bit significand shifted by its exponent.
    const bits = reinterpret<u64>(Math.abs(f));
    const exponent = <i32>((bits >> 52) & 0x7ff);
    if (exponent == 0) return bigDigits(limbs, 0, <u32>b, false);
    let significand = (bits & 0xfffffffffffff) | (<u64>1 << 52);
    let shift = exponent - 1075;
    if (shift < 0) {
      significand >>= <u64>-shift;
      shift = 0;
    }
    count = 2 + (shift >> 5) + 1;
    memory.fill(limbs, 0, <usize>count << 2);
    const word = shift >> 5;
    const bit = <u64>(shift & 31);
    const wide = significand << bit;
    const spill = bit == 0 ? 0 : significand >> (64 - bit);
    store<u32>(limbs + (<usize>word << 2), <u32>wide);
    store<u32>(limbs + (<usize>(word + 1) << 2), <u32>(wide >> 32));
    store<u32>(limbs + (<usize>(word + 2) << 2), <u32>spill);
  }
  let top = count;
  while (top > 0 && load<u32>(limbs + (<usize>(top - 1) << 2)) == 0) top--;
  return bigDigits(limbs, top, <u32>b, negative && top > 0);
}

// ---- numbers.range ----

/**
 * The longest `numbers.range` result: OPA has no limit, but memory does, and failing the call
 * says more than running out of it.
 */
const MAX_RANGE: i64 = 10_000_000;

export function b_numbers_range(a: usize, b: usize): usize {
  if (typeOf(a) != NUMBER) {
    typeError("numbers.range", 1, "number", a);
    return 0;
  }
  if (typeOf(b) != NUMBER) {
    typeError("numbers.range", 2, "number", b);
    return 0;
  }
  if (!asExactInt(a)) {
    typeErrorText("numbers.range", "operand 1 must be integer number but got floating-point number");
    return 0;
  }
  const from = exactInt();
  if (!asExactInt(b)) {
    typeErrorText("numbers.range", "operand 2 must be integer number but got floating-point number");
    return 0;
  }
  const to = exactInt();
  const length = (to >= from ? to - from : from - to) + 1;
  if (length > MAX_RANGE || length <= 0) {
    builtinErrorCount("numbers.range: range of ", length, " numbers is over 10000000");
    return 0;
  }
  const step: i64 = to >= from ? 1 : -1;
  const r = rt_array(<i32>length);
  for (let i: i64 = 0; i < length; i++) rt_array_append(r, rt_number_int(from + i * step));
  return r;
}
