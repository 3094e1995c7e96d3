// Rego values in linear memory: the layout every other runtime module and the emitted code
// share, with Rego's total order, deep equality and hashing. Objects and sets are hash tables
// over an insertion-ordered entry array, so lookup and membership are O(1) on large inputs;
// iteration follows Rego's order of the keys instead, as OPA's does (entryOrder below).

import { opa_malloc, copyBytes, heapGeneration } from "./memory";
import { decimalCompare, hasText } from "./decimal";

export const NULL: i32 = 1;
export const BOOLEAN: i32 = 2;
export const NUMBER: i32 = 3;
export const STRING: i32 = 4;
export const ARRAY: i32 = 5;
export const OBJECT: i32 = 6;
export const SET: i32 = 7;

// Number representations.
export const NUM_INT: i32 = 0;
export const NUM_FLOAT: i32 = 1;

// Layouts (byte offsets):
//   all:     +0 type
//   boolean: +4 value
//   number:  +4 repr, +8 i64 or f64, +16 text ptr, +20 text len (float with source text)
//   string:  +4 byte length, +8 UTF-8 bytes ptr
//   array:   +4 length, +8 capacity, +12 elements ptr (i32 value pointers)
//   object/set: +4 length, +8 entry capacity, +12 entries ptr, +16 bucket mask, +20 buckets ptr,
//               +24 key order (see entryOrder), +28 heap generation the order was made in
//   entry (12 bytes): key, value (the element itself for sets), hash
//   bucket: entry index + 1, 0 when empty

const ENTRY: usize = 12;
const TABLE_HEADER: usize = 32;

// Static singletons live in the runtime's data segment so a heap reset never invalidates them.
const nullValue = memory.data(8, 8);
const trueValue = memory.data(8, 8);
const falseValue = memory.data(8, 8);

let staticReady = false;
function ensureStatics(): void {
  if (staticReady) return;
  store<i32>(nullValue, NULL);
  store<i32>(trueValue, BOOLEAN);
  store<i32>(trueValue, 1, 4);
  store<i32>(falseValue, BOOLEAN);
  store<i32>(falseValue, 0, 4);
  staticReady = true;
}

export function typeOf(v: usize): i32 {
  return load<i32>(v);
}

export function rt_null(): usize {
  ensureStatics();
  return nullValue;
}

export function rt_boolean(b: i32): usize {
  ensureStatics();
  return b != 0 ? trueValue : falseValue;
}

export function boolValue(v: usize): bool {
  return load<i32>(v, 4) != 0;
}

// Small non-negative integers (array indexes above all) are static, so scans do not allocate.
const SMALL_INTS: i64 = 1024;
const smallInts = memory.data(<i32>SMALL_INTS * 24, 8);

export function rt_number_int(n: i64): usize {
  if (n >= 0 && n < SMALL_INTS) {
    const cell = smallInts + <usize>n * 24;
    if (load<i32>(cell) == 0) {
      store<i32>(cell, NUMBER);
      store<i32>(cell, NUM_INT, 4);
      store<i64>(cell, n, 8);
    }
    return cell;
  }
  const v = opa_malloc(24);
  store<i32>(v, NUMBER);
  store<i32>(v, NUM_INT, 4);
  store<i64>(v, n, 8);
  return v;
}

export function makeFloat(f: f64, text: usize, textLen: i32): usize {
  // Integral floats in i64 range become exact integers so equality and hashing agree.
  if (text == 0 && isIntegral(f)) return rt_number_int(<i64>f);
  const v = opa_malloc(24);
  store<i32>(v, NUMBER);
  store<i32>(v, NUM_FLOAT, 4);
  store<f64>(v, f, 8);
  store<i32>(v, <i32>text, 16);
  store<i32>(v, textLen, 20);
  return v;
}

export function isIntegral(f: f64): bool {
  return f == Math.floor(f) && f > -9.2e18 && f < 9.2e18;
}

export function isInt(v: usize): bool {
  return load<i32>(v, 4) == NUM_INT;
}

export function intValue(v: usize): i64 {
  return load<i64>(v, 8);
}

export function numberAsFloat(v: usize): f64 {
  return isInt(v) ? <f64>load<i64>(v, 8) : load<f64>(v, 8);
}

/** The number as an exact integer, or false when it has a fraction (out: intOut). */
let intOut: i64 = 0;
export function asExactInt(v: usize): bool {
  if (typeOf(v) != NUMBER) return false;
  if (isInt(v)) {
    intOut = load<i64>(v, 8);
    return true;
  }
  const f = load<f64>(v, 8);
  if (!isIntegral(f)) return false;
  intOut = <i64>f;
  return true;
}
export function exactInt(): i64 {
  return intOut;
}

export function makeString(bytes: usize, len: i32): usize {
  const v = opa_malloc(16);
  store<i32>(v, STRING);
  store<i32>(v, len, 4);
  store<i32>(v, <i32>bytes, 8);
  return v;
}

export function copyString(bytes: usize, len: i32): usize {
  const buf = opa_malloc(len);
  copyBytes(buf, bytes, len);
  return makeString(buf, len);
}

export function strLen(v: usize): i32 {
  return load<i32>(v, 4);
}
export function strPtr(v: usize): usize {
  return <usize>load<i32>(v, 8);
}

export function rt_array(capacity: i32): usize {
  const cap = capacity < 4 ? 4 : capacity;
  const v = opa_malloc(16);
  store<i32>(v, ARRAY);
  store<i32>(v, 0, 4);
  store<i32>(v, cap, 8);
  store<i32>(v, <i32>opa_malloc((<usize>cap) << 2), 12);
  return v;
}

export function arrLen(v: usize): i32 {
  return load<i32>(v, 4);
}
export function arrGet(v: usize, i: i32): usize {
  return <usize>load<i32>(<usize>load<i32>(v, 12) + ((<usize>i) << 2));
}

export function rt_array_append(arr: usize, value: usize): void {
  const len = load<i32>(arr, 4);
  let cap = load<i32>(arr, 8);
  if (len == cap) {
    cap = cap * 2;
    const grown = opa_malloc((<usize>cap) << 2);
    copyBytes(grown, <usize>load<i32>(arr, 12), (<usize>len) << 2);
    store<i32>(arr, <i32>grown, 12);
    store<i32>(arr, cap, 8);
  }
  store<i32>(<usize>load<i32>(arr, 12) + ((<usize>len) << 2), <i32>value);
  store<i32>(arr, len + 1, 4);
}

function makeTable(type: i32, capacity: i32): usize {
  let cap = 4;
  while (cap < capacity) cap <<= 1;
  const v = opa_malloc(TABLE_HEADER);
  store<i32>(v, type);
  store<i32>(v, 0, 4);
  store<i32>(v, cap, 8);
  store<i32>(v, <i32>opa_malloc(<usize>cap * ENTRY), 12);
  store<i32>(v, 0, 24);
  const buckets = cap * 2;
  store<i32>(v, buckets - 1, 16);
  const b = opa_malloc((<usize>buckets) << 2);
  memory.fill(b, 0, (<usize>buckets) << 2);
  store<i32>(v, <i32>b, 20);
  return v;
}

export function rt_object(): usize {
  return makeTable(OBJECT, 4);
}
export function rt_set(): usize {
  return makeTable(SET, 4);
}
export function makeObjectSized(n: i32): usize {
  return makeTable(OBJECT, n);
}
export function makeSetSized(n: i32): usize {
  return makeTable(SET, n);
}

export function tableLen(t: usize): i32 {
  return load<i32>(t, 4);
}
export function entryKey(t: usize, i: i32): usize {
  return <usize>load<i32>(<usize>load<i32>(t, 12) + <usize>i * ENTRY);
}
export function entryValue(t: usize, i: i32): usize {
  return <usize>load<i32>(<usize>load<i32>(t, 12) + <usize>i * ENTRY, 4);
}
function entryHash(t: usize, i: i32): u32 {
  return load<u32>(<usize>load<i32>(t, 12) + <usize>i * ENTRY, 8);
}

/** Entry index of key in an object or set, or -1. */
export function tableFind(t: usize, key: usize): i32 {
  const h = hashValue(key);
  const mask = <u32>load<i32>(t, 16);
  const buckets = <usize>load<i32>(t, 20);
  let slot = h & mask;
  while (true) {
    const idx = load<i32>(buckets + ((<usize>slot) << 2));
    if (idx == 0) return -1;
    if (entryHash(t, idx - 1) == h && valueEqual(entryKey(t, idx - 1), key)) return idx - 1;
    slot = (slot + 1) & mask;
  }
}

function rebuildBuckets(t: usize, bucketCount: i32): void {
  const b = opa_malloc((<usize>bucketCount) << 2);
  memory.fill(b, 0, (<usize>bucketCount) << 2);
  const mask = <u32>(bucketCount - 1);
  const len = load<i32>(t, 4);
  for (let i = 0; i < len; i++) {
    let slot = entryHash(t, i) & mask;
    while (load<i32>(b + ((<usize>slot) << 2)) != 0) slot = (slot + 1) & mask;
    store<i32>(b + ((<usize>slot) << 2), i + 1);
  }
  store<i32>(t, bucketCount - 1, 16);
  store<i32>(t, <i32>b, 20);
}

/** Inserts or replaces; returns the entry index. */
export function tablePut(t: usize, key: usize, value: usize): i32 {
  const found = tableFind(t, key);
  if (found >= 0) {
    store<i32>(<usize>load<i32>(t, 12) + <usize>found * ENTRY, <i32>value, 4);
    return found;
  }
  const len = load<i32>(t, 4);
  let cap = load<i32>(t, 8);
  if (len == cap) {
    cap = cap * 2;
    const grown = opa_malloc(<usize>cap * ENTRY);
    copyBytes(grown, <usize>load<i32>(t, 12), <usize>len * ENTRY);
    store<i32>(t, <i32>grown, 12);
    store<i32>(t, cap, 8);
  }
  const e = <usize>load<i32>(t, 12) + <usize>len * ENTRY;
  const h = hashValue(key);
  store<i32>(e, <i32>key);
  store<i32>(e, <i32>value, 4);
  store<u32>(e, h, 8);
  store<i32>(t, len + 1, 4);
  store<i32>(t, 0, 24);
  if (cap * 2 > load<i32>(t, 16) + 1) {
    rebuildBuckets(t, cap * 2);
  } else {
    const mask = <u32>load<i32>(t, 16);
    const buckets = <usize>load<i32>(t, 20);
    let slot = h & mask;
    while (load<i32>(buckets + ((<usize>slot) << 2)) != 0) slot = (slot + 1) & mask;
    store<i32>(buckets + ((<usize>slot) << 2), len + 1);
  }
  return len;
}

export function rt_object_insert(obj: usize, key: usize, value: usize): void {
  tablePut(obj, key, value);
}

export function rt_set_add(set: usize, value: usize): void {
  if (tableFind(set, value) < 0) tablePut(set, value, value);
}

export function objectGet(obj: usize, key: usize): usize {
  const i = tableFind(obj, key);
  return i < 0 ? 0 : entryValue(obj, i);
}

// ---- hashing ----

function mix(h: u32, x: u32): u32 {
  return (h ^ x) * 16777619;
}

export function hashBytes(p: usize, len: i32): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < len; i++) h = (h ^ (<u32>load<u8>(p + i))) * 16777619;
  return h;
}

export function hashValue(v: usize): u32 {
  const t = typeOf(v);
  switch (t) {
    case NULL:
      return 0x9e3779b1;
    case BOOLEAN:
      return boolValue(v) ? 0x85ebca6b : 0xc2b2ae35;
    case NUMBER: {
      if (asExactInt(v)) {
        const n = exactInt();
        return mix(mix(3, <u32>n), <u32>(n >> 32));
      }
      const bits = reinterpret<u64>(load<f64>(v, 8));
      return mix(mix(5, <u32>bits), <u32>(bits >> 32));
    }
    case STRING:
      return hashBytes(strPtr(v), strLen(v));
    case ARRAY: {
      let h: u32 = 7;
      const n = arrLen(v);
      for (let i = 0; i < n; i++) h = mix(h, hashValue(arrGet(v, i)));
      return h;
    }
    case OBJECT: {
      let h: u32 = 11;
      const n = tableLen(v);
      for (let i = 0; i < n; i++) h += entryHash(v, i) ^ (hashValue(entryValue(v, i)) * 0x27d4eb2d);
      return h;
    }
    default: {
      let h: u32 = 13;
      const n = tableLen(v);
      for (let i = 0; i < n; i++) h += entryHash(v, i);
      return h;
    }
  }
}

// ---- equality and order ----

export function valueEqual(a: usize, b: usize): bool {
  if (a == b) return true;
  const t = typeOf(a);
  if (t != typeOf(b)) return false;
  switch (t) {
    case NULL:
      return true;
    case BOOLEAN:
      return boolValue(a) == boolValue(b);
    case NUMBER:
      return compareNumbers(a, b) == 0;
    case STRING: {
      const n = strLen(a);
      return n == strLen(b) && memory.compare(strPtr(a), strPtr(b), n) == 0;
    }
    case ARRAY: {
      const n = arrLen(a);
      if (n != arrLen(b)) return false;
      for (let i = 0; i < n; i++) if (!valueEqual(arrGet(a, i), arrGet(b, i))) return false;
      return true;
    }
    case OBJECT: {
      const n = tableLen(a);
      if (n != tableLen(b)) return false;
      for (let i = 0; i < n; i++) {
        const other = objectGet(b, entryKey(a, i));
        if (other == 0 || !valueEqual(entryValue(a, i), other)) return false;
      }
      return true;
    }
    default: {
      const n = tableLen(a);
      if (n != tableLen(b)) return false;
      for (let i = 0; i < n; i++) if (tableFind(b, entryKey(a, i)) < 0) return false;
      return true;
    }
  }
}

export function compareNumbers(a: usize, b: usize): i32 {
  if (isInt(a) && isInt(b)) {
    const x = intValue(a);
    const y = intValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = numberAsFloat(a);
  const y = numberAsFloat(b);
  if (x != y) return x < y ? -1 : 1;
  // Rounding to f64 keeps order but may merge neighbours: decide ties on the exact decimals.
  if (hasText(a) || hasText(b)) {
    const exact = decimalCompare(a, b);
    if (exact != 2) return exact;
  }
  return 0;
}

export function compareStrings(a: usize, b: usize): i32 {
  const la = strLen(a);
  const lb = strLen(b);
  const n = la < lb ? la : lb;
  const c = memory.compare(strPtr(a), strPtr(b), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Rego's total order: null < boolean < number < string < array < object < set. */
export function valueCompare(a: usize, b: usize): i32 {
  if (a == b) return 0;
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case NULL:
      return 0;
    case BOOLEAN: {
      const x = <i32>boolValue(a);
      const y = <i32>boolValue(b);
      return x - y;
    }
    case NUMBER:
      return compareNumbers(a, b);
    case STRING:
      return compareStrings(a, b);
    case ARRAY: {
      const la = arrLen(a);
      const lb = arrLen(b);
      const n = la < lb ? la : lb;
      for (let i = 0; i < n; i++) {
        const c = valueCompare(arrGet(a, i), arrGet(b, i));
        if (c != 0) return c;
      }
      return la < lb ? -1 : la > lb ? 1 : 0;
    }
    default: {
      const sa = entryOrder(a);
      const sb = entryOrder(b);
      const la = tableLen(a);
      const lb = tableLen(b);
      const n = la < lb ? la : lb;
      for (let i = 0; i < n; i++) {
        const ea = orderedEntry(sa, i);
        const eb = orderedEntry(sb, i);
        let c = valueCompare(entryKey(a, ea), entryKey(b, eb));
        if (c != 0) return c;
        if (ta == OBJECT) {
          c = valueCompare(entryValue(a, ea), entryValue(b, eb));
          if (c != 0) return c;
        }
      }
      return la < lb ? -1 : la > lb ? 1 : 0;
    }
  }
}

// ---- sorting ----

/** What the sorted item at index i stands for: the value itself, or the key of that entry. */
@inline
function sortKey(table: usize, items: usize, i: i32): usize {
  const item = load<i32>(items + ((<usize>i) << 2));
  return table == 0 ? <usize>item : entryKey(table, item);
}

/**
 * Stable bottom-up merge sort of n i32 items in place, in Rego order of sortKey(table, item).
 * Runs already in order are copied without merging, so sorted input costs one comparison a run.
 */
function mergeSort(items: usize, n: i32, table: usize): void {
  if (n < 2) return;
  const tmp = opa_malloc((<usize>n) << 2);
  let src = items;
  let dst = tmp;
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = min(lo + width, n);
      const hi = min(lo + 2 * width, n);
      if (mid == hi || valueCompare(sortKey(table, src, mid - 1), sortKey(table, src, mid)) <= 0) {
        copyBytes(dst + ((<usize>lo) << 2), src + ((<usize>lo) << 2), (<usize>(hi - lo)) << 2);
        continue;
      }
      let i = lo;
      let j = mid;
      let k = lo;
      // Indexes are typed usize up front: a cast on `k++` does not survive formatting.
      while (i < mid && j < hi) {
        const slot = dst + ((<usize>k) << 2);
        k++;
        if (valueCompare(sortKey(table, src, j), sortKey(table, src, i)) < 0) {
          store<i32>(slot, load<i32>(src + ((<usize>j) << 2)));
          j++;
        } else {
          store<i32>(slot, load<i32>(src + ((<usize>i) << 2)));
          i++;
        }
      }
      while (i < mid) {
        store<i32>(dst + ((<usize>k) << 2), load<i32>(src + ((<usize>i) << 2)));
        k++;
        i++;
      }
      while (j < hi) {
        store<i32>(dst + ((<usize>k) << 2), load<i32>(src + ((<usize>j) << 2)));
        k++;
        j++;
      }
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  if (src != items) copyBytes(items, src, (<usize>n) << 2);
}

/** Sorts n value pointers at items in place (stable, Rego order). */
export function sortValues(items: usize, n: i32): void {
  mergeSort(items, n, 0);
}

/** The key order of a table whose entries were inserted in that order: no permutation needed. */
const IN_ORDER: usize = 1;

/**
 * The entry indexes of an object or set in Rego order of their keys (OPA iterates both that
 * way), or IN_ORDER. Made on first use and kept in the table until an insert, so a table built
 * once and read often is sorted once. The generation check covers a table that outlives the
 * heap (data kept across evaluations): an order made during an evaluation lies in the heap the
 * next one reuses.
 */
export function entryOrder(t: usize): usize {
  const n = tableLen(t);
  if (n < 2) return IN_ORDER;
  const kept = <usize>load<i32>(t, 24);
  if (kept == IN_ORDER || (kept != 0 && load<u32>(t, 28) == heapGeneration())) return kept;
  const order = keyOrder(t, n);
  store<i32>(t, <i32>order, 24);
  store<u32>(t, heapGeneration(), 28);
  return order;
}

function keyOrder(t: usize, n: i32): usize {
  let inOrder = true;
  for (let i = 1; i < n && inOrder; i++)
    inOrder = valueCompare(entryKey(t, i - 1), entryKey(t, i)) <= 0;
  if (inOrder) return IN_ORDER;
  const order = opa_malloc((<usize>n) << 2);
  for (let i = 0; i < n; i++) store<i32>(order + ((<usize>i) << 2), i);
  mergeSort(order, n, t);
  return order;
}

/** The entry index at position i of an order from entryOrder. */
@inline
export function orderedEntry(order: usize, i: i32): i32 {
  return order == IN_ORDER ? i : load<i32>(order + ((<usize>i) << 2));
}

/** A new set or object with the entries of t (shallow). */
export function copyTable(t: usize): usize {
  const n = tableLen(t);
  const c = makeTable(typeOf(t), n);
  for (let i = 0; i < n; i++) tablePut(c, entryKey(t, i), entryValue(t, i));
  return c;
}

export function copyArray(a: usize): usize {
  const n = arrLen(a);
  const c = rt_array(n);
  for (let i = 0; i < n; i++) rt_array_append(c, arrGet(a, i));
  return c;
}

/** Membership of a value among the elements of an array or set, or the values of an object. */
export function containsValue(coll: usize, v: usize): bool {
  const t = typeOf(coll);
  if (t == SET) return tableFind(coll, v) >= 0;
  if (t == ARRAY) {
    const n = arrLen(coll);
    for (let i = 0; i < n; i++) if (valueEqual(arrGet(coll, i), v)) return true;
    return false;
  }
  if (t == OBJECT) {
    const n = tableLen(coll);
    for (let i = 0; i < n; i++) if (valueEqual(entryValue(coll, i), v)) return true;
  }
  return false;
}
