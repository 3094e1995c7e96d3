// Rego builtins implemented natively in the runtime: the value-shaped ones (arithmetic,
// comparison, aggregates, collections, byte-wise string tests, JSON); strings.ts has those that
// read characters, sprintf.ts sprintf, net.ts the CIDR tests, glob.ts glob.match and regex.ts
// regex.match, regex.replace and regex.split. YAML, base64 and the rest are host functions in host.ts.
// Each takes and returns value pointers; 0 means undefined (OPA's Wasm runtime does the same
// for operand type errors). Errors that OPA reports, such as division by zero, abort located.

import { opa_malloc, copyBytes, opa_println } from "./memory";
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
  rt_set_add,
  tablePut,
  tableFind,
  typeOf,
  isInt,
  intValue,
  numberAsFloat,
  asExactInt,
  exactInt,
  strLen,
  strPtr,
  arrLen,
  arrGet,
  tableLen,
  entryKey,
  entryValue,
  entryOrder,
  orderedEntry,
  valueEqual,
  valueCompare,
  sortValues,
  copyTable,
  objectGet,
  containsValue,
  makeSetSized,
  makeObjectSized,
  isIntegral,
} from "./value";
import { parseJson, marshalValue, parseNumberText, dumpValue } from "./json";
import { builtinError, typeError } from "./errors";
import { decimalArithmetic, decimalAbs, decimalRem, hasText, OP_ADD, OP_SUB, OP_MUL } from "./decimal";

function staticString(s: string): usize {
  const n = s.length;
  const p = opa_malloc(n);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>s.charCodeAt(i));
  return makeString(p, n);
}

function isNumber(v: usize): bool {
  return typeOf(v) == NUMBER;
}

/** True when a and b are numbers; otherwise raises OPA's operand type error. */
function numbers(name: string, a: usize, b: usize): bool {
  if (!isNumber(a)) {
    typeError(name, 1, "number", a);
    return false;
  }
  if (!isNumber(b)) {
    typeError(name, 2, "number", b);
    return false;
  }
  return true;
}

function number(name: string, a: usize): bool {
  if (isNumber(a)) return true;
  typeError(name, 1, "number", a);
  return false;
}

function stringOperand(name: string, operand: i32, v: usize): bool {
  if (typeOf(v) == STRING) return true;
  typeError(name, operand, "string", v);
  return false;
}

// ---- arithmetic ----

export function b_plus(a: usize, b: usize): usize {
  if (!numbers("plus", a, b)) return 0;
  if (isInt(a) && isInt(b)) {
    const x = intValue(a);
    const y = intValue(b);
    const r = x + y;
    if (((x ^ r) & (y ^ r)) >= 0) return rt_number_int(r);
  }
  const exact = decimalArithmetic(OP_ADD, a, b);
  if (exact != 0) return exact;
  return makeFloat(numberAsFloat(a) + numberAsFloat(b), 0, 0);
}

export function b_minus(a: usize, b: usize): usize {
  const ta = typeOf(a);
  if (ta == SET && typeOf(b) == SET) {
    const r = rt_set();
    const n = tableLen(a);
    for (let i = 0; i < n; i++) {
      const e = entryKey(a, i);
      if (tableFind(b, e) < 0) rt_set_add(r, e);
    }
    return r;
  }
  if (ta == SET) {
    typeError("minus", 2, "set", b);
    return 0;
  }
  if (ta != NUMBER) {
    typeError("minus", 1, "number or set", a);
    return 0;
  }
  if (!isNumber(b)) {
    typeError("minus", 2, "number", b);
    return 0;
  }
  if (isInt(a) && isInt(b)) {
    const x = intValue(a);
    const y = intValue(b);
    const r = x - y;
    if (((x ^ y) & (x ^ r)) >= 0) return rt_number_int(r);
  }
  const exact = decimalArithmetic(OP_SUB, a, b);
  if (exact != 0) return exact;
  return makeFloat(numberAsFloat(a) - numberAsFloat(b), 0, 0);
}

export function b_mul(a: usize, b: usize): usize {
  if (!numbers("mul", a, b)) return 0;
  if (isInt(a) && isInt(b)) {
    const x = intValue(a);
    const y = intValue(b);
    const fx = <f64>x;
    const fy = <f64>y;
    if (Math.abs(fx * fy) < 9.0e18) return rt_number_int(x * y);
  }
  const exact = decimalArithmetic(OP_MUL, a, b);
  if (exact != 0) return exact;
  return makeFloat(numberAsFloat(a) * numberAsFloat(b), 0, 0);
}

export function b_div(a: usize, b: usize): usize {
  if (!numbers("div", a, b)) return 0;
  const y = numberAsFloat(b);
  if (y == 0) {
    builtinError("div: divide by zero");
    return 0;
  }
  if (isInt(a) && isInt(b) && intValue(a) % intValue(b) == 0)
    return rt_number_int(intValue(a) / intValue(b));
  return makeFloat(numberAsFloat(a) / y, 0, 0);
}

export function b_rem(a: usize, b: usize): usize {
  if (!numbers("rem", a, b)) return 0;
  if ((hasText(a) || hasText(b)) && !(isInt(b) && intValue(b) == 0)) {
    const exact = decimalRem(a, b);
    if (exact != 0) return exact;
  }
  if (!asExactInt(a)) {
    builtinError("rem: modulo on floating-point number");
    return 0;
  }
  const x = exactInt();
  if (!asExactInt(b)) {
    builtinError("rem: modulo on floating-point number");
    return 0;
  }
  const y = exactInt();
  if (y == 0) {
    builtinError("rem: modulo by zero");
    return 0;
  }
  return rt_number_int(x % y);
}

export function b_abs(a: usize): usize {
  if (!number("abs", a)) return 0;
  if (isInt(a)) {
    const x = intValue(a);
    if (x == i64.MIN_VALUE) return decimalAbs(a);
    return x < 0 ? rt_number_int(-x) : a;
  }
  if (hasText(a)) {
    const exact = decimalAbs(a);
    if (exact != 0) return exact;
  }
  return makeFloat(Math.abs(numberAsFloat(a)), 0, 0);
}

export function b_round(a: usize): usize {
  if (!number("round", a)) return 0;
  if (isInt(a)) return a;
  const f = numberAsFloat(a);
  // Half away from zero, as Go's math.Round.
  const r = f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5);
  return makeFloat(r, 0, 0);
}

export function b_ceil(a: usize): usize {
  if (!number("ceil", a)) return 0;
  return isInt(a) ? a : makeFloat(Math.ceil(numberAsFloat(a)), 0, 0);
}

export function b_floor(a: usize): usize {
  if (!number("floor", a)) return 0;
  return isInt(a) ? a : makeFloat(Math.floor(numberAsFloat(a)), 0, 0);
}

// ---- comparison ----

export function b_equal(a: usize, b: usize): usize {
  return rt_boolean(<i32>valueEqual(a, b));
}
export function b_neq(a: usize, b: usize): usize {
  return rt_boolean(<i32>!valueEqual(a, b));
}
export function b_lt(a: usize, b: usize): usize {
  return rt_boolean(<i32>(valueCompare(a, b) < 0));
}
export function b_lte(a: usize, b: usize): usize {
  return rt_boolean(<i32>(valueCompare(a, b) <= 0));
}
export function b_gt(a: usize, b: usize): usize {
  return rt_boolean(<i32>(valueCompare(a, b) > 0));
}
export function b_gte(a: usize, b: usize): usize {
  return rt_boolean(<i32>(valueCompare(a, b) >= 0));
}

// ---- sets ----

function sets(name: string, a: usize, b: usize): bool {
  if (typeOf(a) != SET) {
    typeError(name, 1, "set", a);
    return false;
  }
  if (typeOf(b) != SET) {
    typeError(name, 2, "set", b);
    return false;
  }
  return true;
}

export function b_and(a: usize, b: usize): usize {
  if (!sets("and", a, b)) return 0;
  const r = rt_set();
  const n = tableLen(a);
  for (let i = 0; i < n; i++) {
    const e = entryKey(a, i);
    if (tableFind(b, e) >= 0) rt_set_add(r, e);
  }
  return r;
}

export function b_or(a: usize, b: usize): usize {
  if (!sets("or", a, b)) return 0;
  const r = copyTable(a);
  const n = tableLen(b);
  for (let i = 0; i < n; i++) rt_set_add(r, entryKey(b, i));
  return r;
}

export function b_union(sets: usize): usize {
  if (typeOf(sets) != SET) {
    typeError("union", 1, "set of sets", sets);
    return 0;
  }
  const r = rt_set();
  const n = tableLen(sets);
  for (let i = 0; i < n; i++) {
    const s = entryKey(sets, i);
    if (typeOf(s) != SET) return 0;
    const m = tableLen(s);
    for (let j = 0; j < m; j++) rt_set_add(r, entryKey(s, j));
  }
  return r;
}

export function b_intersection(sets: usize): usize {
  if (typeOf(sets) != SET) {
    typeError("intersection", 1, "set of sets", sets);
    return 0;
  }
  const n = tableLen(sets);
  if (n == 0) return rt_set();
  let r = entryKey(sets, 0);
  if (typeOf(r) != SET) return 0;
  for (let i = 1; i < n; i++) {
    r = b_and(r, entryKey(sets, i));
    if (r == 0) return 0;
  }
  return r;
}

// ---- aggregates ----

function utf8Count(p: usize, n: i32): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) if ((load<u8>(p + i) & 0xc0) != 0x80) count++;
  return count;
}

export function b_count(v: usize): usize {
  switch (typeOf(v)) {
    case STRING:
      return rt_number_int(utf8Count(strPtr(v), strLen(v)));
    case ARRAY:
      return rt_number_int(arrLen(v));
    case OBJECT:
    case SET:
      return rt_number_int(tableLen(v));
    default:
      typeError("count", 1, "one of {array, object, set, string}", v);
      return 0;
  }
}

/** Elements of an array or set (Rego order, as OPA) as a fresh pointer list; sets elementCount. */
let elementCount: i32 = 0;
function elementsOf(v: usize): usize {
  const t = typeOf(v);
  if (t == ARRAY) {
    const n = arrLen(v);
    elementCount = n;
    const p = opa_malloc((n > 0 ? <usize>n : 1) << 2);
    copyBytes(p, <usize>load<i32>(v, 12), (<usize>n) << 2);
    return p;
  }
  if (t == SET) {
    const n = tableLen(v);
    elementCount = n;
    const p = opa_malloc((n > 0 ? <usize>n : 1) << 2);
    const order = entryOrder(v);
    for (let i = 0; i < n; i++)
      store<i32>(p + ((<usize>i) << 2), <i32>entryKey(v, orderedEntry(order, i)));
    return p;
  }
  return 0;
}

function collection(name: string, v: usize): usize {
  const items = elementsOf(v);
  if (items == 0) typeError(name, 1, "one of {array, set}", v);
  return items;
}

export function b_sum(v: usize): usize {
  const items = collection("sum", v);
  if (items == 0) return 0;
  let total = rt_number_int(0);
  for (let i = 0; i < elementCount; i++) {
    total = b_plus(total, <usize>load<i32>(items + ((<usize>i) << 2)));
    if (total == 0) return 0;
  }
  return total;
}

export function b_product(v: usize): usize {
  const items = collection("product", v);
  if (items == 0) return 0;
  let total = rt_number_int(1);
  for (let i = 0; i < elementCount; i++) {
    total = b_mul(total, <usize>load<i32>(items + ((<usize>i) << 2)));
    if (total == 0) return 0;
  }
  return total;
}

function extreme(v: usize, sign: i32): usize {
  const items = collection(sign > 0 ? "max" : "min", v);
  if (items == 0 || elementCount == 0) return 0;
  let best = <usize>load<i32>(items);
  for (let i = 1; i < elementCount; i++) {
    const x = <usize>load<i32>(items + ((<usize>i) << 2));
    if (valueCompare(x, best) * sign > 0) best = x;
  }
  return best;
}

export function b_max(v: usize): usize {
  return extreme(v, 1);
}
export function b_min(v: usize): usize {
  return extreme(v, -1);
}

export function b_sort(v: usize): usize {
  const items = collection("sort", v);
  if (items == 0) return 0;
  const n = elementCount;
  sortValues(items, n);
  const r = rt_array(n);
  for (let i = 0; i < n; i++) rt_array_append(r, <usize>load<i32>(items + ((<usize>i) << 2)));
  return r;
}

// ---- types ----

export function b_type_name(v: usize): usize {
  switch (typeOf(v)) {
    case NULL:
      return staticString("null");
    case BOOLEAN:
      return staticString("boolean");
    case NUMBER:
      return staticString("number");
    case STRING:
      return staticString("string");
    case ARRAY:
      return staticString("array");
    case OBJECT:
      return staticString("object");
    default:
      return staticString("set");
  }
}

export function b_is_null(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == NULL));
}
export function b_is_boolean(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == BOOLEAN));
}
export function b_is_number(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == NUMBER));
}
export function b_is_string(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == STRING));
}
export function b_is_array(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == ARRAY));
}
export function b_is_object(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == OBJECT));
}
export function b_is_set(v: usize): usize {
  return rt_boolean(<i32>(typeOf(v) == SET));
}

export function b_to_number(v: usize): usize {
  switch (typeOf(v)) {
    case NULL:
      return rt_number_int(0);
    case BOOLEAN:
      return rt_number_int(load<i32>(v, 4));
    case NUMBER:
      return v;
    case STRING: {
      const r = parseNumberText(strPtr(v), strLen(v));
      if (r == 0) {
        // Go's ParseFloat accepts these; OPA then rejects them as not JSON numbers.
        if (isNanOrInf(strPtr(v), strLen(v))) typeError("to_number", 1, "a valid number string", v);
        builtinError("to_number: invalid syntax");
      }
      return r;
    }
    default:
      typeError("to_number", 1, "one of {null, boolean, number, string}", v);
      return 0;
  }
}

function isNanOrInf(p: usize, n: i32): bool {
  let start = 0;
  if (n > 0 && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) start = 1;
  const len = n - start;
  if (len != 3 && len != 8) return false;
  const word = len == 8 ? "infinity" : (load<u8>(p + start) | 0x20) == 0x6e ? "nan" : "inf";
  for (let i = 0; i < len; i++) if ((load<u8>(p + start + i) | 0x20) != <u8>word.charCodeAt(i)) return false;
  return true;
}

// ---- strings (byte-wise on UTF-8, which is exact for these tests) ----

function bytesAt(hay: usize, at: i32, needle: usize): bool {
  return memory.compare(strPtr(hay) + at, strPtr(needle), strLen(needle)) == 0;
}

export function b_startswith(s: usize, prefix: usize): usize {
  if (!stringOperand("startswith", 1, s) || !stringOperand("startswith", 2, prefix)) return 0;
  return rt_boolean(<i32>(strLen(prefix) <= strLen(s) && bytesAt(s, 0, prefix)));
}

export function b_endswith(s: usize, suffix: usize): usize {
  if (!stringOperand("endswith", 1, s) || !stringOperand("endswith", 2, suffix)) return 0;
  const d = strLen(s) - strLen(suffix);
  return rt_boolean(<i32>(d >= 0 && bytesAt(s, d, suffix)));
}

function indexOfBytes(s: usize, needle: usize): i32 {
  const n = strLen(s);
  const m = strLen(needle);
  for (let i = 0; i + m <= n; i++) if (bytesAt(s, i, needle)) return i;
  return -1;
}

export function b_contains(s: usize, needle: usize): usize {
  if (!stringOperand("contains", 1, s) || !stringOperand("contains", 2, needle)) return 0;
  return rt_boolean(<i32>(indexOfBytes(s, needle) >= 0));
}

export function b_trim_prefix(s: usize, prefix: usize): usize {
  if (!stringOperand("trim_prefix", 1, s) || !stringOperand("trim_prefix", 2, prefix)) return 0;
  const m = strLen(prefix);
  if (m > strLen(s) || !bytesAt(s, 0, prefix)) return s;
  return makeString(strPtr(s) + m, strLen(s) - m);
}

export function b_trim_suffix(s: usize, suffix: usize): usize {
  if (!stringOperand("trim_suffix", 1, s) || !stringOperand("trim_suffix", 2, suffix)) return 0;
  const d = strLen(s) - strLen(suffix);
  if (d < 0 || !bytesAt(s, d, suffix)) return s;
  return makeString(strPtr(s), d);
}

export function b_concat(delimiter: usize, coll: usize): usize {
  if (!stringOperand("concat", 1, delimiter)) return 0;
  const items = elementsOf(coll);
  if (items == 0) {
    typeError("concat", 2, "one of {array, set}", coll);
    return 0;
  }
  const n = elementCount;
  let total = n > 0 ? (n - 1) * strLen(delimiter) : 0;
  for (let i = 0; i < n; i++) {
    const e = <usize>load<i32>(items + ((<usize>i) << 2));

    if (typeOf(e) != STRING) {
      typeError("concat", 2, "array of strings", e);
      return 0;
    }
    total += strLen(e);
  }
  const buf = opa_malloc(total);
  let at: usize = buf;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      copyBytes(at, strPtr(delimiter), strLen(delimiter));
      at += strLen(delimiter);
    }
    const e = <usize>load<i32>(items + ((<usize>i) << 2));
    copyBytes(at, strPtr(e), strLen(e));
    at += strLen(e);
  }
  return makeString(buf, total);
}

function stringsOf(v: usize): usize {
  if (typeOf(v) == STRING) {
    const p = opa_malloc(4);
    store<i32>(p, <i32>v);
    elementCount = 1;
    return p;
  }
  return elementsOf(v);
}

/** Strings of a string, array or set operand; 0 after raising OPA's type error. */
function stringList(operand: i32, v: usize): usize {
  const list = stringsOf(v);
  if (list == 0) {
    typeError("strings.any_prefix_match", operand, "one of {string, set, array}", v);
    return 0;
  }
  for (let i = 0; i < elementCount; i++) {
    const e = <usize>load<i32>(list + (<usize>i << 2));
    if (typeOf(e) != STRING) {
      typeError("strings.any_prefix_match", operand, typeOf(v) == SET ? "set of strings" : "array of strings", v, e);
      return 0;
    }
  }
  return list;
}

export function b_strings_any_prefix_match(search: usize, base: usize): usize {
  const subjects = stringList(1, search);
  if (subjects == 0) return 0;
  const subjectCount = elementCount;
  const prefixes = stringList(2, base);
  if (prefixes == 0) return 0;
  const prefixCount = elementCount;
  for (let i = 0; i < subjectCount; i++) {
    const s = <usize>load<i32>(subjects + (<usize>i << 2));
    for (let j = 0; j < prefixCount; j++) {
      const p = <usize>load<i32>(prefixes + (<usize>j << 2));
      if (strLen(p) <= strLen(s) && bytesAt(s, 0, p)) return rt_boolean(1);
    }
  }
  return rt_boolean(0);
}

// ---- objects and arrays ----

function objectOperand(name: string, v: usize): bool {
  if (typeOf(v) == OBJECT) return true;
  typeError(name, 1, "object", v);
  return false;
}

export function b_object_get(obj: usize, key: usize, fallback: usize): usize {
  if (!objectOperand("object.get", obj)) return 0;
  if (typeOf(key) != ARRAY) {
    const v = objectGet(obj, key);
    return v != 0 ? v : fallback;
  }
  let cur = obj;
  const n = arrLen(key);
  for (let i = 0; i < n; i++) {
    const next = rt_dot(cur, arrGet(key, i));
    if (next == 0) return fallback;
    cur = next;
  }
  return cur;
}

export function b_object_keys(obj: usize): usize {
  if (!objectOperand("object.keys", obj)) return 0;
  const n = tableLen(obj);
  const r = makeSetSized(n);
  for (let i = 0; i < n; i++) rt_set_add(r, entryKey(obj, i));
  return r;
}

function mergeObjects(a: usize, b: usize): usize {
  const r = copyTable(a);
  const n = tableLen(b);
  for (let i = 0; i < n; i++) {
    const k = entryKey(b, i);
    const vb = entryValue(b, i);
    const va = objectGet(a, k);
    if (va != 0 && typeOf(va) == OBJECT && typeOf(vb) == OBJECT)
      tablePut(r, k, mergeObjects(va, vb));
    else tablePut(r, k, vb);
  }
  return r;
}

export function b_object_union(a: usize, b: usize): usize {
  if (!objectOperand("object.union", a)) return 0;
  if (typeOf(b) != OBJECT) {
    typeError("object.union", 2, "object", b);
    return 0;
  }
  return mergeObjects(a, b);
}

export function b_object_union_n(objects: usize): usize {
  if (typeOf(objects) != ARRAY) {
    typeError("object.union_n", 1, "array", objects);
    return 0;
  }
  let r = rt_object();
  for (let i = 0; i < arrLen(objects); i++) {
    const o = arrGet(objects, i);
    if (typeOf(o) != OBJECT) {
      typeError("object.union_n", 1, "array of objects", objects, o);
      return 0;
    }
    r = mergeObjects(r, o);
  }
  return r;
}

function keySetOf(keys: usize): usize {
  const t = typeOf(keys);
  if (t == SET) return keys;
  if (t == ARRAY) {
    const n = arrLen(keys);
    const s = makeSetSized(n);
    for (let i = 0; i < n; i++) rt_set_add(s, arrGet(keys, i));
    return s;
  }
  if (t == OBJECT) return b_object_keys(keys);
  return 0;
}

export function b_object_remove(obj: usize, keys: usize): usize {
  if (!objectOperand("object.remove", obj)) return 0;
  const drop = keySetOf(keys);
  if (drop == 0) {
    typeError("object.remove", 2, "one of {object, set, array}", keys);
    return 0;
  }
  const n = tableLen(obj);
  const r = makeObjectSized(n);
  for (let i = 0; i < n; i++) {
    const k = entryKey(obj, i);
    if (tableFind(drop, k) < 0) tablePut(r, k, entryValue(obj, i));
  }
  return r;
}

export function b_object_filter(obj: usize, keys: usize): usize {
  if (!objectOperand("object.filter", obj)) return 0;
  const keep = keySetOf(keys);
  if (keep == 0) {
    typeError("object.filter", 2, "one of {object, set, array}", keys);
    return 0;
  }
  const n = tableLen(obj);
  const r = rt_object();
  for (let i = 0; i < n; i++) {
    const k = entryKey(obj, i);
    if (tableFind(keep, k) >= 0) tablePut(r, k, entryValue(obj, i));
  }
  return r;
}

export function b_array_concat(a: usize, b: usize): usize {
  if (typeOf(a) != ARRAY) {
    typeError("array.concat", 1, "array", a);
    return 0;
  }
  if (typeOf(b) != ARRAY) {
    typeError("array.concat", 2, "array", b);
    return 0;
  }
  const r = rt_array(arrLen(a) + arrLen(b));
  for (let i = 0; i < arrLen(a); i++) rt_array_append(r, arrGet(a, i));
  for (let i = 0; i < arrLen(b); i++) rt_array_append(r, arrGet(b, i));
  return r;
}

export function b_array_slice(a: usize, start: usize, stop: usize): usize {
  if (typeOf(a) != ARRAY) {
    typeError("array.slice", 1, "array", a);
    return 0;
  }
  if (!asExactInt(start)) {
    typeError("array.slice", 2, "integer", start);
    return 0;
  }
  let from = exactInt();
  if (!asExactInt(stop)) {
    typeError("array.slice", 3, "integer", stop);
    return 0;
  }
  let to = exactInt();
  const n = <i64>arrLen(a);
  if (from < 0) from = 0;
  if (to > n) to = n;
  const r = rt_array(4);
  for (let i = from; i < to; i++) rt_array_append(r, arrGet(a, <i32>i));
  return r;
}

// ---- membership (`in`) ----

export function b_internal_member_2(x: usize, coll: usize): usize {
  const t = typeOf(coll);
  if (t != ARRAY && t != SET && t != OBJECT) return rt_boolean(0);
  return rt_boolean(<i32>containsValue(coll, x));
}

export function b_internal_member_3(key: usize, value: usize, coll: usize): usize {
  const v = rt_dot(coll, key);
  return rt_boolean(<i32>(v != 0 && typeOf(coll) != SET && valueEqual(v, value)));
}

// ---- JSON ----

export function b_json_marshal(v: usize): usize {
  return marshalValue(v, true);
}

export function b_json_unmarshal(s: usize): usize {
  if (!stringOperand("json.unmarshal", 1, s)) return 0;
  const v = parseJson(strPtr(s), strLen(s));
  if (v == 0) builtinError("json.unmarshal: invalid JSON text");
  return v;
}

export function b_json_is_valid(s: usize): usize {
  if (typeOf(s) != STRING) return rt_boolean(0);
  return rt_boolean(<i32>(parseJson(strPtr(s), strLen(s)) != 0));
}

// ---- print ----

/** `print(x)`: strings print raw, other values as JSON; output goes to the host's println. */
export function b_print(v: usize): usize {
  let line: usize;
  if (typeOf(v) == STRING) {
    line = opa_malloc(<usize>strLen(v) + 1);
    copyBytes(line, strPtr(v), strLen(v));
    store<u8>(line + strLen(v), 0);
  } else line = dumpValue(v, false);
  opa_println(line);
  return rt_boolean(1);
}

/**
 * `internal.print([{a}, {b}])`, as the planner lowers `print(a, b)`: each argument is the set
 * of its values, empty when undefined. Values are joined by spaces; strings print raw.
 */
export function b_internal_print(args: usize): usize {
  if (typeOf(args) != ARRAY) return 0;
  const n = arrLen(args);
  let total: usize = 0;
  const parts = opa_malloc((n > 0 ? <usize>n : 1) << 2);
  const lengths = opa_malloc((n > 0 ? <usize>n : 1) << 2);
  for (let i = 0; i < n; i++) {
    const values = arrGet(args, i);
    let text: usize;
    let len: usize;
    if (typeOf(values) != SET || tableLen(values) == 0) {
      text = staticString("<undefined>");
    } else {
      const v = entryKey(values, 0);
      text = typeOf(v) == STRING ? v : marshalValue(v, false);
    }
    len = <usize>strLen(text);
    store<i32>(parts + ((<usize>i) << 2), <i32>text);
    store<i32>(lengths + ((<usize>i) << 2), <i32>len);
    total += len + 1;
  }
  const line = opa_malloc(total + 1);
  let at = line;
  for (let i = 0; i < n; i++) {
    if (i > 0) store<u8>(at++, 0x20);
    const text = <usize>load<i32>(parts + ((<usize>i) << 2));
    const len = <usize>load<i32>(lengths + ((<usize>i) << 2));
    copyBytes(at, strPtr(text), len);
    at += len;
  }
  store<u8>(at, 0);
  opa_println(line);
  return rt_boolean(1);
}

// ---- walk ----

function walkInto(out: usize, path: usize, v: usize): void {
  const pair = rt_array(2);
  rt_array_append(pair, path);
  rt_array_append(pair, v);
  rt_array_append(out, pair);
  const t = typeOf(v);
  if (t == ARRAY) {
    const n = arrLen(v);
    for (let i = 0; i < n; i++) walkInto(out, extendPath(path, rt_number_int(i)), arrGet(v, i));
  } else if (t == OBJECT || t == SET) {
    const n = tableLen(v);
    const order = entryOrder(v);
    for (let i = 0; i < n; i++) {
      const e = orderedEntry(order, i);
      walkInto(out, extendPath(path, entryKey(v, e)), entryValue(v, e));
    }
  }
}

function extendPath(path: usize, key: usize): usize {
  const n = arrLen(path);
  const r = rt_array(n + 1);
  for (let i = 0; i < n; i++) rt_array_append(r, arrGet(path, i));
  rt_array_append(r, key);
  return r;
}

/** `walk(x)`: every [path, value] pair of x, x itself first (the planner scans the result). */
export function b_walk(v: usize): usize {
  const out = rt_array(16);
  walkInto(out, rt_array(0), v);
  return out;
}

// ---- shared with the emitted code ----

/** source[key] for arrays (integer index), objects (key) and sets (membership); 0 if absent. */
export function rt_dot(source: usize, key: usize): usize {
  switch (typeOf(source)) {
    case ARRAY: {
      if (typeOf(key) != NUMBER || !asExactInt(key)) return 0;
      const i = exactInt();
      if (i < 0 || i >= <i64>arrLen(source)) return 0;
      return arrGet(source, <i32>i);
    }
    case OBJECT:
      return objectGet(source, key);
    case SET:
      return tableFind(source, key) >= 0 ? key : 0;
    default:
      return 0;
  }
}
