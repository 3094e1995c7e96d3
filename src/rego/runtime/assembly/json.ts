// JSON text <-> Rego values: a strict parser (any error gives 0, never a trap) and the dumper
// whose output matches OPA's (object keys and set elements in Rego order, sets as arrays).
// Numbers keep their source text when they are not exact i64 integers, so they round-trip.

import { opa_malloc, copyBytes } from "./memory";
import { Output, newOutput } from "./output";
import {
  NULL,
  BOOLEAN,
  NUMBER,
  STRING,
  ARRAY,
  OBJECT,
  SET,
  rt_null,
  rt_boolean,
  rt_number_int,
  makeFloat,
  makeString,
  rt_array,
  rt_array_append,
  rt_object,
  rt_set,
  tablePut,
  typeOf,
  boolValue,
  isInt,
  intValue,
  strLen,
  strPtr,
  arrLen,
  arrGet,
  tableLen,
  entryKey,
  entryValue,
  entryOrder,
  orderedEntry,
  tableFind,
  rt_set_add,
} from "./value";

// ---------------------------------------------------------------- parsing

let src: usize = 0;
let end: usize = 0;
let pos: usize = 0;
let failed = false;
let depth = 0;
const MAX_DEPTH = 10000;

/** When set, `{"__tollgate_set__": [...]}` parses back into a set (host builtin results). */
let decodeTaggedSets = false;
export function setDecodeTaggedSets(on: bool): void {
  decodeTaggedSets = on;
}

function skipSpace(): void {
  while (pos < end) {
    const c = load<u8>(pos);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) pos++;
    else break;
  }
}

function fail(): usize {
  failed = true;
  return 0;
}

export function parseJson(text: usize, len: usize): usize {
  src = text;
  end = text + len;
  pos = text;
  failed = false;
  depth = 0;
  skipSpace();
  const v = parseValue();
  if (failed) return 0;
  skipSpace();
  if (pos != end) return 0;
  return v;
}

function literal(word: string): bool {
  const n = word.length;
  if (pos + n > end) return false;
  for (let i = 0; i < n; i++) if (load<u8>(pos + i) != <u8>word.charCodeAt(i)) return false;
  pos += n;
  return true;
}

function parseValue(): usize {
  if (pos >= end) return fail();
  const c = load<u8>(pos);
  switch (c) {
    case 0x7b:
      return parseObject();
    case 0x5b:
      return parseArray();
    case 0x22:
      return parseString();
    case 0x74:
      return literal("true") ? rt_boolean(1) : fail();
    case 0x66:
      return literal("false") ? rt_boolean(0) : fail();
    case 0x6e:
      return literal("null") ? rt_null() : fail();
    default:
      if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
      return fail();
  }
}

function parseArray(): usize {
  if (++depth > MAX_DEPTH) return fail();
  pos++;
  const arr = rt_array(4);
  skipSpace();
  if (pos < end && load<u8>(pos) == 0x5d) {
    pos++;
    depth--;
    return arr;
  }
  while (true) {
    skipSpace();
    const v = parseValue();
    if (failed) return 0;
    rt_array_append(arr, v);
    skipSpace();
    if (pos >= end) return fail();
    const c = load<u8>(pos++);
    if (c == 0x5d) break;
    if (c != 0x2c) return fail();
  }
  depth--;
  return arr;
}

function parseObject(): usize {
  if (++depth > MAX_DEPTH) return fail();
  pos++;
  let obj = rt_object();
  skipSpace();
  if (pos < end && load<u8>(pos) == 0x7d) {
    pos++;
    depth--;
    return obj;
  }
  while (true) {
    skipSpace();
    if (pos >= end || load<u8>(pos) != 0x22) return fail();
    const k = parseString();
    if (failed) return 0;
    skipSpace();
    if (pos >= end || load<u8>(pos) != 0x3a) return fail();
    pos++;
    skipSpace();
    const v = parseValue();
    if (failed) return 0;
    tablePut(obj, k, v);
    skipSpace();
    if (pos >= end) return fail();
    const c = load<u8>(pos++);
    if (c == 0x7d) break;
    if (c != 0x2c) return fail();
  }
  depth--;
  if (decodeTaggedSets && tableLen(obj) == 1) {
    const key = entryKey(obj, 0);
    const elems = entryValue(obj, 0);
    if (typeOf(elems) == STRING && isTag(key, "__tollgate_number__")) {
      const savedSrc = src;
      const savedEnd = end;
      const savedPos = pos;
      const number = parseNumberText(strPtr(elems), strLen(elems));
      src = savedSrc;
      end = savedEnd;
      pos = savedPos;
      failed = false;
      if (number != 0) return number;
    }
    if (isSetTag(key) && typeOf(elems) == ARRAY) {
      const set = rt_set();
      const n = arrLen(elems);
      for (let i = 0; i < n; i++) rt_set_add(set, arrGet(elems, i));
      obj = set;
    }
  }
  return obj;
}

function isTag(key: usize, tag: string): bool {
  const n = tag.length;
  if (strLen(key) != n) return false;
  const p = strPtr(key);
  for (let i = 0; i < n; i++) if (load<u8>(p + i) != <u8>tag.charCodeAt(i)) return false;
  return true;
}

function isSetTag(key: usize): bool {
  return isTag(key, "__tollgate_set__");
}

function hexDigit(c: u8): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function readHex4(): i32 {
  if (pos + 4 > end) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexDigit(load<u8>(pos + i));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  pos += 4;
  return v;
}

export function writeUtf8(out: usize, cp: i32): i32 {
  if (cp < 0x80) {
    store<u8>(out, <u8>cp);
    return 1;
  }
  if (cp < 0x800) {
    store<u8>(out, <u8>(0xc0 | (cp >> 6)));
    store<u8>(out + 1, <u8>(0x80 | (cp & 0x3f)));
    return 2;
  }
  if (cp < 0x10000) {
    store<u8>(out, <u8>(0xe0 | (cp >> 12)));
    store<u8>(out + 1, <u8>(0x80 | ((cp >> 6) & 0x3f)));
    store<u8>(out + 2, <u8>(0x80 | (cp & 0x3f)));
    return 3;
  }
  store<u8>(out, <u8>(0xf0 | (cp >> 18)));
  store<u8>(out + 1, <u8>(0x80 | ((cp >> 12) & 0x3f)));
  store<u8>(out + 2, <u8>(0x80 | ((cp >> 6) & 0x3f)));
  store<u8>(out + 3, <u8>(0x80 | (cp & 0x3f)));
  return 4;
}

function parseString(): usize {
  pos++;
  const start = pos;
  // Fast path: no escapes, reference the bytes in place (they stay alive with the heap).
  while (pos < end) {
    const c = load<u8>(pos);
    if (c == 0x22) {
      const len = <i32>(pos - start);
      pos++;
      return copyOrRef(start, len);
    }
    if (c == 0x5c) break;
    if (c < 0x20) return fail();
    pos++;
  }
  // Slow path with escapes: the decoded text is never longer than the source text up to the
  // closing quote. (Sizing it by the rest of the input instead made parsing quadratic in memory:
  // a 2.8 MB input with an IAM policy JSON string per resource needed 923 MiB.)
  let close = pos;
  while (close < end && load<u8>(close) != 0x22) close += load<u8>(close) == 0x5c ? 2 : 1;
  if (close >= end) return fail();
  const buf = opa_malloc(close - start);
  let n = <i32>(pos - start);
  copyBytes(buf, start, n);
  while (true) {
    if (pos >= end) return fail();
    const c = load<u8>(pos++);
    if (c == 0x22) break;
    if (c < 0x20) return fail();
    if (c != 0x5c) {
      store<u8>(buf + n++, c);
      continue;
    }
    if (pos >= end) return fail();
    const e = load<u8>(pos++);
    switch (e) {
      case 0x22:
        store<u8>(buf + n++, 0x22);
        break;
      case 0x5c:
        store<u8>(buf + n++, 0x5c);
        break;
      case 0x2f:
        store<u8>(buf + n++, 0x2f);
        break;
      case 0x62:
        store<u8>(buf + n++, 0x08);
        break;
      case 0x66:
        store<u8>(buf + n++, 0x0c);
        break;
      case 0x6e:
        store<u8>(buf + n++, 0x0a);
        break;
      case 0x72:
        store<u8>(buf + n++, 0x0d);
        break;
      case 0x74:
        store<u8>(buf + n++, 0x09);
        break;
      case 0x75: {
        let cp = readHex4();
        if (cp < 0) return fail();
        if (cp >= 0xd800 && cp < 0xdc00) {
          // A high surrogate must pair with a low one; a lone half becomes U+FFFD as in Go.
          if (pos + 6 <= end && load<u8>(pos) == 0x5c && load<u8>(pos + 1) == 0x75) {
            pos += 2;
            const lo = readHex4();
            if (lo < 0) return fail();
            if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            else {
              n += writeUtf8(buf + n, 0xfffd);
              cp = lo >= 0xd800 && lo < 0xe000 ? 0xfffd : lo;
            }
          } else cp = 0xfffd;
        } else if (cp >= 0xdc00 && cp < 0xe000) cp = 0xfffd;
        n += writeUtf8(buf + n, cp);
        break;
      }
      default:
        return fail();
    }
  }
  return makeString(buf, n);
}

function copyOrRef(start: usize, len: i32): usize {
  return makeString(start, len);
}

const pow10: StaticArray<f64> = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

function scale10(m: f64, e: i32): f64 {
  // Exact for |e| <= 22 with a mantissa below 2^53 (Clinger's fast path); close otherwise.
  while (e > 22) {
    m *= 1e22;
    e -= 22;
  }
  while (e < -22) {
    m /= 1e22;
    e += 22;
  }
  return e >= 0 ? m * unchecked(pow10[e]) : m / unchecked(pow10[-e]);
}

function parseNumber(): usize {
  const start = pos;
  let negative = false;
  if (load<u8>(pos) == 0x2d) {
    negative = true;
    pos++;
  }
  if (pos >= end) return fail();
  let mantissa: u64 = 0;
  let digits = 0;
  let dropped = 0;
  let c = load<u8>(pos);
  if (c == 0x30) {
    pos++;
  } else if (c >= 0x31 && c <= 0x39) {
    while (pos < end) {
      c = load<u8>(pos);
      if (c < 0x30 || c > 0x39) break;
      if (digits < 19) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
      } else dropped++;
      pos++;
    }
  } else return fail();
  let isFloat = false;
  let exp10 = dropped;
  if (pos < end && load<u8>(pos) == 0x2e) {
    isFloat = true;
    pos++;
    const fracStart = pos;
    while (pos < end) {
      c = load<u8>(pos);
      if (c < 0x30 || c > 0x39) break;
      if (digits < 19) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        exp10--;
      }
      pos++;
    }
    if (pos == fracStart) return fail();
  }
  if (pos < end && (load<u8>(pos) == 0x65 || load<u8>(pos) == 0x45)) {
    isFloat = true;
    pos++;
    let expNeg = false;
    if (pos < end && (load<u8>(pos) == 0x2b || load<u8>(pos) == 0x2d)) {
      expNeg = load<u8>(pos) == 0x2d;
      pos++;
    }
    const expStart = pos;
    let e = 0;
    while (pos < end) {
      c = load<u8>(pos);
      if (c < 0x30 || c > 0x39) break;
      if (e < 100000) e = e * 10 + (c - 0x30);
      pos++;
    }
    if (pos == expStart) return fail();
    exp10 += expNeg ? -e : e;
  }
  if (!isFloat && dropped == 0 && mantissa <= <u64>i64.MAX_VALUE) {
    return rt_number_int(negative ? -(<i64>mantissa) : <i64>mantissa);
  }
  let f = scale10(<f64>mantissa, exp10);
  if (negative) f = -f;
  return makeFloat(f, start, <i32>(pos - start));
}

/** Parses a number from text (for MakeNumberRef and to_number); 0 when it is not one. */
export function parseNumberText(text: usize, len: usize): usize {
  src = text;
  end = text + len;
  pos = text;
  failed = false;
  if (len == 0) return 0;
  const c = load<u8>(pos);
  if (c != 0x2d && (c < 0x30 || c > 0x39)) return 0;
  const v = parseNumber();
  if (failed || pos != end) return 0;
  return v;
}

// ---------------------------------------------------------------- dumping

// The dump being written; putKeyText swaps in a buffer of its own for a while.
let out = changetype<Output>(memory.data(offsetof<Output>()));
/** When set, sets dump as `{"__tollgate_set__": [...]}` so host builtins can tell them apart. */
let tagSets = false;
/**
 * Strings are written as Go's encoding/json writes them (json.marshal in OPA): `<`, `>`, `&`,
 * U+2028 and U+2029 as \u escapes, backspace and form feed as `\b` and `\f`.
 */
let goEscapes = false;

export function putInt(n: i64): void {
  if (n == i64.MIN_VALUE) {
    out.putStatic("-9223372036854775808");
    return;
  }
  if (n < 0) {
    out.put(0x2d);
    n = -n;
  }
  const digits = opa_malloc(20);
  let k = 0;
  do {
    store<u8>(digits + k++, <u8>(0x30 + <i32>(n % 10)));
    n /= 10;
  } while (n > 0);
  out.reserve(k);
  while (k > 0) out.put(load<u8>(digits + --k));
}

function putFloat(f: f64): void {
  if (isNaN(f) || !isFinite(f)) {
    out.putStatic("null");
    return;
  }
  if (f == 0) {
    out.put(0x30);
    return;
  }
  if (f < 0) {
    out.put(0x2d);
    f = -f;
  }
  // Shortest decimal that parses back to the same double, 1..17 significant digits.
  const e10 = <i32>Math.floor(Math.log10(f));
  let best: u64 = 0;
  let bestExp = 0;
  let bestDigits = 0;
  for (let p = 1; p <= 17; p++) {
    let e = e10 - p + 1;
    let m = Math.round(scale10(f, -e));
    if (m >= unchecked(pow10[p])) {
      m = Math.round(m / 10);
      e++;
    }
    best = <u64>m;
    bestExp = e;
    bestDigits = p;
    if (scale10(m, e) == f) break;
  }
  // Strip trailing zeros from the mantissa.
  while (bestDigits > 1 && best % 10 == 0) {
    best /= 10;
    bestExp++;
    bestDigits--;
  }
  const digitBuf = opa_malloc(24);
  let n = 0;
  let m = best;
  do {
    store<u8>(digitBuf + n++, <u8>(0x30 + <i32>(m % 10)));
    m /= 10;
  } while (m > 0);
  // Digits are reversed in digitBuf; the value is 0.d1d2..dn * 10^(exp + n).
  const pointPos = bestExp + n;
  if (pointPos > 21 || pointPos < -5) {
    out.put(load<u8>(digitBuf + n - 1));
    if (n > 1) {
      out.put(0x2e);
      for (let i = n - 2; i >= 0; i--) out.put(load<u8>(digitBuf + i));
    }
    out.put(0x65);
    const x = pointPos - 1;
    if (x >= 0) out.put(0x2b);
    putInt(x);
    return;
  }
  if (pointPos <= 0) {
    out.put(0x30);
    out.put(0x2e);
    for (let i = 0; i < -pointPos; i++) out.put(0x30);
    for (let i = n - 1; i >= 0; i--) out.put(load<u8>(digitBuf + i));
    return;
  }
  for (let i = 0; i < pointPos; i++) out.put(i < n ? load<u8>(digitBuf + n - 1 - i) : 0x30);
  if (pointPos < n) {
    out.put(0x2e);
    for (let i = n - 1 - pointPos; i >= 0; i--) out.put(load<u8>(digitBuf + i));
  }
}

const SAFE_INTEGER: i64 = 9007199254740991;

export function putNumber(v: usize): void {
  if (isInt(v)) {
    const n = intValue(v);
    // A JavaScript host would round integers beyond 2^53: they cross as exact text.
    if (tagSets && (n > SAFE_INTEGER || n < -SAFE_INTEGER)) {
      out.putStatic('{"__tollgate_number__":"');
      putInt(n);
      out.putStatic('"}');
    } else putInt(n);
    return;
  }
  const text = <usize>load<i32>(v, 16);
  if (text == 0) putFloat(load<f64>(v, 8));
  else if (tagSets) {
    out.putStatic('{"__tollgate_number__":"');
    out.putBytes(text, load<i32>(v, 20));
    out.putStatic('"}');
  } else out.putBytes(text, load<i32>(v, 20));
}

const HEX = "0123456789abcdef";

function putUnicodeEscape(code: i32): void {
  out.put(0x5c);
  out.put(0x75);
  for (let shift = 12; shift >= 0; shift -= 4) out.put(<u8>HEX.charCodeAt((code >> shift) & 15));
}

export function putQuoted(p: usize, n: i32): void {
  out.reserve(n + 2);
  out.put(0x22);
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (goEscapes && (c == 0x3c || c == 0x3e || c == 0x26)) putUnicodeEscape(c);
    else if (
      goEscapes &&
      c == 0xe2 &&
      i + 2 < n &&
      load<u8>(p + i + 1) == 0x80 &&
      (load<u8>(p + i + 2) == 0xa8 || load<u8>(p + i + 2) == 0xa9)
    ) {
      putUnicodeEscape(0x2000 | (load<u8>(p + i + 2) - 0x80));
      i += 2;
    } else if (c == 0x22 || c == 0x5c) {
      out.put(0x5c);
      out.put(c);
    } else if (c < 0x20) {
      out.put(0x5c);
      if (c == 0x0a) out.put(0x6e);
      else if (c == 0x0d) out.put(0x72);
      else if (c == 0x09) out.put(0x74);
      else if (goEscapes && c == 0x08) out.put(0x62);
      else if (goEscapes && c == 0x0c) out.put(0x66);
      else {
        out.putStatic("u00");
        out.put(<u8>HEX.charCodeAt(c >> 4));
        out.put(<u8>HEX.charCodeAt(c & 15));
      }
    } else out.put(c);
  }
  out.put(0x22);
}

export function putValue(v: usize): void {
  switch (typeOf(v)) {
    case NULL:
      out.putStatic("null");
      break;
    case BOOLEAN:
      out.putStatic(boolValue(v) ? "true" : "false");
      break;
    case NUMBER:
      putNumber(v);
      break;
    case STRING:
      putQuoted(strPtr(v), strLen(v));
      break;
    case ARRAY: {
      out.put(0x5b);
      const n = arrLen(v);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.put(0x2c);
        putValue(arrGet(v, i));
      }
      out.put(0x5d);
      break;
    }
    case OBJECT: {
      out.put(0x7b);
      const n = tableLen(v);
      const order = entryOrder(v);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.put(0x2c);
        const e = orderedEntry(order, i);
        const k = entryKey(v, e);
        if (typeOf(k) == STRING) putQuoted(strPtr(k), strLen(k));
        else putKeyText(k);
        out.put(0x3a);
        putValue(entryValue(v, e));
      }
      out.put(0x7d);
      break;
    }
    case SET: {
      if (tagSets) out.putStatic('{"__tollgate_set__":');
      out.put(0x5b);
      const n = tableLen(v);
      const order = entryOrder(v);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.put(0x2c);
        putValue(entryKey(v, orderedEntry(order, i)));
      }
      out.put(0x5d);
      if (tagSets) out.put(0x7d);
      break;
    }
  }
}

/** A non-string object key dumps as the quoted JSON text of the key, as OPA does. */
function putKeyText(k: usize): void {
  const outer = out;
  const savedEscapes = goEscapes;
  // The key's text is escaped once, when it is quoted.
  goEscapes = false;
  out = newOutput(64);
  putValue(k);
  const key = out;
  out = outer;
  goEscapes = savedEscapes;
  putQuoted(key.data, key.length);
}

/** Dumps v to a fresh NUL-terminated buffer. */
export function dumpValue(v: usize, tagged: bool): usize {
  const savedTag = tagSets;
  tagSets = tagged;
  out.begin(256);
  putValue(v);
  tagSets = savedTag;
  out.put(0);
  return out.data;
}

/** A number's text as it dumps (integers exact, floats shortest, source text kept): a string value. */
export function numberText(v: usize): usize {
  const savedTag = tagSets;
  tagSets = false;
  out.begin(32);
  putNumber(v);
  tagSets = savedTag;
  return out.text();
}

/**
 * Dumps v to a Rego string value: for json.marshal with Go's escapes (`goJson`), for print's
 * arguments without them.
 */
export function marshalValue(v: usize, goJson: bool): usize {
  out.begin(256);
  goEscapes = goJson;
  putValue(v);
  goEscapes = false;
  return out.text();
}
